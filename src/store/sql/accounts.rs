//! [`Accounts`] on both backends.

macro_rules! accounts_queries {
    ($store:ty) => {
        use async_trait::async_trait;
        use chrono::{DateTime, Utc};
        use sqlx::Row;
        use tracing::instrument;

        use crate::domain::ItemId;
        use crate::store::accounts::{
            Account, Accounts, AttemptsFn, AuditRecord, LoginAttempts, SessionRecord, UserRecord,
        };
        use crate::store::dialect::Dialect;
        use crate::store::StoreError;

        type Db = <$store as Dialect>::Db;
        type DbRow = <Db as sqlx::Database>::Row;
        type DbConn = <Db as sqlx::Database>::Connection;

        const USER_COLUMNS: &str = "username, display_name, role, password_hash, resource_id";

        fn user(row: &DbRow) -> Result<UserRecord, StoreError> {
            Ok(UserRecord {
                username: row.try_get("username")?,
                display_name: row.try_get("display_name")?,
                role: row.try_get("role")?,
                password_hash: row.try_get("password_hash")?,
                resource_id: row.try_get("resource_id")?,
            })
        }

        async fn upsert_user(conn: &mut DbConn, u: &UserRecord) -> Result<(), StoreError> {
            sqlx::query(
                "INSERT INTO users \
                 (username, display_name, role, password_hash, resource_id, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (username) DO UPDATE SET \
                 display_name = excluded.display_name, role = excluded.role, \
                 password_hash = excluded.password_hash, \
                 resource_id = excluded.resource_id",
            )
            .bind(&u.username)
            .bind(&u.display_name)
            .bind(&u.role)
            .bind(&u.password_hash)
            .bind(&u.resource_id)
            .bind(Utc::now())
            .execute(&mut *conn)
            .await?;
            Ok(())
        }

        async fn delete_sessions(conn: &mut DbConn, username: &str) -> Result<u64, StoreError> {
            Ok(sqlx::query("DELETE FROM sessions WHERE username = $1")
                .bind(username)
                .execute(&mut *conn)
                .await?
                .rows_affected())
        }

        fn attempts(r: &DbRow) -> Result<LoginAttempts, StoreError> {
            Ok(LoginAttempts {
                failures: u32::try_from(r.try_get::<i32, _>("failures")?).unwrap_or(0),
                last: r.try_get("last_at")?,
                blocked_until: r.try_get("blocked_until")?,
            })
        }

        /// Reads and rewrites one name's login count on a connection inside a transaction.
        async fn update_attempts_in(
            conn: &mut DbConn,
            name_hash: &str,
            change: &mut AttemptsFn<'_>,
        ) -> Result<(), StoreError> {
            let row = sqlx::query(
                "SELECT failures, last_at, blocked_until FROM login_throttle \
                 WHERE name_hash = $1",
            )
            .bind(name_hash)
            .fetch_optional(&mut *conn)
            .await?;
            let before = row.as_ref().map(attempts).transpose()?;
            match change(before) {
                Some(a) => {
                    sqlx::query(
                        "INSERT INTO login_throttle \
                         (name_hash, failures, last_at, blocked_until) \
                         VALUES ($1, $2, $3, $4) ON CONFLICT (name_hash) DO UPDATE SET \
                         failures = excluded.failures, last_at = excluded.last_at, \
                         blocked_until = excluded.blocked_until",
                    )
                    .bind(name_hash)
                    .bind(i32::try_from(a.failures).unwrap_or(i32::MAX))
                    .bind(a.last)
                    .bind(a.blocked_until)
                    .execute(&mut *conn)
                    .await?;
                }
                None if before.is_some() => {
                    sqlx::query("DELETE FROM login_throttle WHERE name_hash = $1")
                        .bind(name_hash)
                        .execute(&mut *conn)
                        .await?;
                }
                None => {}
            }
            Ok(())
        }

        #[async_trait]
        impl Accounts for $store {
            #[instrument(skip_all)]
            async fn put_user(&self, u: &UserRecord) -> Result<(), StoreError> {
                let mut conn = self.writer().acquire().await?;
                upsert_user(&mut conn, u).await
            }

            #[instrument(skip_all)]
            async fn put_user_ending_sessions(&self, u: &UserRecord) -> Result<u64, StoreError> {
                let mut tx = self.writer().begin().await?;
                upsert_user(&mut tx, u).await?;
                let ended = delete_sessions(&mut tx, &u.username).await?;
                tx.commit().await?;
                Ok(ended)
            }

            async fn find_user(&self, username: &str) -> Result<Option<UserRecord>, StoreError> {
                let row = sqlx::query(&format!(
                    "SELECT {USER_COLUMNS} FROM users \
                     WHERE username = $1 AND disabled_at IS NULL"
                ))
                .bind(username)
                .fetch_optional(self.reader())
                .await?;
                row.as_ref().map(user).transpose()
            }

            async fn find_account(&self, username: &str) -> Result<Option<Account>, StoreError> {
                let row = sqlx::query(&format!(
                    "SELECT {USER_COLUMNS}, disabled_at IS NOT NULL AS disabled FROM users \
                     WHERE username = $1"
                ))
                .bind(username)
                .fetch_optional(self.reader())
                .await?;
                row.as_ref()
                    .map(|r| {
                        Ok(Account {
                            user: user(r)?,
                            disabled: r.try_get("disabled")?,
                        })
                    })
                    .transpose()
            }

            #[instrument(skip_all)]
            async fn disable_user(
                &self,
                username: &str,
                now: DateTime<Utc>,
            ) -> Result<Option<u64>, StoreError> {
                let mut tx = self.writer().begin().await?;
                let found = sqlx::query(
                    "UPDATE users SET disabled_at = COALESCE(disabled_at, $1) \
                     WHERE username = $2",
                )
                .bind(now)
                .bind(username)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if found == 0 {
                    return Ok(None);
                }
                let ended = delete_sessions(&mut tx, username).await?;
                tx.commit().await?;
                Ok(Some(ended))
            }

            #[instrument(skip_all)]
            async fn enable_user(&self, username: &str) -> Result<bool, StoreError> {
                Ok(
                    sqlx::query("UPDATE users SET disabled_at = NULL WHERE username = $1")
                        .bind(username)
                        .execute(self.writer())
                        .await?
                        .rows_affected()
                        > 0,
                )
            }

            #[instrument(skip_all)]
            async fn end_sessions(&self, username: &str) -> Result<u64, StoreError> {
                let mut conn = self.writer().acquire().await?;
                delete_sessions(&mut conn, username).await
            }

            #[instrument(skip_all)]
            async fn create_session(
                &self,
                token_hash: &str,
                user: &UserRecord,
                expires: DateTime<Utc>,
            ) -> Result<bool, StoreError> {
                // One statement: the account is checked and the session written under the same
                // lock, so a password change or a disable that commits first leaves no session
                // behind.
                let created = sqlx::query(
                    "INSERT INTO sessions (token_hash, username, created_at, expires_at) \
                     SELECT $1, username, $2, $3 FROM users \
                     WHERE username = $4 AND password_hash = $5 AND disabled_at IS NULL",
                )
                .bind(token_hash)
                .bind(Utc::now())
                .bind(expires)
                .bind(&user.username)
                .bind(&user.password_hash)
                .execute(self.writer())
                .await?
                .rows_affected();
                Ok(created == 1)
            }

            async fn find_session(
                &self,
                token_hash: &str,
                now: DateTime<Utc>,
            ) -> Result<Option<UserRecord>, StoreError> {
                let row = sqlx::query(
                    "SELECT u.username, u.display_name, u.role, u.password_hash, u.resource_id \
                     FROM sessions s JOIN users u ON u.username = s.username \
                     WHERE s.token_hash = $1 AND s.expires_at > $2 \
                     AND u.disabled_at IS NULL",
                )
                .bind(token_hash)
                .bind(now)
                .fetch_optional(self.reader())
                .await?;
                row.as_ref().map(user).transpose()
            }

            #[instrument(skip_all)]
            async fn touch_session(
                &self,
                token_hash: &str,
                now: DateTime<Utc>,
                from: Option<&str>,
                page: Option<&str>,
            ) -> Result<(), StoreError> {
                sqlx::query(
                    "UPDATE sessions SET last_seen_at = $1, \
                     last_from = COALESCE($2, last_from), last_page = COALESCE($3, last_page) \
                     WHERE token_hash = $4",
                )
                .bind(now)
                .bind(from)
                .bind(page)
                .bind(token_hash)
                .execute(self.writer())
                .await?;
                Ok(())
            }

            #[instrument(skip_all)]
            async fn live_sessions(
                &self,
                now: DateTime<Utc>,
            ) -> Result<Vec<SessionRecord>, StoreError> {
                let rows = sqlx::query(
                    "SELECT u.username, u.display_name, u.role, s.created_at, s.last_seen_at, \
                     s.last_from, s.last_page \
                     FROM sessions s JOIN users u ON u.username = s.username \
                     WHERE s.expires_at > $1 AND u.disabled_at IS NULL \
                     ORDER BY s.created_at, u.username",
                )
                .bind(now)
                .fetch_all(self.reader())
                .await?;
                rows.iter()
                    .map(|r| {
                        Ok(SessionRecord {
                            username: r.try_get("username")?,
                            display_name: r.try_get("display_name")?,
                            role: r.try_get("role")?,
                            since: r.try_get("created_at")?,
                            last_seen: r.try_get("last_seen_at")?,
                            from: r.try_get("last_from")?,
                            page: r.try_get("last_page")?,
                        })
                    })
                    .collect()
            }

            #[instrument(skip_all)]
            async fn users_with_roles(&self, roles: &[&str]) -> Result<Vec<UserRecord>, StoreError> {
                let rows = sqlx::query(&format!(
                    "SELECT {USER_COLUMNS} FROM users WHERE disabled_at IS NULL \
                     ORDER BY username"
                ))
                .fetch_all(self.reader())
                .await?;
                let mut out = Vec::new();
                for r in &rows {
                    let u = user(r)?;
                    if roles.contains(&u.role.as_str()) {
                        out.push(u);
                    }
                }
                Ok(out)
            }

            async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError> {
                sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
                    .bind(token_hash)
                    .execute(self.writer())
                    .await?;
                Ok(())
            }

            async fn login_attempts(
                &self,
                name_hash: &str,
            ) -> Result<Option<LoginAttempts>, StoreError> {
                let row = sqlx::query(
                    "SELECT failures, last_at, blocked_until FROM login_throttle \
                 WHERE name_hash = $1",
                )
                .bind(name_hash)
                .fetch_optional(self.reader())
                .await?;
                row.as_ref().map(attempts).transpose()
            }

            async fn update_login_attempts(
                &self,
                name_hash: &str,
                change: &mut AttemptsFn<'_>,
            ) -> Result<(), StoreError> {
                let mut tx = self.begin_counting(name_hash).await?;
                update_attempts_in(&mut tx, name_hash, change).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn forget_login_attempts(
                &self,
                before: DateTime<Utc>,
            ) -> Result<u64, StoreError> {
                Ok(sqlx::query("DELETE FROM login_throttle WHERE last_at < $1")
                    .bind(before)
                    .execute(self.writer())
                    .await?
                    .rows_affected())
            }

            async fn audit(&self, r: &AuditRecord) -> Result<(), StoreError> {
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
                .execute(self.writer())
                .await?;
                Ok(())
            }

            async fn audit_for_item(&self, item: ItemId) -> Result<Vec<AuditRecord>, StoreError> {
                let rows = sqlx::query(
                    "SELECT at, actor, role, action, outcome FROM audit_log WHERE item_id = $1 \
                     ORDER BY id",
                )
                .bind(<$store as Dialect>::item_param(item))
                .fetch_all(self.reader())
                .await?;
                rows.iter()
                    .map(|r| {
                        Ok(AuditRecord {
                            at: r.try_get("at")?,
                            actor: r.try_get("actor")?,
                            role: r.try_get("role")?,
                            action: r.try_get("action")?,
                            item_id: Some(item),
                            outcome: r.try_get("outcome")?,
                        })
                    })
                    .collect()
            }
        }
    };
}

pub(crate) mod sqlite {
    accounts_queries!(crate::store::SqliteStore);
}

pub(crate) mod postgres {
    accounts_queries!(crate::store::PgStore);
}
