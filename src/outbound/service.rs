//! The use cases of outbound calls: schedules, call lists and campaigns become call rows; the
//! task raises a queue item for each call when it falls due; the dispatcher dials it (through
//! the call outbox) and records its outcome, which may retry or escalate.
//!
//! Safe contact: a number marked 'do not call back' is refused when a schedule is made, skipped
//! (with the reason `contact_blocked`) when a list or campaign is materialised and when a due
//! call would be raised, refused at dial time (409), and the call worker checks once more.

use chrono::{DateTime, Datelike, TimeZone, Utc};
use tracing::{info, warn};

use super::rules::{self, CallOutcome, Filter, Next, Recurrence};
use crate::config::OutboundConfig;
use crate::core::{Command, CoreHandle, Outcome};
use crate::domain::{parse, CaseRecord, Details, Item, ItemId, Status, Subject};
use crate::error::{Error, Result};
use crate::referrals::is_contact_blocked;
use crate::store::emergency::DeviceRecord;
use crate::store::outbound::{CampaignRow, ListRow, OutboundCallRow, ScheduleRow};
use crate::store::{EmergencyStore, OutgoingCall};
use crate::teleasistenta::subject::device_subject;
use crate::telephony::calls::Calls;

/// What the outbound calls work with.
#[derive(Clone, Copy)]
pub(crate) struct Handles<'a> {
    pub emergency: &'a dyn EmergencyStore,
    pub core: &'a CoreHandle,
    pub config: &'a OutboundConfig,
}

/// A raised call whose item was not written within this long is raised again (idempotent by
/// its key): the instance that claimed it stopped in between.
const STALE_CLAIM_MS: i64 = 60_000;

/// Who to call: a registered beneficiary, or a number and a name.
#[derive(Clone, Debug)]
pub(crate) enum Callee {
    Device(String),
    Number { phone: String, name: String },
}

/// One entry of a materialised batch that was not made into a call.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub(crate) struct Skipped {
    /// The entry's position in the request (0-based), for a call list.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device_id: Option<String>,
    /// `contact_blocked` (a safe-contact number, never dialled), `unknown_device`, `no_number`.
    pub reason: String,
}

fn now_ms() -> i64 {
    Utc::now().timestamp_millis()
}

/// A new planned call (first try) with these facts.
#[allow(clippy::too_many_arguments)] // each is one column of the row; a struct literal at each caller would say the same
fn call_row(
    source: &str,
    source_id: &str,
    id: String,
    device_id: Option<String>,
    name: String,
    phone: String,
    reason: &str,
    due_ms: i64,
    by: &str,
) -> OutboundCallRow {
    OutboundCallRow {
        id,
        source: source.into(),
        source_id: source_id.into(),
        device_id,
        name,
        phone,
        reason: reason.into(),
        due_ms,
        attempt: 1,
        retry_of: None,
        state: "planned".into(),
        skip_reason: None,
        item_id: None,
        raised_ms: None,
        dialled_ms: None,
        outcome: None,
        outcome_note: None,
        outcome_by: None,
        outcome_ms: None,
        escalation_item: None,
        created_by: by.into(),
        created_ms: now_ms(),
    }
}

/// The number and name of a callee; `Err(reason)` when there is none to call.
async fn resolve(
    emergency: &dyn EmergencyStore,
    callee: &Callee,
) -> Result<std::result::Result<(Option<String>, String, String), &'static str>> {
    let (device, name, phone) = match callee {
        Callee::Device(id) => match emergency.device(id).await? {
            Some(d) => (
                Some(d.device_id.clone()),
                d.beneficiary.clone(),
                d.phone.clone(),
            ),
            None => return Ok(Err("unknown_device")),
        },
        Callee::Number { phone, name } => (None, name.clone(), phone.clone()),
    };
    let Ok(phone) = parse::phone("phone", &phone) else {
        return Ok(Err("no_number"));
    };
    if is_contact_blocked(emergency, &phone).await? {
        metrics::counter!("dispecer_outbound_skipped_safe_contact_total").increment(1);
        return Ok(Err("contact_blocked"));
    }
    Ok(Ok((device, name, phone)))
}

/// Materialises a batch: one planned call per callee with its due time, or a skipped row with
/// why (kept, so the result and the progress show it). Answers (calls made, skipped).
async fn materialise(
    on: Handles<'_>,
    source: &str,
    source_id: &str,
    reason: &str,
    by: &str,
    entries: Vec<(Callee, i64)>,
    with_index: bool,
) -> Result<(usize, Vec<Skipped>)> {
    let mut made = 0;
    let mut skipped = Vec::new();
    for (i, (callee, due_ms)) in entries.into_iter().enumerate() {
        let id = format!("{source}:{source_id}:{i}");
        match resolve(on.emergency, &callee).await? {
            Ok((device, name, phone)) => {
                let row = call_row(
                    source, source_id, id, device, name, phone, reason, due_ms, by,
                );
                on.emergency.insert_call(&row).await?;
                made += 1;
            }
            Err(why) => {
                let device = match &callee {
                    Callee::Device(d) => Some(d.clone()),
                    Callee::Number { .. } => None,
                };
                let name = match &callee {
                    Callee::Number { name, .. } => name.clone(),
                    Callee::Device(_) => String::new(),
                };
                let mut row = call_row(
                    source,
                    source_id,
                    id,
                    device.clone(),
                    name,
                    String::new(),
                    reason,
                    due_ms,
                    by,
                );
                row.state = "skipped".into();
                row.skip_reason = Some(why.into());
                on.emergency.insert_call(&row).await?;
                skipped.push(Skipped {
                    index: with_index.then_some(i),
                    device_id: device,
                    reason: why.into(),
                });
            }
        }
    }
    Ok((made, skipped))
}

/// The recurrence of a stored schedule.
pub(crate) fn recurrence(s: &ScheduleRow) -> Option<Recurrence> {
    match s.every_days {
        Some(n) if n > 0 => Some(Recurrence::EveryDays(n as u32)),
        _ => rules::parse_weekdays(&s.weekdays)
            .ok()
            .map(Recurrence::Weekly),
    }
}

/// Stores a new schedule (its first occurrence computed from now); 404 for an unknown device,
/// 409 `contact_blocked` for a safe-contact number.
pub(crate) async fn create_schedule(on: Handles<'_>, mut s: ScheduleRow) -> Result<ScheduleRow> {
    let device = on
        .emergency
        .device(&s.device_id)
        .await?
        .ok_or_else(|| Error::validation("device_id", "no such device in the registry"))?;
    if is_contact_blocked(on.emergency, &device.phone).await? {
        return Err(Error::conflict_because(
            "contact_blocked",
            "the beneficiary's number is marked 'do not call back'",
        ));
    }
    let rec = recurrence(&s).ok_or_else(|| Error::validation("weekdays", "no recurrence"))?;
    let at = rules::parse_time(&s.at_time).map_err(|m| Error::validation("at", m))?;
    s.next_due_ms = rules::first_due(&rec, at, on.config.tz(), Utc::now()).timestamp_millis();
    on.emergency.put_schedule(&s).await?;
    Ok(s)
}

/// Materialises every due schedule occurrence, then raises every due call. Idempotent across
/// instances: occurrences have deterministic ids, schedules move on by a conditional update,
/// calls are claimed by one and their items keyed `outbound:{id}`.
pub(crate) async fn raise_due(on: Handles<'_>) -> anyhow::Result<usize> {
    let now = Utc::now();
    for s in on.emergency.due_schedules(now.timestamp_millis()).await? {
        let (Some(rec), Ok(at)) = (recurrence(&s), rules::parse_time(&s.at_time)) else {
            continue;
        };
        let id = format!("sched:{}:{}", s.id, s.next_due_ms);
        let callee = Callee::Device(s.device_id.clone());
        match resolve(on.emergency, &callee).await? {
            Ok((device, name, phone)) => {
                let row = call_row(
                    "schedule",
                    &s.id,
                    id,
                    device,
                    name,
                    phone,
                    &s.reason,
                    s.next_due_ms,
                    &s.created_by,
                );
                on.emergency.insert_call(&row).await?;
            }
            Err(why) => {
                let mut row = call_row(
                    "schedule",
                    &s.id,
                    id,
                    Some(s.device_id.clone()),
                    String::new(),
                    String::new(),
                    &s.reason,
                    s.next_due_ms,
                    &s.created_by,
                );
                row.state = "skipped".into();
                row.skip_reason = Some(why.into());
                on.emergency.insert_call(&row).await?;
            }
        }
        let due = Utc
            .timestamp_millis_opt(s.next_due_ms)
            .single()
            .unwrap_or(now);
        let next = rules::following(&rec, at, on.config.tz(), due, now);
        on.emergency
            .advance_schedule(&s.id, s.next_due_ms, next.timestamp_millis())
            .await?;
    }
    let mut raised = 0;
    let now_ms = now.timestamp_millis();
    let stale = now_ms - STALE_CLAIM_MS;
    for call in on.emergency.due_calls(now_ms, stale).await? {
        if !on.emergency.claim_call(&call.id, now_ms, stale).await? {
            continue; // another instance has it
        }
        if is_contact_blocked(on.emergency, &call.phone).await? {
            on.emergency.skip_call(&call.id, "contact_blocked").await?;
            continue;
        }
        let subject = subject_of(on.emergency, &call).await?;
        let out = on
            .core
            .execute(
                "system",
                Command::Create {
                    details: Details::Callback {
                        phone: call.phone.clone(),
                        reason: item_reason(&call.source).into(),
                        related: None,
                    },
                    key: Some(format!("outbound:{}", call.id)),
                    subject: Some(subject),
                    rate_limited: false,
                },
            )
            .await?;
        if let Outcome::Item { item, .. } = out {
            if call.source == FOLLOW_UP {
                // What the caller wrote is on the item, for whoever takes it (once, by key).
                on.core
                    .execute(
                        &call.created_by,
                        Command::AddNoteOnce {
                            item_id: item.id,
                            text: call.reason.clone(),
                            key: format!("outbound-note:{}", call.id),
                        },
                    )
                    .await?;
            }
            on.emergency
                .set_call_item(&call.id, &item.id.to_string())
                .await?;
            raised += 1;
        }
    }
    Ok(raised)
}

/// The callback reason of an outbound call's item, by where the call came from.
pub(crate) fn item_reason(source: &str) -> &'static str {
    match source {
        "schedule" => "wellbeing",
        "campaign" => "campaign",
        FOLLOW_UP => "follow_up",
        _ => "call_list",
    }
}

async fn subject_of(emergency: &dyn EmergencyStore, call: &OutboundCallRow) -> Result<Subject> {
    if let Some(d) = &call.device_id {
        if let Some(device) = emergency.device(d).await? {
            let mut s = device_subject(&device);
            s.phone = Some(call.phone.clone());
            return Ok(s);
        }
    }
    Ok(Subject {
        name: call.name.clone(),
        phone: Some(call.phone.clone()),
        ..Subject::default()
    })
}

/// A call list another service asked for; answers (list, calls made, skipped).
pub(crate) async fn create_list(
    on: Handles<'_>,
    list: ListRow,
    entries: Vec<(Callee, i64)>,
) -> Result<(usize, Vec<Skipped>)> {
    on.emergency.put_list(&list).await?;
    materialise(
        on,
        "list",
        &list.id,
        &list.reason,
        &list.requested_by,
        entries,
        true,
    )
    .await
}

/// The beneficiaries a filter selects, in registry order.
pub(crate) async fn select(on: Handles<'_>, filter: &Filter) -> Result<Vec<DeviceRecord>> {
    let year = Utc::now().with_timezone(&on.config.tz()).year();
    let profiles = on.emergency.profiles().await?;
    let devices = on.emergency.devices().await?;
    Ok(devices
        .into_iter()
        .filter(|d| {
            profiles
                .iter()
                .find(|p| p.device_id == d.device_id)
                .is_some_and(|p| filter.selects(year, p.birth_year, p.lives_alone))
        })
        .collect())
}

/// How many a filter selects, and how many of them are safe-contact numbers (never dialled).
pub(crate) async fn preview(on: Handles<'_>, filter: &Filter) -> Result<(usize, usize)> {
    let selected = select(on, filter).await?;
    let mut blocked = 0;
    for d in &selected {
        if is_contact_blocked(on.emergency, &d.phone).await? {
            blocked += 1;
        }
    }
    Ok((selected.len(), blocked))
}

/// Starts a draft campaign once: its calls, spread over its window. 409 `already_started`.
pub(crate) async fn start_campaign(
    on: Handles<'_>,
    campaign: &CampaignRow,
) -> Result<(usize, Vec<Skipped>)> {
    let filter: Filter = serde_json::from_str(&campaign.filter)
        .map_err(|e| Error::Internal(anyhow::anyhow!("stored campaign filter: {e}")))?;
    let selected = select(on, &filter).await?;
    if selected.len() > on.config.max_batch {
        return Err(Error::validation(
            "filter",
            format!(
                "selects {} beneficiaries; at most {}",
                selected.len(),
                on.config.max_batch
            ),
        ));
    }
    if !on.emergency.start_campaign(&campaign.id, now_ms()).await? {
        return Err(Error::conflict_because(
            "already_started",
            "this campaign was started already",
        ));
    }
    let start = campaign.window_start_ms.max(now_ms());
    let end = campaign.window_end_ms.max(start);
    let times = rules::spread(selected.len(), start, end);
    let entries = selected
        .into_iter()
        .zip(times)
        .map(|(d, t)| (Callee::Device(d.device_id), t))
        .collect();
    let out = materialise(
        on,
        "campaign",
        &campaign.id,
        &campaign.reason,
        &campaign.created_by,
        entries,
        false,
    )
    .await?;
    info!(campaign.id = %campaign.id, calls = out.0, skipped = out.1.len(), "campaign started");
    Ok(out)
}

/// Takes the item if nobody has (acknowledge as `actor`): a dial or an outcome is the
/// dispatcher working it.
async fn take(core: &CoreHandle, actor: &str, item: &Item) -> Result<()> {
    if item.status == Status::New {
        match core
            .execute(actor, Command::Acknowledge { item_id: item.id })
            .await
        {
            Ok(_) => {}
            // Someone else took it in between: it stays theirs, the caller still acts.
            Err(crate::error::CoreError::Conflict { .. }) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

/// Queues the call of an outbound item through the call outbox (never on the request path):
/// the number is the row's, checked against safe contact now (409 `contact_blocked`).
pub(crate) async fn dial(
    on: Handles<'_>,
    calls: &Calls,
    actor: &str,
    call: &OutboundCallRow,
    item: &Item,
) -> Result<String> {
    if call.state != "raised" || item.status == Status::Closed {
        return Err(Error::conflict_because(
            "not_open",
            "this call is not waiting to be made",
        ));
    }
    if is_contact_blocked(on.emergency, &call.phone).await? {
        metrics::counter!("dispecer_dial_refused_safe_contact_total").increment(1);
        return Err(Error::conflict_because(
            "contact_blocked",
            "this number is marked 'do not call back'",
        ));
    }
    take(on.core, actor, item).await?;
    let out = OutgoingCall {
        id: uuid::Uuid::now_v7().to_string(),
        item_id: item.id,
        target: "outbound".into(),
        to: call.phone.clone(),
        requested_by: actor.into(),
    };
    calls.enqueue(&out).await?;
    on.emergency.mark_dialled(&call.id, now_ms()).await?;
    let record = CaseRecord::Step {
        step: "dial_requested".into(),
        answered: None,
        note: "outbound".into(),
    };
    on.core
        .execute(
            actor,
            Command::Record {
                item_id: item.id,
                record,
            },
        )
        .await?;
    Ok(out.id)
}

/// What recording an outcome did.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub(crate) struct Recorded {
    /// The call's state now: `done`, `retried`, `escalated`.
    pub state: String,
    /// The next try's call id and due time (after `no_answer` with tries left).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_due: Option<DateTime<Utc>>,
    /// The follow-up call's id and due time (after `needs_follow_up`): a new outbound call to
    /// the same person, carrying the note, raised as a queue item when due.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub follow_up_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub follow_up_due: Option<DateTime<Utc>>,
    /// The supervisor's item (after the last unanswered try).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub escalation_item: Option<ItemId>,
}

/// Records the outcome of a raised call once (409 `already_recorded`), notes it in the item's
/// history, closes the item, and retries or escalates an unanswered call.
pub(crate) async fn record_outcome(
    on: Handles<'_>,
    actor: &str,
    call: &OutboundCallRow,
    item: Option<&Item>,
    outcome: CallOutcome,
    note: &str,
) -> Result<Recorded> {
    let now = now_ms();
    let attempt = u32::try_from(call.attempt.max(1)).unwrap_or(1);
    let next = rules::next(
        outcome,
        attempt,
        on.config.max_attempts,
        now,
        (on.config.retry_ms(), on.config.follow_up_ms()),
    );
    let state = rules::state_after(next);
    // The next call (a retry, a follow-up) is written with the outcome, in one transaction.
    let then = match next {
        Next::Retry { due_ms } => Some(retry_row(call, due_ms, actor, now)),
        Next::FollowUp { due_ms } => {
            Some(follow_up_row(on.emergency, call, note, due_ms, actor, now).await?)
        }
        Next::Done | Next::Escalate => None,
    };
    if !on
        .emergency
        .record_call_outcome(
            &call.id,
            state,
            outcome.code(),
            note,
            actor,
            now,
            then.as_ref(),
        )
        .await?
    {
        return Err(Error::conflict_because(
            "already_recorded",
            "an outcome was recorded for this call already",
        ));
    }
    if let Some(item) = item {
        let record = CaseRecord::Step {
            step: format!("outbound_{}", outcome.code()),
            answered: Some(matches!(
                outcome,
                CallOutcome::AnsweredOk | CallOutcome::NeedsFollowUp
            )),
            note: note.to_owned(),
        };
        on.core
            .execute(
                actor,
                Command::Record {
                    item_id: item.id,
                    record,
                },
            )
            .await?;
        if item.status != Status::Closed {
            take(on.core, actor, item).await?;
            let close = Command::Close {
                item_id: item.id,
                outcome: outcome.item_outcome().into(),
            };
            if let Err(e) = on.core.execute(actor, close).await {
                warn!(item.id = %item.id, error = %e, "outbound item not closed");
            }
        }
    }
    let mut recorded = Recorded {
        state: state.into(),
        retry_id: None,
        retry_due: None,
        follow_up_id: None,
        follow_up_due: None,
        escalation_item: None,
    };
    match next {
        Next::Done => {}
        Next::Retry { due_ms } => {
            recorded.retry_due = Utc.timestamp_millis_opt(due_ms).single();
            recorded.retry_id = then.map(|r| r.id);
        }
        Next::FollowUp { due_ms } => {
            recorded.follow_up_due = Utc.timestamp_millis_opt(due_ms).single();
            recorded.follow_up_id = then.map(|r| r.id);
        }
        Next::Escalate => {
            let subject = subject_of(on.emergency, call).await?;
            let out = on
                .core
                .execute(
                    "system",
                    Command::Create {
                        details: Details::Incident {
                            reported_by: "system".into(),
                            description: format!(
                                "Beneficiarul nu a răspuns la {attempt} apeluri: sunați aparținătorii sau trimiteți pe cineva."
                            ),
                            related: item.map(|i| i.id),
                            code: Some("outbound_no_answer".into()),
                        },
                        key: Some(format!("outbound-escalation:{}", call.id)),
                        subject: Some(subject),
                        rate_limited: false,
                    },
                )
                .await?;
            if let Outcome::Item { item: esc, .. } = out {
                on.emergency
                    .set_escalation(&call.id, &esc.id.to_string())
                    .await?;
                recorded.escalation_item = Some(esc.id);
            }
        }
    }
    Ok(recorded)
}

/// The next try of an unanswered call, due at `due_ms`.
fn retry_row(call: &OutboundCallRow, due_ms: i64, actor: &str, now: i64) -> OutboundCallRow {
    let mut retry = call.clone();
    retry.id = format!("{}:try{}", base_id(&call.id), call.attempt + 1);
    retry.attempt = call.attempt + 1;
    retry.retry_of = Some(call.id.clone());
    retry.state = "planned".into();
    retry.due_ms = due_ms;
    retry.item_id = None;
    retry.raised_ms = None;
    retry.dialled_ms = None;
    retry.outcome = None;
    retry.outcome_note = None;
    retry.outcome_by = None;
    retry.outcome_ms = None;
    retry.created_by = actor.into();
    retry.created_ms = now;
    retry
}

/// The follow-up call a `needs_follow_up` outcome asks for: the same person, due at `due_ms`,
/// its reason the note the caller wrote (or the call's own reason without one), source
/// `follow_up` with the call's id (so a campaign's or list's progress does not count it). Its
/// id is the call's plus `:follow`, one per outcome. A number marked safe contact since is
/// skipped (never dialled), as when a list is materialised.
async fn follow_up_row(
    emergency: &dyn EmergencyStore,
    call: &OutboundCallRow,
    note: &str,
    due_ms: i64,
    actor: &str,
    now: i64,
) -> Result<OutboundCallRow> {
    let note = note.trim();
    let reason = if note.is_empty() { &call.reason } else { note };
    let mut row = call_row(
        FOLLOW_UP,
        &call.id,
        format!("{}:follow", call.id),
        call.device_id.clone(),
        call.name.clone(),
        call.phone.clone(),
        reason,
        due_ms,
        actor,
    );
    row.created_ms = now;
    if is_contact_blocked(emergency, &call.phone).await? {
        metrics::counter!("dispecer_outbound_skipped_safe_contact_total").increment(1);
        row.state = "skipped".into();
        row.skip_reason = Some("contact_blocked".into());
        row.phone = String::new();
    }
    Ok(row)
}

/// The source of a follow-up call (and its item's callback reason).
pub(crate) const FOLLOW_UP: &str = "follow_up";

/// The id of a call's first try (retries add `:tryN`).
fn base_id(id: &str) -> &str {
    match id.rfind(":try") {
        Some(i) => &id[..i],
        None => id,
    }
}

/// Starts the task that raises due outbound calls every `interval_ms` until `shutdown`.
pub(crate) fn spawn(
    emergency: std::sync::Arc<dyn EmergencyStore>,
    core: CoreHandle,
    config: OutboundConfig,
    shutdown: tokio_util::sync::CancellationToken,
) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_millis(config.interval_ms));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            let on = Handles {
                emergency: emergency.as_ref(),
                core: &core,
                config: &config,
            };
            tokio::select! {
                _ = shutdown.cancelled() => break,
                _ = tick.tick() => match raise_due(on).await {
                    Ok(0) => {}
                    Ok(n) => info!(raised = n, "outbound calls raised"),
                    Err(e) => warn!(error = %e, "outbound calls could not be raised; will retry"),
                },
            }
        }
    });
}
