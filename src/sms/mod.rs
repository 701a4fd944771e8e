//! Rider messages: a Twilio-compatible Messages client, the durable outbox and its sender.
//!
//! - [`Outbox`]: the storage trait, in `src/store/outbox.rs`.
//! - [`twilio`]: `POST {base}/2010-04-01/Accounts/{sid}/Messages.json` over reqwest.
//! - [`worker`]: the background sender with retries and exponential backoff.
//! - The Romanian texts from `config/sms-templates.ro.toml` are `config::Templates`.
//!
//! # Exactly once
//! A message is a row keyed by an idempotency key (`confirm:{trip}:{time}`, `noshow:{trip}` ...),
//! written before the action that caused it is acknowledged ([`Sms::enqueue`]). The sender
//! runs in the background, never on a request path. Each attempt first **claims** the row
//! (one conditional update: the attempt is counted and the row is not due for a lease longer
//! than an attempt can take), so two instances never send the same row at once. A row marked
//! `sent` (with the provider's SID) is never sent again. A row that has been attempted before
//! — its answer lost to a timeout, or the service crashed between the provider accepting it
//! and the row being marked — is not simply sent again: the sender first lists the provider's
//! newest messages to that number from our number and, when one has the same text and was
//! created after the row, marks the row sent with that SID. Only when the provider has no such
//! message is it sent again; when the provider cannot be asked, the row waits (same backoff and
//! attempt budget). The key also travels as `Idempotency-Key`, for providers that honour it.
//! What is left: a provider whose message list lags behind its accepting a message could still
//! lead to one duplicate, and two rows with the same text to the same number within minutes
//! are indistinguishable to the lookup (the second would be taken for sent) — our templates
//! give each message its own trip time or kind, so they differ.

pub mod twilio;
pub mod worker;

use std::sync::Arc;

use chrono::Utc;
use tokio::sync::Notify;

pub use crate::store::{Outbox, OutboxRow, OutgoingSms};

use crate::referrals::is_contact_blocked;
use crate::store::{EmergencyStore, StoreError};

/// The handle every module sends messages through.
#[derive(Clone)]
pub struct Sms {
    outbox: Arc<dyn Outbox>,
    /// Safe-contact numbers of the emergency line (`referrals::safe_contact`).
    contacts: Arc<dyn EmergencyStore>,
    /// Wakes the sender at once after an enqueue.
    wake: Arc<Notify>,
}

impl Sms {
    pub fn new(outbox: Arc<dyn Outbox>, contacts: Arc<dyn EmergencyStore>) -> Self {
        Self {
            outbox,
            contacts,
            wake: Arc::new(Notify::new()),
        }
    }

    /// THE choke point for every automatic message: writes the messages to the outbox
    /// (durably; call it before acknowledging the action that caused them) and wakes the
    /// sender. Keys already in the outbox are ignored, so callers may enqueue again on a retry.
    ///
    /// Contact policy is applied here and only here, so no caller can forget it: a message to a
    /// safe-contact number of the emergency line ('do not call back / no SMS': the aggressor may
    /// hold the phone) is dropped before the insert, and so is one to a number that does not
    /// parse. Dropped messages are counted, never logged with their number.
    pub async fn enqueue(&self, messages: &[OutgoingSms]) -> Result<usize, StoreError> {
        let mut allowed = Vec::with_capacity(messages.len());
        for m in messages {
            if is_contact_blocked(self.contacts.as_ref(), &m.to).await? {
                metrics::counter!("sms_suppressed_safe_contact_total").increment(1);
            } else {
                allowed.push(m.clone());
            }
        }
        let messages = allowed.as_slice();
        if messages.is_empty() {
            return Ok(0);
        }
        let added = self.outbox.insert_messages(messages, Utc::now()).await?;
        if added > 0 {
            metrics::counter!("sms_enqueued_total").increment(added as u64);
            self.wake.notify_one();
        }
        Ok(added)
    }

    pub fn outbox(&self) -> &Arc<dyn Outbox> {
        &self.outbox
    }

    pub(crate) fn wake(&self) -> Arc<Notify> {
        self.wake.clone()
    }
}
