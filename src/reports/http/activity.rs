//! `GET /api/v1/reports/activity?month=2026-11` (or `quarter=2026-Q4`), as JSON or CSV.

use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::Utc;
use serde::Deserialize;

use crate::access::{Caller, Role};
use crate::error::{Error, ErrorBody, Result};
use crate::reports::activity::build;
use crate::reports::rules::activity::ActivityReport;
use crate::reports::rules::csv::to_csv;
use crate::reports::rules::period::parse;
use crate::state::AppState;
use crate::store::AuditRecord;
use crate::web::extract::AppQuery;
use crate::web::schemas::common::Refusals;

/// Who reads the activity report: supervisors and admins. Dispatchers are left out although it
/// holds counts only: a month's handful of domestic-violence interventions, measures and
/// placements, read beside the queue they work, can point to one person.
pub(crate) const READERS: &[Role] = &[Role::Supervisor, Role::Admin];

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(crate) struct ActivityQuery {
    /// A month of Timișoara time, `YYYY-MM`.
    #[serde(default)]
    pub month: Option<String>,
    /// A quarter of Timișoara time, `YYYY-Qn` (instead of `month`).
    #[serde(default)]
    pub quarter: Option<String>,
    /// `json` (the default) or `csv`; `Accept: text/csv` asks for CSV too.
    #[serde(default)]
    pub format: Option<String>,
}

/// `GET /api/v1/reports/activity`.
#[utoipa::path(
    get,
    path = "/api/v1/reports/activity",
    tag = "reports",
    operation_id = "get_activity_report",
    description = "The activity report of a month (`month=2026-11`) or quarter (`quarter=2026-Q4`) of Timișoara time (Europe/Bucharest: from local midnight of the first day to local midnight after the last): calls by category and outcome, alarms by type, referrals by service with the time to acknowledgement (p50/p90), EMIU interventions and measures, adapted-transport trips (served, cancelled by reason, no-shows), shelter places taken. Counts only. `format=csv` (or `Accept: text/csv`) gives it as CSV for Romanian Excel: `;`-separated, decimal comma, UTF-8 with BOM, one block per section with Romanian headers. Roles: supervisor, admin (not dispatchers: small counts of domestic-violence cases can identify a person). Each read is audited (`report_activity`).",
    params(ActivityQuery),
    responses(
        (status = 200, body = ActivityReport, content_type = "application/json"),
        (status = 200, description = "CSV (`format=csv`)", content_type = "text/csv", body = String),
        (status = 422, description = "`month`, `quarter` or `format` is missing, malformed or both periods are given (the error names the field)", body = ErrorBody),
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn get(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    AppQuery(q): AppQuery<ActivityQuery>,
) -> Result<Response> {
    caller.require(READERS)?;
    let csv = match q.format.as_deref() {
        Some("csv") => true,
        Some("json") => false,
        Some(_) => return Err(Error::validation("format", "must be json or csv")),
        None => headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/csv")),
    };
    let period = parse(q.month.as_deref(), q.quarter.as_deref())
        .map_err(|e| Error::validation(e.field, e.message))?;
    let now = Utc::now();
    let report = build(&state.core, state.emergency.as_ref(), &period, now).await?;
    state
        .store
        .audit(&AuditRecord {
            at: now,
            actor: caller.name.clone(),
            role: caller.role.as_str().to_owned(),
            action: "report_activity".into(),
            item_id: None,
            outcome: "allowed".into(),
        })
        .await?;
    if !csv {
        return Ok(Json(report).into_response());
    }
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"raport-activitate-{}.csv\"",
                    period.label
                ),
            ),
        ],
        to_csv(&report),
    )
        .into_response())
}
