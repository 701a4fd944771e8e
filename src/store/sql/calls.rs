//! [`CallOutbox`] on both backends.

macro_rules! call_queries {
    ($store:ty) => {
        use async_trait::async_trait;
        use chrono::{DateTime, Utc};
        use sqlx::Row;
        use tracing::instrument;

        use crate::store::calls::{CallOutbox, CallRow, OutgoingCall};
        use crate::store::dialect::Dialect;
        use crate::store::StoreError;

        type DbRow = <<$store as Dialect>::Db as sqlx::Database>::Row;

        fn call_row(r: &DbRow) -> Result<CallRow, StoreError> {
            Ok(CallRow {
                id: r.try_get("id")?,
                item_id: r.try_get("item_id")?,
                target: r.try_get("target")?,
                to: r.try_get("to_phone")?,
                requested_by: r.try_get("requested_by")?,
                status: r.try_get("status")?,
                attempts: r.try_get("attempts")?,
                next_attempt_ms: r.try_get("next_attempt_at")?,
                provider_sid: r.try_get("provider_sid")?,
                last_error: r.try_get("last_error")?,
                created_at: r.try_get("created_at")?,
                sent_at: r.try_get("sent_at")?,
            })
        }

        #[async_trait]
        impl CallOutbox for $store {
            #[instrument(skip_all, fields(call.id = %c.id, item.id = %c.item_id))]
            async fn insert_call(
                &self,
                c: &OutgoingCall,
                now: DateTime<Utc>,
            ) -> Result<(), StoreError> {
                sqlx::query(
                    "INSERT INTO call_outbox \
                     (id, item_id, target, to_phone, requested_by, status, attempts, \
                     next_attempt_at, created_at) \
                     VALUES ($1, $2, $3, $4, $5, 'pending', 0, $6, $7)",
                )
                .bind(&c.id)
                .bind(c.item_id.to_string())
                .bind(&c.target)
                .bind(&c.to)
                .bind(&c.requested_by)
                .bind(now.timestamp_millis())
                .bind(now)
                .execute(self.writer())
                .await?;
                Ok(())
            }

            #[instrument(skip_all)]
            async fn due_calls(&self, now_ms: i64, limit: i64) -> Result<Vec<CallRow>, StoreError> {
                let rows = sqlx::query(
                    "SELECT * FROM call_outbox \
                     WHERE status = 'pending' AND next_attempt_at <= $1 \
                     ORDER BY next_attempt_at, id LIMIT $2",
                )
                .bind(now_ms)
                .bind(limit)
                .fetch_all(self.writer())
                .await?;
                rows.iter().map(call_row).collect()
            }

            #[instrument(skip_all, fields(call.id = %id))]
            async fn claim_call(
                &self,
                id: &str,
                now_ms: i64,
                lease_until_ms: i64,
            ) -> Result<bool, StoreError> {
                let done = sqlx::query(
                    "UPDATE call_outbox SET attempts = attempts + 1, next_attempt_at = $1 \
                     WHERE id = $2 AND status = 'pending' AND next_attempt_at <= $3",
                )
                .bind(lease_until_ms)
                .bind(id)
                .bind(now_ms)
                .execute(self.writer())
                .await?;
                Ok(done.rows_affected() == 1)
            }

            #[instrument(skip_all, fields(call.id = %id))]
            async fn mark_call_sent(
                &self,
                id: &str,
                sid: &str,
                at: DateTime<Utc>,
            ) -> Result<(), StoreError> {
                sqlx::query(
                    "UPDATE call_outbox \
                     SET status = 'sent', provider_sid = $1, sent_at = $2, last_error = NULL \
                     WHERE id = $3",
                )
                .bind(sid)
                .bind(at)
                .bind(id)
                .execute(self.writer())
                .await?;
                Ok(())
            }

            #[instrument(skip_all, fields(call.id = %id))]
            async fn mark_call_attempt(
                &self,
                id: &str,
                attempts: i32,
                next_ms: Option<i64>,
                error: &str,
            ) -> Result<(), StoreError> {
                let status = if next_ms.is_some() {
                    "pending"
                } else {
                    "failed"
                };
                sqlx::query(
                    "UPDATE call_outbox \
                     SET status = $1, attempts = $2, next_attempt_at = $3, last_error = $4 \
                     WHERE id = $5 AND status = 'pending'",
                )
                .bind(status)
                .bind(attempts)
                .bind(next_ms.unwrap_or(i64::MAX))
                .bind(error)
                .bind(id)
                .execute(self.writer())
                .await?;
                Ok(())
            }

            #[instrument(skip_all, fields(call.id = %id))]
            async fn call(&self, id: &str) -> Result<Option<CallRow>, StoreError> {
                let row = sqlx::query("SELECT * FROM call_outbox WHERE id = $1")
                    .bind(id)
                    .fetch_optional(self.writer())
                    .await?;
                row.as_ref().map(call_row).transpose()
            }
        }
    };
}

pub(crate) mod sqlite {
    call_queries!(crate::store::SqliteStore);
}

pub(crate) mod postgres {
    call_queries!(crate::store::PgStore);
}
