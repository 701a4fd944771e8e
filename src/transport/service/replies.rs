//! A rider's SMS reply to a confirmation or a reminder (issue 16, point 4): `DA` confirms the
//! trip, `NU` / `ANULEZ` cancel it (a rider's cancellation: the late-cancel policy applies),
//! `UNDE` is answered with the vehicle's ETA, anything else is a note for dispatch.
//!
//! Which trip: the sender's next trip of today or tomorrow, still to be picked up, that was
//! messaged (a `confirm:` or `remind:` row to that number in the outbox); the answer names it.
//!
//! Exactly once per `MessageSid`: what the reply will do is recorded first in the rider's
//! history (`sms:{MessageSid}`), then done by steps that are each idempotent (the trip is
//! cancelled only while booked, the answer has the outbox key `sms-reply:{MessageSid}`, the
//! note is the webhook's card keyed `twilio-sms:{MessageSid}`). A retried webhook finds the entry
//! and redoes only what a crash may have left undone; it changes and sends nothing twice.
//! The webhook asks nothing here for a safe-contact number.
//!
//! The trip keeps the answer (`Trip::sms_answer`: confirmed or cancelled, at the time the reply
//! was recorded) so the planner sees it; the latest answer wins and a retry writes the same.

use chrono::{DateTime, Utc};

use super::handle::Ctx;
use super::{live, plan_edit, policy as policy_service};
use crate::config::Templates;
use crate::error::{Error, Result};
use crate::events::{TransportChange, TransportReason};
use crate::sms::OutgoingSms;
use crate::transport::eligibility::{RiderEvent, RiderEventKind};
use crate::transport::model::{
    clock, CancelReason, Cancellation, Rider, SmsAnswer, SmsAnswerKind, Trip, TripStatus,
};
use crate::transport::rules::engine;
use crate::transport::rules::policy::{read_reply, Reply};

/// What the webhook still has to do after a rider's reply was handled.
pub(crate) struct Handled {
    /// A note for dispatch (the SMS card's text), when the reply asks for a person.
    pub note: Option<String>,
}

/// The trips a number was told about: today's and tomorrow's, still to be picked up, of the
/// riders with this contact number, soonest first.
async fn messaged_trips(ctx: Ctx<'_>, number: &str) -> Result<Vec<(Rider, Trip)>> {
    let store = &ctx.transport.store;
    let riders: Vec<Rider> = store
        .riders()
        .await?
        .into_iter()
        .filter(|r| r.phone.as_deref() == Some(number) || r.carer_phone.as_deref() == Some(number))
        .collect();
    if riders.is_empty() {
        return Ok(Vec::new());
    }
    let keys = ctx.transport.sms.outbox().keys_to(number).await?;
    let told = |trip: &str| {
        keys.iter()
            .any(|k| k == &format!("remind:{trip}") || k.starts_with(&format!("confirm:{trip}:")))
    };
    let (today, now_s) = ctx.local_now();
    let mut out = Vec::new();
    let tomorrow = today.succ_opt().unwrap_or(today);
    for day in [today, tomorrow] {
        let plan = store.plan(day).await?;
        for rider in &riders {
            for trip in store.rider_trips_on(&rider.id, day).await? {
                if !matches!(trip.status, TripStatus::Booked | TripStatus::Arrived)
                    || !told(&trip.id)
                {
                    continue;
                }
                let at = plan
                    .as_ref()
                    .and_then(|p| p.promised_s(&trip.id))
                    .unwrap_or_else(|| engine::seconds_of(trip.time));
                // A trip of today whose time is long past is not "upcoming" any more.
                if day == today && at + 3600.0 < now_s {
                    continue;
                }
                out.push((rider.clone(), trip, at));
            }
        }
    }
    out.sort_by(|a, b| {
        (a.1.date, a.2)
            .partial_cmp(&(b.1.date, b.2))
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    out.dedup_by(|a, b| a.1.id == b.1.id);
    Ok(out.into_iter().map(|(r, t, _)| (r, t)).collect())
}

/// Handles an SMS from `number` when it answers a transport message; `None` when it does not
/// (the webhook cards it as before).
pub(crate) async fn handle(
    ctx: Ctx<'_>,
    message_sid: &str,
    number: &str,
    body: &str,
) -> Result<Option<Handled>> {
    let store = &ctx.transport.store;
    let key = format!("sms:{message_sid}");
    let entry = match store.rider_event(&key).await? {
        Some(first) => first,
        None => {
            let Some((rider, trip)) = messaged_trips(ctx, number).await?.into_iter().next() else {
                return Ok(None);
            };
            let reply = read_reply(body);
            let entry = RiderEvent {
                key: key.clone(),
                rider_id: rider.id.clone(),
                kind: RiderEventKind::SmsReply,
                at: Utc::now(),
                by: "sms".into(),
                trip_id: Some(trip.id.clone()),
                reason: Some(reply.as_str().to_owned()),
                until: None,
                item_id: None,
            };
            // Recorded before anything is done: a racing retry finds it and follows it.
            if !store.add_rider_event(&entry).await? {
                store.rider_event(&key).await?.unwrap_or(entry)
            } else {
                entry
            }
        }
    };
    // A trip changed by someone else between the read and the write (a driver's action) is
    // read again and the reply followed anew: every step is safe to repeat.
    let mut tries = 0;
    loop {
        match respond(ctx, message_sid, number, body, &entry).await {
            Err(e) if e.reason() == Some("trip_changed") && tries < 3 => tries += 1,
            done => return done,
        }
    }
}

/// Follows a recorded SMS reply on its trip as it is now, and queues the answer.
async fn respond(
    ctx: Ctx<'_>,
    message_sid: &str,
    number: &str,
    body: &str,
    entry: &RiderEvent,
) -> Result<Option<Handled>> {
    let store = &ctx.transport.store;
    let trip_id = entry.trip_id.clone().unwrap_or_default();
    let trip = store
        .trip(&trip_id)
        .await?
        .ok_or_else(|| Error::Internal(anyhow::anyhow!("an SMS reply names a missing trip")))?;
    let reply = match entry.reason.as_deref() {
        Some("confirm") => Reply::Confirm,
        Some("cancel") => Reply::Cancel,
        Some("where") => Reply::Where,
        _ => Reply::Other,
    };
    let t = &ctx.transport.templates;
    let promised = promised_s(ctx, &trip).await?;
    let values = |extra: &[(&'static str, String)]| {
        let mut v = vec![
            ("date", trip.date.format("%d.%m").to_string()),
            ("time", clock(promised)),
        ];
        v.extend(extra.iter().cloned());
        v
    };
    let (answer, note) = match reply {
        Reply::Confirm => {
            keep_answer(ctx, &trip, SmsAnswerKind::Confirmed, entry.at).await?;
            (Some(render(&t.reply_confirmed, &values(&[]))), None)
        }
        Reply::Cancel if matches!(trip.status, TripStatus::Booked | TripStatus::Cancelled) => {
            if trip.status == TripStatus::Booked {
                cancel_by_rider(ctx, trip.clone(), entry.at).await?;
            } else {
                keep_answer(ctx, &trip, SmsAnswerKind::Cancelled, entry.at).await?;
            }
            (Some(render(&t.reply_cancelled, &values(&[]))), None)
        }
        Reply::Cancel => (
            Some(render(&t.reply_not_cancellable, &values(&[]))),
            Some(format!(
                "[transport: beneficiarul {}, cursa {} din {} la {}; cursa a început, nu a fost anulată automat] {body}",
                trip.rider_id,
                trip.id,
                trip.date.format("%d.%m"),
                clock(promised)
            )),
        ),
        Reply::Where => {
            let answer = match eta_minutes(ctx, &trip).await? {
                Some(m) => render(&t.reply_eta, &values(&[("minutes", m.to_string())])),
                None => render(&t.reply_planned, &values(&[])),
            };
            (Some(answer), None)
        }
        Reply::Other => (
            None,
            Some(format!(
                "[transport: beneficiarul {}, cursa {} din {} la {}] {body}",
                trip.rider_id,
                trip.id,
                trip.date.format("%d.%m"),
                clock(promised)
            )),
        ),
    };
    if let Some(text) = answer {
        // The answer goes to the number that wrote, once per message.
        ctx.transport
            .sms
            .enqueue(&[OutgoingSms {
                key: format!("sms-reply:{message_sid}"),
                to: number.to_owned(),
                body: text,
            }])
            .await?;
    }
    Ok(Some(Handled { note }))
}

fn render(template: &str, values: &[(&'static str, String)]) -> String {
    let pairs: Vec<(&str, &str)> = values.iter().map(|(k, v)| (*k, v.as_str())).collect();
    Templates::render(template, &pairs)
}

async fn promised_s(ctx: Ctx<'_>, trip: &Trip) -> Result<f64> {
    Ok(ctx
        .transport
        .store
        .plan(trip.date)
        .await?
        .and_then(|p| p.promised_s(&trip.id))
        .unwrap_or_else(|| engine::seconds_of(trip.time)))
}

/// The answer `kind` recorded at `at`, as the trip should carry it: `None` when the trip
/// already carries it or a later answer (a retried webhook, an older message arriving late).
fn newer_answer(trip: &Trip, kind: SmsAnswerKind, at: DateTime<Utc>) -> Option<SmsAnswer> {
    match &trip.sms_answer {
        Some(known) if known.at >= at => None,
        _ => Some(SmsAnswer { answer: kind, at }),
    }
}

/// Keeps the rider's answer on the trip and tells the planner's page (once: a retry that finds
/// it stored changes and publishes nothing).
async fn keep_answer(
    ctx: Ctx<'_>,
    trip: &Trip,
    kind: SmsAnswerKind,
    at: DateTime<Utc>,
) -> Result<()> {
    let Some(answer) = newer_answer(trip, kind, at) else {
        return Ok(());
    };
    let mut trip = trip.clone();
    trip.sms_answer = Some(answer);
    let read = trip.status;
    ctx.transport
        .store
        .update_trips(std::slice::from_ref(&trip), read)
        .await?;
    // Dispatchers only: the driver's manifest does not change.
    let mut change = TransportChange::new(trip.date, TransportReason::SmsReply);
    change.trips = vec![trip.id.clone()];
    live::publish(ctx, "sms", change).await
}

/// The rider cancels by SMS: allowed until the pick-up (the vehicle is not sent for nothing),
/// also after the booking cut-off, and counted as late by its time before the pick-up. The trip
/// keeps the answer (received at `at`) and why it was cancelled.
async fn cancel_by_rider(ctx: Ctx<'_>, mut trip: Trip, at: DateTime<Utc>) -> Result<()> {
    let now = Utc::now();
    let read = trip.status;
    trip.status = TripStatus::Cancelled;
    if let Some(answer) = newer_answer(&trip, SmsAnswerKind::Cancelled, at) {
        trip.sms_answer = Some(answer);
    }
    trip.cancellation = Some(Cancellation {
        reason: CancelReason::RiderRequest,
        note: None,
        by: "sms".into(),
        at,
    });
    ctx.transport
        .store
        .update_trips(std::slice::from_ref(&trip), read)
        .await?;
    let reason = TransportReason::Cancellation;
    plan_edit::remove_trip(ctx, trip.date, &trip.id, "sms", reason).await?;
    // A trip outside any plan changes no plan; the page still learns of it.
    let plan = ctx.transport.store.plan(trip.date).await?;
    if plan.is_none() {
        let mut change = TransportChange::new(trip.date, reason);
        change.trips = vec![trip.id.clone()];
        live::publish(ctx, "sms", change).await?;
    }
    policy_service::after_cancel(ctx, std::slice::from_ref(&trip), "sms", now).await
}

/// Minutes until the vehicle reaches the rider: from its latest position (travel time on the
/// road network, when the position is fresh and the trip is today) and the plan's current
/// pick-up time (delays included), whichever is later; `None` without a plan for the trip.
async fn eta_minutes(ctx: Ctx<'_>, trip: &Trip) -> Result<Option<u32>> {
    let (today, now_s) = ctx.local_now();
    if trip.date != today {
        return Ok(None);
    }
    let store = &ctx.transport.store;
    let Some(plan) = store.plan(trip.date).await? else {
        return Ok(None);
    };
    let (Some(vehicle), Some(planned)) = (plan.vehicle_of(&trip.id), plan.pickup_s(&trip.id))
    else {
        return Ok(None);
    };
    let mut seconds = (planned - now_s).max(0.0);
    if let Some((here, at)) = store.position(vehicle).await? {
        if Utc::now() - at < chrono::Duration::minutes(15) {
            let network = ctx.network();
            let target = trip.pickup.position;
            let depart = now_s as u32;
            let travel = tokio::task::spawn_blocking(move || {
                engine::travel_source(network)
                    .matrix(&[here, target], depart)
                    .seconds(0, 1)
            })
            .await
            .map_err(|e| Error::Internal(anyhow::anyhow!("travel time task: {e}")))?;
            if travel.is_finite() {
                seconds = seconds.max(travel);
            }
        }
    }
    Ok(Some(((seconds / 60.0).ceil() as u32).max(1)))
}
