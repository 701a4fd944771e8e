//! Eligibility and the no-show / late-cancel policy over HTTP: the flagged riders, the
//! certificates expiring soon, a rider's history, the supervisor's suspend and waive, the
//! certificate reminders. Reads of riders' data are audited; so are the decisions.

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{NaiveDate, Utc};
use serde::Deserialize;

use super::shared::{audit, ctx};
use crate::access::{Caller, Role, DISPATCH};
use crate::domain::{parse, ItemId};
use crate::error::ErrorBody;
use crate::error::{Error, Result};
use crate::state::AppState;
use crate::store::AuditRecord;
use crate::transport::eligibility::PolicyStatus;
use crate::transport::service::policy::{self, Decision};
use crate::web::extract::{AppJson, AppQuery, PathParam};
use crate::web::schemas::common::{BodyRefusals, Refusals};
use crate::web::schemas::policy::{
    ExpiringCertificate, ExpiringList, FlaggedList, FlaggedRider, QueuedAnswer, RiderHistory,
};

const SUPERVISE: &[Role] = &[Role::Supervisor, Role::Admin];

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/transport/policy/flagged", get(flagged))
        .route("/api/v1/transport/certificates/expiring", get(expiring))
        .route("/api/v1/transport/certificates/reminders", post(reminders))
        .route("/api/v1/transport/riders/{id}/history", get(history))
        .route("/api/v1/transport/riders/{id}/suspend", post(suspend))
        .route("/api/v1/transport/riders/{id}/waive", post(waive))
}

#[utoipa::path(
    get,
    path = "/api/v1/transport/policy/flagged",
    tag = "transport",
    operation_id = "list_flagged_riders",
    description = "The riders the no-show / late-cancel policy flags (`transport.policy.max_events` in `window_days`, since the supervisor's last decision) and those suspended (personal data: the read is audited). Roles: dispatcher, supervisor, admin.",
    responses((status = 200, body = FlaggedList), Refusals),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn flagged(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<FlaggedList>> {
    caller.require(DISPATCH)?;
    let riders = policy::flagged(ctx(&state)).await?;
    audit(&state, &caller, "view_flagged_riders").await?;
    let p = &state.config.transport.policy;
    Ok(Json(FlaggedList {
        max_events: p.max_events,
        window_days: p.window_days,
        riders: riders
            .into_iter()
            .map(|(r, status)| FlaggedRider {
                rider_id: r.id,
                name: r.name,
                status,
            })
            .collect(),
    }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(crate) struct ExpiringQuery {
    /// Days ahead, 1-365 (`transport.policy.certificate_reminder_days` by default).
    #[serde(default)]
    days: Option<u32>,
}

#[utoipa::path(
    get,
    path = "/api/v1/transport/certificates/expiring",
    tag = "transport",
    operation_id = "list_expiring_certificates",
    description = "The riders whose disability certificate expires within `days` (expired ones included), soonest first (personal data: the read is audited). Roles: dispatcher, supervisor, admin.",
    params(ExpiringQuery),
    responses((status = 200, body = ExpiringList), BodyRefusals, Refusals),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn expiring(
    State(state): State<AppState>,
    caller: Caller,
    AppQuery(q): AppQuery<ExpiringQuery>,
) -> Result<Json<ExpiringList>> {
    caller.require(DISPATCH)?;
    let days = q
        .days
        .unwrap_or(state.config.transport.policy.certificate_reminder_days);
    if !(1..=365).contains(&days) {
        return Err(Error::validation("days", "1-365"));
    }
    let list = policy::expiring(ctx(&state), days).await?;
    audit(&state, &caller, "view_expiring_certificates").await?;
    let (today, _) = crate::transport::local_now(&state);
    Ok(Json(ExpiringList {
        days,
        certificates: list
            .into_iter()
            .filter_map(|(r, until)| {
                Some(ExpiringCertificate {
                    rider_id: r.id,
                    name: r.name,
                    certificate: r.certificate?,
                    valid_until: until,
                    days_left: (until - today).num_days(),
                })
            })
            .collect(),
    }))
}

#[utoipa::path(
    post,
    path = "/api/v1/transport/certificates/reminders",
    tag = "transport",
    operation_id = "queue_certificate_reminders",
    description = "Queues now the SMS reminders of the certificates expiring within `transport.policy.certificate_reminder_days` (the background task does it daily from `certificate_reminder_time`); one per certificate (`cert-expiry:{rider}:{valid_until}`), so repeats are harmless. Roles: dispatcher, supervisor, admin.",
    responses((status = 200, body = QueuedAnswer), Refusals),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn reminders(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<QueuedAnswer>> {
    caller.require(DISPATCH)?;
    let (today, _) = crate::transport::local_now(&state);
    let queued =
        policy::queue_certificate_reminders(&state.transport, &state.config, today).await?;
    Ok(Json(QueuedAnswer { queued }))
}

#[utoipa::path(
    get,
    path = "/api/v1/transport/riders/{id}/history",
    tag = "transport",
    operation_id = "get_rider_history",
    description = "A rider's policy history (no-shows, late cancels, flags, the supervisor's suspensions, waivers and overrides, SMS replies), oldest first, with the verdict now (personal data: the read is audited). Roles: dispatcher, supervisor, admin.",
    params(("id" = String, Path, description = "The rider's registry id")),
    responses(
        (status = 200, body = RiderHistory),
        (status = 404, description = "No such rider", body = ErrorBody),
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn history(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(id): PathParam<String>,
) -> Result<Json<RiderHistory>> {
    caller.require(DISPATCH)?;
    let store = &state.transport.store;
    if store.rider(&id).await?.is_none() {
        return Err(Error::NotFound("rider".into()));
    }
    let events = store.rider_events(&id).await?;
    let status = policy::verdict(ctx(&state), &id).await?;
    audit(&state, &caller, "view_rider_history").await?;
    Ok(Json(RiderHistory {
        rider_id: id,
        status,
        events,
    }))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct SuspendDto {
    /// The last day bookings are refused (today or later).
    until: NaiveDate,
    /// Why (kept in the rider's history), 1-300 characters.
    reason: String,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct WaiveDto {
    /// Why (kept in the rider's history), 1-300 characters.
    reason: String,
}

/// The audit of a supervisor's decision, on the rider's flag item when there is one (so the
/// item's audit shows who decided).
async fn audit_decision(
    state: &AppState,
    caller: &Caller,
    action: &str,
    rider: &str,
    flag_item: Option<String>,
) -> Result<()> {
    state
        .store
        .audit(&AuditRecord {
            at: Utc::now(),
            actor: caller.name.clone(),
            role: caller.role.as_str().into(),
            action: format!("{action}:{rider}"),
            item_id: flag_item
                .and_then(|i| uuid::Uuid::parse_str(&i).ok())
                .map(ItemId),
            outcome: "allowed".into(),
        })
        .await?;
    Ok(())
}

fn reason(text: &str) -> Result<String> {
    let r = parse::text("reason", text, 300)?;
    if r.trim().is_empty() {
        return Err(Error::validation("reason", "is empty"));
    }
    Ok(r)
}

#[utoipa::path(
    post,
    path = "/api/v1/transport/riders/{id}/suspend",
    tag = "transport",
    operation_id = "suspend_rider",
    description = "Suspends a rider until a day, with a reason: bookings for a day up to it are refused (409 `rider_suspended`). Clears the flag; recorded in the rider's history and audited. Roles: supervisor, admin.",
    params(("id" = String, Path, description = "The rider's registry id")),
    request_body = SuspendDto,
    responses(
        (status = 200, description = "The verdict after it", body = PolicyStatus),
        (status = 404, description = "No such rider", body = ErrorBody),
        BodyRefusals,
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn suspend(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(id): PathParam<String>,
    AppJson(dto): AppJson<SuspendDto>,
) -> Result<Json<PolicyStatus>> {
    caller.require(SUPERVISE)?;
    let why = reason(&dto.reason)?;
    let decision = Decision::Suspend { until: dto.until };
    let decided = policy::decide(ctx(&state), &caller.name, &id, decision, why).await?;
    audit_decision(&state, &caller, "transport_rider_suspended", &id, decided.1).await?;
    Ok(Json(decided.0))
}

#[utoipa::path(
    post,
    path = "/api/v1/transport/riders/{id}/waive",
    tag = "transport",
    operation_id = "waive_rider",
    description = "Waives a rider's count (clears the flag) and lifts a suspension, with a reason; recorded in the rider's history and audited. Roles: supervisor, admin.",
    params(("id" = String, Path, description = "The rider's registry id")),
    request_body = WaiveDto,
    responses(
        (status = 200, description = "The verdict after it", body = PolicyStatus),
        (status = 404, description = "No such rider", body = ErrorBody),
        BodyRefusals,
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn waive(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(id): PathParam<String>,
    AppJson(dto): AppJson<WaiveDto>,
) -> Result<Json<PolicyStatus>> {
    caller.require(SUPERVISE)?;
    let why = reason(&dto.reason)?;
    let decided = policy::decide(ctx(&state), &caller.name, &id, Decision::Waive, why).await?;
    audit_decision(&state, &caller, "transport_rider_waived", &id, decided.1).await?;
    Ok(Json(decided.0))
}
