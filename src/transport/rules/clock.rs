//! The service's clock: the local time zone (`queue.timezone`), the service day of an instant
//! and the second of the day.

use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

use super::engine::seconds_of;
use crate::config::Config;

/// The local time zone (Europe/Bucharest when the configured one is unknown).
pub(crate) fn zone(config: &Config) -> Tz {
    config.queue.zone().unwrap_or(chrono_tz::Europe::Bucharest)
}

/// The local date and second of the day now.
pub(crate) fn local_now(zone: Tz) -> (NaiveDate, f64) {
    let now = Utc::now().with_timezone(&zone);
    (now.date_naive(), seconds_of(now.time()))
}

/// The local date of an instant (the service day it belongs to).
pub(crate) fn local_date(zone: Tz, at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&zone).date_naive()
}

/// Seconds after local midnight of an instant.
pub(crate) fn local_seconds(zone: Tz, at: DateTime<Utc>) -> f64 {
    seconds_of(at.with_timezone(&zone).time())
}

/// When a trip happens, in UTC.
pub(crate) fn trip_instant(zone: Tz, date: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
    zone.from_local_datetime(&date.and_time(time))
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| Utc.from_utc_datetime(&date.and_time(time)))
}
