//! The directory of services: searched by the dispatch roles (to refer a case, or to answer a
//! caller who asks where to turn), kept by an admin (every change audited).

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::Utc;
use serde::Deserialize;

use crate::access::{Caller, Role};
use crate::domain::parse;
use crate::error::ErrorBody;
use crate::error::{Error, Result};
use crate::referrals::directory::{self, ServiceDto};
use crate::referrals::rules::CASE_WORKERS;
use crate::state::AppState;
use crate::store::{AuditRecord, ServiceEntry};
use crate::web::extract::{AppJson, AppQuery, PathParam};
use crate::web::schemas::common::{BodyRefusals, Refusals};
use crate::web::schemas::emergency::ServiceList;

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub(crate) struct SearchQuery {
    /// Words that must all appear in the name, eligibility or categories (case and
    /// diacritics ignored).
    #[serde(default)]
    pub q: Option<String>,
    /// Also the deactivated services (admins and supervisors).
    #[serde(default)]
    pub inactive: Option<bool>,
}

/// Records an admin's change of the directory (no personal data: the service's id).
async fn audit_change(state: &AppState, caller: &Caller, action: &str, id: &str) -> Result<()> {
    state
        .store
        .audit(&AuditRecord {
            at: Utc::now(),
            actor: caller.name.clone(),
            role: caller.role.as_str().into(),
            action: format!("{action}:{id}"),
            item_id: None,
            outcome: "allowed".into(),
        })
        .await?;
    Ok(())
}

/// `GET /api/v1/services?q=`: search the directory.
#[utoipa::path(
    get,
    path = "/api/v1/services",
    tag = "referrals",
    operation_id = "search_services",
    description = "Searches the directory of services (DAS units and NGO partners): every word of `q` must appear in the name, eligibility or call categories served (case and diacritics ignored); by name. Active services only, unless `inactive=true` (supervisors and admins). Roles: dispatcher, supervisor, admin, EMIU.",
    params(SearchQuery),
    responses(
        (status = 200, body = crate::web::schemas::emergency::ServiceList),
        (status = 422, description = "A bad query parameter, named", body = ErrorBody),
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn search(
    State(state): State<AppState>,
    caller: Caller,
    AppQuery(q): AppQuery<SearchQuery>,
) -> Result<Json<ServiceList>> {
    caller.require(CASE_WORKERS)?;
    let text = parse::text("q", q.q.as_deref().unwrap_or(""), 200)?;
    let inactive = q.inactive.unwrap_or(false);
    if inactive {
        caller.require(&[Role::Supervisor, Role::Admin])?;
    }
    let words = directory::query_words(&text);
    Ok(Json(ServiceList {
        services: state.emergency.search_services(&words, inactive).await?,
    }))
}

/// `GET /api/v1/services/{id}`.
#[utoipa::path(
    get,
    path = "/api/v1/services/{id}",
    tag = "referrals",
    operation_id = "get_service",
    description = "One service of the directory, active or not. Roles: dispatcher, supervisor, admin, EMIU.",
    params(("id" = String, Path, description = "The service id")),
    responses(
        (status = 200, body = ServiceEntry),
        (status = 404, description = "No such service", body = ErrorBody),
        (status = 422, description = "`id` contains control characters", body = ErrorBody),
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn get_one(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(id): PathParam<String>,
) -> Result<Json<ServiceEntry>> {
    caller.require(CASE_WORKERS)?;
    find(&state, &id).await.map(Json)
}

async fn find(state: &AppState, id: &str) -> Result<ServiceEntry> {
    state
        .emergency
        .service_entry(id)
        .await?
        .ok_or_else(|| Error::NotFound(format!("service {id}")))
}

/// `POST /api/v1/services`: a new service.
#[utoipa::path(
    post,
    path = "/api/v1/services",
    tag = "referrals",
    operation_id = "create_service",
    description = "Adds a service to the directory (`id` required: letters, digits, `-`, `_`); 409 when the id exists; 422 naming the first wrong field. Audited. Roles: admin.",
    request_body = ServiceDto,
    responses(
        (status = 201, description = "Added", body = ServiceEntry),
        (status = 409, description = "A service with this id exists", body = ErrorBody),
        BodyRefusals,
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn create(
    State(state): State<AppState>,
    caller: Caller,
    AppJson(mut dto): AppJson<ServiceDto>,
) -> Result<(StatusCode, Json<ServiceEntry>)> {
    caller.require(&[Role::Admin])?;
    let id = dto
        .id
        .take()
        .ok_or_else(|| Error::validation("id", "required"))?;
    let id = parse::identifier("id", &id, 64)?;
    let e = directory::entry(id, dto, &caller.name, Utc::now())?;
    if !state
        .emergency
        .add_service(&e, &directory::search_text(&e))
        .await?
    {
        return Err(Error::Conflict(format!("service {} exists", e.id)));
    }
    audit_change(&state, &caller, "service_created", &e.id).await?;
    Ok((StatusCode::CREATED, Json(e)))
}

/// `PUT /api/v1/services/{id}`: replaces a service's details (`active: false` deactivates it).
#[utoipa::path(
    put,
    path = "/api/v1/services/{id}",
    tag = "referrals",
    operation_id = "update_service",
    description = "Replaces a service's details (`id` in the body, if any, must be the path's); `active: false` deactivates it (no new referrals; those made stay in its inbox). 422 naming the first wrong field. Audited. Roles: admin.",
    params(("id" = String, Path, description = "The service id")),
    request_body = ServiceDto,
    responses(
        (status = 200, body = ServiceEntry),
        (status = 404, description = "No such service", body = ErrorBody),
        BodyRefusals,
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn update(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(id): PathParam<String>,
    AppJson(dto): AppJson<ServiceDto>,
) -> Result<Json<ServiceEntry>> {
    caller.require(&[Role::Admin])?;
    if dto.id.as_deref().is_some_and(|b| b != id) {
        return Err(Error::validation("id", "must be the id in the path"));
    }
    let before = find(&state, &id).await?;
    let e = directory::entry(before.id, dto, &caller.name, Utc::now())?;
    if !state
        .emergency
        .update_service(&e, &directory::search_text(&e))
        .await?
    {
        return Err(Error::NotFound(format!("service {id}")));
    }
    let action = if before.active && !e.active {
        "service_deactivated"
    } else {
        "service_updated"
    };
    audit_change(&state, &caller, action, &e.id).await?;
    Ok(Json(e))
}

/// `POST /api/v1/services/{id}/deactivate`.
#[utoipa::path(
    post,
    path = "/api/v1/services/{id}/deactivate",
    tag = "referrals",
    operation_id = "deactivate_service",
    description = "Deactivates a service: no new referrals to it; those made stay in its inbox and keep their deadline. Audited. Roles: admin.",
    params(("id" = String, Path, description = "The service id")),
    responses(
        (status = 200, body = ServiceEntry),
        (status = 404, description = "No such service", body = ErrorBody),
        (status = 422, description = "`id` contains control characters", body = ErrorBody),
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn deactivate(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(id): PathParam<String>,
) -> Result<Json<ServiceEntry>> {
    caller.require(&[Role::Admin])?;
    let mut e = find(&state, &id).await?;
    e.active = false;
    e.updated_by = caller.name.clone();
    e.updated_at = Utc::now();
    if !state
        .emergency
        .update_service(&e, &directory::search_text(&e))
        .await?
    {
        return Err(Error::NotFound(format!("service {id}")));
    }
    audit_change(&state, &caller, "service_deactivated", &e.id).await?;
    Ok(Json(e))
}
