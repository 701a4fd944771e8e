//! Storage: the event log and the idempotency keys, on SQLite or PostgreSQL.
//!
//! The one write path is [`Store::append`]: it locks the log, hands the caller every event
//! committed since the caller's last known sequence number (another instance may have written
//! them), lets the caller decide its new events against that up-to-date state, and commits them
//! with the next sequence numbers. Commit order is sequence order, with no gaps.

pub mod accounts;
mod dialect;
pub mod emergency;
pub mod outbox;
mod postgres;
mod sql;
mod sqlite;
pub mod transport;

use async_trait::async_trait;
use std::collections::HashMap;
use std::sync::Arc;

use crate::config::StoreConfig;
use crate::domain::{ItemId, Seq};
use crate::events::StoredEvent;

pub use accounts::{Accounts, AuditRecord, UserRecord};
pub use emergency::EmergencyStore;
pub use outbox::{Outbox, OutboxRow, OutgoingSms};
pub(crate) use postgres::PgStore;
pub(crate) use sqlite::SqliteStore;
pub use transport::TransportStore;

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

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(transparent)]
    Db(#[from] sqlx::Error),
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("event {seq} cannot be read: {message}")]
    Corrupt { seq: i64, message: String },
    #[error("decided events start at {got}, expected {expected}")]
    Sequence { expected: i64, got: i64 },
}

#[async_trait]
pub trait Store: accounts::Accounts + Send + Sync {
    /// `sqlite` or `postgres`, for logs and metrics.
    fn backend(&self) -> &'static str;

    async fn migrate(&self) -> Result<(), StoreError>;

    /// Whether the database answers (for `/readyz`).
    async fn ping(&self) -> Result<(), StoreError>;

    /// Committed events after `after`, in order, at most `limit`.
    async fn events_after(&self, after: Seq, limit: i64) -> Result<Vec<StoredEvent>, StoreError>;

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

/// Opens the store named by the configured URL and runs its migrations.
pub async fn connect(config: &StoreConfig) -> anyhow::Result<Arc<dyn Store>> {
    Ok(connect_all(config).await?.store)
}

/// One database seen through each module's storage trait (same pools, same connections).
pub struct Stores {
    pub store: Arc<dyn Store>,
    pub transport: Arc<dyn TransportStore>,
    pub outbox: Arc<dyn Outbox>,
    /// Registries of the emergency workflows.
    pub emergency: Arc<dyn EmergencyStore>,
}

/// Opens the store named by the configured URL, runs its migrations, and hands out its views.
pub async fn connect_all(config: &StoreConfig) -> anyhow::Result<Stores> {
    use anyhow::Context;
    let stores = if config.is_postgres() {
        let s = Arc::new(
            PgStore::connect(config)
                .await
                .context("connecting to PostgreSQL")?,
        );
        Stores {
            store: s.clone(),
            transport: s.clone(),
            emergency: s.clone(),
            outbox: s,
        }
    } else {
        let s = Arc::new(
            SqliteStore::connect(config)
                .await
                .context("opening SQLite")?,
        );
        Stores {
            store: s.clone(),
            transport: s.clone(),
            emergency: s.clone(),
            outbox: s,
        }
    };
    stores.store.migrate().await.context("running migrations")?;
    Ok(stores)
}

/// Decodes a stored payload.
fn decode(
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
fn check_numbering(last: i64, events: &[StoredEvent]) -> Result<(), StoreError> {
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

impl From<StoreError> for crate::error::Error {
    fn from(e: StoreError) -> Self {
        crate::error::Error::Store(Box::new(e))
    }
}
