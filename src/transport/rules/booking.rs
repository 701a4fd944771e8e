//! The booking rules: places and timings as clients give them, the weekdays of a recurring
//! booking, the stretch of the day a trip occupies its rider (two trips of one rider must not
//! overlap), and the cut-off after which a trip can no longer be changed or cancelled.

use std::collections::HashSet;

use chrono::{Datelike, Duration, NaiveDate, Utc, Weekday};
use chrono_tz::Tz;
use routing::network::haversine_m;
use routing::travel::LonLat;

use super::clock::trip_instant;
use super::engine::seconds_of;
use crate::config::TransportConfig;
use crate::domain::parse;
use crate::error::{Error, Result};
use crate::transport::model::{Spot, TimingKind, Trip, TripStatus};

/// A place as clients send it: an address a driver can read and its position.
pub(crate) fn spot(field: &str, address: &str, lon: f64, lat: f64) -> Result<Spot> {
    let address = parse::text(&format!("{field}.address"), address, 300)?;
    if address.is_empty() {
        return Err(Error::validation(format!("{field}.address"), "is empty"));
    }
    if !lon.is_finite() || !(-180.0..=180.0).contains(&lon) {
        return Err(Error::validation(
            format!("{field}.lon"),
            "must be -180..180",
        ));
    }
    if !lat.is_finite() || !(-90.0..=90.0).contains(&lat) {
        return Err(Error::validation(format!("{field}.lat"), "must be -90..90"));
    }
    Ok(Spot {
        address,
        position: LonLat::new(lon, lat),
    })
}

/// `pickup_at` or `arrive_by`.
pub(crate) fn timing(s: &str) -> Result<TimingKind> {
    match s {
        "pickup_at" => Ok(TimingKind::PickupAt),
        "arrive_by" => Ok(TimingKind::ArriveBy),
        _ => Err(Error::validation("timing", "pickup_at or arrive_by")),
    }
}

fn weekday(s: &str) -> Option<Weekday> {
    Some(match s {
        "mon" => Weekday::Mon,
        "tue" => Weekday::Tue,
        "wed" => Weekday::Wed,
        "thu" => Weekday::Thu,
        "fri" => Weekday::Fri,
        "sat" => Weekday::Sat,
        "sun" => Weekday::Sun,
        _ => return None,
    })
}

/// The days of a recurring booking from `date`: the given weekdays (`mon` ... `sun`) until
/// `until`, at most `weeks` weeks ahead.
pub(crate) fn repeat_dates(
    date: NaiveDate,
    weekdays: &[String],
    until: Option<NaiveDate>,
    weeks: u32,
) -> Result<Vec<NaiveDate>> {
    let horizon = date + Duration::weeks(i64::from(weeks));
    let mut days = HashSet::new();
    for (i, d) in weekdays.iter().enumerate() {
        days.insert(weekday(d).ok_or_else(|| {
            Error::validation(format!("repeat.weekdays[{i}]"), "mon, tue, ... sun")
        })?);
    }
    if days.is_empty() {
        return Err(Error::validation("repeat.weekdays", "is empty"));
    }
    let until = until.unwrap_or(horizon).min(horizon);
    if until < date {
        return Err(Error::validation("repeat.until", "is before date"));
    }
    let dates: Vec<NaiveDate> = date
        .iter_days()
        .take_while(|d| *d <= until)
        .filter(|d| days.contains(&d.weekday()))
        .collect();
    if dates.is_empty() {
        return Err(Error::validation("repeat.weekdays", "no day in the range"));
    }
    Ok(dates)
}

/// The stretch of the day a trip may occupy the rider (window plus a straight-line estimate
/// of the ride), in seconds after midnight: two trips of one rider must not overlap.
pub(crate) fn span(trip: &Trip, config: &TransportConfig) -> (f64, f64) {
    let width = f64::from(config.window_minutes) * 60.0;
    let ride = haversine_m(trip.pickup.position, trip.dropoff.position) * 1.4 / (30.0 / 3.6);
    let t = seconds_of(trip.time);
    match trip.timing {
        TimingKind::PickupAt => (t, t + width + ride),
        TimingKind::ArriveBy => (t - width - ride, t),
    }
}

/// Whether two trips' spans overlap (their dates are not compared).
pub(crate) fn overlap(a: &Trip, b: &Trip, config: &TransportConfig) -> bool {
    let ((a0, a1), (b0, b1)) = (span(a, config), span(b, config));
    a0 < b1 && b0 < a1
}

/// A trip may still be changed or cancelled: booked, and more than the cut-off away.
pub(crate) fn before_cutoff(zone: Tz, config: &TransportConfig, trip: &Trip) -> Result<()> {
    let cutoff = Duration::minutes(config.change_cutoff_minutes);
    if trip_instant(zone, trip.date, trip.time) - cutoff < Utc::now() {
        return Err(Error::conflict_because(
            "within_cutoff",
            format!(
                "trip {} is less than {} minutes away: call the driver",
                trip.id, config.change_cutoff_minutes
            ),
        ));
    }
    if trip.status != TripStatus::Booked {
        return Err(Error::conflict_because(
            "trip_not_booked",
            format!("trip {} is {}", trip.id, trip.status.as_str()),
        ));
    }
    Ok(())
}
