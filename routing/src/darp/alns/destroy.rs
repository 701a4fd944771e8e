//! Destroy operators: take `q` requests out of a solution (Ropke & Pisinger's set for pick-up
//! and delivery, 2006, plus whole routes and the historical node-pair removal of their unified
//! heuristic for routing with backhauls, 2006).
//! Requests pinned by a frozen prefix are never taken.

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
    /// Requests whose arcs in the current plan were never part of a cheap plan (Ropke & Pisinger's
    /// historical node-pair removal): see [`ArcMemory`].
    History,
}

/// What an arc never seen adds to a request's score in [`ArcMemory`].
const UNSEEN: f64 = 1e12;

/// For every arc between two stops (or a stop and a depot), the lowest objective of a plan seen
/// with it. A request whose arcs only ever appeared in dear plans sits where it does not belong.
/// An arc never seen counts as dearer than any seen ([`UNSEEN`]; infinite in the paper, finite
/// here so that a request with more unseen arcs goes before one with fewer). Dense: `(2n + 1)²`
/// entries, the size of one of the instance's matrices (11.5 MB per thread for a day of 600
/// trips).
pub(crate) struct ArcMemory {
    /// Stops and one shared depot: `2n + 1` ids, the depot last.
    ids: usize,
    best: Vec<f64>,
}

impl ArcMemory {
    pub fn new(requests: usize) -> Self {
        let ids = 2 * requests + 1;
        Self {
            ids,
            best: vec![f64::INFINITY; ids * ids],
        }
    }

    /// Records every arc of `sol`, a plan of objective `cost`.
    pub fn record(&mut self, sol: &Solution, cost: f64) {
        let depot = self.ids - 1;
        for rs in &sol.routes {
            if rs.stops.is_empty() {
                continue;
            }
            let mut prev = depot;
            for s in rs.stops.iter().map(|s| s.0).chain([depot]) {
                let slot = &mut self.best[prev * self.ids + s];
                *slot = slot.min(cost);
                prev = s;
            }
        }
    }

    /// The sum over the arcs into and out of both stops of request `r` in route `v`.
    fn score(&self, sol: &Solution, r: usize, v: usize) -> f64 {
        let depot = self.ids - 1;
        let stops = &sol.routes[v].stops;
        let id = |k: Option<&StopId>| k.map_or(depot, |s| s.0);
        let mut total = 0.0;
        for (k, s) in stops.iter().enumerate() {
            if s.request() == r {
                let before = id(k.checked_sub(1).and_then(|j| stops.get(j)));
                let after = id(stops.get(k + 1));
                total += self.best[before * self.ids + s.0].min(UNSEEN);
                total += self.best[s.0 * self.ids + after].min(UNSEEN);
            }
        }
        total
    }
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
    memory: Option<&ArcMemory>,
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
            let scored = pool
                .iter()
                .map(|&(r, v)| (saving(tb, sol, r, v), r, v))
                .collect();
            highest(scored, q, rng)
        }
        Destroy::History => {
            // Without a memory every request scores the same: a random removal.
            let scored = pool
                .iter()
                .map(|&(r, v)| (memory.map_or(0.0, |m| m.score(sol, r, v)), r, v))
                .collect();
            highest(scored, q, rng)
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
    sol.remove_all(tb, &chosen, sc);
}

/// About `q` of the highest scored, drawn with a bias to the top (Ropke & Pisinger's p = 4).
fn highest<R: Rng>(
    mut scored: Vec<(f64, usize, usize)>,
    q: usize,
    rng: &mut R,
) -> Vec<(usize, usize)> {
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

#[cfg(test)]
mod tests {
    use rand::rngs::SmallRng;
    use rand::SeedableRng;

    use super::*;
    use crate::darp::alns::insertion::InsertScratch;
    use crate::darp::alns::repair::noisy_greedy;
    use crate::darp::synthetic;

    #[test]
    fn a_request_moved_into_a_dearer_plan_scores_highest_in_the_arc_memory() {
        // Arrange: a plan seen at cost 100, then the same plan with one request moved to the
        // end of another route, seen at cost 200.
        let inst = synthetic(3, 4, 40, 600.0);
        let tb = Tables::new(&inst);
        let mut xs = InsertScratch::default();
        let mut rng = SmallRng::seed_from_u64(3);
        let mut sol = noisy_greedy(&tb, &mut rng, &mut xs);
        let mut memory = ArcMemory::new(tb.requests());
        memory.record(&sol, 100.0);
        let (v, u) = {
            let mut used = (0..sol.routes.len()).filter(|&v| sol.routes[v].stops.len() >= 4);
            (used.next().unwrap(), used.next().unwrap())
        };
        let r = sol.routes[v].stops[2].request();
        sol.routes[v].stops.retain(|s| s.request() != r);
        let stops = &mut sol.routes[u].stops;
        stops.extend([StopId::pickup(r), StopId::dropoff(r)]);
        memory.record(&sol, 200.0);
        // Act
        let mut scores: Vec<(f64, usize)> = (0..sol.routes.len())
            .flat_map(|w| {
                let sol = &sol;
                sol.routes[w]
                    .stops
                    .iter()
                    .filter(|s| s.is_pickup())
                    .map(move |s| (s.request(), w))
            })
            .map(|(x, w)| (memory.score(&sol, x, w), x))
            .collect();
        scores.sort_by(|a, b| b.0.total_cmp(&a.0));
        // Assert: its four arcs are all new; a neighbour has at most two.
        assert_eq!(scores[0].1, r, "{scores:?}");
        assert!(scores[0].0 > scores[1].0 + 99.0);
    }
}
