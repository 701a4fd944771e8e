//! [`RosterStore`] on both backends.

macro_rules! roster_queries {
    ($store:ty) => {
        use async_trait::async_trait;
        use sqlx::Row;
        use tracing::instrument;
        use uuid::Uuid;

        use crate::store::dialect::Dialect;
        use crate::store::roster::{
            ContactRecord, HandoverRecord, Refusal, RosterStore, ShiftCheck, ShiftRecord,
        };
        use crate::store::{AuditRecord, StoreError};

        type Db = <$store as Dialect>::Db;
        type DbRow = <Db as sqlx::Database>::Row;

        /// The lock every instance's shift saving respects: the login count's lock-taking
        /// transaction, on a key no name hash (hex) can be.
        const ROSTER_LOCK: &str = "roster:shifts";

        fn uuid(s: &str) -> Result<Uuid, StoreError> {
            Uuid::parse_str(s).map_err(|e| StoreError::Db(sqlx::Error::Decode(Box::new(e))))
        }

        async fn audit_in<'c, E>(conn: E, r: &AuditRecord) -> Result<(), StoreError>
        where
            E: sqlx::Executor<'c, Database = Db>,
        {
            sqlx::query(
                "INSERT INTO audit_log (at, actor, role, action, item_id, outcome) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(r.at)
            .bind(&r.actor)
            .bind(&r.role)
            .bind(&r.action)
            .bind(r.item_id.map(<$store as Dialect>::item_param))
            .bind(&r.outcome)
            .execute(conn)
            .await?;
            Ok(())
        }

        fn contact_row(r: &DbRow) -> Result<ContactRecord, StoreError> {
            Ok(ContactRecord {
                username: r.try_get("username")?,
                phone: r.try_get("phone")?,
                extension: r.try_get("extension")?,
                updated_by: r.try_get("updated_by")?,
                updated_ms: r.try_get("updated_ms")?,
            })
        }

        fn shift_row(r: &DbRow) -> Result<ShiftRecord, StoreError> {
            let id: String = r.try_get("id")?;
            Ok(ShiftRecord {
                id: uuid(&id)?,
                starts_ms: r.try_get("starts_ms")?,
                ends_ms: r.try_get("ends_ms")?,
                lead: r.try_get("lead")?,
                members: Vec::new(),
                created_by: r.try_get("created_by")?,
                updated_ms: r.try_get("updated_ms")?,
            })
        }

        fn handover_row(r: &DbRow) -> Result<HandoverRecord, StoreError> {
            let id: String = r.try_get("id")?;
            let shift: String = r.try_get("shift_id")?;
            let next: String = r.try_get("next_shift_id")?;
            Ok(HandoverRecord {
                id: uuid(&id)?,
                shift_id: uuid(&shift)?,
                next_shift_id: uuid(&next)?,
                written_by: r.try_get("written_by")?,
                written_ms: r.try_get("written_ms")?,
                note: r.try_get("note")?,
                summary: r.try_get("summary")?,
                acks: Vec::new(),
            })
        }

        /// Fills in the members of each shift, in ringing order.
        async fn with_members<'c, E>(
            conn: E,
            mut shifts: Vec<ShiftRecord>,
        ) -> Result<Vec<ShiftRecord>, StoreError>
        where
            E: sqlx::Executor<'c, Database = Db>,
        {
            if shifts.is_empty() {
                return Ok(shifts);
            }
            let mut q = sqlx::QueryBuilder::<Db>::new(
                "SELECT shift_id, username FROM roster_members WHERE shift_id IN (",
            );
            let mut sep = q.separated(", ");
            for s in &shifts {
                sep.push_bind(s.id.to_string());
            }
            sep.push_unseparated(") ORDER BY shift_id, position");
            let rows = q.build().fetch_all(conn).await?;
            for r in rows {
                let shift: String = r.try_get(0)?;
                let user: String = r.try_get(1)?;
                let shift = uuid(&shift)?;
                if let Some(s) = shifts.iter_mut().find(|s| s.id == shift) {
                    s.members.push(user);
                }
            }
            Ok(shifts)
        }

        async fn with_acks<'c, E>(
            conn: E,
            mut notes: Vec<HandoverRecord>,
        ) -> Result<Vec<HandoverRecord>, StoreError>
        where
            E: sqlx::Executor<'c, Database = Db>,
        {
            if notes.is_empty() {
                return Ok(notes);
            }
            let mut q = sqlx::QueryBuilder::<Db>::new(
                "SELECT note_id, username, at_ms FROM handover_acks WHERE note_id IN (",
            );
            let mut sep = q.separated(", ");
            for n in &notes {
                sep.push_bind(n.id.to_string());
            }
            sep.push_unseparated(") ORDER BY at_ms, username");
            for r in q.build().fetch_all(conn).await? {
                let note: String = r.try_get(0)?;
                let note = uuid(&note)?;
                if let Some(n) = notes.iter_mut().find(|n| n.id == note) {
                    n.acks.push((r.try_get(1)?, r.try_get(2)?));
                }
            }
            Ok(notes)
        }

        #[async_trait]
        impl RosterStore for $store {
            #[instrument(skip_all, fields(user = %c.username))]
            async fn put_contact(
                &self,
                c: &ContactRecord,
                audit: &AuditRecord,
            ) -> Result<(), StoreError> {
                let mut tx = self.writer().begin().await?;
                sqlx::query(
                    "INSERT INTO dispatcher_contacts \
                     (username, phone, extension, updated_by, updated_ms) \
                     VALUES ($1, $2, $3, $4, $5) \
                     ON CONFLICT (username) DO UPDATE SET phone = excluded.phone, \
                     extension = excluded.extension, updated_by = excluded.updated_by, \
                     updated_ms = excluded.updated_ms",
                )
                .bind(&c.username)
                .bind(&c.phone)
                .bind(&c.extension)
                .bind(&c.updated_by)
                .bind(c.updated_ms)
                .execute(&mut *tx)
                .await?;
                audit_in(&mut *tx, audit).await?;
                tx.commit().await?;
                Ok(())
            }

            #[instrument(skip_all, fields(user = %username))]
            async fn remove_contact(
                &self,
                username: &str,
                audit: &AuditRecord,
            ) -> Result<bool, StoreError> {
                let mut tx = self.writer().begin().await?;
                let gone = sqlx::query("DELETE FROM dispatcher_contacts WHERE username = $1")
                    .bind(username)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected()
                    > 0;
                if gone {
                    audit_in(&mut *tx, audit).await?;
                }
                tx.commit().await?;
                Ok(gone)
            }

            #[instrument(skip_all)]
            async fn contacts(&self) -> Result<Vec<ContactRecord>, StoreError> {
                sqlx::query("SELECT * FROM dispatcher_contacts ORDER BY username")
                    .fetch_all(self.reader())
                    .await?
                    .iter()
                    .map(contact_row)
                    .collect()
            }

            #[instrument(skip_all, fields(shift.id = %shift.id))]
            async fn save_shift(
                &self,
                shift: &ShiftRecord,
                audit: &AuditRecord,
                check: &mut ShiftCheck<'_>,
            ) -> Result<Result<(), Refusal>, StoreError> {
                let mut tx = self.begin_counting(ROSTER_LOCK).await?;
                let rows = sqlx::query(
                    "SELECT * FROM roster_shifts WHERE starts_ms < $2 AND ends_ms > $1 \
                     AND id <> $3 ORDER BY starts_ms",
                )
                .bind(shift.starts_ms)
                .bind(shift.ends_ms)
                .bind(shift.id.to_string())
                .fetch_all(&mut *tx)
                .await?;
                let others = rows.iter().map(shift_row).collect::<Result<Vec<_>, _>>()?;
                let others = with_members(&mut *tx, others).await?;
                if let Err(refusal) = check(&others) {
                    tx.rollback().await?;
                    return Ok(Err(refusal));
                }
                sqlx::query(
                    "INSERT INTO roster_shifts \
                     (id, starts_ms, ends_ms, lead, created_by, updated_ms) \
                     VALUES ($1, $2, $3, $4, $5, $6) \
                     ON CONFLICT (id) DO UPDATE SET starts_ms = excluded.starts_ms, \
                     ends_ms = excluded.ends_ms, lead = excluded.lead, \
                     updated_ms = excluded.updated_ms",
                )
                .bind(shift.id.to_string())
                .bind(shift.starts_ms)
                .bind(shift.ends_ms)
                .bind(&shift.lead)
                .bind(&shift.created_by)
                .bind(shift.updated_ms)
                .execute(&mut *tx)
                .await?;
                sqlx::query("DELETE FROM roster_members WHERE shift_id = $1")
                    .bind(shift.id.to_string())
                    .execute(&mut *tx)
                    .await?;
                for (position, user) in shift.members.iter().enumerate() {
                    sqlx::query(
                        "INSERT INTO roster_members (shift_id, username, position) \
                         VALUES ($1, $2, $3)",
                    )
                    .bind(shift.id.to_string())
                    .bind(user)
                    .bind(position as i32)
                    .execute(&mut *tx)
                    .await?;
                }
                audit_in(&mut *tx, audit).await?;
                tx.commit().await?;
                Ok(Ok(()))
            }

            #[instrument(skip_all, fields(shift.id = %id))]
            async fn delete_shift(
                &self,
                id: Uuid,
                audit: &AuditRecord,
            ) -> Result<bool, StoreError> {
                let mut tx = self.begin_counting(ROSTER_LOCK).await?;
                sqlx::query("DELETE FROM roster_members WHERE shift_id = $1")
                    .bind(id.to_string())
                    .execute(&mut *tx)
                    .await?;
                let gone = sqlx::query("DELETE FROM roster_shifts WHERE id = $1")
                    .bind(id.to_string())
                    .execute(&mut *tx)
                    .await?
                    .rows_affected()
                    > 0;
                if gone {
                    audit_in(&mut *tx, audit).await?;
                }
                tx.commit().await?;
                Ok(gone)
            }

            #[instrument(skip_all, fields(shift.id = %id))]
            async fn shift(&self, id: Uuid) -> Result<Option<ShiftRecord>, StoreError> {
                let row = sqlx::query("SELECT * FROM roster_shifts WHERE id = $1")
                    .bind(id.to_string())
                    .fetch_optional(self.writer())
                    .await?;
                let Some(row) = row else { return Ok(None) };
                let shift = shift_row(&row)?;
                Ok(with_members(self.writer(), vec![shift]).await?.pop())
            }

            #[instrument(skip_all)]
            async fn shifts_between(
                &self,
                from_ms: i64,
                to_ms: i64,
            ) -> Result<Vec<ShiftRecord>, StoreError> {
                let rows = sqlx::query(
                    "SELECT * FROM roster_shifts WHERE starts_ms < $2 AND ends_ms > $1 \
                     ORDER BY starts_ms, id",
                )
                .bind(from_ms)
                .bind(to_ms)
                .fetch_all(self.writer())
                .await?;
                let shifts = rows.iter().map(shift_row).collect::<Result<Vec<_>, _>>()?;
                with_members(self.writer(), shifts).await
            }

            #[instrument(skip_all)]
            async fn next_shift_from(&self, at_ms: i64) -> Result<Option<ShiftRecord>, StoreError> {
                let row = sqlx::query(
                    "SELECT * FROM roster_shifts WHERE starts_ms >= $1 \
                     ORDER BY starts_ms, id LIMIT 1",
                )
                .bind(at_ms)
                .fetch_optional(self.writer())
                .await?;
                let Some(row) = row else { return Ok(None) };
                let shift = shift_row(&row)?;
                Ok(with_members(self.writer(), vec![shift]).await?.pop())
            }

            #[instrument(skip_all, fields(note.id = %h.id))]
            async fn put_handover(
                &self,
                h: &HandoverRecord,
                audit: &AuditRecord,
            ) -> Result<bool, StoreError> {
                let mut tx = self.writer().begin().await?;
                let added = sqlx::query(
                    "INSERT INTO handover_notes \
                     (id, shift_id, next_shift_id, written_by, written_ms, note, summary) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (shift_id) DO NOTHING",
                )
                .bind(h.id.to_string())
                .bind(h.shift_id.to_string())
                .bind(h.next_shift_id.to_string())
                .bind(&h.written_by)
                .bind(h.written_ms)
                .bind(&h.note)
                .bind(&h.summary)
                .execute(&mut *tx)
                .await?
                .rows_affected()
                    > 0;
                if added {
                    audit_in(&mut *tx, audit).await?;
                }
                tx.commit().await?;
                Ok(added)
            }

            #[instrument(skip_all, fields(shift.id = %shift))]
            async fn shift_has_handover(&self, shift: Uuid) -> Result<bool, StoreError> {
                let n: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM handover_notes WHERE shift_id = $1 OR next_shift_id = $1",
                )
                .bind(shift.to_string())
                .fetch_one(self.writer())
                .await?;
                Ok(n > 0)
            }

            #[instrument(skip_all, fields(note.id = %id))]
            async fn handover(&self, id: Uuid) -> Result<Option<HandoverRecord>, StoreError> {
                let row = sqlx::query("SELECT * FROM handover_notes WHERE id = $1")
                    .bind(id.to_string())
                    .fetch_optional(self.writer())
                    .await?;
                let Some(row) = row else { return Ok(None) };
                let note = handover_row(&row)?;
                Ok(with_acks(self.writer(), vec![note]).await?.pop())
            }

            #[instrument(skip_all)]
            async fn handovers_for(
                &self,
                next_shifts: &[Uuid],
            ) -> Result<Vec<HandoverRecord>, StoreError> {
                if next_shifts.is_empty() {
                    return Ok(Vec::new());
                }
                let mut q = sqlx::QueryBuilder::<Db>::new(
                    "SELECT * FROM handover_notes WHERE next_shift_id IN (",
                );
                let mut sep = q.separated(", ");
                for s in next_shifts {
                    sep.push_bind(s.to_string());
                }
                sep.push_unseparated(") ORDER BY written_ms DESC, id");
                let rows = q.build().fetch_all(self.writer()).await?;
                let notes = rows
                    .iter()
                    .map(handover_row)
                    .collect::<Result<Vec<_>, _>>()?;
                with_acks(self.writer(), notes).await
            }

            #[instrument(skip_all)]
            async fn handovers(&self, limit: i64) -> Result<Vec<HandoverRecord>, StoreError> {
                let rows = sqlx::query(
                    "SELECT * FROM handover_notes ORDER BY written_ms DESC, id LIMIT $1",
                )
                .bind(limit)
                .fetch_all(self.writer())
                .await?;
                let notes = rows
                    .iter()
                    .map(handover_row)
                    .collect::<Result<Vec<_>, _>>()?;
                with_acks(self.writer(), notes).await
            }

            #[instrument(skip_all, fields(note.id = %id))]
            async fn acknowledge_handover(
                &self,
                id: Uuid,
                username: &str,
                at_ms: i64,
                audit: &AuditRecord,
            ) -> Result<bool, StoreError> {
                let mut tx = self.writer().begin().await?;
                let added = sqlx::query(
                    "INSERT INTO handover_acks (note_id, username, at_ms) VALUES ($1, $2, $3) \
                     ON CONFLICT (note_id, username) DO NOTHING",
                )
                .bind(id.to_string())
                .bind(username)
                .bind(at_ms)
                .execute(&mut *tx)
                .await?
                .rows_affected()
                    > 0;
                if added {
                    audit_in(&mut *tx, audit).await?;
                }
                tx.commit().await?;
                Ok(added)
            }
        }
    };
}

mod sqlite {
    roster_queries!(crate::store::SqliteStore);
}

mod postgres {
    roster_queries!(crate::store::PgStore);
}
