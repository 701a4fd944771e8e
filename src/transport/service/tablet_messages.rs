//! Messages between dispatch and a vehicle's driver: dispatch sends a text to a vehicle, the
//! driver acknowledges it and answers with a text or a canned message; dispatch marks the
//! driver's messages read. Each is stored (committed) before the answer and announced as one
//! `transport_changed` event of reason `message` (ids only), which the websocket pushes to
//! dispatch and to that vehicle's driver; they refetch the messages over HTTP.
//!
//! A message's id is chosen by its sender, so a resend after a lost answer (the tablet replays
//! its queue when the link comes back) finds the first message and changes nothing.

use chrono::{NaiveDate, Utc};

use super::driver::own_vehicle;
use super::handle::Ctx;
use super::live;
use crate::access::{Caller, Role, DISPATCH};
use crate::domain::parse;
use crate::error::{Error, Result};
use crate::events::{TransportChange, TransportReason};
use crate::transport::model::DriverMessage;
use crate::transport::rules::messages;

/// A message as a sender gives it.
pub(crate) struct SendRequest {
    /// The sender's id for it; a new one is made when absent.
    pub message_id: Option<String>,
    /// The vehicle (dispatch names it; a driver's is their own).
    pub vehicle_id: Option<String>,
    pub trip_id: Option<String>,
    pub text: Option<String>,
    pub canned: Option<String>,
}

/// The vehicle whose messages `caller` may see or send: a driver's own (a `vehicle` naming
/// another is refused), or the one dispatch names (`required`: dispatch must name one).
pub(crate) async fn vehicle_for(
    ctx: Ctx<'_>,
    caller: &Caller,
    vehicle: Option<&str>,
    required: bool,
) -> Result<Option<String>> {
    if caller.role == Role::Driver {
        let own = own_vehicle(ctx.transport, caller).await?;
        if vehicle.is_some_and(|v| v != own.id) {
            return Err(Error::forbidden_because(
                "not_own_vehicle",
                "drivers see their own vehicle's messages only",
            ));
        }
        return Ok(Some(own.id));
    }
    caller.require(DISPATCH)?;
    match vehicle {
        Some(v) => {
            let exists = ctx
                .transport
                .store
                .vehicles()
                .await?
                .iter()
                .any(|x| x.id == v);
            if !exists {
                return Err(Error::validation("vehicle_id", "no such vehicle"));
            }
            Ok(Some(v.to_owned()))
        }
        None if required => Err(Error::validation("vehicle_id", "is required")),
        None => Ok(None),
    }
}

/// Sends a message; `true` with it when it is new, `false` for a resend of a stored id.
pub(crate) async fn send(
    ctx: Ctx<'_>,
    caller: &Caller,
    req: SendRequest,
) -> Result<(DriverMessage, bool)> {
    let vehicle_id = vehicle_for(ctx, caller, req.vehicle_id.as_deref(), true)
        .await?
        .ok_or_else(|| Error::validation("vehicle_id", "is required"))?;
    let id = match &req.message_id {
        Some(id) => parse::identifier("message_id", id, 64)?,
        None => uuid::Uuid::now_v7().to_string(),
    };
    let (text, canned) = messages::text_of(req.canned.as_deref(), req.text.as_deref())?;
    let (today, _) = ctx.local_now();
    let store = &ctx.transport.store;
    let trip_id = match &req.trip_id {
        Some(t) => {
            let trip = store
                .trip(t)
                .await?
                .ok_or_else(|| Error::validation("trip_id", "no such trip"))?;
            let on_vehicle = store
                .plan(trip.date)
                .await?
                .is_some_and(|p| p.vehicle_of(&trip.id) == Some(vehicle_id.as_str()));
            if !on_vehicle {
                return Err(Error::validation("trip_id", "is not on this vehicle"));
            }
            Some(trip.id)
        }
        None => None,
    };
    let message = DriverMessage {
        id,
        vehicle_id,
        date: today,
        trip_id,
        direction: messages::direction_of(caller.role),
        text,
        canned,
        sent_at: Utc::now(),
        sent_by: caller.name.clone(),
        acked_at: None,
        acked_by: None,
    };
    let (stored, new) = match store.put_message(&message).await? {
        None => (message, true),
        Some(first) if first.sent_by == caller.name => (first, false),
        Some(_) => {
            return Err(Error::conflict_because(
                "message_id_taken",
                "another sender used this message id",
            ))
        }
    };
    // Announced again on a resend: the core logs it once (by its key), and a crash between the
    // row and the event loses nothing.
    announce(ctx, caller, &stored, "sent").await?;
    Ok((stored, new))
}

/// Acknowledges a message (the driver) or marks it read (dispatch), once.
pub(crate) async fn acknowledge(ctx: Ctx<'_>, caller: &Caller, id: &str) -> Result<DriverMessage> {
    let store = &ctx.transport.store;
    let message = store
        .message(id)
        .await?
        .ok_or_else(|| Error::NotFound("message".into()))?;
    if caller.role == Role::Driver {
        let own = own_vehicle(ctx.transport, caller).await?;
        if own.id != message.vehicle_id {
            // Another vehicle's message: as if it did not exist.
            return Err(Error::NotFound("message".into()));
        }
    } else {
        caller.require(DISPATCH)?;
    }
    if !messages::acknowledges(caller.role, message.direction) {
        return Err(Error::conflict_because(
            "own_message",
            "the other side acknowledges this message",
        ));
    }
    let acked = store
        .ack_message(id, Utc::now(), &caller.name)
        .await?
        .ok_or_else(|| Error::NotFound("message".into()))?;
    announce(ctx, caller, &acked, "ack").await?;
    Ok(acked)
}

/// The messages of a day that `caller` may see: a driver's vehicle's, or dispatch's choice of
/// one vehicle or all.
pub(crate) async fn list(
    ctx: Ctx<'_>,
    caller: &Caller,
    date: Option<NaiveDate>,
    vehicle: Option<&str>,
) -> Result<(NaiveDate, Vec<DriverMessage>)> {
    let vehicle = vehicle_for(ctx, caller, vehicle, false).await?;
    let date = date.unwrap_or_else(|| ctx.local_now().0);
    let all = ctx
        .transport
        .store
        .messages_on(date, vehicle.as_deref())
        .await?;
    Ok((date, all))
}

async fn announce(ctx: Ctx<'_>, caller: &Caller, m: &DriverMessage, what: &str) -> Result<()> {
    let mut change = TransportChange::new(m.date, TransportReason::Message);
    change.vehicles = vec![m.vehicle_id.clone()];
    change.trips = m.trip_id.iter().cloned().collect();
    change.message_id = Some(m.id.clone());
    // The core's key for it: a resend, or an acknowledgement repeated, is logged once.
    change.action_id = Some(format!("message:{what}:{}", m.id));
    change.at = Some(if what == "ack" {
        m.acked_at.unwrap_or(m.sent_at)
    } else {
        m.sent_at
    });
    let actor = if what == "ack" {
        m.acked_by.as_deref().unwrap_or(&caller.name)
    } else {
        &m.sent_by
    };
    live::publish(ctx, actor, change).await
}
