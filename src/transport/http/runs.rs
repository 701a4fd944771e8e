//! The Mobilitate unit's runs over HTTP: `/api/v1/transport/runs` (meal rounds, day-centre
//! shuttles, supply runs). The use cases are in [`crate::transport::service::runs`].

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};

use super::shared::{audit, ctx};
use crate::access::{Caller, DISPATCH};
use crate::error::{ErrorBody, Result};
use crate::state::AppState;
use crate::transport::rules::runs::{PlaceIn, RunIn, StopIn};
use crate::transport::service::runs::{self, RunCancelled, RunView};
use crate::web::extract::{AppJson, AppQuery, PathParam};
use crate::web::schemas::common::{BodyRefusals, Refusals};

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/transport/runs", get(list).post(create))
        .route("/api/v1/transport/runs/{id}/cancel", post(cancel))
}

/// An address with its position.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RunPlaceDto {
    address: Option<String>,
    lon: Option<f64>,
    lat: Option<f64>,
}

impl From<RunPlaceDto> for PlaceIn {
    fn from(d: RunPlaceDto) -> Self {
        PlaceIn {
            address: d.address,
            lon: d.lon,
            lat: d.lat,
        }
    }
}

/// One delivery of a meal round or a supply run.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RunStopDto {
    /// A registered client (the meal goes to their home unless `place` is given).
    #[serde(default)]
    rider: Option<String>,
    /// Who or what the stop serves without a rider (e.g. a centre's name).
    #[serde(default)]
    label: Option<String>,
    #[serde(default)]
    place: Option<RunPlaceDto>,
    /// The delivery window, local `HH:MM`.
    from: NaiveTime,
    to: NaiveTime,
}

/// A run: `kind` says which fields it needs. Meal and supply: `origin` (canteen or warehouse),
/// `ready_at`, `stops`. Shuttle: `centre`, `starts_at`, `ends_at`, `riders`, `escorts`,
/// optionally `escorts_from`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RunDto {
    /// `meal`, `shuttle` or `supply`.
    kind: String,
    date: NaiveDate,
    #[serde(default)]
    label: Option<String>,
    #[serde(default)]
    origin: Option<RunPlaceDto>,
    #[serde(default)]
    ready_at: Option<NaiveTime>,
    #[serde(default)]
    stops: Vec<RunStopDto>,
    #[serde(default)]
    centre: Option<RunPlaceDto>,
    #[serde(default)]
    starts_at: Option<NaiveTime>,
    #[serde(default)]
    ends_at: Option<NaiveTime>,
    #[serde(default)]
    riders: Vec<String>,
    /// Escorts travelling with the group: they take seats for the whole run.
    #[serde(default)]
    escorts: u32,
    #[serde(default)]
    escorts_from: Option<RunPlaceDto>,
}

impl From<RunDto> for RunIn {
    fn from(d: RunDto) -> Self {
        RunIn {
            kind: d.kind,
            date: d.date,
            label: d.label,
            origin: d.origin.map(Into::into),
            ready_at: d.ready_at,
            stops: d
                .stops
                .into_iter()
                .map(|s| StopIn {
                    rider: s.rider,
                    label: s.label,
                    place: s.place.map(Into::into),
                    from: s.from,
                    to: s.to,
                })
                .collect(),
            centre: d.centre.map(Into::into),
            starts_at: d.starts_at,
            ends_at: d.ends_at,
            riders: d.riders,
            escorts: d.escorts,
            escorts_from: d.escorts_from.map(Into::into),
        }
    }
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct RunsQuery {
    /// The service day, `YYYY-MM-DD`.
    date: NaiveDate,
}

/// The runs of a day.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct RunList {
    pub date: NaiveDate,
    pub runs: Vec<RunView>,
}

#[utoipa::path(
    post,
    path = "/api/v1/transport/runs",
    tag = "transport",
    operation_id = "post_transport_run",
    description = "Creates a Mobilitate run as trips of its kind: a meal round (`meal`: canteen meals to homes and centres, each stop in its window; no seat, no ride limit), a day-centre shuttle (`shuttle`: a group to the centre by its start and back at its end; escorts take seats for the whole run) or a supply run (`supply`). Planned by the same solver as the trips: inserted at once into a planned day, otherwise planned with the day. Roles: dispatcher, supervisor, admin.",
    request_body = RunDto,
    responses(
        (status = 201, description = "Created", body = RunView),
        BodyRefusals,
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn create(
    State(state): State<AppState>,
    caller: Caller,
    AppJson(dto): AppJson<RunDto>,
) -> Result<(StatusCode, Json<RunView>)> {
    caller.require(DISPATCH)?;
    let run = runs::create(ctx(&state), &caller.name, dto.into()).await?;
    Ok((StatusCode::CREATED, Json(run)))
}

#[utoipa::path(
    get,
    path = "/api/v1/transport/runs",
    tag = "transport",
    operation_id = "list_transport_runs",
    description = "The Mobilitate runs of a day with their trips and what the plan says of them (personal data: the read is audited). Roles: dispatcher, supervisor, admin.",
    params(RunsQuery),
    responses(
        (status = 200, body = RunList),
        (status = 422, description = "`date` is missing or not a date", body = ErrorBody),
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn list(
    State(state): State<AppState>,
    caller: Caller,
    AppQuery(q): AppQuery<RunsQuery>,
) -> Result<Json<RunList>> {
    caller.require(DISPATCH)?;
    let runs = runs::list(&state.transport, q.date).await?;
    audit(&state, &caller, "view_runs").await?;
    Ok(Json(RunList { date: q.date, runs }))
}

/// Cancelling a run: its day, and optionally why (kept on every trip cancelled).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RunCancelDto {
    /// The run's day, `YYYY-MM-DD`.
    date: NaiveDate,
    /// Why the service cancels (e.g. the canteen is closed), up to 300 characters.
    #[serde(default)]
    note: Option<String>,
}

#[utoipa::path(
    post,
    path = "/api/v1/transport/runs/{id}/cancel",
    tag = "transport",
    operation_id = "cancel_transport_run",
    description = "Cancels a Mobilitate run for the service in one step: every trip of the run still booked and before the cut-off is cancelled (`service_cancel`, with `note`) and taken out of the plan; the trips it cannot cancel (within the cut-off, or already collected or aboard) are listed in `kept` with why, for the dispatcher to call the driver. A service's cancellation does not count against the clients. Roles: dispatcher, supervisor, admin.",
    params(("id" = String, Path, description = "The run id (`M-…`)")),
    request_body = RunCancelDto,
    responses(
        (status = 200, body = RunCancelled),
        (status = 404, description = "The day has no trip of this run", body = ErrorBody),
        BodyRefusals,
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn cancel(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(id): PathParam<String>,
    AppJson(dto): AppJson<RunCancelDto>,
) -> Result<Json<RunCancelled>> {
    caller.require(DISPATCH)?;
    let note = super::shared::cancel_note(dto.note.as_deref())?;
    let done = runs::cancel(ctx(&state), &caller.name, dto.date, &id, note).await?;
    Ok(Json(done))
}
