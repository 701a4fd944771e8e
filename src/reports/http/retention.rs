//! `GET /api/v1/retention/purge-log`: what the retention purge removed, run by run.

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};

use super::activity::READERS;
use crate::access::Caller;
use crate::error::{Error, ErrorBody, Result};
use crate::state::AppState;
use crate::store::PurgeLogRow;
use crate::web::extract::AppQuery;
use crate::web::schemas::common::Refusals;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(crate) struct PurgeLogQuery {
    /// How many rows, newest first (default 100, at most 1000).
    #[serde(default)]
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct PurgeLog {
    /// One row per kind of record and run, newest first.
    pub rows: Vec<PurgeLogRow>,
}

/// `GET /api/v1/retention/purge-log`.
#[utoipa::path(
    get,
    path = "/api/v1/retention/purge-log",
    tag = "reports",
    operation_id = "get_purge_log",
    description = "The retention purge's log: per run and kind of record (`closed_items`, `dv_case_files`, `audit_log`, `transport_trips`, `gps_positions`, `call_records`, `sms`), how many were removed (items: anonymised) and the oldest and newest of their dates, and who ran it (`job:daily`, `cli:<user>`). Roles: supervisor, admin.",
    params(PurgeLogQuery),
    responses(
        (status = 200, body = PurgeLog),
        (status = 422, description = "`limit` is not 1-1000", body = ErrorBody),
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn purge_log(
    State(state): State<AppState>,
    caller: Caller,
    AppQuery(q): AppQuery<PurgeLogQuery>,
) -> Result<Json<PurgeLog>> {
    caller.require(READERS)?;
    let limit = q.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(Error::validation("limit", "must be 1-1000"));
    }
    let rows = state.emergency.purge_log(limit).await?;
    Ok(Json(PurgeLog { rows }))
}
