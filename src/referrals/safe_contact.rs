//! Safe contact: 'do not call back / no SMS'. In a domestic-violence case the aggressor may hold
//! the phone, so once a case is marked, its numbers are stored and every outbound path — the
//! missed-call callback, scheduled follow-ups, the SMS outbox — asks [`is_contact_blocked`]
//! first and sends nothing to them.

use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::access::Caller;
use crate::core::state::StateView;
use crate::core::Command;
use crate::domain::parse;
use crate::domain::{CaseRecord, Details};
use crate::error::{Error, Result};
use crate::state::AppState;
use crate::store::{EmergencyStore, StoreError};
use crate::web::extract::{AppJson, PathParam};
use crate::web::schemas::common::{BodyRefusals, ErrorBody, Refusals};

/// Whether no automatic message or callback may go to `phone`. Numbers are compared in the
/// normalised form of `domain::parse::phone`; one that does not parse is not a number we can
/// call, so it is reported blocked.
pub async fn is_contact_blocked(
    store: &dyn EmergencyStore,
    phone: &str,
) -> Result<bool, StoreError> {
    match parse::phone("phone", phone) {
        Ok(normalised) => store.is_contact_blocked(&normalised).await,
        Err(_) => Ok(true),
    }
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SafeContactDto {
    /// Further numbers of the victim to protect, beside the case's own.
    #[serde(default)]
    #[schema(schema_with = crate::web::schemas::emergency::phones)]
    pub phones: Vec<String>,
}

/// `POST /api/v1/items/{id}/safe-contact`: marks the case's numbers 'do not call back / no SMS'.
#[utoipa::path(
    post,
    path = "/api/v1/items/{id}/safe-contact",
    tag = "referrals",
    operation_id = "mark_safe_contact",
    description = "Marks the case's number and `phones` 'do not call back / no SMS': stored before the event, so nothing automatic goes to them afterwards. Roles: dispatcher, supervisor, admin, EMIU; acting on a case also needs to see it in full (the dispatcher handling it, EMIU, supervisors).",
    params(("id" = uuid::Uuid, Path, description = "The item id")),
    request_body = SafeContactDto,
    responses(
        (status = 200, body = crate::web::schemas::emergency::SafeContactAnswer),
        (status = 404, description = "No such item", body = ErrorBody),
        (status = 409, description = "The item is closed", body = ErrorBody),
        BodyRefusals,
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub async fn mark(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(id): PathParam<String>,
    AppJson(dto): AppJson<SafeContactDto>,
) -> Result<Json<Value>> {
    let item_id = super::referral::acting_on(&state, &caller, &id)?;
    if dto.phones.len() > 5 {
        return Err(Error::validation("phones", "at most 5 numbers"));
    }
    let mut phones = Vec::new();
    for (i, p) in dto.phones.iter().enumerate() {
        phones.push(parse::phone(&format!("phones[{i}]"), p)?);
    }
    let own = state
        .core
        .read(|s| match s.item(&item_id).map(|i| &i.details) {
            Some(Details::Call { caller_number, .. }) => Some(caller_number.clone()),
            Some(Details::Callback { phone, .. }) => Some(phone.clone()),
            _ => None,
        });
    if let Some(n) = own.filter(|n| n != "withheld" && n != "***") {
        if let Ok(n) = parse::phone("phone", &n) {
            phones.insert(0, n);
        }
    }
    phones.dedup();
    if phones.is_empty() {
        return Err(Error::validation(
            "phones",
            "the case has no number; give the numbers to protect",
        ));
    }
    // Stored before the event: once the dispatcher sees the mark, nothing can go out.
    for p in &phones {
        state
            .emergency
            .block_contact(p, item_id, &caller.name)
            .await?;
    }
    state
        .core
        .execute(
            &caller.name,
            Command::Record {
                item_id,
                record: CaseRecord::SafeContact {
                    phones: phones.clone(),
                },
            },
        )
        .await?;
    Ok(Json(json!({ "item_id": item_id, "blocked": phones })))
}
