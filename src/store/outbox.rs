//! The durable SMS outbox: rows written before the action that caused them is acknowledged,
//! sent later by the worker (`sms::worker`), each identified by an idempotency key. Both
//! backends in `sql/outbox.rs`.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Serialize;

use super::StoreError;

/// A message to send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutgoingSms {
    /// The message's identity, e.g. `confirm:{trip}:{HH:MM}`; a second enqueue with the same
    /// key is ignored, and the provider is given it so a retry can be recognised.
    pub key: String,
    pub to: String,
    pub body: String,
}

/// An outbox row.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OutboxRow {
    pub id: String,
    pub key: String,
    #[serde(skip)]
    pub to: String,
    #[serde(skip)]
    pub body: String,
    /// `pending`, `sent` or `failed`.
    pub status: String,
    pub attempts: i32,
    pub next_attempt_ms: i64,
    pub provider_sid: Option<String>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

#[async_trait]
pub trait Outbox: Send + Sync {
    /// Inserts the messages whose key is new; returns how many were new. Use
    /// [`crate::sms::Sms::enqueue`], the one choke point, rather than calling this directly.
    async fn insert_messages(
        &self,
        messages: &[OutgoingSms],
        now: DateTime<Utc>,
    ) -> Result<usize, StoreError>;
    /// Pending rows due at `now_ms`, oldest first.
    async fn due(&self, now_ms: i64, limit: i64) -> Result<Vec<OutboxRow>, StoreError>;
    /// Takes a due row for one attempt: counts the attempt and makes the row not due until
    /// `lease_until_ms` (so another instance's sender skips it, and a crash mid-attempt leaves
    /// it due again afterwards). `false` when another sender took it first.
    async fn claim(&self, id: &str, now_ms: i64, lease_until_ms: i64) -> Result<bool, StoreError>;
    async fn mark_sent(&self, id: &str, sid: &str, at: DateTime<Utc>) -> Result<(), StoreError>;
    /// Records a failed attempt; `next_ms = None` gives up (status `failed`).
    async fn mark_attempt(
        &self,
        id: &str,
        attempts: i32,
        next_ms: Option<i64>,
        error: &str,
    ) -> Result<(), StoreError>;
    /// The most recent rows, newest first (for the console and tests; no phone numbers or
    /// texts leave through this).
    async fn recent(&self, limit: i64) -> Result<Vec<OutboxRow>, StoreError>;
    /// The keys of the messages queued to a number (which trips a rider was told about, so
    /// their SMS reply can be matched to one).
    async fn keys_to(&self, phone: &str) -> Result<Vec<String>, StoreError>;
}
