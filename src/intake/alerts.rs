//! `POST /api/v1/alerts`: TeleAsistență alarms from alarm receivers.

use axum::extract::State;
use axum::response::Response;
use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::{parse, respond};
use crate::core::Command;
use crate::domain::{AlarmType, Details, Item};
use crate::error::{Error, Result};
use crate::http::auth::{Caller, Role};
use crate::http::extract::AppJson;
use crate::http::openapi::schemas::{BodyRefusals, ErrorBody, Refusals};
use crate::state::AppState;

/// An alarm as a receiver sends it.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AlertDto {
    #[schema(pattern = r"^[A-Za-z0-9._:/-]{1,64}$")]
    pub device_id: String,
    #[schema(value_type = AlarmType)]
    pub alarm_type: String,
    /// Time at the device (RFC 3339). A device with a wrong clock still raises its alarm: the
    /// queue runs on the time of receipt, this is kept for the record.
    pub device_time: DateTime<Utc>,
    /// The receiver's own id of this alarm; with the device id it identifies retransmissions.
    #[schema(pattern = r"^[A-Za-z0-9._:/-]{1,64}$")]
    pub alarm_id: String,
}

impl AlertDto {
    fn parse(self, receiver: &str) -> Result<(Details, String)> {
        let device_id = parse::identifier("device_id", &self.device_id, 64)?;
        let alarm_type =
            AlarmType::parse(&self.alarm_type).map_err(|m| Error::validation("alarm_type", m))?;
        let alarm_id = parse::identifier("alarm_id", &self.alarm_id, 64)?;
        let key = format!("alert:{device_id}:{alarm_id}");
        Ok((
            Details::Alert {
                device_id,
                alarm_type,
                device_time: self.device_time,
                receiver_alarm_id: alarm_id,
                receiver: receiver.to_owned(),
            },
            key,
        ))
    }
}

/// Accepts an alarm. 201 with the new item; 200 with the first item for a retransmission.
#[utoipa::path(
    post,
    path = "/api/v1/alerts",
    tag = "intake",
    operation_id = "post_alert",
    description = "A TeleAsistență alarm from an alarm receiver (role receiver, or dispatch). \
        Deduplicated by `device_id` and `alarm_id`: a retransmission answers 200 with the first item.",
    request_body = AlertDto,
    responses(
        (status = 201, description = "Stored and queued", body = Item, headers(("location" = String))),
        (status = 200, description = "A retransmission: the item the first copy created", body = Item, headers(("location" = String))),
        (status = 429, description = "The credential's rate limit is spent (`limits.intake_*`); nothing was stored. P1 items are never refused: they are accepted and flagged `rate_limited`.", body = ErrorBody, headers(("retry-after" = u64, description = "Seconds to wait"))),
        BodyRefusals,
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub async fn post(
    State(AppState {
        core,
        intake_limiter,
        ..
    }): State<AppState>,
    caller: Caller,
    AppJson(dto): AppJson<AlertDto>,
) -> Result<Response> {
    caller.require(&[
        Role::Receiver,
        Role::Dispatcher,
        Role::Supervisor,
        Role::Admin,
    ])?;
    let (details, key) = dto.parse(&caller.name)?;
    let rate_limited = intake_limiter.admit(&caller.name, &details)?.flagged();
    let outcome = core
        .execute(
            &caller.name,
            Command::Create {
                details,
                key: Some(key),
                rate_limited,
            },
        )
        .await?;
    respond(outcome)
}
