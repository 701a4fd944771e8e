//! From trips to the scheduler and back: the dial-a-ride instance of a day, the solve, and the
//! stored plan with promised times. No I/O; the callers load and store.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use chrono::{NaiveDate, Timelike, Utc};
use routing::darp::{
    self, Capacity, CostBasis, Endpoint, Instance, Load, Plan, Request, Route, SolveOptions,
    StopId, Vehicle as DarpVehicle, Window,
};
use routing::network::{
    NetworkWithFallback, ProfileId, ProfileSet, RoadNetwork, StraightLineFallback,
};
use routing::travel::{LonLat, TravelTimeSource};
use std::sync::Arc;

use crate::config::TransportConfig;
use crate::transport::model::{
    DayPlan, PlanStop, Rider, TimingKind, Trip, TripKind, Unserved, Vehicle, VehicleRoute,
};

/// Departure time used for the day's matrix: the morning rush, so plans err on the safe side.
pub(crate) const MATRIX_DEPARTURE_S: u32 = 7 * 3600 + 30 * 60;

/// A day as the scheduler sees it, and what its indices mean.
pub(crate) struct Built {
    pub instance: Instance,
    /// `trip_ids[r]` is request `r`.
    pub trip_ids: Vec<String>,
    /// `vehicle_ids[v]` is vehicle `v`.
    pub vehicle_ids: Vec<String>,
    /// Trips left out before solving (no rider record, no vehicle can carry them), with reasons.
    pub refused: Vec<Unserved>,
}

impl Built {
    pub(crate) fn request_of(&self, trip: &str) -> Option<usize> {
        self.trip_ids.iter().position(|t| t == trip)
    }
}

/// The ride limit of goods and of the escorts (`routing::darp::NO_RIDE_LIMIT`): a constraint
/// that never binds, in the solver's checks and the independent checker alike.
const NO_RIDE_LIMIT: f64 = f64::INFINITY;

/// Seconds at a meal or supply stop: carry the box to the door or the centre's kitchen.
pub(crate) const GOODS_STOP_S: f64 = 120.0;
/// Seconds for the shuttle's escorts to board or leave (they need no help).
pub(crate) const ESCORT_STOP_S: f64 = 60.0;

/// A trip's load, seconds per stop and ride limit (see [`needs`]).
pub(crate) type Needs = (Load, f64, Option<f64>);

/// What a trip needs of the solver: its load, the seconds at each stop and the ride limit
/// (`None` for the direct-time rule of riders). Goods take no seat and have no ride limit; the
/// shuttle's escort leg takes its escorts' seats for the whole run; everything else is a rider.
pub(crate) fn needs(t: &Trip, riders: &HashMap<String, Rider>) -> Result<Needs, &'static str> {
    if t.kind.is_goods() {
        return Ok((Load::default(), GOODS_STOP_S, Some(NO_RIDE_LIMIT)));
    }
    let escorts = t.run.as_ref().map_or(0, |r| r.escorts);
    if t.kind == TripKind::Shuttle && t.rider_id.is_empty() && escorts > 0 {
        return Ok((Load::seated(escorts), ESCORT_STOP_S, Some(NO_RIDE_LIMIT)));
    }
    let rider = riders.get(&t.rider_id).ok_or("rider not registered")?;
    Ok((rider.load(), rider.service_s(), None))
}

/// The same-vehicle group of a trip: a shuttle's trips of one run and direction (the riders'
/// legs and the escorts' leg) share one; every other trip rides on its own. `seen` numbers the
/// groups of one instance.
pub(crate) fn shuttle_group<'a>(t: &'a Trip, seen: &mut Vec<(&'a str, bool)>) -> Option<u32> {
    let run = t.run.as_ref().filter(|_| t.kind == TripKind::Shuttle)?;
    let key = (run.run_id.as_str(), t.is_return);
    let at = seen.iter().position(|k| *k == key).unwrap_or_else(|| {
        seen.push(key);
        seen.len() - 1
    });
    u32::try_from(at).ok()
}

pub(crate) fn seconds_of(t: chrono::NaiveTime) -> f64 {
    f64::from(t.num_seconds_from_midnight())
}

/// Travel times for the scheduler: the van profile on the road network when it has loaded, the
/// measured straight-line fallback otherwise (tests, or the first minute after start-up).
pub(crate) fn travel_source(network: Option<Arc<RoadNetwork>>) -> Box<dyn TravelTimeSource> {
    match network {
        Some(net) => Box::new(NetworkWithFallback::new(net, ProfileId::Van)),
        None => {
            let tod = ProfileSet::builtin().map(|p| p.time_of_day).unwrap_or(
                routing::network::TimeOfDay {
                    factors: vec![1.0; 24],
                },
            );
            Box::new(StraightLineFallback::measured(tod))
        }
    }
}

/// Builds the instance of a day from its live trips. Rows 0..V of the matrix are the depots,
/// then the pick-up and drop-off of each trip.
pub(crate) fn build(
    trips: &[Trip],
    riders: &HashMap<String, Rider>,
    vehicles: &[Vehicle],
    config: &TransportConfig,
    source: &dyn TravelTimeSource,
    name: String,
) -> Built {
    let width = f64::from(config.window_minutes) * 60.0;
    let mut positions: Vec<LonLat> = vehicles.iter().map(|v| v.depot).collect();
    let mut refused = Vec::new();
    let mut kept: Vec<(&Trip, Needs)> = Vec::new();
    for t in trips {
        let need = match needs(t, riders) {
            Ok(n) => n,
            Err(why) => {
                refused.push(Unserved::new(t.id.clone(), "rider_unknown", why));
                continue;
            }
        };
        if !vehicles.iter().any(|v| v.can_carry(need.0)) {
            refused.push(Unserved::new(
                t.id.clone(),
                "no_capable_vehicle",
                "no vehicle can carry this rider",
            ));
            continue;
        }
        positions.push(t.pickup.position);
        positions.push(t.dropoff.position);
        kept.push((t, need));
    }
    let matrix = source.matrix(&positions, MATRIX_DEPARTURE_S);
    let open_start = vehicles
        .iter()
        .map(|v| seconds_of(v.shift_start))
        .fold(f64::INFINITY, f64::min);
    let open_end = vehicles
        .iter()
        .map(|v| seconds_of(v.shift_end))
        .fold(0.0, f64::max);
    let open = Window::new(open_start.min(open_end), open_end);
    let nv = vehicles.len();
    let mut requests = Vec::with_capacity(kept.len());
    // A shuttle's riders and escorts of one direction ride in one vehicle.
    let mut groups: Vec<(&str, bool)> = Vec::new();
    for (i, (t, (load, service, ride))) in kept.iter().enumerate() {
        let (p, d) = (nv + 2 * i, nv + 2 * i + 1);
        let at = seconds_of(t.time);
        let service = *service;
        let run = t.run.as_ref();
        let (pw, dw) = match t.timing {
            TimingKind::PickupAt => (Window::new(at, at + width), open),
            TimingKind::ArriveBy => {
                // A run's stop may say when its window opens and when the goods are ready.
                let from = run
                    .and_then(|r| r.window_from)
                    .map_or(at - width, seconds_of)
                    .min(at);
                let ready = run
                    .and_then(|r| r.ready_at)
                    .map_or(open.earliest, seconds_of)
                    .min(at);
                (Window::new(ready, open.latest), Window::new(from, at))
            }
        };
        let direct = matrix.seconds(p, d);
        requests.push(Request {
            pickup: Endpoint {
                location: p,
                service,
                window: pw,
            },
            dropoff: Endpoint {
                location: d,
                service,
                window: dw,
            },
            load: *load,
            max_ride: ride.unwrap_or(1800f64.max(1.5 * direct + service)),
            group: shuttle_group(t, &mut groups),
        });
    }
    let darp_vehicles = vehicles
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let shift = Window::new(seconds_of(v.shift_start), seconds_of(v.shift_end));
            DarpVehicle {
                capacity: Capacity {
                    seats: v.seats,
                    wheelchair_places: v.usable_wheelchair_places(),
                },
                start: i,
                end: i,
                shift,
                max_duration: shift.latest - shift.earliest,
            }
        })
        .collect();
    Built {
        instance: Instance {
            name,
            requests,
            vehicles: darp_vehicles,
            matrix,
            cost_basis: CostBasis::Distance,
        },
        trip_ids: kept.iter().map(|(t, _)| t.id.clone()).collect(),
        vehicle_ids: vehicles.iter().map(|v| v.id.clone()).collect(),
        refused,
    }
}

/// Solves a built day within `seconds` from `start` (its frozen prefixes stay as they are; the
/// rest of the day's trips are planned around them), places what the search left out where it
/// still fits, checks the result with the independent checker and turns it into a stored plan.
pub(crate) fn solve(
    built: &Built,
    start: Option<&Plan>,
    date: NaiveDate,
    seconds: f64,
    progress: &mut dyn FnMut(&str),
) -> anyhow::Result<DayPlan> {
    let t0 = Instant::now();
    progress(&format!(
        "solving {} trips on {} vehicles ({} s budget)",
        built.trip_ids.len(),
        built.vehicle_ids.len(),
        seconds
    ));
    let mut plan = Plan::empty(&built.instance);
    let mut unserved = built.refused.clone();
    if !built.trip_ids.is_empty() {
        let options = SolveOptions {
            seed: 1,
            time_limit: Some(Duration::from_secs_f64(seconds.max(0.05))),
            max_iterations: None,
            threads: 2,
        };
        let solved = darp::solve(&built.instance, start, &options)?;
        progress(&format!(
            "search done: {} iterations, {} trips left out",
            solved.iterations,
            solved.unassigned.len()
        ));
        plan = solved.plan;
        for &r in &solved.unassigned {
            match darp::insert(&built.instance, &plan, r) {
                Ok(p) => plan = p,
                Err(why) => unserved.push(Unserved::new(
                    built.trip_ids[r].clone(),
                    unservable_code(&why),
                    why.to_string(),
                )),
            }
        }
    }
    let mut out = to_day_plan(built, &plan, date, 1);
    out.unserved = unserved;
    out.solve_ms = t0.elapsed().as_millis() as u64;
    progress(&format!(
        "checked: {} served, {} unserved, {}",
        built.trip_ids.len() + built.refused.len() - out.unserved.len(),
        out.unserved.len(),
        if out.problems.is_empty() {
            "feasible".to_owned()
        } else {
            format!("{} problems", out.problems.len())
        }
    ));
    Ok(out)
}

/// The stored form of a scheduler plan: stops with their earliest feasible times, the checker's
/// findings, kilometres per vehicle.
pub(crate) fn to_day_plan(built: &Built, plan: &Plan, date: NaiveDate, version: i64) -> DayPlan {
    let instance = &built.instance;
    let verdict = darp::verify(instance, plan);
    let mut routes = Vec::new();
    let mut problems = verdict.problems.clone();
    for (v, route) in plan.routes.iter().enumerate() {
        let starts = match darp::earliest_schedule(instance, v, route) {
            Ok(s) => s,
            Err(e) => {
                problems.push(format!("{}: {e:?}", built.vehicle_ids[v]));
                verdict.starts.get(v).cloned().unwrap_or_default()
            }
        };
        let mut metres = 0.0;
        let mut at = instance.vehicles[v].start;
        let mut stops = Vec::new();
        for (i, stop) in route.stops.iter().enumerate() {
            let Some(e) = instance.endpoint(*stop) else {
                continue;
            };
            metres += instance.matrix.metres(at, e.location);
            at = e.location;
            stops.push(PlanStop {
                trip_id: built.trip_ids[stop.request()].clone(),
                pickup: stop.is_pickup(),
                time_s: starts.get(i).copied().unwrap_or(e.window.earliest),
            });
        }
        if !route.stops.is_empty() {
            metres += instance.matrix.metres(at, instance.vehicles[v].end);
        }
        routes.push(VehicleRoute {
            vehicle_id: built.vehicle_ids[v].clone(),
            stops,
            metres,
        });
    }
    DayPlan {
        date,
        version,
        computed_at: Utc::now(),
        routes,
        unserved: Vec::new(),
        pinned: Vec::new(),
        problems,
        solve_ms: 0,
        promised: Default::default(),
    }
}

/// The scheduler's form of a stored plan over `built` (stops of trips `built` does not know are
/// dropped).
pub(crate) fn to_darp(built: &Built, plan: &DayPlan) -> Plan {
    let mut out = Plan::empty(&built.instance);
    for route in &plan.routes {
        let Some(v) = built
            .vehicle_ids
            .iter()
            .position(|id| *id == route.vehicle_id)
        else {
            continue;
        };
        out.routes[v] = Route {
            stops: route
                .stops
                .iter()
                .filter_map(|s| {
                    let r = built.request_of(&s.trip_id)?;
                    Some(if s.pickup {
                        StopId::pickup(r)
                    } else {
                        StopId::dropoff(r)
                    })
                })
                .collect(),
            ..Route::default()
        };
    }
    out
}

/// The code of why the scheduler could not place a trip (what consoles translate).
pub(crate) fn unservable_code(why: &darp::Unservable) -> &'static str {
    use darp::Unservable as U;
    match why {
        U::NoVehicleWithCapacity { .. } => "no_capable_vehicle",
        U::TimeWindow => "time_window",
        U::RideTime => "ride_time",
        U::ShiftEnd => "shift_end",
        U::RouteDuration => "route_duration",
        U::NoRoom => "no_room",
        U::UnknownOrPlanned(_) | U::Model(_) => "not_plannable",
    }
}
