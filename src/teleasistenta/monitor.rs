//! The check-in monitor: a device that has not checked in within its period plus the configured
//! grace gets one `missed_checkin` technical item per silence. The monitor wakes at the next
//! check-in that falls due (and at least every `monitor_interval_ms`, to see new devices), so
//! the item appears when the grace runs out, not a polling interval later. Several instances
//! may run it: the item's idempotency key (device + the check-in it follows) makes it one item.

use chrono::{DateTime, Duration, SubsecRound, Utc};
use tracing::{info, warn};

use crate::core::Command;
use crate::domain::{AlarmType, Details};
use crate::state::AppState;
use crate::store::emergency::DeviceRecord;

/// When the device's silence becomes a missed check-in.
pub fn due_at(d: &DeviceRecord, grace_s: i64) -> DateTime<Utc> {
    d.last_checkin_at + Duration::seconds(d.checkin_period_s) + Duration::seconds(grace_s)
}

fn raised(d: &DeviceRecord) -> bool {
    d.missed_raised_for == Some(d.last_checkin_at)
}

/// The devices whose check-in is missed at `now` and not yet reported.
pub fn missed(devices: &[DeviceRecord], now: DateTime<Utc>, grace_s: i64) -> Vec<&DeviceRecord> {
    devices
        .iter()
        .filter(|d| !raised(d) && due_at(d, grace_s) <= now)
        .collect()
}

/// The next time a device not yet reported falls due.
pub fn next_due(devices: &[DeviceRecord], grace_s: i64) -> Option<DateTime<Utc>> {
    devices
        .iter()
        .filter(|d| !raised(d))
        .map(|d| due_at(d, grace_s))
        .min()
}

/// The technical item for a missed check-in.
pub fn missed_item(d: &DeviceRecord, grace_s: i64) -> (Details, String) {
    let last_ms = d.last_checkin_at.timestamp_millis();
    (
        Details::Alert {
            device_id: d.device_id.clone(),
            alarm_type: AlarmType::MissedCheckin,
            device_time: due_at(d, grace_s).trunc_subsecs(6),
            receiver_alarm_id: format!("missed-{last_ms}"),
            receiver: "monitor".into(),
        },
        format!("missed-checkin:{}:{last_ms}", d.device_id),
    )
}

/// One pass: raises the missed check-ins due now; returns when to look again.
pub async fn check(state: &AppState) -> anyhow::Result<Option<DateTime<Utc>>> {
    let grace = state.config.teleasistenta.checkin_grace_s;
    let devices = state.emergency.devices().await?;
    let now = Utc::now();
    for d in missed(&devices, now, grace) {
        let (details, key) = missed_item(d, grace);
        state
            .core
            .execute(
                "monitor",
                Command::Create {
                    details,
                    key: Some(key),
                    rate_limited: false,
                },
            )
            .await
            .map_err(|e| anyhow::anyhow!("raising a missed check-in: {e}"))?;
        state
            .emergency
            .mark_missed_raised(&d.device_id, d.last_checkin_at)
            .await?;
        info!(device = %d.device_id, "missed check-in raised");
    }
    let devices = state.emergency.devices().await?;
    Ok(next_due(&devices, grace))
}

/// How long to sleep before the next pass: until the next due time, at most `every`. A due time
/// already past (it fell due while this pass ran) means look again at once — not after a whole
/// `every`, which is what a negative duration used to turn into.
fn wait_for(
    next: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    every: std::time::Duration,
) -> std::time::Duration {
    match next {
        Some(t) => (t - now)
            .to_std()
            .unwrap_or(std::time::Duration::ZERO)
            .clamp(std::time::Duration::from_millis(1), every),
        None => every,
    }
}

/// Starts the monitor until shutdown.
pub fn spawn_monitor(state: AppState) {
    let shutdown = state.shutdown.child_token();
    let every = std::time::Duration::from_millis(state.config.teleasistenta.monitor_interval_ms);
    tokio::spawn(async move {
        loop {
            let next = match check(&state).await {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_due_time_that_passed_during_the_pass_is_looked_at_at_once() {
        let every = std::time::Duration::from_secs(1);
        let now = Utc::now();
        let ms = std::time::Duration::from_millis;
        assert_eq!(
            wait_for(Some(now - Duration::microseconds(5)), now, every),
            ms(1)
        );
        assert_eq!(
            wait_for(Some(now + Duration::milliseconds(300)), now, every),
            ms(300)
        );
        assert_eq!(
            wait_for(Some(now + Duration::seconds(30)), now, every),
            every
        );
        assert_eq!(wait_for(None, now, every), every);
    }

    fn device(last: DateTime<Utc>, period: i64) -> DeviceRecord {
        DeviceRecord {
            device_id: "TA-1".into(),
            beneficiary: "B".into(),
            address: "A".into(),
            lon: None,
            lat: None,
            phone: "+40700000000".into(),
            carers: vec![],
            medical_notes: String::new(),
            access_notes: String::new(),
            key_safe: String::new(),
            checkin_period_s: period,
            last_checkin_at: last,
            battery_pct: None,
            missed_raised_for: None,
            low_battery_raised: false,
        }
    }

    #[test]
    fn a_device_is_missed_exactly_when_period_plus_grace_has_passed_and_only_once() {
        let last = Utc::now();
        let d = vec![device(last, 60)];
        let at = last + Duration::seconds(60 + 30);
        assert!(missed(&d, at - Duration::milliseconds(1), 30).is_empty());
        assert_eq!(missed(&d, at, 30).len(), 1);
        assert_eq!(next_due(&d, 30), Some(at));
        let mut reported = d.clone();
        reported[0].missed_raised_for = Some(last);
        assert!(missed(&reported, at + Duration::hours(1), 30).is_empty());
        assert_eq!(next_due(&reported, 30), None);
        // A new check-in starts a new silence.
        reported[0].last_checkin_at = at;
        assert_eq!(missed(&reported, at + Duration::seconds(90), 30).len(), 1);
    }

    #[test]
    fn the_missed_item_key_names_the_device_and_the_check_in_it_follows() {
        let last = Utc::now();
        let (details, key) = missed_item(&device(last, 10), 5);
        assert_eq!(
            key,
            format!("missed-checkin:TA-1:{}", last.timestamp_millis())
        );
        assert!(matches!(
            details,
            Details::Alert {
                alarm_type: AlarmType::MissedCheckin,
                ..
            }
        ));
    }
}
