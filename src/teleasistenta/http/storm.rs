//! `GET /api/v1/storm`: whether an alarm storm is on.

use axum::extract::State;
use axum::Json;
use chrono::Utc;

use crate::access::{self, Caller, Visibility};
use crate::domain::Item;
use crate::error::Result;
use crate::state::AppState;
use crate::teleasistenta::rules::storm::{status, StormStatus};
use crate::web::schemas::common::Refusals;
use crate::web::view::STAFF;

/// `GET /api/v1/storm`.
#[utoipa::path(
    get,
    path = "/api/v1/storm",
    tag = "teleasistenta",
    operation_id = "get_storm",
    description = "Whether an alarm storm is on (at least `teleasistenta.storm_threshold` alarms within `storm_window_s`) and the devices with repeated open alarms, counting only what the caller may see. Roles: dispatcher, supervisor, admin, driver, EMIU.",
    responses(
        (status = 200, body = StormStatus),
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn get(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<StormStatus>> {
    caller.require(STAFF)?;
    let c = &state.config.teleasistenta;
    let body = state.core.read(|s| {
        // Only what the caller may see is counted.
        let visible: Vec<&Item> = s
            .items()
            .filter(|i| access::visibility(&caller, i) != Visibility::Hidden)
            .collect();
        status(
            visible.into_iter(),
            Utc::now(),
            c.storm_threshold,
            c.storm_window_s,
        )
    });
    Ok(Json(body))
}
