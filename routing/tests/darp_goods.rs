//! Goods requests (a canteen meal, a supply box): no seat taken and no ride-time limit. The
//! solver's insertion, its route schedule and the independent checker must agree on both.

use routing::darp::{
    earliest_schedule, insert, verify, Capacity, CostBasis, Endpoint, EuclideanPlane, Instance,
    Load, Plan, Request, Route, StopId, Vehicle, Window, NO_RIDE_LIMIT,
};
use routing::travel::{LonLat, TravelTimeSource};

/// One one-seat van at the origin; request 0 a seated rider from (10, 0) to (20, 0) picked up
/// from 100; request 1 from the canteen (1, 0) to a home (30, 0), delivered between 200 and 260:
/// `meal` decides whether it is goods or a second rider with a 30-unit ride limit.
fn day(meal: bool) -> Instance {
    let places = [
        (0.0, 0.0),
        (10.0, 0.0),
        (20.0, 0.0),
        (1.0, 0.0),
        (30.0, 0.0),
    ];
    let places: Vec<LonLat> = places.iter().map(|&(x, y)| LonLat::new(x, y)).collect();
    let open = Window::new(0.0, 1000.0);
    let end = |location, window| Endpoint {
        location,
        service: 2.0,
        window,
    };
    let rider = Request {
        pickup: end(1, Window::new(100.0, 110.0)),
        dropoff: end(2, open),
        load: Load::seated(1),
        max_ride: 30.0,
        group: None,
    };
    let second = Request {
        pickup: end(3, open),
        dropoff: end(4, Window::new(200.0, 260.0)),
        load: if meal {
            Load::default()
        } else {
            Load::seated(1)
        },
        max_ride: if meal { NO_RIDE_LIMIT } else { 30.0 },
        group: None,
    };
    Instance {
        name: "goods".into(),
        requests: vec![rider, second],
        vehicles: vec![Vehicle {
            capacity: Capacity::seats(1),
            start: 0,
            end: 0,
            shift: open,
            max_duration: 1000.0,
        }],
        matrix: EuclideanPlane.matrix(&places, 0),
        cost_basis: CostBasis::Time,
    }
}

/// Canteen first, then the rider's whole trip, then the home: the meal is on board for about
/// 200 units while the only seat is taken.
fn meal_rides_along() -> Plan {
    Plan {
        routes: vec![Route {
            stops: vec![
                StopId::pickup(1),
                StopId::pickup(0),
                StopId::dropoff(0),
                StopId::dropoff(1),
            ],
            ..Route::default()
        }],
    }
}

#[test]
fn a_meal_takes_no_seat_and_has_no_ride_limit_and_the_checker_agrees_with_the_solver() {
    // Arrange
    let inst = day(true);
    assert!(inst.validate().is_ok());
    assert!(inst.requests[1].is_goods());
    let plan = meal_rides_along();
    // Act
    let verdict = verify(&inst, &plan);
    let schedule = earliest_schedule(&inst, 0, &plan.routes[0]);
    // Assert: on board from about 3 to 200, beside the rider, and both checks accept it.
    assert!(verdict.complete(), "{:?}", verdict.problems);
    let starts = schedule.expect("the solver's schedule accepts the route");
    assert!(starts[3] - starts[0] > 150.0, "{starts:?}");
}

#[test]
fn the_same_stops_as_a_rider_are_refused_by_both_checks() {
    // Arrange: the second request is a person now (a seat, a 30-unit ride limit).
    let inst = day(false);
    let plan = meal_rides_along();
    // Act
    let verdict = verify(&inst, &plan);
    // Assert
    assert!(!verdict.feasible());
    assert!(earliest_schedule(&inst, 0, &plan.routes[0]).is_err());
}

#[test]
fn inserting_a_meal_into_a_full_van_yields_a_plan_the_checker_accepts() {
    // Arrange: the rider alone on the van.
    let inst = day(true);
    let plan = Plan {
        routes: vec![Route {
            stops: vec![StopId::pickup(0), StopId::dropoff(0)],
            ..Route::default()
        }],
    };
    // Act
    let next = insert(&inst, &plan, 1).expect("the meal fits: it takes no seat");
    // Assert
    let verdict = verify(&inst, &next);
    assert!(verdict.complete(), "{:?}", verdict.problems);
    // A person with the same stops still fits only after the rider, never riding along.
    let person = day(false);
    let placed = insert(&person, &plan, 1).expect("after the rider's trip");
    assert!(verify(&person, &placed).complete());
    let stops = &placed.routes[0].stops;
    let p = stops.iter().position(|s| *s == StopId::pickup(1)).unwrap();
    let d0 = stops.iter().position(|s| *s == StopId::dropoff(0)).unwrap();
    assert!(p > d0, "{stops:?}");
}
