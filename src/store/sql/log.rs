//! [`Store`](crate::store::Store) on both backends, apart from the event log's locked append
//! (per backend, in `sqlite.rs` and `postgres.rs`, which also instantiate this macro: their append
//! reads the events it missed with the `events_since` it defines).

macro_rules! log_queries {
    ($store:ty) => {
        use async_trait::async_trait;
        use chrono::{DateTime, Utc};
        use sqlx::Row;
        use tracing::instrument;

        use crate::domain::{ItemId, Seq};
        use crate::events::StoredEvent;
        use crate::store::dialect::Dialect;
        use crate::store::{decode, DecideFn, Store, StoreError};

        type Db = <$store as Dialect>::Db;
        type DbRow = <Db as sqlx::Database>::Row;
        type DbConn = <Db as sqlx::Database>::Connection;

        /// Committed events after `after`, in order, read on the caller's connection (inside the
        /// event log's lock).
        pub(crate) async fn events_since(
            conn: &mut DbConn,
            after: i64,
        ) -> Result<Vec<StoredEvent>, StoreError> {
            rows_to_events(
                sqlx::query(
                    "SELECT seq, at, actor, CAST(payload AS TEXT) FROM events WHERE seq > $1 \
                     ORDER BY seq",
                )
                .bind(after)
                .fetch_all(&mut *conn)
                .await?,
            )
        }

        /// Rows of `seq, at, actor, payload` (the payload as text) as events.
        fn rows_to_events(rows: Vec<DbRow>) -> Result<Vec<StoredEvent>, StoreError> {
            rows.into_iter()
                .map(|row| {
                    let seq: i64 = row.try_get(0)?;
                    let at: DateTime<Utc> = row.try_get(1)?;
                    let actor: String = row.try_get(2)?;
                    let payload: String = row.try_get(3)?;
                    decode(seq, at, actor, &payload)
                })
                .collect()
        }

        #[async_trait]
        impl Store for $store {
            fn backend(&self) -> &'static str {
                <$store as Dialect>::NAME
            }

            async fn migrate(&self) -> Result<(), StoreError> {
                <$store as Dialect>::MIGRATOR.run(self.writer()).await?;
                Ok(())
            }

            async fn ping(&self) -> Result<(), StoreError> {
                sqlx::query("SELECT 1").execute(self.reader()).await?;
                Ok(())
            }

            #[instrument(skip_all, fields(after = after.0))]
            async fn events_after(
                &self,
                after: Seq,
                limit: i64,
            ) -> Result<Vec<StoredEvent>, StoreError> {
                rows_to_events(
                    sqlx::query(
                        "SELECT seq, at, actor, CAST(payload AS TEXT) FROM events WHERE seq > $1 \
                         ORDER BY seq LIMIT $2",
                    )
                    .bind(after.0)
                    .bind(limit)
                    .fetch_all(self.reader())
                    .await?,
                )
            }

            #[instrument(skip_all, fields(after = after.0, upto = upto.0))]
            async fn events_between(
                &self,
                after: Seq,
                upto: Seq,
            ) -> Result<Vec<StoredEvent>, StoreError> {
                rows_to_events(
                    sqlx::query(
                        "SELECT seq, at, actor, CAST(payload AS TEXT) FROM events \
                         WHERE seq > $1 AND seq <= $2 ORDER BY seq",
                    )
                    .bind(after.0)
                    .bind(upto.0)
                    .fetch_all(self.reader())
                    .await?,
                )
            }

            async fn last_seq(&self) -> Result<Seq, StoreError> {
                let last: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(seq), 0) FROM events")
                    .fetch_one(self.reader())
                    .await?;
                Ok(Seq(last))
            }

            #[instrument(skip_all, fields(item.id = %item))]
            async fn item_events(&self, item: ItemId) -> Result<Vec<StoredEvent>, StoreError> {
                rows_to_events(
                    sqlx::query(
                        "SELECT seq, at, actor, CAST(payload AS TEXT) FROM events \
                         WHERE item_id = $1 ORDER BY seq",
                    )
                    .bind(<$store as Dialect>::item_param(item))
                    .fetch_all(self.reader())
                    .await?,
                )
            }

            async fn find_credential(
                &self,
                token_hash: &str,
            ) -> Result<Option<(String, String)>, StoreError> {
                let row = sqlx::query(
                    "SELECT name, role FROM credentials \
                     WHERE token_hash = $1 AND revoked_at IS NULL",
                )
                .bind(token_hash)
                .fetch_optional(self.reader())
                .await?;
                Ok(match row {
                    Some(r) => Some((r.try_get(0)?, r.try_get(1)?)),
                    None => None,
                })
            }

            #[instrument(skip_all, fields(credential = name))]
            async fn put_credential(
                &self,
                name: &str,
                role: &str,
                token_hash: &str,
            ) -> Result<(), StoreError> {
                sqlx::query(
                    "INSERT INTO credentials (name, role, token_hash, created_at) \
                     VALUES ($1, $2, $3, $4) ON CONFLICT (name) DO UPDATE SET \
                     role = excluded.role, token_hash = excluded.token_hash, \
                     revoked_at = NULL",
                )
                .bind(name)
                .bind(role)
                .bind(token_hash)
                .bind(Utc::now())
                .execute(self.writer())
                .await?;
                Ok(())
            }

            #[instrument(skip_all, fields(known = known.0, keys = keys.len()))]
            async fn append(
                &self,
                known: Seq,
                keys: &[String],
                decide: &mut DecideFn<'_>,
            ) -> Result<Vec<StoredEvent>, StoreError> {
                self.append_locked(known, keys, decide).await
            }
        }
    };
}

pub(crate) use log_queries;
