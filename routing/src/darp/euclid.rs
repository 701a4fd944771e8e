//! Straight-line travel on a plane, the travel model of the academic benchmarks.

use crate::travel::{LonLat, TravelMatrix, TravelTimeSource};

/// Treats `lon`/`lat` as plane coordinates `x`/`y` and travel time as the Euclidean distance,
/// unrounded, in double precision (the Cordeau convention; rounding changes the optima).
#[derive(Clone, Copy, Debug, Default)]
pub struct EuclideanPlane;

impl TravelTimeSource for EuclideanPlane {
    fn matrix(&self, places: &[LonLat], _depart_second_of_day: u32) -> TravelMatrix {
        let n = places.len();
        let mut seconds = Vec::with_capacity(n * n);
        for a in places {
            for b in places {
                seconds.push((a.lon - b.lon).hypot(a.lat - b.lat));
            }
        }
        TravelMatrix {
            n,
            metres: seconds.clone(),
            seconds,
        }
    }
}
