//! The durable outbox of outbound calls (`telephony::calls`): a row per call a dispatcher asked
//! for, written before the 202, placed later by the worker. Both backends in `sql/calls.rs`.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Serialize;

use super::StoreError;
use crate::domain::ItemId;

/// A call to place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutgoingCall {
    /// The call id the console is given, and the provider's `Idempotency-Key`.
    pub id: String,
    pub item_id: ItemId,
    /// `caller`, `beneficiary` or `carer:N`.
    pub target: String,
    pub to: String,
    pub requested_by: String,
}

/// A call outbox row.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CallRow {
    pub id: String,
    pub item_id: String,
    pub target: String,
    #[serde(skip)]
    pub to: String,
    pub requested_by: String,
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
pub trait CallOutbox: Send + Sync {
    /// Stores a call to place, due at once.
    async fn insert_call(&self, call: &OutgoingCall, now: DateTime<Utc>) -> Result<(), StoreError>;
    /// Pending rows due at `now_ms`, oldest first.
    async fn due_calls(&self, now_ms: i64, limit: i64) -> Result<Vec<CallRow>, StoreError>;
    /// Takes a due row for one attempt (counts it and leases the row until `lease_until_ms`);
    /// `false` when another worker took it first.
    async fn claim_call(
        &self,
        id: &str,
        now_ms: i64,
        lease_until_ms: i64,
    ) -> Result<bool, StoreError>;
    async fn mark_call_sent(
        &self,
        id: &str,
        sid: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    /// Records a failed attempt; `next_ms = None` gives up (status `failed`).
    async fn mark_call_attempt(
        &self,
        id: &str,
        attempts: i32,
        next_ms: Option<i64>,
        error: &str,
    ) -> Result<(), StoreError>;
    /// One row by its call id.
    async fn call(&self, id: &str) -> Result<Option<CallRow>, StoreError>;
}
