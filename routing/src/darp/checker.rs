//! The independent checker: verifies a plan against the instance from first principles.
//!
//! It shares no scheduling code with the solver. Each route's start times are found with a plain
//! Bellman–Ford over the difference-constraint graph (an edge `b → a` of weight `c` for every
//! `B_a − B_b ≤ c`, plus a time-zero node for the windows): the route is feasible exactly when
//! that graph has no negative cycle. It is quadratic and slow on purpose; the tests and the
//! benchmark run it on every plan they report.
//!
//! Tolerance: each constraint is relaxed by [`TOLERANCE`] (1e-6 time units) so that solutions that
//! are feasible in exact arithmetic are not rejected over rounding.

use super::load::Load;
use super::model::{Instance, StopId};
use super::plan::Plan;

/// Slack allowed on every time constraint.
pub const TOLERANCE: f64 = 1e-6;

/// What the checker found.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Verdict {
    /// Objective recomputed from the matrix.
    pub cost: f64,
    /// Requests picked up and dropped off.
    pub served: usize,
    /// Requests that appear in no route.
    pub unserved: Vec<usize>,
    /// Every violated rule, in words (empty when the plan is feasible).
    pub problems: Vec<String>,
    /// A feasible schedule per route (start of service per stop, depots excluded), when one exists.
    pub starts: Vec<Vec<f64>>,
}

impl Verdict {
    /// Feasible: no rule broken (some requests may still be unserved).
    pub fn feasible(&self) -> bool {
        self.problems.is_empty()
    }

    /// Feasible and every request served.
    pub fn complete(&self) -> bool {
        self.feasible() && self.unserved.is_empty()
    }
}

/// Checks every rule of the model on `plan`.
pub fn verify(instance: &Instance, plan: &Plan) -> Verdict {
    let mut v = Verdict::default();
    let n = instance.requests.len();
    if plan.routes.len() > instance.vehicles.len() {
        v.problems.push(format!(
            "{} routes for {} vehicles",
            plan.routes.len(),
            instance.vehicles.len()
        ));
    }
    let mut seen = vec![0u32; 2 * n];
    for (r, route) in plan.routes.iter().enumerate() {
        for s in &route.stops {
            match seen.get_mut(s.0) {
                Some(c) => *c += 1,
                None => v.problems.push(format!("route {r}: unknown stop {}", s.0)),
            }
        }
    }
    for req in 0..n {
        let (p, d) = (seen[2 * req], seen[2 * req + 1]);
        match (p, d) {
            (0, 0) => v.unserved.push(req),
            (1, 1) => v.served += 1,
            _ => v.problems.push(format!(
                "request {req}: pick-up visited {p} times, drop-off {d} times"
            )),
        }
    }
    check_groups(instance, plan, &mut v.problems);
    for (r, route) in plan.routes.iter().enumerate().take(instance.vehicles.len()) {
        let starts = check_route(instance, r, &route.stops, &mut v.problems);
        v.starts.push(starts.unwrap_or_default());
    }
    v.cost = plan_cost(instance, plan);
    v
}

/// Same vehicle for a group: the served requests of each group are picked up by one route.
fn check_groups(instance: &Instance, plan: &Plan, problems: &mut Vec<String>) {
    let mut first: std::collections::BTreeMap<u32, (usize, usize)> = Default::default();
    for (r, route) in plan.routes.iter().enumerate() {
        for s in route.stops.iter().filter(|s| s.is_pickup()) {
            let Some(group) = instance.requests.get(s.request()).and_then(|q| q.group) else {
                continue;
            };
            match first.get(&group) {
                None => {
                    first.insert(group, (r, s.request()));
                }
                Some(&(other, req)) if other != r => problems.push(format!(
                    "group {group}: request {} rides in route {r}, request {req} of the same \
                     group in route {other}",
                    s.request()
                )),
                Some(_) => {}
            }
        }
    }
}

fn plan_cost(instance: &Instance, plan: &Plan) -> f64 {
    let mut total = 0.0;
    for (route, veh) in plan.routes.iter().zip(&instance.vehicles) {
        if route.stops.is_empty() {
            continue;
        }
        let mut places = vec![veh.start];
        places.extend(
            route
                .stops
                .iter()
                .filter_map(|s| instance.endpoint(*s).map(|e| e.location)),
        );
        places.push(veh.end);
        total += places
            .windows(2)
            .map(|w| instance.cost(w[0], w[1]))
            .sum::<f64>();
    }
    total
}

/// Checks pairing, capacity and the schedule of vehicle `r`'s route; returns its start times.
fn check_route(
    instance: &Instance,
    r: usize,
    stops: &[StopId],
    problems: &mut Vec<String>,
) -> Option<Vec<f64>> {
    if stops.iter().any(|s| instance.endpoint(*s).is_none()) {
        return None;
    }
    let veh = &instance.vehicles[r];
    // Pairing and precedence.
    for (i, s) in stops.iter().enumerate() {
        let partner = stops.iter().position(|x| *x == s.partner());
        match partner {
            None => problems.push(format!(
                "route {r}: stop {} without its partner on the same route",
                s.0
            )),
            Some(j) if s.is_pickup() && j < i => problems.push(format!(
                "route {r}: request {} dropped off before pick-up",
                s.request()
            )),
            _ => {}
        }
    }
    // Capacity, counted rider by rider.
    let mut on_board = Load::default();
    for s in stops {
        let q = instance.requests[s.request()].load;
        if s.is_pickup() {
            on_board = on_board.plus(q);
        } else {
            on_board = on_board.minus(q);
        }
        if !veh.capacity.fits(on_board) {
            problems.push(format!("route {r}: over capacity after stop {}", s.0));
        }
    }
    // Schedule: nodes 0 = start depot, 1..=m stops, m + 1 = end depot, m + 2 = time zero.
    let m = stops.len();
    let zero = m + 2;
    let mut place = vec![veh.start];
    let mut service = vec![0.0];
    let mut window = vec![(veh.shift.earliest, veh.shift.latest)];
    for s in stops {
        let e = instance.endpoint(*s)?;
        place.push(e.location);
        service.push(e.service);
        window.push((e.window.earliest, e.window.latest));
    }
    place.push(veh.end);
    service.push(0.0);
    window.push((veh.shift.earliest, veh.shift.latest));
    // Edge (from, to, w) encodes B_to − B_from ≤ w.
    let mut edges: Vec<(usize, usize, f64)> = Vec::new();
    for k in 0..=m {
        // B_k − B_{k+1} ≤ −(s_k + t)
        let t = instance.time(place[k], place[k + 1]);
        edges.push((k + 1, k, -(service[k] + t)));
    }
    for (k, &(e, l)) in window.iter().enumerate() {
        edges.push((zero, k, l));
        edges.push((k, zero, -e));
    }
    for (i, s) in stops.iter().enumerate() {
        if !s.is_pickup() {
            continue;
        }
        if let Some(j) = stops.iter().position(|x| *x == s.partner()) {
            // B_drop − B_pick ≤ s_pick + L
            let limit = service[i + 1] + instance.requests[s.request()].max_ride;
            edges.push((i + 1, j + 1, limit));
        }
    }
    edges.push((0, m + 1, veh.max_duration));
    let nodes = m + 3;
    let mut dist = vec![0.0f64; nodes];
    for _ in 0..nodes {
        let mut changed = false;
        for &(a, b, w) in &edges {
            let via = dist[a] + w + TOLERANCE;
            if via < dist[b] - 1e-12 {
                dist[b] = via;
                changed = true;
            }
        }
        if !changed {
            let starts = (1..=m).map(|k| dist[k] - dist[zero]).collect();
            return Some(starts);
        }
    }
    problems.push(format!(
        "route {r}: no schedule meets the time windows, ride times and duration"
    ));
    None
}
