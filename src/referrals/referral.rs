//! Categorising a call, referring the case to a DAS service, and the service's acknowledgement.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::Utc;
use serde::Deserialize;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::access;
use crate::access::{Caller, Role, DISPATCH};
use crate::core::Command;
use crate::domain::parse;
use crate::domain::{CallCategory, CaseRecord, ItemId};
use crate::error::{Error, Result};
use crate::state::AppState;
use crate::store::emergency::ReferralRecord;
use crate::web::extract::{AppJson, PathParam};
use crate::web::schemas::common::{BodyRefusals, ErrorBody, Refusals};
use crate::web::view::{answer, audit, item_id, lookup};

/// Roles that work a case: the dispatch roles and the EMIU team.
pub const CASE_WORKERS: &[Role] = &[Role::Dispatcher, Role::Supervisor, Role::Admin, Role::Emiu];

/// Checks the caller may act on the item (sees it in full: the handling dispatcher, EMIU,
/// supervisors) and returns its id.
pub(crate) fn acting_on(state: &AppState, caller: &Caller, raw: &str) -> Result<ItemId> {
    caller.require(CASE_WORKERS)?;
    let id = item_id(raw)?;
    let (item, _) = lookup(state, caller, id)?;
    if access::may_act(caller, &item) {
        Ok(id)
    } else {
        Err(Error::Forbidden(
            "only the dispatcher handling this case, EMIU or a supervisor may act on it".into(),
        ))
    }
}

/// `GET /api/v1/referrals/services`: the services in `config/`.
#[utoipa::path(
    get,
    path = "/api/v1/referrals/services",
    tag = "referrals",
    operation_id = "list_referral_services",
    description = "The DAS services cases are referred to (`[referrals] services` in the configuration). Roles: dispatcher, supervisor, admin, EMIU.",
    responses(
        (status = 200, body = crate::web::schemas::emergency::ServiceList),
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub async fn services(State(state): State<AppState>, caller: Caller) -> Result<Json<Value>> {
    caller.require(CASE_WORKERS)?;
    Ok(Json(json!({ "services": state.config.referrals.services })))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CategoriseDto {
    /// A call category other than `unclassified`.
    #[schema(value_type = crate::domain::CallCategory)]
    pub category: String,
}

/// `POST /api/v1/items/{id}/categorise {category}`: what the call is about.
#[utoipa::path(
    post,
    path = "/api/v1/items/{id}/categorise",
    tag = "referrals",
    operation_id = "categorise_item",
    description = "Records what a call is about (any call category but `unclassified`); only calls are categorised. Roles: dispatcher, supervisor, admin, EMIU; acting on a case also needs to see it in full (the dispatcher handling it, EMIU, supervisors).",
    params(("id" = uuid::Uuid, Path, description = "The item id")),
    request_body = CategoriseDto,
    responses(
        (status = 200, description = "The item after it", body = crate::domain::Item),
        (status = 404, description = "No such item", body = ErrorBody),
        (status = 409, description = "The item is closed", body = ErrorBody),
        BodyRefusals,
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub async fn categorise(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(id): PathParam<String>,
    AppJson(dto): AppJson<CategoriseDto>,
) -> Result<crate::web::view::ActionJson> {
    let item_id = acting_on(&state, &caller, &id)?;
    let category =
        CallCategory::parse(&dto.category).map_err(|m| Error::validation("category", m))?;
    if category == CallCategory::Unclassified {
        return Err(Error::validation(
            "category",
            "choose what the call is about",
        ));
    }
    let out = state
        .core
        .execute(
            &caller.name,
            Command::Record {
                item_id,
                record: CaseRecord::Categorised { category },
            },
        )
        .await?;
    answer(&state, &caller, "categorise", out).await
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReferDto {
    pub service: String,
    #[serde(default)]
    pub note: String,
}

/// `POST /api/v1/items/{id}/referrals {service, note?}`: 201 with the referral record.
#[utoipa::path(
    post,
    path = "/api/v1/items/{id}/referrals",
    tag = "referrals",
    operation_id = "refer_item",
    description = "Refers a case to a service; recorded in the case file. Roles: dispatcher, supervisor, admin, EMIU; acting on a case also needs to see it in full (the dispatcher handling it, EMIU, supervisors).",
    params(("id" = uuid::Uuid, Path, description = "The item id")),
    request_body = ReferDto,
    responses(
        (status = 201, description = "Referred", body = ReferralRecord, links(
            ("acknowledge_referral" = (operation_id = "acknowledge_referral", parameters(("id" = "$response.body#/id"))))
        )),
        (status = 404, description = "No such item", body = ErrorBody),
        (status = 409, description = "The item is closed", body = ErrorBody),
        BodyRefusals,
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub async fn refer(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(id): PathParam<String>,
    AppJson(dto): AppJson<ReferDto>,
) -> Result<(StatusCode, Json<Value>)> {
    let item_id = acting_on(&state, &caller, &id)?;
    let service = state
        .config
        .referrals
        .services
        .iter()
        .find(|s| s.id == dto.service)
        .ok_or_else(|| {
            let ids: Vec<&str> = state
                .config
                .referrals
                .services
                .iter()
                .map(|s| s.id.as_str())
                .collect();
            Error::validation(
                "service",
                format!("unknown service; expected one of: {}", ids.join(", ")),
            )
        })?;
    let note = parse::text("note", &dto.note, 2000)?;
    let record = ReferralRecord {
        id: Uuid::now_v7(),
        item_id,
        service: service.id.clone(),
        note,
        created_by: caller.name.clone(),
        created_at: Utc::now(),
        acknowledged_by: None,
        acknowledged_at: None,
    };
    state.emergency.put_referral(&record).await?;
    state
        .core
        .execute(
            &caller.name,
            Command::Record {
                item_id,
                record: CaseRecord::Referred {
                    referral_id: record.id,
                    service: record.service.clone(),
                },
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(json!(record))))
}

/// `POST /api/v1/referrals/{id}/acknowledge`: the service confirms it took the case (recorded
/// by the dispatcher or supervisor who received the confirmation). Acknowledging twice keeps
/// the first acknowledgement.
#[utoipa::path(
    post,
    path = "/api/v1/referrals/{id}/acknowledge",
    tag = "referrals",
    operation_id = "acknowledge_referral",
    description = "Records that the service took the case; acknowledging twice keeps the first acknowledgement. Roles: dispatcher, supervisor, admin; the caller must see the case in full (the dispatcher handling it, supervisors).",
    params(("id" = uuid::Uuid, Path, description = "The referral id")),
    responses(
        (status = 200, body = ReferralRecord),
        (status = 404, description = "No such referral", body = ErrorBody),
        (status = 422, description = "`id` is not a UUID", body = ErrorBody),
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub async fn acknowledge(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(id): PathParam<String>,
) -> Result<Json<Value>> {
    caller.require(DISPATCH)?;
    let rid = Uuid::parse_str(&id)
        .map_err(|_| Error::validation("id", "must be a referral id (UUID)"))?;
    let before = state
        .emergency
        .referral(rid)
        .await?
        .ok_or_else(|| Error::NotFound(format!("referral {rid}")))?;
    // Acting on the referral is acting on its case: the caller must see the case in full.
    acting_on(&state, &caller, &before.item_id.to_string())?;
    let after = state
        .emergency
        .acknowledge_referral(rid, &caller.name, Utc::now())
        .await?
        .ok_or_else(|| Error::NotFound(format!("referral {rid}")))?;
    if before.acknowledged_at.is_none() {
        state
            .core
            .execute(
                &caller.name,
                Command::Record {
                    item_id: after.item_id,
                    record: CaseRecord::ReferralAcknowledged {
                        referral_id: rid,
                        service: after.service.clone(),
                    },
                },
            )
            .await?;
    }
    let (item, visibility) = lookup(&state, &caller, after.item_id)?;
    if access::is_sensitive(&item) {
        audit(
            state.store.as_ref(),
            &caller,
            "acknowledge_referral",
            after.item_id,
            visibility,
        )
        .await?;
    }
    Ok(Json(json!(after)))
}

/// `GET /api/v1/items/{id}/referrals`: the case's referrals (audited like every read of a case).
#[utoipa::path(
    get,
    path = "/api/v1/items/{id}/referrals",
    tag = "referrals",
    operation_id = "list_referrals",
    description = "A case's referrals (audited like every read of a case; 403 when the case is hidden from the caller; notes and names withheld when the caller may only know the case exists). Roles: dispatcher, supervisor, admin, EMIU.",
    params(("id" = uuid::Uuid, Path, description = "The item id")),
    responses(
        (status = 200, body = crate::web::schemas::emergency::ReferralList),
        (status = 404, description = "No such item", body = ErrorBody),
        (status = 422, description = "`id` is not a UUID", body = ErrorBody),
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(id): PathParam<ItemId>,
) -> Result<Json<Value>> {
    caller.require(CASE_WORKERS)?;
    let (_, visibility) = lookup(&state, &caller, id)?;
    audit(
        state.store.as_ref(),
        &caller,
        "view_referrals",
        id,
        visibility,
    )
    .await?;
    if visibility == access::Visibility::Hidden {
        return Err(Error::Forbidden(
            "this case is not visible to your role".into(),
        ));
    }
    let mut referrals = state.emergency.referrals_for(id).await?;
    if visibility != access::Visibility::Full {
        for r in &mut referrals {
            r.withhold();
        }
    }
    Ok(Json(json!({ "item_id": id, "referrals": referrals })))
}
