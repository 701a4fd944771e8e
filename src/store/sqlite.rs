//! SQLite: the zero-set-up default. One writer connection (SQLite has one writer anyway) and a
//! small pool of readers over WAL.

use chrono::Utc;
use secrecy::ExposeSecret;
use sqlx::migrate::Migrator;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Pool, QueryBuilder, Row, Sqlite, SqliteConnection, Transaction};
use std::collections::HashMap;
use std::str::FromStr;
use std::time::Duration;

use super::dialect::Dialect;
use super::{check_numbering, DecideFn, StoreError};
use crate::config::StoreConfig;
use crate::domain::{ItemId, Seq};
use crate::events::StoredEvent;

/// The event log's queries shared with the other backend (`store/sql/log.rs`).
mod log {
    crate::store::sql::log::log_queries!(crate::store::SqliteStore);
}
use log::events_since;

pub(crate) struct SqliteStore {
    writer: SqlitePool,
    reader: SqlitePool,
}

impl SqliteStore {
    pub(crate) async fn connect(config: &StoreConfig) -> Result<Self, StoreError> {
        let url = config.url.expose_secret();
        let synchronous = match config.sqlite_synchronous.as_str() {
            "OFF" => SqliteSynchronous::Off,
            "NORMAL" => SqliteSynchronous::Normal,
            "EXTRA" => SqliteSynchronous::Extra,
            _ => SqliteSynchronous::Full,
        };
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(synchronous)
            .busy_timeout(Duration::from_secs(10))
            .foreign_keys(true);
        if let Some(parent) = options.get_filename().parent() {
            if !parent.as_os_str().is_empty() {
                std::fs::create_dir_all(parent).map_err(|e| StoreError::Db(e.into()))?;
            }
        }
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options.clone())
            .await?;
        let reader = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options.read_only(true))
            .await?;
        Ok(Self { writer, reader })
    }

    async fn append_in(
        conn: &mut SqliteConnection,
        known: Seq,
        keys: &[String],
        decide: &mut DecideFn<'_>,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        let last: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(seq), 0) FROM events")
            .fetch_one(&mut *conn)
            .await?;
        let caught_up = if last > known.0 {
            events_since(&mut *conn, known.0).await?
        } else {
            Vec::new()
        };
        let mut existing = HashMap::new();
        if !keys.is_empty() {
            let mut q = QueryBuilder::new("SELECT key, item_id FROM intake_keys WHERE key IN (");
            let mut sep = q.separated(", ");
            for k in keys {
                sep.push_bind(k);
            }
            sep.push_unseparated(")");
            for row in q.build().fetch_all(&mut *conn).await? {
                let key: String = row.try_get(0)?;
                let id: String = row.try_get(1)?;
                if let Ok(uuid) = uuid::Uuid::parse_str(&id) {
                    existing.insert(key, ItemId(uuid));
                }
            }
        }
        let decision = decide(caught_up, &existing);
        check_numbering(last, &decision.events)?;
        if !decision.events.is_empty() {
            let mut q =
                QueryBuilder::new("INSERT INTO events (seq, at, actor, item_id, kind, payload) ");
            let mut encoded = Vec::with_capacity(decision.events.len());
            for e in &decision.events {
                let payload =
                    serde_json::to_string(&e.event).map_err(|err| StoreError::Corrupt {
                        seq: e.seq.0,
                        message: err.to_string(),
                    })?;
                encoded.push(payload);
            }
            q.push_values(
                decision.events.iter().zip(&encoded),
                |mut b, (e, payload)| {
                    b.push_bind(e.seq.0)
                        .push_bind(e.at)
                        .push_bind(&e.actor)
                        .push_bind(e.event.item_id().map(|i| i.to_string()))
                        .push_bind(e.event.kind())
                        .push_bind(payload);
                },
            );
            q.build().execute(&mut *conn).await?;
        }
        if !decision.new_keys.is_empty() {
            let now = Utc::now();
            let mut q = QueryBuilder::new("INSERT INTO intake_keys (key, item_id, created_at) ");
            q.push_values(&decision.new_keys, |mut b, (k, id)| {
                b.push_bind(k).push_bind(id.to_string()).push_bind(now);
            });
            q.build().execute(&mut *conn).await?;
        }
        Ok(decision.events)
    }
}

impl Dialect for SqliteStore {
    type Db = Sqlite;
    type ItemParam = String;

    const NAME: &'static str = "sqlite";
    const STRPOS: &'static str = "instr";
    const MIGRATOR: Migrator = sqlx::migrate!("migrations/sqlite");
    const FOR_UPDATE: &'static str = "";

    fn item_param(id: ItemId) -> String {
        id.to_string()
    }

    fn reader(&self) -> &Pool<Sqlite> {
        &self.reader
    }

    fn writer(&self) -> &Pool<Sqlite> {
        &self.writer
    }

    async fn begin_counting(
        &self,
        _name_hash: &str,
    ) -> Result<Transaction<'_, Sqlite>, StoreError> {
        // IMMEDIATE takes the write lock up front, so another process on the same file cannot
        // count an attempt between our read and our write. A transaction object (not a bare
        // BEGIN) rolls back if the login is dropped half-way (the client hung up).
        Ok(self.writer.begin_with("BEGIN IMMEDIATE").await?)
    }

    async fn append_locked(
        &self,
        known: Seq,
        keys: &[String],
        decide: &mut DecideFn<'_>,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        let mut conn = self.writer.acquire().await?;
        // IMMEDIATE takes the write lock up front, so no other process can slip a write in
        // between our read of the last sequence number and our insert.
        sqlx::query("BEGIN IMMEDIATE").execute(&mut *conn).await?;
        match Self::append_in(&mut conn, known, keys, decide).await {
            Ok(events) => match sqlx::query("COMMIT").execute(&mut *conn).await {
                Ok(_) => Ok(events),
                Err(e) => {
                    let _ = sqlx::query("ROLLBACK").execute(&mut *conn).await;
                    Err(e.into())
                }
            },
            Err(e) => {
                let _ = sqlx::query("ROLLBACK").execute(&mut *conn).await;
                Err(e)
            }
        }
    }
}
