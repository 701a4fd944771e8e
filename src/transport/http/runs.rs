//! The Mobilitate unit's runs over HTTP: `/api/v1/transport/runs` (meal rounds, day-centre
//! shuttles, supply runs). The use cases are in [`crate::transport::service::runs`].

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use chrono::{NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};

use super::shared::{audit, ctx};
use crate::access::{Caller, DISPATCH};
use crate::error::{ErrorBody, Result};
use crate::state::AppState;
use crate::transport::rules::runs::{PlaceIn, RunIn, StopIn};
use crate::transport::service::runs::{self, RunView};
use crate::web::extract::{AppJson, AppQuery};
use crate::web::schemas::common::{BodyRefusals, Refusals};

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/api/v1/transport/runs", get(list).post(create))
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
