//! Adapted transport over HTTP: riders, bookings (recurring, return trips, eligibility,
//! conflicts, cut-off), the day plan, moving a trip by hand, and the driver's actions applied
//! exactly once.

use chrono::{Datelike, Duration, NaiveDate, Utc};
use dispecer::access::Role;
use dispecer::store::UserRecord;
use serde_json::{json, Value};

use crate::helpers::{spawn_app, TestApp};

/// Tomorrow in Timișoara.
pub fn tomorrow() -> NaiveDate {
    let zone: chrono_tz::Tz = "Europe/Bucharest".parse().unwrap();
    Utc::now().with_timezone(&zone).date_naive() + Duration::days(1)
}

pub async fn seed_fleet(app: &TestApp) {
    dispecer::transport::demo::seed_fleet(
        app.state.transport.store.as_ref(),
        &app.state.config.transport,
    )
    .await
    .unwrap();
}

/// A rider with a home and a dialysis centre in Timișoara.
pub fn rider(id: &str, mobility: &str, n: f64) -> Value {
    json!({
        "id": id,
        "name": format!("Beneficiar {id}"),
        "phone": format!("+40700001{:03}", n as u32),
        "mobility": mobility,
        "door_assistance": false,
        "companion": false,
        "notes": "interfon 12",
        "places": [
            {"kind": "home", "address": format!("Str. Exemplu nr. {n}"), "lon": 21.19 + n * 0.002, "lat": 45.745 + n * 0.0007},
            {"kind": "dialysis", "address": "Centru de dializă (demo)", "lon": 21.2419, "lat": 45.7386}
        ]
    })
}

pub async fn post(app: &TestApp, path: &str, body: Value) -> reqwest::Response {
    app.post_as(Role::Dispatcher, path, &body).await
}

/// Logs in a driver account working as `resource`; returns its tablet token.
pub async fn driver_token(app: &TestApp, username: &str, resource: &str) -> String {
    app.state
        .store
        .put_user(&UserRecord {
            username: username.into(),
            display_name: username.into(),
            role: "driver".into(),
            password_hash: dispecer::http::session::hash_password("parola-de-test").unwrap(),
            resource_id: Some(resource.into()),
        })
        .await
        .unwrap();
    let r: Value = app
        .client
        .post(format!("{}/api/v1/session", app.address))
        .json(&json!({ "username": username, "password": "parola-de-test", "token": true }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    r["token"].as_str().unwrap().to_owned()
}

pub async fn driver_post(app: &TestApp, token: &str, path: &str, body: Value) -> reqwest::Response {
    app.client
        .post(format!("{}{path}", app.address))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap()
}

pub async fn driver_get(app: &TestApp, token: &str, path: &str) -> Value {
    let r = app
        .client
        .get(format!("{}{path}", app.address))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

#[tokio::test]
async fn a_rider_with_a_bad_mobility_is_refused_naming_the_field() {
    let app = spawn_app().await;
    let mut body = rider("R-1", "flying", 1.0);
    let r = post(&app, "/api/v1/transport/riders", body.clone()).await;
    assert_eq!(r.status(), 422);
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["error"]["field"], "mobility");
    body["mobility"] = json!("walker");
    body["places"][0]["lat"] = json!(123.0);
    let e: Value = post(&app, "/api/v1/transport/riders", body)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(e["error"]["field"], "places[0].lat");
}

#[tokio::test]
async fn a_recurring_booking_with_a_return_becomes_two_trips_per_chosen_weekday() {
    // Arrange
    let app = spawn_app().await;
    seed_fleet(&app).await;
    assert_eq!(
        post(
            &app,
            "/api/v1/transport/riders",
            rider("R-1", "wheelchair", 1.0)
        )
        .await
        .status(),
        201
    );
    let start = tomorrow();
    let until = start + Duration::days(13);
    // Act
    let r = post(&app, "/api/v1/transport/bookings", json!({
        "rider": "R-1", "date": start, "pickup": {"place": "home"}, "dropoff": {"place": "dialysis"},
        "timing": "arrive_by", "time": "08:00:00", "return_time": "12:30:00",
        "repeat": {"weekdays": ["mon", "wed", "fri"], "until": until}
    })).await;
    // Assert
    assert_eq!(r.status(), 201);
    let body: Value = r.json().await.unwrap();
    let days = start
        .iter_days()
        .take_while(|d| *d <= until)
        .filter(|d| [0, 2, 4].contains(&d.weekday().num_days_from_monday()))
        .count();
    let trips = body["trips"].as_array().unwrap();
    assert_eq!(trips.len(), 2 * days);
    assert!(trips.iter().all(|t| t["series_id"] == body["series_id"]));
    assert_eq!(
        trips.iter().filter(|t| t["is_return"] == true).count(),
        days
    );

    // The same rider cannot be booked twice at the same time.
    let first_date = trips[0]["date"].clone();
    let again = post(&app, "/api/v1/transport/bookings", json!({
        "rider": "R-1", "date": first_date, "pickup": {"place": "home"}, "dropoff": {"place": "dialysis"},
        "timing": "pickup_at", "time": "07:30:00"
    })).await;
    assert_eq!(again.status(), 409);

    // Cancelling the series cancels every trip of it.
    let id = trips[0]["id"].as_str().unwrap();
    let r = post(
        &app,
        &format!("/api/v1/transport/bookings/{id}/cancel"),
        json!({"series": true}),
    )
    .await;
    assert_eq!(r.status(), 200);
    let cancelled: Value = r.json().await.unwrap();
    assert_eq!(cancelled["cancelled"].as_array().unwrap().len(), 2 * days);
}

#[tokio::test]
async fn a_wheelchair_rider_is_refused_when_no_vehicle_has_a_ramp() {
    let app = spawn_app().await;
    let store = app.state.transport.store.clone();
    for mut v in dispecer::transport::demo::fleet(&app.state.config.transport) {
        v.ramp = false;
        store.put_vehicle(&v).await.unwrap();
    }
    post(
        &app,
        "/api/v1/transport/riders",
        rider("R-2", "wheelchair", 2.0),
    )
    .await;
    let r = post(&app, "/api/v1/transport/bookings", json!({
        "rider": "R-2", "date": tomorrow(), "pickup": {"place": "home"}, "dropoff": {"place": "dialysis"},
        "timing": "pickup_at", "time": "09:00:00"
    })).await;
    assert_eq!(r.status(), 422);
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["error"]["field"], "rider");
}

#[tokio::test]
async fn a_trip_inside_the_cut_off_cannot_be_cancelled() {
    let app = spawn_app().await;
    seed_fleet(&app).await;
    post(
        &app,
        "/api/v1/transport/riders",
        rider("R-3", "seated", 3.0),
    )
    .await;
    let zone: chrono_tz::Tz = "Europe/Bucharest".parse().unwrap();
    let soon = Utc::now().with_timezone(&zone) + Duration::minutes(60);
    let r = post(&app, "/api/v1/transport/bookings", json!({
        "rider": "R-3", "date": soon.date_naive(), "pickup": {"place": "home"}, "dropoff": {"place": "dialysis"},
        "timing": "pickup_at", "time": soon.time().format("%H:%M:00").to_string()
    })).await;
    assert_eq!(r.status(), 201, "{:?}", r.text().await);
    let body: Value = r.json().await.unwrap();
    let id = body["trips"][0]["id"].as_str().unwrap();
    let r = post(
        &app,
        &format!("/api/v1/transport/bookings/{id}/cancel"),
        json!({}),
    )
    .await;
    assert_eq!(r.status(), 409);
    // A booking too close to now is refused, naming the time.
    let r = post(&app, "/api/v1/transport/bookings", json!({
        "rider": "R-3", "date": Utc::now().with_timezone(&zone).date_naive(), "pickup": {"place": "home"},
        "dropoff": {"place": "dialysis"}, "timing": "pickup_at", "time": Utc::now().with_timezone(&zone).time().format("%H:%M:%S").to_string()
    })).await;
    assert_eq!(r.status(), 422);
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["error"]["field"], "time");
}

/// Books `n` riders for tomorrow (outbound arrive-by, return pick-up) and plans the day.
pub async fn book_and_plan(app: &TestApp, n: usize) -> Value {
    seed_fleet(app).await;
    let date = tomorrow();
    for i in 0..n {
        let id = format!("R-{i:03}");
        let mobility = if i % 3 == 0 { "wheelchair" } else { "seated" };
        assert_eq!(
            post(
                app,
                "/api/v1/transport/riders",
                rider(&id, mobility, i as f64)
            )
            .await
            .status(),
            201
        );
        let r = post(app, "/api/v1/transport/bookings", json!({
            "rider": id, "date": date, "pickup": {"place": "home"}, "dropoff": {"place": "dialysis"},
            "timing": "arrive_by", "time": format!("{:02}:{:02}:00", 8 + i / 4, (i % 4) * 15),
            "return_time": format!("{:02}:00:00", 13 + i / 4),
        })).await;
        assert_eq!(r.status(), 201, "{:?}", r.text().await);
    }
    let r = post(
        app,
        &format!("/api/v1/transport/plans/{date}"),
        json!({"seconds": 1.0}),
    )
    .await;
    assert_eq!(r.status(), 200, "{:?}", r.text().await);
    r.json().await.unwrap()
}

#[tokio::test]
async fn the_day_plan_serves_every_trip_with_a_promised_time_and_passes_the_checker() {
    let app = spawn_app().await;
    let out = book_and_plan(&app, 6).await;
    let plan = &out["plan"];
    assert_eq!(plan["feasible"], true, "{plan}");
    assert_eq!(plan["unserved"].as_array().unwrap().len(), 0);
    let stops: usize = plan["routes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["stops"].as_array().unwrap().len())
        .sum();
    assert_eq!(stops, 2 * 12);
    assert!(!out["progress"].as_array().unwrap().is_empty());
    // Every booking now has its promised pick-up time and vehicle.
    let list: Value = app
        .get_as(
            Role::Dispatcher,
            &format!("/api/v1/transport/bookings?date={}", tomorrow()),
        )
        .await
        .json()
        .await
        .unwrap();
    for t in list["trips"].as_array().unwrap() {
        assert!(t["promised"].is_string(), "{t}");
        assert!(t["vehicle_id"].is_string(), "{t}");
    }
    // The plan with manifests is readable by dispatchers, not by drivers.
    let r = app
        .get_as(
            Role::Driver,
            &format!("/api/v1/transport/plans/{}", tomorrow()),
        )
        .await;
    assert_eq!(r.status(), 403);
}

#[tokio::test]
async fn a_trip_moved_by_hand_is_pinned_and_a_move_that_does_not_fit_is_refused() {
    let app = spawn_app().await;
    let out = book_and_plan(&app, 4).await;
    let date = tomorrow();
    let trip = out["plan"]["routes"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["stops"].as_array().unwrap().clone())
        .find(|s| s["pickup"] == true)
        .unwrap()["trip_id"]
        .clone();
    let r = post(
        &app,
        &format!("/api/v1/transport/plans/{date}/move"),
        json!({"trip_id": trip, "vehicle_id": "VAN-02"}),
    )
    .await;
    assert_eq!(r.status(), 200, "{:?}", r.text().await);
    let moved: Value = r.json().await.unwrap();
    assert_eq!(moved["plan"]["feasible"], true);
    assert!(moved["plan"]["pinned"].as_array().unwrap().contains(&trip));
    let van2 = moved["plan"]["routes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["vehicle_id"] == "VAN-02")
        .unwrap();
    assert!(van2["stops"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["trip_id"] == trip));
    // A new planning run keeps the pinned trip on its vehicle.
    let r = post(
        &app,
        &format!("/api/v1/transport/plans/{date}"),
        json!({"seconds": 0.5}),
    )
    .await;
    assert_eq!(r.status(), 200);
    let replanned: Value = r.json().await.unwrap();
    assert!(replanned["plan"]["pinned"]
        .as_array()
        .unwrap()
        .contains(&trip));
    let van2 = replanned["plan"]["routes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["vehicle_id"] == "VAN-02")
        .unwrap();
    assert!(van2["stops"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["trip_id"] == trip));
    // A wheelchair trip cannot go on a seated-only minibus.
    let list: Value = app
        .get_as(
            Role::Dispatcher,
            &format!("/api/v1/transport/bookings?date={date}"),
        )
        .await
        .json()
        .await
        .unwrap();
    let wc = list["trips"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["rider_id"] == "R-000")
        .unwrap()["id"]
        .clone();
    let r = post(
        &app,
        &format!("/api/v1/transport/plans/{date}/move"),
        json!({"trip_id": wc, "vehicle_id": "VAN-07"}),
    )
    .await;
    assert_eq!(r.status(), 409);
}

#[tokio::test]
async fn driver_actions_apply_once_and_a_no_show_opens_one_queue_item() {
    // Arrange: a planned day with one trip moved onto VAN-01 (SOFER-01's vehicle).
    let app = spawn_app().await;
    let out = book_and_plan(&app, 3).await;
    let date = tomorrow();
    let list: Value = app
        .get_as(
            Role::Dispatcher,
            &format!("/api/v1/transport/bookings?date={date}"),
        )
        .await
        .json()
        .await
        .unwrap();
    let trips: Vec<String> = list["trips"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["is_return"] == false)
        .map(|t| t["id"].as_str().unwrap().to_owned())
        .collect();
    for t in &trips[..2] {
        let r = post(
            &app,
            &format!("/api/v1/transport/plans/{date}/move"),
            json!({"trip_id": t, "vehicle_id": "VAN-01"}),
        )
        .await;
        assert_eq!(r.status(), 200, "{:?}", r.text().await);
    }
    assert_eq!(out["plan"]["feasible"], true);
    let token = driver_token(&app, "sofer1", "SOFER-01").await;
    let manifest = driver_get(&app, &token, "/api/v1/transport/manifest").await;
    assert_eq!(manifest["vehicle_id"], "VAN-01");
    let stops = manifest["stops"].as_array().unwrap();
    assert!(stops.len() >= 4);
    assert!(stops
        .iter()
        .all(|s| s["address"].is_string() && s["phone"].is_string()));
    // A driver cannot read another vehicle's manifest.
    let r = app
        .client
        .get(format!(
            "{}/api/v1/transport/manifest?vehicle=VAN-02",
            app.address
        ))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);

    // Act: work the first trip; the second is a no-show, sent twice (a replay).
    let (served, absent) = (&trips[0], &trips[1]);
    for (kind, id) in [
        ("arrived", "a1"),
        ("picked_up", "a2"),
        ("dropped_off", "a3"),
    ] {
        let r = driver_post(
            &app,
            &token,
            "/api/v1/transport/actions",
            json!({"action_id": id, "kind": kind, "trip_id": served}),
        )
        .await;
        assert_eq!(r.status(), 201, "{kind}: {:?}", r.text().await);
    }
    let no_show = json!({"action_id": "a4", "kind": "no_show", "trip_id": absent, "reason": "nu răspunde la interfon"});
    let first = driver_post(&app, &token, "/api/v1/transport/actions", no_show.clone()).await;
    assert_eq!(first.status(), 201);
    let replay = driver_post(&app, &token, "/api/v1/transport/actions", no_show).await;
    assert_eq!(replay.status(), 200);
    let replay: Value = replay.json().await.unwrap();
    assert_eq!(replay["replay"], true);
    // A step out of order is refused.
    let r = driver_post(
        &app,
        &token,
        "/api/v1/transport/actions",
        json!({"action_id": "a5", "kind": "picked_up", "trip_id": served}),
    )
    .await;
    assert_eq!(r.status(), 409);

    // Assert: statuses, and exactly one incident in the queue for the no-show.
    let served_now: Value = app
        .get_as(
            Role::Dispatcher,
            &format!("/api/v1/transport/bookings/{served}"),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(served_now["status"], "dropped_off");
    let absent_now: Value = app
        .get_as(
            Role::Dispatcher,
            &format!("/api/v1/transport/bookings/{absent}"),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(absent_now["status"], "no_show");
    let queue = app.queue().await;
    let incidents: Vec<&Value> = queue["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["item"]["kind"] == "incident")
        .collect();
    assert_eq!(incidents.len(), 1, "{queue}");
    // An incident without a trip also reaches the queue.
    let r = driver_post(
        &app,
        &token,
        "/api/v1/transport/actions",
        json!({"action_id": "a6", "kind": "incident", "incident": "breakdown"}),
    )
    .await;
    assert_eq!(r.status(), 201);
    let queue = app.queue().await;
    assert_eq!(
        queue["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| i["item"]["kind"] == "incident")
            .count(),
        2
    );
}

/// The stops of `vehicle` in a plan's JSON, as (trip, pick-up) in driving order.
fn stops_of(plan: &Value, vehicle: &str) -> Vec<(String, bool)> {
    plan["routes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["vehicle_id"] == vehicle)
        .flat_map(|r| r["stops"].as_array().unwrap().clone())
        .map(|s| {
            (
                s["trip_id"].as_str().unwrap().to_owned(),
                s["pickup"] == true,
            )
        })
        .collect()
}

#[tokio::test]
async fn a_re_plan_keeps_the_trips_a_driver_has_started_on_their_van_at_the_head_of_its_route() {
    // Arrange: a planned day; on the busiest van, the first trip is driven to the end and the
    // next rider is on board (the tablet reported it, hours before the plan's times).
    let app = spawn_app().await;
    let out = book_and_plan(&app, 8).await;
    let date = tomorrow();
    let van = out["plan"]["routes"]
        .as_array()
        .unwrap()
        .iter()
        .max_by_key(|r| r["stops"].as_array().unwrap().len())
        .unwrap()["vehicle_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let before = stops_of(&out["plan"], &van);
    let done = before[0].0.clone();
    let dropped_at = before
        .iter()
        .position(|s| *s == (done.clone(), false))
        .unwrap();
    let (on_board, picked_at) = before[dropped_at + 1..]
        .iter()
        .zip(dropped_at + 1..)
        .find(|((_, pickup), _)| *pickup)
        .map(|((trip, _), at)| (trip.clone(), at))
        .expect("a second pick-up on the busiest van");
    let token = driver_token(&app, "sofer-x", &van.replace("VAN", "SOFER")).await;
    let steps = [
        (&done, "arrived"),
        (&done, "picked_up"),
        (&done, "dropped_off"),
        (&on_board, "arrived"),
        (&on_board, "picked_up"),
    ];
    for (i, (trip, kind)) in steps.into_iter().enumerate() {
        let action = json!({"action_id": format!("s-{i}"), "kind": kind, "trip_id": trip});
        let r = driver_post(&app, &token, "/api/v1/transport/actions", action).await;
        assert_eq!(r.status(), 201, "{kind}: {:?}", r.text().await);
    }
    // More bookings come in, so the day's plan from scratch would differ.
    for i in 8..12 {
        let id = format!("R-{i:03}");
        let r = post(
            &app,
            "/api/v1/transport/riders",
            rider(&id, "seated", i as f64),
        )
        .await;
        assert_eq!(r.status(), 201);
        let r = post(&app, "/api/v1/transport/bookings", json!({
            "rider": id, "date": date, "pickup": {"place": "home"}, "dropoff": {"place": "dialysis"},
            "timing": "arrive_by", "time": "09:00:00",
        })).await;
        assert_eq!(r.status(), 201, "{:?}", r.text().await);
    }

    // Act: the dispatcher re-plans the day.
    let r = post(
        &app,
        &format!("/api/v1/transport/plans/{date}"),
        json!({"seconds": 1.0}),
    )
    .await;
    assert_eq!(r.status(), 200, "{:?}", r.text().await);
    let replanned: Value = r.json().await.unwrap();

    // Assert: the van's route starts with the same stops up to the rider on board, whose drop-off
    // is still that van's; every live trip is served and the plan passes the checker.
    let plan = &replanned["plan"];
    assert_eq!(plan["feasible"], true, "{plan}");
    assert_eq!(plan["unserved"].as_array().unwrap().len(), 0, "{plan}");
    let after = stops_of(plan, &van);
    assert_eq!(after[..=picked_at], before[..=picked_at], "{plan}");
    assert!(after.contains(&(on_board.clone(), false)), "{plan}");
    for route in plan["routes"].as_array().unwrap() {
        if route["vehicle_id"] != van.as_str() {
            let trips: Vec<&Value> = route["stops"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| &s["trip_id"])
                .collect();
            assert!(
                !trips.contains(&&json!(on_board)) && !trips.contains(&&json!(done)),
                "{plan}"
            );
        }
    }
    // A trip moved onto the van by hand goes after what has started, never before it.
    // The earliest pick-ups first: they would be cheapest before the done stops.
    let mut others: Vec<(String, String)> = plan["routes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["vehicle_id"] != van.as_str())
        .flat_map(|r| r["stops"].as_array().unwrap().clone())
        .filter(|s| s["pickup"] == true)
        .map(|s| {
            (
                s["time"].to_string(),
                s["trip_id"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    others.sort();
    let mut moved = None;
    for (_, trip) in &others {
        let body = json!({"trip_id": trip, "vehicle_id": van});
        let r = post(&app, &format!("/api/v1/transport/plans/{date}/move"), body).await;
        if r.status() == 200 {
            moved = Some((trip.clone(), r.json::<Value>().await.unwrap()));
            break;
        }
        assert_eq!(r.status(), 409, "{:?}", r.text().await);
    }
    let (trip, out) = moved.expect("one trip fits the van");
    let on_van = stops_of(&out["plan"], &van);
    assert_eq!(on_van[..=picked_at], before[..=picked_at]);
    assert!(on_van[picked_at + 1..].contains(&(trip, true)));
}

#[tokio::test]
async fn the_report_counts_trips_no_shows_and_on_time_pick_ups_and_exports_csv() {
    let app = spawn_app().await;
    book_and_plan(&app, 2).await;
    let date = tomorrow();
    let r = app
        .get_as(
            Role::Dispatcher,
            &format!("/api/v1/transport/reports?from={date}&to={date}"),
        )
        .await;
    assert_eq!(r.status(), 200);
    let rep: Value = r.json().await.unwrap();
    assert_eq!(rep["days"][0]["booked"], 4);
    assert_eq!(rep["days"][0]["planned"], 4);
    let km: f64 = rep["vehicles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["km"].as_f64().unwrap())
        .sum();
    assert!(km > 0.0);
    let csv = app
        .get_as(
            Role::Dispatcher,
            &format!("/api/v1/transport/reports.csv?from={date}&to={date}"),
        )
        .await;
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    let text = csv.text().await.unwrap();
    assert!(text.starts_with("date,booked,"));
    assert!(text.contains(&format!("{date},4,0,4,0,0,0,0,0,")));
    let r = app
        .get_as(
            Role::Dispatcher,
            &format!("/api/v1/transport/reports?from={date}&to=2000-01-01"),
        )
        .await;
    assert_eq!(r.status(), 422);
}

#[tokio::test]
async fn a_booking_for_a_planned_day_is_inserted_at_once_and_a_cancellation_takes_it_out() {
    // Arrange: a planned day.
    let app = spawn_app().await;
    book_and_plan(&app, 3).await;
    let date = tomorrow();
    post(
        &app,
        "/api/v1/transport/riders",
        rider("R-NEW", "wheelchair", 9.0),
    )
    .await;
    // Act: a new booking for that day.
    let r = post(&app, "/api/v1/transport/bookings", json!({
        "rider": "R-NEW", "date": date, "pickup": {"place": "home"}, "dropoff": {"place": "dialysis"},
        "timing": "pickup_at", "time": "10:00:00"
    })).await;
    assert_eq!(r.status(), 201);
    let body: Value = r.json().await.unwrap();
    let trip = &body["trips"][0];
    // Assert: it is in the plan with a promised time inside its window, on a vehicle with a ramp.
    let promised = trip["promised"].as_str().unwrap();
    assert!(("10:00"..="10:20").contains(&promised), "{promised}");
    let vehicle = trip["vehicle_id"].as_str().unwrap();
    assert!(["VAN-01", "VAN-02", "VAN-03", "VAN-04", "VAN-05"].contains(&vehicle));
    let plan: Value = app
        .get_as(Role::Dispatcher, &format!("/api/v1/transport/plans/{date}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(plan["version"], 2);
    assert_eq!(plan["feasible"], true);
    // Cancelled, it leaves the plan.
    let id = trip["id"].as_str().unwrap();
    assert_eq!(
        post(
            &app,
            &format!("/api/v1/transport/bookings/{id}/cancel"),
            json!({})
        )
        .await
        .status(),
        200
    );
    let plan: Value = app
        .get_as(Role::Dispatcher, &format!("/api/v1/transport/plans/{date}"))
        .await
        .json()
        .await
        .unwrap();
    let planned = plan["routes"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["stops"].as_array().unwrap())
        .any(|s| s["trip_id"] == id);
    assert!(!planned);
    assert_eq!(plan["version"], 3);
}

/// Posts a booking as a dispatcher with an `Idempotency-Key` header.
async fn book_with_key(app: &TestApp, key: &str, body: &Value) -> reqwest::Response {
    app.client
        .post(format!("{}/api/v1/transport/bookings", app.address))
        .bearer_auth(app.token(Role::Dispatcher))
        .header("Idempotency-Key", key)
        .json(body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_repeated_booking_with_the_same_idempotency_key_answers_the_first_trips_and_books_nothing(
) {
    // Arrange
    let app = spawn_app().await;
    seed_fleet(&app).await;
    assert_eq!(
        post(
            &app,
            "/api/v1/transport/riders",
            rider("R-1", "walker", 1.0)
        )
        .await
        .status(),
        201
    );
    let date = tomorrow() + Duration::days(1);
    let booking = json!({
        "rider": "R-1", "date": date, "pickup": {"place": "home"}, "dropoff": {"place": "dialysis"},
        "timing": "arrive_by", "time": "08:00:00", "return_time": "12:30:00"
    });

    // Act: the same booking twice under one key (a retry after a lost answer).
    let first = book_with_key(&app, "retry-7f3a", &booking).await;
    let first_status = first.status();
    let first: Value = first.json().await.unwrap();
    let repeat = book_with_key(&app, "retry-7f3a", &booking).await;
    let repeat_status = repeat.status();
    let repeat: Value = repeat.json().await.unwrap();

    // Assert: 201 then 200 with the same trips; the day holds one outbound and one return.
    assert_eq!(first_status, 201);
    assert_eq!(repeat_status, 200);
    let ids = |v: &Value| -> Vec<String> {
        v["trips"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["id"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(ids(&first).len(), 2);
    assert_eq!(ids(&repeat), ids(&first));
    let stored = app.state.transport.store.trips_on(date).await.unwrap();
    assert_eq!(stored.len(), 2);

    // A new key is a new booking: here the rider is already travelling then, so it conflicts
    // (proof it was not taken for a repeat); at another time it is booked.
    let clash = book_with_key(&app, "retry-8b01", &booking).await;
    assert_eq!(clash.status(), 409);
    let mut later = booking.clone();
    later["time"] = json!("15:00:00");
    later["return_time"] = json!("18:00:00");
    let other = book_with_key(&app, "retry-8b01", &later).await;
    assert_eq!(other.status(), 201);
    let other: Value = other.json().await.unwrap();
    assert!(ids(&other).iter().all(|id| !ids(&first).contains(id)));
    assert_eq!(
        app.state
            .transport
            .store
            .trips_on(date)
            .await
            .unwrap()
            .len(),
        4
    );

    // A bad key is a 422 naming the header.
    let bad = book_with_key(&app, "", &later).await;
    assert_eq!(bad.status(), 422);
    let e: Value = bad.json().await.unwrap();
    assert_eq!(e["error"]["field"], "Idempotency-Key");
}
