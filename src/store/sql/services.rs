//! [`ServiceDirectory`] on both backends.

macro_rules! service_queries {
    ($store:ty, $backend:ident) => {
        use async_trait::async_trait;
        use chrono::{DateTime, Utc};
        use sqlx::Row;
        use uuid::Uuid;

        use crate::domain::ItemId;
        use crate::store::dialect::Dialect;
        use crate::store::emergency::ReferralRecord;
        use crate::store::services::{OutcomeReport, ServiceDirectory, ServiceEntry};
        use crate::store::sql::emergency::$backend::referral as referral_row;
        use crate::store::StoreError;

        type Db = <$store as Dialect>::Db;
        type DbRow = <Db as sqlx::Database>::Row;

        fn entry(r: &DbRow) -> Result<ServiceEntry, StoreError> {
            let categories: String = r.try_get("categories")?;
            Ok(ServiceEntry {
                id: r.try_get("id")?,
                name: r.try_get("name")?,
                kind: r.try_get("kind")?,
                address: r.try_get("address")?,
                opening_hours: r.try_get("opening_hours")?,
                phone: r.try_get("phone")?,
                email: r.try_get("email")?,
                eligibility: r.try_get("eligibility")?,
                how_to_apply: r.try_get("how_to_apply")?,
                categories: serde_json::from_str(&categories).map_err(|e| StoreError::Corrupt {
                    seq: 0,
                    message: format!("service categories: {e}"),
                })?,
                ack_deadline_minutes: r.try_get("ack_deadline_minutes")?,
                active: r.try_get("active")?,
                updated_by: r.try_get("updated_by")?,
                updated_at: r.try_get("updated_at")?,
            })
        }

        fn categories(s: &ServiceEntry) -> String {
            serde_json::to_string(&s.categories).unwrap_or_else(|_| "[]".into())
        }

        #[async_trait]
        impl ServiceDirectory for $store {
            async fn add_service(
                &self,
                s: &ServiceEntry,
                search: &str,
            ) -> Result<bool, StoreError> {
                let done = sqlx::query(
                    "INSERT INTO services (id, name, kind, address, opening_hours, phone, email, \
                     eligibility, how_to_apply, categories, ack_deadline_minutes, active, search, \
                     updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, \
                     $11, $12, $13, $14, $15) ON CONFLICT (id) DO NOTHING",
                )
                .bind(&s.id)
                .bind(&s.name)
                .bind(&s.kind)
                .bind(&s.address)
                .bind(&s.opening_hours)
                .bind(&s.phone)
                .bind(&s.email)
                .bind(&s.eligibility)
                .bind(&s.how_to_apply)
                .bind(categories(s))
                .bind(s.ack_deadline_minutes)
                .bind(s.active)
                .bind(search)
                .bind(&s.updated_by)
                .bind(s.updated_at)
                .execute(self.writer())
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn update_service(
                &self,
                s: &ServiceEntry,
                search: &str,
            ) -> Result<bool, StoreError> {
                let done = sqlx::query(
                    "UPDATE services SET name = $2, kind = $3, address = $4, opening_hours = $5, \
                     phone = $6, email = $7, eligibility = $8, how_to_apply = $9, \
                     categories = $10, ack_deadline_minutes = $11, active = $12, search = $13, \
                     updated_by = $14, updated_at = $15 WHERE id = $1",
                )
                .bind(&s.id)
                .bind(&s.name)
                .bind(&s.kind)
                .bind(&s.address)
                .bind(&s.opening_hours)
                .bind(&s.phone)
                .bind(&s.email)
                .bind(&s.eligibility)
                .bind(&s.how_to_apply)
                .bind(categories(s))
                .bind(s.ack_deadline_minutes)
                .bind(s.active)
                .bind(search)
                .bind(&s.updated_by)
                .bind(s.updated_at)
                .execute(self.writer())
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn service_entry(&self, id: &str) -> Result<Option<ServiceEntry>, StoreError> {
                let row = sqlx::query("SELECT * FROM services WHERE id = $1")
                    .bind(id)
                    .fetch_optional(self.reader())
                    .await?;
                row.as_ref().map(entry).transpose()
            }

            async fn search_services(
                &self,
                words: &[String],
                inactive: bool,
            ) -> Result<Vec<ServiceEntry>, StoreError> {
                // Few services: the words are matched here rather than in SQL per dialect.
                let rows = sqlx::query("SELECT * FROM services ORDER BY name, id")
                    .fetch_all(self.reader())
                    .await?;
                let mut out = Vec::new();
                for r in &rows {
                    let search: String = r.try_get("search")?;
                    let active: bool = r.try_get("active")?;
                    if (active || inactive) && words.iter().all(|w| search.contains(w.as_str())) {
                        out.push(entry(r)?);
                    }
                }
                Ok(out)
            }

            async fn referrals_to(
                &self,
                service: &str,
                limit: i64,
            ) -> Result<Vec<ReferralRecord>, StoreError> {
                let rows = sqlx::query(
                    "SELECT * FROM referrals WHERE service = $1 ORDER BY created_at DESC LIMIT $2",
                )
                .bind(service)
                .bind(limit)
                .fetch_all(self.reader())
                .await?;
                rows.iter().map(referral_row).collect()
            }

            async fn overdue_referrals(
                &self,
                now: DateTime<Utc>,
            ) -> Result<Vec<ReferralRecord>, StoreError> {
                let rows = sqlx::query(
                    "SELECT * FROM referrals WHERE acknowledged_at IS NULL AND escalated_at IS NULL \
                     AND ack_due_at IS NOT NULL AND ack_due_at <= $1 ORDER BY ack_due_at",
                )
                .bind(now)
                .fetch_all(self.reader())
                .await?;
                rows.iter().map(referral_row).collect()
            }

            async fn claim_escalation(
                &self,
                id: Uuid,
                at: DateTime<Utc>,
                item: ItemId,
            ) -> Result<bool, StoreError> {
                let done = sqlx::query(
                    "UPDATE referrals SET escalated_at = $1, escalation_item = $2 \
                     WHERE id = $3 AND escalated_at IS NULL AND acknowledged_at IS NULL",
                )
                .bind(at)
                .bind(item.to_string())
                .bind(id.to_string())
                .execute(self.writer())
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn record_outcome(
                &self,
                id: Uuid,
                report: &OutcomeReport<'_>,
            ) -> Result<Option<ReferralRecord>, StoreError> {
                let done = sqlx::query(
                    "UPDATE referrals SET outcome = $1, outcome_reason = $2, outcome_note = $3, \
                     outcome_by = $4, outcome_at = $5 WHERE id = $6 \
                     AND acknowledged_at IS NOT NULL AND COALESCE(outcome, '') = $7",
                )
                .bind(report.outcome)
                .bind(report.reason)
                .bind(report.note)
                .bind(report.by)
                .bind(report.at)
                .bind(id.to_string())
                .bind(report.previous.unwrap_or(""))
                .execute(self.writer())
                .await?;
                if done.rows_affected() != 1 {
                    return Ok(None);
                }
                let row = sqlx::query("SELECT * FROM referrals WHERE id = $1")
                    .bind(id.to_string())
                    .fetch_optional(self.writer())
                    .await?;
                row.as_ref().map(referral_row).transpose()
            }
        }
    };
}

pub(crate) mod sqlite {
    service_queries!(crate::store::SqliteStore, sqlite);
}

pub(crate) mod postgres {
    service_queries!(crate::store::PgStore, postgres);
}
