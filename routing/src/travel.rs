//! Shared vocabulary between the road network and the scheduler: positions and travel-time
//! matrices. The scheduler never sees coordinates, only a [`TravelMatrix`] (or its own Euclidean
//! source for the benchmarks); the service builds the matrix from the road network.

use serde::{Deserialize, Serialize};

/// A WGS84 position in degrees.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct LonLat {
    pub lon: f64,
    pub lat: f64,
}

impl LonLat {
    pub fn new(lon: f64, lat: f64) -> Self {
        Self { lon, lat }
    }
}

/// A dense square matrix of travel times (seconds) and driven distances (metres) between `n`
/// places, row-major: entry `(i, j)` is from place `i` to place `j`.
///
/// Unreachable pairs hold `f64::INFINITY`, so that a solver never mistakes them for cheap legs.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TravelMatrix {
    pub n: usize,
    pub seconds: Vec<f64>,
    pub metres: Vec<f64>,
}

impl TravelMatrix {
    /// A matrix of `n` places with every leg unreachable except the diagonal.
    pub fn unreachable(n: usize) -> Self {
        let mut seconds = vec![f64::INFINITY; n * n];
        let mut metres = vec![f64::INFINITY; n * n];
        for i in 0..n {
            seconds[i * n + i] = 0.0;
            metres[i * n + i] = 0.0;
        }
        Self { n, seconds, metres }
    }

    pub fn seconds(&self, from: usize, to: usize) -> f64 {
        self.seconds[from * self.n + to]
    }

    pub fn metres(&self, from: usize, to: usize) -> f64 {
        self.metres[from * self.n + to]
    }
}

/// Anything that can say how long it takes to drive between places: the Timișoara road network,
/// or the straight-line fallback for places outside the extract.
pub trait TravelTimeSource: Send + Sync {
    /// Travel times and distances between every pair of `places`, for a departure at
    /// `depart_second_of_day` (local time; rush hours are slower).
    fn matrix(&self, places: &[LonLat], depart_second_of_day: u32) -> TravelMatrix;
}
