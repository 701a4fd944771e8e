//! Destroy operators: take `q` requests out of a solution (Ropke & Pisinger's set, plus whole
//! routes). Requests pinned by a frozen prefix are never taken.

use rand::seq::SliceRandom;
use rand::Rng;

use crate::darp::model::StopId;
use crate::darp::schedule::Scratch;
use crate::darp::tables::Tables;

use super::state::Solution;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Destroy {
    /// Uniformly random requests.
    Random,
    /// Requests whose removal saves the most, with randomisation.
    Worst,
    /// Requests related in place and time to a random seed request (Shaw removal).
    Related,
    /// Every request of one or more random routes.
    Route,
}

/// (request, route) for every movable planned request.
fn movable(sol: &Solution) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for (v, rs) in sol.routes.iter().enumerate() {
        for s in rs.stops.iter().skip(rs.frozen()) {
            if s.is_pickup() && !rs.locked(s.request()) {
                out.push((s.request(), v));
            }
        }
    }
    out
}

/// Removes about `q` requests chosen by `how`.
pub(crate) fn destroy<R: Rng>(
    tb: &Tables,
    sol: &mut Solution,
    how: Destroy,
    q: usize,
    rng: &mut R,
    sc: &mut Scratch,
) {
    let mut pool = movable(sol);
    if pool.is_empty() {
        return;
    }
    let q = q.min(pool.len());
    let chosen: Vec<(usize, usize)> = match how {
        Destroy::Random => {
            pool.shuffle(rng);
            pool.truncate(q);
            pool
        }
        Destroy::Worst => {
            let mut scored: Vec<(f64, usize, usize)> = pool
                .iter()
                .map(|&(r, v)| (saving(tb, sol, r, v), r, v))
                .collect();
            scored.sort_by(|a, b| b.0.total_cmp(&a.0));
            let mut out = Vec::with_capacity(q);
            while out.len() < q && !scored.is_empty() {
                let y: f64 = rng.random();
                let i = ((y.powi(4)) * scored.len() as f64) as usize;
                let (_, r, v) = scored.remove(i.min(scored.len() - 1));
                out.push((r, v));
            }
            out
        }
        Destroy::Related => {
            let seed = pool.swap_remove(rng.random_range(0..pool.len()));
            let mut out = vec![seed];
            while out.len() < q && !pool.is_empty() {
                let base = out[rng.random_range(0..out.len())].0;
                let mut keyed: Vec<(f64, (usize, usize))> = pool
                    .iter()
                    .map(|&x| (relatedness(tb, base, x.0), x))
                    .collect();
                keyed.sort_by(|a, b| a.0.total_cmp(&b.0));
                pool.clear();
                pool.extend(keyed.into_iter().map(|k| k.1));
                let y: f64 = rng.random();
                let i = ((y.powi(5)) * pool.len() as f64) as usize;
                out.push(pool.remove(i.min(pool.len() - 1)));
            }
            out
        }
        Destroy::Route => {
            let mut routes: Vec<usize> = pool.iter().map(|x| x.1).collect();
            routes.sort_unstable();
            routes.dedup();
            routes.shuffle(rng);
            let mut out = Vec::new();
            for v in routes {
                if out.len() >= q.max(1) {
                    break;
                }
                out.extend(pool.iter().filter(|x| x.1 == v));
            }
            out
        }
    };
    let mut chosen = chosen;
    // A group leaves its route as a whole, so that the repair may place it anywhere again (its
    // members pinned by a frozen prefix stay, and hold the rest to their vehicle).
    if tb.has_groups() {
        let mut k = 0;
        while k < chosen.len() {
            for &m in tb.mates(chosen[k].0) {
                if chosen.iter().any(|c| c.0 == m) {
                    continue;
                }
                if let Some(u) = sol.route_of(m) {
                    if !sol.routes[u].locked(m) {
                        chosen.push((m, u));
                    }
                }
            }
            k += 1;
        }
    }
    for (r, v) in chosen {
        sol.remove(tb, v, r, sc);
    }
}

/// Cost saved by taking request `r` out of route `v`.
fn saving(tb: &Tables, sol: &Solution, r: usize, v: usize) -> f64 {
    let rs = &sol.routes[v];
    let rest: Vec<StopId> = rs
        .stops
        .iter()
        .copied()
        .filter(|s| s.request() != r)
        .collect();
    rs.cost - tb.route_cost(v, &rest)
}

/// Shaw relatedness (smaller is more related): distance between the pick-ups and between the
/// drop-offs, plus the difference in when the rides happen.
pub(super) fn relatedness(tb: &Tables, a: usize, b: usize) -> f64 {
    let (pa, da, pb, db) = (
        StopId::pickup(a).0,
        StopId::dropoff(a).0,
        StopId::pickup(b).0,
        StopId::dropoff(b).0,
    );
    let place = tb.time(tb.loc[pa], tb.loc[pb]) + tb.time(tb.loc[da], tb.loc[db]);
    place + 0.2 * (when(tb, a) - when(tb, b)).abs()
}

/// When a ride roughly starts: the middle of its tighter window, moved back to the pick-up if the
/// tighter one is the drop-off's (outbound trips have an appointment, not a pick-up time).
fn when(tb: &Tables, r: usize) -> f64 {
    let (p, d) = (StopId::pickup(r).0, StopId::dropoff(r).0);
    let (wp, wd) = (tb.late[p] - tb.early[p], tb.late[d] - tb.early[d]);
    if wp <= wd {
        0.5 * (tb.early[p] + tb.late[p])
    } else {
        0.5 * (tb.early[d] + tb.late[d]) - tb.svc[p] - tb.time(tb.loc[p], tb.loc[d])
    }
}
