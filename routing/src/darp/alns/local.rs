//! Local search on new best solutions: move single requests to their best place, and take out
//! pairs of related requests and put both back by regret.

use std::time::Instant;

use crate::darp::tables::Tables;

use rand::rngs::SmallRng;
use rand::SeedableRng;

use super::destroy::relatedness;
use super::insertion::{best_insertion, splice, InsertScratch};
use super::repair::{active_routes, repair, Repair};
use super::state::{RouteState, Solution};

/// Relocate descent: for each movable request, take it out and put it back at the cheapest
/// feasible place in any route; keep the move if it lowers the cost. Repeats until no request
/// moves. Requests pinned by a frozen prefix are skipped. Stops early at `deadline`, leaving a
/// valid (if less improved) solution.
pub(crate) fn relocate_descent(
    tb: &Tables,
    sol: &mut Solution,
    xs: &mut InsertScratch,
    deadline: Option<Instant>,
) {
    let mut seq = Vec::new();
    let mut old_route = RouteState::default();
    let mut improved = true;
    let mut rounds = 0;
    while improved && rounds < 20 {
        improved = false;
        rounds += 1;
        for r in 0..tb.requests() {
            if past(deadline) {
                return;
            }
            let Some(v) = sol.route_of(r) else { continue };
            if sol.routes[v].locked(r) {
                continue;
            }
            old_route.clone_from(&sol.routes[v]);
            let old_cost = sol.cost;
            if !sol.remove(tb, v, r, &mut xs.sched) {
                continue;
            }
            sol.unassigned.pop();
            let saving = old_cost - sol.cost;
            let mut best: Option<(f64, usize, super::insertion::Spot)> = None;
            for u in active_routes(tb, sol) {
                if tb.has_groups() && !sol.group_allows(tb, r, u) {
                    continue;
                }
                if let Some(s) = best_insertion(tb, u, &sol.routes[u], r, xs) {
                    if best.is_none_or(|b| s.delta < b.0) {
                        best = Some((s.delta, u, s));
                    }
                }
            }
            match best {
                Some((delta, u, spot)) if delta < saving - 1e-7 => {
                    splice(&sol.routes[u].stops, r, spot, &mut seq);
                    sol.routes[u].stops.clone_from(&seq);
                    if sol.routes[u].refresh(tb, u, &mut xs.sched).is_ok() {
                        improved = true;
                        sol.recost();
                        continue;
                    }
                    sol.routes[u].stops.retain(|s| s.request() != r);
                    let _ = sol.routes[u].refresh(tb, u, &mut xs.sched);
                    std::mem::swap(&mut sol.routes[v], &mut old_route);
                }
                _ => std::mem::swap(&mut sol.routes[v], &mut old_route),
            }
            sol.recost();
        }
    }
}

/// Whether the clock has passed `deadline` (never, without one).
pub(crate) fn past(deadline: Option<Instant>) -> bool {
    deadline.is_some_and(|d| Instant::now() >= d)
}

/// Each request is paired with this many of its most related ones in [`pair_descent`].
const PARTNERS: usize = 4;

/// Pair descent: for each movable request and each of its [`PARTNERS`] most related requests,
/// take both out and put them back by regret-2 insertion; keep the result if it is complete and
/// cheaper. Two requests moved together reach orders that no single relocation can (two riders
/// swapping places in one route, or two routes swapping riders). Repeats while it improves, at
/// most three rounds, and stops at `deadline`.
pub(crate) fn pair_descent(
    tb: &Tables,
    sol: &mut Solution,
    xs: &mut InsertScratch,
    deadline: Option<Instant>,
) {
    // No noise is used, so the generator is never drawn from; it only satisfies the signature.
    let mut rng = SmallRng::seed_from_u64(0);
    let n = tb.requests();
    let mut movable = vec![false; n];
    for rs in &sol.routes {
        for s in rs.stops.iter().skip(rs.frozen()) {
            if s.is_pickup() && !rs.locked(s.request()) {
                movable[s.request()] = true;
            }
        }
    }
    let mut near: Vec<(f64, usize)> = Vec::with_capacity(n);
    let mut trial = sol.clone();
    for _ in 0..3 {
        let mut improved = false;
        for r in (0..n).filter(|&r| movable[r]) {
            near.clear();
            near.extend(
                (0..n)
                    .filter(|&s| s != r && movable[s])
                    .map(|s| (relatedness(tb, r, s), s)),
            );
            let k = PARTNERS.min(near.len());
            if k == 0 {
                continue;
            }
            near.select_nth_unstable_by(k - 1, |a, b| a.0.total_cmp(&b.0));
            near[..k].sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
            for &(_, s) in &near[..k] {
                if past(deadline) {
                    return;
                }
                trial.clone_from(sol);
                let (vr, vs) = (trial.route_of(r), trial.route_of(s));
                let (Some(vr), Some(vs)) = (vr, vs) else {
                    continue;
                };
                if !trial.remove(tb, vr, r, &mut xs.sched)
                    || !trial.remove(tb, vs, s, &mut xs.sched)
                {
                    continue;
                }
                repair(
                    tb,
                    &mut trial,
                    Repair::Regret(2),
                    0.0,
                    &mut rng,
                    xs,
                    deadline,
                );
                if trial.unassigned.is_empty() && trial.cost < sol.cost - 1e-7 {
                    std::mem::swap(sol, &mut trial);
                    improved = true;
                }
            }
        }
        if !improved {
            break;
        }
    }
}
