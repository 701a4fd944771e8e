//! The check-in monitor: a device that has not checked in within its period plus the configured
//! grace gets one `missed_checkin` technical item per silence. The monitor wakes at the next
//! check-in that falls due (and at least every `monitor_interval_ms`, to see new devices), so
//! the item appears when the grace runs out, not a polling interval later. Several instances
//! may run it: the item's idempotency key (device + the check-in it follows) makes it one item.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use tokio_util::sync::CancellationToken;
use tracing::{info, warn};

use super::rules::checkin::{missed, missed_item, next_due, wait_for, Heartbeat};
use crate::core::{Command, CoreHandle};
use crate::store::emergency::DeviceRecord;
use crate::store::EmergencyStore;

/// What the monitor knows of a registered device.
pub(crate) fn heartbeat(d: &DeviceRecord) -> Heartbeat<'_> {
    Heartbeat {
        device_id: &d.device_id,
        last_checkin_at: d.last_checkin_at,
        checkin_period_s: d.checkin_period_s,
        missed_raised_for: d.missed_raised_for,
    }
}

/// One pass: raises the missed check-ins due now; returns when to look again.
pub(crate) async fn check(
    emergency: &dyn EmergencyStore,
    core: &CoreHandle,
    grace: i64,
) -> anyhow::Result<Option<DateTime<Utc>>> {
    let devices = emergency.devices().await?;
    let beats: Vec<Heartbeat<'_>> = devices.iter().map(heartbeat).collect();
    for d in missed(&beats, Utc::now(), grace) {
        let (details, key) = missed_item(d, grace);
        let subject = devices
            .iter()
            .find(|r| r.device_id == d.device_id)
            .map(super::subject::device_subject);
        core.execute(
            "monitor",
            Command::Create {
                details,
                subject,
                key: Some(key),
                rate_limited: false,
            },
        )
        .await
        .map_err(|e| anyhow::anyhow!("raising a missed check-in: {e}"))?;
        emergency
            .mark_missed_raised(d.device_id, d.last_checkin_at)
            .await?;
        info!(device = %d.device_id, "missed check-in raised");
    }
    let devices = emergency.devices().await?;
    let beats: Vec<Heartbeat<'_>> = devices.iter().map(heartbeat).collect();
    Ok(next_due(&beats, grace))
}

/// Starts the monitor (grace `grace` seconds, looking at least every `every`) until `shutdown`.
pub(crate) fn spawn(
    emergency: Arc<dyn EmergencyStore>,
    core: CoreHandle,
    grace: i64,
    every: std::time::Duration,
    shutdown: CancellationToken,
) {
    tokio::spawn(async move {
        loop {
            let next = match check(emergency.as_ref(), &core, grace).await {
                Ok(next) => next,
                Err(e) => {
                    warn!(error = %e, "check-in monitor pass failed; will retry");
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
