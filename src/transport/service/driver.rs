//! The driver's tablet: the manifest of the driver's own vehicle and the actions (arrived,
//! picked up, no-show, dropped off, incident, emergency).
//!
//! Actions carry a client action id chosen by the tablet: an action replayed after a dropped
//! connection finds its first record and changes nothing, so each is applied exactly once. A
//! no-show, an incident or an emergency (P1, with the van's position) opens a queue item for the dispatchers (through the core, keyed by the
//! action id, so a replay cannot open a second one). Every action is also one `transport_changed`
//! event in the core's log (`super::live`), pushed to the dispatchers and the driver.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};

use super::handle::{Ctx, Transport};
use super::{live, messages};
use crate::access::Caller;
use crate::core::{Command, Outcome};
use crate::domain::parse;
use crate::domain::ItemId;
use crate::domain::{Details, Subject};
use crate::error::{Error, Result};
use crate::events::ActionKind;
use crate::store::StoreError;
use crate::transport::model::{
    ActionRecord, DayPlan, PlanStop, Trip, TripStatus, Vehicle, VehicleRoute,
};
use crate::transport::rules::{actions, engine};
use routing::travel::LonLat;

/// The vehicle a driver works on (the one whose `driver` is the caller's resource).
pub(crate) async fn own_vehicle(transport: &Transport, caller: &Caller) -> Result<Vehicle> {
    let resource = caller
        .resource
        .as_deref()
        .ok_or_else(|| Error::Forbidden("this account drives no vehicle".into()))?;
    transport
        .store
        .vehicles()
        .await?
        .into_iter()
        .find(|v| v.driver.as_deref() == Some(resource))
        .ok_or_else(|| Error::Forbidden("no vehicle is assigned to this driver".into()))
}

/// A vehicle's day: the plan, the day's trips by id, the vehicle's route (if it has one).
pub(crate) struct ManifestDay {
    pub plan: DayPlan,
    pub trips: HashMap<String, Trip>,
    pub route: Option<VehicleRoute>,
}

impl ManifestDay {
    /// The vehicle's part of `day`; `None` when the day has no plan.
    async fn load(ctx: Ctx<'_>, vehicle_id: &str, day: NaiveDate) -> Result<Option<Self>> {
        let store = &ctx.transport.store;
        let Some(plan) = store.plan(day).await? else {
            return Ok(None);
        };
        let trips = store
            .trips_on(day)
            .await?
            .into_iter()
            .map(|t| (t.id.clone(), t))
            .collect();
        let route = plan
            .routes
            .iter()
            .find(|r| r.vehicle_id == vehicle_id)
            .cloned();
        Ok(Some(Self { plan, trips, route }))
    }

    /// The route's stops whose trip is in a status `keep` accepts.
    fn stops_where(&self, keep: fn(TripStatus) -> bool) -> impl Iterator<Item = &PlanStop> {
        self.route
            .iter()
            .flat_map(|r| &r.stops)
            .filter(move |s| self.trips.get(&s.trip_id).is_some_and(|t| keep(t.status)))
    }

    /// The first stop still to be driven, if the vehicle has work left that day.
    pub(crate) fn first_live_stop(&self) -> Option<&PlanStop> {
        self.stops_where(TripStatus::is_live).next()
    }
}

/// The day a vehicle's manifest shows: `date`; without it today while the vehicle has stops
/// today that are not cancelled (done ones too), else the first planned day from today on where
/// it has work left; `None` when there is none.
pub(crate) async fn manifest_day(
    ctx: Ctx<'_>,
    vehicle_id: &str,
    date: Option<NaiveDate>,
) -> Result<Option<ManifestDay>> {
    let (today, _) = ctx.local_now();
    let dates = match date {
        Some(d) => vec![d],
        None => ctx.transport.store.plan_dates_from(today).await?,
    };
    for day in dates {
        let Some(md) = ManifestDay::load(ctx, vehicle_id, day).await? else {
            continue;
        };
        // Today stays on the tablet once its work is done: the driver sees the day's stops as
        // done ("every stop is done"), not the next day's first pick-up as if it were due now.
        let worked_today = day == today
            && md
                .stops_where(|s| s != TripStatus::Cancelled)
                .next()
                .is_some();
        if date.is_some() || worked_today || md.first_live_stop().is_some() {
            return Ok(Some(md));
        }
    }
    Ok(None)
}

/// The first day after `after` on which the vehicle has work left, and when its first stop with
/// work left is planned (seconds after local midnight): what a driver whose day is done wants to
/// know about tomorrow.
pub(crate) async fn next_work(
    ctx: Ctx<'_>,
    vehicle_id: &str,
    after: NaiveDate,
) -> Result<Option<(NaiveDate, f64)>> {
    let Some(from) = after.succ_opt() else {
        return Ok(None);
    };
    for day in ctx.transport.store.plan_dates_from(from).await? {
        let Some(md) = ManifestDay::load(ctx, vehicle_id, day).await? else {
            continue;
        };
        if let Some(stop) = md.first_live_stop() {
            return Ok(Some((day, stop.time_s)));
        }
    }
    Ok(None)
}

/// A driver action as the tablet sends it.
#[derive(Debug)]
pub(crate) struct ActionRequest {
    pub action_id: String,
    pub kind: ActionKind,
    pub trip_id: Option<String>,
    pub reason: Option<String>,
    pub incident: Option<String>,
    pub at: Option<DateTime<Utc>>,
    /// Where the tablet was when the driver pressed (an emergency or incident); without it the
    /// van's latest GPS fix is used.
    pub position: Option<LonLat>,
}

/// What an action did: a replay of a recorded action id changed nothing.
pub(crate) enum Acted {
    Replay(ActionRecord),
    /// Recorded, with the trip's status after it (none for an incident without a trip).
    New(ActionRecord, Option<TripStatus>),
}

/// Applies a driver's action exactly once by its client action id.
/// Whether the stops of `date` take their steps now: today and earlier days, or any day in a
/// training installation (`transport.rehearsal`).
pub(crate) fn steps_open(ctx: Ctx<'_>, date: NaiveDate) -> bool {
    ctx.config.transport.rehearsal || date <= ctx.local_now().0
}

pub(crate) async fn act(ctx: Ctx<'_>, caller: &Caller, req: ActionRequest) -> Result<Acted> {
    let transport = ctx.transport;
    let vehicle = own_vehicle(transport, caller).await?;
    let action_id = parse::identifier("action_id", &req.action_id, 64)?;
    let store = &transport.store;
    if let Some(first) = store.action(&action_id).await? {
        requeue_messages(transport, &first).await?;
        super::policy::after_action(ctx, &first).await?;
        live::action_recorded(ctx, &first).await?;
        return Ok(Acted::Replay(first));
    }
    let reason = req
        .reason
        .as_deref()
        .map(|r| parse::text("reason", r, 300))
        .transpose()?;
    let now = Utc::now();
    let at = req.at.map_or(now, |a| a.min(now));
    let incident = match (req.kind, req.incident.as_deref()) {
        (ActionKind::Incident, Some(k)) => {
            let label = actions::incident_label(k).ok_or_else(|| {
                Error::validation(
                    "incident",
                    format!("one of {}", actions::INCIDENT_CODES.join(", ")),
                )
            })?;
            if actions::incident_needs_text(k) && reason.is_none() {
                return Err(Error::validation("reason", "say what happened"));
            }
            Some(label)
        }
        (ActionKind::Incident, None) => {
            return Err(Error::validation("incident", "is required for an incident"))
        }
        _ => None,
    };
    let code = match req.kind {
        ActionKind::Incident => req.incident.clone(),
        ActionKind::Emergency => Some("emergency".to_owned()),
        // A meal delivery nobody answered: the client may need help (its own queue line).
        ActionKind::NotAtHome => Some("welfare_check".to_owned()),
        _ => None,
    };
    let mut trip = match &req.trip_id {
        Some(id) => {
            let t = store
                .trip(id)
                .await?
                .ok_or_else(|| Error::validation("trip_id", "no such trip"))?;
            let plan = store.plan(t.date).await?;
            if plan.as_ref().and_then(|p| p.vehicle_of(&t.id)) != Some(vehicle.id.as_str()) {
                return Err(Error::Forbidden("the trip is not on this vehicle".into()));
            }
            Some(t)
        }
        None if matches!(req.kind, ActionKind::Incident | ActionKind::Emergency) => None,
        None => return Err(Error::validation("trip_id", "is required")),
    };
    // A trip's steps are recorded on its day. A van with nothing today opens its next day with
    // work on the tablet, and a tap there must not mark a pick-up, or a no-show that counts
    // against the rider, days early. An incident or an emergency may name any trip.
    if let Some(t) = &trip {
        if !steps_open(ctx, t.date)
            && !matches!(req.kind, ActionKind::Incident | ActionKind::Emergency)
        {
            return Err(Error::conflict_because(
                "trip_not_today",
                format!(
                    "the trip is on {}: its steps are recorded on that day",
                    t.date
                ),
            ));
        }
    }
    // The status read: the trip is written only if it is still that (a cancel racing with the
    // action makes one of them a 409, never a silent overwrite).
    let read = trip.as_ref().map(|t| t.status);
    if let Some(t) = trip.as_mut() {
        actions::apply(t, req.kind, at, reason.as_ref())?;
    }
    // A no-show or an incident goes to the dispatch queue; the key makes a replay harmless.
    let mut item_id = None;
    let description = actions::queue_description(
        req.kind,
        &vehicle.id,
        req.trip_id.as_deref(),
        incident,
        reason.as_deref(),
    );
    if let Some(description) = description {
        // Where the van is: what the tablet sent with the press, else its latest GPS fix.
        let position = match (code.is_some(), req.position) {
            (false, _) => None,
            (true, Some(p)) => Some(p),
            (true, None) => store.position(&vehicle.id).await?.map(|(p, _)| p),
        };
        let subject = position.map(|p| Subject {
            name: vehicle.id.clone(),
            position: Some(p),
            ..Subject::default()
        });
        let outcome = ctx
            .core
            .execute(
                &caller.name,
                Command::Create {
                    details: Details::Incident {
                        reported_by: vehicle.id.clone(),
                        description,
                        related: None,
                        code,
                    },
                    key: Some(format!("transport-action:{action_id}")),
                    subject,
                    rate_limited: false,
                },
            )
            .await?;
        if let Outcome::Item { item, .. } = outcome {
            item_id = Some(item.id.to_string());
        }
    }
    let record = ActionRecord {
        action_id,
        trip_id: req.trip_id,
        vehicle_id: vehicle.id.clone(),
        kind: req.kind,
        at,
        by: caller.name.clone(),
        reason,
        item_id,
    };
    let written = trip.as_ref().zip(read);
    let recorded = match store.record_action(&record, written).await {
        Err(StoreError::TripChanged { id }) => {
            // The queue item was opened for an action that is not recorded: it is closed, with
            // why, so the dispatchers do not chase a no-show that did not stand.
            if let Some(item_id) = record.item_id.as_deref() {
                settle_refused(ctx, caller, item_id, &record.action_id).await?;
            }
            return Err(StoreError::TripChanged { id }.into());
        }
        other => other?,
    };
    if let Some(first) = recorded {
        live::action_recorded(ctx, &first).await?;
        return Ok(Acted::Replay(first));
    }
    requeue_messages(transport, &record).await?;
    super::policy::after_action(ctx, &record).await?;
    live::action_recorded(ctx, &record).await?;
    Ok(Acted::New(record, trip.map(|t| t.status)))
}

/// Closes the queue item of an action refused because its trip changed meanwhile, with a note
/// saying so (`action_refused`). Repeating it is harmless: the note is keyed by the action, and
/// an item already closed stays as it is.
async fn settle_refused(
    ctx: Ctx<'_>,
    caller: &Caller,
    item_id: &str,
    action_id: &str,
) -> Result<()> {
    let Some(item_id) = uuid::Uuid::parse_str(item_id).ok().map(ItemId) else {
        return Ok(());
    };
    let note = Command::AddNoteOnce {
        item_id,
        text: "Acțiunea șoferului nu a fost înregistrată: cursa se schimbase între timp \
               (o altă acțiune sau o anulare a ajuns înaintea ei)."
            .to_owned(),
        key: format!("transport-action-refused:{action_id}"),
    };
    ctx.core.execute(&caller.name, note).await?;
    let settle = Command::Settle {
        item_id,
        outcome: "action_refused",
    };
    ctx.core.execute(&caller.name, settle).await?;
    Ok(())
}

/// The messages an action causes (queued again on a replay: the outbox ignores known keys, so
/// a crash between recording and queueing loses nothing).
async fn requeue_messages(transport: &Transport, action: &ActionRecord) -> Result<()> {
    if action.kind != ActionKind::NoShow {
        return Ok(());
    }
    let store = &transport.store;
    let Some(trip) = (match &action.trip_id {
        Some(id) => store.trip(id).await?,
        None => None,
    }) else {
        return Ok(());
    };
    let Some(rider) = store.rider(&trip.rider_id).await? else {
        return Ok(());
    };
    let promised = store
        .plan(trip.date)
        .await?
        .and_then(|p| p.promised_s(&trip.id))
        .unwrap_or_else(|| engine::seconds_of(trip.time));
    let msg = messages::no_show(&transport.templates, &trip, &rider, promised);
    transport
        .sms
        .enqueue(&msg.into_iter().collect::<Vec<_>>())
        .await?;
    Ok(())
}
