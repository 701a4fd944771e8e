//! [`Outbox`] on both backends.

macro_rules! outbox_queries {
    ($store:ty) => {
        use async_trait::async_trait;
        use chrono::{DateTime, Utc};
        use sqlx::Row;
        use tracing::instrument;

        use crate::store::dialect::Dialect;
        use crate::store::outbox::{Outbox, OutboxRow, OutgoingSms};
        use crate::store::StoreError;

        type DbRow = <<$store as Dialect>::Db as sqlx::Database>::Row;

        fn outbox_row(r: &DbRow) -> Result<OutboxRow, StoreError> {
            Ok(OutboxRow {
                id: r.try_get("id")?,
                key: r.try_get("idem_key")?,
                to: r.try_get("to_phone")?,
                body: r.try_get("body")?,
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
        impl Outbox for $store {
            #[instrument(skip_all, fields(messages = messages.len()))]
            async fn insert_messages(
                &self,
                messages: &[OutgoingSms],
                now: DateTime<Utc>,
            ) -> Result<usize, StoreError> {
                let mut tx = self.writer().begin().await?;
                let mut added = 0;
                for m in messages {
                    let done = sqlx::query(
                        "INSERT INTO sms_outbox \
                         (id, idem_key, to_phone, body, status, attempts, next_attempt_at, \
                         created_at) VALUES ($1, $2, $3, $4, 'pending', 0, $5, $6) \
                         ON CONFLICT (idem_key) DO NOTHING",
                    )
                    .bind(uuid::Uuid::now_v7().to_string())
                    .bind(&m.key)
                    .bind(&m.to)
                    .bind(&m.body)
                    .bind(now.timestamp_millis())
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                    added += done.rows_affected() as usize;
                }
                tx.commit().await?;
                Ok(added)
            }

            #[instrument(skip_all)]
            async fn due(&self, now_ms: i64, limit: i64) -> Result<Vec<OutboxRow>, StoreError> {
                let rows = sqlx::query(
                    "SELECT * FROM sms_outbox \
                     WHERE status = 'pending' AND next_attempt_at <= $1 \
                     ORDER BY next_attempt_at, id LIMIT $2",
                )
                .bind(now_ms)
                .bind(limit)
                .fetch_all(self.writer())
                .await?;
                rows.iter().map(outbox_row).collect()
            }

            #[instrument(skip_all, fields(sms.id = %id))]
            async fn claim(
                &self,
                id: &str,
                now_ms: i64,
                lease_until_ms: i64,
            ) -> Result<bool, StoreError> {
                let done = sqlx::query(
                    "UPDATE sms_outbox SET attempts = attempts + 1, next_attempt_at = $1 \
                     WHERE id = $2 AND status = 'pending' AND next_attempt_at <= $3",
                )
                .bind(lease_until_ms)
                .bind(id)
                .bind(now_ms)
                .execute(self.writer())
                .await?;
                Ok(done.rows_affected() == 1)
            }

            #[instrument(skip_all, fields(sms.id = %id))]
            async fn mark_sent(
                &self,
                id: &str,
                sid: &str,
                at: DateTime<Utc>,
            ) -> Result<(), StoreError> {
                sqlx::query(
                    "UPDATE sms_outbox \
                     SET status = 'sent', provider_sid = $1, sent_at = $2, \
                     last_error = NULL WHERE id = $3",
                )
                .bind(sid)
                .bind(at)
                .bind(id)
                .execute(self.writer())
                .await?;
                Ok(())
            }

            #[instrument(skip_all, fields(sms.id = %id))]
            async fn mark_attempt(
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
                    "UPDATE sms_outbox \
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

            #[instrument(skip_all)]
            async fn recent(&self, limit: i64) -> Result<Vec<OutboxRow>, StoreError> {
                let rows = sqlx::query(
                    "SELECT * FROM sms_outbox ORDER BY created_at DESC, id DESC LIMIT $1",
                )
                .bind(limit)
                .fetch_all(self.writer())
                .await?;
                rows.iter().map(outbox_row).collect()
            }

            #[instrument(skip_all)]
            async fn keys_to(&self, phone: &str) -> Result<Vec<String>, StoreError> {
                let rows = sqlx::query("SELECT idem_key FROM sms_outbox WHERE to_phone = $1")
                    .bind(phone)
                    .fetch_all(self.writer())
                    .await?;
                rows.iter()
                    .map(|r| Ok(r.try_get::<String, _>("idem_key")?))
                    .collect()
            }
        }
    };
}

pub(crate) mod sqlite {
    outbox_queries!(crate::store::SqliteStore);
}

pub(crate) mod postgres {
    outbox_queries!(crate::store::PgStore);
}
