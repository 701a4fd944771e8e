//! `/api/v1/roster/handover...`: the outgoing lead's note with the generated summary, the
//! incoming shift's acknowledgements, the history for supervisors.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::roster::{shifts_out, ShiftOut, KEEPERS};
use crate::access::{Caller, DISPATCH};
use crate::domain::parse;
use crate::error::ErrorBody;
use crate::error::{Error, Result};
use crate::shifts::service::{self, time};
use crate::shifts::summary::HandoverSummary;
use crate::state::AppState;
use crate::store::roster::HandoverRecord;
use crate::web::extract::{AppJson, AppQuery, PathParam};
use crate::web::schemas::common::{BodyRefusals, Refusals};

/// Who acknowledged a note, and when.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct AckOut {
    pub username: String,
    pub at: DateTime<Utc>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct HandoverOut {
    pub id: Uuid,
    /// The outgoing shift.
    pub shift: Option<ShiftOut>,
    /// The incoming shift.
    pub next_shift: Option<ShiftOut>,
    pub written_by: String,
    pub written_at: DateTime<Utc>,
    /// The outgoing lead's text.
    pub note: String,
    /// Generated at handover: counts and item references only.
    pub summary: HandoverSummary,
    pub acknowledgements: Vec<AckOut>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct HandoverList {
    pub notes: Vec<HandoverOut>,
}

async fn out(state: &AppState, notes: Vec<HandoverRecord>) -> Result<Vec<HandoverOut>> {
    let mut answers = Vec::with_capacity(notes.len());
    for n in notes {
        let mut shifts = Vec::new();
        for id in [n.shift_id, n.next_shift_id] {
            if let Some(s) = state.roster.shift(id).await? {
                shifts.push(s);
            }
        }
        let mut shown = shifts_out(state, shifts).await?;
        let next_shift = shown
            .iter()
            .position(|s| s.id == n.next_shift_id)
            .map(|i| shown.remove(i));
        let shift = shown.pop();
        let summary: HandoverSummary = serde_json::from_str(&n.summary)
            .map_err(|e| Error::Internal(anyhow::anyhow!("handover summary unreadable: {e}")))?;
        answers.push(HandoverOut {
            id: n.id,
            shift,
            next_shift,
            written_by: n.written_by,
            written_at: time(n.written_ms),
            note: n.note,
            summary,
            acknowledgements: n
                .acks
                .into_iter()
                .map(|(username, at)| AckOut {
                    username,
                    at: time(at),
                })
                .collect(),
        });
    }
    Ok(answers)
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct HandoverDto {
    /// The outgoing shift: the caller must be its lead; during it or up to
    /// `shifts.handover_grace_h` after its end.
    shift_id: Uuid,
    /// What the incoming shift must know, 1-4000 characters.
    #[schema(max_length = 4000)]
    note: String,
}

#[utoipa::path(
    post,
    path = "/api/v1/roster/handover",
    tag = "roster",
    operation_id = "write_handover",
    description = "The outgoing shift lead's handover note. The service attaches a summary of the state now: open items per level, items in progress and whose, follow-up calls due within `shifts.follow_ups_within_h` hours, open EMIU interventions — counts and item references only, never personal data. It is handed to the next shift, whose members see it (`GET /api/v1/roster/handover/pending`) until each acknowledges it. One note per shift (409 `handover_exists`); only the shift's lead (403 `not_shift_lead`). Audited. Roles: dispatcher, supervisor, admin.",
    request_body = HandoverDto,
    responses(
        (status = 201, body = HandoverOut),
        (status = 409, description = "The shift's note is already written", body = ErrorBody),
        BodyRefusals,
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn write(
    State(state): State<AppState>,
    caller: Caller,
    AppJson(dto): AppJson<HandoverDto>,
) -> Result<(StatusCode, Json<HandoverOut>)> {
    caller.require(DISPATCH)?;
    let note = parse::text("note", dto.note.trim(), 4000)?;
    if note.is_empty() {
        return Err(Error::validation("note", "is empty"));
    }
    let record = service::write_handover(super::ctx(&state), &caller, dto.shift_id, note).await?;
    let mut shown = out(&state, vec![record]).await?;
    let one = shown
        .pop()
        .ok_or_else(|| Error::Internal(anyhow::anyhow!("note not shown")))?;
    Ok((StatusCode::CREATED, Json(one)))
}

#[utoipa::path(
    get,
    path = "/api/v1/roster/handover/pending",
    tag = "roster",
    operation_id = "pending_handovers",
    description = "The handover notes handed to a shift the caller is on (on duty now or starting within a day) that the caller has not acknowledged, newest first: what the console shows at the top until acknowledged. Roles: dispatcher, supervisor, admin.",
    responses((status = 200, body = HandoverList), Refusals),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn pending(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<HandoverList>> {
    caller.require(DISPATCH)?;
    let notes = service::pending_for(super::ctx(&state), &caller).await?;
    Ok(Json(HandoverList {
        notes: out(&state, notes).await?,
    }))
}

#[utoipa::path(
    post,
    path = "/api/v1/roster/handover/{id}/acknowledge",
    tag = "roster",
    operation_id = "acknowledge_handover",
    description = "Records that the caller read the note (who, when; audited). Only members of the incoming shift (403 `not_incoming_shift`); acknowledging twice keeps the first time. Roles: dispatcher, supervisor, admin.",
    params(("id" = Uuid, Path, description = "The note id")),
    responses(
        (status = 200, body = HandoverOut),
        (status = 404, description = "No such note", body = ErrorBody),
        (status = 422, description = "The id is not a UUID", body = ErrorBody),
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn acknowledge(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(id): PathParam<Uuid>,
) -> Result<Json<HandoverOut>> {
    caller.require(DISPATCH)?;
    let record = service::acknowledge(super::ctx(&state), &caller, id).await?;
    let mut shown = out(&state, vec![record]).await?;
    shown
        .pop()
        .map(Json)
        .ok_or_else(|| Error::Internal(anyhow::anyhow!("note not shown")))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub(crate) struct HistoryQuery {
    /// How many notes, newest first (1-200; default 50).
    limit: Option<i64>,
}

#[utoipa::path(
    get,
    path = "/api/v1/roster/handover",
    tag = "roster",
    operation_id = "list_handovers",
    description = "The history of handover notes, newest first, with who acknowledged each and when. Roles: supervisor, admin.",
    params(HistoryQuery),
    responses(
        (status = 200, body = HandoverList),
        (status = 422, description = "`limit` out of 1-200", body = ErrorBody),
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn history(
    State(state): State<AppState>,
    caller: Caller,
    AppQuery(q): AppQuery<HistoryQuery>,
) -> Result<Json<HandoverList>> {
    caller.require(KEEPERS)?;
    let limit = q.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(Error::validation("limit", "must be 1-200"));
    }
    let notes = state.roster.handovers(limit).await?;
    Ok(Json(HandoverList {
        notes: out(&state, notes).await?,
    }))
}
