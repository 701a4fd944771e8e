//! `POST /api/v1/alerts`: TeleAsistență alarms from alarm receivers.
//!
//! A receiver reads nothing, so the answer is a receipt (id, status), never the item: a
//! retransmission of an alarm that dispatchers have since worked on would otherwise hand back
//! their notes and the outcome. Retransmissions are recognised per sending credential, so one
//! receiver can neither reach nor suppress another's alarm by reusing its device and alarm ids.

use axum::extract::State;
use axum::response::Response;
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::access::{Caller, Role};
use crate::core::{Command, Outcome};
use crate::domain::parse;
use crate::domain::{AlarmType, Details, ItemId, Status};
use crate::error::ErrorBody;
use crate::error::{Error, Result};
use crate::state::AppState;
use crate::web::extract::AppJson;
use crate::web::schemas::common::{BodyRefusals, Refusals};

/// An alarm as a receiver sends it.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct AlertDto {
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
    fn parse(self, sender: &Caller) -> Result<(Details, String)> {
        let device_id = parse::identifier("device_id", &self.device_id, 64)?;
        let alarm_type =
            AlarmType::parse(&self.alarm_type).map_err(|m| Error::validation("alarm_type", m))?;
        let alarm_id = parse::identifier("alarm_id", &self.alarm_id, 64)?;
        let key = dedupe_key(sender, &device_id, &alarm_id);
        Ok((
            Details::Alert {
                device_id,
                alarm_type,
                device_time: self.device_time,
                receiver_alarm_id: alarm_id,
                receiver: sender.name.clone(),
            },
            key,
        ))
    }
}

/// The idempotency key of an alarm: the sending credential (role and name), the device and the
/// receiver's alarm id. `|` cannot occur in any of them (names and ids are
/// `parse::identifier`s; role names are fixed words), so two different alarms never share a key,
/// even though `:` may occur inside each part. Keys stored before this format
/// (`alert:{device}:{alarm id}`) contain no `|` and match no new alarm: a receiver retransmitting
/// across the upgrade gets one new item at most.
fn dedupe_key(sender: &Caller, device_id: &str, alarm_id: &str) -> String {
    format!(
        "alert:{}|{}|{device_id}|{alarm_id}",
        sender.role.as_str(),
        sender.name
    )
}

/// What the sender of an alarm is told: that it is stored, under which id, and how it stands.
/// Never the item: a receiver reads nothing, and the item gathers dispatchers' notes and an
/// outcome that a retransmission must not hand back. Dispatch roles read the item with
/// `GET /api/v1/items/{id}`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct AlertReceipt {
    pub id: ItemId,
    pub status: Status,
    /// False for a retransmission of an alarm this credential already sent (answered 200).
    pub created: bool,
}

/// 201 + the receipt for a new item, 200 + the receipt of the first item for a repeat.
fn receipt(outcome: Outcome) -> Result<Response> {
    let (item, created) = super::created_item(outcome)?;
    let body = AlertReceipt {
        id: item.id,
        status: item.status,
        created,
    };
    Ok(super::created_answer(created, item.id, Json(body)))
}

/// Accepts an alarm: 201 with a receipt, 200 with the first one's receipt for a retransmission.
#[utoipa::path(
    post,
    path = "/api/v1/alerts",
    tag = "intake",
    operation_id = "post_alert",
    description = "A TeleAsistență alarm from an alarm receiver (role receiver, or dispatch). \
        Deduplicated per sending credential by `device_id` and `alarm_id`: a retransmission \
        answers 200 with the receipt of the first item; another credential sending the same ids \
        gets its own item. An alarm of a device that already has an open alert of the same \
        `alarm_type` is attached to it as a repeat (a `repeated` event, counted in `repeats`) \
        and answers 200 with that item's receipt; a different alarm type is a new item. The \
        item's `subject` is the device's beneficiary from the TeleAsistență registry. The answer is a receipt (id, status), never the item: dispatch roles \
        read the item at its `location`.",
    request_body = AlertDto,
    responses(
        (status = 201, description = "Stored and queued", body = AlertReceipt, headers(("location" = String))),
        (status = 200, description = "A retransmission by the same credential: the receipt of the item the first copy created, as it stands now; or a repeat attached to the device's open alert of the same type: that item's receipt", body = AlertReceipt, headers(("location" = String))),
        (status = 429, description = "The credential's rate limit is spent (`limits.intake_*`); nothing was stored. P1 items are never refused: they are accepted and flagged `rate_limited`.", body = ErrorBody, headers(("retry-after" = u64, description = "Seconds to wait"))),
        BodyRefusals,
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn post(
    State(AppState {
        core,
        intake_limiter,
        emergency,
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
    let (details, key) = dto.parse(&caller)?;
    let rate_limited = intake_limiter.admit(&caller.name, &details)?.flagged();
    let subject = match &details {
        Details::Alert { device_id, .. } => {
            crate::teleasistenta::subject::of_device(emergency.as_ref(), device_id).await?
        }
        _ => None,
    };
    let outcome = core
        .execute(
            &caller.name,
            Command::Create {
                details,
                subject,
                key: Some(key),
                rate_limited,
            },
        )
        .await?;
    receipt(outcome)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sender(role: Role, name: &str) -> Caller {
        Caller {
            name: name.into(),
            role,
            resource: None,
        }
    }

    #[test]
    fn the_dedupe_key_belongs_to_the_sending_credential() {
        let a = sender(Role::Receiver, "receiver-a");
        let b = sender(Role::Receiver, "receiver-b");
        assert_eq!(dedupe_key(&a, "TA-1", "7"), dedupe_key(&a, "TA-1", "7"));
        assert_ne!(dedupe_key(&a, "TA-1", "7"), dedupe_key(&b, "TA-1", "7"));
        // A dispatcher account with a receiver's name is another sender.
        let d = sender(Role::Dispatcher, "receiver-a");
        assert_ne!(dedupe_key(&a, "TA-1", "7"), dedupe_key(&d, "TA-1", "7"));
    }

    #[test]
    fn colons_inside_names_and_ids_cannot_make_two_alarms_share_a_key() {
        let plain = sender(Role::Receiver, "r");
        let coloned = sender(Role::Receiver, "r:TA");
        assert_ne!(
            dedupe_key(&plain, "TA:1", "7"),
            dedupe_key(&coloned, "1", "7")
        );
        assert_ne!(
            dedupe_key(&plain, "TA:1", "7"),
            dedupe_key(&plain, "TA", "1:7")
        );
        // And no new key looks like one of the old format (`alert:{device}:{alarm id}`).
        assert!(dedupe_key(&plain, "TA-1", "7").contains('|'));
    }
}
