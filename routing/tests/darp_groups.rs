//! Groups that ride together (a day-centre shuttle's riders and escorts): every served member of
//! a group is in one vehicle, in the solver, the same-day insertion and the independent checker.

use routing::darp::{
    insert, solve, synthetic, verify, Capacity, CostBasis, Endpoint, EuclideanPlane, Instance,
    Load, Plan, Request, Route, SolveOptions, StopId, Vehicle, Window,
};
use routing::travel::{LonLat, TravelTimeSource};

/// Two one-route vans, A at (0, 0) and B at (100, 0). Request 0 goes from (0, 1) to (0, 2),
/// request 1 from (100, 1) to (100, 2): each is next to its own van's depot. `window` bounds
/// both pick-ups (a tight one leaves no time to drive from one to the other).
fn two_ends(window: Window, group: Option<u32>) -> Instance {
    let places = [
        (0.0, 0.0),
        (100.0, 0.0),
        (0.0, 1.0),
        (0.0, 2.0),
        (100.0, 1.0),
        (100.0, 2.0),
    ];
    let places: Vec<LonLat> = places.iter().map(|&(x, y)| LonLat::new(x, y)).collect();
    let open = Window::new(0.0, 1000.0);
    let end = |location, window| Endpoint {
        location,
        service: 1.0,
        window,
    };
    let request = |p, d| Request {
        pickup: end(p, window),
        dropoff: end(d, open),
        load: Load::seated(1),
        max_ride: 500.0,
        group,
    };
    let van = |at| Vehicle {
        capacity: Capacity::seats(4),
        start: at,
        end: at,
        shift: open,
        max_duration: 1000.0,
    };
    Instance {
        name: "groups".into(),
        requests: vec![request(2, 3), request(4, 5)],
        vehicles: vec![van(0), van(1)],
        matrix: EuclideanPlane.matrix(&places, 0),
        cost_basis: CostBasis::Time,
    }
}

fn route(requests: &[usize]) -> Route {
    Route::one_at_a_time(requests)
}

fn options() -> SolveOptions {
    SolveOptions {
        max_iterations: Some(200),
        ..SolveOptions::default()
    }
}

#[test]
fn the_checker_refuses_a_group_split_over_two_vehicles_and_accepts_it_in_one() {
    // Arrange
    let inst = two_ends(Window::new(0.0, 1000.0), Some(7));
    let split = Plan {
        routes: vec![route(&[0]), route(&[1])],
    };
    let together = Plan {
        routes: vec![route(&[0, 1]), Route::default()],
    };
    // Act
    let (bad, good) = (verify(&inst, &split), verify(&inst, &together));
    // Assert
    assert!(!bad.feasible());
    assert!(
        bad.problems.iter().any(|p| p.contains("group 7")),
        "{:?}",
        bad.problems
    );
    assert!(good.complete(), "{:?}", good.problems);
}

#[test]
fn the_solver_puts_a_group_in_one_vehicle_even_where_two_would_drive_less() {
    // Arrange: alone, each request would take the van next to it.
    let open = Window::new(0.0, 1000.0);
    let alone = solve(&two_ends(open, None), None, &options()).unwrap();
    assert!(alone.plan.routes.iter().all(|r| r.stops.len() == 2));
    let inst = two_ends(open, Some(1));
    // Act
    let solved = solve(&inst, None, &options()).unwrap();
    // Assert
    let verdict = verify(&inst, &solved.plan);
    assert!(verdict.complete(), "{:?}", verdict.problems);
    let used: Vec<usize> = solved.plan.routes.iter().map(|r| r.stops.len()).collect();
    assert!(used == [4, 0] || used == [0, 4], "{used:?}");
    assert!(solved.cost > alone.cost);
}

#[test]
fn a_group_that_no_one_vehicle_can_serve_leaves_a_member_unserved_rather_than_split() {
    // Arrange: both pick-ups by time 10, 100 apart: no van can reach both.
    let inst = two_ends(Window::new(0.0, 10.0), Some(1));
    // Act
    let solved = solve(&inst, None, &options()).unwrap();
    // Assert
    let verdict = verify(&inst, &solved.plan);
    assert!(verdict.feasible(), "{:?}", verdict.problems);
    assert_eq!(solved.unassigned.len(), 1);
}

#[test]
fn a_same_day_insertion_joins_the_vehicle_of_its_group_not_the_nearest() {
    // Arrange: request 0 already rides in van A.
    let open = Window::new(0.0, 1000.0);
    let plan = Plan {
        routes: vec![route(&[0]), Route::default()],
    };
    // Act
    let free = insert(&two_ends(open, None), &plan, 1).unwrap();
    let grouped_inst = two_ends(open, Some(3));
    let grouped = insert(&grouped_inst, &plan, 1).unwrap();
    // Assert
    assert_eq!(free.locate(StopId::pickup(1)).map(|l| l.0), Some(1));
    assert_eq!(grouped.locate(StopId::pickup(1)).map(|l| l.0), Some(0));
    assert!(verify(&grouped_inst, &grouped).complete());
}

#[test]
fn a_start_plan_that_splits_a_group_is_mended_by_the_solver() {
    // Arrange
    let inst = two_ends(Window::new(0.0, 1000.0), Some(2));
    let split = Plan {
        routes: vec![route(&[0]), route(&[1])],
    };
    // Act
    let solved = solve(&inst, Some(&split), &options()).unwrap();
    // Assert
    assert!(verify(&inst, &solved.plan).complete());
}

#[test]
fn groups_in_a_synthetic_day_stay_whole_and_every_plan_checks() {
    for seed in 0..4 {
        // Arrange: groups of three among 40 requests on 4 vehicles.
        let mut inst = synthetic(seed, 4, 40, 600.0);
        for (r, req) in inst.requests.iter_mut().enumerate().take(12) {
            req.group = Some((r / 3) as u32);
        }
        // Act
        let solved = solve(&inst, None, &options()).unwrap();
        // Assert
        let verdict = verify(&inst, &solved.plan);
        assert!(verdict.feasible(), "seed {seed}: {:?}", verdict.problems);
        for g in 0..4 {
            let vans: Vec<usize> = (3 * g..3 * g + 3)
                .filter_map(|r| solved.plan.locate(StopId::pickup(r)).map(|l| l.0))
                .collect();
            assert!(
                vans.windows(2).all(|w| w[0] == w[1]),
                "seed {seed}: {vans:?}"
            );
        }
        assert!(
            solved.unassigned.len() <= 2,
            "seed {seed}: {:?}",
            solved.unassigned
        );
    }
}
