//! `dispecer receiver account add | list | remove`: the DC-09 receiver's accounts, managed on
//! the host (keys never travel over HTTP and are never printed). A running service reads the
//! accounts from the database on every message, so a change takes effect at once.

use std::path::Path;

use anyhow::Context;

use crate::config::Config;
use crate::receiver::rules::frame::Key;
use crate::store::{self, ReceiverAccount, ReceiverStore};

/// What `receiver account add` is asked to set.
#[derive(Clone, Default)]
pub struct NewAccount {
    /// 3–16 hex digits.
    pub account: String,
    /// AES key in hex (32, 48 or 64 digits); `None` for a plain account.
    pub key: Option<String>,
    /// The TeleAsistență device the account belongs to.
    pub device_id: Option<String>,
    /// The account's supervision interval in minutes (`--supervision-minutes`).
    pub supervision_minutes: Option<i64>,
}

impl std::fmt::Debug for NewAccount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewAccount")
            .field("account", &self.account)
            .field("encrypted", &self.key.is_some())
            .field("device_id", &self.device_id)
            .field("supervision_minutes", &self.supervision_minutes)
            .finish()
    }
}

async fn open(config_file: Option<&Path>) -> anyhow::Result<std::sync::Arc<dyn ReceiverStore>> {
    let config = Config::load(config_file)?;
    Ok(store::connect_all(&config.store).await?.receiver)
}

fn account_id(a: &str) -> anyhow::Result<String> {
    anyhow::ensure!(
        (3..=16).contains(&a.len()) && a.bytes().all(|b| b.is_ascii_hexdigit()),
        "account {a:?}: must be 3-16 hex digits (as the device sends it after #)"
    );
    Ok(a.to_ascii_uppercase())
}

/// Adds or updates an account (its key and device; what was heard from it is kept).
pub async fn add(receiver: &dyn ReceiverStore, new: NewAccount) -> anyhow::Result<()> {
    let account = account_id(&new.account)?;
    let key_hex = match new.key {
        Some(k) => {
            Key::from_hex(&k).map_err(|e| anyhow::anyhow!("--key: {e}"))?;
            Some(k.trim().to_ascii_uppercase())
        }
        None => None,
    };
    if let Some(m) = new.supervision_minutes {
        anyhow::ensure!(
            (1..=10_080).contains(&m),
            "--supervision-minutes: must be 1-10080 (a week)"
        );
    }
    if let Some(d) = &new.device_id {
        crate::domain::parse::identifier("device", d, 64).map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    receiver
        .put_receiver_account(&ReceiverAccount {
            account,
            key_hex,
            device_id: new.device_id,
            created_ms: chrono::Utc::now().timestamp_millis(),
            last_seen_ms: None,
            last_checkin_ms: None,
            messages: 0,
            supervision_s: new.supervision_minutes.map(|m| m * 60),
            missed_raised_for_ms: None,
        })
        .await
        .context("storing the account")?;
    Ok(())
}

/// `dispecer receiver account add ACCOUNT [--key HEX | --plain] [--device ID]
/// [--supervision-minutes N]`.
pub async fn add_command(config_file: Option<&Path>, new: NewAccount) -> anyhow::Result<()> {
    let store = open(config_file).await?;
    let (account, encrypted) = (new.account.clone(), new.key.is_some());
    add(&*store, new).await?;
    println!(
        "receiver account {} stored ({})",
        account.to_ascii_uppercase(),
        if encrypted { "encrypted" } else { "plain" }
    );
    Ok(())
}

/// `dispecer receiver account list`: one line per account, never the key.
pub async fn list_command(config_file: Option<&Path>) -> anyhow::Result<()> {
    let store = open(config_file).await?;
    println!("account\tencryption\tdevice\tsupervision_min\tlast_seen\tmessages");
    for a in store.receiver_accounts().await? {
        let seen = a
            .last_seen_ms
            .and_then(chrono::DateTime::from_timestamp_millis)
            .map_or_else(|| "-".to_owned(), |t| t.to_rfc3339());
        println!(
            "{}\t{}\t{}\t{}\t{seen}\t{}",
            a.account,
            if a.key_hex.is_some() { "aes" } else { "plain" },
            a.device_id.as_deref().unwrap_or("-"),
            a.supervision_s
                .map_or_else(|| "-".to_owned(), |s| (s / 60).to_string()),
            a.messages
        );
    }
    Ok(())
}

/// `dispecer receiver account remove ACCOUNT`.
pub async fn remove_command(config_file: Option<&Path>, account: &str) -> anyhow::Result<()> {
    let store = open(config_file).await?;
    let account = account_id(account)?;
    anyhow::ensure!(
        store.remove_receiver_account(&account).await?,
        "no receiver account {account}"
    );
    println!("receiver account {account} removed");
    Ok(())
}
