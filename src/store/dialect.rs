//! What truly differs between the two databases. Every query is written once, in `sql/`, with
//! `$N` placeholders (SQLite accepts them too); these are the few things it asks the backend.

use sqlx::migrate::Migrator;
use sqlx::{Pool, Transaction};

use super::{DecideFn, StoreError};
use crate::domain::{ItemId, Seq};
use crate::events::StoredEvent;

pub(crate) trait Dialect: Send + Sync {
    type Db: sqlx::Database;
    /// An item id as a parameter for the event log, its keys and the audit log: TEXT on SQLite,
    /// UUID on PostgreSQL. (The emergency tables keep it as TEXT on both.)
    type ItemParam;

    /// `sqlite` or `postgres`, for logs and metrics.
    const NAME: &'static str;
    /// The migrations of the dialect's own folder.
    const MIGRATOR: Migrator;
    /// The SQL function giving the position of a substring: `instr` or `strpos`.
    const STRPOS: &'static str;
    /// Locks the rows a read-then-write transaction reads: ` FOR UPDATE` on PostgreSQL, nothing
    /// on SQLite (whose write transaction holds the whole database).
    const FOR_UPDATE: &'static str;

    fn item_param(id: ItemId) -> Self::ItemParam;

    /// The pool that reads: SQLite's read-only pool, PostgreSQL's one pool.
    fn reader(&self) -> &Pool<Self::Db>;
    /// The pool that writes (and reads what must see the latest write).
    fn writer(&self) -> &Pool<Self::Db>;

    /// Begins a transaction in which the login count of `name_hash` is read and rewritten
    /// without another instance on this database counting in between.
    async fn begin_counting(
        &self,
        name_hash: &str,
    ) -> Result<Transaction<'_, Self::Db>, StoreError>;

    /// The event log's write path under its lock (see [`super::Store::append`]).
    async fn append_locked(
        &self,
        known: Seq,
        keys: &[String],
        decide: &mut DecideFn<'_>,
    ) -> Result<Vec<StoredEvent>, StoreError>;
}
