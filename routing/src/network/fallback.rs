//! Travel times when the road network cannot answer (a place outside the extract), and the
//! [`TravelTimeSource`] adapters the scheduler uses.

use super::geo::haversine_m;
use super::profile::{ProfileId, TimeOfDay};
use super::road_network::RoadNetwork;
use crate::travel::{LonLat, TravelMatrix, TravelTimeSource};
use std::sync::Arc;

/// Driven distance over straight-line distance, measured on this network: the median ratio
/// (1.379) over the 986,784 ordered pairs of `data/routing/points-1000.csv` at least 500 m
/// apart (EMIU car profile, free flow,
/// printed by `routing-bench` as `detour median_factor=…`). See [`measure_detour`].
pub const MEASURED_DETOUR_FACTOR: f64 = 1.38;

/// Mean speed over the driven distance on those pairs at free flow (EMIU car), km/h.
pub const MEASURED_SPEED_KMH: f64 = 35.2;

/// Straight line × detour factor at a speed scaled by the time-of-day table. Used for places
/// outside the extract, where no road is known.
#[derive(Clone, Debug)]
pub struct StraightLineFallback {
    pub detour_factor: f64,
    /// Free-flow speed over the driven (detoured) distance, km/h.
    pub speed_kmh: f64,
    pub time_of_day: TimeOfDay,
}

impl StraightLineFallback {
    /// The measured figures ([`MEASURED_DETOUR_FACTOR`], [`MEASURED_SPEED_KMH`]).
    pub fn measured(time_of_day: TimeOfDay) -> Self {
        Self {
            detour_factor: MEASURED_DETOUR_FACTOR,
            speed_kmh: MEASURED_SPEED_KMH,
            time_of_day,
        }
    }

    /// Seconds and metres of one leg.
    pub fn leg(&self, a: LonLat, b: LonLat, depart_second_of_day: u32) -> (f64, f64) {
        let metres = haversine_m(a, b) * self.detour_factor;
        let seconds =
            metres / (self.speed_kmh / 3.6) * self.time_of_day.factor(depart_second_of_day);
        (seconds, metres)
    }
}

impl TravelTimeSource for StraightLineFallback {
    fn matrix(&self, places: &[LonLat], depart_second_of_day: u32) -> TravelMatrix {
        let n = places.len();
        let mut m = TravelMatrix::unreachable(n);
        for i in 0..n {
            for j in 0..n {
                if i != j {
                    let (s, d) = self.leg(places[i], places[j], depart_second_of_day);
                    m.seconds[i * n + j] = s;
                    m.metres[i * n + j] = d;
                }
            }
        }
        m
    }
}

/// The road network for one vehicle profile, as the scheduler's travel-time source.
#[derive(Clone)]
pub struct NetworkSource {
    pub network: Arc<RoadNetwork>,
    pub profile: ProfileId,
}

impl TravelTimeSource for NetworkSource {
    fn matrix(&self, places: &[LonLat], depart_second_of_day: u32) -> TravelMatrix {
        self.network
            .matrix(self.profile, places, depart_second_of_day)
    }
}

/// The network where both places snap within `max_snap_m` of a road, the straight-line
/// fallback for every leg touching a place that does not (outside the extract).
#[derive(Clone)]
pub struct NetworkWithFallback {
    pub network: NetworkSource,
    pub fallback: StraightLineFallback,
    pub max_snap_m: f64,
}

impl NetworkWithFallback {
    /// The network for `profile` with the measured fallback and a 500 m snapping limit.
    pub fn new(network: Arc<RoadNetwork>, profile: ProfileId) -> Self {
        let fallback = StraightLineFallback::measured(network.profiles().time_of_day.clone());
        Self {
            network: NetworkSource { network, profile },
            fallback,
            max_snap_m: 500.0,
        }
    }
}

impl TravelTimeSource for NetworkWithFallback {
    fn matrix(&self, places: &[LonLat], depart_second_of_day: u32) -> TravelMatrix {
        let net = &self.network.network;
        let snapped: Vec<_> = places
            .iter()
            .map(|p| net.snap(*p).filter(|s| s.distance_m <= self.max_snap_m))
            .collect();
        let mut m = net.matrix_snapped(self.network.profile, &snapped, depart_second_of_day);
        let n = places.len();
        for i in 0..n {
            for j in 0..n {
                if i != j && (snapped[i].is_none() || snapped[j].is_none()) {
                    let (s, d) = self
                        .fallback
                        .leg(places[i], places[j], depart_second_of_day);
                    m.seconds[i * n + j] = s;
                    m.metres[i * n + j] = d;
                }
            }
        }
        m
    }
}

/// What [`measure_detour`] found.
#[derive(Clone, Copy, Debug)]
pub struct DetourMeasurement {
    /// Median of driven / straight-line distance over pairs at least 500 m apart.
    pub median_factor: f64,
    /// Total driven distance over total driving time at free flow, km/h.
    pub speed_kmh: f64,
    pub pairs: usize,
}

/// Measures the detour factor and mean speed of the network on all ordered pairs of `points`.
pub fn measure_detour(
    network: &RoadNetwork,
    profile: ProfileId,
    points: &[LonLat],
) -> DetourMeasurement {
    let m = network.matrix(profile, points, 3 * 3600);
    let mut ratios = Vec::new();
    let (mut metres, mut seconds) = (0.0, 0.0);
    for i in 0..points.len() {
        for j in 0..points.len() {
            let straight = haversine_m(points[i], points[j]);
            if i == j || straight < 500.0 || !m.seconds(i, j).is_finite() {
                continue;
            }
            ratios.push(m.metres(i, j) / straight);
            metres += m.metres(i, j);
            seconds += m.seconds(i, j);
        }
    }
    ratios.sort_by(f64::total_cmp);
    DetourMeasurement {
        median_factor: ratios.get(ratios.len() / 2).copied().unwrap_or(f64::NAN),
        speed_kmh: if seconds > 0.0 {
            metres / seconds * 3.6
        } else {
            f64::NAN
        },
        pairs: ratios.len(),
    }
}
