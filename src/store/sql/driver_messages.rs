//! [`DriverMessageStore`] on both backends.

macro_rules! driver_message_queries {
    ($store:ty) => {
        use async_trait::async_trait;
        use chrono::{DateTime, NaiveDate, Utc};
        use sqlx::Row;
        use tracing::instrument;

        use crate::store::dialect::Dialect;
        use crate::store::driver_messages::DriverMessageStore;
        use crate::store::transport::{decode_doc, encode_doc};
        use crate::store::StoreError;
        use crate::transport::model::DriverMessage;

        #[async_trait]
        impl DriverMessageStore for $store {
            #[instrument(skip_all, fields(message.id = %message.id, vehicle.id = %message.vehicle_id))]
            async fn put_message(
                &self,
                message: &DriverMessage,
            ) -> Result<Option<DriverMessage>, StoreError> {
                let inserted = sqlx::query(
                    "INSERT INTO transport_messages \
                     (id, vehicle_id, service_date, sent_at, acked_at, data) \
                     VALUES ($1, $2, $3, $4, NULL, $5) ON CONFLICT (id) DO NOTHING",
                )
                .bind(&message.id)
                .bind(&message.vehicle_id)
                .bind(message.date.to_string())
                .bind(message.sent_at)
                .bind(encode_doc(message)?)
                .execute(self.writer())
                .await?
                .rows_affected()
                    == 1;
                if inserted {
                    return Ok(None);
                }
                self.message(&message.id).await
            }

            #[instrument(skip_all, fields(message.id = %id))]
            async fn message(&self, id: &str) -> Result<Option<DriverMessage>, StoreError> {
                // The writer: read right after a write, on one instance or another.
                let row = sqlx::query("SELECT data FROM transport_messages WHERE id = $1")
                    .bind(id)
                    .fetch_optional(self.writer())
                    .await?;
                row.map(|r| decode_doc(&r.try_get::<String, _>("data")?))
                    .transpose()
            }

            #[instrument(skip_all, fields(message.id = %id))]
            async fn ack_message(
                &self,
                id: &str,
                at: DateTime<Utc>,
                by: &str,
            ) -> Result<Option<DriverMessage>, StoreError> {
                let Some(mut message) = self.message(id).await? else {
                    return Ok(None);
                };
                if message.acked_at.is_some() {
                    return Ok(Some(message));
                }
                message.acked_at = Some(at);
                message.acked_by = Some(by.to_owned());
                // Only an unacknowledged row is updated: of two acknowledgements at once, the
                // first stays and the second reads it back.
                sqlx::query(
                    "UPDATE transport_messages SET acked_at = $1, data = $2 \
                     WHERE id = $3 AND acked_at IS NULL",
                )
                .bind(at)
                .bind(encode_doc(&message)?)
                .bind(id)
                .execute(self.writer())
                .await?;
                self.message(id).await
            }

            #[instrument(skip_all, fields(%date))]
            async fn messages_on(
                &self,
                date: NaiveDate,
                vehicle: Option<&str>,
            ) -> Result<Vec<DriverMessage>, StoreError> {
                let rows = sqlx::query(
                    "SELECT data FROM transport_messages \
                     WHERE service_date = $1 AND ($2 = '' OR vehicle_id = $2) \
                     ORDER BY sent_at, id",
                )
                .bind(date.to_string())
                .bind(vehicle.unwrap_or(""))
                .fetch_all(self.reader())
                .await?;
                rows.iter()
                    .map(|r| decode_doc(&r.try_get::<String, _>("data")?))
                    .collect()
            }
        }
    };
}

pub(crate) mod sqlite {
    driver_message_queries!(crate::store::SqliteStore);
}

pub(crate) mod postgres {
    driver_message_queries!(crate::store::PgStore);
}
