//! PostgreSQL: production, several instances on one database.

use secrecy::ExposeSecret;
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::{PgConnection, Pool, Postgres, Row, Transaction};
use std::collections::HashMap;
use std::time::{Duration, Instant};

use super::dialect::Dialect;
use super::{check_numbering, DecideFn, StoreError};
use crate::config::StoreConfig;
use crate::domain::{ItemId, Seq};
use crate::events::StoredEvent;

/// The event log's queries shared with the other backend (`store/sql/log.rs`).
mod log {
    crate::store::sql::log::log_queries!(crate::store::PgStore);
}
use log::events_since;

/// Longest wait for a pooled connection while serving.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(2);
/// Longest wait for the database at start-up (CI creating test databases, a server starting).
const START_UP_WAIT: Duration = Duration::from_secs(15);

pub(crate) struct PgStore {
    pool: PgPool,
}

impl PgStore {
    pub(crate) async fn connect(config: &StoreConfig) -> Result<Self, StoreError> {
        // While the service runs, a request must not wait long for a database that is down:
        // it answers 503 within ACQUIRE_TIMEOUT and the client retries (a 15 s wait made every
        // alarm during a PostgreSQL restart take 15 s to be refused, longer than receivers
        // wait). Start-up alone waits longer, for a busy or starting database.
        let options = PgPoolOptions::new()
            .max_connections(config.max_connections)
            .acquire_timeout(ACQUIRE_TIMEOUT);
        let deadline = Instant::now() + START_UP_WAIT;
        loop {
            match options.clone().connect(config.url.expose_secret()).await {
                Ok(pool) => return Ok(Self { pool }),
                Err(e) if Instant::now() >= deadline => return Err(e.into()),
                Err(_) => tokio::time::sleep(Duration::from_millis(250)).await,
            }
        }
    }

    async fn append_in(
        conn: &mut PgConnection,
        known: Seq,
        keys: &[String],
        decide: &mut DecideFn<'_>,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        // The row lock taken here is held until commit: see migrations/postgres/0001.
        let last: i64 =
            sqlx::query_scalar("UPDATE event_counter SET last = last WHERE id = 1 RETURNING last")
                .fetch_one(&mut *conn)
                .await?;
        let caught_up = if last > known.0 {
            events_since(&mut *conn, known.0).await?
        } else {
            Vec::new()
        };
        let mut existing = HashMap::new();
        if !keys.is_empty() {
            let rows = sqlx::query("SELECT key, item_id FROM intake_keys WHERE key = ANY($1)")
                .bind(keys)
                .fetch_all(&mut *conn)
                .await?;
            for row in rows {
                let key: String = row.try_get(0)?;
                let id: uuid::Uuid = row.try_get(1)?;
                existing.insert(key, ItemId(id));
            }
        }
        let decision = decide(caught_up, &existing);
        check_numbering(last, &decision.events)?;
        if let Some(new_last) = decision.events.last().map(|e| e.seq.0) {
            let mut seqs = Vec::new();
            let mut ats = Vec::new();
            let mut actors = Vec::new();
            let mut items = Vec::new();
            let mut kinds = Vec::new();
            let mut payloads = Vec::new();
            for e in &decision.events {
                seqs.push(e.seq.0);
                ats.push(e.at);
                actors.push(e.actor.clone());
                items.push(e.event.item_id().map(|i| i.0));
                kinds.push(e.event.kind().to_owned());
                payloads.push(serde_json::to_string(&e.event).map_err(|err| {
                    StoreError::Corrupt {
                        seq: e.seq.0,
                        message: err.to_string(),
                    }
                })?);
            }
            sqlx::query(
                "INSERT INTO events (seq, at, actor, item_id, kind, payload) \
                 SELECT s, a, ac, i, k, p::jsonb FROM UNNEST($1::bigint[], $2::timestamptz[], \
                 $3::text[], $4::uuid[], $5::text[], $6::text[]) AS t(s, a, ac, i, k, p)",
            )
            .bind(&seqs)
            .bind(&ats)
            .bind(&actors)
            .bind(&items)
            .bind(&kinds)
            .bind(&payloads)
            .execute(&mut *conn)
            .await?;
            sqlx::query("UPDATE event_counter SET last = $1 WHERE id = 1")
                .bind(new_last)
                .execute(&mut *conn)
                .await?;
        }
        if !decision.new_keys.is_empty() {
            let (ks, ids): (Vec<String>, Vec<uuid::Uuid>) = decision
                .new_keys
                .iter()
                .map(|(k, id)| (k.clone(), id.0))
                .unzip();
            sqlx::query(
                "INSERT INTO intake_keys (key, item_id) SELECT * FROM UNNEST($1::text[], $2::uuid[])",
            )
            .bind(&ks)
            .bind(&ids)
            .execute(&mut *conn)
            .await?;
        }
        Ok(decision.events)
    }
}

impl Dialect for PgStore {
    type Db = Postgres;
    type ItemParam = uuid::Uuid;

    const NAME: &'static str = "postgres";
    const STRPOS: &'static str = "strpos";
    const MIGRATOR: Migrator = sqlx::migrate!("migrations/postgres");
    const FOR_UPDATE: &'static str = " FOR UPDATE";

    fn item_param(id: ItemId) -> uuid::Uuid {
        id.0
    }

    fn reader(&self) -> &Pool<Postgres> {
        &self.pool
    }

    fn writer(&self) -> &Pool<Postgres> {
        &self.pool
    }

    async fn begin_counting(
        &self,
        name_hash: &str,
    ) -> Result<Transaction<'_, Postgres>, StoreError> {
        // A transaction-scoped advisory lock on the name serialises every instance's counting
        // of it, also while the name has no row yet (which `FOR UPDATE` could not lock). The
        // transaction rolls back if the login is dropped half-way (the client hung up).
        let mut tx = self.pool.begin().await?;
        sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended('login_throttle:' || $1, 0))")
            .bind(name_hash)
            .execute(&mut *tx)
            .await?;
        Ok(tx)
    }

    async fn append_locked(
        &self,
        known: Seq,
        keys: &[String],
        decide: &mut DecideFn<'_>,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        let mut tx = self.pool.begin().await?;
        let events = Self::append_in(&mut tx, known, keys, decide).await?;
        tx.commit().await?;
        Ok(events)
    }
}
