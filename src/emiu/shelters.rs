//! Shelters and their free places. A placement takes one place in one conditional update, so
//! the last place cannot be given twice.

use axum::extract::State;
use axum::Json;
use serde_json::{json, Value};

use crate::access::Caller;
use crate::error::Result;
use crate::referrals::referral::CASE_WORKERS;
use crate::state::AppState;
use crate::store::emergency::ShelterRecord;
use crate::web::schemas::common::Refusals;

/// `GET /api/v1/shelters`: names and free places (shelter addresses are never served).
#[utoipa::path(
    get,
    path = "/api/v1/shelters",
    tag = "emiu",
    operation_id = "list_shelters",
    description = "Shelters and their free places (addresses are never served). Roles: dispatcher, supervisor, admin, EMIU.",
    responses(
        (status = 200, body = crate::web::schemas::emergency::ShelterList),
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub async fn list(State(state): State<AppState>, caller: Caller) -> Result<Json<Value>> {
    caller.require(CASE_WORKERS)?;
    Ok(Json(
        json!({ "shelters": state.emergency.shelters().await? }),
    ))
}

/// Synthetic demo shelters (invented names and capacities).
pub fn demo() -> Vec<ShelterRecord> {
    [
        ("ADP-1", "Adăpostul pentru victime — Casa Speranța", 12, 4),
        (
            "ADP-2",
            "Centrul de primire în regim de urgență — Casa Liliacului",
            8,
            2,
        ),
        ("ADP-3", "Locuință protejată — Casa Teilor", 6, 1),
    ]
    .into_iter()
    .map(|(id, name, capacity, free)| ShelterRecord {
        id: id.into(),
        name: name.into(),
        capacity,
        free_places: free,
    })
    .collect()
}
