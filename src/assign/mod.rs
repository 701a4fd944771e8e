//! Acting on items and resources: acknowledge, assign, start, close, note; resources and their
//! status. The rules (legal transitions, no double assignment) live in the core's pure
//! decisions; these handlers only parse and forward, so a second dispatcher assigning the same
//! van — on this instance or another — gets the core's 409. Which resources a caller may change
//! and what it sees of them is `crate::access`'s (`may_change_resource`, `resource_view`): a
//! driver or EMIU member changes only their own, and EMIU positions and current cases go to
//! dispatch roles only.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::access::{self, Visibility};
use crate::access::{Caller, Role, DISPATCH};
use crate::core::{Command, Outcome};
use crate::domain::parse;
use crate::domain::{Item, Resource, ResourceId, ResourceKind, ResourceStatus};
use crate::error::{Error, Result};
use crate::state::AppState;
use crate::web::extract::{AppJson, PathParam};
use crate::web::schemas::common::{BodyRefusals, ErrorBody, Refusals, ResourceList};
use crate::web::view::{answer, item_id, lookup, STAFF};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/items/{id}/acknowledge", post(acknowledge))
        .route("/api/v1/items/{id}/assign", post(assign))
        .route("/api/v1/items/{id}/start", post(start))
        .route("/api/v1/items/{id}/close", post(close))
        .route("/api/v1/items/{id}/notes", post(note))
        .route("/api/v1/resources", get(resources).post(register))
        .route("/api/v1/resources/{id}/status", post(resource_status))
        .route("/api/v1/resources/{id}/position", post(resource_position))
}

fn item_json(outcome: Outcome) -> Json<Value> {
    match outcome {
        Outcome::Item { item, .. } => Json(json!(item)),
        Outcome::Resource(r) => Json(json!(r)),
        Outcome::Done => Json(json!({})),
    }
}

/// Checks the caller may act on the item: seeing it in full, or (to acknowledge, which is how a
/// dispatcher takes a case) at least redacted.
fn check_item(
    state: &AppState,
    caller: &Caller,
    raw: &str,
    ack: bool,
) -> Result<crate::domain::ItemId> {
    caller.require(DISPATCH)?;
    let id = item_id(raw)?;
    let (item, visibility) = lookup(state, caller, id)?;
    let allowed = access::may_act(caller, &item) || (ack && visibility == Visibility::Redacted);
    if allowed {
        Ok(id)
    } else {
        Err(Error::Forbidden(
            "only the dispatcher handling this case, EMIU or a supervisor may act on it".into(),
        ))
    }
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
) -> Result<Json<Value>> {
    let item_id = check_item(&state, &caller, &id, true)?;
    let out = state
        .core
        .execute(&caller.name, Command::Acknowledge { item_id })
        .await?;
    answer(&state, &caller, "acknowledge", out).await
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
) -> Result<Json<Value>> {
    let item_id = check_item(&state, &caller, &id, false)?;
    let core = &state.core;
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
    let out = core
        .execute(&caller.name, Command::Assign { item_id, resources })
        .await?;
    answer(&state, &caller, "assign", out).await
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
) -> Result<Json<Value>> {
    let item_id = check_item(&state, &caller, &id, false)?;
    let out = state
        .core
        .execute(&caller.name, Command::Start { item_id })
        .await?;
    answer(&state, &caller, "start", out).await
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
) -> Result<Json<Value>> {
    let item_id = check_item(&state, &caller, &id, false)?;
    let core = &state.core;
    let outcome = parse::text("outcome", &dto.outcome, 200)?;
    let out = core
        .execute(&caller.name, Command::Close { item_id, outcome })
        .await?;
    answer(&state, &caller, "close", out).await
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
) -> Result<Json<Value>> {
    let item_id = check_item(&state, &caller, &id, false)?;
    let core = &state.core;
    let text = parse::text("text", &dto.text, 4000)?;
    let out = core
        .execute(&caller.name, Command::AddNote { item_id, text })
        .await?;
    answer(&state, &caller, "add_note", out).await
}

/// The resources the caller may see.
///
/// Dispatch roles see every resource in full; a driver only their own; an EMIU member their own
/// team in full and of the others only who they are and their status, never their current item
/// or position.
#[utoipa::path(
    get,
    path = "/api/v1/resources",
    tag = "resources",
    responses((status = 200, body = ResourceList), Refusals),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn resources(
    State(AppState { core, .. }): State<AppState>,
    caller: Caller,
) -> Result<Json<Value>> {
    caller.require(STAFF)?;
    Ok(Json(core.read(|s| {
        let visible: Vec<_> = s
            .resources()
            .filter_map(|r| access::resource_view(&caller, r))
            .collect();
        json!({ "seq": s.seq, "resources": visible })
    })))
}

/// Roles that may set a resource's status or position (drivers and EMIU only their own).
const RESOURCE_CHANGERS: &[Role] = &[
    Role::Dispatcher,
    Role::Supervisor,
    Role::Admin,
    Role::Emiu,
    Role::Driver,
];

/// The resource id of a status or position change, once the caller may change it: a driver or
/// EMIU member touching another resource than their own is refused before anything is done.
fn changeable(caller: &Caller, raw: &str) -> Result<ResourceId> {
    caller.require(RESOURCE_CHANGERS)?;
    let id = ResourceId::parse(raw).map_err(|m| Error::validation("id", m))?;
    if access::may_change_resource(caller, &id) {
        Ok(id)
    } else {
        Err(Error::Forbidden(
            "drivers and EMIU members may change only their own resource".into(),
        ))
    }
}

/// The changed resource as the caller may see it.
fn resource_answer(caller: &Caller, outcome: Outcome) -> Result<Json<Resource>> {
    match outcome {
        Outcome::Resource(r) => access::resource_view(caller, &r)
            .map(Json)
            .ok_or_else(|| Error::Forbidden("this resource is not visible to your role".into())),
        _ => Err(Error::Internal(anyhow::anyhow!(
            "a resource change answered without the resource"
        ))),
    }
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResourceDto {
    #[schema(pattern = r"^[A-Z0-9-]{1,32}$")]
    pub id: String,
    #[schema(value_type = ResourceKind)]
    pub kind: String,
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
    #[serde(default)]
    #[schema(maximum = 60)]
    pub seats: u32,
    #[serde(default)]
    #[schema(maximum = 10)]
    pub wheelchair_places: u32,
}

impl ResourceDto {
    pub fn parse(self) -> Result<Resource> {
        let id = ResourceId::parse(&self.id).map_err(|m| Error::validation("id", m))?;
        let kind = ResourceKind::parse(&self.kind).map_err(|m| Error::validation("kind", m))?;
        let name = parse::text("name", &self.name, 100)?;
        if name.is_empty() {
            return Err(Error::validation("name", "must not be empty"));
        }
        if self.seats > 60 {
            return Err(Error::validation("seats", "at most 60"));
        }
        if self.wheelchair_places > 10 {
            return Err(Error::validation("wheelchair_places", "at most 10"));
        }
        Ok(Resource {
            id,
            kind,
            name,
            seats: self.seats,
            wheelchair_places: self.wheelchair_places,
            status: ResourceStatus::Available,
            current_item: None,
            position: None,
            version: 0,
        })
    }
}

/// Registers a resource (supervisor, admin).
#[utoipa::path(
    post,
    path = "/api/v1/resources",
    tag = "resources",
    request_body = ResourceDto,
    responses(
        (status = 201, description = "Registered", body = Resource),
        (status = 409, description = "The id is taken", body = ErrorBody),
        BodyRefusals,
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn register(
    State(AppState { core, .. }): State<AppState>,
    caller: Caller,
    AppJson(dto): AppJson<ResourceDto>,
) -> Result<(StatusCode, Json<Value>)> {
    caller.require(&[Role::Supervisor, Role::Admin])?;
    let resource = dto.parse()?;
    let out = core
        .execute(&caller.name, Command::RegisterResource { resource })
        .await?;
    Ok((StatusCode::CREATED, item_json(out)))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct StatusDto {
    #[schema(value_type = ResourceStatus)]
    status: String,
}

/// Sets a resource's status.
///
/// Dispatch roles set any resource's; a driver or EMIU member only their own (403 otherwise,
/// nothing changed). The answer shows the resource as the caller may see it.
#[utoipa::path(
    post,
    path = "/api/v1/resources/{id}/status",
    tag = "resources",
    params(("id" = String, Path, description = "The resource id (`VAN-03`, `EMIU-1`)")),
    request_body = StatusDto,
    responses(
        (status = 200, description = "The resource after the change", body = Resource),
        (status = 404, description = "No such resource", body = ErrorBody),
        (status = 409, description = "The change conflicts with the resource's assignment", body = ErrorBody),
        BodyRefusals,
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn resource_status(
    State(AppState { core, .. }): State<AppState>,
    caller: Caller,
    PathParam(id): PathParam<String>,
    AppJson(dto): AppJson<StatusDto>,
) -> Result<Json<Resource>> {
    let resource_id = changeable(&caller, &id)?;
    let status = ResourceStatus::parse(&dto.status).map_err(|m| Error::validation("status", m))?;
    let out = core
        .execute(
            &caller.name,
            Command::SetResourceStatus {
                resource_id,
                status,
            },
        )
        .await?;
    resource_answer(&caller, out)
}

/// Moves a resource (its GPS position); `lon` and `lat` are required.
///
/// Dispatch roles move any resource; a driver or EMIU member only their own (403 otherwise,
/// nothing changed). The answer shows the resource as the caller may see it.
#[utoipa::path(
    post,
    path = "/api/v1/resources/{id}/position",
    tag = "resources",
    params(("id" = String, Path, description = "The resource id (`VAN-03`, `EMIU-1`)")),
    request_body = parse::PlaceDto,
    responses(
        (status = 200, description = "The resource after the move", body = Resource),
        (status = 404, description = "No such resource", body = ErrorBody),
        BodyRefusals,
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn resource_position(
    State(AppState { core, .. }): State<AppState>,
    caller: Caller,
    PathParam(id): PathParam<String>,
    AppJson(dto): AppJson<parse::PlaceDto>,
) -> Result<Json<Resource>> {
    let resource_id = changeable(&caller, &id)?;
    let place = dto.parse("position")?;
    let position = place
        .position
        .ok_or_else(|| Error::validation("position", "lon and lat are required"))?;
    let out = core
        .execute(
            &caller.name,
            Command::MoveResource {
                resource_id,
                position,
            },
        )
        .await?;
    resource_answer(&caller, out)
}
