//! Re-solving a region: the requests of a few neighbouring routes of the best plan, with those
//! routes' vehicles, as an instance of its own, searched by the same solver for a fixed number of
//! iterations from the routes they have. A cheaper answer replaces the region's routes.
//!
//! The search over the whole plan moves a few requests at a time and judges each move at once;
//! a region of two to four routes (a quarter of pr16's requests, the size of the small Cordeau
//! instances that the solver closes in seconds) can be searched to near its optimum, reordering
//! all of its routes together.

use std::time::Instant;

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

use crate::darp::model::{Instance, Request, StopId};
use crate::darp::plan::{Plan, Route};
use crate::darp::schedule::Scratch;
use crate::darp::tables::Tables;
use crate::travel::TravelMatrix;

use super::local::past;
use super::regional::closeness;
use super::state::Solution;
use super::SolveOptions;

/// Regions re-solved per job of the recombining thread.
const REGIONS: usize = 4;
/// Iterations of the search on each region (one thread).
const ITERATIONS: u64 = 1_500;
/// Most routes in a region.
const MAX_ROUTES: usize = 4;

/// Re-solves regions of `global` (a random route and its nearest neighbours), keeping every
/// cheaper plan; returns whether one was found. Reproducible for a given `seed`.
pub(crate) fn resolve_regions(
    tb: &Tables,
    global: &mut Solution,
    sc: &mut Scratch,
    seed: u64,
    deadline: Option<Instant>,
) -> bool {
    let mut rng = SmallRng::seed_from_u64(seed.wrapping_add(0x9E37_79B9_7F4A_7C15));
    let mut improved = false;
    for _ in 0..REGIONS {
        if past(deadline) {
            break;
        }
        let busy: Vec<usize> = (0..global.routes.len())
            .filter(|&v| {
                let rs = &global.routes[v];
                !rs.stops.is_empty() && rs.fixed.is_empty() && rs.release.is_none()
            })
            .collect();
        if busy.len() < 2 {
            break;
        }
        let k = rng.random_range(2..=busy.len().min(MAX_ROUTES));
        let seed_route = busy[rng.random_range(0..busy.len())];
        let mut others: Vec<(f64, usize)> = busy
            .iter()
            .filter(|&&v| v != seed_route)
            .map(|&v| (closeness(tb, global, seed_route, v), v))
            .collect();
        others.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let mut region = vec![seed_route];
        region.extend(others.iter().take(k - 1).map(|x| x.1));
        let sub_seed = rng.random();
        if let Some(sol) = resolve(tb, global, &region, ITERATIONS, sub_seed, sc, deadline) {
            if sol.cost < global.cost - 1e-9 {
                *global = sol;
                improved = true;
            }
        }
    }
    improved
}

/// The plan with `region`'s routes replaced by the re-solved ones, if every request of the
/// region is served again.
fn resolve(
    tb: &Tables,
    global: &Solution,
    region: &[usize],
    iterations: u64,
    seed: u64,
    sc: &mut Scratch,
    deadline: Option<Instant>,
) -> Option<Solution> {
    let inst = tb.inst;
    // Places used by the region, numbered 0.. in the sub-instance.
    let mut place = vec![usize::MAX; inst.matrix.n];
    let mut places = Vec::new();
    let mut at = |p: usize| {
        if place[p] == usize::MAX {
            place[p] = places.len();
            places.push(p);
        }
        place[p]
    };
    let mut requests: Vec<usize> = Vec::new();
    let mut local = vec![usize::MAX; tb.requests()];
    let mut vehicles = Vec::new();
    for &v in region {
        let mut veh = inst.vehicles[v];
        veh.start = at(veh.start);
        veh.end = at(veh.end);
        vehicles.push(veh);
        for s in global.routes[v].stops.iter().filter(|s| s.is_pickup()) {
            local[s.request()] = requests.len();
            requests.push(s.request());
        }
    }
    let subs: Vec<Request> = requests
        .iter()
        .map(|&r| {
            let mut q = inst.requests[r];
            q.pickup.location = at(q.pickup.location);
            q.dropoff.location = at(q.dropoff.location);
            q
        })
        .collect();
    let n = places.len();
    let mut matrix = TravelMatrix {
        n,
        seconds: Vec::with_capacity(n * n),
        metres: Vec::with_capacity(n * n),
    };
    for &a in &places {
        for &b in &places {
            matrix
                .seconds
                .push(inst.matrix.seconds[a * inst.matrix.n + b]);
            matrix
                .metres
                .push(inst.matrix.metres[a * inst.matrix.n + b]);
        }
    }
    let sub = Instance {
        name: String::new(),
        requests: subs,
        vehicles,
        matrix,
        cost_basis: inst.cost_basis,
    };
    let start = Plan {
        routes: region
            .iter()
            .map(|&v| Route {
                stops: global.routes[v]
                    .stops
                    .iter()
                    .map(|&s| renumber(s, &local))
                    .collect(),
                fixed: Vec::new(),
                release: None,
            })
            .collect(),
    };
    let options = SolveOptions {
        seed,
        time_limit: deadline.map(|d| d.saturating_duration_since(Instant::now())),
        max_iterations: Some(iterations),
        threads: 1,
    };
    let solved = super::solve_nested(&sub, Some(&start), &options).ok()?;
    if !solved.unassigned.is_empty() {
        return None;
    }
    let mut sol = global.clone();
    for (i, &v) in region.iter().enumerate() {
        let route = solved.plan.routes.get(i)?;
        sol.routes[v].stops = route
            .stops
            .iter()
            .map(|&s| renumber(s, &requests))
            .collect();
        sol.routes[v].refresh(tb, v, sc).ok()?;
    }
    if tb.has_groups() && !sol.groups_whole(tb) {
        return None;
    }
    sol.recost();
    Some(sol)
}

/// Stop `s` with its request renumbered by `to` (the same end of the ride).
fn renumber(s: StopId, to: &[usize]) -> StopId {
    let r = to[s.request()];
    if s.is_pickup() {
        StopId::pickup(r)
    } else {
        StopId::dropoff(r)
    }
}

#[cfg(test)]
mod tests {
    use rand::rngs::SmallRng;
    use rand::SeedableRng;

    use super::*;
    use crate::darp::alns::insertion::InsertScratch;
    use crate::darp::alns::repair::noisy_greedy;
    use crate::darp::{synthetic, verify};

    #[test]
    fn a_re_solved_region_keeps_the_plan_feasible_and_complete_and_never_dearer() {
        let mut cheaper = 0;
        for seed in 0..4 {
            // Arrange: a noisy greedy plan, far from any local optimum.
            let inst = synthetic(seed, 4, 40, 600.0);
            let tb = Tables::new(&inst);
            let mut xs = InsertScratch::default();
            let mut rng = SmallRng::seed_from_u64(seed);
            let mut sol = noisy_greedy(&tb, &mut rng, &mut xs);
            let (before, left) = (sol.cost, sol.unassigned.clone());
            // Act
            let improved = resolve_regions(&tb, &mut sol, &mut xs.sched, seed, None);
            // Assert
            let verdict = verify(&inst, &sol.to_plan());
            assert!(verdict.feasible(), "seed {seed}: {:?}", verdict.problems);
            assert_eq!(sol.unassigned, left, "seed {seed}");
            assert_eq!(verdict.unserved.len(), left.len(), "seed {seed}");
            assert!((verdict.cost - sol.cost).abs() < 1e-6, "seed {seed}");
            assert_eq!(improved, sol.cost < before - 1e-9, "seed {seed}");
            assert!(sol.cost <= before + 1e-9, "seed {seed}");
            cheaper += usize::from(improved);
        }
        assert!(cheaper >= 2, "{cheaper} of 4 plans got cheaper");
    }
}
