//! `GET /api/v1/shelters`.

use axum::extract::State;
use axum::Json;

use crate::access::Caller;
use crate::error::Result;
use crate::referrals::rules::CASE_WORKERS;
use crate::state::AppState;
use crate::web::schemas::common::Refusals;
use crate::web::schemas::emergency::ShelterList;

/// `GET /api/v1/shelters`: names and free places (shelter addresses are never served).
#[utoipa::path(
    get,
    path = "/api/v1/shelters",
    tag = "emiu",
    operation_id = "list_shelters",
    description = "The DV shelters of the bed registry and their free places, adults' and children's added up and apart (addresses are never served here). Roles: dispatcher, supervisor, admin, EMIU.",
    responses(
        (status = 200, body = crate::web::schemas::emergency::ShelterList),
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn list(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<ShelterList>> {
    caller.require(CASE_WORKERS)?;
    Ok(Json(ShelterList {
        shelters: crate::beds::registry::dv_shelters(state.emergency.as_ref()).await?,
    }))
}
