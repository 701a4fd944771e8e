//! Repair operators: put unassigned requests back, greedily or by regret, optionally with noise.
//!
//! Best insertions are cached per (request, route) and only the changed route's column is
//! recomputed after each insertion, the standard trick that makes regret insertion affordable.
//! Among identical idle vehicles only the first is priced: they are interchangeable.

use std::time::Instant;

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
                Repair::Greedy => -costs[0].0,
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
