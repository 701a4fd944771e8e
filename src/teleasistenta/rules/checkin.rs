//! Check-ins: when a device's silence becomes a missed check-in (its period plus the configured
//! grace, reported once per silence), when the monitor looks again, and when a battery reading
//! raises or clears the low-battery item.

use chrono::{DateTime, Duration, SubsecRound, Utc};

use crate::domain::{AlarmType, Details};

/// What the monitor knows of a device.
#[derive(Clone, Debug)]
pub(crate) struct Heartbeat<'a> {
    pub device_id: &'a str,
    pub last_checkin_at: DateTime<Utc>,
    /// Seconds between check-ins.
    pub checkin_period_s: i64,
    /// The check-in whose silence was already reported.
    pub missed_raised_for: Option<DateTime<Utc>>,
}

/// When the device's silence becomes a missed check-in.
pub(crate) fn due_at(d: &Heartbeat<'_>, grace_s: i64) -> DateTime<Utc> {
    d.last_checkin_at + Duration::seconds(d.checkin_period_s) + Duration::seconds(grace_s)
}

fn raised(d: &Heartbeat<'_>) -> bool {
    d.missed_raised_for == Some(d.last_checkin_at)
}

/// The devices whose check-in is missed at `now` and not yet reported.
pub(crate) fn missed<'a, 'b>(
    devices: &'b [Heartbeat<'a>],
    now: DateTime<Utc>,
    grace_s: i64,
) -> Vec<&'b Heartbeat<'a>> {
    devices
        .iter()
        .filter(|d| !raised(d) && due_at(d, grace_s) <= now)
        .collect()
}

/// The next time a device not yet reported falls due.
pub(crate) fn next_due(devices: &[Heartbeat<'_>], grace_s: i64) -> Option<DateTime<Utc>> {
    devices
        .iter()
        .filter(|d| !raised(d))
        .map(|d| due_at(d, grace_s))
        .min()
}

/// The technical item for a missed check-in, and its idempotency key.
pub(crate) fn missed_item(d: &Heartbeat<'_>, grace_s: i64) -> (Details, String) {
    let last_ms = d.last_checkin_at.timestamp_millis();
    (
        Details::Alert {
            device_id: d.device_id.to_owned(),
            alarm_type: AlarmType::MissedCheckin,
            device_time: due_at(d, grace_s).trunc_subsecs(6),
            receiver_alarm_id: format!("missed-{last_ms}"),
            receiver: "monitor".into(),
        },
        format!("missed-checkin:{}:{last_ms}", d.device_id),
    )
}

/// How long to sleep before the next pass: until the next due time, at most `every`. A due time
/// already past (it fell due while this pass ran) means look again at once — not after a whole
/// `every`, which is what a negative duration used to turn into.
pub(crate) fn wait_for(
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

/// What a battery reading does to the device's low-battery item.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Battery {
    /// Under the threshold with no item raised: raise one.
    Raise,
    /// At or above it again: the next low reading raises a new one.
    Clear,
    Keep,
}

pub(crate) fn battery(reading: Option<i32>, threshold: i32, raised: bool) -> Battery {
    match reading {
        Some(b) if b < threshold && !raised => Battery::Raise,
        Some(b) if b >= threshold && raised => Battery::Clear,
        _ => Battery::Keep,
    }
}

/// The low-battery item of a reading at `now`, and its idempotency key.
pub(crate) fn low_battery_item(
    device_id: &str,
    now: DateTime<Utc>,
    receiver: &str,
) -> (Details, String) {
    (
        Details::Alert {
            device_id: device_id.to_owned(),
            alarm_type: AlarmType::LowBattery,
            device_time: now,
            receiver_alarm_id: format!("battery-{}", now.timestamp_millis()),
            receiver: receiver.to_owned(),
        },
        format!("low-battery:{device_id}:{}", now.timestamp_millis()),
    )
}

#[cfg(test)]
mod tests {
    use crate::teleasistenta::rules::checkin::*;

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

    fn device(last: DateTime<Utc>, period: i64) -> Heartbeat<'static> {
        Heartbeat {
            device_id: "TA-1",
            last_checkin_at: last,
            checkin_period_s: period,
            missed_raised_for: None,
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

    #[test]
    fn a_low_reading_raises_one_item_until_the_battery_is_above_the_threshold_again() {
        assert_eq!(battery(Some(10), 20, false), Battery::Raise);
        assert_eq!(battery(Some(10), 20, true), Battery::Keep);
        assert_eq!(battery(Some(20), 20, true), Battery::Clear);
        assert_eq!(battery(Some(50), 20, false), Battery::Keep);
        assert_eq!(battery(None, 20, true), Battery::Keep);
    }
}
