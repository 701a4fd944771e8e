//! Acting on items and resources: acknowledge, assign, start, close, note; resources and their
//! status. The rules (legal transitions, no double assignment) live in the core's pure
//! decisions; these handlers only parse and forward, so a second dispatcher assigning the same
//! van — on this instance or another — gets the core's 409.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::access::{self, Visibility};
use crate::core::{Command, Outcome};
use crate::domain::{Resource, ResourceId, ResourceKind, ResourceStatus};
use crate::error::{Error, Result};
use crate::http::auth::{Caller, Role, DISPATCH};
use crate::http::extract::AppJson;
use crate::http::items::{item_id, lookup, STAFF};
use crate::intake::parse;
use crate::state::AppState;

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

async fn acknowledge(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>> {
    let item_id = check_item(&state, &caller, &id, true)?;
    let out = state
        .core
        .execute(&caller.name, Command::Acknowledge { item_id })
        .await?;
    Ok(item_json(out))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AssignDto {
    resources: Vec<String>,
}

async fn assign(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
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
    Ok(item_json(out))
}

async fn start(
    State(AppState { core, .. }): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>> {
    caller.require(DISPATCH)?;
    let item_id = item_id(&id)?;
    let out = core
        .execute(&caller.name, Command::Start { item_id })
        .await?;
    Ok(item_json(out))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CloseDto {
    outcome: String,
}

async fn close(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    AppJson(dto): AppJson<CloseDto>,
) -> Result<Json<Value>> {
    let item_id = check_item(&state, &caller, &id, false)?;
    let core = &state.core;
    let outcome = parse::text("outcome", &dto.outcome, 200)?;
    let out = core
        .execute(&caller.name, Command::Close { item_id, outcome })
        .await?;
    Ok(item_json(out))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NoteDto {
    text: String,
}

async fn note(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    AppJson(dto): AppJson<NoteDto>,
) -> Result<Json<Value>> {
    let item_id = check_item(&state, &caller, &id, false)?;
    let core = &state.core;
    let text = parse::text("text", &dto.text, 4000)?;
    let out = core
        .execute(&caller.name, Command::AddNote { item_id, text })
        .await?;
    Ok(item_json(out))
}

async fn resources(
    State(AppState { core, .. }): State<AppState>,
    caller: Caller,
) -> Result<Json<Value>> {
    caller.require(STAFF)?;
    Ok(Json(core.read(|s| {
        let visible: Vec<_> = s
            .resources()
            .filter(|r| access::sees_resource(&caller, &r.id))
            .collect();
        json!({ "seq": s.seq, "resources": visible })
    })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResourceDto {
    pub id: String,
    pub kind: String,
    pub name: String,
    #[serde(default)]
    pub seats: u32,
    #[serde(default)]
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

async fn register(
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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StatusDto {
    status: String,
}

async fn resource_status(
    State(AppState { core, .. }): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    AppJson(dto): AppJson<StatusDto>,
) -> Result<Json<Value>> {
    caller.require(&[
        Role::Dispatcher,
        Role::Supervisor,
        Role::Admin,
        Role::Emiu,
        Role::Driver,
    ])?;
    let resource_id = ResourceId::parse(&id).map_err(|m| Error::validation("id", m))?;
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
    Ok(item_json(out))
}

async fn resource_position(
    State(AppState { core, .. }): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    AppJson(dto): AppJson<parse::PlaceDto>,
) -> Result<Json<Value>> {
    caller.require(&[
        Role::Dispatcher,
        Role::Supervisor,
        Role::Admin,
        Role::Emiu,
        Role::Driver,
    ])?;
    let resource_id = ResourceId::parse(&id).map_err(|m| Error::validation("id", m))?;
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
    Ok(item_json(out))
}
