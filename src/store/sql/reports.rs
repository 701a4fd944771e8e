//! [`ReportStore`] on both backends. The one text that differs is how an event's payload is
//! written back (JSONB on PostgreSQL, TEXT on SQLite), given to the macro.

macro_rules! report_queries {
    ($store:ty, $payload:expr) => {
        use async_trait::async_trait;
        use chrono::{DateTime, NaiveDate, Utc};
        use sqlx::Row;
        use tracing::instrument;

        use crate::domain::ItemId;
        use crate::events::StoredEvent;
        use crate::store::dialect::Dialect;
        use crate::store::reports::{PurgeCount, PurgeLogRow, ReportStore, TableKind};
        use crate::store::transport::decode_doc;
        use crate::store::{decode, StoreError};
        use crate::transport::model::Trip;

        type Db = <$store as Dialect>::Db;
        type DbRow = <Db as sqlx::Database>::Row;

        /// Aggregates come back untyped on SQLite (text) and typed on PostgreSQL.
        fn instant(r: &DbRow, i: usize) -> Result<Option<DateTime<Utc>>, StoreError> {
            Ok(r.try_get_unchecked::<Option<DateTime<Utc>>, _>(i)?)
        }

        fn day(s: Option<String>) -> Option<DateTime<Utc>> {
            s.and_then(|s| s.parse::<NaiveDate>().ok())
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map(|t| t.and_utc())
        }

        /// The table, the date column and the condition of each kind.
        fn table_of(kind: TableKind) -> &'static [(&'static str, &'static str, &'static str)] {
            match kind {
                TableKind::AuditLog => &[("audit_log", "at", "at < $1")],
                TableKind::GpsPositions => &[("transport_positions", "at", "at < $1")],
                TableKind::CallRecords => &[
                    ("telephony_calls", "created_at", "created_at < $1"),
                    (
                        "call_outbox",
                        "created_at",
                        "created_at < $1 AND status <> 'pending'",
                    ),
                ],
                TableKind::Sms => &[(
                    "sms_outbox",
                    "created_at",
                    "created_at < $1 AND status <> 'pending'",
                )],
            }
        }

        const OVER: &str = "status NOT IN ('booked', 'arrived', 'picked_up')";

        #[async_trait]
        impl ReportStore for $store {
            #[instrument(skip_all)]
            async fn referrals_between(
                &self,
                from: DateTime<Utc>,
                until: DateTime<Utc>,
            ) -> Result<Vec<(String, DateTime<Utc>, Option<DateTime<Utc>>)>, StoreError> {
                let rows = sqlx::query(
                    "SELECT service, created_at, acknowledged_at FROM referrals \
                     WHERE created_at >= $1 AND created_at < $2",
                )
                .bind(from)
                .bind(until)
                .fetch_all(self.reader())
                .await?;
                rows.iter()
                    .map(|r| {
                        Ok((
                            r.try_get("service")?,
                            r.try_get("created_at")?,
                            r.try_get("acknowledged_at")?,
                        ))
                    })
                    .collect()
            }

            #[instrument(skip_all)]
            async fn case_records_between(
                &self,
                from: DateTime<Utc>,
                until: DateTime<Utc>,
            ) -> Result<Vec<StoredEvent>, StoreError> {
                let rows = sqlx::query(
                    "SELECT seq, at, actor, CAST(payload AS TEXT) FROM events \
                     WHERE kind = 'case_recorded' AND at >= $1 AND at < $2 ORDER BY seq",
                )
                .bind(from)
                .bind(until)
                .fetch_all(self.reader())
                .await?;
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

            #[instrument(skip_all)]
            async fn trips_between(
                &self,
                first: NaiveDate,
                next: NaiveDate,
            ) -> Result<Vec<Trip>, StoreError> {
                let rows = sqlx::query(
                    "SELECT data FROM transport_bookings \
                     WHERE service_date >= $1 AND service_date < $2",
                )
                .bind(first.to_string())
                .bind(next.to_string())
                .fetch_all(self.reader())
                .await?;
                rows.iter()
                    .map(|r| decode_doc(&r.try_get::<String, _>("data")?))
                    .collect()
            }

            #[instrument(skip_all, fields(?kind, dry_run))]
            async fn purge_table(
                &self,
                kind: TableKind,
                before: DateTime<Utc>,
                dry_run: bool,
            ) -> Result<PurgeCount, StoreError> {
                let mut tx = self.writer().begin().await?;
                let mut total = PurgeCount::default();
                for (table, column, cond) in table_of(kind) {
                    let row = sqlx::query(&format!(
                        "SELECT COUNT(*), MIN({column}), MAX({column}) FROM {table} WHERE {cond}"
                    ))
                    .bind(before)
                    .fetch_one(&mut *tx)
                    .await?;
                    let count: i64 = row.try_get(0)?;
                    if count == 0 {
                        continue;
                    }
                    let (oldest, newest) = (instant(&row, 1)?, instant(&row, 2)?);
                    total.count += count;
                    total.oldest = total.oldest.into_iter().chain(oldest).min();
                    total.newest = total.newest.into_iter().chain(newest).max();
                    if !dry_run {
                        sqlx::query(&format!("DELETE FROM {table} WHERE {cond}"))
                            .bind(before)
                            .execute(&mut *tx)
                            .await?;
                    }
                }
                tx.commit().await?;
                Ok(total)
            }

            #[instrument(skip_all, fields(%before, dry_run))]
            async fn purge_trips(
                &self,
                before: NaiveDate,
                dry_run: bool,
            ) -> Result<PurgeCount, StoreError> {
                let before = before.to_string();
                let mut tx = self.writer().begin().await?;
                let row = sqlx::query(&format!(
                    "SELECT COUNT(*), MIN(service_date), MAX(service_date) FROM transport_bookings \
                     WHERE service_date < $1 AND {OVER}"
                ))
                .bind(&before)
                .fetch_one(&mut *tx)
                .await?;
                let count: i64 = row.try_get(0)?;
                let result = PurgeCount {
                    count,
                    oldest: day(row.try_get(1)?),
                    newest: day(row.try_get(2)?),
                };
                if !dry_run && count > 0 {
                    sqlx::query(&format!(
                        "DELETE FROM transport_actions WHERE booking_id IN \
                         (SELECT id FROM transport_bookings WHERE service_date < $1 AND {OVER})"
                    ))
                    .bind(&before)
                    .execute(&mut *tx)
                    .await?;
                    sqlx::query(&format!(
                        "DELETE FROM transport_bookings WHERE service_date < $1 AND {OVER}"
                    ))
                    .bind(&before)
                    .execute(&mut *tx)
                    .await?;
                    // A day's plan and vehicle days name the riders of its trips: they go once
                    // no trip of that day is left.
                    for table in ["transport_plans", "transport_vehicle_days"] {
                        sqlx::query(&format!(
                            "DELETE FROM {table} WHERE service_date < $1 AND service_date NOT IN \
                             (SELECT service_date FROM transport_bookings)"
                        ))
                        .bind(&before)
                        .execute(&mut *tx)
                        .await?;
                    }
                }
                tx.commit().await?;
                Ok(result)
            }

            async fn purged_items(&self) -> Result<Vec<ItemId>, StoreError> {
                let rows = sqlx::query("SELECT item_id FROM retention_purged_items")
                    .fetch_all(self.reader())
                    .await?;
                Ok(rows
                    .iter()
                    .filter_map(|r| r.try_get::<String, _>(0).ok())
                    .filter_map(|s| uuid::Uuid::parse_str(&s).ok().map(ItemId))
                    .collect())
            }

            #[instrument(skip_all, fields(item.id = %item))]
            async fn anonymise_item(
                &self,
                item: ItemId,
                payloads: &[(i64, String)],
                now: DateTime<Utc>,
            ) -> Result<(), StoreError> {
                let id = item.to_string();
                let mut tx = self.writer().begin().await?;
                for (seq, payload) in payloads {
                    sqlx::query(&format!(
                        "UPDATE events SET payload = {} WHERE seq = $2",
                        $payload
                    ))
                    .bind(payload)
                    .bind(seq)
                    .execute(&mut *tx)
                    .await?;
                }
                for q in [
                    "UPDATE referrals SET note = '' WHERE item_id = $1",
                    "UPDATE follow_ups SET phone = '' WHERE item_id = $1 AND state <> 'scheduled'",
                    "DELETE FROM blocked_contacts WHERE item_id = $1",
                    "DELETE FROM hazard_notes WHERE item_id = $1",
                    "DELETE FROM protection_orders WHERE item_id = $1",
                ] {
                    sqlx::query(q).bind(&id).execute(&mut *tx).await?;
                }
                sqlx::query(
                    "INSERT INTO retention_purged_items (item_id, purged_at) VALUES ($1, $2) \
                     ON CONFLICT (item_id) DO NOTHING",
                )
                .bind(&id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn claim_run(
                &self,
                run_key: &str,
                holder: &str,
                now: DateTime<Utc>,
            ) -> Result<bool, StoreError> {
                let done = sqlx::query(
                    "INSERT INTO retention_claims (run_key, holder, claimed_at) \
                     VALUES ($1, $2, $3) ON CONFLICT (run_key) DO NOTHING",
                )
                .bind(run_key)
                .bind(holder)
                .bind(now)
                .execute(self.writer())
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn log_purge(&self, rows: &[PurgeLogRow]) -> Result<(), StoreError> {
                let mut tx = self.writer().begin().await?;
                for r in rows {
                    sqlx::query(
                        "INSERT INTO purge_log \
                         (run_id, run_at, kind, removed, oldest, newest, actor) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    )
                    .bind(&r.run_id)
                    .bind(r.run_at)
                    .bind(&r.kind)
                    .bind(r.removed)
                    .bind(r.oldest)
                    .bind(r.newest)
                    .bind(&r.actor)
                    .execute(&mut *tx)
                    .await?;
                }
                tx.commit().await?;
                Ok(())
            }

            async fn purge_log(&self, limit: i64) -> Result<Vec<PurgeLogRow>, StoreError> {
                let rows = sqlx::query(
                    "SELECT run_id, run_at, kind, removed, oldest, newest, actor FROM purge_log \
                     ORDER BY id DESC LIMIT $1",
                )
                .bind(limit)
                .fetch_all(self.writer())
                .await?;
                rows.iter()
                    .map(|r| {
                        Ok(PurgeLogRow {
                            run_id: r.try_get("run_id")?,
                            run_at: r.try_get("run_at")?,
                            kind: r.try_get("kind")?,
                            removed: r.try_get("removed")?,
                            oldest: r.try_get("oldest")?,
                            newest: r.try_get("newest")?,
                            actor: r.try_get("actor")?,
                        })
                    })
                    .collect()
            }
        }
    };
}

pub(crate) mod sqlite {
    report_queries!(crate::store::SqliteStore, "$1");
}

pub(crate) mod postgres {
    report_queries!(crate::store::PgStore, "CAST($1 AS JSONB)");
}
