//! `POST /api/v1/teleasistenta/checkins`: a device's heartbeat, relayed by the alarm receiver.
//! A battery reading under the configured level raises one low-battery item until the battery
//! is above it again.

use axum::extract::State;
use axum::Json;
use chrono::{SubsecRound, Utc};
use serde::Deserialize;
use serde_json::{json, Value};

use super::monitor::due_at;
use crate::access::{Caller, Role};
use crate::core::Command;
use crate::domain::parse;
use crate::domain::{AlarmType, Details};
use crate::error::{Error, Result};
use crate::state::AppState;
use crate::web::extract::AppJson;
use crate::web::schemas::common::{BodyRefusals, ErrorBody, Refusals};

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckinDto {
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
pub async fn post(
    State(state): State<AppState>,
    caller: Caller,
    AppJson(dto): AppJson<CheckinDto>,
) -> Result<Json<Value>> {
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
    let device = state
        .emergency
        .record_checkin(&device_id, now, dto.battery_pct)
        .await?
        .ok_or_else(|| Error::NotFound(format!("device {device_id}")))?;
    let threshold = state.config.teleasistenta.low_battery_pct;
    let mut low_battery_item = None;
    match dto.battery_pct {
        Some(b) if b < threshold && !device.low_battery_raised => {
            let out = state
                .core
                .execute(
                    &caller.name,
                    Command::Create {
                        details: Details::Alert {
                            device_id: device_id.clone(),
                            alarm_type: AlarmType::LowBattery,
                            device_time: now,
                            receiver_alarm_id: format!("battery-{}", now.timestamp_millis()),
                            receiver: caller.name.clone(),
                        },
                        key: Some(format!(
                            "low-battery:{device_id}:{}",
                            now.timestamp_millis()
                        )),
                        rate_limited: false,
                    },
                )
                .await?;
            state
                .emergency
                .set_low_battery_raised(&device_id, true)
                .await?;
            if let crate::core::Outcome::Item { item, .. } = out {
                low_battery_item = Some(item.id);
            }
        }
        Some(b) if b >= threshold && device.low_battery_raised => {
            state
                .emergency
                .set_low_battery_raised(&device_id, false)
                .await?;
        }
        _ => {}
    }
    let grace = state.config.teleasistenta.checkin_grace_s;
    Ok(Json(json!({
        "device_id": device_id,
        "last_checkin_at": device.last_checkin_at,
        "missed_after": due_at(&device, grace),
        "low_battery_item": low_battery_item,
    })))
}
