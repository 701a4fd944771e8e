//! The solver's fast route check against two independent references: a brute-force search over
//! integer start times on tiny routes, and the Bellman–Ford checker on larger ones.

use proptest::prelude::*;
use routing::darp::{
    earliest_schedule, verify, Capacity, CostBasis, Endpoint, Instance, Load, Plan, Request, Route,
    StopId, Vehicle, Violation, Window,
};
use routing::travel::TravelMatrix;

/// Raw numbers for one request: (pick-up e, width, service), (drop-off e, width, service), max ride.
type RawRequest = ((u32, u32, u32), (u32, u32, u32), u32);

#[derive(Clone, Debug)]
struct Case {
    horizon: u32,
    max_duration: u32,
    capacity: u32,
    times: Vec<u32>,
    requests: Vec<RawRequest>,
    order_keys: Vec<u32>,
}

fn case(max_requests: usize, width: u32, horizon: u32, travel: u32) -> impl Strategy<Value = Case> {
    (1..=max_requests).prop_flat_map(move |k| {
        let places = 2 * k + 1;
        let window = move || (0..horizon / 3, 0..=width, 0..=2u32);
        (
            (horizon / 2)..=horizon,
            (horizon / 2)..=horizon,
            1..=4u32,
            proptest::collection::vec(0..=travel, places * places),
            proptest::collection::vec((window(), window(), 0..=horizon), k),
            proptest::collection::vec(0..1000u32, 2 * k),
        )
            .prop_map(
                move |(h, max_duration, capacity, times, requests, order_keys)| Case {
                    horizon: h.max(1),
                    max_duration,
                    capacity,
                    times,
                    requests,
                    order_keys,
                },
            )
    })
}

/// Builds the instance (place 0 is the depot, request r uses places 2r+1 and 2r+2) and a route
/// visiting every stop, in an order drawn from the keys with each pick-up before its drop-off.
fn build(c: &Case) -> (Instance, Route) {
    let k = c.requests.len();
    let n = 2 * k + 1;
    let mut matrix = TravelMatrix::unreachable(n);
    for a in 0..n {
        for b in 0..n {
            let t = if a == b {
                0.0
            } else {
                f64::from(c.times[a * n + b])
            };
            matrix.seconds[a * n + b] = t;
            matrix.metres[a * n + b] = t;
        }
    }
    let end = |e: (u32, u32, u32), location| Endpoint {
        location,
        service: f64::from(e.2),
        window: Window::new(f64::from(e.0), f64::from(e.0 + e.1)),
    };
    let requests = c
        .requests
        .iter()
        .enumerate()
        .map(|(r, (p, d, ride))| Request {
            pickup: end(*p, 2 * r + 1),
            dropoff: end(*d, 2 * r + 2),
            load: Load::seated(1),
            max_ride: f64::from(*ride),
            group: None,
        })
        .collect();
    let vehicle = Vehicle {
        capacity: Capacity::seats(c.capacity),
        start: 0,
        end: 0,
        shift: Window::new(0.0, f64::from(c.horizon)),
        max_duration: f64::from(c.max_duration),
    };
    let mut stops: Vec<StopId> = (0..2 * k).map(StopId).collect();
    stops.sort_by_key(|s| (c.order_keys[s.0], s.0));
    for r in 0..k {
        let p = stops.iter().position(|s| *s == StopId::pickup(r)).unwrap();
        let d = stops.iter().position(|s| *s == StopId::dropoff(r)).unwrap();
        if d < p {
            stops.swap(p, d);
        }
    }
    let inst = Instance {
        name: "prop".into(),
        requests,
        vehicles: vec![vehicle],
        matrix,
        cost_basis: CostBasis::Time,
    };
    (
        inst,
        Route {
            stops,
            ..Route::default()
        },
    )
}

/// Depth-first search over integer start times. With integer data the least solution of the
/// constraints is integral, so this is exact.
fn brute_force(inst: &Instance, route: &Route) -> bool {
    let veh = &inst.vehicles[0];
    let mut places = vec![(veh.start, 0.0, veh.shift)];
    for s in &route.stops {
        let e = inst.endpoint(*s).unwrap();
        places.push((e.location, e.service, e.window));
    }
    places.push((veh.end, 0.0, veh.shift));
    let mut load = 0u32;
    for s in &route.stops {
        if s.is_pickup() {
            load += 1;
        } else {
            load -= 1;
        }
        if load > veh.capacity.seats {
            return false;
        }
    }
    let mut times = vec![0.0; places.len()];
    fn go(
        k: usize,
        times: &mut Vec<f64>,
        places: &[(usize, f64, Window)],
        inst: &Instance,
        route: &Route,
    ) -> bool {
        let (loc, _, w) = places[k];
        let from = if k == 0 {
            w.earliest
        } else {
            let (prev, svc, _) = places[k - 1];
            w.earliest.max(times[k - 1] + svc + inst.time(prev, loc))
        };
        let mut t = from.ceil();
        while t <= w.latest {
            times[k] = t;
            let ok = if k == 0 || k == places.len() - 1 {
                k == 0 || t - times[0] <= inst.vehicles[0].max_duration
            } else {
                let s = route.stops[k - 1];
                if s.is_pickup() {
                    true
                } else {
                    let p = route.stops.iter().position(|x| *x == s.partner()).unwrap() + 1;
                    t - (times[p] + places[p].1) <= inst.requests[s.request()].max_ride
                }
            };
            if ok && (k == places.len() - 1 || go(k + 1, times, places, inst, route)) {
                return true;
            }
            t += 1.0;
        }
        false
    }
    go(0, &mut times, &places, inst, route)
}

/// Every constraint of the model holds for `starts` (depots need some start and end time: the
/// tightest ones are derived here).
fn schedule_is_valid(inst: &Instance, route: &Route, starts: &[f64]) -> bool {
    let veh = &inst.vehicles[0];
    let tol = 1e-6;
    let first = inst.endpoint(route.stops[0]).unwrap().location;
    let leave = starts[0] - inst.time(veh.start, first);
    let last_stop = *route.stops.last().unwrap();
    let last = inst.endpoint(last_stop).unwrap();
    let back = starts[starts.len() - 1] + last.service + inst.time(last.location, veh.end);
    let mut ok = leave >= veh.shift.earliest - tol
        && back <= veh.shift.latest + tol
        && back - leave <= veh.max_duration + tol;
    for (i, s) in route.stops.iter().enumerate() {
        let e = inst.endpoint(*s).unwrap();
        ok &= starts[i] >= e.window.earliest - tol && starts[i] <= e.window.latest + tol;
        if i > 0 {
            let p = inst.endpoint(route.stops[i - 1]).unwrap();
            ok &= starts[i] >= starts[i - 1] + p.service + inst.time(p.location, e.location) - tol;
        }
        if !s.is_pickup() {
            let j = route.stops.iter().position(|x| *x == s.partner()).unwrap();
            ok &= starts[i] - starts[j] - inst.endpoint(s.partner()).unwrap().service
                <= inst.requests[s.request()].max_ride + tol;
        }
    }
    ok
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn fast_check_agrees_with_brute_force_on_tiny_routes(c in case(3, 12, 30, 4)) {
        let (inst, route) = build(&c);
        let fast = earliest_schedule(&inst, 0, &route);
        prop_assert_eq!(fast.is_ok(), brute_force(&inst, &route), "{:?}", fast);
    }

    #[test]
    fn fast_check_agrees_with_the_bellman_ford_checker(c in case(6, 150, 200, 15)) {
        let (inst, route) = build(&c);
        let fast = earliest_schedule(&inst, 0, &route);
        let plan = Plan { routes: vec![route.clone()] };
        let verdict = verify(&inst, &plan);
        prop_assert_eq!(fast.is_ok(), verdict.complete(), "{:?} {:?}", fast, verdict.problems);
        if let Ok(starts) = fast {
            prop_assert!(schedule_is_valid(&inst, &route, &starts));
        }
    }
}

#[test]
fn serving_every_stop_as_early_as_possible_is_not_required() {
    // Depot at 0; the pick-up is open early but the drop-off window is late: leaving at once
    // would exceed the ride time, waiting before the pick-up fixes it.
    let c = Case {
        horizon: 100,
        max_duration: 100,
        capacity: 1,
        times: vec![0, 5, 5, 5, 0, 5, 5, 5, 0],
        requests: vec![((0, 90, 1), (50, 5, 1), 10)],
        order_keys: vec![0, 1],
    };
    let (inst, route) = build(&c);
    let starts = earliest_schedule(&inst, 0, &route).unwrap();
    assert!(starts[0] >= 34.0 - 1e-9, "{starts:?}");
    assert!(brute_force(&inst, &route));
}

#[test]
fn a_ride_limit_shorter_than_the_drive_is_reported_as_ride_time() {
    let c = Case {
        horizon: 100,
        max_duration: 100,
        capacity: 1,
        times: vec![0, 5, 5, 5, 0, 20, 5, 20, 0],
        requests: vec![((0, 90, 1), (0, 90, 1), 10)],
        order_keys: vec![0, 1],
    };
    let (inst, route) = build(&c);
    assert_eq!(
        earliest_schedule(&inst, 0, &route),
        Err(Violation::RideTime)
    );
}

/// Found by the property test in CI: the fast check refused a route the Bellman–Ford checker
/// accepts. The matrix breaks the triangle inequality (12 minutes direct, 0 through another
/// stop), and the windows had been narrowed with the direct time.
#[test]
fn regression_fast_check_accepts_a_route_the_checker_accepts() {
    let mut times = vec![0; 25];
    times[3 * 5 + 4] = 12;
    times[4 * 5 + 2] = 1;
    let c = Case {
        horizon: 100,
        max_duration: 100,
        capacity: 2,
        times,
        requests: vec![((0, 30, 0), (0, 33, 0), 3), ((19, 0, 0), (0, 31, 2), 12)],
        order_keys: vec![135, 369, 135, 0],
    };
    let (inst, route) = build(&c);
    let fast = earliest_schedule(&inst, 0, &route);
    let verdict = verify(
        &inst,
        &Plan {
            routes: vec![route.clone()],
        },
    );
    assert!(verdict.complete(), "{:?}", verdict.problems);
    assert!(fast.is_ok(), "{fast:?}");
}
