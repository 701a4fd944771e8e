//! Set partitioning over a region: a few neighbouring routes of the best plan are taken out, and
//! their requests are served again by the cheapest choice of pool routes that serve only them.
//!
//! The set partitioning over the whole pool has a weak bound on the large instances: on pr16 the
//! linear relaxation of a pool of 6,300 routes lay 1.8 % below the best plan (738.7 against
//! 752.2; microlp, measured once), and every run of the search over the whole pool ended at its
//! node budget without a plan, though a better one was in the pool (a MIP solver found 750.5 in
//! 60 s). Over the requests of two to five neighbouring routes the same search finishes in a
//! few hundred nodes, and the pool holds other routes of those requests, met in other plans
//! (on pr16, about 20 such routes for two routes' requests, 200 for five).

use std::time::Instant;

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

use crate::darp::model::StopId;
use crate::darp::schedule::Scratch;
use crate::darp::tables::Tables;

use super::local::past;
use super::pool::Pool;
use super::spp;
use super::state::Solution;

/// Regions tried per job. The thread shares the two cores with the workers: 60 per job cost the
/// one-second runs a quarter of a percent (pr01–pr20, seeds 1 and 2: mean gap 3.73 % against
/// 3.46 % without regions), 20 cost nothing measurable (3.41 %).
const TRIALS: usize = 20;
/// Branch-and-bound nodes per region.
const NODES: u64 = 20_000;

/// Tries [`TRIALS`] regions of `global` (a random route and its nearest neighbours) and keeps
/// every cheaper plan found; returns whether one was. The regions are drawn from a generator
/// seeded by `seed`, so a job is reproducible. Routes with a frozen prefix are left alone.
pub(crate) fn recombine_regions(
    tb: &Tables,
    pool: &Pool,
    class_of: &[usize],
    global: &mut Solution,
    sc: &mut Scratch,
    seed: u64,
    deadline: Option<Instant>,
) -> bool {
    let mut rng = SmallRng::seed_from_u64(seed);
    let mut improved = false;
    for _ in 0..TRIALS {
        if past(deadline) {
            break;
        }
        let busy: Vec<usize> = (0..global.routes.len())
            .filter(|&v| !global.routes[v].stops.is_empty() && global.routes[v].fixed.is_empty())
            .collect();
        if busy.len() < 2 {
            break;
        }
        let k = rng.random_range(2..=busy.len().min(5));
        let seed_route = busy[rng.random_range(0..busy.len())];
        let mut others: Vec<(f64, usize)> = busy
            .iter()
            .filter(|&&v| v != seed_route)
            .map(|&v| (closeness(tb, global, seed_route, v), v))
            .collect();
        others.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let mut region: Vec<usize> = vec![seed_route];
        region.extend(others.iter().take(k - 1).map(|x| x.1));
        if let Some(sol) = solve_region(tb, pool, class_of, global, &region, sc, deadline) {
            if sol.cost < global.cost - 1e-9 {
                *global = sol;
                improved = true;
            }
        }
    }
    improved
}

/// How close route `b` is to route `a`: the mean, over the stops of `a`, of the cost to the
/// nearest stop of `b`.
pub(super) fn closeness(tb: &Tables, sol: &Solution, a: usize, b: usize) -> f64 {
    let (ra, rb) = (&sol.routes[a], &sol.routes[b]);
    // Positions 0 and m + 1 are the depots.
    let (la, lb) = (&ra.loc[1..ra.loc.len() - 1], &rb.loc[1..rb.loc.len() - 1]);
    if la.is_empty() || lb.is_empty() {
        return f64::INFINITY;
    }
    let sum: f64 = la
        .iter()
        .map(|&x| {
            lb.iter()
                .map(|&y| tb.cost(x, y))
                .fold(f64::INFINITY, f64::min)
        })
        .sum();
    sum / la.len() as f64
}

/// The cheapest plan that keeps every route of `global` outside `region` and serves the
/// region's requests with pool routes, if it is cheaper than `global`.
fn solve_region(
    tb: &Tables,
    pool: &Pool,
    class_of: &[usize],
    global: &Solution,
    region: &[usize],
    sc: &mut Scratch,
    deadline: Option<Instant>,
) -> Option<Solution> {
    // The region's requests, numbered 0.. for the sub-problem.
    let mut local = vec![usize::MAX; tb.requests()];
    let mut requests = Vec::new();
    let mut mask = vec![0u64; pool.words];
    let mut ub = 0.0;
    for &v in region {
        ub += global.routes[v].cost;
        for s in global.routes[v].stops.iter().filter(|s| s.is_pickup()) {
            local[s.request()] = requests.len();
            requests.push(s.request());
            mask[s.request() / 64] |= 1 << (s.request() % 64);
        }
    }
    // Vehicles the region may use: its own and the idle ones, per class.
    let mut vehicles: Vec<usize> = region.to_vec();
    vehicles.extend(
        (0..global.routes.len())
            .filter(|&v| global.routes[v].stops.is_empty() && global.routes[v].fixed.is_empty()),
    );
    let mut count = vec![0; global.routes.len()];
    for &v in &vehicles {
        count[class_of[v]] += 1;
    }
    let mut sub = Pool::new(requests.len());
    let mut origin = Vec::new();
    let mut stops = Vec::new();
    for c in 0..pool.len() {
        let col = &pool.columns[c];
        if count[col.class] == 0 || pool.set(c).iter().zip(&mask).any(|(s, m)| s & !m != 0) {
            continue;
        }
        stops.clear();
        for s in col.stops.iter().filter(|s| s.is_pickup()) {
            let r = local[s.request()];
            stops.extend([StopId::pickup(r), StopId::dropoff(r)]);
        }
        let before = sub.len();
        sub.add(col.class, col.cost, &stops);
        if sub.len() > before {
            origin.push(c);
        }
    }
    let chosen = spp::improve(&sub, requests.len(), &count, ub, NODES, deadline)?;
    let mut sol = global.clone();
    for &v in &vehicles {
        sol.routes[v].stops.clear();
    }
    let mut free = vehicles.clone();
    for &c in &chosen {
        let col = &pool.columns[origin[c]];
        let at = free.iter().position(|&v| class_of[v] == col.class)?;
        let v = free.swap_remove(at);
        sol.routes[v].stops.clone_from(&col.stops);
    }
    for &v in &vehicles {
        sol.routes[v].refresh(tb, v, sc).ok()?;
    }
    if !sol.groups_whole(tb) {
        return None;
    }
    sol.recost();
    Some(sol)
}

#[cfg(test)]
mod tests {
    use rand::rngs::SmallRng;
    use rand::SeedableRng;

    use super::*;
    use crate::darp::alns::insertion::InsertScratch;
    use crate::darp::alns::pool::classes;
    use crate::darp::alns::repair::noisy_greedy;
    use crate::darp::plan::{Plan, Route};
    use crate::darp::{parse_cordeau, synthetic, verify};

    /// Three vans at the origin; requests 0 and 2 go east, 1 and 3 north, 4 and 5 west.
    const STAR: &str = "3 6 80 3 100
0 0 0 0 0 0 1000
1 10 0 0 1 0 1000
2 0 10 0 1 0 1000
3 20 0 0 1 0 1000
4 0 20 0 1 0 1000
5 -10 0 0 1 0 1000
6 -20 0 0 1 0 1000
7 11 0 0 -1 0 1000
8 0 11 0 -1 0 1000
9 21 0 0 -1 0 1000
10 0 21 0 -1 0 1000
11 -11 0 0 -1 0 1000
12 -21 0 0 -1 0 1000
13 0 0 0 0 0 1000
";

    fn route(requests: &[usize]) -> Route {
        Route::one_at_a_time(requests)
    }

    #[test]
    fn routes_met_in_another_plan_replace_the_crossed_routes_of_the_best() {
        // Arrange: the best plan crosses east and north; the pool also holds the straight routes,
        // met in a plan that was worse as a whole (its west route doubles back).
        let inst = parse_cordeau("star", STAR).unwrap();
        let tb = Tables::new(&inst);
        let mut sc = Scratch::default();
        let crossed = Plan {
            routes: vec![route(&[0, 3]), route(&[1, 2]), route(&[4, 5])],
        };
        let straight = Plan {
            routes: vec![route(&[0, 2]), route(&[1, 3]), route(&[5, 4])],
        };
        let mut best = Solution::from_plan(&tb, &crossed, &mut sc);
        let other = Solution::from_plan(&tb, &straight, &mut sc);
        let class_of = classes(&tb, &best);
        let mut pool = Pool::new(tb.requests());
        pool.add_solution(&best, &class_of);
        pool.add_solution(&other, &class_of);
        let before = best.cost;
        // Act
        let improved = recombine_regions(&tb, &pool, &class_of, &mut best, &mut sc, 1, None);
        // Assert
        assert!(improved);
        assert!(best.cost < before - 1.0);
        let mut routes = best.to_plan().routes;
        routes.sort_by(|a, b| a.stops.cmp(&b.stops));
        assert_eq!(routes, vec![route(&[0, 2]), route(&[1, 3]), route(&[4, 5])]);
        assert!(verify(&inst, &best.to_plan()).complete());
    }

    #[test]
    fn a_region_recombination_keeps_every_plan_feasible_and_never_raises_its_cost() {
        for seed in 0..4 {
            // Arrange: a pool of the routes of six noisy greedy plans.
            let inst = synthetic(seed, 5, 40, 600.0);
            let tb = Tables::new(&inst);
            let mut xs = InsertScratch::default();
            let mut rng = SmallRng::seed_from_u64(seed);
            let mut plans = Vec::new();
            for _ in 0..6 {
                plans.push(noisy_greedy(&tb, &mut rng, &mut xs));
            }
            let class_of = classes(&tb, &plans[0]);
            let mut pool = Pool::new(tb.requests());
            for sol in &plans {
                pool.add_solution(sol, &class_of);
            }
            let mut best = plans
                .iter()
                .min_by(|a, b| a.cost.total_cmp(&b.cost))
                .unwrap()
                .clone();
            let (before, served) = (best.cost, best.unassigned.len());
            // Act
            recombine_regions(&tb, &pool, &class_of, &mut best, &mut xs.sched, seed, None);
            // Assert
            let verdict = verify(&inst, &best.to_plan());
            assert!(verdict.feasible(), "seed {seed}: {:?}", verdict.problems);
            assert_eq!(best.unassigned.len(), served, "seed {seed}");
            assert!(best.cost <= before + 1e-9, "seed {seed}");
            assert!((verdict.cost - best.cost).abs() < 1e-6, "seed {seed}");
        }
    }
}
