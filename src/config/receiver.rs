//! `[receiver]`: the SIA DC-09 alarm receiver (`src/receiver/`).

use secrecy::SecretString;
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReceiverConfig {
    pub enabled: bool,
    /// Address of both listeners (TCP and UDP use the same port, as devices expect).
    pub bind: String,
    pub tcp: bool,
    pub udp: bool,
    /// A message whose timestamp is further than this from the receiver's clock, either way, is
    /// refused with a `NAK` carrying the receiver's time.
    pub timestamp_window_s: i64,
    /// A TCP connection silent this long is closed (devices reconnect).
    pub idle_timeout_s: u64,
    /// Accounts known from the configuration, besides those added with
    /// `dispecer receiver account add` (stored in the database; the database wins).
    pub accounts: Vec<ReceiverAccountConfig>,
    /// Event code → what it does: `cid:EEE` (Contact ID) or `sia:XX` (SIA) to an alarm type,
    /// `checkin`, `cancel` or `restore:TYPE`.
    pub codes: BTreeMap<String, String>,
}

/// One transmitter account.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReceiverAccountConfig {
    /// 3–16 hex digits.
    pub account: String,
    /// The AES key in hex (32, 48 or 64 digits); absent for an account that sends in plain.
    /// Secret: `Debug` redacts it, and it is never logged.
    #[serde(default)]
    pub key: Option<SecretString>,
    /// The TeleAsistență device (registry id) the account belongs to.
    #[serde(default)]
    pub device_id: Option<String>,
    /// Seconds within which the account must be heard from (any message); past it plus
    /// `teleasistenta.checkin_grace_s` a `missed_checkin` item is raised. For a linked device
    /// it becomes the device's check-in period. Absent: the device's period, or none.
    #[serde(default)]
    pub supervision_s: Option<i64>,
}

impl ReceiverConfig {
    pub fn validate(&self) -> anyhow::Result<()> {
        anyhow::ensure!(
            self.timestamp_window_s >= 1,
            "receiver.timestamp_window_s: must be at least 1"
        );
        anyhow::ensure!(
            !self.enabled || self.tcp || self.udp,
            "receiver: enabled with neither tcp nor udp"
        );
        for a in &self.accounts {
            anyhow::ensure!(
                (3..=16).contains(&a.account.len())
                    && a.account.bytes().all(|b| b.is_ascii_hexdigit()),
                "receiver.accounts: account {:?} must be 3-16 hex digits",
                a.account
            );
            anyhow::ensure!(
                a.supervision_s.is_none_or(|s| s >= 1),
                "receiver.accounts: account {:?}: supervision_s must be at least 1",
                a.account
            );
        }
        Ok(())
    }
}
