//! A plan: which vehicle visits which stops in which order.
//!
//! Service times are not stored: for a fixed order the schedule is determined by the
//! constraints (see [`super::schedule`]), so keeping only the order avoids stale times.

use serde::{Deserialize, Serialize};

use super::model::{Instance, StopId};

/// The stops of one vehicle, in visiting order, depots excluded.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Route {
    pub stops: Vec<StopId>,
    /// Start times of the first `fixed.len()` stops, which are done or under way: no operation
    /// moves, removes or inserts before them, and their times are facts, not plans (a rider on
    /// board was picked up when they were). Set by [`super::freeze_before`].
    pub fixed: Vec<f64>,
    /// Stops after the frozen prefix cannot start before this time (the "now" of the last
    /// freeze): the past cannot be planned.
    pub release: Option<f64>,
}

impl Route {
    /// A route that carries `requests` one at a time, in order: each rider is picked up and
    /// dropped off before the next is picked up. Nothing is frozen.
    pub fn one_at_a_time(requests: &[usize]) -> Self {
        Self {
            stops: requests
                .iter()
                .flat_map(|&r| [StopId::pickup(r), StopId::dropoff(r)])
                .collect(),
            ..Self::default()
        }
    }
}

/// One route per vehicle: `routes[v]` belongs to `instance.vehicles[v]`. An empty route means the
/// vehicle stays at the depot.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub routes: Vec<Route>,
}

impl Plan {
    /// A plan with every vehicle idle.
    pub fn empty(instance: &Instance) -> Self {
        Self {
            routes: vec![Route::default(); instance.vehicles.len()],
        }
    }

    /// Total routing cost (the objective): every arc driven, depot legs included; idle vehicles
    /// cost nothing. Stops must refer to existing requests (see the `checker` module).
    pub fn cost(&self, instance: &Instance) -> f64 {
        let mut total = 0.0;
        for (route, vehicle) in self.routes.iter().zip(&instance.vehicles) {
            if route.stops.is_empty() {
                continue;
            }
            let mut at = vehicle.start;
            for stop in &route.stops {
                if let Some(e) = instance.endpoint(*stop) {
                    total += instance.cost(at, e.location);
                    at = e.location;
                }
            }
            total += instance.cost(at, vehicle.end);
        }
        total
    }

    /// Requests that no route picks up.
    pub fn unassigned(&self, instance: &Instance) -> Vec<usize> {
        let mut served = vec![false; instance.requests.len()];
        for stop in self.routes.iter().flat_map(|r| &r.stops) {
            if let Some(s) = served.get_mut(stop.request()) {
                *s = true;
            }
        }
        (0..served.len()).filter(|&r| !served[r]).collect()
    }

    /// The vehicle and position of a stop, if it is planned.
    pub fn locate(&self, stop: StopId) -> Option<(usize, usize)> {
        self.routes.iter().enumerate().find_map(|(v, route)| {
            route
                .stops
                .iter()
                .position(|s| *s == stop)
                .map(|pos| (v, pos))
        })
    }
}
