//! The dispatcher's side: the outbound calls to make (and those made today), dial one through
//! the call outbox, record its outcome. And the registry facts campaigns select on.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{at, audit_read, handles};
use crate::access::{self, Caller, Role, Visibility, DISPATCH};
use crate::core::state::StateView;
use crate::domain::{parse, ItemId, Status};
use crate::error::ErrorBody;
use crate::error::{Error, Result};
use crate::outbound::rules::CallOutcome;
use crate::outbound::service::{self, Recorded};
use crate::state::AppState;
use crate::store::outbound::{OutboundCallRow, Profile};
use crate::web::extract::{AppJson, AppQuery, PathParam};
use crate::web::schemas::common::{BodyRefusals, Refusals};

/// One outbound call, as the dispatcher's list shows it (never the number: the server dials).
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct CallOut {
    pub id: String,
    /// `schedule`, `list`, `campaign`, or `follow_up` (asked for by the `needs_follow_up`
    /// outcome of the call `source_id`; its `reason` is the note the caller wrote).
    pub source: String,
    pub source_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device_id: Option<String>,
    /// The person to call; `withheld` when its item is a case the caller sees only redacted.
    pub name: String,
    pub reason: String,
    pub due: DateTime<Utc>,
    /// 1 for the first try.
    pub attempt: i32,
    /// `planned`, `raised` (its queue item is open), `done`, `retried`, `escalated`, `skipped`.
    pub state: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skip_reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item_id: Option<String>,
    /// The item's status now (`new`, `acknowledged`, ..., `closed`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item_status: Option<Status>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dialled_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outcome_note: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outcome_by: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub escalation_item: Option<String>,
}

/// The outbound calls.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct CallsOut {
    pub calls: Vec<CallOut>,
}

/// Shapes a row for `caller`: a call whose item the caller may see only redacted shows
/// `withheld` for the name and outcome note (`access::view`).
pub(crate) fn call_out(state: &AppState, caller: &Caller, row: OutboundCallRow) -> CallOut {
    let item = row
        .item_id
        .as_deref()
        .and_then(|i| uuid::Uuid::parse_str(i).ok())
        .and_then(|id| state.core.read(|s| s.item(&ItemId(id)).cloned()));
    let full = item
        .as_ref()
        .is_none_or(|i| access::visibility(caller, i) == Visibility::Full);
    let withheld = || access::WITHHELD.to_string();
    // A follow-up's reason is a dispatcher's note: withheld like the outcome note.
    let reason = if full || row.source != service::FOLLOW_UP {
        row.reason
    } else {
        withheld()
    };
    CallOut {
        id: row.id,
        source: row.source,
        source_id: row.source_id,
        device_id: row.device_id.filter(|_| full),
        name: if full { row.name } else { withheld() },
        reason,
        due: at(row.due_ms),
        attempt: row.attempt,
        state: row.state,
        skip_reason: row.skip_reason,
        item_id: row.item_id,
        item_status: item.map(|i| i.status),
        dialled_at: row.dialled_ms.map(at),
        outcome: row.outcome,
        outcome_note: if full {
            row.outcome_note
        } else {
            row.outcome_note.map(|_| withheld())
        },
        outcome_by: row.outcome_by,
        escalation_item: row.escalation_item,
    }
}

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub(crate) struct CallsQuery {
    /// Only the calls of this schedule, list or campaign id.
    #[serde(default)]
    source_id: Option<String>,
    /// Calls made in the last this many hours, beside those still to make (default 24, 1-720).
    #[serde(default)]
    hours: Option<u32>,
}

/// `GET /api/v1/outbound/calls`.
#[utoipa::path(
    get,
    path = "/api/v1/outbound/calls",
    tag = "outbound",
    description = "The outbound calls still to make (planned, raised) and those recorded in the last `hours`, by due time; or every call of one schedule, list or campaign (`source_id`). Names of beneficiaries: the read is audited; never the number. Roles: dispatcher, supervisor, admin.",
    params(CallsQuery),
    responses(
        (status = 200, description = "The calls", body = CallsOut),
        (status = 422, description = "A bad query parameter, named", body = ErrorBody),
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn list(
    State(state): State<AppState>,
    caller: Caller,
    AppQuery(q): AppQuery<CallsQuery>,
) -> Result<Json<CallsOut>> {
    caller.require(DISPATCH)?;
    let hours = q.hours.unwrap_or(24);
    if !(1..=720).contains(&hours) {
        return Err(Error::validation("hours", "must be 1-720"));
    }
    if let Some(s) = &q.source_id {
        parse::text("source_id", s, 100)?;
    }
    let since = Utc::now().timestamp_millis() - i64::from(hours) * 3_600_000;
    let rows = state
        .emergency
        .calls(q.source_id.as_deref(), since, 2000)
        .await?;
    audit_read(&state, &caller, "list_outbound_calls").await?;
    Ok(Json(CallsOut {
        calls: rows
            .into_iter()
            .map(|r| call_out(&state, &caller, r))
            .collect(),
    }))
}

/// The call row and its item, checked: the caller may act on the item.
async fn acting_on_call(
    state: &AppState,
    caller: &Caller,
    id: &str,
) -> Result<(OutboundCallRow, Option<crate::domain::Item>)> {
    caller.require(DISPATCH)?;
    parse::text("id", id, 200)?;
    let row = state
        .emergency
        .call(id)
        .await?
        .ok_or_else(|| Error::NotFound(format!("outbound call {id}")))?;
    let item = match row.item_id.as_deref() {
        Some(raw) => {
            let item_id = crate::assign::items::check_item(state, caller, raw, false)?;
            state.core.read(|s| s.item(&item_id).cloned())
        }
        None => None,
    };
    Ok((row, item))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct DialOutboundDto {}

/// The answer of a dial request: the call is in the outbox.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct OutboundDialAnswer {
    pub call_id: String,
    /// Always `queued`: the call worker places it.
    #[schema(example = "queued")]
    pub status: &'static str,
}

/// `POST /api/v1/outbound/calls/{id}/dial`.
#[utoipa::path(
    post,
    path = "/api/v1/outbound/calls/{id}/dial",
    tag = "outbound",
    description = "Dials an outbound call whose item is in the queue: the number is the call's own (the beneficiary's, or the list's), checked against safe contact now; one `call_outbox` row is written before the 202 and the call worker places it (never on the request path). Takes the item if nobody has. The item's history gets a `dial_requested` step (note `outbound`). Refusals: 409 `contact_blocked` (a safe-contact number: nothing is queued), 409 `not_open` (not raised, or its item closed). Roles: dispatcher, supervisor, admin (who may act on the item).",
    params(("id" = String, Path, description = "The outbound call id")),
    request_body = DialOutboundDto,
    responses(
        (status = 202, description = "The call is queued", body = OutboundDialAnswer),
        (status = 404, description = "No such outbound call", body = ErrorBody),
        (status = 409, description = "`contact_blocked` or `not_open`", body = ErrorBody),
        BodyRefusals,
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn dial(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(id): PathParam<String>,
    AppJson(_): AppJson<DialOutboundDto>,
) -> Result<(StatusCode, Json<OutboundDialAnswer>)> {
    let (row, item) = acting_on_call(&state, &caller, &id).await?;
    let Some(item) = item else {
        return Err(Error::conflict_because(
            "not_open",
            "this call is not in the queue yet",
        ));
    };
    let call_id = service::dial(handles(&state), &state.calls, &caller.name, &row, &item).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(OutboundDialAnswer {
            call_id,
            status: "queued",
        }),
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct OutcomeDto {
    /// `answered_ok`, `needs_follow_up`, `no_answer`, `wrong_number`, `refused`.
    #[schema(example = "answered_ok")]
    outcome: String,
    #[serde(default)]
    #[schema(max_length = 1000)]
    note: String,
}

/// `POST /api/v1/outbound/calls/{id}/outcome`.
#[utoipa::path(
    post,
    path = "/api/v1/outbound/calls/{id}/outcome",
    tag = "outbound",
    description = "Records what came of a raised call, once: a `case_recorded` step `outbound_{outcome}` on its item, which is closed (`reached`, `no_answer` or `other`). `no_answer` with tries left (`outbound.max_attempts`) plans the next try `outbound.retry_minutes` later (a new call, raised when due); after the last try, an incident `outbound_no_answer` is raised for the supervisor (call the carers, send someone). `needs_follow_up` plans a follow-up call due `outbound.follow_up_hours` later (`follow_up_id`, `follow_up_due`; source `follow_up`, its reason the `note`), raised as a callback item (reason `follow_up`) with the note on it; the next call is written with the outcome, so exactly one per outcome. 409 `already_recorded`, `not_open`. Roles: dispatcher, supervisor, admin (who may act on the item).",
    params(("id" = String, Path, description = "The outbound call id")),
    request_body = OutcomeDto,
    responses(
        (status = 200, description = "What the outcome did", body = Recorded),
        (status = 404, description = "No such outbound call", body = ErrorBody),
        (status = 409, description = "`already_recorded` or `not_open`", body = ErrorBody),
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
) -> Result<Json<Recorded>> {
    let (row, item) = acting_on_call(&state, &caller, &id).await?;
    let outcome = CallOutcome::parse(&dto.outcome).ok_or_else(|| {
        Error::validation(
            "outcome",
            format!("must be one of {}", CallOutcome::CODES.join(", ")),
        )
    })?;
    let note = parse::text("note", &dto.note, 1000)?;
    if row.state != "raised" {
        return Err(if row.outcome.is_some() {
            Error::conflict_because("already_recorded", "an outcome was recorded already")
        } else {
            Error::conflict_because("not_open", "this call is not in the queue")
        });
    }
    let recorded = service::record_outcome(
        handles(&state),
        &caller.name,
        &row,
        item.as_ref(),
        outcome,
        &note,
    )
    .await?;
    Ok(Json(recorded))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ProfileDto {
    /// Year of birth (1900 to this year); null when unknown.
    #[serde(default)]
    birth_year: Option<i32>,
    /// Lives alone; null when unknown.
    #[serde(default)]
    lives_alone: Option<bool>,
}

/// `GET /api/v1/outbound/beneficiaries/{device_id}`.
#[utoipa::path(
    get,
    path = "/api/v1/outbound/beneficiaries/{device_id}",
    tag = "outbound",
    operation_id = "get_beneficiary_profile",
    description = "What campaigns select on for a TeleAsistență beneficiary: birth year and living alone (null when unknown). The read is audited. Roles: dispatcher, supervisor, admin.",
    params(("device_id" = String, Path, description = "The device id in the registry")),
    responses(
        (status = 200, description = "The profile", body = Profile),
        (status = 404, description = "No such device", body = ErrorBody),
        (status = 422, description = "`device_id` is too long or has control characters", body = ErrorBody),
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn read_profile(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(device_id): PathParam<String>,
) -> Result<Json<Profile>> {
    caller.require(&[Role::Dispatcher, Role::Supervisor, Role::Admin])?;
    parse::text("device_id", &device_id, 100)?;
    audit_read(&state, &caller, "view_beneficiary_profile").await?;
    state
        .emergency
        .profile(&device_id)
        .await?
        .map(Json)
        .ok_or_else(|| Error::NotFound(format!("device {device_id}")))
}

/// `POST /api/v1/outbound/beneficiaries/{device_id}`.
#[utoipa::path(
    post,
    path = "/api/v1/outbound/beneficiaries/{device_id}",
    tag = "outbound",
    description = "Sets what campaigns select on for a TeleAsistență beneficiary: birth year and living alone. Audited. Roles: dispatcher, supervisor, admin.",
    params(("device_id" = String, Path, description = "The device id in the registry")),
    request_body = ProfileDto,
    responses(
        (status = 200, description = "The profile", body = Profile),
        (status = 404, description = "No such device", body = ErrorBody),
        BodyRefusals,
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn profile(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(device_id): PathParam<String>,
    AppJson(dto): AppJson<ProfileDto>,
) -> Result<Json<Profile>> {
    caller.require(&[Role::Dispatcher, Role::Supervisor, Role::Admin])?;
    parse::text("device_id", &device_id, 100)?;
    let year = chrono::Datelike::year(&Utc::now());
    if let Some(b) = dto.birth_year {
        if !(1900..=year).contains(&b) {
            return Err(Error::validation(
                "birth_year",
                format!("must be 1900-{year}"),
            ));
        }
    }
    audit_read(&state, &caller, "set_beneficiary_profile").await?;
    if !state
        .emergency
        .set_profile(&device_id, dto.birth_year, dto.lives_alone)
        .await?
    {
        return Err(Error::NotFound(format!("device {device_id}")));
    }
    Ok(Json(Profile {
        device_id,
        birth_year: dto.birth_year,
        lives_alone: dto.lives_alone,
    }))
}
