//! The form parameters the telephony provider posts to the webhooks (Twilio's names), described
//! for the document. The handlers read them from the verified form (`telephony::webhooks::Signed`);
//! the provider sends more, which are ignored.

use serde::Serialize;
use utoipa::ToSchema;

/// An incoming call.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct VoiceForm {
    /// The provider's call id (`CA…`); the call card's idempotency key.
    pub call_sid: String,
    /// The caller's number; absent or unparseable is treated as withheld.
    pub from: Option<String>,
}

/// A call's status, after a dial or a queue.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct StatusForm {
    pub call_sid: String,
    pub from: Option<String>,
    /// After a dial: `completed`, `answered`, `busy`, `no-answer`, `failed`, `canceled`.
    pub dial_call_status: Option<String>,
    /// After a queue: `bridged`, `hangup`, `leave`, `error`, `system-error`...
    pub queue_result: Option<String>,
    pub call_status: Option<String>,
}

/// A queued call asking what to play; its parameters are not used.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct HoldForm {
    pub call_sid: Option<String>,
}

/// An incoming SMS.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct SmsForm {
    /// The provider's message id (`SM…`); the new card's idempotency key.
    pub message_sid: String,
    pub from: Option<String>,
    /// The text, at most 1600 characters.
    pub body: Option<String>,
}
