//! [`Accounts`] on SQLite.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::Row;

use super::accounts::{Accounts, AuditRecord, UserRecord};
use super::{SqliteStore, StoreError};
use crate::domain::ItemId;

fn user(row: &sqlx::sqlite::SqliteRow) -> Result<UserRecord, StoreError> {
    Ok(UserRecord {
        username: row.try_get("username")?,
        display_name: row.try_get("display_name")?,
        role: row.try_get("role")?,
        password_hash: row.try_get("password_hash")?,
        resource_id: row.try_get("resource_id")?,
    })
}

#[async_trait]
impl Accounts for SqliteStore {
    async fn put_user(&self, u: &UserRecord) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO users (username, display_name, role, password_hash, resource_id, created_at) \
             VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (username) DO UPDATE SET \
             display_name = excluded.display_name, role = excluded.role, \
             password_hash = excluded.password_hash, resource_id = excluded.resource_id, disabled_at = NULL",
        )
        .bind(&u.username)
        .bind(&u.display_name)
        .bind(&u.role)
        .bind(&u.password_hash)
        .bind(&u.resource_id)
        .bind(Utc::now())
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    async fn find_user(&self, username: &str) -> Result<Option<UserRecord>, StoreError> {
        let row = sqlx::query(
            "SELECT username, display_name, role, password_hash, resource_id FROM users \
             WHERE username = ? AND disabled_at IS NULL",
        )
        .bind(username)
        .fetch_optional(&self.reader)
        .await?;
        row.as_ref().map(user).transpose()
    }

    async fn create_session(
        &self,
        token_hash: &str,
        username: &str,
        expires: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO sessions (token_hash, username, created_at, expires_at) VALUES (?, ?, ?, ?)",
        )
        .bind(token_hash)
        .bind(username)
        .bind(Utc::now())
        .bind(expires)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    async fn find_session(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<UserRecord>, StoreError> {
        let row = sqlx::query(
            "SELECT u.username, u.display_name, u.role, u.password_hash, u.resource_id \
             FROM sessions s JOIN users u ON u.username = s.username \
             WHERE s.token_hash = ? AND s.expires_at > ? AND u.disabled_at IS NULL",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&self.reader)
        .await?;
        row.as_ref().map(user).transpose()
    }

    async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = ?")
            .bind(token_hash)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    async fn audit(&self, r: &AuditRecord) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO audit_log (at, actor, role, action, item_id, outcome) VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(r.at)
        .bind(&r.actor)
        .bind(&r.role)
        .bind(&r.action)
        .bind(r.item_id.map(|i| i.to_string()))
        .bind(&r.outcome)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    async fn audit_for_item(&self, item: ItemId) -> Result<Vec<AuditRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT at, actor, role, action, outcome FROM audit_log WHERE item_id = ? ORDER BY id",
        )
        .bind(item.to_string())
        .fetch_all(&self.reader)
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
