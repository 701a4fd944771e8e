//! Same-day operations: insertion, cancellation, freezing the past, and the reasons given when a
//! request cannot be served. Every plan produced is run through the independent checker.

use routing::darp::{
    freeze_before, freeze_started, insert, remove, solve, started_only, synthetic, verify,
    CancelError, Capacity, Instance, Load, Plan, SolveOptions, StopId, Unservable, Window,
};

fn planned(vehicles: usize, requests: usize, extra: usize) -> (Instance, Plan) {
    let full = synthetic(11, vehicles, requests + extra, 600.0);
    let mut base = full.clone();
    base.requests.truncate(requests);
    let options = SolveOptions {
        max_iterations: Some(100),
        ..SolveOptions::default()
    };
    let plan = solve(&base, None, &options).unwrap().plan;
    assert!(verify(&base, &plan).feasible());
    (full, plan)
}

#[test]
fn an_inserted_request_is_served_and_the_plan_stays_feasible() {
    // Arrange
    let (inst, plan) = planned(6, 40, 10);
    let mut inserted = 0;
    for r in 40..50 {
        // Act
        match insert(&inst, &plan, r) {
            Ok(next) => {
                // Assert
                let verdict = verify(&inst, &next);
                assert!(verdict.feasible(), "{:?}", verdict.problems);
                assert!(next.locate(StopId::pickup(r)).is_some());
                assert!(next.cost(&inst) >= plan.cost(&inst) - 1e-9);
                inserted += 1;
            }
            Err(why) => assert_eq!(why, Unservable::NoRoom),
        }
    }
    assert!(inserted >= 5, "only {inserted} of 10 inserted");
}

#[test]
fn a_cancelled_request_leaves_the_plan_and_the_rest_stays_feasible() {
    let (inst, plan) = planned(4, 20, 0);
    let r = plan
        .routes
        .iter()
        .find_map(|r| r.stops.first())
        .unwrap()
        .request();
    let next = remove(&plan, r).unwrap();
    assert!(next.locate(StopId::pickup(r)).is_none());
    assert!(verify(&inst, &next).feasible());
    assert_eq!(remove(&next, r), Err(CancelError::NotPlanned(r)));
}

#[test]
fn frozen_stops_keep_their_place_and_time_through_insertions_and_re_planning() {
    // Arrange
    let (inst, plan) = planned(6, 40, 10);
    let frozen = freeze_before(&inst, &plan, 300.0).unwrap();
    let prefix = |p: &Plan| -> Vec<Vec<StopId>> {
        p.routes
            .iter()
            .map(|r| r.stops[..r.fixed.len()].to_vec())
            .collect()
    };
    assert!(frozen.routes.iter().any(|r| !r.fixed.is_empty()));
    // Act: insert what fits, then re-optimise from the result.
    let mut current = frozen.clone();
    for r in 40..50 {
        if let Ok(next) = insert(&inst, &current, r) {
            current = next;
        }
    }
    let options = SolveOptions {
        max_iterations: Some(60),
        ..SolveOptions::default()
    };
    let replanned = solve(&inst, Some(&current), &options).unwrap().plan;
    // Assert
    for p in [&current, &replanned] {
        assert_eq!(prefix(p), prefix(&frozen));
        assert!(verify(&inst, p).feasible());
        for (route, frozen_route) in p.routes.iter().zip(&frozen.routes) {
            assert_eq!(route.fixed, frozen_route.fixed);
        }
    }
    // A picked-up rider cannot be cancelled any more.
    let on_board = frozen
        .routes
        .iter()
        .find_map(|r| r.stops[..r.fixed.len()].first())
        .unwrap()
        .request();
    assert_eq!(
        remove(&frozen, on_board),
        Err(CancelError::UnderWay(on_board))
    );
}

#[test]
fn stops_reported_done_stay_frozen_through_a_re_plan_from_scratch_even_before_their_time() {
    // Arrange: the drivers report the first three stops of every route done, long before the
    // plan's times (a day planned ahead, or a driver early); everything else is re-planned.
    let (inst, plan) = planned(6, 40, 0);
    let done: Vec<usize> = plan.routes.iter().map(|r| r.stops.len().min(3)).collect();
    let frozen = freeze_started(&inst, &plan, &done, None).unwrap();
    let start = started_only(&frozen);
    let options = SolveOptions {
        max_iterations: Some(200),
        seed: 7,
        ..SolveOptions::default()
    };
    // Act
    let replanned = solve(&inst, Some(&start), &options).unwrap();
    // Assert: the done stops head their own vehicle's route, at their times; the rest is served.
    for (v, route) in replanned.plan.routes.iter().enumerate() {
        assert_eq!(route.fixed.len(), done[v]);
        assert_eq!(route.stops[..done[v]], plan.routes[v].stops[..done[v]]);
        assert_eq!(route.fixed, frozen.routes[v].fixed);
        assert_eq!(route.release, None);
    }
    assert!(verify(&inst, &replanned.plan).feasible());
    assert!(replanned.unassigned.is_empty());
    // Without reports and without a time, nothing is frozen.
    let none = freeze_started(&inst, &plan, &[], None).unwrap();
    assert!(none.routes.iter().all(|r| r.fixed.is_empty()));
}

#[test]
fn a_wheelchair_rider_without_a_wheelchair_place_is_refused_with_that_reason() {
    let (mut inst, plan) = planned(2, 6, 1);
    for v in &mut inst.vehicles {
        v.capacity = Capacity::seats(4);
    }
    inst.requests[6].load = Load::wheelchair(1);
    assert_eq!(
        insert(&inst, &plan, 6),
        Err(Unservable::NoVehicleWithCapacity { wheelchair: true })
    );
}

#[test]
fn a_ride_limit_below_the_direct_drive_is_refused_as_ride_time() {
    let (mut inst, plan) = planned(2, 6, 1);
    inst.requests[6].max_ride = 0.0;
    inst.requests[6].load = Load::seated(1);
    assert_eq!(insert(&inst, &plan, 6), Err(Unservable::RideTime));
}

#[test]
fn a_request_after_the_shift_is_refused_as_a_time_window_or_shift_problem() {
    let (mut inst, plan) = planned(2, 6, 1);
    inst.requests[6].load = Load::seated(1);
    inst.requests[6].pickup.window = Window::new(700.0, 710.0);
    inst.requests[6].dropoff.window = Window::new(0.0, 1440.0);
    let why = insert(&inst, &plan, 6).unwrap_err();
    assert!(
        matches!(why, Unservable::TimeWindow | Unservable::ShiftEnd),
        "{why:?}"
    );
}

#[test]
fn a_request_that_fits_an_idle_vehicle_but_not_the_busy_fleet_is_refused_for_lack_of_room() {
    // One seat, one vehicle, and an existing trip covering the same time.
    let (mut inst, _) = planned(1, 1, 1);
    inst.vehicles[0].capacity = Capacity::seats(1);
    for r in 0..2 {
        inst.requests[r].load = Load::seated(1);
        inst.requests[r].pickup.location = 1;
        inst.requests[r].dropoff.location = 2;
        inst.requests[r].pickup.window = Window::new(100.0, 100.0);
        inst.requests[r].dropoff.window = Window::new(0.0, 600.0);
    }
    let mut base = inst.clone();
    base.requests.truncate(1);
    let plan = insert(&base, &Plan::empty(&base), 0).unwrap();
    assert_eq!(insert(&inst, &plan, 1), Err(Unservable::NoRoom));
}
