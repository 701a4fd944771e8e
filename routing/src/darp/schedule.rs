//! Exact feasibility of one route, fast enough to run millions of times.
//!
//! For a fixed order the unknowns are the service start times `B_k`, and every constraint is a
//! difference constraint:
//!
//! - travel: `B_{k+1} ≥ B_k + s_k + t_{k,k+1}` (an edge forwards along the route),
//! - windows: `e_k ≤ B_k ≤ l_k`,
//! - ride time: `B_drop ≤ B_pick + s_pick + L` (an edge backwards, from the drop-off to its pick-up),
//! - duration: `B_end ≤ B_start + T` (an edge backwards, from the end depot to the start).
//!
//! The *earliest* schedule is the least solution of the lower-bound constraints (windows' `e`,
//! travel, and each backward edge read as "the pick-up may not start earlier than
//! `B_drop − s − L`"). If it exists and respects every `l_k`, the route is feasible; if not, no
//! schedule is (any solution dominates the least one). It is computed by label correcting: a
//! forward pass along the route, then one sweep over the backward edges, repeated. A longest path
//! alternates forward runs and backward edges, and without a positive cycle uses each backward edge
//! at most once, so `b + 1` rounds (for `b` backward edges) suffice; still changing after that
//! means a positive cycle, i.e. the ride or duration limit is shorter than the driving it covers.
//! This is Bellman–Ford specialised to the route's shape, hence exact, and in practice takes one
//! to three linear passes. The symmetric computation gives the *latest* schedule, which the
//! insertion filters use as upper bounds.
//!
//! Delaying departures to shorten ride times is implicit: the least solution already starts each
//! pick-up as late as its drop-off requires and no later.

use super::model::{Instance, StopId};
use super::plan::Route;
use super::tables::Tables;

/// Tolerance on times when comparing with a window end: the independent checker allows 1e-6, this
/// check is stricter so that whatever it accepts the checker accepts too.
pub(crate) const EPS: f64 = 1e-7;
/// Smallest raise that counts as a change; stops rounding noise from looping on tight cycles.
const RAISE: f64 = 1e-9;

/// Which constraint makes a route infeasible (first one found; several may be violated).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Violation {
    /// Too many riders, or a wheelchair without a wheelchair place.
    Capacity,
    /// A stop cannot be reached inside its window.
    TimeWindow,
    /// A rider would stay on board longer than allowed.
    RideTime,
    /// The vehicle cannot be back at its end depot before the shift ends.
    ShiftEnd,
    /// The route lasts longer than the vehicle's maximum duration.
    RouteDuration,
    /// Not a valid sequence: unknown vehicle or stop, a stop twice, a drop-off before its pick-up.
    Malformed,
}

/// Reusable buffers for route checks; one per thread, so checks never allocate in steady state.
#[derive(Default)]
pub(crate) struct Scratch {
    pub loc: Vec<usize>,
    pub svc: Vec<f64>,
    pub early: Vec<f64>,
    /// Latest start of service per position from windows and fixed times alone.
    pub late: Vec<f64>,
    /// Travel time from position k to k + 1.
    pub leg: Vec<f64>,
    /// (pick-up position, drop-off position, ride limit + pick-up service).
    pub back: Vec<(usize, usize, f64)>,
    stamp: Vec<u32>,
    pos: Vec<usize>,
    generation: u32,
    pub max_duration: f64,
    /// Earliest start of service per position (0 = start depot, m + 1 = end depot).
    pub lb: Vec<f64>,
    /// Latest start of service per position.
    pub ub: Vec<f64>,
}

impl Scratch {
    /// Lays out vehicle `v` visiting `stops`, the first `fixed.len()` of them at the given times
    /// and the rest not before `release`. Returns false if a drop-off comes before its pick-up.
    pub fn load(
        &mut self,
        tb: &Tables,
        v: usize,
        stops: &[StopId],
        fixed: &[f64],
        release: Option<f64>,
    ) -> bool {
        let frozen = fixed.len();
        let veh = tb.vehicle(v);
        let m = stops.len();
        let rel = release.unwrap_or(f64::NEG_INFINITY);
        self.loc.clear();
        self.svc.clear();
        self.early.clear();
        self.late.clear();
        self.back.clear();
        self.max_duration = veh.max_duration;
        let start_early = if frozen == 0 {
            veh.shift.earliest.max(rel)
        } else {
            veh.shift.earliest
        };
        self.loc.push(veh.start);
        self.svc.push(0.0);
        self.early.push(start_early);
        self.late.push(veh.shift.latest);
        if self.stamp.len() < tb.requests() {
            self.stamp.resize(tb.requests(), 0);
            self.pos.resize(tb.requests(), 0);
        }
        self.generation = self.generation.wrapping_add(1);
        if self.generation == 0 {
            self.stamp.iter_mut().for_each(|s| *s = 0);
            self.generation = 1;
        }
        for (i, s) in stops.iter().enumerate() {
            let k = i + 1;
            self.loc.push(tb.loc[s.0]);
            self.svc.push(tb.svc[s.0]);
            if let Some(&at) = fixed.get(i) {
                self.early.push(at);
                self.late.push(at);
            } else {
                self.early.push(tb.early[s.0].max(rel));
                self.late.push(tb.late[s.0]);
            }
            let r = s.request();
            if s.is_pickup() {
                self.stamp[r] = self.generation;
                self.pos[r] = k;
            } else {
                if self.stamp[r] != self.generation {
                    return false;
                }
                let p = self.pos[r];
                self.back.push((p, k, self.svc[p] + tb.max_ride(r)));
            }
        }
        self.loc.push(veh.end);
        self.svc.push(0.0);
        self.early.push(veh.shift.earliest);
        self.late.push(veh.shift.latest);
        self.leg.clear();
        for k in 0..=m {
            self.leg.push(tb.time(self.loc[k], self.loc[k + 1]));
        }
        true
    }

    /// Lays out `base` (a route laid out by [`Self::load`] earlier, see [`Layout`]) with one
    /// request inserted: its pick-up `pick` goes after old position `a`, its drop-off `drop` after
    /// old position `b` (`b ≥ a`; equal means right after the pick-up). The same layout as loading
    /// the spliced stop sequence, built by copying the old one and looking up only the legs that
    /// change.
    pub fn load_inserted(
        &mut self,
        tb: &Tables,
        base: &Layout,
        (pick, drop): (&NewStop, &NewStop),
        a: usize,
        b: usize,
    ) {
        let m2 = base.loc.len();
        debug_assert!(a <= b && b + 1 < m2);
        // Old position x lands at x, x + 1 or x + 2.
        let moved = |x: usize| x + usize::from(x > a) + usize::from(x > b);
        fn spread<T: Copy>(out: &mut Vec<T>, old: &[T], a: usize, b: usize, p: T, d: T) {
            out.clear();
            out.extend_from_slice(&old[..=a]);
            out.push(p);
            out.extend_from_slice(&old[a + 1..=b]);
            out.push(d);
            out.extend_from_slice(&old[b + 1..]);
        }
        spread(&mut self.loc, base.loc, a, b, pick.loc, drop.loc);
        spread(&mut self.svc, base.svc, a, b, pick.svc, drop.svc);
        spread(&mut self.early, base.early, a, b, pick.early, drop.early);
        spread(&mut self.late, base.late, a, b, pick.late, drop.late);
        // New legs into and out of each new stop; the old ones stand elsewhere.
        let leg = |k: usize| tb.time(self.loc[k], self.loc[k + 1]);
        let (into_pick, out_of_pick, out_of_drop) = (leg(a), leg(a + 1), leg(b + 2));
        let into_drop = (b > a).then(|| leg(b + 1));
        self.leg.clear();
        self.leg.extend_from_slice(&base.leg[..a]);
        self.leg.push(into_pick);
        self.leg.push(out_of_pick);
        if let Some(into_drop) = into_drop {
            self.leg.extend_from_slice(&base.leg[a + 1..b]);
            self.leg.push(into_drop);
        }
        self.leg.push(out_of_drop);
        self.leg.extend_from_slice(&base.leg[b + 1..]);
        self.back.clear();
        self.back
            .extend(base.back.iter().map(|&(p, d, l)| (moved(p), moved(d), l)));
        self.back.push((a + 1, b + 2, drop.limit));
        self.max_duration = base.max_duration;
    }

    /// Computes the earliest schedule into `lb`; `Err` names a violated constraint.
    pub fn earliest(&mut self) -> Result<(), Violation> {
        self.lb.clear();
        self.lb.extend_from_slice(&self.early);
        self.relax(1)
    }

    /// [`Self::earliest`] for a laid-out route that is an old one with one request inserted, its
    /// pick-up at position `pick` and its drop-off at `drop`, starting from `warm`, the old
    /// route's earliest schedule. Adding stops only adds constraints, and with the triangle
    /// inequality no leg gets shorter, so the old times are lower bounds of the new least
    /// solution: relaxing from them (the prefix before the pick-up is already settled) reaches it
    /// in fewer passes. Without the triangle inequality a start too high can only refuse a
    /// feasible route, never accept an infeasible one: what the relaxation ends on satisfies
    /// every constraint it checks.
    pub fn earliest_from(
        &mut self,
        warm: &[f64],
        pick: usize,
        drop: usize,
    ) -> Result<(), Violation> {
        debug_assert!(0 < pick && pick < drop && warm.len() + 2 == self.early.len());
        self.lb.clear();
        self.lb.extend_from_slice(&warm[..pick]);
        self.lb.push(self.early[pick]);
        self.lb.extend_from_slice(&warm[pick..drop - 1]);
        self.lb.push(self.early[drop]);
        self.lb.extend_from_slice(&warm[drop - 1..]);
        self.relax(pick)
    }

    /// Label correcting from `lb`, with the forward pass first from position `from`.
    fn relax(&mut self, mut from: usize) -> Result<(), Violation> {
        let last = self.loc.len() - 1;
        let mut rounds = 0;
        loop {
            for k in from..=last {
                let arrive = self.lb[k - 1] + self.svc[k - 1] + self.leg[k - 1];
                if arrive > self.lb[k] {
                    self.lb[k] = arrive;
                }
                if self.lb[k] > self.late[k] + EPS {
                    return Err(if k == last {
                        Violation::ShiftEnd
                    } else {
                        Violation::TimeWindow
                    });
                }
            }
            from = usize::MAX;
            for &(p, d, limit) in &self.back {
                let need = self.lb[d] - limit;
                if need > self.lb[p] + RAISE {
                    if need > self.late[p] + EPS {
                        return Err(Violation::RideTime);
                    }
                    self.lb[p] = need;
                    from = from.min(p + 1);
                }
            }
            let need = self.lb[last] - self.max_duration;
            if need > self.lb[0] + RAISE {
                if need > self.late[0] + EPS {
                    return Err(Violation::RouteDuration);
                }
                self.lb[0] = need;
                from = 1;
            }
            if from == usize::MAX {
                return Ok(());
            }
            rounds += 1;
            if rounds > self.back.len() + 2 {
                return Err(Violation::RideTime);
            }
        }
    }

    /// Computes the latest schedule into `ub`, the mirror image of [`Self::earliest`].
    pub fn latest(&mut self) -> Result<(), Violation> {
        let last = self.loc.len() - 1;
        self.ub.clear();
        self.ub.extend_from_slice(&self.late);
        let mut to = last; // backward pass covers positions to-1 down to 0
        let mut rounds = 0;
        loop {
            for k in (0..to).rev() {
                let depart = self.ub[k + 1] - self.leg[k] - self.svc[k];
                if depart < self.ub[k] {
                    self.ub[k] = depart;
                }
                if self.ub[k] < self.early[k] - EPS {
                    return Err(Violation::TimeWindow);
                }
            }
            to = 0;
            for &(p, d, limit) in &self.back {
                let cap = self.ub[p] + limit;
                if cap < self.ub[d] - RAISE {
                    if cap < self.early[d] - EPS {
                        return Err(Violation::RideTime);
                    }
                    self.ub[d] = cap;
                    to = to.max(d);
                }
            }
            let cap = self.ub[0] + self.max_duration;
            if cap < self.ub[last] - RAISE {
                if cap < self.early[last] - EPS {
                    return Err(Violation::RouteDuration);
                }
                self.ub[last] = cap;
                to = last;
            }
            if to == 0 {
                return Ok(());
            }
            rounds += 1;
            if rounds > self.back.len() + 2 {
                return Err(Violation::RideTime);
            }
        }
    }

    /// Lays out and checks the schedule (not the capacity) of a route.
    pub fn feasible(
        &mut self,
        tb: &Tables,
        v: usize,
        stops: &[StopId],
        fixed: &[f64],
        release: Option<f64>,
    ) -> Result<(), Violation> {
        if !self.load(tb, v, stops, fixed, release) {
            return Err(Violation::Malformed);
        }
        self.earliest()
    }
}

/// A laid-out route as [`Scratch::load`] left it, kept by the solver beside each route so that
/// a candidate insertion is laid out by copying (see [`Scratch::load_inserted`]).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Layout<'a> {
    pub loc: &'a [usize],
    pub svc: &'a [f64],
    pub early: &'a [f64],
    pub late: &'a [f64],
    pub leg: &'a [f64],
    pub back: &'a [(usize, usize, f64)],
    pub max_duration: f64,
}

/// One stop to insert into a [`Layout`]: place, service time, window (already clipped to the
/// route's release time) and, for a drop-off, the longest time between the two starts of
/// service (ride limit plus the pick-up's service).
#[derive(Clone, Copy, Debug)]
pub(crate) struct NewStop {
    pub loc: usize,
    pub svc: f64,
    pub early: f64,
    pub late: f64,
    pub limit: f64,
}

/// Whether the riders on board never exceed the vehicle's capacity along `stops`.
pub(crate) fn capacity_ok(tb: &Tables, v: usize, stops: &[StopId]) -> bool {
    let cap = tb.vehicle(v).capacity;
    let mut on_board = super::load::Load::default();
    for s in stops {
        let q = tb.load(s.request());
        on_board = if s.is_pickup() {
            on_board.plus(q)
        } else {
            on_board.minus(q)
        };
        if !cap.fits(on_board) {
            return false;
        }
    }
    true
}

/// Checks one route with the solver's fast exact check (capacity, windows, ride times with delayed
/// departures, shift and duration) and returns its earliest schedule: the start of service at each
/// stop, depots excluded. The fixed prefix and release time of the route are honoured.
pub fn earliest_schedule(
    instance: &Instance,
    vehicle: usize,
    route: &Route,
) -> Result<Vec<f64>, Violation> {
    let n = instance.requests.len();
    let mut seen = vec![false; 2 * n];
    for s in &route.stops {
        match seen.get_mut(s.0) {
            Some(x) if !*x => *x = true,
            _ => return Err(Violation::Malformed),
        }
    }
    if vehicle >= instance.vehicles.len()
        || route.stops.iter().any(|s| !seen[s.partner().0])
        || instance.validate().is_err()
    {
        return Err(Violation::Malformed);
    }
    let tb = Tables::new(instance);
    if !capacity_ok(&tb, vehicle, &route.stops) {
        return Err(Violation::Capacity);
    }
    let mut sc = Scratch::default();
    if route.fixed.len() > route.stops.len() {
        return Err(Violation::Malformed);
    }
    sc.feasible(&tb, vehicle, &route.stops, &route.fixed, route.release)?;
    Ok(sc.lb[1..=route.stops.len()].to_vec())
}
