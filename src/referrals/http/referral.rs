//! Categorising a call, referring the case to a DAS service, and the service's acknowledgement.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::Utc;
use serde::Deserialize;
use uuid::Uuid;

use super::{acting_on, audited_read};
use crate::access::{self, Caller, DISPATCH};
use crate::domain::parse;
use crate::domain::{CallCategory, CaseRecord, ItemId};
use crate::error::ErrorBody;
use crate::error::{Error, Result};
use crate::referrals::rules::{not_visible, CASE_WORKERS};
use crate::referrals::{case_file, directory, referral};
use crate::state::AppState;
use crate::store::emergency::ReferralRecord;
use crate::web::extract::{AppJson, PathParam};
use crate::web::schemas::common::{BodyRefusals, Refusals};
use crate::web::schemas::emergency::{ReferralList, ServiceList};
use crate::web::view::{answer, audit, lookup};

/// `GET /api/v1/referrals/services`: the active services of the directory.
#[utoipa::path(
    get,
    path = "/api/v1/referrals/services",
    tag = "referrals",
    operation_id = "list_referral_services",
    description = "The active services of the directory cases are referred to (DAS units and NGO partners; the same as `GET /api/v1/services` without a query). Roles: dispatcher, supervisor, admin, EMIU.",
    responses(
        (status = 200, body = crate::web::schemas::emergency::ServiceList),
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn services(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<ServiceList>> {
    caller.require(CASE_WORKERS)?;
    Ok(Json(ServiceList {
        services: state.emergency.search_services(&[], false).await?,
    }))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CategoriseDto {
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
pub(crate) async fn categorise(
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
    let record = CaseRecord::Categorised { category };
    let out = case_file::record(&state.core, &caller.name, item_id, record).await?;
    answer(&state, &caller, "categorise", out).await
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ReferDto {
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
    description = "Refers a case to an active service of the directory (`service`: its id; 422 naming `service` when unknown or inactive); the service must acknowledge by the referral's `ack_due_at` (its deadline), or the referral is escalated to the supervisor. The note is written for the service: it is shown in the service's inbox. Recorded in the case file. Roles: dispatcher, supervisor, admin, EMIU; acting on a case also needs to see it in full (the dispatcher handling it, EMIU, supervisors).",
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
pub(crate) async fn refer(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(id): PathParam<String>,
    AppJson(dto): AppJson<ReferDto>,
) -> Result<(StatusCode, Json<ReferralRecord>)> {
    let item_id = acting_on(&state, &caller, &id)?;
    let service = directory::active(state.emergency.as_ref(), &dto.service).await?;
    let note = parse::text("note", &dto.note, 2000)?;
    let now = Utc::now();
    let record = ReferralRecord {
        id: Uuid::now_v7(),
        item_id,
        service: service.id.clone(),
        note,
        created_by: caller.name.clone(),
        created_at: now,
        acknowledged_by: None,
        acknowledged_at: None,
        ack_due_at: Some(now + chrono::Duration::minutes(service.ack_deadline_minutes)),
        escalated_at: None,
        outcome: None,
        outcome_reason: None,
        outcome_note: String::new(),
        outcome_by: None,
        outcome_at: None,
    };
    referral::refer(state.emergency.as_ref(), &state.core, &record).await?;
    Ok((StatusCode::CREATED, Json(record)))
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
pub(crate) async fn acknowledge(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(id): PathParam<String>,
) -> Result<Json<ReferralRecord>> {
    caller.require(DISPATCH)?;
    let rid = Uuid::parse_str(&id)
        .map_err(|_| Error::validation("id", "must be a referral id (UUID)"))?;
    let before = referral::find(state.emergency.as_ref(), rid).await?;
    // Acting on the referral is acting on its case: the caller must see the case in full.
    acting_on(&state, &caller, &before.item_id.to_string())?;
    let after =
        referral::acknowledge(state.emergency.as_ref(), &state.core, &caller.name, &before).await?;
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
    Ok(Json(after))
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
pub(crate) async fn list(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(id): PathParam<ItemId>,
) -> Result<Json<ReferralList>> {
    caller.require(CASE_WORKERS)?;
    let (_, visibility) = audited_read(&state, &caller, id, "view_referrals").await?;
    if visibility == access::Visibility::Hidden {
        return Err(not_visible());
    }
    let mut referrals = state.emergency.referrals_for(id).await?;
    if visibility != access::Visibility::Full {
        for r in &mut referrals {
            r.withhold();
        }
    }
    Ok(Json(ReferralList {
        item_id: id,
        referrals,
    }))
}
