//! The steps of an item: acknowledge, assign, start, close, note. Each is one core command on an
//! item the caller may act on, answered with the item as the caller may see it
//! ([`crate::web::view::answer`]).

use axum::extract::State;
use serde::Deserialize;

use crate::access::{self, Visibility};
use crate::access::{Caller, DISPATCH};
use crate::core::Command;
use crate::domain::parse;
use crate::domain::{Item, ItemId, ResourceId};
use crate::error::ErrorBody;
use crate::error::{Error, Result};
use crate::state::AppState;
use crate::web::extract::{AppJson, PathParam};
use crate::web::schemas::common::{BodyRefusals, Refusals};
use crate::web::view::{answer, item_id, lookup, ActionJson};

/// Checks the caller may act on the item: seeing it in full, or (to acknowledge, which is how a
/// dispatcher takes a case) at least redacted.
pub(crate) fn check_item(
    state: &AppState,
    caller: &Caller,
    raw: &str,
    ack: bool,
) -> Result<ItemId> {
    caller.require(DISPATCH)?;
    let id = item_id(raw)?;
    let (item, visibility) = lookup(state, caller, id)?;
    let allowed = access::may_act(caller, &item) || (ack && visibility == Visibility::Redacted);
    if allowed {
        Ok(id)
    } else {
        Err(Error::forbidden_because(
            "not_handler",
            "only the dispatcher handling this case, EMIU or a supervisor may act on it",
        ))
    }
}

/// One step on the item at `raw`: the caller may act on it ([`check_item`]), then the body
/// becomes the command (a bad field is a 422 only once the item is known to be theirs), the core
/// carries it out, and the caller is shown the item as it stands, audited under `action`.
async fn step(
    state: &AppState,
    caller: &Caller,
    raw: &str,
    ack: bool,
    action: &str,
    command: impl FnOnce(ItemId) -> Result<Command>,
) -> Result<ActionJson> {
    let item_id = check_item(state, caller, raw, ack)?;
    let command = command(item_id)?;
    let out = state.core.execute(&caller.name, command).await?;
    answer(state, caller, action, out).await
}

#[utoipa::path(
    post,
    path = "/api/v1/items/{id}/acknowledge",
    tag = "actions",
    description = "Takes the item: the caller becomes its handler (dispatch roles).",
    params(("id" = uuid::Uuid, Path, description = "The item id")),
    responses(
        (status = 200, description = "The item after the step", body = Item),
        (status = 404, description = "No such item (or resource)", body = ErrorBody),
        (status = 409, description = "The item's status does not allow this step", body = ErrorBody),
        (status = 422, description = "`id` is not a UUID, or a field is invalid", body = ErrorBody),
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn acknowledge(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(id): PathParam<String>,
) -> Result<ActionJson> {
    step(&state, &caller, &id, true, "acknowledge", |item_id| {
        Ok(Command::Acknowledge { item_id })
    })
    .await
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct AssignDto {
    #[schema(value_type = Vec<ResourceId>, max_items = 16)]
    resources: Vec<String>,
}

#[utoipa::path(
    post,
    path = "/api/v1/items/{id}/assign",
    tag = "actions",
    description = "Assigns resources to the item.",
    params(("id" = uuid::Uuid, Path, description = "The item id")),
    request_body = AssignDto,
    responses(
        (status = 200, description = "The item after the step", body = Item),
        (status = 404, description = "No such item (or resource)", body = ErrorBody),
        (status = 409, description = "The item's status does not allow it, or a resource is already busy", body = ErrorBody),
        (status = 422, description = "`id` is not a UUID, or a field is invalid", body = ErrorBody),
        BodyRefusals,
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn assign(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(id): PathParam<String>,
    AppJson(dto): AppJson<AssignDto>,
) -> Result<ActionJson> {
    step(&state, &caller, &id, false, "assign", |item_id| {
        if dto.resources.len() > 16 {
            return Err(Error::validation("resources", "at most 16 resources"));
        }
        let resources = dto
            .resources
            .iter()
            .enumerate()
            .map(|(i, r)| {
                ResourceId::parse(r).map_err(|m| Error::validation(format!("resources[{i}]"), m))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Command::Assign { item_id, resources })
    })
    .await
}

#[utoipa::path(
    post,
    path = "/api/v1/items/{id}/start",
    tag = "actions",
    description = "The assigned resources are under way.",
    params(("id" = uuid::Uuid, Path, description = "The item id")),
    responses(
        (status = 200, description = "The item after the step", body = Item),
        (status = 404, description = "No such item (or resource)", body = ErrorBody),
        (status = 409, description = "The item's status does not allow this step", body = ErrorBody),
        (status = 422, description = "`id` is not a UUID, or a field is invalid", body = ErrorBody),
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn start(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(id): PathParam<String>,
) -> Result<ActionJson> {
    step(&state, &caller, &id, false, "start", |item_id| {
        Ok(Command::Start { item_id })
    })
    .await
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CloseDto {
    /// An outcome code of the item's kind (`src/domain/outcomes.rs`).
    #[schema(max_length = 200, example = "help_given")]
    outcome: String,
}

#[utoipa::path(
    post,
    path = "/api/v1/items/{id}/close",
    tag = "actions",
    description = "Closes the item with an outcome code of its kind; its resources become \
        available. Codes — alert: false_alarm, help_given, carer_attended, hospital, deceased, \
        no_answer, technical, other; call: advice_given, referred, emiu_sent, police_112, \
        ambulance_112, no_action_needed, prank, other; booking: trip_done, cancelled, \
        not_served, other; callback: reached, no_answer, referred, other; incident: resolved, \
        vehicle_replaced, rider_transferred, hospital, technical, other. Another code is a 422 \
        naming `outcome`.",
    params(("id" = uuid::Uuid, Path, description = "The item id")),
    request_body = CloseDto,
    responses(
        (status = 200, description = "The item after the step", body = Item),
        (status = 404, description = "No such item (or resource)", body = ErrorBody),
        (status = 409, description = "The item's status does not allow this step", body = ErrorBody),
        (status = 422, description = "`id` is not a UUID, or a field is invalid", body = ErrorBody),
        BodyRefusals,
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn close(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(id): PathParam<String>,
    AppJson(dto): AppJson<CloseDto>,
) -> Result<ActionJson> {
    step(&state, &caller, &id, false, "close", |item_id| {
        let outcome = parse::text("outcome", &dto.outcome, 200)?;
        Ok(Command::Close { item_id, outcome })
    })
    .await
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NoteDto {
    #[schema(max_length = 4000)]
    text: String,
}

#[utoipa::path(
    post,
    path = "/api/v1/items/{id}/notes",
    tag = "actions",
    description = "Appends a note to the item.",
    params(("id" = uuid::Uuid, Path, description = "The item id")),
    request_body = NoteDto,
    responses(
        (status = 200, description = "The item after the step", body = Item),
        (status = 404, description = "No such item (or resource)", body = ErrorBody),
        (status = 409, description = "The item is closed", body = ErrorBody),
        (status = 422, description = "`id` is not a UUID, or a field is invalid", body = ErrorBody),
        BodyRefusals,
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn note(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(id): PathParam<String>,
    AppJson(dto): AppJson<NoteDto>,
) -> Result<ActionJson> {
    step(&state, &caller, &id, false, "add_note", |item_id| {
        let text = parse::text("text", &dto.text, 4000)?;
        Ok(Command::AddNote { item_id, text })
    })
    .await
}
