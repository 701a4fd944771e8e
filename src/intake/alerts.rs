//! `POST /api/v1/alerts`: TeleAsistență alarms from alarm receivers.

use axum::extract::State;
use axum::response::Response;
use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::{parse, respond};
use crate::core::Command;
use crate::domain::{AlarmType, Details};
use crate::error::{Error, Result};
use crate::http::auth::{Caller, Role};
use crate::http::extract::AppJson;
use crate::state::AppState;

/// An alarm as a receiver sends it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlertDto {
    pub device_id: String,
    pub alarm_type: String,
    /// Time at the device (RFC 3339). A device with a wrong clock still raises its alarm: the
    /// queue runs on the time of receipt, this is kept for the record.
    pub device_time: DateTime<Utc>,
    /// The receiver's own id of this alarm; with the device id it identifies retransmissions.
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
pub async fn post(
    State(AppState { core, .. }): State<AppState>,
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
    let outcome = core
        .execute(
            &caller.name,
            Command::Create {
                details,
                key: Some(key),
            },
        )
        .await?;
    respond(outcome)
}
