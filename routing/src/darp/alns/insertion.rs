//! Cheapest feasible place for one request in one route.
//!
//! All pick-up/drop-off position pairs are priced in O(1) each and filtered with necessary
//! conditions from the route's cached earliest/latest schedule, load profile and minimal ride
//! chain; the survivors are checked exactly, cheapest first, and the first feasible one wins.
//! The filters assume the triangle inequality (true for Euclidean and shortest-path matrices);
//! without it they may miss a position, never accept an infeasible one.
//!
//! Most survivors are then proven feasible without the exact check: the route's cached earliest
//! schedule is pushed forward from the pick-up until the delay is absorbed by waiting, checking
//! windows, ride times and duration on the way (Savelsbergh's push-forward, extended to ride
//! times). If that schedule holds, it is a witness of feasibility; if not, the exact check
//! decides, since delaying earlier pick-ups might still repair a ride time.

use crate::darp::model::StopId;
use crate::darp::schedule::{NewStop, Scratch, EPS};
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
    times: Vec<f64>,
    memo: Vec<Memo>,
}

/// One remembered answer of [`best_insertion`]: request `r` into vehicle `v`'s route with
/// signature `sig` (see [`RouteState::sig`]); `pick == u32::MAX` for none.
#[derive(Clone, Copy, Default)]
struct Memo {
    sig: u64,
    r: u32,
    v: u32,
    delta: f64,
    pick: u32,
    drop: u32,
}

/// Slots of the insertion memo (direct-mapped, 32 bytes each: 2 MB a thread).
const MEMO_SLOTS: usize = 1 << 14;

/// The request being inserted, with its windows already clipped to the route's release time.
struct Ends {
    pl: usize,
    dl: usize,
    ep: f64,
    lp: f64,
    sp: f64,
    ed: f64,
    ld: f64,
    sd: f64,
    ride: f64,
}

/// Candidates picked by a scan for the cheapest before the rest are sorted (see `price`).
const SCANNED: usize = 3;

/// How far beyond a limit a lower bound must be to prove infeasibility against bounds that the
/// exact check compares with a tolerance of [`EPS`].
const PROOF_MARGIN: f64 = 1e-6;

/// What the push-forward test could prove.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Proof {
    Feasible,
    Infeasible,
    Unknown,
}

/// Push-forward test for inserting `e` at `spot`: every old stop keeps its cached earliest start
/// unless pushed later, and the push stops once waiting absorbs it. A schedule that holds proves
/// feasibility (strict comparisons, no tolerance, so it never accepts what the exact check would
/// refuse). The pushed times are also lower bounds of the new earliest schedule (the old one is,
/// and the pick-up never starts before `bp`), so a window missed by more than the tolerance proves
/// infeasibility. A ride or duration excess proves nothing: an earlier stop might be delayed.
fn pushed_schedule_fits(
    route: &RouteState,
    tb: &Tables,
    e: &Ends,
    spot: Spot,
    times: &mut Vec<f64>,
) -> Proof {
    let (a, lb) = (spot.pick, &route.lb);
    let mut bp = e.ep.max(lb[a] + route.svc[a] + tb.time(route.loc[a], e.pl));
    // An appointment at the drop-off often needs a later pick-up than the earliest one, or the
    // rider waits on board too long: retry with the pick-up delayed to what the ride requires.
    for _ in 0..3 {
        if bp > e.lp + EPS {
            return Proof::Infeasible;
        }
        match push_from(route, tb, e, spot, bp, times) {
            Ok(()) if bp <= e.lp => return Proof::Feasible,
            Err(Fail::Ride(later)) if later > bp => bp = later,
            Err(Fail::Window) => return Proof::Infeasible,
            _ => return Proof::Unknown,
        }
    }
    Proof::Unknown
}

/// Why a push-forward failed.
enum Fail {
    /// Only the new rider's ride is too long; a pick-up at this time might work.
    Ride(f64),
    /// A window is missed by more than the tolerance, with lower-bound times: infeasible.
    Window,
    /// Anything else.
    Other,
}

/// Pushes the cached schedule forward with the pick-up starting at `bp`.
fn push_from(
    route: &RouteState,
    tb: &Tables,
    e: &Ends,
    spot: Spot,
    bp: f64,
    times: &mut Vec<f64>,
) -> Result<(), Fail> {
    let (a, b) = (spot.pick, spot.drop);
    let m = route.stops.len();
    let (loc, svc, lb) = (&route.loc, &route.svc, &route.lb);
    times.clear();
    times.extend_from_slice(lb);
    let (mut t, mut at, mut s) = (bp, e.pl, e.sp);
    let mut dropped = false;
    let drop_after = |t: &mut f64, at: &mut usize, s: &mut f64| -> Result<(), Fail> {
        let bd = e.ed.max(*t + *s + tb.time(*at, e.dl));
        if bd > e.ld + EPS {
            return Err(Fail::Window);
        }
        if bd > e.ld {
            return Err(Fail::Other);
        }
        if bd - bp > e.sp + e.ride {
            return Err(Fail::Ride(bd - e.sp - e.ride));
        }
        (*t, *at, *s) = (bd, e.dl, e.sd);
        Ok(())
    };
    if a == b {
        drop_after(&mut t, &mut at, &mut s)?;
        dropped = true;
    }
    let mut k = a + 1;
    while k <= m + 1 {
        let arr = t + s + tb.time(at, loc[k]);
        if arr <= lb[k] {
            if dropped {
                return Ok(());
            }
            // Absorbed before the drop-off: nothing moves up to position b.
            k = b;
            (t, at, s) = (lb[b], loc[b], svc[b]);
        } else {
            if arr > route.late[k] + EPS {
                return Err(Fail::Window);
            }
            let p = route.pick_at[k];
            if p != usize::MAX && arr - times[p] > route.limit[k] {
                // The pick-up cannot start after its old latest time (inserting only takes slack
                // away), so a ride too long even from there is too long in every schedule.
                if arr - route.ub[p] > route.limit[k] + PROOF_MARGIN {
                    return Err(Fail::Window);
                }
                return Err(Fail::Other);
            }
            if k == m + 1 && arr - times[0] > route.max_duration {
                if arr - route.ub[0] > route.max_duration + PROOF_MARGIN {
                    return Err(Fail::Window);
                }
                return Err(Fail::Other);
            }
            if arr > route.late[k] {
                return Err(Fail::Other);
            }
            times[k] = arr;
            (t, at, s) = (arr, loc[k], svc[k]);
        }
        if k == b {
            drop_after(&mut t, &mut at, &mut s)?;
            dropped = true;
        }
        k += 1;
    }
    Ok(())
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
///
/// Answers are remembered per thread, keyed by the route's signature: an iteration destroys and
/// repairs only some routes of `current`, and the relocate descent prices every request into
/// routes that mostly did not change since its last round, so the same request meets the same
/// route again and again.
pub(crate) fn best_insertion(
    tb: &Tables,
    v: usize,
    route: &RouteState,
    r: usize,
    xs: &mut InsertScratch,
) -> Option<Spot> {
    if route.sig == 0 {
        return price(tb, v, route, r, xs);
    }
    if xs.memo.is_empty() {
        xs.memo = vec![Memo::default(); MEMO_SLOTS];
    }
    let slot = ((route.sig ^ (r as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ (v as u64) << 48)
        .wrapping_mul(0x2545_F491_4F6C_DD1D)
        >> 48) as usize
        & (MEMO_SLOTS - 1);
    let m = xs.memo[slot];
    let m_len = route.stops.len() as u32;
    if m.sig == route.sig && m.r == r as u32 && m.v == v as u32 {
        if m.pick == u32::MAX {
            return None;
        }
        if m.pick <= m.drop && m.drop <= m_len {
            return Some(Spot {
                delta: m.delta,
                pick: m.pick as usize,
                drop: m.drop as usize,
            });
        }
    }
    let found = price(tb, v, route, r, xs);
    xs.memo[slot] = Memo {
        sig: route.sig,
        r: r as u32,
        v: v as u32,
        delta: found.map_or(0.0, |s| s.delta),
        pick: found.map_or(u32::MAX, |s| s.pick as u32),
        drop: found.map_or(u32::MAX, |s| s.drop as u32),
    };
    found
}

/// [`best_insertion`] without the memo.
fn price(
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
    // Positions whose next stop must start before the pick-up's window opens are skipped: the
    // latest schedule is non-decreasing, so they form a prefix, and the new stops would push
    // the next one past its latest start.
    let first = route.frozen();
    let first = first + ub[first + 1..=m + 1].partition_point(|&u| u < ep - EPS);
    for a in first..=m {
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
    let ends = Ends {
        pl,
        dl,
        ep,
        lp,
        sp,
        ed,
        ld,
        sd: tb.svc[d.0],
        ride,
    };
    let new_stops = (
        &NewStop {
            loc: pl,
            svc: sp,
            early: ep,
            late: lp,
            limit: f64::NAN,
        },
        &NewStop {
            loc: dl,
            svc: tb.svc[d.0],
            early: ed,
            late: ld,
            limit: sp + ride,
        },
    );
    // Candidates are tried cheapest first, ties in the order they were listed. The cheapest one
    // is usually feasible, so the first few are picked by a scan and the rest sorted only if
    // those fail: a full sort of every candidate list took 6 % of the search's time on pr16.
    let mut tried = [usize::MAX; SCANNED];
    for i in 0..xs.cands.len() {
        let spot = if i < SCANNED {
            let mut k = usize::MAX;
            for (j, c) in xs.cands.iter().enumerate() {
                if !tried[..i].contains(&j)
                    && (k == usize::MAX || c.delta.total_cmp(&xs.cands[k].delta).is_lt())
                {
                    k = j;
                }
            }
            tried[i] = k;
            xs.cands[k]
        } else {
            if i == SCANNED {
                tried.sort_unstable();
                for &k in tried.iter().rev() {
                    xs.cands.remove(k);
                }
                // Stable, so ties keep the order they were listed in.
                xs.cands.sort_by(|x, y| x.delta.total_cmp(&y.delta));
            }
            xs.cands[i - SCANNED]
        };
        let proof = pushed_schedule_fits(route, tb, &ends, spot, &mut xs.times);
        if cfg!(debug_assertions) && proof != Proof::Unknown {
            splice(&route.stops, r, spot, &mut xs.seq);
            let exact = xs
                .sched
                .feasible(tb, v, &xs.seq, &route.fixed, route.release);
            debug_assert_eq!(exact.is_ok(), proof == Proof::Feasible, "{spot:?}");
        }
        match proof {
            Proof::Feasible => return Some(spot),
            Proof::Infeasible => continue,
            Proof::Unknown => {}
        }
        // The pick-up lands at position pick + 1, the drop-off at drop + 2 (depot at 0).
        xs.sched
            .load_inserted(tb, &route.layout(), new_stops, spot.pick, spot.drop);
        let fits = xs
            .sched
            .earliest_from(&route.lb, spot.pick + 1, spot.drop + 2)
            .is_ok();
        if cfg!(debug_assertions) {
            splice(&route.stops, r, spot, &mut xs.seq);
            let cold = xs
                .sched
                .feasible(tb, v, &xs.seq, &route.fixed, route.release);
            debug_assert!(!fits || cold.is_ok(), "{spot:?}");
        }
        if fits {
            return Some(spot);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use rand::rngs::SmallRng;
    use rand::SeedableRng;

    use super::*;
    use crate::darp::alns::repair::{repair, Repair};
    use crate::darp::alns::state::Solution;
    use crate::darp::plan::Plan;
    use crate::darp::synthetic;

    /// What the exact check reads of a laid-out route, back edges in a fixed order.
    fn laid_out(sc: &Scratch) -> impl PartialEq + std::fmt::Debug {
        let mut back = sc.back.clone();
        back.sort_by(|x, y| x.0.cmp(&y.0).then(x.1.cmp(&y.1)));
        let back: Vec<(usize, usize, u64)> = back
            .into_iter()
            .map(|(p, d, l)| (p, d, l.to_bits()))
            .collect();
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<u64>>();
        (
            sc.loc.clone(),
            bits(&sc.svc),
            bits(&sc.early),
            bits(&sc.late),
            bits(&sc.leg),
            back,
            sc.max_duration.to_bits(),
        )
    }

    #[test]
    fn an_insertion_laid_out_by_copying_is_the_layout_of_the_spliced_route() {
        for seed in 0..3 {
            // Arrange: a plan with half the requests left out, to insert anywhere.
            let inst = synthetic(seed, 3, 24, 600.0);
            let tb = Tables::new(&inst);
            let mut xs = InsertScratch::default();
            let mut sol = Solution::from_plan(&tb, &Plan::empty(&inst), &mut xs.sched);
            sol.unassigned.truncate(12);
            let out: Vec<usize> = (12..tb.requests()).collect();
            let mut rng = SmallRng::seed_from_u64(seed);
            repair(&tb, &mut sol, Repair::Greedy, 0.0, &mut rng, &mut xs, None);
            let mut cold = Scratch::default();
            let mut seq = Vec::new();
            let mut compared = 0;
            for (v, route) in sol.routes.iter().enumerate() {
                let m = route.stops.len();
                for &r in &out {
                    let (p, d) = (StopId::pickup(r).0, StopId::dropoff(r).0);
                    let stop = |s: usize, limit: f64| NewStop {
                        loc: tb.loc[s],
                        svc: tb.svc[s],
                        early: tb.early[s],
                        late: tb.late[s],
                        limit,
                    };
                    let ends = (&stop(p, f64::NAN), &stop(d, tb.svc[p] + tb.max_ride(r)));
                    for a in 0..=m {
                        for b in a..=m {
                            // Act
                            xs.sched.load_inserted(&tb, &route.layout(), ends, a, b);
                            let spot = Spot {
                                delta: 0.0,
                                pick: a,
                                drop: b,
                            };
                            splice(&route.stops, r, spot, &mut seq);
                            assert!(cold.load(&tb, v, &seq, &route.fixed, route.release));
                            // Assert
                            assert_eq!(laid_out(&xs.sched), laid_out(&cold), "{v} {r} {a} {b}");
                            compared += 1;
                        }
                    }
                }
            }
            assert!(compared > 100, "seed {seed}: {compared}");
        }
    }

    #[test]
    fn the_insertion_found_is_the_cheapest_of_every_feasible_position_pair() {
        let mut compared = 0;
        let mut none = 0;
        for seed in 0..4 {
            // Arrange: a greedy plan of half the requests; the other half to insert.
            let inst = synthetic(seed, 3, 30, 600.0);
            let tb = Tables::new(&inst);
            let mut xs = InsertScratch::default();
            let mut sol = Solution::from_plan(&tb, &Plan::empty(&inst), &mut xs.sched);
            sol.unassigned.truncate(15);
            let mut rng = SmallRng::seed_from_u64(seed);
            repair(&tb, &mut sol, Repair::Greedy, 0.0, &mut rng, &mut xs, None);
            let mut exact = Scratch::default();
            let mut seq = Vec::new();
            for (v, route) in sol.routes.iter().enumerate() {
                let m = route.stops.len();
                for r in 15..tb.requests() {
                    // Every position pair checked exactly: the cheapest feasible one.
                    let mut cheapest: Option<f64> = None;
                    for a in 0..=m {
                        for b in a..=m {
                            let spot = Spot {
                                delta: 0.0,
                                pick: a,
                                drop: b,
                            };
                            splice(&route.stops, r, spot, &mut seq);
                            let cap = crate::darp::schedule::capacity_ok(&tb, v, &seq);
                            if cap && exact.feasible(&tb, v, &seq, &[], None).is_ok() {
                                let delta = tb.route_cost(v, &seq) - route.cost;
                                cheapest = Some(cheapest.map_or(delta, |c: f64| c.min(delta)));
                            }
                        }
                    }
                    // Act
                    let found = price(&tb, v, route, r, &mut xs);
                    // Assert: the same cost, and the spot it names is feasible at that cost.
                    match (found, cheapest) {
                        (Some(s), Some(c)) => {
                            assert!((s.delta - c).abs() < 1e-6, "{seed} {v} {r}: {s:?} {c}");
                            splice(&route.stops, r, s, &mut seq);
                            assert!(exact.feasible(&tb, v, &seq, &[], None).is_ok());
                            assert!((tb.route_cost(v, &seq) - route.cost - s.delta).abs() < 1e-6);
                            compared += 1;
                        }
                        (None, None) => none += 1,
                        other => panic!("{seed} {v} {r}: {other:?}"),
                    }
                }
            }
        }
        assert!(
            compared > 50 && none > 0,
            "{compared} found, {none} with no place"
        );
    }

    #[test]
    fn the_memo_answers_what_pricing_afresh_would_as_routes_change() {
        for seed in 0..3 {
            // Arrange: a greedy plan of half the requests; the other half to price.
            let inst = synthetic(seed, 3, 24, 600.0);
            let tb = Tables::new(&inst);
            let mut xs = InsertScratch::default();
            let mut fresh = InsertScratch::default();
            let mut sol = Solution::from_plan(&tb, &Plan::empty(&inst), &mut xs.sched);
            sol.unassigned.truncate(12);
            let mut rng = SmallRng::seed_from_u64(seed);
            repair(&tb, &mut sol, Repair::Greedy, 0.0, &mut rng, &mut xs, None);
            let mut compared = 0;
            // Act: price every outside request into every route, then take a request out of
            // each route and price again, and once more after putting the routes back.
            let before = sol.clone();
            for round in 0..3 {
                if round == 1 {
                    for v in 0..sol.routes.len() {
                        if let Some(s) = sol.routes[v].stops.first() {
                            let r = s.request();
                            assert!(sol.remove(&tb, v, r, &mut xs.sched));
                        }
                    }
                }
                if round == 2 {
                    sol.clone_from(&before);
                }
                for (v, route) in sol.routes.iter().enumerate() {
                    assert_ne!(route.sig, 0);
                    for r in 12..tb.requests() {
                        // Assert
                        let remembered = best_insertion(&tb, v, route, r, &mut xs);
                        let afresh = price(&tb, v, route, r, &mut fresh);
                        assert_eq!(remembered, afresh, "seed {seed} round {round} {v} {r}");
                        compared += usize::from(afresh.is_some());
                    }
                }
            }
            assert!(compared > 20, "seed {seed}: {compared}");
        }
    }
}
