//! [`OutboundStore`] on both backends.

macro_rules! outbound_queries {
    ($store:ty) => {
        use async_trait::async_trait;
        use sqlx::Row;
        use tracing::instrument;

        use crate::store::dialect::Dialect;
        use crate::store::outbound::{
            CampaignRow, ListRow, OutboundCallRow, OutboundStore, Profile, ScheduleRow, Tally,
        };
        use crate::store::StoreError;

        type DbRow = <<$store as Dialect>::Db as sqlx::Database>::Row;
        type CallQuery<'q> = sqlx::query::Query<
            'q,
            <$store as Dialect>::Db,
            <<$store as Dialect>::Db as sqlx::Database>::Arguments<'q>,
        >;

        /// A call row is inserted once: a second insert of its id does nothing.
        const INSERT_CALL: &str = "INSERT INTO outbound_calls (id, source, source_id, device_id, \
            name, phone, reason, due_ms, attempt, retry_of, state, skip_reason, item_id, \
            raised_ms, dialled_ms, outcome, outcome_note, outcome_by, outcome_ms, \
            escalation_item, created_by, created_ms) \
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, \
            $16, $17, $18, $19, $20, $21, $22) ON CONFLICT (id) DO NOTHING";

        fn bind_call<'q>(q: CallQuery<'q>, c: &'q OutboundCallRow) -> CallQuery<'q> {
            q.bind(&c.id)
                .bind(&c.source)
                .bind(&c.source_id)
                .bind(&c.device_id)
                .bind(&c.name)
                .bind(&c.phone)
                .bind(&c.reason)
                .bind(c.due_ms)
                .bind(c.attempt)
                .bind(&c.retry_of)
                .bind(&c.state)
                .bind(&c.skip_reason)
                .bind(&c.item_id)
                .bind(c.raised_ms)
                .bind(c.dialled_ms)
                .bind(&c.outcome)
                .bind(&c.outcome_note)
                .bind(&c.outcome_by)
                .bind(c.outcome_ms)
                .bind(&c.escalation_item)
                .bind(&c.created_by)
                .bind(c.created_ms)
        }

        fn schedule_row(r: &DbRow) -> Result<ScheduleRow, StoreError> {
            Ok(ScheduleRow {
                id: r.try_get("id")?,
                device_id: r.try_get("device_id")?,
                weekdays: r.try_get("weekdays")?,
                every_days: r.try_get("every_days")?,
                at_time: r.try_get("at_time")?,
                reason: r.try_get("reason")?,
                next_due_ms: r.try_get("next_due_ms")?,
                active: r.try_get("active")?,
                created_by: r.try_get("created_by")?,
                created_ms: r.try_get("created_ms")?,
            })
        }

        fn campaign_row(r: &DbRow) -> Result<CampaignRow, StoreError> {
            Ok(CampaignRow {
                id: r.try_get("id")?,
                name: r.try_get("name")?,
                reason: r.try_get("reason")?,
                filter: r.try_get("filter")?,
                window_start_ms: r.try_get("window_start_ms")?,
                window_end_ms: r.try_get("window_end_ms")?,
                state: r.try_get("state")?,
                created_by: r.try_get("created_by")?,
                created_ms: r.try_get("created_ms")?,
                started_ms: r.try_get("started_ms")?,
            })
        }

        fn list_row(r: &DbRow) -> Result<ListRow, StoreError> {
            Ok(ListRow {
                id: r.try_get("id")?,
                requested_by: r.try_get("requested_by")?,
                service: r.try_get("service")?,
                reason: r.try_get("reason")?,
                created_ms: r.try_get("created_ms")?,
            })
        }

        fn call_row(r: &DbRow) -> Result<OutboundCallRow, StoreError> {
            Ok(OutboundCallRow {
                id: r.try_get("id")?,
                source: r.try_get("source")?,
                source_id: r.try_get("source_id")?,
                device_id: r.try_get("device_id")?,
                name: r.try_get("name")?,
                phone: r.try_get("phone")?,
                reason: r.try_get("reason")?,
                due_ms: r.try_get("due_ms")?,
                attempt: r.try_get("attempt")?,
                retry_of: r.try_get("retry_of")?,
                state: r.try_get("state")?,
                skip_reason: r.try_get("skip_reason")?,
                item_id: r.try_get("item_id")?,
                raised_ms: r.try_get("raised_ms")?,
                dialled_ms: r.try_get("dialled_ms")?,
                outcome: r.try_get("outcome")?,
                outcome_note: r.try_get("outcome_note")?,
                outcome_by: r.try_get("outcome_by")?,
                outcome_ms: r.try_get("outcome_ms")?,
                escalation_item: r.try_get("escalation_item")?,
                created_by: r.try_get("created_by")?,
                created_ms: r.try_get("created_ms")?,
            })
        }

        #[async_trait]
        impl OutboundStore for $store {
            #[instrument(skip_all, fields(device.id = %device_id))]
            async fn set_profile(
                &self,
                device_id: &str,
                birth_year: Option<i32>,
                lives_alone: Option<bool>,
            ) -> Result<bool, StoreError> {
                let done = sqlx::query(
                    "UPDATE ta_devices SET birth_year = $1, lives_alone = $2 WHERE device_id = $3",
                )
                .bind(birth_year)
                .bind(lives_alone)
                .bind(device_id)
                .execute(self.writer())
                .await?;
                Ok(done.rows_affected() == 1)
            }

            #[instrument(skip_all, fields(device.id = %device_id))]
            async fn profile(&self, device_id: &str) -> Result<Option<Profile>, StoreError> {
                let row = sqlx::query(
                    "SELECT device_id, birth_year, lives_alone FROM ta_devices WHERE device_id = $1",
                )
                .bind(device_id)
                .fetch_optional(self.writer())
                .await?;
                row.map(|r| {
                    Ok(Profile {
                        device_id: r.try_get("device_id")?,
                        birth_year: r.try_get("birth_year")?,
                        lives_alone: r.try_get("lives_alone")?,
                    })
                })
                .transpose()
            }

            #[instrument(skip_all)]
            async fn profiles(&self) -> Result<Vec<Profile>, StoreError> {
                let rows = sqlx::query(
                    "SELECT device_id, birth_year, lives_alone FROM ta_devices ORDER BY device_id",
                )
                .fetch_all(self.writer())
                .await?;
                rows.iter()
                    .map(|r| {
                        Ok(Profile {
                            device_id: r.try_get("device_id")?,
                            birth_year: r.try_get("birth_year")?,
                            lives_alone: r.try_get("lives_alone")?,
                        })
                    })
                    .collect()
            }

            #[instrument(skip_all, fields(schedule.id = %s.id))]
            async fn put_schedule(&self, s: &ScheduleRow) -> Result<(), StoreError> {
                sqlx::query(
                    "INSERT INTO outbound_schedules (id, device_id, weekdays, every_days, \
                     at_time, reason, next_due_ms, active, created_by, created_ms) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                )
                .bind(&s.id)
                .bind(&s.device_id)
                .bind(&s.weekdays)
                .bind(s.every_days)
                .bind(&s.at_time)
                .bind(&s.reason)
                .bind(s.next_due_ms)
                .bind(s.active)
                .bind(&s.created_by)
                .bind(s.created_ms)
                .execute(self.writer())
                .await?;
                Ok(())
            }

            #[instrument(skip_all)]
            async fn schedules(&self) -> Result<Vec<ScheduleRow>, StoreError> {
                let rows =
                    sqlx::query("SELECT * FROM outbound_schedules ORDER BY device_id, created_ms")
                        .fetch_all(self.writer())
                        .await?;
                rows.iter().map(schedule_row).collect()
            }

            #[instrument(skip_all, fields(schedule.id = %id))]
            async fn schedule(&self, id: &str) -> Result<Option<ScheduleRow>, StoreError> {
                let row = sqlx::query("SELECT * FROM outbound_schedules WHERE id = $1")
                    .bind(id)
                    .fetch_optional(self.writer())
                    .await?;
                row.as_ref().map(schedule_row).transpose()
            }

            #[instrument(skip_all, fields(schedule.id = %id))]
            async fn stop_schedule(&self, id: &str) -> Result<bool, StoreError> {
                let done = sqlx::query("UPDATE outbound_schedules SET active = $1 WHERE id = $2")
                    .bind(false)
                    .bind(id)
                    .execute(self.writer())
                    .await?;
                Ok(done.rows_affected() == 1)
            }

            #[instrument(skip_all)]
            async fn due_schedules(&self, now_ms: i64) -> Result<Vec<ScheduleRow>, StoreError> {
                let rows = sqlx::query(
                    "SELECT * FROM outbound_schedules WHERE active = $1 AND next_due_ms <= $2 \
                     ORDER BY next_due_ms, id LIMIT 500",
                )
                .bind(true)
                .bind(now_ms)
                .fetch_all(self.writer())
                .await?;
                rows.iter().map(schedule_row).collect()
            }

            #[instrument(skip_all, fields(schedule.id = %id))]
            async fn advance_schedule(
                &self,
                id: &str,
                from_ms: i64,
                to_ms: i64,
            ) -> Result<bool, StoreError> {
                let done = sqlx::query(
                    "UPDATE outbound_schedules SET next_due_ms = $1 \
                     WHERE id = $2 AND next_due_ms = $3",
                )
                .bind(to_ms)
                .bind(id)
                .bind(from_ms)
                .execute(self.writer())
                .await?;
                Ok(done.rows_affected() == 1)
            }

            #[instrument(skip_all, fields(campaign.id = %c.id))]
            async fn put_campaign(&self, c: &CampaignRow) -> Result<(), StoreError> {
                sqlx::query(
                    "INSERT INTO outbound_campaigns (id, name, reason, filter, window_start_ms, \
                     window_end_ms, state, created_by, created_ms, started_ms) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                )
                .bind(&c.id)
                .bind(&c.name)
                .bind(&c.reason)
                .bind(&c.filter)
                .bind(c.window_start_ms)
                .bind(c.window_end_ms)
                .bind(&c.state)
                .bind(&c.created_by)
                .bind(c.created_ms)
                .bind(c.started_ms)
                .execute(self.writer())
                .await?;
                Ok(())
            }

            #[instrument(skip_all)]
            async fn campaigns(&self) -> Result<Vec<CampaignRow>, StoreError> {
                let rows =
                    sqlx::query("SELECT * FROM outbound_campaigns ORDER BY created_ms DESC, id")
                        .fetch_all(self.writer())
                        .await?;
                rows.iter().map(campaign_row).collect()
            }

            #[instrument(skip_all, fields(campaign.id = %id))]
            async fn campaign(&self, id: &str) -> Result<Option<CampaignRow>, StoreError> {
                let row = sqlx::query("SELECT * FROM outbound_campaigns WHERE id = $1")
                    .bind(id)
                    .fetch_optional(self.writer())
                    .await?;
                row.as_ref().map(campaign_row).transpose()
            }

            #[instrument(skip_all, fields(campaign.id = %id))]
            async fn start_campaign(&self, id: &str, now_ms: i64) -> Result<bool, StoreError> {
                let done = sqlx::query(
                    "UPDATE outbound_campaigns SET state = 'started', started_ms = $1 \
                     WHERE id = $2 AND state = 'draft'",
                )
                .bind(now_ms)
                .bind(id)
                .execute(self.writer())
                .await?;
                Ok(done.rows_affected() == 1)
            }

            #[instrument(skip_all, fields(list.id = %l.id))]
            async fn put_list(&self, l: &ListRow) -> Result<(), StoreError> {
                sqlx::query(
                    "INSERT INTO outbound_lists (id, requested_by, service, reason, created_ms) \
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(&l.id)
                .bind(&l.requested_by)
                .bind(&l.service)
                .bind(&l.reason)
                .bind(l.created_ms)
                .execute(self.writer())
                .await?;
                Ok(())
            }

            #[instrument(skip_all)]
            async fn lists(&self) -> Result<Vec<ListRow>, StoreError> {
                let rows = sqlx::query(
                    "SELECT * FROM outbound_lists ORDER BY created_ms DESC, id LIMIT 200",
                )
                .fetch_all(self.writer())
                .await?;
                rows.iter().map(list_row).collect()
            }

            #[instrument(skip_all, fields(outbound.id = %c.id))]
            async fn insert_call(&self, c: &OutboundCallRow) -> Result<bool, StoreError> {
                let done = bind_call(sqlx::query(INSERT_CALL), c)
                    .execute(self.writer())
                    .await?;
                Ok(done.rows_affected() == 1)
            }

            #[instrument(skip_all, fields(outbound.id = %id))]
            async fn call(&self, id: &str) -> Result<Option<OutboundCallRow>, StoreError> {
                let row = sqlx::query("SELECT * FROM outbound_calls WHERE id = $1")
                    .bind(id)
                    .fetch_optional(self.writer())
                    .await?;
                row.as_ref().map(call_row).transpose()
            }

            #[instrument(skip_all, fields(item.id = %item_id))]
            async fn call_by_item(
                &self,
                item_id: &str,
            ) -> Result<Option<OutboundCallRow>, StoreError> {
                let row = sqlx::query("SELECT * FROM outbound_calls WHERE item_id = $1")
                    .bind(item_id)
                    .fetch_optional(self.writer())
                    .await?;
                row.as_ref().map(call_row).transpose()
            }

            #[instrument(skip_all)]
            async fn calls(
                &self,
                source_id: Option<&str>,
                since_ms: i64,
                limit: i64,
            ) -> Result<Vec<OutboundCallRow>, StoreError> {
                let rows = match source_id {
                    Some(s) => {
                        sqlx::query(
                            "SELECT * FROM outbound_calls WHERE source_id = $1 \
                             ORDER BY due_ms, id LIMIT $2",
                        )
                        .bind(s)
                        .bind(limit)
                        .fetch_all(self.writer())
                        .await?
                    }
                    None => {
                        sqlx::query(
                            "SELECT * FROM outbound_calls \
                             WHERE state IN ('planned', 'raised') OR created_ms >= $1 \
                             OR outcome_ms >= $1 ORDER BY due_ms, id LIMIT $2",
                        )
                        .bind(since_ms)
                        .bind(limit)
                        .fetch_all(self.writer())
                        .await?
                    }
                };
                rows.iter().map(call_row).collect()
            }

            #[instrument(skip_all)]
            async fn due_calls(
                &self,
                now_ms: i64,
                stale_ms: i64,
            ) -> Result<Vec<OutboundCallRow>, StoreError> {
                let rows = sqlx::query(
                    "SELECT * FROM outbound_calls \
                     WHERE (state = 'planned' AND due_ms <= $1) \
                     OR (state = 'raised' AND item_id IS NULL AND raised_ms <= $2) \
                     ORDER BY due_ms, id LIMIT 200",
                )
                .bind(now_ms)
                .bind(stale_ms)
                .fetch_all(self.writer())
                .await?;
                rows.iter().map(call_row).collect()
            }

            #[instrument(skip_all, fields(outbound.id = %id))]
            async fn claim_call(
                &self,
                id: &str,
                now_ms: i64,
                stale_ms: i64,
            ) -> Result<bool, StoreError> {
                let done = sqlx::query(
                    "UPDATE outbound_calls SET state = 'raised', raised_ms = $1 \
                     WHERE id = $2 AND ((state = 'planned' AND due_ms <= $1) \
                     OR (state = 'raised' AND item_id IS NULL AND raised_ms <= $3))",
                )
                .bind(now_ms)
                .bind(id)
                .bind(stale_ms)
                .execute(self.writer())
                .await?;
                Ok(done.rows_affected() == 1)
            }

            #[instrument(skip_all, fields(outbound.id = %id))]
            async fn set_call_item(&self, id: &str, item_id: &str) -> Result<(), StoreError> {
                sqlx::query("UPDATE outbound_calls SET item_id = $1 WHERE id = $2")
                    .bind(item_id)
                    .bind(id)
                    .execute(self.writer())
                    .await?;
                Ok(())
            }

            #[instrument(skip_all, fields(outbound.id = %id))]
            async fn skip_call(&self, id: &str, reason: &str) -> Result<bool, StoreError> {
                let done = sqlx::query(
                    "UPDATE outbound_calls SET state = 'skipped', skip_reason = $1 \
                     WHERE id = $2 AND state IN ('planned', 'raised')",
                )
                .bind(reason)
                .bind(id)
                .execute(self.writer())
                .await?;
                Ok(done.rows_affected() == 1)
            }

            #[instrument(skip_all, fields(outbound.id = %id))]
            async fn mark_dialled(&self, id: &str, now_ms: i64) -> Result<(), StoreError> {
                sqlx::query("UPDATE outbound_calls SET dialled_ms = $1 WHERE id = $2")
                    .bind(now_ms)
                    .bind(id)
                    .execute(self.writer())
                    .await?;
                Ok(())
            }

            #[instrument(skip_all, fields(outbound.id = %id))]
            async fn record_call_outcome(
                &self,
                id: &str,
                state: &str,
                outcome: &str,
                note: &str,
                by: &str,
                now_ms: i64,
                then: Option<&OutboundCallRow>,
            ) -> Result<bool, StoreError> {
                let mut tx = self.writer().begin().await?;
                let done = sqlx::query(
                    "UPDATE outbound_calls SET state = $1, outcome = $2, outcome_note = $3, \
                     outcome_by = $4, outcome_ms = $5 WHERE id = $6 AND state = 'raised'",
                )
                .bind(state)
                .bind(outcome)
                .bind(note)
                .bind(by)
                .bind(now_ms)
                .bind(id)
                .execute(&mut *tx)
                .await?;
                if done.rows_affected() != 1 {
                    tx.rollback().await?;
                    return Ok(false);
                }
                if let Some(next) = then {
                    bind_call(sqlx::query(INSERT_CALL), next)
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
                Ok(true)
            }

            #[instrument(skip_all, fields(outbound.id = %id))]
            async fn set_escalation(&self, id: &str, item_id: &str) -> Result<(), StoreError> {
                sqlx::query("UPDATE outbound_calls SET escalation_item = $1 WHERE id = $2")
                    .bind(item_id)
                    .bind(id)
                    .execute(self.writer())
                    .await?;
                Ok(())
            }

            #[instrument(skip_all)]
            async fn tally(&self, source_id: &str) -> Result<Tally, StoreError> {
                let rows = sqlx::query(
                    "SELECT state, COALESCE(outcome, COALESCE(skip_reason, '')) AS why, \
                     COUNT(*) AS n FROM outbound_calls WHERE source_id = $1 \
                     GROUP BY state, COALESCE(outcome, COALESCE(skip_reason, ''))",
                )
                .bind(source_id)
                .fetch_all(self.writer())
                .await?;
                let rows = rows
                    .iter()
                    .map(|r| Ok((r.try_get("state")?, r.try_get("why")?, r.try_get("n")?)))
                    .collect::<Result<Vec<_>, StoreError>>()?;
                Ok(Tally { rows })
            }
        }
    };
}

pub(crate) mod sqlite {
    outbound_queries!(crate::store::SqliteStore);
}

pub(crate) mod postgres {
    outbound_queries!(crate::store::PgStore);
}
