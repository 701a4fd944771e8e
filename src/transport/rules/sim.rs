//! A simulated run of a planned day: each vehicle drives its route with travel times perturbed
//! at random (seeded), waits for the promised time when early, and we count pick-ups that fall
//! inside the promise (no later than promised + late margin).

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

use super::engine::Built;
use crate::transport::model::DayPlan;

#[derive(Debug, Default)]
pub(crate) struct SimResult {
    pub pickups: usize,
    pub on_time: usize,
    pub max_late_s: f64,
    pub mean_late_s: f64,
}

impl SimResult {
    pub(crate) fn on_time_pct(&self) -> f64 {
        if self.pickups == 0 {
            100.0
        } else {
            100.0 * self.on_time as f64 / self.pickups as f64
        }
    }
}

/// Drives the plan: every leg takes its matrix time × a factor drawn from
/// [`low`, `high`]; service at a stop starts at max(arrival, planned time).
pub(crate) fn simulate(
    built: &Built,
    plan: &DayPlan,
    late_s: f64,
    low: f64,
    high: f64,
    seed: u64,
) -> SimResult {
    let mut rng = SmallRng::seed_from_u64(seed);
    let instance = &built.instance;
    let mut res = SimResult::default();
    let mut late_sum = 0.0;
    for route in &plan.routes {
        let Some(v) = built
            .vehicle_ids
            .iter()
            .position(|id| *id == route.vehicle_id)
        else {
            continue;
        };
        let mut at = instance.vehicles[v].start;
        let mut clock: Option<f64> = None;
        for stop in &route.stops {
            let Some(r) = built.request_of(&stop.trip_id) else {
                continue;
            };
            let e = if stop.pickup {
                instance.requests[r].pickup
            } else {
                instance.requests[r].dropoff
            };
            let leg = instance.time(at, e.location) * rng.random_range(low..=high);
            // The vehicle leaves the depot so as to reach its first stop on the planned time.
            let arrival = clock.map_or(stop.time_s, |c| c + leg);
            let start = arrival.max(stop.time_s);
            if stop.pickup {
                res.pickups += 1;
                let late = (start - stop.time_s).max(0.0);
                late_sum += late;
                res.max_late_s = res.max_late_s.max(late);
                if late <= late_s {
                    res.on_time += 1;
                }
            }
            clock = Some(start + e.service);
            at = e.location;
        }
    }
    if res.pickups > 0 {
        res.mean_late_s = late_sum / res.pickups as f64;
    }
    res
}
