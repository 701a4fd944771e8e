//! Driven distance and time per vehicle and day, measured from the tablet's GPS fixes (the
//! reports' "km" and "hours" as driven, next to the planned figures).
//!
//! Each fix is compared with the vehicle's previous fix of the same day:
//! - the time between them counts as time in service when it is at most [`MAX_GAP_S`] (a longer
//!   silence is a tablet switched off or out of coverage, and counts nothing);
//! - the great-circle distance between them counts as driven unless it implies a speed above
//!   [`MAX_SPEED_MPS`] (a GPS jump), or is below [`JITTER_M`] (a parked vehicle's fixes wander
//!   a few metres).
//!
//! A fix older than the previous one (a queued fix replayed late) is ignored.
//!
//! Only these sums are kept, never a track: a track of a vehicle that fetches riders from home
//! would be a list of their addresses.

use routing::network::haversine_m;

use crate::transport::model::{Fix, Step};

/// Longest silence between two fixes that still counts as time in service.
pub(crate) const MAX_GAP_S: f64 = 600.0;
/// Fastest believable speed between two fixes: 150 km/h.
pub(crate) const MAX_SPEED_MPS: f64 = 150.0 / 3.6;
/// Movement below this between two fixes is GPS noise.
pub(crate) const JITTER_M: f64 = 15.0;

/// The contribution of `next` after `prev`, the day's last fix (None for the day's first).
pub(crate) fn step(prev: Option<&Fix>, next: &Fix) -> Step {
    let Some(prev) = prev else {
        return Step {
            advance: true,
            ..Step::default()
        };
    };
    let seconds = (next.at - prev.at).num_milliseconds() as f64 / 1000.0;
    if seconds <= 0.0 {
        return Step::default();
    }
    if seconds > MAX_GAP_S {
        return Step {
            advance: true,
            ..Step::default()
        };
    }
    let metres = haversine_m(prev.position, next.position);
    let driven = metres >= JITTER_M && metres / seconds <= MAX_SPEED_MPS;
    Step {
        metres: if driven { metres } else { 0.0 },
        seconds,
        advance: true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};
    use routing::travel::LonLat;

    fn fix(lon: f64, lat: f64, s: i64) -> Fix {
        Fix {
            position: LonLat::new(lon, lat),
            at: Utc.with_ymd_and_hms(2026, 7, 1, 6, 0, 0).unwrap() + chrono::Duration::seconds(s),
        }
    }

    #[test]
    fn the_first_fix_of_a_day_counts_nothing_but_starts_the_day() {
        let s = step(None, &fix(21.2, 45.75, 0));
        assert_eq!((s.metres, s.seconds, s.advance), (0.0, 0.0, true));
    }

    #[test]
    fn consecutive_fixes_add_their_distance_and_time() {
        // 0.001° of latitude is about 111 m; 10 s apart is 40 km/h.
        let s = step(Some(&fix(21.2, 45.75, 0)), &fix(21.2, 45.751, 10));
        assert!((s.metres - 111.2).abs() < 0.5, "{}", s.metres);
        assert_eq!(s.seconds, 10.0);
    }

    #[test]
    fn a_gps_jump_counts_time_but_no_distance() {
        // 11 km in 10 s.
        let s = step(Some(&fix(21.2, 45.75, 0)), &fix(21.2, 45.85, 10));
        assert_eq!((s.metres, s.seconds, s.advance), (0.0, 10.0, true));
    }

    #[test]
    fn a_parked_vehicle_drives_nothing() {
        let s = step(Some(&fix(21.2, 45.75, 0)), &fix(21.2001, 45.75, 5));
        assert_eq!((s.metres, s.seconds), (0.0, 5.0));
    }

    #[test]
    fn a_long_silence_counts_nothing_and_a_late_fix_is_ignored() {
        let gap = step(Some(&fix(21.2, 45.75, 0)), &fix(21.21, 45.75, 3600));
        assert_eq!((gap.metres, gap.seconds, gap.advance), (0.0, 0.0, true));
        let late = step(Some(&fix(21.2, 45.75, 100)), &fix(21.21, 45.75, 90));
        assert_eq!(late, Step::default());
    }
}
