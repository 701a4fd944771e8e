//! Local search applied to every new best solution: move single requests to their best place.

use std::time::Instant;

use crate::darp::tables::Tables;

use super::insertion::{best_insertion, splice, InsertScratch};
use super::repair::active_routes;
use super::state::Solution;

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
            let old_route = sol.routes[v].clone();
            let old_cost = sol.cost;
            if !sol.remove(tb, v, r, &mut xs.sched) {
                continue;
            }
            sol.unassigned.pop();
            let saving = old_cost - sol.cost;
            let mut best: Option<(f64, usize, super::insertion::Spot)> = None;
            for u in active_routes(tb, sol) {
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
                    sol.routes[v] = old_route;
                }
                _ => sol.routes[v] = old_route,
            }
            sol.recost();
        }
    }
}

/// Whether the clock has passed `deadline` (never, without one).
pub(crate) fn past(deadline: Option<Instant>) -> bool {
    deadline.is_some_and(|d| Instant::now() >= d)
}
