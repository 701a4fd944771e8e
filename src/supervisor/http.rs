//! The supervisor's HTTP face: the overview, reassigning an item's handler, taking resources
//! off an item. Both changes are core commands (`handler_changed`, `unassigned` events), so
//! they are in the log with their actor and pushed like every other change.

use axum::extract::State;
use axum::Json;
use serde::Deserialize;

use super::overview::{self, Overview, HANDLER_ROLES};
use crate::access::{Caller, Role};
use crate::core::Command;
use crate::domain::{ItemId, ResourceId};
use crate::error::ErrorBody;
use crate::error::{Error, Result};
use crate::state::AppState;
use crate::web::extract::{AppJson, PathParam};
use crate::web::schemas::common::{BodyRefusals, Refusals};
use crate::web::view::{answer, lookup, ActionJson};

/// Roles that oversee the dispatchers.
const OVERSEERS: &[Role] = &[Role::Supervisor, Role::Admin];

#[utoipa::path(
    get,
    path = "/api/v1/supervisor/overview",
    tag = "supervisor",
    description = "Who is logged in where (unexpired sessions: user, role, since, last seen — \
        written at most once a minute — remote address and the console page it has open), each \
        dispatcher's open items (those they handle: ids, levels, categories and statuses only), \
        and the answer-time figures since local midnight (supervisor and admin only).",
    responses((status = 200, body = Overview), Refusals),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn overview(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Overview>> {
    caller.require(OVERSEERS)?;
    let zone = state
        .config
        .queue
        .zone()
        .unwrap_or(chrono_tz::Europe::Bucharest);
    Ok(Json(
        overview::overview(state.store.as_ref(), &state.core, zone).await?,
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ReassignDto {
    /// The username of an enabled dispatcher or supervisor; null: nobody handles it.
    #[schema(max_length = 100, example = "ana.popescu")]
    to: Option<String>,
}

#[utoipa::path(
    post,
    path = "/api/v1/items/{id}/reassign",
    tag = "supervisor",
    description = "Gives the item to another handler (supervisor and admin only): a \
        `handler_changed` event. The handler is who sees a domestic-violence case in full, so \
        this moves who sees it. `to` must be an enabled dispatcher or supervisor account, else \
        422 naming `to`; null takes the item from its handler.",
    params(("id" = uuid::Uuid, Path, description = "The item id")),
    request_body = ReassignDto,
    responses(
        (status = 200, description = "The item after the change", body = crate::domain::Item),
        (status = 404, description = "No such item", body = ErrorBody),
        (status = 409, description = "`closed: …` — the item is closed", body = ErrorBody),
        (status = 422, description = "`id` is not a UUID, or `to` is not a dispatcher", body = ErrorBody),
        BodyRefusals,
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn reassign(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(id): PathParam<ItemId>,
    AppJson(dto): AppJson<ReassignDto>,
) -> Result<ActionJson> {
    caller.require(OVERSEERS)?;
    lookup(&state, &caller, id)?;
    let to = match dto.to.as_deref().map(str::trim) {
        None => None,
        Some(name) => {
            let user = if name.is_empty() || name.len() > 100 {
                None
            } else {
                state.store.find_user(name).await?
            };
            match user {
                Some(u) if HANDLER_ROLES.contains(&u.role.as_str()) => Some(u.username),
                _ => {
                    return Err(Error::validation(
                        "to",
                        "must be the username of an enabled dispatcher or supervisor",
                    ))
                }
            }
        }
    };
    let out = state
        .core
        .execute(&caller.name, Command::Reassign { item_id: id, to })
        .await?;
    answer(&state, &caller, "reassign", out).await
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct UnassignDto {
    #[schema(value_type = Vec<ResourceId>, min_items = 1, max_items = 16)]
    resources: Vec<String>,
}

#[utoipa::path(
    post,
    path = "/api/v1/items/{id}/unassign",
    tag = "supervisor",
    description = "Takes resources off the item (its handler, a supervisor or an admin): an \
        `unassigned` event. The resources become available with no current item; an assigned \
        item left with none is acknowledged again. A resource not assigned to the item is a 422 \
        naming `resources[i]`.",
    params(("id" = uuid::Uuid, Path, description = "The item id")),
    request_body = UnassignDto,
    responses(
        (status = 200, description = "The item after the change", body = crate::domain::Item),
        (status = 404, description = "No such item", body = ErrorBody),
        (status = 409, description = "`closed: …` — the item is closed", body = ErrorBody),
        (status = 422, description = "`id` is not a UUID, or a resource is not assigned to it", body = ErrorBody),
        BodyRefusals,
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn unassign(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(id): PathParam<ItemId>,
    AppJson(dto): AppJson<UnassignDto>,
) -> Result<ActionJson> {
    caller.require(&[Role::Dispatcher, Role::Supervisor, Role::Admin])?;
    let (item, _) = lookup(&state, &caller, id)?;
    if caller.role == Role::Dispatcher && item.handler.as_deref() != Some(caller.name.as_str()) {
        return Err(Error::forbidden_because(
            "not_handler",
            "only the item's handler, a supervisor or an admin may unassign",
        ));
    }
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
    let out = state
        .core
        .execute(
            &caller.name,
            Command::Unassign {
                item_id: id,
                resources,
            },
        )
        .await?;
    answer(&state, &caller, "unassign", out).await
}
