//! Eligibility and the no-show / late-cancel policy (issue 16, point 2): the check at booking,
//! the count (a no-show from the tablet, a cancellation late before the pick-up), the flag that
//! asks the supervisor to decide (a queue item), the supervisor's suspend and waive, the lists,
//! and the SMS reminder before a certificate expires.
//!
//! Everything is an entry of the rider's history (`transport_rider_events`), keyed by its cause,
//! so a replayed action or a repeated cancellation counts once; the verdict is computed from the
//! history by `rules::policy::status`.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use tracing::info;

use super::handle::{Ctx, Transport};
use crate::config::{Config, Templates};
use crate::core::state::StateView;
use crate::core::{Command, Outcome};
use crate::domain::{Details, ItemId, Status};
use crate::error::{Error, Result};
use crate::events::ActionKind;
use crate::sms::OutgoingSms;
use crate::transport::eligibility::{PolicyStatus, RiderEvent, RiderEventKind};
use crate::transport::model::{ActionRecord, Rider, Trip};
use crate::transport::rules::clock::{self, trip_instant};
use crate::transport::rules::{engine, policy};

/// The kinds the verdict is computed from.
const VERDICT_KINDS: [RiderEventKind; 4] = [
    RiderEventKind::NoShow,
    RiderEventKind::LateCancel,
    RiderEventKind::Suspended,
    RiderEventKind::Waived,
];

/// The verdict on one rider now.
pub(crate) async fn verdict(ctx: Ctx<'_>, rider_id: &str) -> Result<PolicyStatus> {
    let events = ctx.transport.store.rider_events(rider_id).await?;
    let (today, _) = ctx.local_now();
    Ok(policy::status(
        &events,
        &ctx.config.transport.policy,
        Utc::now(),
        today,
    ))
}

/// Checks a booking of `rider` on `dates` against the certificate and a suspension. With
/// `override_by` (a supervisor's explicit override, the HTTP face checks the role), a refusal
/// is recorded in the rider's history instead and the booking goes ahead; returns the reason
/// overridden, if any.
pub(crate) async fn check_booking(
    ctx: Ctx<'_>,
    rider: &Rider,
    dates: &[NaiveDate],
    override_by: Option<&str>,
) -> Result<Option<&'static str>> {
    let status = verdict(ctx, &rider.id).await?;
    let p = &ctx.config.transport.policy;
    let Some(refusal) = dates
        .iter()
        .find_map(|d| policy::check_booking(rider, &status, *d, p).err())
    else {
        return Ok(None);
    };
    let Some(actor) = override_by else {
        return Err(refusal);
    };
    let reason = refusal.reason().unwrap_or("policy");
    ctx.transport
        .store
        .add_rider_event(&RiderEvent {
            key: format!("override:{}", uuid::Uuid::now_v7().simple()),
            rider_id: rider.id.clone(),
            kind: RiderEventKind::Override,
            at: Utc::now(),
            by: actor.to_owned(),
            trip_id: None,
            reason: Some(reason.to_owned()),
            until: None,
            item_id: None,
        })
        .await?;
    Ok(Some(reason))
}

/// Counts a no-show or a late cancel of `trip` once (keyed by the trip); when the count reaches
/// the limit, flags the rider: a queue item for the supervisor and a `flagged` entry.
async fn count(
    ctx: Ctx<'_>,
    kind: RiderEventKind,
    trip: &Trip,
    at: DateTime<Utc>,
    by: &str,
) -> Result<()> {
    let store = &ctx.transport.store;
    let prefix = match kind {
        RiderEventKind::NoShow => "no_show",
        _ => "late_cancel",
    };
    let trigger = format!("{prefix}:{}", trip.id);
    store
        .add_rider_event(&RiderEvent {
            key: trigger.clone(),
            rider_id: trip.rider_id.clone(),
            kind,
            at,
            by: by.to_owned(),
            trip_id: Some(trip.id.clone()),
            reason: None,
            until: None,
            item_id: None,
        })
        .await?;
    // Also on a replay: a crash between the entry and the flag must not lose the flag.
    let status = verdict(ctx, &trip.rider_id).await?;
    if !status.flagged {
        return Ok(());
    }
    let history = store.rider_events(&trip.rider_id).await?;
    let decided = history
        .iter()
        .filter(|e| matches!(e.kind, RiderEventKind::Suspended | RiderEventKind::Waived))
        .map(|e| e.at)
        .max();
    let already = history
        .iter()
        .any(|e| e.kind == RiderEventKind::Flagged && decided.is_none_or(|d| e.at > d));
    if already {
        return Ok(());
    }
    let p = &ctx.config.transport.policy;
    let description = format!(
        "Transport adaptat: beneficiarul {} a atins limita de {} neprezentări sau anulări târzii în {} zile. Supervizorul decide: suspendare sau derogare (pagina Beneficiari).",
        trip.rider_id, p.max_events, p.window_days
    );
    let outcome = ctx
        .core
        .execute(
            "transport-policy",
            Command::Create {
                details: Details::Incident {
                    reported_by: "transport-policy".into(),
                    description,
                    related: None,
                    code: Some("policy_flag".into()),
                },
                subject: None,
                key: Some(format!("policy-flag:{}:{trigger}", trip.rider_id)),
                rate_limited: false,
            },
        )
        .await?;
    let item_id = match outcome {
        Outcome::Item { item, .. } => Some(item.id.to_string()),
        _ => None,
    };
    store
        .add_rider_event(&RiderEvent {
            key: format!("flag:{trigger}"),
            rider_id: trip.rider_id.clone(),
            kind: RiderEventKind::Flagged,
            at: Utc::now(),
            by: "policy".into(),
            trip_id: Some(trip.id.clone()),
            reason: None,
            until: None,
            item_id,
        })
        .await?;
    info!(rider.id = %trip.rider_id, "rider flagged by the transport policy");
    Ok(())
}

/// A driver's no-show counts against the rider (called for a new action and its replays).
pub(crate) async fn after_action(ctx: Ctx<'_>, action: &ActionRecord) -> Result<()> {
    if action.kind != ActionKind::NoShow {
        return Ok(());
    }
    let Some(trip_id) = &action.trip_id else {
        return Ok(());
    };
    let Some(trip) = ctx.transport.store.trip(trip_id).await? else {
        return Ok(());
    };
    let by = format!("driver:{}", action.by);
    count(ctx, RiderEventKind::NoShow, &trip, action.at, &by).await
}

/// When a trip is cancelled at `now`: a cancellation less than `late_cancel_minutes` before the
/// pick-up the rider was promised (whatever its reason code) counts as a late cancel.
pub(crate) async fn after_cancel(
    ctx: Ctx<'_>,
    trips: &[Trip],
    actor: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    for trip in trips {
        let pickup = pickup_instant(ctx, trip).await?;
        if policy::is_late_cancel(pickup, now, &ctx.config.transport.policy) {
            count(ctx, RiderEventKind::LateCancel, trip, now, actor).await?;
        }
    }
    Ok(())
}

/// The pick-up the rider was promised (the plan's), else the time they asked for.
pub(crate) async fn pickup_instant(ctx: Ctx<'_>, trip: &Trip) -> Result<DateTime<Utc>> {
    let promised = ctx
        .transport
        .store
        .plan(trip.date)
        .await?
        .and_then(|p| p.promised_s(&trip.id));
    let date_start = trip_instant(ctx.zone(), trip.date, chrono::NaiveTime::MIN);
    Ok(match promised {
        Some(s) => date_start + chrono::Duration::seconds(s as i64),
        None => trip_instant(ctx.zone(), trip.date, trip.time),
    })
}

/// A supervisor's decision on a flagged (or any) rider.
pub(crate) enum Decision {
    Suspend { until: NaiveDate },
    Waive,
}

/// Records a supervisor's suspend or waive in the rider's history and closes the rider's open
/// flag items with it (the decision as the outcome, its words as a note, the supervisor as the
/// actor); returns the new verdict and the queue item of the rider's latest flag (the
/// decision's audit names it).
pub(crate) async fn decide(
    ctx: Ctx<'_>,
    actor: &str,
    rider_id: &str,
    decision: Decision,
    reason: String,
) -> Result<(PolicyStatus, Option<String>)> {
    let store = &ctx.transport.store;
    if store.rider(rider_id).await?.is_none() {
        return Err(Error::NotFound("rider".into()));
    }
    let (kind, until, prefix) = match decision {
        Decision::Suspend { until } => {
            let (today, _) = ctx.local_now();
            if until < today {
                return Err(Error::validation("until", "must be today or later"));
            }
            (RiderEventKind::Suspended, Some(until), "suspend")
        }
        Decision::Waive => (RiderEventKind::Waived, None, "waive"),
    };
    let entry = RiderEvent {
        key: format!("{prefix}:{}", uuid::Uuid::now_v7().simple()),
        rider_id: rider_id.to_owned(),
        kind,
        at: Utc::now(),
        by: actor.to_owned(),
        trip_id: None,
        reason: Some(reason),
        until,
        item_id: None,
    };
    store.add_rider_event(&entry).await?;
    let history = store.rider_events(rider_id).await?;
    let flags: Vec<String> = history
        .iter()
        .filter(|e| e.kind == RiderEventKind::Flagged)
        .filter_map(|e| e.item_id.clone())
        .collect();
    close_flags(ctx, actor, &entry, &flags).await?;
    Ok((verdict(ctx, rider_id).await?, flags.last().cloned()))
}

/// Closes each still-open flag item with the supervisor's decision `entry`: a note saying what
/// was decided and why (once per decision and item), then the outcome `policy_suspended` or
/// `policy_waived`. An item already closed (by hand, or by an earlier decision) is left alone.
async fn close_flags(
    ctx: Ctx<'_>,
    actor: &str,
    entry: &RiderEvent,
    flags: &[String],
) -> Result<()> {
    let (outcome, what) = match (entry.kind, entry.until) {
        (RiderEventKind::Suspended, Some(until)) => (
            "policy_suspended",
            format!("suspendare până la {}", until.format("%d.%m.%Y")),
        ),
        _ => (
            "policy_waived",
            "derogare: neprezentările și anulările târzii nu mai sunt numărate".to_owned(),
        ),
    };
    let text = format!(
        "Decizia supervizorului: {what}. Motiv: {}",
        entry.reason.as_deref().unwrap_or("")
    );
    for id in flags {
        let Some(item_id) = uuid::Uuid::parse_str(id).ok().map(ItemId) else {
            continue;
        };
        let open = ctx
            .core
            .read(|s| s.item(&item_id).is_some_and(|i| i.status != Status::Closed));
        if !open {
            continue;
        }
        let note = Command::AddNoteOnce {
            item_id,
            text: text.clone(),
            key: format!("policy-decision:{}:{id}", entry.key),
        };
        ctx.core.execute(actor, note).await?;
        let settle = Command::Settle { item_id, outcome };
        ctx.core.execute(actor, settle).await?;
        info!(item.id = %item_id, outcome, "transport policy flag closed by the decision");
    }
    Ok(())
}

/// The riders the policy flags or who are suspended, with their verdict.
pub(crate) async fn flagged(ctx: Ctx<'_>) -> Result<Vec<(Rider, PolicyStatus)>> {
    let store = &ctx.transport.store;
    let mut by_rider: HashMap<String, Vec<RiderEvent>> = HashMap::new();
    for e in store.rider_events_of(&VERDICT_KINDS).await? {
        by_rider.entry(e.rider_id.clone()).or_default().push(e);
    }
    let (today, _) = ctx.local_now();
    let now = Utc::now();
    let riders = ctx.transport.riders_by_id().await?;
    let mut out: Vec<(Rider, PolicyStatus)> = by_rider
        .into_iter()
        .filter_map(|(id, events)| {
            let s = policy::status(&events, &ctx.config.transport.policy, now, today);
            let rider = riders.get(&id)?.clone();
            (s.flagged || s.suspended_until.is_some()).then_some((rider, s))
        })
        .collect();
    out.sort_by(|a, b| a.0.id.cmp(&b.0.id));
    Ok(out)
}

/// The riders whose certificate expires within `days` (expired ones included), soonest first.
pub(crate) async fn expiring(ctx: Ctx<'_>, days: u32) -> Result<Vec<(Rider, NaiveDate)>> {
    let riders = ctx.transport.store.riders().await?;
    let (today, _) = ctx.local_now();
    Ok(policy::expiring(&riders, today, days)
        .into_iter()
        .map(|(r, d)| (r.clone(), d))
        .collect())
}

/// The reminder for a certificate expiring on `until`, once per certificate.
fn expiry_message(
    t: &Templates,
    rider: &Rider,
    until: NaiveDate,
    days: i64,
) -> Option<OutgoingSms> {
    Some(OutgoingSms {
        key: format!("cert-expiry:{}:{until}", rider.id),
        to: rider.contact_phone()?.to_owned(),
        body: Templates::render(
            &t.certificate_expiry,
            &[
                ("until", &until.format("%d.%m.%Y").to_string()),
                ("days", &days.to_string()),
            ],
        ),
    })
}

/// Queues the SMS reminders of the certificates that expire within
/// `certificate_reminder_days` of `today` and have not expired yet; returns how many were new.
/// The key (`cert-expiry:{rider}:{valid_until}`) makes a repeat, a restart or a second instance
/// harmless, and a renewed certificate (a new date) is reminded again when its time comes.
pub(crate) async fn queue_certificate_reminders(
    transport: &Transport,
    config: &Config,
    today: NaiveDate,
) -> Result<usize> {
    let riders = transport.store.riders().await?;
    let days = config.transport.policy.certificate_reminder_days;
    let msgs: Vec<OutgoingSms> = policy::expiring(&riders, today, days)
        .into_iter()
        .filter(|(_, until)| *until >= today)
        .filter_map(|(r, until)| {
            expiry_message(&transport.templates, r, until, (until - today).num_days())
        })
        .collect();
    Ok(transport.sms.enqueue(&msgs).await?)
}

/// Queues the day's certificate reminders from `certificate_reminder_time` (local) on, checking
/// every few minutes; idempotent keys make the repeats harmless.
pub(crate) fn start_certificate_task(
    transport: Transport,
    config: Arc<Config>,
    shutdown: tokio_util::sync::CancellationToken,
) {
    tokio::spawn(async move {
        loop {
            let (today, now_s) = clock::local_now(clock::zone(&config));
            let due = engine::seconds_of(config.transport.policy.certificate_reminder_time);
            if now_s >= due {
                match queue_certificate_reminders(&transport, &config, today).await {
                    Ok(0) => {}
                    Ok(n) => info!(queued = n, "certificate reminders queued"),
                    Err(e) => tracing::warn!(error = %e, "queueing certificate reminders failed"),
                }
            }
            tokio::select! {
                _ = shutdown.cancelled() => break,
                _ = tokio::time::sleep(std::time::Duration::from_secs(300)) => {}
            }
        }
    });
}
