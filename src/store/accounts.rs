//! Accounts, sessions, the login throttle's counts and the read-audit log: the tables behind
//! login, "who may still get in" and "who saw what".

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

/// A user, enabled or not.
#[derive(Clone, Debug)]
pub struct Account {
    pub user: UserRecord,
    /// Disabled accounts cannot log in and have no sessions.
    pub disabled: bool,
}

/// The login throttle's count for one username (`http::throttle` decides what it means).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LoginAttempts {
    /// Attempts counted as wrong: checked and wrong, or still being checked.
    pub failures: u32,
    /// When the last attempt was counted.
    pub last: DateTime<Utc>,
    /// Until when logins for the name are refused without a password check.
    pub blocked_until: Option<DateTime<Utc>>,
}

/// Given a name's count (none when it has no row), its new count (none deletes the row).
pub type AttemptsFn<'a> = dyn FnMut(Option<LoginAttempts>) -> Option<LoginAttempts> + Send + 'a;

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

/// A live session as the supervisor sees it: who, since when, last seen where and on which page.
#[derive(Clone, Debug)]
pub struct SessionRecord {
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub since: DateTime<Utc>,
    /// Written at most once a minute per session ([`Accounts::touch_session`]).
    pub last_seen: Option<DateTime<Utc>>,
    /// The remote address of the last recorded request.
    pub from: Option<String>,
    /// The console page it last said it has open.
    pub page: Option<String>,
}

#[async_trait]
pub trait Accounts: Send + Sync {
    /// Creates a user, or replaces an existing one's name, role, password and resource. Its
    /// sessions are kept, and a disabled account stays disabled.
    async fn put_user(&self, user: &UserRecord) -> Result<(), StoreError>;
    /// As [`Accounts::put_user`], and ends every session of the user in the same transaction.
    /// Returns how many sessions it ended.
    async fn put_user_ending_sessions(&self, user: &UserRecord) -> Result<u64, StoreError>;
    /// An enabled user.
    async fn find_user(&self, username: &str) -> Result<Option<UserRecord>, StoreError>;
    /// A user, enabled or disabled.
    async fn find_account(&self, username: &str) -> Result<Option<Account>, StoreError>;
    /// Disables the account and ends its sessions in one transaction: the number of sessions
    /// ended, or `None` when there is no such user.
    async fn disable_user(
        &self,
        username: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<u64>, StoreError>;
    /// Lets a disabled user log in again; `false` when there is no such user.
    async fn enable_user(&self, username: &str) -> Result<bool, StoreError>;
    /// Ends every session (cookie and tablet token) of a user; returns how many.
    async fn end_sessions(&self, username: &str) -> Result<u64, StoreError>;
    /// Opens a session for `user`, provided the account is still enabled and still has
    /// `user.password_hash` (the password just checked): `false`, and no session, when it was
    /// disabled or given a new password meanwhile.
    async fn create_session(
        &self,
        token_hash: &str,
        user: &UserRecord,
        expires: DateTime<Utc>,
    ) -> Result<bool, StoreError>;
    /// The user of a live (unexpired) session of an enabled account.
    async fn find_session(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<UserRecord>, StoreError>;
    async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError>;
    /// The login count of one name (by its hash), read without a lock.
    async fn login_attempts(&self, name_hash: &str) -> Result<Option<LoginAttempts>, StoreError>;
    /// Reads and rewrites the login count of one name (by its hash) under a lock that every
    /// instance on this database respects, so concurrent logins are counted one after another.
    async fn update_login_attempts(
        &self,
        name_hash: &str,
        change: &mut AttemptsFn<'_>,
    ) -> Result<(), StoreError>;
    /// Forgets the counts of names not tried since `before`; returns how many.
    async fn forget_login_attempts(&self, before: DateTime<Utc>) -> Result<u64, StoreError>;
    /// Records that a session was used now, from `from`, with `page` open (each kept as it was
    /// when not given). The caller limits how often (`web::seen`).
    async fn touch_session(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
        from: Option<&str>,
        page: Option<&str>,
    ) -> Result<(), StoreError>;
    /// The unexpired sessions of enabled accounts, oldest first.
    async fn live_sessions(&self, now: DateTime<Utc>) -> Result<Vec<SessionRecord>, StoreError>;
    /// Enabled users with one of `roles`, by username.
    async fn users_with_roles(&self, roles: &[&str]) -> Result<Vec<UserRecord>, StoreError>;
    async fn audit(&self, record: &AuditRecord) -> Result<(), StoreError>;
    async fn audit_for_item(&self, item: ItemId) -> Result<Vec<AuditRecord>, StoreError>;
}
