//! The driver's tablet over HTTP: the manifest, the actions and the GPS position. The use
//! cases are in [`crate::transport::service::driver`] and [`crate::transport::service::positions`].

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::Router;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;

use super::shared::{audit, ctx};
use crate::access::{Caller, Role, DISPATCH};
use crate::error::ErrorBody;
use crate::error::{Error, Result};
use crate::events::ActionKind;
use crate::state::AppState;
use crate::transport::service::driver::{self, Acted, ActionRequest};
use crate::transport::service::positions;
use crate::web::extract::{AppJson, AppQuery};
use crate::web::schemas::common::{BodyRefusals, Refusals};
use crate::web::schemas::transport::{
    ActionAnswer, Manifest, ManifestStop, NextWork, PositionAnswer,
};
use axum::Json;
use routing::travel::LonLat;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/transport/manifest", get(manifest))
        .route("/api/v1/transport/actions", post(act))
        .route("/api/v1/transport/position", post(position))
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
    description = "A vehicle's manifest (personal data: the read is audited). A driver gets their own vehicle's (`vehicle` may only name it); without `date`, today while the vehicle has stops today that are not cancelled (done ones too), else the first planned day from today on with work left; when the day shown has no work left, `next` gives the next day with work and its first stop. Roles: driver; dispatcher, supervisor, admin (with `vehicle`).",
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
    AppQuery(q): AppQuery<ManifestQuery>,
) -> Result<Json<Manifest>> {
    let vehicle_id = if caller.role == Role::Driver {
        let v = driver::own_vehicle(&state.transport, &caller).await?;
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
    let Some(day) = driver::manifest_day(ctx(&state), &vehicle_id, q.date).await? else {
        return Ok(Json(Manifest {
            vehicle_id,
            date: None,
            plan_version: None,
            stops: Vec::new(),
            next: None,
            steps_open: true,
        }));
    };
    let riders = state.transport.riders_by_id().await?;
    audit(&state, &caller, "view_manifest").await?;
    let next = if q.date.is_none() && day.first_live_stop().is_none() {
        driver::next_work(ctx(&state), &vehicle_id, day.plan.date)
            .await?
            .map(|(date, time_s)| NextWork::new(date, time_s))
    } else {
        None
    };
    let stops = day.route.map_or_else(Vec::new, |r| {
        ManifestStop::of_route(&r, &day.trips, &riders)
    });
    Ok(Json(Manifest {
        vehicle_id,
        date: Some(day.plan.date),
        plan_version: Some(day.plan.version),
        stops,
        next,
        steps_open: driver::steps_open(ctx(&state), day.plan.date),
    }))
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
    /// Incident kind: breakdown, accident, rider_unwell, aggression, road_blocked, other
    /// (`other` needs `reason`).
    #[serde(default)]
    incident: Option<String>,
    /// Where the tablet was when the driver pressed (an emergency or an incident); without it
    /// the van's latest GPS fix is used.
    #[serde(default)]
    position: Option<PositionDto>,
    /// When the driver recorded it (it may reach us later, after a dropped connection).
    #[serde(default)]
    at: Option<DateTime<Utc>>,
}

impl TryFrom<ActionDto> for ActionRequest {
    type Error = Error;
    fn try_from(d: ActionDto) -> Result<Self> {
        Ok(ActionRequest {
            action_id: d.action_id,
            kind: d.kind,
            trip_id: d.trip_id,
            reason: d.reason,
            incident: d.incident,
            at: d.at,
            position: d
                .position
                .map(|p| p.parse("position.lon", "position.lat"))
                .transpose()?,
        })
    }
}

#[utoipa::path(
    post,
    path = "/api/v1/transport/actions",
    tag = "transport",
    operation_id = "post_transport_action",
    description = "A driver action (arrived, picked up, no-show, dropped off, incident, emergency), applied exactly once by its client `action_id`: a replay answers 200 with the first record. A no-show or an incident opens a queue item; a meal round's `not_at_home` opens a welfare check (incident code `welfare_check`, rule `transport-welfare-check`); an emergency (the tablet's emergency button) opens a P1 item (rule `transport-driver-emergency`) with the van's position (`position`, else its latest GPS fix). Roles: driver (403 for others, or for a trip not on the driver's vehicle).",
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
) -> Result<(StatusCode, Json<ActionAnswer>)> {
    caller.require(&[Role::Driver])?;
    let (status, answer) = match driver::act(ctx(&state), &caller, dto.try_into()?).await? {
        Acted::Replay(action) => (
            StatusCode::OK,
            ActionAnswer {
                action,
                replay: true,
                trip_status: None,
            },
        ),
        Acted::New(action, trip_status) => (
            StatusCode::CREATED,
            ActionAnswer {
                action,
                replay: false,
                trip_status,
            },
        ),
    };
    Ok((status, Json(answer)))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct PositionDto {
    lon: f64,
    lat: f64,
}

impl PositionDto {
    /// The position, when both numbers are in range (else a 422 naming the field).
    fn parse(&self, lon_field: &str, lat_field: &str) -> Result<LonLat> {
        if !self.lon.is_finite() || !(-180.0..=180.0).contains(&self.lon) {
            return Err(Error::validation(lon_field, "must be -180..180"));
        }
        if !self.lat.is_finite() || !(-90.0..=90.0).contains(&self.lat) {
            return Err(Error::validation(lat_field, "must be -90..90"));
        }
        Ok(LonLat::new(self.lon, self.lat))
    }
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
) -> Result<Json<PositionAnswer>> {
    caller.require(&[Role::Driver])?;
    let here = dto.parse("lon", "lat")?;
    let fixed = positions::position(ctx(&state), &caller, here).await?;
    Ok(Json(PositionAnswer {
        vehicle_id: fixed.vehicle_id,
        arriving_notice: fixed.arriving_notice,
        delay_minutes: fixed.delay_minutes,
    }))
}
