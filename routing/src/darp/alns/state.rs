//! The solver's working copy of a plan: routes with their cached schedules and load profiles.

use crate::darp::load::Load;
use crate::darp::model::StopId;
use crate::darp::plan::{Plan, Route};
use crate::darp::schedule::{capacity_ok, Layout, Scratch, Violation};
use crate::darp::tables::Tables;

/// A non-zero 64-bit hash of a route's stops, frozen start times and release time.
fn signature(stops: &[StopId], fixed: &[f64], release: Option<f64>) -> u64 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let mix = |h: u64, x: u64| (h.rotate_left(5) ^ x).wrapping_mul(K);
    let mut h = mix(stops.len() as u64, release.map_or(u64::MAX, f64::to_bits));
    for s in stops {
        h = mix(h, s.0 as u64);
    }
    for t in fixed {
        h = mix(h, t.to_bits());
    }
    (h ^ (h >> 29)) | 1
}

/// One vehicle's route plus what the insertion filters need, kept in step with `stops`.
/// `clone_from` reuses the vectors' buffers: the search copies routes on every iteration.
#[derive(Debug, Default)]
pub(crate) struct RouteState {
    pub stops: Vec<StopId>,
    /// Start times of the frozen prefix (see [`Route::fixed`]).
    pub fixed: Vec<f64>,
    pub release: Option<f64>,
    pub cost: f64,
    /// Per position (0 = start depot, m + 1 = end depot): place, service time, earliest and latest
    /// start of service, load on board after the position.
    pub loc: Vec<usize>,
    pub svc: Vec<f64>,
    pub lb: Vec<f64>,
    pub ub: Vec<f64>,
    pub load: Vec<Load>,
    /// Shortest possible time from the start of service at position 0 to position k along the
    /// route (travel and service only, no waiting).
    pub chain: Vec<f64>,
    /// Per position: latest start from the window or fixed time alone (not from the schedule).
    pub late: Vec<f64>,
    /// Per position: for a drop-off, the position of its pick-up and the longest allowed time
    /// between the two starts of service; `usize::MAX` elsewhere. Lets the push-forward test
    /// check ride times without rebuilding the route.
    pub pick_at: Vec<usize>,
    pub limit: Vec<f64>,
    pub max_duration: f64,
    /// The rest of the route's layout for the exact check (see [`RouteState::layout`]).
    pub early: Vec<f64>,
    pub leg: Vec<f64>,
    pub back: Vec<(usize, usize, f64)>,
    /// A hash of what the insertion search reads of the route (its stops, frozen prefix and
    /// release), set by a successful [`RouteState::refresh`]; 0 while the cached arrays may not
    /// match `stops`. Keys the memo of [`super::best_insertion`].
    pub sig: u64,
}

impl RouteState {
    /// Recomputes everything cached from `stops`. `Err` if the route is not feasible.
    pub fn refresh(&mut self, tb: &Tables, v: usize, sc: &mut Scratch) -> Result<(), Violation> {
        self.sig = 0;
        if !capacity_ok(tb, v, &self.stops) {
            return Err(Violation::Capacity);
        }
        sc.feasible(tb, v, &self.stops, &self.fixed, self.release)?;
        sc.latest()?;
        let veh = tb.vehicle(v);
        self.cost = tb.route_cost(v, &self.stops);
        self.lb.clone_from(&sc.lb);
        self.ub.clone_from(&sc.ub);
        self.late.clone_from(&sc.late);
        self.early.clone_from(&sc.early);
        self.leg.clone_from(&sc.leg);
        self.back.clone_from(&sc.back);
        self.max_duration = sc.max_duration;
        self.pick_at.clear();
        self.pick_at.resize(self.stops.len() + 2, usize::MAX);
        self.limit.clear();
        self.limit.resize(self.stops.len() + 2, f64::INFINITY);
        for &(p, d, limit) in &sc.back {
            self.pick_at[d] = p;
            self.limit[d] = limit;
        }
        self.loc.clear();
        self.svc.clear();
        self.load.clear();
        self.chain.clear();
        self.loc.push(veh.start);
        self.svc.push(0.0);
        self.load.push(Load::default());
        for s in &self.stops {
            self.loc.push(tb.loc[s.0]);
            self.svc.push(tb.svc[s.0]);
            let q = tb.load(s.request());
            let before = *self.load.last().unwrap_or(&Load::default());
            self.load.push(if s.is_pickup() {
                before.plus(q)
            } else {
                before.minus(q)
            });
        }
        self.loc.push(veh.end);
        self.svc.push(0.0);
        self.load.push(Load::default());
        let mut acc = 0.0;
        self.chain.push(0.0);
        for k in 1..self.loc.len() {
            acc += self.svc[k - 1] + tb.time(self.loc[k - 1], self.loc[k]);
            self.chain.push(acc);
        }
        self.sig = signature(&self.stops, &self.fixed, self.release);
        Ok(())
    }

    /// The route as the exact check lays it out, for [`Scratch::load_inserted`].
    pub fn layout(&self) -> Layout<'_> {
        Layout {
            loc: &self.loc,
            svc: &self.svc,
            early: &self.early,
            late: &self.late,
            leg: &self.leg,
            back: &self.back,
            max_duration: self.max_duration,
        }
    }

    /// Number of stops in the frozen prefix.
    pub fn frozen(&self) -> usize {
        self.fixed.len().min(self.stops.len())
    }

    /// Requests with a stop in the frozen prefix: they stay on this vehicle where they are.
    pub fn locked(&self, request: usize) -> bool {
        self.stops[..self.frozen()]
            .iter()
            .any(|s| s.request() == request)
    }
}

impl Clone for RouteState {
    fn clone(&self) -> Self {
        let mut out = Self::default();
        out.clone_from(self);
        out
    }

    fn clone_from(&mut self, src: &Self) {
        self.stops.clone_from(&src.stops);
        self.fixed.clone_from(&src.fixed);
        self.release = src.release;
        self.cost = src.cost;
        self.loc.clone_from(&src.loc);
        self.svc.clone_from(&src.svc);
        self.lb.clone_from(&src.lb);
        self.ub.clone_from(&src.ub);
        self.load.clone_from(&src.load);
        self.chain.clone_from(&src.chain);
        self.late.clone_from(&src.late);
        self.pick_at.clone_from(&src.pick_at);
        self.limit.clone_from(&src.limit);
        self.max_duration = src.max_duration;
        self.early.clone_from(&src.early);
        self.leg.clone_from(&src.leg);
        self.back.clone_from(&src.back);
        self.sig = src.sig;
    }
}

/// A full working solution. `clone_from` reuses the routes' buffers.
#[derive(Debug, Default)]
pub(crate) struct Solution {
    pub routes: Vec<RouteState>,
    /// Requests not in any route, in no particular order.
    pub unassigned: Vec<usize>,
    pub cost: f64,
}

impl Clone for Solution {
    fn clone(&self) -> Self {
        Self {
            routes: self.routes.clone(),
            unassigned: self.unassigned.clone(),
            cost: self.cost,
        }
    }

    fn clone_from(&mut self, src: &Self) {
        self.routes.clone_from(&src.routes);
        self.unassigned.clone_from(&src.unassigned);
        self.cost = src.cost;
    }
}

impl Solution {
    /// Builds the working state of a plan; routes that fail the check are emptied of their
    /// unfrozen requests so the search starts from something feasible.
    pub fn from_plan(tb: &Tables, plan: &Plan, sc: &mut Scratch) -> Self {
        let mut sol = Solution::default();
        let mut served = vec![false; tb.requests()];
        for v in 0..tb.vehicles() {
            let src = plan.routes.get(v).cloned().unwrap_or_default();
            let mut rs = RouteState {
                stops: src.stops,
                fixed: src.fixed,
                release: src.release,
                ..RouteState::default()
            };
            if rs.refresh(tb, v, sc).is_err() {
                let keep: Vec<StopId> = rs.stops[..rs.frozen()].to_vec();
                let locked: Vec<usize> = keep.iter().map(|s| s.request()).collect();
                rs.stops.retain(|s| locked.contains(&s.request()));
                // If even the frozen part fails, keep it: the past cannot be undone.
                let _ = rs.refresh(tb, v, sc);
            }
            for s in &rs.stops {
                served[s.request()] = true;
            }
            sol.routes.push(rs);
        }
        sol.unassigned = (0..tb.requests()).filter(|&r| !served[r]).collect();
        sol.recost();
        sol.unsplit_groups(tb, sc);
        sol
    }

    pub fn recost(&mut self) {
        self.cost = self.routes.iter().map(|r| r.cost).sum();
    }

    pub fn to_plan(&self) -> Plan {
        Plan {
            routes: self
                .routes
                .iter()
                .map(|r| Route {
                    stops: r.stops.clone(),
                    fixed: r.fixed.clone(),
                    release: r.release,
                })
                .collect(),
        }
    }

    /// Removes request `r` from route `v`; returns false (and changes nothing) if the shortened
    /// route is infeasible, which can only happen on matrices without the triangle inequality.
    pub fn remove(&mut self, tb: &Tables, v: usize, r: usize, sc: &mut Scratch) -> bool {
        if !self.shorten(tb, v, sc, |s| s.request() == r) {
            return false;
        }
        self.unassigned.push(r);
        self.recost();
        true
    }

    /// Removes every `(request, route)` of `chosen`, refreshing each route it touches once (the
    /// destroy operators take out up to 40 requests, often several from one route). A route
    /// whose shortened form is infeasible, which can only happen on matrices without the triangle
    /// inequality, loses its requests one at a time instead, as far as [`Solution::remove`]
    /// would. The requests join `unassigned` in the order of `chosen`.
    pub fn remove_all(&mut self, tb: &Tables, chosen: &[(usize, usize)], sc: &mut Scratch) {
        let mut out = vec![false; tb.requests()];
        for &(r, _) in chosen {
            out[r] = true;
        }
        let mut gone = vec![false; chosen.len()];
        let mut routes: Vec<usize> = chosen.iter().map(|c| c.1).collect();
        routes.sort_unstable();
        routes.dedup();
        for v in routes {
            let all = self.shorten(tb, v, sc, |s| out[s.request()]);
            for (k, &(r, u)) in chosen.iter().enumerate() {
                if u == v {
                    gone[k] = all || self.shorten(tb, v, sc, |s| s.request() == r);
                }
            }
        }
        self.unassigned.extend(
            chosen
                .iter()
                .zip(&gone)
                .filter(|(_, &g)| g)
                .map(|(&(r, _), _)| r),
        );
        self.recost();
    }

    /// Drops the stops of route `v` that `drop` picks; false (and the route unchanged) if the
    /// rest is infeasible.
    fn shorten(
        &mut self,
        tb: &Tables,
        v: usize,
        sc: &mut Scratch,
        drop: impl Fn(&StopId) -> bool,
    ) -> bool {
        let route = &mut self.routes[v];
        let before = route.stops.clone();
        route.stops.retain(|s| !drop(s));
        if route.refresh(tb, v, sc).is_err() {
            route.stops = before;
            let _ = route.refresh(tb, v, sc);
            return false;
        }
        true
    }

    /// Whether request `r` may go into route `v`: every placed member of its group is there
    /// (always, for a request without a group).
    pub fn group_allows(&self, tb: &Tables, r: usize, v: usize) -> bool {
        tb.mates(r)
            .iter()
            .all(|&m| self.route_of(m).is_none_or(|u| u == v))
    }

    /// Whether every group's placed members share one route.
    pub fn groups_whole(&self, tb: &Tables) -> bool {
        groups_whole(tb, self.routes.iter().map(|r| r.stops.as_slice()))
    }

    /// Takes out of their routes the members of groups that are split across routes, except
    /// those pinned by a frozen prefix (the past cannot be undone), so that the search starts
    /// from plans that keep groups together wherever it still can.
    fn unsplit_groups(&mut self, tb: &Tables, sc: &mut Scratch) {
        if !tb.has_groups() || self.groups_whole(tb) {
            return;
        }
        for r in 0..tb.requests() {
            let Some(v) = self.route_of(r) else { continue };
            let split = tb
                .mates(r)
                .iter()
                .any(|&m| self.route_of(m).is_some_and(|u| u != v));
            if split && !self.routes[v].locked(r) {
                self.remove(tb, v, r, sc);
            }
        }
    }

    /// The route currently serving request `r`.
    pub fn route_of(&self, r: usize) -> Option<usize> {
        let p = StopId::pickup(r);
        self.routes.iter().position(|rs| rs.stops.contains(&p))
    }
}

/// Whether, over `routes`, the members of each group that are served are all in one route.
pub(crate) fn groups_whole<'a>(tb: &Tables, routes: impl Iterator<Item = &'a [StopId]>) -> bool {
    if !tb.has_groups() {
        return true;
    }
    let mut route_of = vec![usize::MAX; tb.requests()];
    for (v, stops) in routes.enumerate() {
        for s in stops.iter().filter(|s| s.is_pickup()) {
            route_of[s.request()] = v;
        }
    }
    (0..tb.requests()).all(|r| {
        route_of[r] == usize::MAX
            || tb
                .mates(r)
                .iter()
                .all(|&m| route_of[m] == usize::MAX || route_of[m] == route_of[r])
    })
}

#[cfg(test)]
mod tests {
    use rand::rngs::SmallRng;
    use rand::seq::SliceRandom;
    use rand::SeedableRng;

    use super::*;
    use crate::darp::alns::insertion::InsertScratch;
    use crate::darp::alns::repair::noisy_greedy;
    use crate::darp::synthetic;

    #[test]
    fn removing_many_requests_at_once_leaves_what_removing_them_one_by_one_leaves() {
        let inst = synthetic(6, 5, 50, 600.0);
        let tb = Tables::new(&inst);
        let mut xs = InsertScratch::default();
        let mut rng = SmallRng::seed_from_u64(6);
        for _ in 0..20 {
            // Arrange: a plan, and a third of its requests in a random order.
            let sol = noisy_greedy(&tb, &mut rng, &mut xs);
            let mut chosen: Vec<(usize, usize)> = (0..tb.requests())
                .filter_map(|r| sol.route_of(r).map(|v| (r, v)))
                .collect();
            chosen.shuffle(&mut rng);
            chosen.truncate(chosen.len() / 3);
            let mut one_by_one = sol.clone();
            for &(r, v) in &chosen {
                assert!(one_by_one.remove(&tb, v, r, &mut xs.sched));
            }
            // Act
            let mut at_once = sol.clone();
            at_once.remove_all(&tb, &chosen, &mut xs.sched);
            // Assert: the same routes, costs, cached schedules and unassigned list.
            assert_eq!(at_once.unassigned, one_by_one.unassigned);
            assert!((at_once.cost - one_by_one.cost).abs() < 1e-9);
            for (a, b) in at_once.routes.iter().zip(&one_by_one.routes) {
                assert_eq!(a.stops, b.stops);
                assert_eq!((a.lb.clone(), a.ub.clone()), (b.lb.clone(), b.ub.clone()));
                assert_eq!(a.sig, b.sig);
            }
        }
    }
}
