//! `POST /api/v1/teleasistenta/checkins`: a device's heartbeat, relayed by the alarm receiver;
//! and the monitor of silent devices, started with the service's state.

use axum::extract::State;
use axum::Json;
use chrono::{SubsecRound, Utc};
use serde::Deserialize;

use crate::access::{Caller, Role};
use crate::domain::parse;
use crate::error::ErrorBody;
use crate::error::{Error, Result};
use crate::state::AppState;
use crate::teleasistenta::rules::checkin::due_at;
use crate::teleasistenta::{checkin, monitor};
use crate::web::extract::AppJson;
use crate::web::schemas::common::{BodyRefusals, Refusals};
use crate::web::schemas::emergency::CheckinAnswer;

/// Starts the check-in monitor until shutdown.
pub(crate) fn spawn_monitor(state: AppState) {
    let c = &state.config.teleasistenta;
    monitor::spawn(
        state.emergency.clone(),
        state.core.clone(),
        c.checkin_grace_s,
        std::time::Duration::from_millis(c.monitor_interval_ms),
        state.shutdown.child_token(),
    );
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CheckinDto {
    #[schema(pattern = "^[A-Za-z0-9._:/-]{1,64}$")]
    pub device_id: String,
    #[serde(default)]
    #[schema(minimum = 0, maximum = 100)]
    pub battery_pct: Option<i32>,
}

#[utoipa::path(
    post,
    path = "/api/v1/teleasistenta/checkins",
    tag = "teleasistenta",
    operation_id = "post_checkin",
    description = "A device's periodic check-in, with its battery level: a reading under `teleasistenta.low_battery_pct` raises one low-battery item. Roles: receiver, dispatcher, supervisor, admin.",
    request_body = CheckinDto,
    responses(
        (status = 200, body = crate::web::schemas::emergency::CheckinAnswer),
        (status = 404, description = "No such device", body = ErrorBody),
        BodyRefusals,
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn post(
    State(state): State<AppState>,
    caller: Caller,
    AppJson(dto): AppJson<CheckinDto>,
) -> Result<Json<CheckinAnswer>> {
    caller.require(&[
        Role::Receiver,
        Role::Dispatcher,
        Role::Supervisor,
        Role::Admin,
    ])?;
    let device_id = parse::identifier("device_id", &dto.device_id, 64)?;
    if let Some(b) = dto.battery_pct {
        if !(0..=100).contains(&b) {
            return Err(Error::validation("battery_pct", "must be 0-100"));
        }
    }
    // Microseconds, as PostgreSQL keeps them, so both backends compare the same instants.
    let now = Utc::now().trunc_subsecs(6);
    let c = &state.config.teleasistenta;
    let (device, low_battery_item) = checkin::record(
        state.emergency.as_ref(),
        &state.core,
        &caller.name,
        &device_id,
        now,
        dto.battery_pct,
        c.low_battery_pct,
    )
    .await?;
    Ok(Json(CheckinAnswer {
        missed_after: due_at(&monitor::heartbeat(&device), c.checkin_grace_s),
        device_id,
        last_checkin_at: device.last_checkin_at,
        low_battery_item,
    }))
}
