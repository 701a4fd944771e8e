//! The event log's contract: [`Store`], the one write path [`Store::append`] and what its
//! caller decides.

use async_trait::async_trait;
use std::collections::HashMap;

use super::accounts::Accounts;
use super::error::StoreError;
use crate::domain::{ItemId, Seq};
use crate::events::StoredEvent;

/// What the caller of [`Store::append`] decided.
#[derive(Debug, Default)]
pub struct Decision {
    /// New events, numbered from the locked last sequence number + 1.
    pub events: Vec<StoredEvent>,
    /// New idempotency keys and the items they point to.
    pub new_keys: Vec<(String, ItemId)>,
}

/// The decision callback: given the events committed since the caller's last known sequence
/// number and the items that the requested keys already point to, decide what to append.
pub type DecideFn<'a> =
    dyn FnMut(Vec<StoredEvent>, &HashMap<String, ItemId>) -> Decision + Send + 'a;

#[async_trait]
pub trait Store: Accounts + Send + Sync {
    /// `sqlite` or `postgres`, for logs and metrics.
    fn backend(&self) -> &'static str;

    async fn migrate(&self) -> Result<(), StoreError>;

    /// Whether the database answers (for `/readyz`).
    async fn ping(&self) -> Result<(), StoreError>;

    /// Committed events after `after`, in order, at most `limit`.
    async fn events_after(&self, after: Seq, limit: i64) -> Result<Vec<StoredEvent>, StoreError>;

    /// Committed events numbered from `after` + 1 up to `upto`, in order. Unlike
    /// [`Store::events_after`] a range does not depend on the one before it, so several can be read
    /// at once.
    async fn events_between(&self, after: Seq, upto: Seq) -> Result<Vec<StoredEvent>, StoreError>;

    /// The number of the last committed event (zero for an empty log).
    async fn last_seq(&self) -> Result<Seq, StoreError>;

    /// The history of one item.
    async fn item_events(&self, item: ItemId) -> Result<Vec<StoredEvent>, StoreError>;

    /// The (name, role) of the live credential with this token hash.
    async fn find_credential(
        &self,
        token_hash: &str,
    ) -> Result<Option<(String, String)>, StoreError>;

    /// Adds a credential, or replaces the token of an existing one with the same name.
    async fn put_credential(
        &self,
        name: &str,
        role: &str,
        token_hash: &str,
    ) -> Result<(), StoreError>;

    /// The write path (see the module docs). Returns the events it committed.
    async fn append(
        &self,
        known: Seq,
        keys: &[String],
        decide: &mut DecideFn<'_>,
    ) -> Result<Vec<StoredEvent>, StoreError>;
}

/// Decodes a stored payload.
pub(crate) fn decode(
    seq: i64,
    at: chrono::DateTime<chrono::Utc>,
    actor: String,
    payload: &str,
) -> Result<StoredEvent, StoreError> {
    let event = serde_json::from_str(payload).map_err(|e| StoreError::Corrupt {
        seq,
        message: e.to_string(),
    })?;
    Ok(StoredEvent {
        seq: Seq(seq),
        at,
        actor,
        event,
    })
}

/// Checks that decided events continue the log exactly.
pub(crate) fn check_numbering(last: i64, events: &[StoredEvent]) -> Result<(), StoreError> {
    for (i, e) in events.iter().enumerate() {
        let expected = last + 1 + i as i64;
        if e.seq.0 != expected {
            return Err(StoreError::Sequence {
                expected,
                got: e.seq.0,
            });
        }
    }
    Ok(())
}
