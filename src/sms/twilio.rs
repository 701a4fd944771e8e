//! A Twilio-compatible Messages API client: form-encoded `To`, `From`, `Body`, HTTP basic auth
//! with the account SID and token, the created message's `sid` in the JSON answer; and the
//! message list (`GET` on the same resource, filtered by `To` and `From`), to find out whether an
//! attempt whose answer was lost was sent.

use secrecy::ExposeSecret;
use serde::Deserialize;
use std::time::Duration;

use crate::config::SmsConfig;

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

/// A page of `GET …/Messages.json` (newest first).
#[derive(Deserialize)]
struct Page {
    messages: Vec<Listed>,
}

#[derive(Deserialize)]
struct Listed {
    sid: String,
    body: String,
    /// RFC 2822, e.g. `Wed, 18 Aug 2010 20:01:40 +0000`.
    date_created: String,
    status: String,
}

/// How many of the newest messages to one number are searched for an earlier attempt.
const LOOKUP_PAGE: &str = "50";

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

    /// The SID of a message with this body that the provider accepted for `to` from our number
    /// at or after `since`, if any: how a retry learns that an attempt whose answer never
    /// arrived (a timeout, or a crash before the row was marked) was in fact sent. Messages the
    /// provider reports as failed or undelivered do not count.
    pub async fn find_sent(
        &self,
        to: &str,
        body: &str,
        since: chrono::DateTime<chrono::Utc>,
    ) -> Result<Option<String>, SendError> {
        let response = self
            .http
            .get(&self.url)
            .basic_auth(&self.sid, Some(self.token.expose_secret()))
            .query(&[
                ("To", to),
                ("From", self.from.as_str()),
                ("PageSize", LOOKUP_PAGE),
            ])
            .send()
            .await
            .map_err(|e| SendError::Transient(format!("lookup failed: {}", e.without_url())))?;
        let status = response.status();
        if !status.is_success() {
            return Err(SendError::Transient(format!(
                "provider answered {} to a lookup",
                status.as_u16()
            )));
        }
        let page: Page = response
            .json()
            .await
            .map_err(|e| SendError::Transient(format!("unreadable lookup: {e}")))?;
        Ok(page
            .messages
            .into_iter()
            .find(|m| {
                m.body == body
                    && !matches!(m.status.as_str(), "failed" | "undelivered" | "canceled")
                    && chrono::DateTime::parse_from_rfc2822(&m.date_created)
                        .is_ok_and(|at| at >= since)
            })
            .map(|m| m.sid))
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
