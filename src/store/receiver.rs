//! The SIA DC-09 receiver's accounts (`src/receiver/`): key, linked device, last heard from.
//! Both backends in `sql/receiver.rs`.

use async_trait::async_trait;

use super::StoreError;

/// A transmitter account. `Debug` never shows the key.
#[derive(Clone, PartialEq, Eq)]
pub struct ReceiverAccount {
    pub account: String,
    /// The AES key in hex; `None` for a plain account.
    pub key_hex: Option<String>,
    pub device_id: Option<String>,
    pub created_ms: i64,
    pub last_seen_ms: Option<i64>,
    pub last_checkin_ms: Option<i64>,
    pub messages: i64,
    /// The account's own supervision interval in seconds (migration 0015); `None`: the
    /// linked device's check-in period, or no supervision for an account without a device.
    pub supervision_s: Option<i64>,
    /// The last message (ms) whose silence was already raised as a missed check-in.
    pub missed_raised_for_ms: Option<i64>,
}

impl std::fmt::Debug for ReceiverAccount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReceiverAccount")
            .field("account", &self.account)
            .field("encrypted", &self.key_hex.is_some())
            .field("device_id", &self.device_id)
            .field("last_seen_ms", &self.last_seen_ms)
            .field("supervision_s", &self.supervision_s)
            .finish_non_exhaustive()
    }
}

#[async_trait]
pub trait ReceiverStore: Send + Sync {
    /// Adds an account or replaces its key, device and supervision interval (keeps what was
    /// heard from it).
    async fn put_receiver_account(&self, a: &ReceiverAccount) -> Result<(), StoreError>;
    /// Adds an account unless it exists (accounts from the configuration at start-up).
    async fn add_receiver_account_if_missing(&self, a: &ReceiverAccount) -> Result<(), StoreError>;
    async fn receiver_account(&self, account: &str) -> Result<Option<ReceiverAccount>, StoreError>;
    async fn receiver_accounts(&self) -> Result<Vec<ReceiverAccount>, StoreError>;
    /// `false` when there was no such account.
    async fn remove_receiver_account(&self, account: &str) -> Result<bool, StoreError>;
    /// Records a message heard at `at_ms` (a check-in too when `checkin`).
    async fn receiver_heard(
        &self,
        account: &str,
        at_ms: i64,
        checkin: bool,
    ) -> Result<(), StoreError>;
    /// Records that the silence after the message at `for_ms` was raised as a missed check-in.
    async fn mark_receiver_missed_raised(
        &self,
        account: &str,
        for_ms: i64,
    ) -> Result<(), StoreError>;
}
