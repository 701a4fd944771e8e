//! Cheapest feasible place for one request in one route.
//!
//! All pick-up/drop-off position pairs are priced in O(1) each and filtered with necessary
//! conditions from the route's cached earliest/latest schedule, load profile and minimal ride
//! chain; the survivors are checked exactly, cheapest first, and the first feasible one wins.
//! The filters assume the triangle inequality (true for Euclidean and shortest-path matrices);
//! without it they may miss a position, never accept an infeasible one.

use crate::darp::model::StopId;
use crate::darp::schedule::{Scratch, EPS};
use crate::darp::tables::Tables;

use super::state::RouteState;

/// Where to insert: the pick-up goes before old stop index `pick`, the drop-off before old stop
/// index `drop` (`drop ≥ pick`; equal means right after the pick-up).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Spot {
    pub delta: f64,
    pub pick: usize,
    pub drop: usize,
}

/// Reused buffers for insertion search.
#[derive(Default)]
pub(crate) struct InsertScratch {
    pub sched: Scratch,
    cands: Vec<Spot>,
    seq: Vec<StopId>,
}

/// Writes `stops` with request `r` inserted at `spot` into `out`.
pub(crate) fn splice(stops: &[StopId], r: usize, spot: Spot, out: &mut Vec<StopId>) {
    out.clear();
    out.extend_from_slice(&stops[..spot.pick]);
    out.push(StopId::pickup(r));
    out.extend_from_slice(&stops[spot.pick..spot.drop]);
    out.push(StopId::dropoff(r));
    out.extend_from_slice(&stops[spot.drop..]);
}

/// The cheapest feasible insertion of request `r` into route `v`, if any.
pub(crate) fn best_insertion(
    tb: &Tables,
    v: usize,
    route: &RouteState,
    r: usize,
    xs: &mut InsertScratch,
) -> Option<Spot> {
    let cap = tb.vehicle(v).capacity;
    let q = tb.load(r);
    let (p, d) = (StopId::pickup(r), StopId::dropoff(r));
    let (pl, dl) = (tb.loc[p.0], tb.loc[d.0]);
    let (ep, lp, sp) = (tb.early[p.0], tb.late[p.0], tb.svc[p.0]);
    let (ed, ld) = (tb.early[d.0], tb.late[d.0]);
    let ride = tb.max_ride(r);
    let rel = route.release.unwrap_or(f64::NEG_INFINITY);
    let (ep, ed) = (ep.max(rel), ed.max(rel));
    let m = route.stops.len();
    let (loc, svc, lb, ub, chain) = (&route.loc, &route.svc, &route.lb, &route.ub, &route.chain);
    let t_pd = tb.time(pl, dl);
    if t_pd > ride + EPS || !cap.fits(q) {
        return None;
    }
    xs.cands.clear();
    for a in route.frozen()..=m {
        // Pick-up right after position a (old index a = before old stop a).
        if !cap.fits(route.load[a].plus(q)) {
            continue;
        }
        let arr_p = ep.max(lb[a] + svc[a] + tb.time(loc[a], pl));
        if arr_p > lp + EPS {
            if lb[a] + svc[a] > lp + EPS {
                break;
            }
            continue;
        }
        let c_ap = tb.cost(loc[a], pl);
        let c_old = tb.cost(loc[a], loc[a + 1]);
        // Drop-off straight after the pick-up.
        let arr_d = ed.max(arr_p + sp + t_pd);
        if arr_d <= ld + EPS && arr_d + tb.svc[d.0] + tb.time(dl, loc[a + 1]) <= ub[a + 1] + EPS {
            let delta = c_ap + tb.cost(pl, dl) + tb.cost(dl, loc[a + 1]) - c_old;
            xs.cands.push(Spot {
                delta,
                pick: a,
                drop: a,
            });
        }
        let t_p_next = tb.time(pl, loc[a + 1]);
        if a == m || arr_p + sp + t_p_next > ub[a + 1] + EPS {
            continue;
        }
        let pick_delta = c_ap + tb.cost(pl, loc[a + 1]) - c_old;
        // Minimal ride up to the start of service at old position a + 1.
        let ride_head = t_p_next - chain[a + 1];
        // Earliest start at old position b once the pick-up is in: the push-forward, carried
        // along as b grows (forward constraints only, so a lower bound of the exact value).
        let mut pushed = lb[a + 1].max(arr_p + sp + t_p_next);
        for b in a + 1..=m {
            if !cap.fits(route.load[b].plus(q)) {
                break;
            }
            if b > a + 1 {
                pushed = lb[b].max(pushed + chain[b] - chain[b - 1]);
                if pushed > ub[b] + EPS {
                    break;
                }
            }
            let ready = pushed + svc[b];
            if ready > ld + EPS || ride_head + chain[b] + svc[b] > ride + EPS {
                break;
            }
            let t_bd = tb.time(loc[b], dl);
            let arr_d = ed.max(ready + t_bd);
            if arr_d > ld + EPS
                || ride_head + chain[b] + svc[b] + t_bd > ride + EPS
                || arr_d + tb.svc[d.0] + tb.time(dl, loc[b + 1]) > ub[b + 1] + EPS
            {
                continue;
            }
            let delta = pick_delta + tb.cost(loc[b], dl) + tb.cost(dl, loc[b + 1])
                - tb.cost(loc[b], loc[b + 1]);
            xs.cands.push(Spot {
                delta,
                pick: a,
                drop: b,
            });
        }
    }
    xs.cands
        .sort_unstable_by(|x, y| x.delta.total_cmp(&y.delta));
    for i in 0..xs.cands.len() {
        let spot = xs.cands[i];
        splice(&route.stops, r, spot, &mut xs.seq);
        if xs
            .sched
            .feasible(tb, v, &xs.seq, &route.fixed, route.release)
            .is_ok()
        {
            return Some(spot);
        }
    }
    None
}
