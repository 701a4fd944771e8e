//! Supervision of the DC-09 accounts that have an interval of their own (`supervision_s`).
//!
//! - An account linked to a registered TeleAsistență device: its interval becomes the device's
//!   check-in period, so the device's check-in monitor (`teleasistenta::monitor`) raises the
//!   `missed_checkin` item as for any device (a `NULL` or periodic test is the check-in).
//! - Any other account (no device, or one not in the registry): silent for its interval plus
//!   `teleasistenta.checkin_grace_s` since its last message (since it was added, until the
//!   first) raises one `missed_checkin` item for the pseudo-device `dc09-ACCOUNT`, keyed by
//!   the account and that message as the device monitor keys its items, so several instances
//!   raise one item; the account remembers the silence was reported (once per silence).

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use tokio_util::sync::CancellationToken;
use tracing::{info, warn};

use crate::core::{Command, CoreHandle};
use crate::store::{EmergencyStore, ReceiverAccount, ReceiverStore};
use crate::teleasistenta::rules::checkin::{missed, missed_item, next_due, wait_for, Heartbeat};

/// The pseudo-device an account without a registered device is known by on its items.
pub(crate) fn pseudo_device(account: &str) -> String {
    format!("dc09-{account}")
}

/// The accounts the receiver watches itself, each with its pseudo-device id.
fn unlinked<'a>(
    accounts: &'a [ReceiverAccount],
    registered: &HashMap<String, i64>,
) -> Vec<(&'a ReceiverAccount, String)> {
    accounts
        .iter()
        .filter(|a| a.supervision_s.is_some())
        .filter(|a| {
            !a.device_id
                .as_ref()
                .is_some_and(|d| registered.contains_key(d))
        })
        .map(|a| (a, pseudo_device(&a.account)))
        .collect()
}

fn ms(t: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(t).unwrap_or_default()
}

fn heartbeat<'a>(a: &ReceiverAccount, device: &'a str) -> Heartbeat<'a> {
    Heartbeat {
        device_id: device,
        last_checkin_at: ms(a.last_seen_ms.unwrap_or(a.created_ms)),
        checkin_period_s: a.supervision_s.unwrap_or(i64::MAX / 4),
        missed_raised_for: a.missed_raised_for_ms.map(ms),
    }
}

/// One pass: linked devices given the account's interval, silent unlinked accounts raised;
/// returns when an unlinked account falls due next.
pub(crate) async fn check(
    accounts: &dyn ReceiverStore,
    emergency: &dyn EmergencyStore,
    core: &CoreHandle,
    grace: i64,
) -> anyhow::Result<Option<DateTime<Utc>>> {
    let registered: HashMap<String, i64> = emergency
        .devices()
        .await?
        .into_iter()
        .map(|d| (d.device_id, d.checkin_period_s))
        .collect();
    let list = accounts.receiver_accounts().await?;
    for a in &list {
        if let (Some(s), Some(d)) = (a.supervision_s, &a.device_id) {
            if registered.get(d).is_some_and(|p| *p != s) {
                emergency.set_checkin_period(d, s).await?;
            }
        }
    }
    let watched = unlinked(&list, &registered);
    let beats: Vec<Heartbeat<'_>> = watched.iter().map(|(a, d)| heartbeat(a, d)).collect();
    let mut raised = Vec::new();
    for b in missed(&beats, Utc::now(), grace) {
        let (details, key) = missed_item(b, grace);
        core.execute(
            "monitor",
            Command::Create {
                details,
                subject: None,
                key: Some(key),
                rate_limited: false,
            },
        )
        .await
        .map_err(|e| anyhow::anyhow!("raising a missed DC-09 supervision: {e}"))?;
        let account = b.device_id.trim_start_matches("dc09-");
        let for_ms = b.last_checkin_at.timestamp_millis();
        accounts
            .mark_receiver_missed_raised(account, for_ms)
            .await?;
        info!(account, "missed DC-09 supervision raised");
        raised.push(b.device_id);
    }
    let pending: Vec<Heartbeat<'_>> = beats
        .iter()
        .filter(|b| !raised.contains(&b.device_id))
        .cloned()
        .collect();
    Ok(next_due(&pending, grace))
}

/// Starts the supervision of the accounts until `shutdown` (looking at least every `every`).
pub(crate) fn spawn(
    accounts: Arc<dyn ReceiverStore>,
    emergency: Arc<dyn EmergencyStore>,
    core: CoreHandle,
    grace: i64,
    every: std::time::Duration,
    shutdown: CancellationToken,
) {
    tokio::spawn(async move {
        loop {
            let next = match check(accounts.as_ref(), emergency.as_ref(), &core, grace).await {
                Ok(next) => next,
                Err(e) => {
                    warn!(error = %e, "DC-09 supervision pass failed; will retry");
                    None
                }
            };
            let wait = wait_for(next, Utc::now(), every);
            tokio::select! {
                _ = shutdown.cancelled() => break,
                _ = tokio::time::sleep(wait) => {}
            }
        }
    });
}
