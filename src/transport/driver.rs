//! The driver's tablet: the manifest of the driver's own vehicle, the actions (arrived, picked
//! up, no-show, dropped off, incident) and the GPS position.
//!
//! Actions carry a client action id chosen by the tablet: an action replayed after a dropped
//! connection finds its first record and changes nothing, so each is applied exactly once. A
//! no-show or an incident opens a queue item for the dispatchers (through the core, keyed by the
//! action id, so a replay cannot open a second one). Every action is also one `transport_changed`
//! event in the core's log (`super::live`), pushed to the dispatchers and the driver.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use serde_json::{json, Value};

use super::messages;
use super::model::{clock, ActionRecord, Rider, Trip, TripStatus, Vehicle, VehicleRoute};
use crate::access::{Caller, Role, DISPATCH};
use crate::core::{Command, Outcome};
use crate::domain::parse;
use crate::domain::{Details, ResourceId};
use crate::error::{Error, Result};
use crate::events::ActionKind;
use crate::state::AppState;
use crate::web::extract::AppJson;
use crate::web::schemas::common::{BodyRefusals, ErrorBody, Refusals};
use routing::travel::LonLat;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/transport/manifest", get(manifest))
        .route("/api/v1/transport/actions", post(act))
        .route("/api/v1/transport/position", post(position))
}

/// The vehicle a driver works on (the one whose `driver` is the caller's resource).
async fn own_vehicle(state: &AppState, caller: &Caller) -> Result<Vehicle> {
    let resource = caller
        .resource
        .as_deref()
        .ok_or_else(|| Error::Forbidden("this account drives no vehicle".into()))?;
    state
        .transport
        .store
        .vehicles()
        .await?
        .into_iter()
        .find(|v| v.driver.as_deref() == Some(resource))
        .ok_or_else(|| Error::Forbidden("no vehicle is assigned to this driver".into()))
}

/// The stops of one route as a driver needs them: in order, with address, rider, mobility
/// notes, the number to call and the status.
pub fn manifest_stops(
    route: &VehicleRoute,
    trips: &HashMap<String, Trip>,
    riders: &HashMap<String, Rider>,
) -> Vec<Value> {
    route
        .stops
        .iter()
        .filter_map(|s| {
            let t = trips.get(&s.trip_id)?;
            let rider = riders.get(&t.rider_id);
            let spot = if s.pickup { &t.pickup } else { &t.dropoff };
            let done = match t.status {
                TripStatus::Booked | TripStatus::Arrived => false,
                TripStatus::PickedUp => s.pickup,
                _ => true,
            };
            Some(json!({
                "trip_id": t.id,
                "pickup": s.pickup,
                "time": clock(s.time_s),
                "address": spot.address,
                "lon": spot.position.lon,
                "lat": spot.position.lat,
                "rider": rider.map(|r| r.name.clone()),
                "mobility": rider.map(|r| r.mobility),
                "door_assistance": rider.is_some_and(|r| r.door_assistance),
                "companion": rider.is_some_and(|r| r.companion),
                "notes": rider.map(|r| r.notes.clone()).unwrap_or_default(),
                "phone": rider.and_then(|r| r.contact_phone().map(str::to_owned)),
                "status": t.status,
                "done": done,
            }))
        })
        .collect()
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ManifestQuery {
    date: Option<NaiveDate>,
    vehicle: Option<String>,
}

#[utoipa::path(
    get,
    path = "/api/v1/transport/manifest",
    tag = "transport",
    operation_id = "get_transport_manifest",
    description = "A vehicle's manifest (personal data: the read is audited). A driver gets their own vehicle's (`vehicle` may only name it); without `date`, the first planned day from today on with work left. Roles: driver; dispatcher, supervisor, admin (with `vehicle`).",
    params(ManifestQuery),
    responses(
        (status = 200, body = crate::web::schemas::transport::Manifest),
        (status = 422, description = "`vehicle` is missing (dispatch roles), or `date` is not a date; named in `error.field`", body = ErrorBody),
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn manifest(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<ManifestQuery>,
) -> Result<Json<Value>> {
    let vehicle_id = if caller.role == Role::Driver {
        let v = own_vehicle(&state, &caller).await?;
        if q.vehicle.as_deref().is_some_and(|x| x != v.id) {
            return Err(Error::Forbidden(
                "drivers see their own vehicle only".into(),
            ));
        }
        v.id
    } else {
        caller.require(DISPATCH)?;
        q.vehicle
            .ok_or_else(|| Error::validation("vehicle", "is required"))?
    };
    let store = &state.transport.store;
    // Without a date: the first planned day from today on where this vehicle has work left.
    let (today, _) = super::local_now(&state);
    let mut chosen = None;
    let dates = match q.date {
        Some(d) => vec![d],
        None => store.plan_dates_from(today).await?,
    };
    for date in dates {
        let Some(plan) = store.plan(date).await? else {
            continue;
        };
        let trips: HashMap<String, Trip> = store
            .trips_on(date)
            .await?
            .into_iter()
            .map(|t| (t.id.clone(), t))
            .collect();
        let route = plan
            .routes
            .iter()
            .find(|r| r.vehicle_id == vehicle_id)
            .cloned();
        let open = route.as_ref().is_some_and(|r| {
            r.stops
                .iter()
                .any(|s| trips.get(&s.trip_id).is_some_and(|t| t.status.is_live()))
        });
        if open || q.date.is_some() {
            chosen = Some((plan, trips, route));
            break;
        }
    }
    let Some((plan, trips, route)) = chosen else {
        return Ok(Json(
            json!({ "vehicle_id": vehicle_id, "date": null, "stops": [] }),
        ));
    };
    let riders: HashMap<String, Rider> = store
        .riders()
        .await?
        .into_iter()
        .map(|r| (r.id.clone(), r))
        .collect();
    super::riders::audit(&state, &caller, "view_manifest").await?;
    let stops = route.map_or_else(Vec::new, |r| manifest_stops(&r, &trips, &riders));
    Ok(Json(json!({
        "vehicle_id": vehicle_id,
        "date": plan.date,
        "plan_version": plan.version,
        "stops": stops,
    })))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ActionDto {
    /// Chosen by the tablet (a UUID); the same id twice is the same action.
    action_id: String,
    kind: ActionKind,
    #[serde(default)]
    trip_id: Option<String>,
    /// No-show reason, or what happened for an incident.
    #[serde(default)]
    reason: Option<String>,
    /// Incident kind: breakdown, accident, rider_unwell.
    #[serde(default)]
    incident: Option<String>,
    /// When the driver recorded it (it may reach us later, after a dropped connection).
    #[serde(default)]
    at: Option<DateTime<Utc>>,
}

fn incident_label(kind: &str) -> Option<&'static str> {
    match kind {
        "breakdown" => Some("defecțiune vehicul"),
        "accident" => Some("accident"),
        "rider_unwell" => Some("pasager cu probleme de sănătate"),
        _ => None,
    }
}

#[utoipa::path(
    post,
    path = "/api/v1/transport/actions",
    tag = "transport",
    operation_id = "post_transport_action",
    description = "A driver action (arrived, picked up, no-show, dropped off, incident), applied exactly once by its client `action_id`: a replay answers 200 with the first record. A no-show or an incident opens a queue item. Roles: driver (403 for others, or for a trip not on the driver's vehicle).",
    request_body = ActionDto,
    responses(
        (status = 201, description = "Recorded", body = crate::web::schemas::transport::ActionAnswer),
        (status = 200, description = "A replay of a recorded action id: nothing changed", body = crate::web::schemas::transport::ActionAnswer),
        (status = 409, description = "The step does not follow the trip's status", body = ErrorBody),
        BodyRefusals,
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn act(
    State(state): State<AppState>,
    caller: Caller,
    AppJson(dto): AppJson<ActionDto>,
) -> Result<(StatusCode, Json<Value>)> {
    caller.require(&[Role::Driver])?;
    let vehicle = own_vehicle(&state, &caller).await?;
    let action_id = parse::identifier("action_id", &dto.action_id, 64)?;
    let store = &state.transport.store;
    if let Some(first) = store.action(&action_id).await? {
        requeue_messages(&state, &first).await?;
        super::live::action_recorded(&state, &first).await?;
        return Ok((
            StatusCode::OK,
            Json(json!({ "action": first, "replay": true })),
        ));
    }
    let reason = dto
        .reason
        .as_deref()
        .map(|r| parse::text("reason", r, 300))
        .transpose()?;
    let now = Utc::now();
    let at = dto.at.map_or(now, |a| a.min(now));
    let incident =
        match (dto.kind, dto.incident.as_deref()) {
            (ActionKind::Incident, Some(k)) => Some(incident_label(k).ok_or_else(|| {
                Error::validation("incident", "breakdown, accident or rider_unwell")
            })?),
            (ActionKind::Incident, None) => {
                return Err(Error::validation("incident", "is required for an incident"))
            }
            _ => None,
        };
    let mut trip = match &dto.trip_id {
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
        None if dto.kind == ActionKind::Incident => None,
        None => return Err(Error::validation("trip_id", "is required")),
    };
    if let Some(t) = trip.as_mut() {
        use TripStatus::*;
        let next = match (dto.kind, t.status) {
            (ActionKind::Arrived, Booked) => Some(Arrived),
            (ActionKind::PickedUp, Booked | Arrived) => Some(PickedUp),
            (ActionKind::NoShow, Booked | Arrived) => Some(NoShow),
            (ActionKind::DroppedOff, PickedUp) => Some(DroppedOff),
            (ActionKind::Incident, _) => None,
            (kind, status) => {
                return Err(Error::Conflict(format!(
                    "trip {} is {}: {} is not possible",
                    t.id,
                    status.as_str(),
                    kind.as_str()
                )))
            }
        };
        if let Some(s) = next {
            t.status = s;
        }
        match dto.kind {
            ActionKind::Arrived => t.arrived_at = Some(at),
            ActionKind::PickedUp => t.picked_up_at = Some(at),
            ActionKind::DroppedOff => t.dropped_off_at = Some(at),
            ActionKind::NoShow => t.no_show_reason = reason.clone(),
            ActionKind::Incident => {}
        }
    }
    // A no-show or an incident goes to the dispatch queue; the key makes a replay harmless.
    let mut item_id = None;
    if let Some(description) = match dto.kind {
        ActionKind::NoShow => Some(format!(
            "Neprezentare: cursa {}, {}{}",
            dto.trip_id.as_deref().unwrap_or("-"),
            vehicle.id,
            reason
                .as_deref()
                .map(|r| format!(": {r}"))
                .unwrap_or_default()
        )),
        ActionKind::Incident => Some(format!(
            "Incident {}: {}{}{}",
            vehicle.id,
            incident.unwrap_or("incident"),
            dto.trip_id
                .as_deref()
                .map(|t| format!(", cursa {t}"))
                .unwrap_or_default(),
            reason
                .as_deref()
                .map(|r| format!(": {r}"))
                .unwrap_or_default()
        )),
        _ => None,
    } {
        let outcome = state
            .core
            .execute(
                &caller.name,
                Command::Create {
                    details: Details::Incident {
                        reported_by: vehicle.id.clone(),
                        description,
                        related: None,
                    },
                    key: Some(format!("transport-action:{action_id}")),
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
        trip_id: dto.trip_id.clone(),
        vehicle_id: vehicle.id.clone(),
        kind: dto.kind,
        at,
        by: caller.name.clone(),
        reason,
        item_id,
    };
    if let Some(first) = store.record_action(&record, trip.as_ref()).await? {
        super::live::action_recorded(&state, &first).await?;
        return Ok((
            StatusCode::OK,
            Json(json!({ "action": first, "replay": true })),
        ));
    }
    requeue_messages(&state, &record).await?;
    super::live::action_recorded(&state, &record).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "action": record,
            "replay": false,
            "trip_status": trip.map(|t| t.status),
        })),
    ))
}

/// The messages an action causes (queued again on a replay: the outbox ignores known keys, so
/// a crash between recording and queueing loses nothing).
async fn requeue_messages(state: &AppState, action: &ActionRecord) -> Result<()> {
    if action.kind != ActionKind::NoShow {
        return Ok(());
    }
    let store = &state.transport.store;
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
        .unwrap_or_else(|| super::engine::seconds_of(trip.time));
    let msg = messages::no_show(&state.transport.templates, &trip, &rider, promised);
    state
        .transport
        .sms
        .enqueue(&msg.into_iter().collect::<Vec<_>>())
        .await?;
    Ok(())
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct PositionDto {
    lon: f64,
    lat: f64,
}

/// The tablet's GPS fix: stored, shown on the dispatchers' map (a `resource_moved` event),
/// checked against the next pick-up for the "arriving in about N minutes" message, and against
/// the plan: a late vehicle shifts its remaining stops (`super::delay`).
#[utoipa::path(
    post,
    path = "/api/v1/transport/position",
    tag = "transport",
    operation_id = "post_transport_position",
    description = "The tablet's GPS fix: stored (it also adds to the vehicle's driven kilometres and hours of the day), shown on the dispatchers' map, checked against the next pick-up for the \"arriving in about N minutes\" SMS, and against the plan: a vehicle late by more than `transport.delay_threshold_minutes` shifts its remaining stops, and trips it can no longer serve in their window move to another vehicle or become a queue item (`delay_minutes` in the answer). Roles: driver.",
    request_body = PositionDto,
    responses(
        (status = 200, body = crate::web::schemas::transport::PositionAnswer),
        BodyRefusals,
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn position(
    State(state): State<AppState>,
    caller: Caller,
    AppJson(dto): AppJson<PositionDto>,
) -> Result<Json<Value>> {
    caller.require(&[Role::Driver])?;
    if !dto.lon.is_finite() || !(-180.0..=180.0).contains(&dto.lon) {
        return Err(Error::validation("lon", "must be -180..180"));
    }
    if !dto.lat.is_finite() || !(-90.0..=90.0).contains(&dto.lat) {
        return Err(Error::validation("lat", "must be -90..90"));
    }
    let vehicle = own_vehicle(&state, &caller).await?;
    let here = LonLat::new(dto.lon, dto.lat);
    let store = &state.transport.store;
    let now = Utc::now();
    store
        .put_position(&vehicle.id, here, now, super::local_date(&state, now))
        .await?;
    // The map shows it when the vehicle is a registered resource; otherwise only stored.
    let _ = state
        .core
        .execute(
            &caller.name,
            Command::MoveResource {
                resource_id: ResourceId(vehicle.id.clone()),
                position: here,
            },
        )
        .await;
    let arriving = check_arriving(&state, &vehicle, here).await?;
    let delay = super::delay::check(&state, &vehicle, here, &caller.name).await?;
    Ok(Json(json!({
        "vehicle_id": vehicle.id,
        "arriving_notice": arriving,
        "delay_minutes": delay,
    })))
}

/// Queues "arriving in about N minutes" for the next pick-up of today when the vehicle is that
/// close; returns the trip it was queued for.
async fn check_arriving(
    state: &AppState,
    vehicle: &Vehicle,
    here: LonLat,
) -> Result<Option<String>> {
    let store = &state.transport.store;
    let (today, now_s) = super::local_now(state);
    let Some(plan) = store.plan(today).await? else {
        return Ok(None);
    };
    let Some(route) = plan.routes.iter().find(|r| r.vehicle_id == vehicle.id) else {
        return Ok(None);
    };
    let trips: HashMap<String, Trip> = store
        .trips_on(today)
        .await?
        .into_iter()
        .map(|t| (t.id.clone(), t))
        .collect();
    // The next stop not yet done; only a pick-up gets a notice.
    let next = route.stops.iter().find(|s| {
        trips.get(&s.trip_id).is_some_and(|t| match t.status {
            TripStatus::Booked | TripStatus::Arrived => true,
            TripStatus::PickedUp => !s.pickup,
            _ => false,
        })
    });
    let Some(stop) = next.filter(|s| s.pickup) else {
        return Ok(None);
    };
    let Some(trip) = trips
        .get(&stop.trip_id)
        .filter(|t| t.status == TripStatus::Booked)
    else {
        return Ok(None);
    };
    let network = state.network.get().cloned();
    let target = trip.pickup.position;
    let depart = now_s as u32;
    let seconds = tokio::task::spawn_blocking(move || {
        let source = super::travel_source(network);
        source.matrix(&[here, target], depart).seconds(0, 1)
    })
    .await
    .map_err(|e| Error::Internal(anyhow::anyhow!("travel time task: {e}")))?;
    let limit = state.config.transport.arriving_minutes * 60.0;
    if !seconds.is_finite() || seconds > limit {
        return Ok(None);
    }
    let Some(rider) = store.rider(&trip.rider_id).await? else {
        return Ok(None);
    };
    let minutes = (seconds / 60.0).ceil() as u32;
    let msg = messages::arriving(
        &state.transport.templates,
        trip,
        &rider,
        &vehicle.id,
        minutes,
    );
    state
        .transport
        .sms
        .enqueue(&msg.into_iter().collect::<Vec<_>>())
        .await?;
    Ok(Some(trip.id.clone()))
}
