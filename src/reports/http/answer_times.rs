//! `GET /api/v1/reports/answer-times`: the answer-time report over the live state.

use axum::extract::State;
use axum::Json;
use chrono::{Duration, Utc};
use serde::Deserialize;

use crate::access::{Caller, DISPATCH};
use crate::error::ErrorBody;
use crate::error::{Error, Result};
use crate::reports::rules::answer_times::{report, BUCKET_S};
use crate::state::AppState;
use crate::web::extract::AppQuery;
use crate::web::schemas::common::Refusals;
use crate::web::schemas::emergency::AnswerTimes;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ReportQuery {
    /// Hours back from now (default 24, at most 8784).
    #[serde(default)]
    #[param(minimum = 1, maximum = 8784)]
    pub hours: Option<i64>,
}

/// `GET /api/v1/reports/answer-times?hours=24`.
#[utoipa::path(
    get,
    path = "/api/v1/reports/answer-times",
    tag = "reports",
    operation_id = "get_answer_times",
    description = "Answer times per channel over the last `hours`: percentiles from receipt to each step, compliance with the standards (telecare 97.5 % within 60 s and 99 % within 180 s; emergency line 90 % within 15 s and 95 % within 20 s) and a 5-second histogram. Aggregates only. Roles: dispatcher, supervisor, admin.",
    params(ReportQuery),
    responses(
        (status = 200, body = crate::web::schemas::emergency::AnswerTimes),
        (status = 422, description = "`hours` is not 1-8784", body = ErrorBody),
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn get(
    State(state): State<AppState>,
    caller: Caller,
    AppQuery(q): AppQuery<ReportQuery>,
) -> Result<Json<AnswerTimes>> {
    caller.require(DISPATCH)?;
    let hours = q.hours.unwrap_or(24);
    if !(1..=8784).contains(&hours) {
        return Err(Error::validation("hours", "must be 1-8784"));
    }
    let now = Utc::now();
    let since = now - Duration::hours(hours);
    let channels = state.core.read(|s| report(s.items(), since, now));
    Ok(Json(AnswerTimes {
        since,
        until: now,
        bucket_s: BUCKET_S,
        channels,
    }))
}
