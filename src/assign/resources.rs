//! The resources: listing them, registering one, setting a resource's status and position.
//! Which resources a caller may change and what it sees of them is `crate::access`'s
//! (`may_change_resource`, `resource_view`): a driver or EMIU member changes only their own, and
//! EMIU positions and current cases go to dispatch roles only.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;

use crate::access::{self, Caller, Role};
use crate::core::{Command, Outcome};
use crate::domain::parse;
use crate::domain::{Resource, ResourceId, ResourceKind, ResourceStatus};
use crate::error::ErrorBody;
use crate::error::{Error, Result};
use crate::state::AppState;
use crate::web::extract::{AppJson, PathParam};
use crate::web::schemas::common::{BodyRefusals, Refusals, ResourceList};
use crate::web::view::STAFF;

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
) -> Result<Json<ResourceList>> {
    caller.require(STAFF)?;
    Ok(Json(core.read(|s| {
        ResourceList {
            seq: s.seq,
            resources: s
                .resources()
                .filter_map(|r| access::resource_view(&caller, r))
                .collect(),
        }
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

/// The resource a resource command answered with.
fn changed(outcome: Outcome) -> Result<Box<Resource>> {
    match outcome {
        Outcome::Resource(r) => Ok(r),
        _ => Err(Error::Internal(anyhow::anyhow!(
            "a resource change answered without the resource"
        ))),
    }
}

/// The changed resource as the caller may see it.
fn resource_answer(caller: &Caller, outcome: Outcome) -> Result<Json<Resource>> {
    access::resource_view(caller, &*changed(outcome)?)
        .map(Json)
        .ok_or_else(|| Error::Forbidden("this resource is not visible to your role".into()))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ResourceDto {
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
    pub(crate) fn parse(self) -> Result<Resource> {
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
) -> Result<(StatusCode, Json<Box<Resource>>)> {
    caller.require(&[Role::Supervisor, Role::Admin])?;
    let resource = dto.parse()?;
    let out = core
        .execute(&caller.name, Command::RegisterResource { resource })
        .await?;
    Ok((StatusCode::CREATED, Json(changed(out)?)))
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
