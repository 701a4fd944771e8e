//! Outbound calls: a dispatcher asks to call back a caller, a beneficiary or one of their
//! carers (`POST /api/v1/items/{id}/dial`); the provider rings that number from
//! `telephony.calls_from` and, once it is answered, connects it to the dispatch desk.
//!
//! The number is resolved here, on the server, from the item (a call's caller number, a
//! callback's phone) or the TeleAsistență device registry (the beneficiary's phone, carer N in
//! call order); the console never sends one. A safe-contact number ('do not call back': the
//! aggressor may hold the phone) is refused, and so is a withheld or missing one.
//!
//! # Never on the request path
//! The request writes one row of the durable call outbox (`store::calls`) and answers 202; the
//! worker started by `startup` places it with the Twilio-compatible Calls API
//! (`POST {base}/2010-04-01/Accounts/{sid}/Calls.json`, form `To`, `From`, `Url`, basic auth
//! with the `[sms]` account) with retries and exponential backoff. Each attempt first claims
//! its row (one conditional update), so two instances never place one call, and a row marked
//! `sent` is never placed again; the call id travels as `Idempotency-Key`. What is left: an
//! attempt whose answer is lost (a timeout after the provider accepted it) is placed again on
//! retry unless the provider honours the key — a second ring, never a lost call.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use secrecy::ExposeSecret;
use serde::Deserialize;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;
use tracing::{debug, info, warn};

use crate::config::{SmsConfig, TelephonyConfig};
use crate::domain::{Details, Item};
use crate::error::{Error, Result};
use crate::referrals::is_contact_blocked;
use crate::store::{CallOutbox, EmergencyStore, OutgoingCall};

/// Whom to call about an item.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum DialTarget {
    /// The number the call came from, or the callback's number.
    Caller,
    /// The TeleAsistență beneficiary of the alert's device.
    Beneficiary,
    /// Carer N (1-based, in call order) of the alert's beneficiary.
    Carer(usize),
}

impl DialTarget {
    /// The code stored with the row and in the case record: `caller`, `beneficiary`, `carer:N`.
    pub(crate) fn code(self) -> String {
        match self {
            DialTarget::Caller => "caller".into(),
            DialTarget::Beneficiary => "beneficiary".into(),
            DialTarget::Carer(n) => format!("carer:{n}"),
        }
    }
}

/// The refusal of a dial without a number to call.
fn no_number(field: &str, why: &str) -> Error {
    Error::invalid_because(field, "no_number", why)
}

/// The number to call for `target` about `item`, checked against safe contact: 422 `no_number`
/// (withheld, none, no such carer), 409 `contact_blocked`.
pub(crate) async fn resolve(
    emergency: &dyn EmergencyStore,
    item: &Item,
    target: DialTarget,
) -> Result<String> {
    let device = match &item.details {
        Details::Alert { device_id, .. } => emergency.device(device_id).await?,
        _ => None,
    };
    let number = match (target, &item.details) {
        (DialTarget::Caller, Details::Call { caller_number, .. }) => caller_number.clone(),
        (DialTarget::Caller, Details::Callback { phone, .. }) => phone.clone(),
        (DialTarget::Caller, _) => {
            return Err(no_number("target", "this item has no caller number"))
        }
        (DialTarget::Beneficiary, _) => device
            .as_ref()
            .map(|d| d.phone.clone())
            .ok_or_else(|| no_number("target", "no beneficiary is known for this item"))?,
        (DialTarget::Carer(n), _) => device
            .as_ref()
            .and_then(|d| n.checked_sub(1).and_then(|i| d.carers.get(i)))
            .map(|c| c.phone.clone())
            .ok_or_else(|| no_number("carer", "no such carer for this item"))?,
    };
    let number = number.trim();
    if number.is_empty() || number.eq_ignore_ascii_case("withheld") {
        return Err(no_number("target", "the number is withheld or unknown"));
    }
    let number = crate::domain::parse::phone("target", number)
        .map_err(|_| no_number("target", "the number is not a phone number"))?;
    if is_contact_blocked(emergency, &number).await? {
        metrics::counter!("dispecer_dial_refused_safe_contact_total").increment(1);
        return Err(Error::conflict_because(
            "contact_blocked",
            "this number is marked 'do not call back'",
        ));
    }
    Ok(number)
}

/// The handle dial requests go through.
#[derive(Clone)]
pub struct Calls {
    outbox: Arc<dyn CallOutbox>,
    /// Wakes the worker at once after an enqueue.
    wake: Arc<Notify>,
}

impl Calls {
    pub fn new(outbox: Arc<dyn CallOutbox>) -> Self {
        Self {
            outbox,
            wake: Arc::new(Notify::new()),
        }
    }

    /// Writes the call durably and wakes the worker.
    pub(crate) async fn enqueue(&self, call: &OutgoingCall) -> Result<()> {
        self.outbox.insert_call(call, Utc::now()).await?;
        metrics::counter!("dispecer_calls_enqueued_total").increment(1);
        self.wake.notify_one();
        Ok(())
    }

    pub fn outbox(&self) -> &Arc<dyn CallOutbox> {
        &self.outbox
    }
}

/// What one attempt gave.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum CallError {
    /// Worth retrying: network trouble, 429, 5xx.
    Transient(String),
    /// The provider refused the call itself: retrying cannot help.
    Permanent(String),
}

#[derive(Deserialize)]
struct Created {
    sid: String,
}

/// A Twilio-compatible Calls API client.
pub(crate) struct CallsClient {
    http: reqwest::Client,
    url: String,
    sid: String,
    token: secrecy::SecretString,
    from: String,
    /// `{public_url}/telephony/voice/outbound/`: the call id completes the TwiML URL.
    twiml_base: String,
}

impl CallsClient {
    pub(crate) fn new(sms: &SmsConfig, telephony: &TelephonyConfig) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(sms.timeout_s))
            .build()?;
        Ok(Self {
            http,
            url: format!(
                "{}/2010-04-01/Accounts/{}/Calls.json",
                sms.base_url.trim_end_matches('/'),
                sms.account_sid
            ),
            sid: sms.account_sid.clone(),
            token: sms.auth_token.clone(),
            from: telephony.calls_from.clone(),
            twiml_base: format!(
                "{}/telephony/voice/outbound/",
                telephony.public_url.trim_end_matches('/')
            ),
        })
    }

    /// Places one call; returns the provider's call SID.
    pub(crate) async fn place(&self, call_id: &str, to: &str) -> Result<String, CallError> {
        let url = format!("{}{call_id}", self.twiml_base);
        let response = self
            .http
            .post(&self.url)
            .basic_auth(&self.sid, Some(self.token.expose_secret()))
            .header("Idempotency-Key", call_id)
            .form(&[("To", to), ("From", self.from.as_str()), ("Url", &url)])
            .send()
            .await
            .map_err(|e| CallError::Transient(format!("request failed: {}", e.without_url())))?;
        let status = response.status();
        if status.is_success() {
            return response
                .json::<Created>()
                .await
                .map(|c| c.sid)
                .map_err(|e| CallError::Transient(format!("unreadable answer: {e}")));
        }
        let message = format!("provider answered {}", status.as_u16());
        if status.as_u16() == 429 || status.is_server_error() {
            Err(CallError::Transient(message))
        } else {
            Err(CallError::Permanent(message))
        }
    }
}

/// How long a claimed row stays not due: longer than an attempt can take.
fn lease_ms(config: &SmsConfig) -> i64 {
    (config.timeout_s.saturating_add(5).saturating_mul(1000)).min(i64::MAX as u64) as i64
}

/// Starts the worker; it stops when `shutdown` is cancelled. Without an account, a number to
/// call from or a public URL for the TwiML, nothing is placed (calls wait in the outbox).
pub(crate) fn start(
    calls: &Calls,
    emergency: Arc<dyn EmergencyStore>,
    sms: SmsConfig,
    telephony: &TelephonyConfig,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    if sms.account_sid.is_empty()
        || telephony.calls_from.is_empty()
        || telephony.public_url.is_empty()
    {
        info!("sms.account_sid, telephony.calls_from or telephony.public_url is empty: outbound calls stay in the outbox");
        return Ok(());
    }
    let client = CallsClient::new(&sms, telephony)?;
    let outbox = calls.outbox.clone();
    let wake = calls.wake.clone();
    tokio::spawn(async move {
        loop {
            if let Err(e) = place_due(outbox.as_ref(), emergency.as_ref(), &client, &sms).await {
                warn!(error = %e, "call outbox unavailable");
            }
            tokio::select! {
                _ = shutdown.cancelled() => break,
                _ = wake.notified() => {}
                _ = tokio::time::sleep(Duration::from_millis(sms.poll_ms)) => {}
            }
        }
    });
    Ok(())
}

/// Places every due call once; returns how many the provider accepted.
pub(crate) async fn place_due(
    outbox: &dyn CallOutbox,
    emergency: &dyn EmergencyStore,
    client: &CallsClient,
    config: &SmsConfig,
) -> Result<usize, crate::store::StoreError> {
    let mut placed = 0;
    loop {
        let rows = outbox.due_calls(Utc::now().timestamp_millis(), 50).await?;
        if rows.is_empty() {
            return Ok(placed);
        }
        for row in rows {
            let now_ms = Utc::now().timestamp_millis();
            if !outbox
                .claim_call(&row.id, now_ms, now_ms + lease_ms(config))
                .await?
            {
                continue; // another instance's worker has it
            }
            let attempts = row.attempts + 1;
            // Marked safe-contact since it was asked for: not placed.
            if is_contact_blocked(emergency, &row.to).await? {
                outbox
                    .mark_call_attempt(&row.id, attempts, None, "contact_blocked")
                    .await?;
                continue;
            }
            match client.place(&row.id, &row.to).await {
                Ok(sid) => {
                    outbox.mark_call_sent(&row.id, &sid, Utc::now()).await?;
                    metrics::counter!("dispecer_calls_placed_total").increment(1);
                    debug!(call.id = %row.id, "call placed");
                    placed += 1;
                }
                Err(CallError::Permanent(e)) => {
                    warn!(call.id = %row.id, error = %e, "call refused by the provider");
                    outbox
                        .mark_call_attempt(&row.id, attempts, None, &e)
                        .await?;
                }
                Err(CallError::Transient(e)) => {
                    let next = (attempts < config.max_attempts).then(|| {
                        Utc::now().timestamp_millis()
                            + crate::sms::worker::backoff_ms(config, attempts) as i64
                    });
                    warn!(call.id = %row.id, attempts, error = %e, "call attempt failed");
                    outbox
                        .mark_call_attempt(&row.id, attempts, next, &e)
                        .await?;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_target_codes_name_the_carer() {
        assert_eq!(DialTarget::Caller.code(), "caller");
        assert_eq!(DialTarget::Beneficiary.code(), "beneficiary");
        assert_eq!(DialTarget::Carer(2).code(), "carer:2");
    }
}
