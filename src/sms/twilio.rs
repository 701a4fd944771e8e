//! A Twilio-compatible Messages API client: form-encoded `To`, `From`, `Body`, HTTP basic auth
//! with the account SID and token, the created message's `sid` in the JSON answer.

use secrecy::ExposeSecret;
use serde::Deserialize;
use std::time::Duration;

use super::SmsConfig;

/// What a send attempt gave.
#[derive(Debug, PartialEq, Eq)]
pub enum SendError {
    /// Worth retrying: network trouble, 429, 5xx.
    Transient(String),
    /// The provider refused the message itself (bad number, bad credentials): retrying cannot help.
    Permanent(String),
}

#[derive(Deserialize)]
struct Created {
    sid: String,
}

pub struct TwilioClient {
    http: reqwest::Client,
    url: String,
    sid: String,
    token: secrecy::SecretString,
    from: String,
}

impl TwilioClient {
    pub fn new(config: &SmsConfig) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(config.timeout_s))
            .build()?;
        Ok(Self {
            http,
            url: format!(
                "{}/2010-04-01/Accounts/{}/Messages.json",
                config.base_url.trim_end_matches('/'),
                config.account_sid
            ),
            sid: config.account_sid.clone(),
            token: config.auth_token.clone(),
            from: config.from.clone(),
        })
    }

    /// Sends one message; returns the provider's message SID.
    pub async fn send(&self, key: &str, to: &str, body: &str) -> Result<String, SendError> {
        let response = self
            .http
            .post(&self.url)
            .basic_auth(&self.sid, Some(self.token.expose_secret()))
            .header("Idempotency-Key", key)
            .form(&[("To", to), ("From", self.from.as_str()), ("Body", body)])
            .send()
            .await
            .map_err(|e| SendError::Transient(format!("request failed: {}", e.without_url())))?;
        let status = response.status();
        if status.is_success() {
            return response
                .json::<Created>()
                .await
                .map(|c| c.sid)
                .map_err(|e| SendError::Transient(format!("unreadable answer: {e}")));
        }
        let message = format!("provider answered {}", status.as_u16());
        if status.as_u16() == 429 || status.is_server_error() {
            Err(SendError::Transient(message))
        } else {
            Err(SendError::Permanent(message))
        }
    }
}
