//! Repair operators: put unassigned requests back, greedily, by regret or one by one in a
//! given order, optionally with noise.
//!
//! For the greedy and regret repairs, best insertions are cached per (request, route) and only
//! the changed route's column is recomputed after each insertion, the standard trick that makes
//! regret insertion affordable. The sequential repair prices each request once, at its turn.
//! Among identical idle vehicles only the first is priced: they are interchangeable.

use std::time::Instant;

use rand::seq::SliceRandom;
use rand::Rng;

use crate::darp::tables::Tables;

use super::insertion::{best_insertion, splice, InsertScratch, Spot};
use super::local::past;
use super::state::{RouteState, Solution};
use crate::darp::model::StopId;

/// How to choose the next request to insert.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Repair {
    /// Cheapest insertion first.
    Greedy,
    /// Largest regret over the `k` best routes first (Ropke & Pisinger 2006).
    Regret(usize),
    /// One request at a time in a fixed order, each at its cheapest place: the recreate step of
    /// Christiaens & Vanden Berghe (2020). It prices each request once per route instead of
    /// after every insertion, and the order diversifies.
    Sequential(Order),
}

/// The orders of [`Repair::Sequential`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Order {
    Random,
    /// The request whose pick-up window opens first.
    Earliest,
    /// The request with the narrowest window first.
    Tightest,
}

/// Inserts as many unassigned requests as possible. `noise` (0 = none) perturbs each priced
/// insertion by up to `noise` times the largest leg, which diversifies the search. At `deadline`
/// it stops and leaves the rest unassigned, so a time limit holds even on huge instances.
pub(crate) fn repair<R: Rng>(
    tb: &Tables,
    sol: &mut Solution,
    how: Repair,
    noise: f64,
    rng: &mut R,
    xs: &mut InsertScratch,
    deadline: Option<Instant>,
) {
    if let Repair::Sequential(order) = how {
        sequential(tb, sol, order, noise, rng, xs, deadline);
        return;
    }
    let nv = sol.routes.len();
    let mut pending = std::mem::take(&mut sol.unassigned);
    let mut cache: Vec<Vec<Option<Spot>>> = vec![vec![None; nv]; pending.len()];
    let mut fresh: Vec<Vec<bool>> = vec![vec![false; nv]; pending.len()];
    let mut seq = Vec::new();
    while !pending.is_empty() && !past(deadline) {
        let active = active_routes(tb, sol);
        let mut choice: Option<(usize, usize, f64, f64)> = None; // (index, route, key, delta)
        for (i, &r) in pending.iter().enumerate() {
            let mut costs: [(f64, usize); 4] = [(f64::INFINITY, usize::MAX); 4];
            for &v in &active {
                if !fresh[i][v] {
                    // A group's member goes only where its placed mates are.
                    let allowed = !tb.has_groups() || sol.group_allows(tb, r, v);
                    cache[i][v] = allowed
                        .then(|| best_insertion(tb, v, &sol.routes[v], r, xs))
                        .flatten()
                        .map(|mut s| {
                            if noise > 0.0 {
                                s.delta += noise * rng.random_range(-1.0..1.0);
                            }
                            s
                        });
                    fresh[i][v] = true;
                }
                if let Some(s) = cache[i][v] {
                    // Keep the four cheapest routes, sorted.
                    let mut item = (s.delta, v);
                    for slot in costs.iter_mut() {
                        if item.0 < slot.0 {
                            std::mem::swap(slot, &mut item);
                        }
                    }
                }
            }
            if costs[0].1 == usize::MAX {
                continue;
            }
            let key = match how {
                Repair::Greedy | Repair::Sequential(_) => -costs[0].0,
                Repair::Regret(k) => {
                    let k = k.clamp(2, 4);
                    let mut regret = 0.0;
                    for c in &costs[1..k] {
                        // A request with fewer options than k is urgent: huge regret.
                        regret += if c.0.is_finite() {
                            c.0 - costs[0].0
                        } else {
                            1e9
                        };
                    }
                    regret - costs[0].0 * 1e-6
                }
            };
            if choice.is_none_or(|c| key > c.2) {
                choice = Some((i, costs[0].1, key, costs[0].0));
            }
        }
        let Some((i, v, _, _)) = choice else {
            break;
        };
        let r = pending[i];
        let Some(spot) = cache[i][v] else { break };
        splice(&sol.routes[v].stops, r, spot, &mut seq);
        let before = std::mem::replace(&mut sol.routes[v].stops, seq.clone());
        if sol.routes[v].refresh(tb, v, &mut xs.sched).is_err() {
            // Cannot happen (the spot was checked); stay safe on bad data.
            sol.routes[v].stops = before;
            let _ = sol.routes[v].refresh(tb, v, &mut xs.sched);
            fresh[i][v] = true;
            cache[i][v] = None;
            continue;
        }
        pending.swap_remove(i);
        cache.swap_remove(i);
        fresh.swap_remove(i);
        for f in fresh.iter_mut() {
            f[v] = false;
        }
        // The mates of what was placed may now go only to route `v`: price them again.
        if !tb.mates(r).is_empty() {
            for (k, &p) in pending.iter().enumerate() {
                if tb.mates(r).contains(&p) {
                    fresh[k].fill(false);
                }
            }
        }
    }
    regroup(tb, sol, &mut pending, xs, &mut seq);
    sol.unassigned = pending;
    sol.recost();
}

/// [`Repair::Sequential`]: the unassigned requests in `order`, each put at its cheapest place
/// over all routes (with `noise` as in [`repair`]); those that fit nowhere stay unassigned.
fn sequential<R: Rng>(
    tb: &Tables,
    sol: &mut Solution,
    order: Order,
    noise: f64,
    rng: &mut R,
    xs: &mut InsertScratch,
    deadline: Option<Instant>,
) {
    let mut pending = std::mem::take(&mut sol.unassigned);
    match order {
        Order::Random => pending.shuffle(rng),
        Order::Earliest => {
            pending.sort_by(|&a, &b| tb.early[2 * a].total_cmp(&tb.early[2 * b]).then(a.cmp(&b)))
        }
        Order::Tightest => {
            let width = |r: usize| {
                let (p, d) = (2 * r, 2 * r + 1);
                (tb.late[p] - tb.early[p]).min(tb.late[d] - tb.early[d])
            };
            pending.sort_by(|&a, &b| width(a).total_cmp(&width(b)).then(a.cmp(&b)))
        }
    }
    let mut seq = Vec::new();
    let mut left = Vec::new();
    for (k, &r) in pending.iter().enumerate() {
        if past(deadline) {
            left.extend_from_slice(&pending[k..]);
            break;
        }
        let mut best: Option<(f64, usize, Spot)> = None;
        for v in active_routes(tb, sol) {
            if tb.has_groups() && !sol.group_allows(tb, r, v) {
                continue;
            }
            if let Some(s) = best_insertion(tb, v, &sol.routes[v], r, xs) {
                let key = s.delta + noise * rng.random_range(-1.0..1.0);
                if best.is_none_or(|b| key < b.0) {
                    best = Some((key, v, s));
                }
            }
        }
        let Some((_, v, spot)) = best else {
            left.push(r);
            continue;
        };
        splice(&sol.routes[v].stops, r, spot, &mut seq);
        let before = std::mem::replace(&mut sol.routes[v].stops, seq.clone());
        if sol.routes[v].refresh(tb, v, &mut xs.sched).is_err() {
            // Cannot happen (the spot was checked); stay safe on bad data.
            sol.routes[v].stops = before;
            let _ = sol.routes[v].refresh(tb, v, &mut xs.sched);
            left.push(r);
        }
    }
    regroup(tb, sol, &mut left, xs, &mut seq);
    sol.unassigned = left;
    sol.recost();
}

/// Groups left partly placed (a member fits nowhere beside its mates): each is taken out whole
/// and put, member by member (the largest load first), into the route where all of it fits at
/// the least added cost, its old route included. Inserting one member at a time ties a group to
/// the route its first member chose, which may have no room for the rest: a van that already
/// carries another group, say. Does nothing on instances without groups.
fn regroup(
    tb: &Tables,
    sol: &mut Solution,
    pending: &mut Vec<usize>,
    xs: &mut InsertScratch,
    seq: &mut Vec<StopId>,
) {
    if !tb.has_groups() {
        return;
    }
    let mut k = 0;
    while k < pending.len() {
        let r = pending[k];
        k += 1;
        let mut members: Vec<usize> = std::iter::once(r)
            .chain(tb.mates(r).iter().copied())
            .collect();
        let placed: Vec<(usize, usize)> = members
            .iter()
            .filter_map(|&m| sol.route_of(m).map(|v| (m, v)))
            .collect();
        let Some(&(_, from)) = placed.first() else {
            continue;
        };
        if placed
            .iter()
            .any(|&(m, v)| v != from || sol.routes[v].locked(m))
        {
            continue;
        }
        let mut base = sol.routes[from].clone();
        base.stops.retain(|s| !members.contains(&s.request()));
        if base.refresh(tb, from, &mut xs.sched).is_err() {
            continue;
        }
        members.sort_by_key(|&m| {
            let q = tb.load(m);
            (std::cmp::Reverse(q.seated + q.wheelchair), m)
        });
        let mut best: Option<(f64, usize, RouteState)> = None;
        for v in active_routes(tb, sol) {
            let (mut rs, before) = if v == from {
                (base.clone(), sol.routes[from].cost)
            } else {
                (
                    sol.routes[v].clone(),
                    sol.routes[v].cost + sol.routes[from].cost - base.cost,
                )
            };
            let mut fits = true;
            for &m in &members {
                let Some(spot) = best_insertion(tb, v, &rs, m, xs) else {
                    fits = false;
                    break;
                };
                splice(&rs.stops, m, spot, seq);
                rs.stops.clone_from(seq);
                if rs.refresh(tb, v, &mut xs.sched).is_err() {
                    fits = false;
                    break;
                }
            }
            let delta = rs.cost - before;
            if fits && best.as_ref().is_none_or(|b| delta < b.0) {
                best = Some((delta, v, rs));
            }
        }
        if let Some((_, v, rs)) = best {
            if v != from {
                sol.routes[from] = base;
            }
            sol.routes[v] = rs;
            pending.retain(|p| !members.contains(p));
            k = 0;
        }
    }
}

/// A plan built by greedy insertion with heavy noise, far from any local optimum: what the
/// tests of the improving operators start from.
#[cfg(test)]
pub(crate) fn noisy_greedy<R: Rng>(tb: &Tables, rng: &mut R, xs: &mut InsertScratch) -> Solution {
    let empty = crate::darp::plan::Plan::empty(tb.inst);
    let mut sol = Solution::from_plan(tb, &empty, &mut xs.sched);
    repair(tb, &mut sol, Repair::Greedy, 300.0, rng, xs, None);
    sol
}

/// Routes worth pricing: every used route, and the first idle vehicle of each kind.
pub(crate) fn active_routes(tb: &Tables, sol: &Solution) -> Vec<usize> {
    let mut out = Vec::with_capacity(sol.routes.len());
    for (v, rs) in sol.routes.iter().enumerate() {
        if rs.stops.is_empty() {
            let veh = tb.vehicle(v);
            let twin = out.iter().any(|&u: &usize| {
                sol.routes[u].stops.is_empty()
                    && tb.vehicle(u) == veh
                    && sol.routes[u].release == rs.release
            });
            if twin {
                continue;
            }
        }
        out.push(v);
    }
    out
}

#[cfg(test)]
mod tests {
    use rand::rngs::SmallRng;
    use rand::SeedableRng;

    use super::*;
    use crate::darp::checker::verify;
    use crate::darp::plan::Plan;
    use crate::darp::synthetic;

    #[test]
    fn a_sequential_repair_places_what_fits_and_the_plan_passes_the_checker() {
        for order in [Order::Random, Order::Earliest, Order::Tightest] {
            for seed in 0..3 {
                // Arrange: an empty plan, every request unassigned.
                let inst = synthetic(seed, 4, 40, 600.0);
                let tb = Tables::new(&inst);
                let mut xs = InsertScratch::default();
                let mut sol = Solution::from_plan(&tb, &Plan::empty(&inst), &mut xs.sched);
                let mut rng = SmallRng::seed_from_u64(seed);
                // Act
                let how = Repair::Sequential(order);
                repair(&tb, &mut sol, how, 0.0, &mut rng, &mut xs, None);
                // Assert: a request left out fits in no route, and the routes check out.
                for &r in &sol.unassigned {
                    for v in 0..sol.routes.len() {
                        assert!(best_insertion(&tb, v, &sol.routes[v], r, &mut xs).is_none());
                    }
                }
                assert!(sol.unassigned.len() < tb.requests() / 4, "{order:?} {seed}");
                let verdict = verify(&inst, &sol.to_plan());
                assert!(verdict.problems.is_empty(), "{order:?} {seed}: {verdict:?}");
                let placed = tb.requests() - sol.unassigned.len();
                assert_eq!(tb.requests() - verdict.unserved.len(), placed);
                let total: f64 = sol.routes.iter().map(|r| r.cost).sum();
                assert!((sol.cost - total).abs() < 1e-9);
            }
        }
    }
}
