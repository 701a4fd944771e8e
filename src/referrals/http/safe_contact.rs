//! `POST /api/v1/items/{id}/safe-contact`: 'do not call back / no SMS'.

use axum::extract::State;
use axum::Json;
use serde::Deserialize;

use super::acting_on;
use crate::access::Caller;
use crate::domain::parse;
use crate::error::ErrorBody;
use crate::error::{Error, Result};
use crate::referrals::safe_contact;
use crate::state::AppState;
use crate::web::extract::{AppJson, PathParam};
use crate::web::schemas::common::{BodyRefusals, Refusals};
use crate::web::schemas::emergency::SafeContactAnswer;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct SafeContactDto {
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
pub(crate) async fn mark(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(id): PathParam<String>,
    AppJson(dto): AppJson<SafeContactDto>,
) -> Result<Json<SafeContactAnswer>> {
    let item_id = acting_on(&state, &caller, &id)?;
    if dto.phones.len() > 5 {
        return Err(Error::validation("phones", "at most 5 numbers"));
    }
    let mut phones = Vec::new();
    for (i, p) in dto.phones.iter().enumerate() {
        phones.push(parse::phone(&format!("phones[{i}]"), p)?);
    }
    let blocked = safe_contact::mark(
        state.emergency.as_ref(),
        &state.core,
        &caller.name,
        item_id,
        phones,
    )
    .await?;
    Ok(Json(SafeContactAnswer { item_id, blocked }))
}
