//! Tail exchange (2-opt*) between two routes, cut where both vehicles are empty.
//!
//! Route A = A₁ A₂ and route B = B₁ B₂, each cut at a point where nobody is on board, become
//! A₁ B₂ and B₁ A₂. No rider is split from their drop-off, and the loads of the tails are
//! unchanged. The move shifts whole chains of requests between vehicles at once, which removing
//! and reinserting requests one by one rarely reaches: each single step would be uphill.

use std::time::Instant;

use crate::darp::model::StopId;
use crate::darp::schedule::{capacity_ok, EPS};
use crate::darp::tables::Tables;

use super::insertion::InsertScratch;
use super::local::past;
use super::state::{groups_whole, RouteState, Solution};

/// Applies improving tail exchanges until none is left (at most `ROUNDS` passes); stops at
/// `deadline`.
pub(crate) fn tail_descent(
    tb: &Tables,
    sol: &mut Solution,
    xs: &mut InsertScratch,
    deadline: Option<Instant>,
) {
    const ROUNDS: usize = 10;
    let nv = sol.routes.len();
    let mut seq_a = Vec::new();
    let mut seq_b = Vec::new();
    for _ in 0..ROUNDS {
        let mut improved = false;
        for u in 0..nv {
            for v in u + 1..nv {
                if past(deadline) {
                    return;
                }
                if sol.routes[u].stops.is_empty() && sol.routes[v].stops.is_empty() {
                    continue;
                }
                if exchange(tb, sol, u, v, xs, &mut seq_a, &mut seq_b) {
                    improved = true;
                }
            }
        }
        if !improved {
            return;
        }
    }
}

/// Positions after which route `rs` is empty, outside its frozen prefix: 0 (the depot) to m.
fn cuts(rs: &RouteState) -> impl Iterator<Item = usize> + '_ {
    let m = rs.stops.len();
    (rs.frozen()..=m).filter(move |&i| rs.load[i].is_empty())
}

/// Tries the cheapest improving exchange between routes `u` and `v`; true if one was applied.
fn exchange(
    tb: &Tables,
    sol: &mut Solution,
    u: usize,
    v: usize,
    xs: &mut InsertScratch,
    seq_a: &mut Vec<StopId>,
    seq_b: &mut Vec<StopId>,
) -> bool {
    let (a, b) = (&sol.routes[u], &sol.routes[v]);
    let (ma, mb) = (a.stops.len(), b.stops.len());
    let mut moves: Vec<(f64, usize, usize)> = Vec::new();
    for i in cuts(a) {
        for j in cuts(b) {
            // Swapping nothing for nothing, or everything for everything, changes nothing
            // between twins and is left to the repair operators otherwise.
            if (i == ma && j == mb) || (i == 0 && j == 0) {
                continue;
            }
            // A₁ then B₂: leave A at position i, join B at position j + 1.
            if j < mb && a.lb[i] + a.svc[i] + tb.time(a.loc[i], b.loc[j + 1]) > b.ub[j + 1] + EPS {
                continue;
            }
            if i < ma && b.lb[j] + b.svc[j] + tb.time(b.loc[j], a.loc[i + 1]) > a.ub[i + 1] + EPS {
                continue;
            }
            let new_a = join_cost(tb, a, i, b, j);
            let new_b = join_cost(tb, b, j, a, i);
            let delta = new_a + new_b - a.cost - b.cost;
            if delta < -1e-7 {
                moves.push((delta, i, j));
            }
        }
    }
    moves.sort_by(|x, y| x.0.total_cmp(&y.0));
    for &(_, i, j) in &moves {
        let (a, b) = (&sol.routes[u], &sol.routes[v]);
        seq_a.clear();
        seq_a.extend_from_slice(&a.stops[..i]);
        seq_a.extend_from_slice(&b.stops[j..]);
        seq_b.clear();
        seq_b.extend_from_slice(&b.stops[..j]);
        seq_b.extend_from_slice(&a.stops[i..]);
        if !capacity_ok(tb, u, seq_a) || !capacity_ok(tb, v, seq_b) {
            continue;
        }
        if tb.has_groups() {
            let routes = sol.routes.iter().enumerate().map(|(w, rs)| match w {
                w if w == u => seq_a.as_slice(),
                w if w == v => seq_b.as_slice(),
                _ => rs.stops.as_slice(),
            });
            if !groups_whole(tb, routes) {
                continue;
            }
        }
        let mut ra = RouteState {
            stops: seq_a.clone(),
            fixed: a.fixed.clone(),
            release: a.release,
            ..RouteState::default()
        };
        let mut rb = RouteState {
            stops: seq_b.clone(),
            fixed: b.fixed.clone(),
            release: b.release,
            ..RouteState::default()
        };
        if ra.refresh(tb, u, &mut xs.sched).is_ok() && rb.refresh(tb, v, &mut xs.sched).is_ok() {
            sol.routes[u] = ra;
            sol.routes[v] = rb;
            sol.recost();
            return true;
        }
    }
    false
}

/// Cost of the route that drives `x` up to position `i`, then `y` from position `j + 1` on, and
/// ends at `x`'s end depot (zero if it visits nothing).
fn join_cost(tb: &Tables, x: &RouteState, i: usize, y: &RouteState, j: usize) -> f64 {
    let my = y.stops.len();
    if i == 0 && j == my {
        return 0.0;
    }
    let head: f64 = (0..i).map(|k| tb.cost(x.loc[k], x.loc[k + 1])).sum();
    let end = x.loc[x.loc.len() - 1];
    let tail: f64 = if j == my {
        tb.cost(x.loc[i], end)
    } else {
        tb.cost(x.loc[i], y.loc[j + 1])
            + (j + 1..my)
                .map(|k| tb.cost(y.loc[k], y.loc[k + 1]))
                .sum::<f64>()
            + tb.cost(y.loc[my], end)
    };
    head + tail
}

#[cfg(test)]
mod tests {
    use rand::rngs::SmallRng;
    use rand::SeedableRng;

    use super::*;
    use crate::darp::alns::repair::noisy_greedy;
    use crate::darp::plan::{Plan, Route};
    use crate::darp::schedule::Scratch;
    use crate::darp::{parse_cordeau, synthetic, verify};

    /// Two vans at the origin that may drive 60 each; requests 0 and 2 go east, 1 and 3 go
    /// north. One van for all four would drive 76.
    const CROSS: &str = "2 4 60 3 100
0 0 0 0 0 0 1000
1 10 0 0 1 0 1000
2 0 10 0 1 0 1000
3 20 0 0 1 0 1000
4 0 20 0 1 0 1000
5 11 0 0 -1 0 1000
6 0 11 0 -1 0 1000
7 21 0 0 -1 0 1000
8 0 21 0 -1 0 1000
9 0 0 0 0 0 1000
";

    fn route(requests: &[usize]) -> Route {
        Route::one_at_a_time(requests)
    }

    #[test]
    fn crossed_tails_are_swapped_back() {
        // Arrange: each van starts in its own direction and then crosses over to the other's.
        let inst = parse_cordeau("cross", CROSS).unwrap();
        let tb = Tables::new(&inst);
        let mut sc = Scratch::default();
        let plan = Plan {
            routes: vec![route(&[0, 3]), route(&[1, 2])],
        };
        let mut sol = Solution::from_plan(&tb, &plan, &mut sc);
        let before = sol.cost;
        // Act
        tail_descent(&tb, &mut sol, &mut InsertScratch::default(), None);
        // Assert
        assert_eq!(sol.to_plan().routes, vec![route(&[0, 2]), route(&[1, 3])]);
        assert!(sol.cost < before - 1.0);
        assert!(verify(&inst, &sol.to_plan()).complete());
    }

    #[test]
    fn tail_exchanges_keep_every_plan_feasible_and_never_raise_its_cost() {
        for seed in 0..6 {
            // Arrange: a noisy greedy plan, far from any local optimum.
            let inst = synthetic(seed, 4, 40, 600.0);
            let tb = Tables::new(&inst);
            let mut xs = InsertScratch::default();
            let mut rng = SmallRng::seed_from_u64(seed);
            let mut sol = noisy_greedy(&tb, &mut rng, &mut xs);
            let (before, served) = (sol.cost, sol.unassigned.len());
            // Act
            tail_descent(&tb, &mut sol, &mut xs, None);
            // Assert
            let verdict = verify(&inst, &sol.to_plan());
            assert!(verdict.feasible(), "seed {seed}: {:?}", verdict.problems);
            assert_eq!(sol.unassigned.len(), served);
            assert!(sol.cost <= before + 1e-9, "seed {seed}");
            assert!((verdict.cost - sol.cost).abs() < 1e-6, "seed {seed}");
        }
    }
}
