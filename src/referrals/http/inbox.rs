//! A service's inbox: its staff see the cases referred to their service (each read audited,
//! each case through the access decision), acknowledge them and report the outcome.

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::access::{self, Caller, Role, Visibility};
use crate::core::state::StateView;
use crate::domain::parse;
use crate::error::ErrorBody;
use crate::error::{Error, Result};
use crate::referrals::inbox::{self, InboxEntry};
use crate::referrals::referral::{self, Report};
use crate::state::AppState;
use crate::store::emergency::ReferralRecord;
use crate::web::extract::{AppJson, PathParam};
use crate::web::schemas::common::{BodyRefusals, Refusals};
use crate::web::view::audit;

/// How many referrals an inbox shows, newest first.
const INBOX_SIZE: i64 = 200;

/// A service's inbox.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct Inbox {
    pub service: String,
    pub service_name: String,
    pub entries: Vec<InboxEntry>,
}

/// The caller's service id: a service account's resource.
fn service_of(caller: &Caller) -> Result<&str> {
    caller.require(&[Role::Service])?;
    caller
        .resource
        .as_deref()
        .ok_or_else(|| Error::Forbidden("this account is not linked to a service".into()))
}

/// The entry of `r` as the caller sees it, the read (or refusal) in the audit under `action`.
async fn shown(
    state: &AppState,
    caller: &Caller,
    r: &ReferralRecord,
    action: &str,
) -> Result<Option<InboxEntry>> {
    let item = state.core.read(|s| s.item(&r.item_id).cloned());
    let visibility = match &item {
        Some(i) => access::referral_visibility(caller, i, &r.service),
        None if access::may_work_referral(caller, &r.service) => Visibility::Redacted,
        None => Visibility::Hidden,
    };
    audit(state.store.as_ref(), caller, action, r.item_id, visibility).await?;
    if visibility == Visibility::Hidden {
        return Ok(None);
    }
    Ok(Some(inbox::entry(
        r,
        item.as_ref(),
        visibility,
        &state.config.referrals.dispatch_phone,
    )))
}

/// `GET /api/v1/inbox`.
#[utoipa::path(
    get,
    path = "/api/v1/inbox",
    tag = "referrals",
    operation_id = "service_inbox",
    description = "The referrals to the caller's service, newest first (at most 200): category, urgency, the note written for the service, a case reference and the dispatch number; the person's number and address only for a case that is not protected (never for domestic violence). Every case shown is audited. Roles: service.",
    responses(
        (status = 200, body = Inbox),
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn list(State(state): State<AppState>, caller: Caller) -> Result<Json<Inbox>> {
    let service = service_of(&caller)?.to_owned();
    let name = state
        .emergency
        .service_entry(&service)
        .await?
        .map(|s| s.name)
        .unwrap_or_default();
    let mut entries = Vec::new();
    for r in state.emergency.referrals_to(&service, INBOX_SIZE).await? {
        if let Some(e) = shown(&state, &caller, &r, "view_inbox").await? {
            entries.push(e);
        }
    }
    Ok(Json(Inbox {
        service,
        service_name: name,
        entries,
    }))
}

/// The referral `raw` if it is the caller's service's; 404 otherwise (another service's
/// referral is not even said to exist).
async fn own_referral(state: &AppState, caller: &Caller, raw: &str) -> Result<ReferralRecord> {
    let service = service_of(caller)?;
    let id = Uuid::parse_str(raw)
        .map_err(|_| Error::validation("id", "must be a referral id (UUID)"))?;
    match state.emergency.referral(id).await? {
        Some(r) if r.service == service => Ok(r),
        _ => Err(Error::NotFound(format!("referral {id}"))),
    }
}

/// `POST /api/v1/inbox/{id}/acknowledge`: the service took the referral.
#[utoipa::path(
    post,
    path = "/api/v1/inbox/{id}/acknowledge",
    tag = "referrals",
    operation_id = "service_acknowledge_referral",
    description = "The service acknowledges a referral to it (stops its deadline; recorded in the case file once: acknowledging twice keeps the first). 404 for a referral to another service. Audited. Roles: service.",
    params(("id" = uuid::Uuid, Path, description = "The referral id")),
    responses(
        (status = 200, body = InboxEntry),
        (status = 404, description = "No such referral to this service", body = ErrorBody),
        (status = 422, description = "`id` is not a UUID", body = ErrorBody),
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn acknowledge(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(id): PathParam<String>,
) -> Result<Json<InboxEntry>> {
    let before = own_referral(&state, &caller, &id).await?;
    let after =
        referral::acknowledge(state.emergency.as_ref(), &state.core, &caller.name, &before).await?;
    shown(&state, &caller, &after, "acknowledge_referral")
        .await?
        .map(Json)
        .ok_or_else(|| Error::NotFound(format!("referral {id}")))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct OutcomeDto {
    /// `accepted`, `declined` or `completed`.
    pub outcome: String,
    /// Why it declined: `not_eligible`, `no_capacity`, `outside_area`, `person_unreachable`,
    /// `other`.
    #[serde(default)]
    pub reason: Option<String>,
    /// A short note (required to complete, and to decline for `other`).
    #[serde(default)]
    pub note: String,
}

/// `POST /api/v1/inbox/{id}/outcome`.
#[utoipa::path(
    post,
    path = "/api/v1/inbox/{id}/outcome",
    tag = "referrals",
    operation_id = "service_report_outcome",
    description = "The service reports the outcome of an acknowledged referral: `accepted`, then `completed` (with a short `note`) or `declined` (with a `reason`); or one of them at once. Recorded in the case file (a `referral_outcome` record the dispatcher sees on the item). 409 before the acknowledgement or after a final outcome; 422 naming the wrong field. Audited. Roles: service.",
    params(("id" = uuid::Uuid, Path, description = "The referral id")),
    request_body = OutcomeDto,
    responses(
        (status = 200, body = InboxEntry),
        (status = 404, description = "No such referral to this service", body = ErrorBody),
        (status = 409, description = "Not acknowledged yet, or already final", body = ErrorBody),
        BodyRefusals,
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn outcome(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(id): PathParam<String>,
    AppJson(dto): AppJson<OutcomeDto>,
) -> Result<Json<InboxEntry>> {
    let before = own_referral(&state, &caller, &id).await?;
    let note = parse::text("note", dto.note.trim(), 1000)?;
    let after = referral::report_outcome(
        state.emergency.as_ref(),
        &state.core,
        &caller.name,
        &before,
        Report {
            outcome: &dto.outcome,
            reason: dto.reason.as_deref(),
            note: &note,
        },
    )
    .await?;
    shown(&state, &caller, &after, "report_referral_outcome")
        .await?
        .map(Json)
        .ok_or_else(|| Error::NotFound(format!("referral {id}")))
}
