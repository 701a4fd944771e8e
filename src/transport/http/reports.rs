//! Reports over HTTP: JSON for the console's chart and CSV for spreadsheets. Aggregates only:
//! no names, phone numbers or addresses.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use chrono::NaiveDate;
use serde::Deserialize;

use super::shared::ctx;
use crate::access::{Caller, DISPATCH};
use crate::error::ErrorBody;
use crate::error::Result;
use crate::state::AppState;
use crate::transport::rules::reports::{to_csv, Report};
use crate::transport::service::reports;
use crate::web::extract::AppQuery;
use crate::web::schemas::common::Refusals;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/transport/reports", get(json_report))
        .route("/api/v1/transport/reports.csv", get(csv_report))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct RangeQuery {
    from: NaiveDate,
    to: NaiveDate,
}

async fn load(state: &AppState, caller: &Caller, q: &RangeQuery) -> Result<Report> {
    caller.require(DISPATCH)?;
    reports::report(ctx(state), q.from, q.to).await
}

#[utoipa::path(
    get,
    path = "/api/v1/transport/reports",
    tag = "transport",
    operation_id = "get_transport_report",
    description = "Trips per day, on-time percentage, no-shows, km and hours per vehicle over `from`..`to` (at most 366 days). Aggregates only. Roles: dispatcher, supervisor, admin.",
    params(RangeQuery),
    responses(
        (status = 200, body = Report),
        (status = 422, description = "`from` or `to` is missing or not a date, or `to` is not 0-366 days after `from`", body = ErrorBody),
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn json_report(
    State(state): State<AppState>,
    caller: Caller,
    AppQuery(q): AppQuery<RangeQuery>,
) -> Result<Json<Report>> {
    Ok(Json(load(&state, &caller, &q).await?))
}

#[utoipa::path(
    get,
    path = "/api/v1/transport/reports.csv",
    tag = "transport",
    operation_id = "get_transport_report_csv",
    description = "The per-day rows of the report as CSV (`date,booked,cancelled,planned,unserved,done,no_shows,on_time,measured,on_time_pct`). Roles: dispatcher, supervisor, admin.",
    params(RangeQuery),
    responses(
        (status = 200, description = "CSV, one row per day", content_type = "text/csv", body = String),
        (status = 422, description = "`from` or `to` is missing or not a date, or `to` is not 0-366 days after `from`", body = ErrorBody),
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn csv_report(
    State(state): State<AppState>,
    caller: Caller,
    AppQuery(q): AppQuery<RangeQuery>,
) -> Result<Response> {
    let report = load(&state, &caller, &q).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"transport-{}-{}.csv\"", q.from, q.to),
            ),
        ],
        to_csv(&report),
    )
        .into_response())
}
