//! Where a trip fits by hand: on each vehicle, the cheapest feasible place for it leaving every
//! other stop where it is (the same insertion the move uses), what it adds to that vehicle's
//! driving, or the code of why it does not fit; and taking trips out of a plan with the
//! kilometres they added (`drop_trips`). No I/O.

use std::collections::HashSet;

use routing::darp::{self, Instance, Plan, Route, StopId, Violation};

use super::engine::{self, Built};
use crate::transport::model::DayPlan;

/// What placing a trip on a vehicle adds to that vehicle's route.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Added {
    pub metres: f64,
    /// Driving time added (the stops' own service time is not counted: it is the same on any
    /// vehicle).
    pub seconds: f64,
    /// The trip's planned pick-up on that vehicle, seconds after midnight.
    pub pickup_s: f64,
}

/// The driving of vehicle `v` over `stops`, depot to depot (nothing when it has no stop).
fn driving(instance: &Instance, v: usize, stops: &[StopId]) -> (f64, f64) {
    if stops.is_empty() {
        return (0.0, 0.0);
    }
    let (mut metres, mut seconds) = (0.0, 0.0);
    let mut at = instance.vehicles[v].start;
    for s in stops {
        let Some(e) = instance.endpoint(*s) else {
            continue;
        };
        metres += instance.matrix.metres(at, e.location);
        seconds += instance.matrix.seconds(at, e.location);
        at = e.location;
    }
    metres += instance.matrix.metres(at, instance.vehicles[v].end);
    seconds += instance.matrix.seconds(at, instance.vehicles[v].end);
    (metres, seconds)
}

/// Takes the stops of trips `gone` out of `plan`, and counts again the kilometres of every route
/// that lost one (a route's `metres` is what the reports add up).
pub(crate) fn drop_trips(built: &Built, plan: &mut DayPlan, gone: &HashSet<String>) {
    let mut changed = Vec::new();
    for route in &mut plan.routes {
        let before = route.stops.len();
        route.stops.retain(|s| !gone.contains(&s.trip_id));
        if route.stops.len() < before {
            changed.push(route.vehicle_id.clone());
        }
    }
    plan.unserved.retain(|u| !gone.contains(&u.trip_id));
    if changed.is_empty() {
        return;
    }
    let stops = engine::to_darp(built, plan);
    for route in plan
        .routes
        .iter_mut()
        .filter(|r| changed.contains(&r.vehicle_id))
    {
        if let Some(v) = built
            .vehicle_ids
            .iter()
            .position(|id| *id == route.vehicle_id)
        {
            route.metres = driving(&built.instance, v, &stops.routes[v].stops).0;
        }
    }
}

/// The code of a constraint a route breaks (what consoles translate).
pub(crate) fn violation_code(v: Violation) -> &'static str {
    match v {
        Violation::Capacity => "capacity",
        Violation::TimeWindow => "time_window",
        Violation::RideTime => "ride_time",
        Violation::ShiftEnd => "shift_end",
        Violation::RouteDuration => "route_duration",
        Violation::Malformed => "not_plannable",
    }
}

/// Puts request `r` on vehicle `v` at its cheapest feasible place after the route's frozen
/// prefix (taking it off wherever it is now), every other stop unmoved. Refused with a code: `capacity` (the vehicle cannot carry the
/// rider), `time_window`, `ride_time`, `shift_end`, `route_duration` (the vehicle could not
/// serve it even idle), `no_room` (it could idle, but its other stops leave no place), `group`
/// (a shuttle's rider or escorts whose group rides in another vehicle).
pub(crate) fn fit_on(
    built: &Built,
    plan: &Plan,
    r: usize,
    v: usize,
) -> Result<(Plan, Added), &'static str> {
    let instance = &built.instance;
    if !instance.vehicles[v]
        .capacity
        .fits(instance.requests[r].load)
    {
        return Err("capacity");
    }
    // A shuttle's group rides together: only the vehicle its placed mates are on.
    if let Some(group) = instance.requests[r].group {
        let elsewhere = plan.routes.iter().enumerate().any(|(u, route)| {
            u != v
                && route.stops.iter().any(|s| {
                    s.request() != r && instance.requests[s.request()].group == Some(group)
                })
        });
        if elsewhere {
            return Err("group");
        }
    }
    let mut base = plan.clone();
    for route in &mut base.routes {
        route.stops.retain(|s| s.request() != r);
    }
    let (stops, fixed, release) = {
        let route = &base.routes[v];
        (&route.stops, &route.fixed, route.release)
    };
    let before = driving(instance, v, stops);
    let mut best: Option<(f64, Plan, Added)> = None;
    // Nothing goes before what has started (the frozen prefix keeps its times).
    for i in fixed.len().min(stops.len())..=stops.len() {
        for j in i..=stops.len() {
            let mut candidate = stops.clone();
            candidate.insert(j, StopId::dropoff(r));
            candidate.insert(i, StopId::pickup(r));
            let route = Route {
                stops: candidate,
                fixed: fixed.clone(),
                release,
            };
            let Ok(starts) = darp::earliest_schedule(instance, v, &route) else {
                continue;
            };
            let after = driving(instance, v, &route.stops);
            let added = Added {
                metres: after.0 - before.0,
                seconds: after.1 - before.1,
                pickup_s: starts[i],
            };
            let mut p = base.clone();
            p.routes[v] = route;
            let cost = p.cost(instance);
            if best.as_ref().is_none_or(|(c, _, _)| cost < *c) {
                best = Some((cost, p, added));
            }
        }
    }
    if let Some((_, p, added)) = best {
        return Ok((p, added));
    }
    let alone = Route {
        stops: vec![StopId::pickup(r), StopId::dropoff(r)],
        ..Route::default()
    };
    Err(match darp::earliest_schedule(instance, v, &alone) {
        Ok(_) => "no_room",
        Err(why) => violation_code(why),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use routing::darp::{
        Capacity, CostBasis, Endpoint, Load, Request, Vehicle as DarpVehicle, Window,
    };
    use routing::travel::TravelMatrix;

    /// Two vehicles at depot 0 and 1, one trip from 2 to 3; vehicle 1 seats nobody.
    fn built(width: f64) -> Built {
        let n = 4;
        let mut seconds = vec![0.0; n * n];
        let mut metres = vec![0.0; n * n];
        for a in 0..n {
            for b in 0..n {
                let d = (a as f64 - b as f64).abs() * 600.0;
                seconds[a * n + b] = d;
                metres[a * n + b] = d * 10.0;
            }
        }
        let request = Request {
            pickup: Endpoint {
                location: 2,
                service: 60.0,
                window: Window::new(8.0 * 3600.0, 8.0 * 3600.0 + width),
            },
            dropoff: Endpoint {
                location: 3,
                service: 60.0,
                window: Window::new(0.0, 86_400.0),
            },
            load: Load::seated(1),
            max_ride: 3600.0,
            group: None,
        };
        let vehicle = |start, seats| DarpVehicle {
            capacity: Capacity {
                seats,
                wheelchair_places: 0,
            },
            start,
            end: start,
            shift: Window::new(6.0 * 3600.0, 18.0 * 3600.0),
            max_duration: 12.0 * 3600.0,
        };
        Built {
            instance: Instance {
                name: "t".into(),
                requests: vec![request],
                vehicles: vec![vehicle(0, 4), vehicle(1, 0)],
                matrix: TravelMatrix { n, seconds, metres },
                cost_basis: CostBasis::Distance,
            },
            trip_ids: vec!["T-1".into()],
            vehicle_ids: vec!["VAN-01".into(), "VAN-02".into()],
            refused: vec![],
        }
    }

    #[test]
    fn a_trip_fits_an_idle_vehicle_adding_its_whole_round_and_not_one_without_seats() {
        let b = built(1200.0);
        let plan = Plan::empty(&b.instance);
        let (p, added) = fit_on(&b, &plan, 0, 0).unwrap();
        assert_eq!(p.routes[0].stops.len(), 2);
        // 0 -> 2 -> 3 -> 0: 2 + 1 + 3 legs of 600 s.
        assert!((added.seconds - 3600.0).abs() < 1e-6, "{added:?}");
        assert!((added.metres - 36_000.0).abs() < 1e-6);
        assert!(added.pickup_s >= 8.0 * 3600.0);
        assert_eq!(fit_on(&b, &plan, 0, 1).unwrap_err(), "capacity");
    }

    #[test]
    fn nothing_is_placed_before_what_has_started() {
        // Arrange: a second trip, at 9:00, done on VAN-01 (its frozen prefix); the 8:00 trip
        // would be cheapest before it.
        let mut b = built(4.0 * 3600.0);
        let mut later = b.instance.requests[0];
        later.pickup.window = Window::new(9.0 * 3600.0, 9.0 * 3600.0 + 1200.0);
        b.instance.requests.push(later);
        b.trip_ids.push("T-2".into());
        let mut plan = Plan::empty(&b.instance);
        plan.routes[0].stops = vec![StopId::pickup(1), StopId::dropoff(1)];
        let frozen = routing::darp::freeze_started(&b.instance, &plan, &[2], None).unwrap();
        assert_eq!(frozen.routes[0].fixed.len(), 2);
        // Act
        let (p, _) = fit_on(&b, &frozen, 0, 0).unwrap();
        // Assert: after the done stops, which keep their times.
        assert_eq!(p.routes[0].stops[..2], plan.routes[0].stops[..]);
        assert_eq!(p.routes[0].fixed, frozen.routes[0].fixed);
        // Without the freeze it would have gone first; with a window that closes before the
        // done stops end, it no longer fits at all.
        assert_eq!(
            fit_on(&b, &plan, 0, 0).unwrap().0.routes[0].stops[0],
            StopId::pickup(0)
        );
        b.instance.requests[0].pickup.window = Window::new(8.0 * 3600.0, 8.0 * 3600.0 + 600.0);
        assert_eq!(fit_on(&b, &frozen, 0, 0).unwrap_err(), "no_room");
    }

    #[test]
    fn a_trip_taken_out_of_a_plan_takes_its_kilometres_with_it() {
        // Arrange: VAN-01 carries T-1 (2 to 1) and then T-2 (1 to 3).
        let mut b = built(4.0 * 3600.0);
        b.instance.requests[0].dropoff.location = 1;
        let mut back = b.instance.requests[0];
        (back.pickup.location, back.dropoff.location) = (1, 3);
        back.pickup.window = Window::new(10.0 * 3600.0, 11.0 * 3600.0);
        b.instance.requests.push(back);
        b.trip_ids.push("T-2".into());
        let mut plan = Plan::empty(&b.instance);
        plan.routes[0].stops = vec![
            StopId::pickup(0),
            StopId::dropoff(0),
            StopId::pickup(1),
            StopId::dropoff(1),
        ];
        let date = chrono::NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
        let mut day = engine::to_day_plan(&b, &plan, date, 1);
        // 0 -> 2 -> 1 -> 3 -> 0: 2 + 1 + 2 + 3 legs of 6 km.
        assert!((day.routes[0].metres - 48_000.0).abs() < 1e-6);
        // Act
        drop_trips(&b, &mut day, &HashSet::from(["T-2".to_owned()]));
        // Assert: 0 -> 2 -> 1 -> 0 is 2 + 1 + 1 legs.
        let trips: Vec<&str> = day.routes[0]
            .stops
            .iter()
            .map(|s| s.trip_id.as_str())
            .collect();
        assert_eq!(trips, ["T-1", "T-1"]);
        assert!(
            (day.routes[0].metres - 24_000.0).abs() < 1e-6,
            "{}",
            day.routes[0].metres
        );
    }
}
