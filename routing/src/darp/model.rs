//! The dial-a-ride model: requests, the fleet and the travel matrix, in plain data.
//!
//! Everything is indexed: requests by their position in [`Instance::requests`], vehicles by their
//! position in [`Instance::vehicles`], places by their row in the [`TravelMatrix`]. Times are in
//! whatever unit the matrix uses (minutes for Cordeau, seconds for the service); the model does not
//! care as long as it is one unit throughout.

use serde::{Deserialize, Serialize};

use super::load::{Capacity, Load};
use crate::travel::TravelMatrix;

/// A time window for the *start* of service, inclusive at both ends.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Window {
    pub earliest: f64,
    pub latest: f64,
}

impl Window {
    pub fn new(earliest: f64, latest: f64) -> Self {
        Self { earliest, latest }
    }
}

/// One end of a trip: where, for how long the vehicle stops, and when service may start.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Endpoint {
    /// Row of the place in the travel matrix.
    pub location: usize,
    /// Time spent at the stop (boarding, securing a wheelchair), counted before departure.
    pub service: f64,
    pub window: Window,
}

/// A booking: one pick-up, one drop-off, who travels, and how long they may stay on board.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Request {
    pub pickup: Endpoint,
    pub dropoff: Endpoint,
    pub load: Load,
    /// Longest allowed time from the end of service at the pick-up to the start of service at the
    /// drop-off. Per request, because the service derives it from the direct travel time.
    /// [`NO_RIDE_LIMIT`] for goods (a meal, supplies): nobody rides, so nothing bounds the ride.
    pub max_ride: f64,
    /// Requests with the same group ride in the same vehicle (a day-centre shuttle's riders and
    /// escorts): whichever vehicle serves one served member serves every other served member.
    /// `None` for a request on its own (every benchmark instance).
    #[serde(default)]
    pub group: Option<u32>,
}

/// The ride limit of a request that carries goods, not people: a meal or a supply box may stay
/// on board as long as the windows allow. Every check (the solver's schedule, the insertion's
/// fast test, the independent checker) treats it as a constraint that never binds, and serde
/// never sees it: instances are not stored.
pub const NO_RIDE_LIMIT: f64 = f64::INFINITY;

impl Request {
    /// Goods, not people: no seat taken ([`Load::default`]) and no ride limit.
    pub fn is_goods(&self) -> bool {
        self.load.is_empty() && self.max_ride == NO_RIDE_LIMIT
    }
}

/// A vehicle with its crew's shift: where it starts and ends and what it can carry.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Vehicle {
    pub capacity: Capacity,
    /// Row of the start depot in the travel matrix.
    pub start: usize,
    /// Row of the end depot (may differ from the start: vehicles park at different garages).
    pub end: usize,
    /// The departure from `start` and the return to `end` must both lie in the shift.
    pub shift: Window,
    /// Longest allowed time between leaving `start` and arriving at `end` (driver hours).
    pub max_duration: f64,
}

/// Which matrix entry the objective sums: the benchmarks use time, the service may prefer
/// kilometres driven.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum CostBasis {
    #[default]
    Time,
    Distance,
}

/// Identifies a stop: the pick-up or the drop-off of one request.
///
/// The pick-up of request `r` is `2r` and its drop-off `2r + 1`, so that adding a request during
/// the day never renumbers existing stops.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct StopId(pub usize);

impl StopId {
    pub fn pickup(request: usize) -> Self {
        Self(2 * request)
    }

    pub fn dropoff(request: usize) -> Self {
        Self(2 * request + 1)
    }

    pub fn request(self) -> usize {
        self.0 / 2
    }

    pub fn is_pickup(self) -> bool {
        self.0.is_multiple_of(2)
    }

    /// The other end of the same request.
    pub fn partner(self) -> Self {
        Self(self.0 ^ 1)
    }
}

/// A complete problem: what must be served, by what, over which travel matrix.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Instance {
    /// Shown in benchmark output; free text.
    pub name: String,
    pub requests: Vec<Request>,
    pub vehicles: Vec<Vehicle>,
    pub matrix: TravelMatrix,
    pub cost_basis: CostBasis,
}

/// Why an instance was rejected before solving.
#[derive(Clone, Debug, thiserror::Error, PartialEq)]
pub enum ModelError {
    #[error("{what} refers to place {location}, but the matrix has {n} places")]
    UnknownLocation {
        what: String,
        location: usize,
        n: usize,
    },
    #[error("the travel matrix is not {n}×{n}")]
    BadMatrix { n: usize },
    #[error("{what} has a non-finite or negative number or an empty window")]
    BadNumber { what: String },
}

impl Instance {
    /// Checks that every index is inside the matrix and every number usable, so that the solver
    /// never has to (it indexes without further checks).
    pub fn validate(&self) -> Result<(), ModelError> {
        let n = self.matrix.n;
        if self.matrix.seconds.len() != n * n || self.matrix.metres.len() != n * n {
            return Err(ModelError::BadMatrix { n });
        }
        // Names are built only on failure: validation runs on every same-day insertion.
        let place = |what: &dyn Fn() -> String, location: usize| {
            if location < n {
                Ok(())
            } else {
                Err(ModelError::UnknownLocation {
                    what: what(),
                    location,
                    n,
                })
            }
        };
        let window_ok = |w: &Window| w.earliest.is_finite() && w.latest >= w.earliest;
        for (r, req) in self.requests.iter().enumerate() {
            place(&|| format!("request {r} pick-up"), req.pickup.location)?;
            place(&|| format!("request {r} drop-off"), req.dropoff.location)?;
            let ok = [req.pickup, req.dropoff]
                .iter()
                .all(|e| e.service.is_finite() && e.service >= 0.0 && window_ok(&e.window))
                && req.max_ride >= 0.0
                && !req.max_ride.is_nan();
            if !ok {
                return Err(ModelError::BadNumber {
                    what: format!("request {r}"),
                });
            }
        }
        for (v, veh) in self.vehicles.iter().enumerate() {
            place(&|| format!("vehicle {v} start"), veh.start)?;
            place(&|| format!("vehicle {v} end"), veh.end)?;
            if !window_ok(&veh.shift) || veh.max_duration < 0.0 || veh.max_duration.is_nan() {
                return Err(ModelError::BadNumber {
                    what: format!("vehicle {v}"),
                });
            }
        }
        Ok(())
    }

    /// Travel time between two places.
    pub fn time(&self, from: usize, to: usize) -> f64 {
        self.matrix.seconds(from, to)
    }

    /// Objective contribution of driving between two places.
    pub fn cost(&self, from: usize, to: usize) -> f64 {
        match self.cost_basis {
            CostBasis::Time => self.matrix.seconds(from, to),
            CostBasis::Distance => self.matrix.metres(from, to),
        }
    }

    /// The pick-up or drop-off behind a stop id, if the request exists.
    pub fn endpoint(&self, stop: StopId) -> Option<&Endpoint> {
        let req = self.requests.get(stop.request())?;
        Some(if stop.is_pickup() {
            &req.pickup
        } else {
            &req.dropoff
        })
    }
}
