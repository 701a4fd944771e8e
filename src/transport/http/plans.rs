//! The day plan over HTTP: computing it, reading it with the manifests, moving a trip by hand,
//! queueing the reminders. The use cases are in [`crate::transport::service::planning`].

use axum::extract::State;
use axum::routing::{get, post};
use axum::Router;
use chrono::NaiveDate;
use serde::Deserialize;

use super::shared::{audit, ctx};
use crate::access::{Caller, DISPATCH};
use crate::error::ErrorBody;
use crate::error::{Error, Result};
use crate::state::AppState;
use crate::transport::service::{placing, planning, route_lines};
use crate::web::extract::{AppJson, PathParam, PathParams2};
use crate::web::schemas::common::{BodyRefusals, Refusals};
use crate::web::schemas::transport::{
    ComputedPlan, MovedPlan, PlanRoutes, PlanSummary, PlanView, RemindersAnswer, TripFits,
    VehicleFit, VehiclePosition, VehiclePositions,
};
use axum::Json;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/transport/plans/{date}", get(show).post(compute))
        .route("/api/v1/transport/plans/{date}/move", post(move_trip))
        .route("/api/v1/transport/plans/{date}/routes", get(routes))
        .route("/api/v1/transport/plans/{date}/trips/{id}/fits", get(fits))
        .route("/api/v1/transport/positions", get(positions))
        .route("/api/v1/transport/reminders", post(reminders))
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
) -> Result<Json<ComputedPlan>> {
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
    let mut progress = Vec::new();
    let plan = planning::plan_day(ctx(&state), &caller.name, date, seconds, &mut |l: &str| {
        progress.push(l.to_owned())
    })
    .await?;
    Ok(Json(ComputedPlan {
        plan: PlanSummary::of(&plan),
        progress,
    }))
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
) -> Result<Json<PlanView>> {
    caller.require(DISPATCH)?;
    let day = planning::day_view(&state.transport, date).await?;
    audit(&state, &caller, "view_plan").await?;
    let window_s = f64::from(state.config.transport.window_minutes) * 60.0;
    Ok(Json(PlanView::of(
        &day.plan,
        &day.trips,
        &day.riders,
        window_s,
    )))
}

/// The road geometry of the day's planned routes (rider places: audited).
#[utoipa::path(
    get,
    path = "/api/v1/transport/plans/{date}/routes",
    tag = "transport",
    operation_id = "get_transport_plan_routes",
    description = "Each vehicle's planned route of the day, depot to stops to depot, as a line along the roads the van profile drives (`roads: false`: straight legs, the road network is still loading). Computed once per plan version. The lines pass riders' homes: the read is audited. Roles: dispatcher, supervisor, admin.",
    params(("date" = chrono::NaiveDate, Path, description = "The service day, `YYYY-MM-DD`")),
    responses(
        (status = 200, body = crate::web::schemas::transport::PlanRoutes),
        (status = 422, description = "`date` is not a date", body = ErrorBody),
        (status = 404, description = "No such plan for this day", body = ErrorBody),
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn routes(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(date): PathParam<NaiveDate>,
) -> Result<Json<PlanRoutes>> {
    caller.require(DISPATCH)?;
    let lines = route_lines::day_lines(ctx(&state), date).await?;
    audit(&state, &caller, "view_plan_routes").await?;
    Ok(Json(PlanRoutes::of(&lines)))
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
    description = "Moves a trip (planned, or unserved) to a vehicle by hand and pins it there; refused (409) when it does not fit or the checker finds the result infeasible, with a `reason` code: `capacity`, `time_window`, `ride_time`, `shift_end`, `route_duration`, `no_room`, `group`, `checker_refused`, `trip_not_booked`, `no_capable_vehicle`, `rider_unknown`. `GET .../trips/{id}/fits` lists where it fits first. Roles: dispatcher, supervisor, admin.",
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
) -> Result<Json<MovedPlan>> {
    caller.require(DISPATCH)?;
    let (trip, vehicle) = (&dto.trip_id, &dto.vehicle_id);
    let next = placing::move_trip(ctx(&state), &caller.name, date, trip, vehicle).await?;
    Ok(Json(MovedPlan {
        plan: PlanSummary::of(&next),
    }))
}

/// Where a trip fits by hand: every vehicle with the added cost, or the code of why not.
#[utoipa::path(
    get,
    path = "/api/v1/transport/plans/{date}/trips/{id}/fits",
    tag = "transport",
    operation_id = "transport_trip_fits",
    description = "Every vehicle with whether the trip (planned or unserved) fits it when placed by hand at its cheapest feasible place, every other stop unmoved: the added kilometres and driving minutes and the pick-up time there, or a `reason` code (`capacity`, `time_window`, `ride_time`, `shift_end`, `route_duration`, `no_room`, `group` (a shuttle member whose group rides in another vehicle)). The cheapest first. Place it with `POST .../move`. Roles: dispatcher, supervisor, admin.",
    params(
        ("date" = chrono::NaiveDate, Path, description = "The service day, `YYYY-MM-DD`"),
        ("id" = String, Path, description = "The trip id (`T-…`)"),
    ),
    responses(
        (status = 200, body = crate::web::schemas::transport::TripFits),
        (status = 404, description = "No plan for this day, or no such trip on it", body = ErrorBody),
        (status = 409, description = "The trip is not booked (`trip_not_booked`) or no vehicle can carry it (`no_capable_vehicle`, `rider_unknown`)", body = ErrorBody),
        (status = 422, description = "`date` is not a date", body = ErrorBody),
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn fits(
    State(state): State<AppState>,
    caller: Caller,
    PathParams2(date, id): PathParams2<NaiveDate, String>,
) -> Result<Json<TripFits>> {
    caller.require(DISPATCH)?;
    let found = placing::fits(ctx(&state), date, &id).await?;
    let vehicles = found
        .into_iter()
        .map(|f| {
            let ok = f.fit.as_ref().ok();
            VehicleFit {
                vehicle_id: f.vehicle_id,
                current: f.current,
                fits: ok.is_some(),
                reason: f.fit.as_ref().err().map(|c| (*c).to_owned()),
                added_km: ok.map(|a| (a.metres / 100.0).round() / 10.0),
                added_minutes: ok.map(|a| (a.seconds / 6.0).round() / 10.0),
                pickup: ok.map(|a| crate::transport::model::clock(a.pickup_s)),
            }
        })
        .collect();
    Ok(Json(TripFits {
        date,
        trip_id: id,
        vehicles,
    }))
}

/// The last GPS fix of each vehicle (for the planner's map).
#[utoipa::path(
    get,
    path = "/api/v1/transport/positions",
    tag = "transport",
    operation_id = "transport_vehicle_positions",
    description = "The last GPS fix of every vehicle that has sent one (the tablets' `POST /api/v1/transport/position`). Roles: dispatcher, supervisor, admin.",
    responses(
        (status = 200, body = crate::web::schemas::transport::VehiclePositions),
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn positions(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<VehiclePositions>> {
    caller.require(DISPATCH)?;
    let store = &state.transport.store;
    let mut positions = Vec::new();
    for v in store.vehicles().await? {
        if let Some((at_pos, at)) = store.position(&v.id).await? {
            positions.push(VehiclePosition {
                vehicle_id: v.id,
                lon: at_pos.lon,
                lat: at_pos.lat,
                at,
            });
        }
    }
    Ok(Json(VehiclePositions { positions }))
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
) -> Result<Json<RemindersAnswer>> {
    caller.require(DISPATCH)?;
    let queued = planning::queue_reminders(&state.transport, dto.date).await?;
    Ok(Json(RemindersAnswer {
        date: dto.date,
        queued,
    }))
}
