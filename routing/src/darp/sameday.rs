//! Same-day operations on an existing plan: insert a new booking, cancel one, freeze the past.
//!
//! These are single, fast edits (no search): the dispatcher sees the answer at once, and may
//! re-optimise later with [`super::solve`] started from the edited plan, which keeps the frozen
//! prefixes.

use super::alns::{active_routes, best_insertion, splice, InsertScratch, RouteState, Solution};
use super::model::{Instance, ModelError, StopId};
use super::plan::{Plan, Route};
use super::schedule::{capacity_ok, Scratch, Violation, EPS};
use super::tables::Tables;

/// Why a request cannot be served, in terms a dispatcher can act on.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum Unservable {
    /// No vehicle in the fleet could carry this load even empty.
    #[error("no vehicle can carry this load (wheelchair: {wheelchair})")]
    NoVehicleWithCapacity { wheelchair: bool },
    /// Even alone in a vehicle, the windows cannot be met (too late in the day, or the drop-off
    /// window is unreachable from the pick-up window).
    #[error("the time windows cannot be met by any vehicle")]
    TimeWindow,
    /// The direct trip already exceeds the maximum ride time, or the windows force a longer ride.
    #[error("the maximum ride time cannot be met")]
    RideTime,
    /// No vehicle's shift leaves time to serve it and return to the depot.
    #[error("no shift is long enough to serve it and return")]
    ShiftEnd,
    /// Serving it would exceed every vehicle's maximum route duration.
    #[error("every route would exceed its maximum duration")]
    RouteDuration,
    /// It would fit an idle vehicle, but every suitable vehicle is busy at that time.
    #[error("suitable vehicles are all busy at that time")]
    NoRoom,
    /// The request index does not exist or is already planned.
    #[error("request {0} does not exist or is already planned")]
    UnknownOrPlanned(usize),
    /// The instance itself is invalid.
    #[error("invalid instance: {0}")]
    Model(#[from] ModelError),
}

/// Why a cancellation was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CancelError {
    #[error("request {0} is not in the plan")]
    NotPlanned(usize),
    #[error("request {0} is already done or under way")]
    UnderWay(usize),
}

/// Inserts request `request` (already pushed onto `instance.requests`) at the cheapest feasible
/// place of the plan, without moving anything else. On failure, says why.
pub fn insert(instance: &Instance, plan: &Plan, request: usize) -> Result<Plan, Unservable> {
    instance.validate()?;
    let tb = Tables::new(instance);
    let planned = plan
        .routes
        .iter()
        .any(|r| r.stops.iter().any(|s| s.request() == request));
    if request >= instance.requests.len() || planned {
        return Err(Unservable::UnknownOrPlanned(request));
    }
    let mut sol = Solution::default();
    let mut xs = InsertScratch::default();
    let mut usable = Vec::with_capacity(instance.vehicles.len());
    for v in 0..instance.vehicles.len() {
        let src = plan.routes.get(v).cloned().unwrap_or_default();
        let mut rs = RouteState {
            stops: src.stops,
            fixed: src.fixed,
            release: src.release,
            ..RouteState::default()
        };
        // A route that is already infeasible (edited by hand) is left alone.
        usable.push(rs.refresh(&tb, v, &mut xs.sched).is_ok());
        sol.routes.push(rs);
    }
    let mut best: Option<(f64, usize, super::alns::Spot)> = None;
    for v in active_routes(&tb, &sol) {
        if !usable[v] || (tb.has_groups() && !sol.group_allows(&tb, request, v)) {
            continue;
        }
        if let Some(s) = best_insertion(&tb, v, &sol.routes[v], request, &mut xs) {
            if best.is_none_or(|b| s.delta < b.0) {
                best = Some((s.delta, v, s));
            }
        }
    }
    let Some((_, v, spot)) = best else {
        return Err(diagnose(&tb, plan, request));
    };
    let mut out = plan.clone();
    if out.routes.len() < instance.vehicles.len() {
        out.routes.resize(instance.vehicles.len(), Route::default());
    }
    let mut seq = Vec::new();
    splice(&out.routes[v].stops, request, spot, &mut seq);
    out.routes[v].stops = seq;
    Ok(out)
}

/// Why no vehicle could take `request`: first capacity, then what fails even for an idle
/// vehicle, otherwise the fleet is simply busy.
fn diagnose(tb: &Tables, plan: &Plan, request: usize) -> Unservable {
    let load = tb.load(request);
    let capable: Vec<usize> = (0..tb.vehicles())
        .filter(|&v| tb.vehicle(v).capacity.fits(load))
        .collect();
    if capable.is_empty() {
        return Unservable::NoVehicleWithCapacity {
            wheelchair: load.wheelchair > 0,
        };
    }
    let alone = [StopId::pickup(request), StopId::dropoff(request)];
    let direct = tb.time(tb.loc[alone[0].0], tb.loc[alone[1].0]);
    if direct > tb.max_ride(request) + EPS {
        return Unservable::RideTime;
    }
    let mut sc = Scratch::default();
    let mut reasons = Vec::new();
    for v in capable {
        let release = plan.routes.get(v).and_then(|r| r.release);
        debug_assert!(capacity_ok(tb, v, &alone));
        match sc.feasible(tb, v, &alone, &[], release) {
            Ok(()) => return Unservable::NoRoom,
            Err(why) => reasons.push(why),
        }
    }
    let pick = |want: Violation| reasons.contains(&want);
    if pick(Violation::RideTime) {
        Unservable::RideTime
    } else if pick(Violation::ShiftEnd) {
        Unservable::ShiftEnd
    } else if pick(Violation::RouteDuration) {
        Unservable::RouteDuration
    } else {
        Unservable::TimeWindow
    }
}

/// Takes a cancelled request out of the plan. Refused once its pick-up is done or under way
/// (the rider is then on board and must be dropped off).
pub fn remove(plan: &Plan, request: usize) -> Result<Plan, CancelError> {
    let mut out = plan.clone();
    let Some(route) = out
        .routes
        .iter_mut()
        .find(|r| r.stops.iter().any(|s| s.request() == request))
    else {
        return Err(CancelError::NotPlanned(request));
    };
    let frozen = route.fixed.len().min(route.stops.len());
    if route.stops[..frozen].iter().any(|s| s.request() == request) {
        return Err(CancelError::UnderWay(request));
    }
    route.stops.retain(|s| s.request() != request);
    Ok(out)
}

/// Freezes everything that has started by `now`: in each route, the stops whose service starts at
/// or before `now` in the earliest schedule keep that start time and can no longer move, and no
/// other stop may be planned before `now`. Riders on board stay on their vehicle. Routes that
/// are infeasible as given are left unchanged.
pub fn freeze_before(instance: &Instance, plan: &Plan, now: f64) -> Result<Plan, ModelError> {
    freeze_started(instance, plan, &[], Some(now))
}

/// What a re-plan from scratch must keep of a frozen plan: each route's frozen prefix, then the
/// drop-offs of the riders it has on board, in their order. Every other request is left out, to
/// be planned anew around them.
pub fn started_only(plan: &Plan) -> Plan {
    let mut out = plan.clone();
    for route in &mut out.routes {
        let frozen = route.fixed.len().min(route.stops.len());
        let on_board: Vec<usize> = route.stops[..frozen]
            .iter()
            .filter(|s| s.is_pickup())
            .map(|s| s.request())
            .collect();
        let mut k = 0;
        route.stops.retain(|s| {
            k += 1;
            k <= frozen || on_board.contains(&s.request())
        });
    }
    out
}

/// Freezes, in each route `v`, at least its first `done[v]` stops (those the drivers reported
/// done or under way; a missing entry is 0) and, with `now`, every stop that has started by then
/// in the earliest schedule ([`freeze_before`]). Frozen stops keep their earliest start time and
/// can no longer move, so a rider on board stays on their vehicle through any re-planning. Routes
/// that are infeasible as given are left unchanged.
pub fn freeze_started(
    instance: &Instance,
    plan: &Plan,
    done: &[usize],
    now: Option<f64>,
) -> Result<Plan, ModelError> {
    instance.validate()?;
    let tb = Tables::new(instance);
    let mut sc = Scratch::default();
    let mut out = plan.clone();
    for (v, route) in out.routes.iter_mut().enumerate().take(tb.vehicles()) {
        let m = route.stops.len();
        if sc
            .feasible(&tb, v, &route.stops, &route.fixed, route.release)
            .is_err()
        {
            continue;
        }
        let by_time = now.map_or(0, |now| {
            (1..=m).take_while(|&k| sc.lb[k] <= now + EPS).count()
        });
        let started = by_time.max(done.get(v).copied().unwrap_or(0)).min(m);
        let keep = route.fixed.len().min(m);
        for k in keep..started.max(keep) {
            route.fixed.push(sc.lb[k + 1]);
        }
        if let Some(now) = now {
            route.release = Some(route.release.map_or(now, |r| r.max(now)));
        }
    }
    Ok(out)
}
