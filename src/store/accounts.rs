//! Accounts, sessions and the read-audit log: the tables behind login and "who saw what".

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Serialize;

use super::StoreError;
use crate::domain::ItemId;

/// A user as stored.
#[derive(Clone, Debug)]
pub struct UserRecord {
    pub username: String,
    pub display_name: String,
    pub role: String,
    /// argon2id PHC string.
    pub password_hash: String,
    /// The resource the user works as (drivers, EMIU members).
    pub resource_id: Option<String>,
}

/// One read of a case.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct AuditRecord {
    pub at: DateTime<Utc>,
    pub actor: String,
    pub role: String,
    /// `view_item`, `view_history`, ...
    pub action: String,
    pub item_id: Option<ItemId>,
    /// `allowed`, `redacted` or `refused`.
    pub outcome: String,
}

#[async_trait]
pub trait Accounts: Send + Sync {
    /// Creates or replaces a user.
    async fn put_user(&self, user: &UserRecord) -> Result<(), StoreError>;
    async fn find_user(&self, username: &str) -> Result<Option<UserRecord>, StoreError>;
    async fn create_session(
        &self,
        token_hash: &str,
        username: &str,
        expires: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    /// The user of a live (unexpired) session of an enabled account.
    async fn find_session(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<UserRecord>, StoreError>;
    async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError>;
    async fn audit(&self, record: &AuditRecord) -> Result<(), StoreError>;
    async fn audit_for_item(&self, item: ItemId) -> Result<Vec<AuditRecord>, StoreError>;
}
