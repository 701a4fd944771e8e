//! [`EmiuStore`] on both backends.

macro_rules! emiu_queries {
    ($store:ty) => {
        use async_trait::async_trait;
        use chrono::NaiveDate;
        use sqlx::Row;
        use tracing::instrument;
        use uuid::Uuid;

        use crate::domain::ItemId;
        use crate::store::dialect::Dialect;
        use crate::store::emiu::{EmiuStore, HazardRecord, OrderReminder};
        use crate::store::StoreError;

        type DbRow = <<$store as Dialect>::Db as sqlx::Database>::Row;

        fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
            StoreError::Corrupt {
                seq: 0,
                message: format!("{what}: {e}"),
            }
        }

        fn uuid(r: &DbRow, column: &str) -> Result<Uuid, StoreError> {
            let s: String = r.try_get(column)?;
            Uuid::parse_str(&s).map_err(|e| corrupt(column, e))
        }

        fn date(r: &DbRow, column: &str) -> Result<NaiveDate, StoreError> {
            let s: String = r.try_get(column)?;
            s.parse().map_err(|e| corrupt(column, e))
        }

        fn hazard(r: &DbRow) -> Result<HazardRecord, StoreError> {
            Ok(HazardRecord {
                id: uuid(r, "id")?,
                item_id: ItemId(uuid(r, "item_id")?),
                address_key: r.try_get("address_key")?,
                lon: r.try_get("lon")?,
                lat: r.try_get("lat")?,
                hazard: r.try_get("hazard")?,
                note: r.try_get("note")?,
                created_by: r.try_get("created_by")?,
                created_at: r.try_get("created_at")?,
            })
        }

        fn order(r: &DbRow) -> Result<OrderReminder, StoreError> {
            Ok(OrderReminder {
                id: uuid(r, "id")?,
                item_id: ItemId(uuid(r, "item_id")?),
                order_kind: r.try_get("order_kind")?,
                expires_on: date(r, "expires_on")?,
                remind_on: date(r, "remind_on")?,
            })
        }

        #[async_trait]
        impl EmiuStore for $store {
            #[instrument(skip_all, fields(item.id = %h.item_id))]
            async fn put_hazard(&self, h: &HazardRecord) -> Result<(), StoreError> {
                sqlx::query(
                    "INSERT INTO hazard_notes (id, item_id, address_key, lon, lat, hazard, note, \
                     created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                )
                .bind(h.id.to_string())
                .bind(h.item_id.to_string())
                .bind(&h.address_key)
                .bind(h.lon)
                .bind(h.lat)
                .bind(&h.hazard)
                .bind(&h.note)
                .bind(&h.created_by)
                .bind(h.created_at)
                .execute(self.writer())
                .await?;
                Ok(())
            }

            #[instrument(skip_all)]
            async fn hazards_at(
                &self,
                address_key: Option<&str>,
                near: Option<(f64, f64, f64)>,
            ) -> Result<Vec<HazardRecord>, StoreError> {
                // Without a position the box is empty (NULL bounds match nothing).
                let (lon0, lon1, lat0, lat1) = match near {
                    Some((lon, lat, d)) => {
                        (Some(lon - d), Some(lon + d), Some(lat - d), Some(lat + d))
                    }
                    None => (None, None, None, None),
                };
                let rows = sqlx::query(
                    "SELECT * FROM hazard_notes WHERE address_key = $1 \
                     OR (lon BETWEEN $2 AND $3 AND lat BETWEEN $4 AND $5) \
                     ORDER BY created_at DESC LIMIT 200",
                )
                .bind(address_key)
                .bind(lon0)
                .bind(lon1)
                .bind(lat0)
                .bind(lat1)
                .fetch_all(self.reader())
                .await?;
                rows.iter().map(hazard).collect()
            }

            #[instrument(skip_all, fields(item.id = %o.item_id))]
            async fn put_order_reminder(&self, o: &OrderReminder) -> Result<(), StoreError> {
                sqlx::query(
                    "INSERT INTO protection_orders (id, item_id, order_kind, expires_on, \
                     remind_on, state) VALUES ($1, $2, $3, $4, $5, 'pending')",
                )
                .bind(o.id.to_string())
                .bind(o.item_id.to_string())
                .bind(&o.order_kind)
                .bind(o.expires_on.to_string())
                .bind(o.remind_on.to_string())
                .execute(self.writer())
                .await?;
                Ok(())
            }

            async fn due_order_reminders(
                &self,
                today: NaiveDate,
            ) -> Result<Vec<OrderReminder>, StoreError> {
                let rows = sqlx::query(
                    "SELECT * FROM protection_orders WHERE state = 'pending' AND remind_on <= $1 \
                     ORDER BY remind_on LIMIT 500",
                )
                .bind(today.to_string())
                .fetch_all(self.reader())
                .await?;
                rows.iter().map(order).collect()
            }

            async fn mark_order_reminded(
                &self,
                id: Uuid,
                item: ItemId,
            ) -> Result<bool, StoreError> {
                let done = sqlx::query(
                    "UPDATE protection_orders SET state = 'raised', reminder_item = $1 \
                     WHERE id = $2 AND state = 'pending'",
                )
                .bind(item.to_string())
                .bind(id.to_string())
                .execute(self.writer())
                .await?;
                Ok(done.rows_affected() == 1)
            }
        }
    };
}

pub(crate) mod sqlite {
    emiu_queries!(crate::store::SqliteStore);
}

pub(crate) mod postgres {
    emiu_queries!(crate::store::PgStore);
}
