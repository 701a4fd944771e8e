//! Flat per-stop arrays over an [`Instance`], so the hot loops index vectors instead of chasing
//! through requests and endpoints.

use super::load::Load;
use super::model::{CostBasis, Instance, Request, StopId, Vehicle, Window};

/// Read-only view of an instance laid out for the solver. Borrowed, never copied: the matrix may
/// be large.
pub(crate) struct Tables<'a> {
    pub inst: &'a Instance,
    n_loc: usize,
    cost: &'a [f64],
    /// Per stop (`StopId.0`): matrix row, service time, window.
    pub loc: Vec<usize>,
    pub svc: Vec<f64>,
    pub early: Vec<f64>,
    pub late: Vec<f64>,
    /// Per request: the other requests of its group (see [`Request::group`]), empty for a
    /// request on its own. Empty altogether when the instance has no group, so every group
    /// check is one branch on instances without them.
    pub mates: Vec<Vec<usize>>,
}

impl<'a> Tables<'a> {
    /// Lays out a validated instance (see [`Instance::validate`]).
    pub fn new(inst: &'a Instance) -> Self {
        let stops = 2 * inst.requests.len();
        let mut t = Tables {
            inst,
            n_loc: inst.matrix.n,
            cost: match inst.cost_basis {
                CostBasis::Time => &inst.matrix.seconds,
                CostBasis::Distance => &inst.matrix.metres,
            },
            loc: Vec::with_capacity(stops),
            svc: Vec::with_capacity(stops),
            early: Vec::with_capacity(stops),
            late: Vec::with_capacity(stops),
            mates: Vec::new(),
        };
        for r in &inst.requests {
            for e in [r.pickup, r.dropoff] {
                t.loc.push(e.location);
                t.svc.push(e.service);
            }
            let (p, d) = tightened(inst, r);
            t.early.extend([p.earliest, d.earliest]);
            t.late.extend([p.latest, d.latest]);
        }
        if inst.requests.iter().any(|r| r.group.is_some()) {
            let mut by_group: std::collections::BTreeMap<u32, Vec<usize>> = Default::default();
            for (i, r) in inst.requests.iter().enumerate() {
                if let Some(g) = r.group {
                    by_group.entry(g).or_default().push(i);
                }
            }
            t.mates = inst
                .requests
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    r.group.map_or_else(Vec::new, |g| {
                        by_group[&g].iter().copied().filter(|&m| m != i).collect()
                    })
                })
                .collect();
        }
        t
    }

    /// The other requests that must ride in the same vehicle as `request`.
    #[inline]
    pub fn mates(&self, request: usize) -> &[usize] {
        self.mates.get(request).map_or(&[], Vec::as_slice)
    }

    /// Whether the instance has any group at all.
    #[inline]
    pub fn has_groups(&self) -> bool {
        !self.mates.is_empty()
    }

    pub fn requests(&self) -> usize {
        self.inst.requests.len()
    }

    pub fn vehicles(&self) -> usize {
        self.inst.vehicles.len()
    }

    pub fn vehicle(&self, v: usize) -> &Vehicle {
        &self.inst.vehicles[v]
    }

    #[inline]
    pub fn time(&self, a: usize, b: usize) -> f64 {
        self.inst.matrix.seconds[a * self.n_loc + b]
    }

    #[inline]
    pub fn cost(&self, a: usize, b: usize) -> f64 {
        self.cost[a * self.n_loc + b]
    }

    pub fn load(&self, request: usize) -> Load {
        self.inst.requests[request].load
    }

    pub fn max_ride(&self, request: usize) -> f64 {
        self.inst.requests[request].max_ride
    }

    /// Cost of a route for vehicle `v` visiting `stops` (zero when empty: the vehicle stays home).
    pub fn route_cost(&self, v: usize, stops: &[StopId]) -> f64 {
        if stops.is_empty() {
            return 0.0;
        }
        let veh = self.vehicle(v);
        let mut at = veh.start;
        let mut total = 0.0;
        for s in stops {
            let l = self.loc[s.0];
            total += self.cost(at, l);
            at = l;
        }
        total + self.cost(at, veh.end)
    }
}

/// The windows of a request narrowed by what its own ride implies (Cordeau 2006): the pick-up is
/// no earlier than the drop-off's opening minus the longest ride, no later than the drop-off's
/// closing minus the direct drive, and symmetrically for the drop-off. Every schedule that is
/// feasible keeps within them, so the route check is unchanged, but the insertion filters see
/// the real span of a "no window" end (the pick-up of a trip with an appointment) instead of the
/// whole day. If they come out empty the request is infeasible anyway; the original windows are
/// kept then so that diagnostics name the real cause.
///
/// The drive between the two ends is bounded below by 0, not by the direct time: a matrix need
/// not obey the triangle inequality (road times with turn costs, or the property tests' random
/// ones), and a detour through another stop may then be shorter than the direct leg. Using the
/// direct time here once refused a route the independent checker accepts.
fn tightened(_inst: &Instance, r: &Request) -> (Window, Window) {
    let (p, d) = (r.pickup, r.dropoff);
    let direct = 0.0;
    let pick = Window::new(
        p.window
            .earliest
            .max(d.window.earliest - p.service - r.max_ride),
        p.window.latest.min(d.window.latest - p.service - direct),
    );
    let drop = Window::new(
        d.window
            .earliest
            .max(p.window.earliest + p.service + direct),
        d.window
            .latest
            .min(p.window.latest + p.service + r.max_ride),
    );
    let usable = |w: &Window| w.earliest.is_finite() && w.latest >= w.earliest;
    if usable(&pick) && usable(&drop) {
        (pick, drop)
    } else {
        (p.window, d.window)
    }
}
