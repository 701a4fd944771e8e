//! The day plan: computing it (the `dispecer plan` command and `POST /api/v1/transport/plans/
//! {date}`), reading it with per-vehicle manifests, moving a trip by hand (re-checked by the
//! independent checker), and the same-day edits: a new trip inserted, a cancelled one removed.

use std::collections::HashMap;

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{NaiveDate, Utc};
use serde::Deserialize;
use serde_json::{json, Value};
use tracing::info;

use super::bookings::{view, TripView};
use super::engine::{self, Built};
use super::messages;
use super::model::{clock, DayPlan, Rider, Trip, TripStatus, Unserved};
use crate::access::{Caller, DISPATCH};
use crate::error::{Error, Result};
use crate::events::TransportReason;
use crate::state::AppState;
use crate::web::extract::{AppJson, PathParam};
use crate::web::schemas::common::{BodyRefusals, ErrorBody, Refusals};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/transport/plans/{date}", get(show).post(compute))
        .route("/api/v1/transport/plans/{date}/move", post(move_trip))
        .route("/api/v1/transport/reminders", post(reminders))
}

async fn riders_by_id(state: &AppState) -> Result<HashMap<String, Rider>> {
    Ok(state
        .transport
        .store
        .riders()
        .await?
        .into_iter()
        .map(|r| (r.id.clone(), r))
        .collect())
}

/// The trips the scheduler must consider on a day: every trip of the stored plan that was not
/// cancelled (done ones keep their place in the route), then every live trip not yet in it.
pub(super) fn day_trips(trips: &[Trip], plan: Option<&DayPlan>) -> Vec<Trip> {
    let in_plan = |t: &Trip| plan.is_some_and(|p| p.vehicle_of(&t.id).is_some());
    trips
        .iter()
        .filter(|t| t.status != TripStatus::Cancelled && (in_plan(t) || t.status.is_live()))
        .cloned()
        .collect()
}

/// Builds the instance of a day off the request path (the matrix and the search take CPU).
pub(super) async fn build_day(
    state: &AppState,
    date: NaiveDate,
    trips: Vec<Trip>,
) -> Result<Built> {
    let riders = riders_by_id(state).await?;
    let vehicles = state.transport.store.vehicles().await?;
    if vehicles.is_empty() {
        return Err(Error::Conflict("no vehicles are registered".into()));
    }
    let config = state.config.transport.clone();
    let network = state.network.get().cloned();
    tokio::task::spawn_blocking(move || {
        let source = super::travel_source(network);
        engine::build(
            &trips,
            &riders,
            &vehicles,
            &config,
            source.as_ref(),
            format!("day-{date}"),
        )
    })
    .await
    .map_err(|e| Error::Internal(anyhow::anyhow!("planning task: {e}")))
}

/// Plans a day from scratch and stores the plan (a new version), logs a `replan` change for
/// `actor`, then queues the confirmations. `progress` receives one line per step.
pub async fn plan_day(
    state: &AppState,
    actor: &str,
    date: NaiveDate,
    seconds: f64,
    progress: &mut (dyn FnMut(&str) + Send),
) -> Result<DayPlan> {
    let transport = &state.transport;
    let _guard = transport.plan_lock.lock().await;
    let all = transport.store.trips_on(date).await?;
    let trips: Vec<Trip> = all.iter().filter(|t| t.status.is_live()).cloned().collect();
    progress(&format!("{date}: {} trips to plan", trips.len()));
    let built = build_day(state, date, trips).await?;
    progress(&format!(
        "travel matrix {}x{} ready ({})",
        built.instance.matrix.n,
        built.instance.matrix.n,
        if state.network.get().is_some() {
            "road network"
        } else {
            "straight-line estimate: road network not loaded"
        }
    ));
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<String>();
    let task = tokio::task::spawn_blocking(move || {
        let mut report = |line: &str| {
            let _ = tx.send(line.to_owned());
        };
        let plan = engine::solve(&built, date, seconds, &mut report);
        (built, plan)
    });
    while let Some(line) = rx.recv().await {
        progress(&line);
    }
    let (built, plan) = task
        .await
        .map_err(|e| Error::Internal(anyhow::anyhow!("planning task: {e}")))?;
    let mut plan = plan.map_err(Error::Internal)?;
    let previous = transport.store.plan(date).await?;
    if let Some(prev) = &previous {
        keep_pins(&built, &mut plan, prev, progress);
    }
    plan.version = previous.as_ref().map_or(1, |p| p.version + 1);
    if !transport.store.put_plan(&plan).await? {
        return Err(Error::Conflict(
            "the plan changed meanwhile; run again".into(),
        ));
    }
    info!(%date, version = plan.version, unserved = plan.unserved.len(), "day planned");
    let vehicles = plan.routes.iter().map(|r| r.vehicle_id.clone()).collect();
    let at = (plan.date, plan.version);
    super::live::plan_changed(state, actor, TransportReason::Replan, at, vehicles, vec![]).await?;
    let riders = riders_by_id(state).await?;
    let late = state.config.transport.promise_late_minutes;
    let msgs = messages::confirmations(&transport.templates, &plan, &all, &riders, late);
    let new = transport.sms.enqueue(&msgs).await?;
    progress(&format!(
        "stored plan version {}; {new} new confirmations queued ({} promised times unchanged)",
        plan.version,
        msgs.len() - new
    ));
    Ok(plan)
}

/// A new run keeps the trips a dispatcher pinned on their vehicle: each is moved back there
/// (cheapest feasible place) and stays pinned; a pin that no longer fits is reported and dropped.
fn keep_pins(
    built: &Built,
    plan: &mut DayPlan,
    previous: &DayPlan,
    progress: &mut (dyn FnMut(&str) + Send),
) {
    let mut current = engine::to_darp(built, plan);
    let mut kept = Vec::new();
    for trip in &previous.pinned {
        let (Some(vehicle), Some(r)) = (previous.vehicle_of(trip), built.request_of(trip)) else {
            continue;
        };
        let Some(v) = built.vehicle_ids.iter().position(|id| id == vehicle) else {
            continue;
        };
        match engine::move_to(built, &current, r, v) {
            Some(p) => {
                current = p;
                kept.push(trip.clone());
            }
            None => progress(&format!(
                "pin of {trip} on {vehicle} no longer fits: dropped"
            )),
        }
    }
    if kept.is_empty() {
        return;
    }
    let fresh = engine::to_day_plan(built, &current, plan.date, plan.version);
    if fresh.problems.is_empty() {
        plan.routes = fresh.routes;
        plan.unserved.retain(|u| !kept.contains(&u.trip_id));
        plan.pinned = kept;
        progress(&format!(
            "{} pinned trips kept on their vehicles",
            plan.pinned.len()
        ));
    }
}

/// Confirms every promised time of a plan that the rider has not been told yet: the key holds
/// the time, so unchanged promises send nothing and a changed one sends a new confirmation.
async fn confirm_changes(state: &AppState, plan: &DayPlan) -> Result<()> {
    let transport = &state.transport;
    let trips = transport.store.trips_on(plan.date).await?;
    let riders = riders_by_id(state).await?;
    let late = state.config.transport.promise_late_minutes;
    let msgs = messages::confirmations(&transport.templates, plan, &trips, &riders, late);
    transport.sms.enqueue(&msgs).await?;
    Ok(())
}

/// Stores an edited plan as the next version.
pub(super) async fn store_next(
    state: &AppState,
    mut plan: DayPlan,
    previous: &DayPlan,
) -> Result<DayPlan> {
    plan.version = previous.version + 1;
    plan.computed_at = Utc::now();
    if !state.transport.store.put_plan(&plan).await? {
        return Err(Error::Conflict(
            "the plan changed meanwhile; try again".into(),
        ));
    }
    Ok(plan)
}

/// A new (or changed) trip: inserted into its day's plan when the day is already planned,
/// logged as a transport change (`reason`, by `actor`) and confirmed to the rider; otherwise it
/// waits for the day's planning run.
pub async fn place_new_trip(
    state: &AppState,
    trip: Trip,
    actor: &str,
    reason: TransportReason,
) -> Result<TripView> {
    let transport = &state.transport;
    let _guard = transport.plan_lock.lock().await;
    let Some(plan) = transport.store.plan(trip.date).await? else {
        return Ok(view(trip, None));
    };
    let all = transport.store.trips_on(trip.date).await?;
    let built = build_day(state, trip.date, day_trips(&all, Some(&plan))).await?;
    let mut start = engine::to_darp(&built, &plan);
    let (today, now_s) = super::local_now(state);
    if trip.date == today {
        start = routing::darp::freeze_before(&built.instance, &start, now_s)
            .map_err(|e| Error::Internal(anyhow::anyhow!("freezing the plan: {e}")))?;
    }
    let mut next = plan.clone();
    next.unserved.retain(|u| u.trip_id != trip.id);
    match built.request_of(&trip.id) {
        None => {
            let reason = built
                .refused
                .iter()
                .find(|u| u.trip_id == trip.id)
                .map_or("not plannable".into(), |u| u.reason.clone());
            next.unserved.push(Unserved {
                trip_id: trip.id.clone(),
                reason,
            });
        }
        Some(r) => match routing::darp::insert(&built.instance, &start, r) {
            Ok(p) => {
                // Only the route that received the trip changes; the others keep their stored
                // times (a late vehicle's shifted stops stay shifted).
                let fresh = engine::to_day_plan(&built, &p, trip.date, 0);
                if let Some(v) = fresh.vehicle_of(&trip.id) {
                    let route = fresh.routes.iter().find(|r| r.vehicle_id == v).cloned();
                    next.routes.retain(|r| r.vehicle_id != v);
                    next.routes.extend(route);
                    next.routes.sort_by(|a, b| a.vehicle_id.cmp(&b.vehicle_id));
                }
                next.problems = fresh.problems;
            }
            Err(why) => next.unserved.push(Unserved {
                trip_id: trip.id.clone(),
                reason: why.to_string(),
            }),
        },
    }
    let next = store_next(state, next, &plan).await?;
    let vehicles = next
        .vehicle_of(&trip.id)
        .map(str::to_owned)
        .into_iter()
        .collect();
    let at = (next.date, next.version);
    super::live::plan_changed(state, actor, reason, at, vehicles, vec![trip.id.clone()]).await?;
    confirm_changes(state, &next).await?;
    Ok(view(trip, Some(&next)))
}

/// Takes a cancelled (or changed) trip out of its day's plan (if planned) and logs the change.
pub async fn remove_trip(
    state: &AppState,
    date: NaiveDate,
    trip_id: &str,
    actor: &str,
    reason: TransportReason,
) -> Result<()> {
    let transport = &state.transport;
    let _guard = transport.plan_lock.lock().await;
    let Some(plan) = transport.store.plan(date).await? else {
        return Ok(());
    };
    if plan.vehicle_of(trip_id).is_none() && !plan.unserved.iter().any(|u| u.trip_id == trip_id) {
        return Ok(());
    }
    let mut next = plan.clone();
    for route in &mut next.routes {
        route.stops.retain(|s| s.trip_id != trip_id);
    }
    next.unserved.retain(|u| u.trip_id != trip_id);
    next.pinned.retain(|p| p != trip_id);
    let next = store_next(state, next, &plan).await?;
    let vehicles = plan
        .vehicle_of(trip_id)
        .map(str::to_owned)
        .into_iter()
        .collect();
    let at = (next.date, next.version);
    super::live::plan_changed(state, actor, reason, at, vehicles, vec![trip_id.to_owned()]).await
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ComputeDto {
    #[serde(default)]
    seconds: Option<f64>,
}

#[utoipa::path(
    post,
    path = "/api/v1/transport/plans/{date}",
    tag = "transport",
    operation_id = "compute_transport_plan",
    description = "Computes (or recomputes) the plan of a day with the dial-a-ride solver and stores it; trips placed by hand stay on their vehicle. The body is optional; `seconds` (0.1-120) bounds the solver, `transport.plan_seconds` by default. Answers when the plan is stored. Roles: dispatcher, supervisor, admin.",
    params(("date" = chrono::NaiveDate, Path, description = "The service day, `YYYY-MM-DD`")),
    request_body(content = Option<ComputeDto>, content_type = "application/json"),
    responses(
        (status = 200, body = crate::web::schemas::transport::ComputedPlan),
        (status = 409, description = "No vehicles are registered, or another dispatcher changed the plan meanwhile", body = ErrorBody),
        BodyRefusals,
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn compute(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(date): PathParam<NaiveDate>,
    body: bytes::Bytes,
) -> Result<Json<Value>> {
    caller.require(DISPATCH)?;
    let dto: ComputeDto = if body.is_empty() {
        ComputeDto::default()
    } else {
        crate::web::extract::parse(&body)?
    };
    let seconds = dto.seconds.unwrap_or(state.config.transport.plan_seconds);
    if !(0.1..=120.0).contains(&seconds) || seconds.is_nan() {
        return Err(Error::validation("seconds", "0.1-120"));
    }
    let mut lines = Vec::new();
    let plan = plan_day(&state, &caller.name, date, seconds, &mut |l: &str| {
        lines.push(l.to_owned())
    })
    .await?;
    Ok(Json(json!({ "plan": summary(&plan), "progress": lines })))
}

/// The plan without personal data: routes with trip ids and times, unserved with reasons.
fn summary(plan: &DayPlan) -> Value {
    json!({
        "date": plan.date,
        "version": plan.version,
        "computed_at": plan.computed_at,
        "solve_ms": plan.solve_ms,
        "feasible": plan.problems.is_empty(),
        "problems": plan.problems,
        "pinned": plan.pinned,
        "unserved": plan.unserved,
        "routes": plan.routes.iter().map(|r| json!({
            "vehicle_id": r.vehicle_id,
            "km": (r.metres / 100.0).round() / 10.0,
            "delay_minutes": plan.delay_minutes(r),
            "stops": r.stops.iter().map(|s| json!({
                "trip_id": s.trip_id,
                "pickup": s.pickup,
                "time": clock(s.time_s),
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}

/// The plan of a day with each vehicle's manifest (personal data: audited).
#[utoipa::path(
    get,
    path = "/api/v1/transport/plans/{date}",
    tag = "transport",
    operation_id = "get_transport_plan",
    description = "The plan of a day with each vehicle's manifest and the unserved trips (personal data: the read is audited). Roles: dispatcher, supervisor, admin.",
    params(("date" = chrono::NaiveDate, Path, description = "The service day, `YYYY-MM-DD`")),
    responses(
        (status = 200, body = crate::web::schemas::transport::PlanView),
        (status = 422, description = "`date` is not a date", body = ErrorBody),
        (status = 404, description = "No such plan for this day", body = ErrorBody),
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn show(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(date): PathParam<NaiveDate>,
) -> Result<Json<Value>> {
    caller.require(DISPATCH)?;
    let plan = state
        .transport
        .store
        .plan(date)
        .await?
        .ok_or_else(|| Error::NotFound("plan".into()))?;
    let trips: HashMap<String, Trip> = state
        .transport
        .store
        .trips_on(date)
        .await?
        .into_iter()
        .map(|t| (t.id.clone(), t))
        .collect();
    let riders = riders_by_id(&state).await?;
    super::riders::audit(&state, &caller, "view_plan").await?;
    let mut out = summary(&plan);
    out["manifests"] = plan
        .routes
        .iter()
        .map(|r| {
            json!({
                "vehicle_id": r.vehicle_id,
                "stops": super::driver::manifest_stops(r, &trips, &riders),
            })
        })
        .collect();
    out["unserved"] = plan
        .unserved
        .iter()
        .map(|u| {
            let t = trips.get(&u.trip_id);
            json!({
                "trip_id": u.trip_id,
                "reason": u.reason,
                "rider": t.and_then(|t| riders.get(&t.rider_id)).map(|r| r.name.clone()),
                "time": t.map(|t| t.time.format("%H:%M").to_string()),
            })
        })
        .collect();
    Ok(Json(out))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct MoveDto {
    trip_id: String,
    vehicle_id: String,
}

/// Moves a trip to a vehicle by hand and pins it there; refused (409) when the checker finds
/// the result infeasible.
#[utoipa::path(
    post,
    path = "/api/v1/transport/plans/{date}/move",
    tag = "transport",
    operation_id = "move_transport_trip",
    description = "Moves a trip to a vehicle by hand and pins it there; refused (409) when it does not fit or the checker finds the result infeasible. Roles: dispatcher, supervisor, admin.",
    params(("date" = chrono::NaiveDate, Path, description = "The service day, `YYYY-MM-DD`")),
    request_body = MoveDto,
    responses(
        (status = 200, body = crate::web::schemas::transport::MovedPlan),
        (status = 404, description = "No such plan for this day", body = ErrorBody),
        (status = 409, description = "The trip is not booked, does not fit on the vehicle, or the plan changed meanwhile", body = ErrorBody),
        BodyRefusals,
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn move_trip(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(date): PathParam<NaiveDate>,
    AppJson(dto): AppJson<MoveDto>,
) -> Result<Json<Value>> {
    caller.require(DISPATCH)?;
    let transport = &state.transport;
    let _guard = transport.plan_lock.lock().await;
    let plan = transport
        .store
        .plan(date)
        .await?
        .ok_or_else(|| Error::NotFound("plan".into()))?;
    let all = transport.store.trips_on(date).await?;
    let trip = all
        .iter()
        .find(|t| t.id == dto.trip_id)
        .ok_or_else(|| Error::validation("trip_id", "no such trip on this day"))?
        .clone();
    if trip.status != TripStatus::Booked {
        return Err(Error::Conflict(format!("trip is {}", trip.status.as_str())));
    }
    let built = build_day(&state, date, day_trips(&all, Some(&plan))).await?;
    let v = built
        .vehicle_ids
        .iter()
        .position(|id| *id == dto.vehicle_id)
        .ok_or_else(|| Error::validation("vehicle_id", "no such vehicle"))?;
    let r = built
        .request_of(&trip.id)
        .ok_or_else(|| Error::Conflict("this trip cannot be planned".into()))?;
    let current = engine::to_darp(&built, &plan);
    let moved = engine::move_to(&built, &current, r, v).ok_or_else(|| {
        Error::Conflict(format!(
            "trip {} does not fit on {} (time windows, ride time or capacity)",
            trip.id, dto.vehicle_id
        ))
    })?;
    let fresh = engine::to_day_plan(&built, &moved, date, 0);
    if !fresh.problems.is_empty() {
        return Err(Error::Conflict(format!(
            "the checker refused the change: {}",
            fresh.problems.join("; ")
        )));
    }
    let mut next = plan.clone();
    next.routes = fresh.routes;
    next.problems = fresh.problems;
    next.unserved.retain(|u| u.trip_id != trip.id);
    // Moved by hand: the new time is the promise (and the rider is told it again).
    next.promised.remove(&trip.id);
    if !next.pinned.contains(&trip.id) {
        next.pinned.push(trip.id.clone());
    }
    let next = store_next(&state, next, &plan).await?;
    let vehicles = plan
        .vehicle_of(&trip.id)
        .map(str::to_owned)
        .into_iter()
        .chain([dto.vehicle_id.clone()])
        .collect();
    let at = (next.date, next.version);
    let trips = vec![trip.id.clone()];
    super::live::plan_changed(
        &state,
        &caller.name,
        TransportReason::Move,
        at,
        vehicles,
        trips,
    )
    .await?;
    confirm_changes(&state, &next).await?;
    Ok(Json(json!({ "plan": summary(&next) })))
}

/// Queues the evening-before reminders of a planned day's live trips; returns how many were new.
pub async fn queue_reminders(state: &AppState, date: NaiveDate) -> Result<usize> {
    let transport = &state.transport;
    let Some(plan) = transport.store.plan(date).await? else {
        return Ok(0);
    };
    let riders = riders_by_id(state).await?;
    let msgs: Vec<_> = transport
        .store
        .trips_on(date)
        .await?
        .iter()
        .filter(|t| t.status.is_live())
        .filter_map(|t| {
            messages::reminder(
                &transport.templates,
                t,
                riders.get(&t.rider_id)?,
                plan.promised_s(&t.id)?,
            )
        })
        .collect();
    Ok(transport.sms.enqueue(&msgs).await?)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RemindersDto {
    date: NaiveDate,
}

#[utoipa::path(
    post,
    path = "/api/v1/transport/reminders",
    tag = "transport",
    operation_id = "queue_transport_reminders",
    description = "Queues the evening-before reminder SMS of a planned day's live trips now (the background task does it from `transport.reminder_time`); repeats are harmless. Roles: dispatcher, supervisor, admin.",
    request_body = RemindersDto,
    responses(
        (status = 200, body = crate::web::schemas::transport::RemindersAnswer),
        BodyRefusals,
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn reminders(
    State(state): State<AppState>,
    caller: Caller,
    AppJson(dto): AppJson<RemindersDto>,
) -> Result<Json<Value>> {
    caller.require(DISPATCH)?;
    let queued = queue_reminders(&state, dto.date).await?;
    Ok(Json(json!({ "date": dto.date, "queued": queued })))
}

/// Queues tomorrow's reminders from `transport.reminder_time` (local) on, checking every minute
/// so that a plan made later in the evening is reminded too. Idempotent keys make the repeats, a
/// restart or a second instance harmless.
pub fn start_reminder_task(state: AppState, shutdown: tokio_util::sync::CancellationToken) {
    tokio::spawn(async move {
        loop {
            let (today, now_s) = super::local_now(&state);
            let due = engine::seconds_of(state.config.transport.reminder_time);
            if let (true, Some(tomorrow)) = (now_s >= due, today.succ_opt()) {
                match queue_reminders(&state, tomorrow).await {
                    Ok(0) => {}
                    Ok(n) => info!(date = %tomorrow, queued = n, "reminders queued"),
                    Err(e) => tracing::warn!(error = %e, "queueing reminders failed"),
                }
            }
            tokio::select! {
                _ = shutdown.cancelled() => break,
                _ = tokio::time::sleep(std::time::Duration::from_secs(60)) => {}
            }
        }
    });
}
