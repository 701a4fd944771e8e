//! The transport planner's page over HTTP: where a trip fits (every vehicle with its added cost
//! or the code of why not), placing an unserved trip by hand, a refused move's reason code,
//! cancelling with a reason, and a booking or change overlapping the rider's own trip (409).

use dispecer::access::Role;
use serde_json::{json, Value};

use crate::helpers::{spawn_app, TestApp};
use crate::transport::{book_and_plan, post, rider, seed_fleet, tomorrow};

async fn patch(app: &TestApp, path: &str, body: Value) -> reqwest::Response {
    app.client
        .patch(format!("{}{path}", app.address))
        .bearer_auth(app.token(Role::Dispatcher))
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn get(app: &TestApp, path: &str) -> Value {
    let r = app.get_as(Role::Dispatcher, path).await;
    assert_eq!(r.status(), 200, "{path}");
    r.json().await.unwrap()
}

async fn book(app: &TestApp, rider: &str, timing: &str, time: &str) -> reqwest::Response {
    post(
        app,
        "/api/v1/transport/bookings",
        json!({
            "rider": rider, "date": tomorrow(), "pickup": {"place": "home"},
            "dropoff": {"place": "dialysis"}, "timing": timing, "time": time,
        }),
    )
    .await
}

#[tokio::test]
async fn fits_lists_every_vehicle_with_the_added_cost_or_the_code_of_why_not() {
    // Arrange: four riders planned (R-000 uses a wheelchair).
    let app = spawn_app().await;
    book_and_plan(&app, 4).await;
    let date = tomorrow();
    let list = get(&app, &format!("/api/v1/transport/bookings?date={date}")).await;
    let wc = list["trips"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["rider_id"] == "R-000")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // Act
    let fits = get(
        &app,
        &format!("/api/v1/transport/plans/{date}/trips/{wc}/fits"),
    )
    .await;

    // Assert: the eight vans, those that fit first with their cost, the seated-only minibuses
    // (VAN-06..08) refused for capacity.
    let vehicles = fits["vehicles"].as_array().unwrap();
    assert_eq!(vehicles.len(), 8, "{fits}");
    let fitting: Vec<&Value> = vehicles.iter().filter(|v| v["fits"] == true).collect();
    assert!(!fitting.is_empty(), "{fits}");
    for v in &fitting {
        assert!(v["added_km"].as_f64().unwrap() >= 0.0, "{v}");
        assert!(v["added_minutes"].is_number(), "{v}");
        assert!(v["pickup"].as_str().unwrap().contains(':'), "{v}");
        assert!(v["reason"].is_null());
    }
    let first_refused = vehicles.iter().position(|v| v["fits"] == false).unwrap();
    assert!(vehicles[first_refused..].iter().all(|v| v["fits"] == false));
    let van7 = vehicles
        .iter()
        .find(|v| v["vehicle_id"] == "VAN-07")
        .unwrap();
    assert_eq!(van7["reason"], "capacity", "{van7}");
    assert!(van7["added_km"].is_null());
    assert_eq!(
        vehicles.iter().filter(|v| v["current"] == true).count(),
        1,
        "the trip's own vehicle is marked"
    );
    // The refused move says the same code.
    let r = post(
        &app,
        &format!("/api/v1/transport/plans/{date}/move"),
        json!({"trip_id": wc, "vehicle_id": "VAN-07"}),
    )
    .await;
    assert_eq!(r.status(), 409);
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["error"]["reason"], "capacity", "{e}");
    // An unknown trip is a 404; a bad date names it.
    let r = app
        .get_as(
            Role::Dispatcher,
            &format!("/api/v1/transport/plans/{date}/trips/T-nope/fits"),
        )
        .await;
    assert_eq!(r.status(), 404);
    let r = app
        .get_as(
            Role::Dispatcher,
            "/api/v1/transport/plans/2026-13-40/trips/T-x/fits",
        )
        .await;
    assert_eq!(r.status(), 422);
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["error"]["field"], "date");
    // Drivers may not ask.
    let r = app
        .get_as(
            Role::Driver,
            &format!("/api/v1/transport/plans/{date}/trips/{wc}/fits"),
        )
        .await;
    assert_eq!(r.status(), 403);
}

#[tokio::test]
async fn an_unserved_trip_is_placed_by_hand_where_it_fits_and_pinned() {
    // Arrange: a planned day, then an evening trip no shift covers (unserved).
    let app = spawn_app().await;
    book_and_plan(&app, 2).await;
    let date = tomorrow();
    assert_eq!(
        post(
            &app,
            "/api/v1/transport/riders",
            rider("R-900", "seated", 9.0)
        )
        .await
        .status(),
        201
    );
    let r = book(&app, "R-900", "pickup_at", "20:00:00").await;
    assert_eq!(r.status(), 201, "{:?}", r.text().await);
    let booked: Value = r.json().await.unwrap();
    let trip = booked["trips"][0]["id"].as_str().unwrap().to_owned();
    let plan = get(&app, &format!("/api/v1/transport/plans/{date}")).await;
    let unserved = plan["unserved"].as_array().unwrap();
    assert_eq!(unserved.len(), 1, "{plan}");
    assert_eq!(unserved[0]["trip_id"], trip.as_str());
    let code = unserved[0]["code"].as_str().unwrap();
    assert!(
        ["shift_end", "time_window", "route_duration"].contains(&code),
        "{code}"
    );
    // It fits nowhere yet, and a move says why with a code.
    let fits_path = format!("/api/v1/transport/plans/{date}/trips/{trip}/fits");
    let fits = get(&app, &fits_path).await;
    assert!(fits["vehicles"]
        .as_array()
        .unwrap()
        .iter()
        .all(|v| v["fits"] == false && v["reason"].is_string()));
    let r = post(
        &app,
        &format!("/api/v1/transport/plans/{date}/move"),
        json!({"trip_id": trip, "vehicle_id": "VAN-08"}),
    )
    .await;
    assert_eq!(r.status(), 409);
    let e: Value = r.json().await.unwrap();
    assert!(e["error"]["reason"].is_string(), "{e}");

    // Act: VAN-08's shift is extended into the evening; the trip now fits there and is placed.
    let vehicles = get(&app, "/api/v1/transport/vehicles").await;
    let van8 = vehicles["vehicles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["id"] == "VAN-08")
        .unwrap()
        .clone();
    let r = app
        .client
        .put(format!("{}/api/v1/transport/vehicles/VAN-08", app.address))
        .bearer_auth(app.token(Role::Admin))
        .json(&json!({
            "seats": van8["seats"], "depot_lon": van8["depot"]["lon"], "depot_lat": van8["depot"]["lat"],
            "driver": van8["driver"], "shift_start": "06:30:00", "shift_end": "23:00:00",
        }))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{:?}", r.text().await);
    let fits = get(&app, &fits_path).await;
    let first = &fits["vehicles"][0];
    assert_eq!(first["vehicle_id"], "VAN-08", "{fits}");
    assert_eq!(first["fits"], true);
    let r = post(
        &app,
        &format!("/api/v1/transport/plans/{date}/move"),
        json!({"trip_id": trip, "vehicle_id": "VAN-08"}),
    )
    .await;

    // Assert
    assert_eq!(r.status(), 200, "{:?}", r.text().await);
    let moved: Value = r.json().await.unwrap();
    assert!(moved["plan"]["unserved"].as_array().unwrap().is_empty());
    assert!(moved["plan"]["pinned"]
        .as_array()
        .unwrap()
        .contains(&json!(trip)));
    let view = get(&app, &format!("/api/v1/transport/bookings/{trip}")).await;
    assert_eq!(view["vehicle_id"], "VAN-08");
    assert!(view["unserved_reason"].is_null());
}

#[tokio::test]
async fn a_cancellation_stores_its_reason_code_and_refuses_unknown_codes_naming_the_field() {
    let app = spawn_app().await;
    seed_fleet(&app).await;
    post(
        &app,
        "/api/v1/transport/riders",
        rider("R-1", "seated", 1.0),
    )
    .await;
    let mut ids = Vec::new();
    for time in ["08:00:00", "11:00:00", "15:00:00"] {
        let r = book(&app, "R-1", "pickup_at", time).await;
        assert_eq!(r.status(), 201);
        let b: Value = r.json().await.unwrap();
        ids.push(b["trips"][0]["id"].as_str().unwrap().to_owned());
    }
    let cancel = |id: &str| format!("/api/v1/transport/bookings/{id}/cancel");
    // An unknown code and `other` without a note are refused, naming the field.
    let r = post(&app, &cancel(&ids[0]), json!({"reason": "bored"})).await;
    assert_eq!(r.status(), 422);
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["error"]["field"], "reason");
    let r = post(&app, &cancel(&ids[0]), json!({"reason": "other"})).await;
    assert_eq!(r.status(), 422);
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["error"]["field"], "note");
    // With a reason: stored on the trip.
    let r = post(&app, &cancel(&ids[0]), json!({"reason": "rider_ill"})).await;
    assert_eq!(r.status(), 200);
    let t = get(&app, &format!("/api/v1/transport/bookings/{}", ids[0])).await;
    assert_eq!(t["status"], "cancelled");
    assert_eq!(t["cancellation"]["reason"], "rider_ill", "{t}");
    let r = post(
        &app,
        &cancel(&ids[1]),
        json!({"reason": "other", "note": "mutat la alt centru"}),
    )
    .await;
    assert_eq!(r.status(), 200);
    let t = get(&app, &format!("/api/v1/transport/bookings/{}", ids[1])).await;
    assert_eq!(t["cancellation"]["note"], "mutat la alt centru");
    // An older client without a body still cancels (no reason recorded).
    let r = app
        .client
        .post(format!("{}{}", app.address, cancel(&ids[2])))
        .bearer_auth(app.token(Role::Dispatcher))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let t = get(&app, &format!("/api/v1/transport/bookings/{}", ids[2])).await;
    assert_eq!(t["status"], "cancelled");
    assert!(t.get("cancellation").is_none_or(Value::is_null), "{t}");
    // A second cancellation is refused with a code.
    let r = post(&app, &cancel(&ids[0]), json!({"reason": "duplicate"})).await;
    assert_eq!(r.status(), 409);
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["error"]["reason"], "trip_not_booked");
}

#[tokio::test]
async fn a_booking_or_change_overlapping_the_riders_own_trip_is_refused_naming_it() {
    let app = spawn_app().await;
    seed_fleet(&app).await;
    post(
        &app,
        "/api/v1/transport/riders",
        rider("R-1", "seated", 1.0),
    )
    .await;
    let r = book(&app, "R-1", "arrive_by", "09:00:00").await;
    assert_eq!(r.status(), 201);
    let first: Value = r.json().await.unwrap();
    let first_id = first["trips"][0]["id"].as_str().unwrap().to_owned();

    // A second hospital trip while the rider is on the first: refused, naming it.
    let r = book(&app, "R-1", "pickup_at", "08:40:00").await;
    assert_eq!(r.status(), 409);
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["error"]["reason"], "overlapping_trip", "{e}");
    assert!(
        e["error"]["message"].as_str().unwrap().contains(&first_id),
        "{e}"
    );
    // Later the same day is fine, and so is a booking with its own return.
    let r = book(&app, "R-1", "pickup_at", "14:00:00").await;
    assert_eq!(r.status(), 201);
    let later: Value = r.json().await.unwrap();
    let later_id = later["trips"][0]["id"].as_str().unwrap().to_owned();
    let r = post(
        &app,
        "/api/v1/transport/bookings",
        json!({
            "rider": "R-1", "date": tomorrow(), "pickup": {"place": "home"},
            "dropoff": {"place": "dialysis"}, "timing": "arrive_by", "time": "11:00:00",
            "return_time": "12:30:00",
        }),
    )
    .await;
    assert_eq!(r.status(), 201, "{:?}", r.text().await);
    // Moving the later trip onto the first one's time is refused the same way.
    let r = patch(
        &app,
        &format!("/api/v1/transport/bookings/{later_id}"),
        json!({"time": "08:50:00"}),
    )
    .await;
    assert_eq!(r.status(), 409);
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["error"]["reason"], "overlapping_trip");
    assert!(e["error"]["message"].as_str().unwrap().contains(&first_id));
    // A cancelled trip no longer blocks its time.
    let r = post(
        &app,
        &format!("/api/v1/transport/bookings/{first_id}/cancel"),
        json!({"reason": "rider_request"}),
    )
    .await;
    assert_eq!(r.status(), 200);
    let r = book(&app, "R-1", "pickup_at", "08:40:00").await;
    assert_eq!(r.status(), 201);
}

#[tokio::test]
async fn the_routes_of_a_plan_are_lines_from_depot_to_depot_per_vehicle_for_dispatch_roles_only() {
    // Arrange
    let app = spawn_app().await;
    let planned = book_and_plan(&app, 6).await;
    let date = tomorrow();
    let path = format!("/api/v1/transport/plans/{date}/routes");

    // Act
    let lines = get(&app, &path).await;
    let again = get(&app, &path).await;

    // Assert: without the road network (tests), straight legs through every stop.
    assert_eq!(lines["roads"], false, "{lines}");
    assert_eq!(lines["version"], planned["plan"]["version"], "{lines}");
    let plan = get(&app, &format!("/api/v1/transport/plans/{date}")).await;
    let used: Vec<&Value> = plan["routes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| !r["stops"].as_array().unwrap().is_empty())
        .collect();
    let routes = lines["routes"].as_array().unwrap();
    assert_eq!(routes.len(), used.len(), "{lines}");
    for r in routes {
        let pts = r["path"].as_array().unwrap();
        assert!(pts.len() >= 3, "{r}");
        assert_eq!(pts.first(), pts.last(), "a route ends at its depot: {r}");
        assert!(pts
            .iter()
            .all(|p| p[0].as_f64().unwrap() > 21.0 && p[1].as_f64().unwrap() > 45.0));
    }
    assert_eq!(again, lines, "the same plan version gives the same lines");
    for role in Role::ALL {
        let r = app.get_as(role, &path).await;
        let want = if [Role::Dispatcher, Role::Supervisor, Role::Admin].contains(&role) {
            200
        } else {
            403
        };
        assert_eq!(r.status(), want, "{role:?}");
    }
    let r = app
        .get_as(
            Role::Dispatcher,
            "/api/v1/transport/plans/2001-01-01/routes",
        )
        .await;
    assert_eq!(r.status(), 404);
    let r = app
        .get_as(Role::Dispatcher, "/api/v1/transport/plans/not-a-day/routes")
        .await;
    assert_eq!(r.status(), 422);
}
