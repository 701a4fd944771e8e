//! The emergency line over telephony: Twilio-compatible webhooks.
//!
//! - [`signature`]: `X-Twilio-Signature` (HMAC-SHA1 of URL + sorted parameters).
//! - [`twiml`]: the XML answers.
//! - `webhooks`: `POST /telephony/voice`, `/telephony/voice/status` (also as the `<Dial>` and
//!   `<Enqueue>` action), `/telephony/voice/hold`, `/telephony/sms`.
//!
//! The provider authenticates by signing every request with the account's auth token; an
//! unsigned or badly signed request gets 403 and changes nothing. An incoming call becomes a
//! call card at once (matched to a known beneficiary or carer), and the caller is connected to
//! the on-duty dispatcher's phone or held in a queue with a Romanian message. A call nobody
//! answers becomes a P2 'call back' item — unless its number is marked safe-contact.

pub mod signature;
pub mod twiml;
pub(crate) mod webhooks;

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

pub use webhooks::router;

/// `[telephony]` in the configuration.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TelephonyConfig {
    /// Key of the webhook signatures; `Debug` redacts it.
    pub auth_token: SecretString,
    pub public_url: String,
    pub dispatcher_phone: String,
    pub dial_timeout_s: u32,
    pub queue_name: String,
    pub greeting: String,
    pub hold_message: String,
    pub hold_music_url: String,
}

impl TelephonyConfig {
    pub fn validate(&self) -> anyhow::Result<()> {
        anyhow::ensure!(
            self.public_url.is_empty()
                || self.public_url.starts_with("https://")
                || self.public_url.starts_with("http://"),
            "telephony.public_url: must be empty or start with https:// or http://"
        );
        anyhow::ensure!(
            (5..=120).contains(&self.dial_timeout_s),
            "telephony.dial_timeout_s: must be 5-120"
        );
        anyhow::ensure!(
            !self.queue_name.trim().is_empty(),
            "telephony.queue_name: must not be empty"
        );
        if !self.dispatcher_phone.is_empty() {
            crate::intake::parse::phone("telephony.dispatcher_phone", &self.dispatcher_phone)
                .map_err(|e| anyhow::anyhow!("telephony.dispatcher_phone: {e}"))?;
        }
        Ok(())
    }

    pub(crate) fn token(&self) -> &str {
        self.auth_token.expose_secret()
    }
}
