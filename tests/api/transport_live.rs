//! Adapted transport live: driver actions, same-day bookings and delays are `transport_changed`
//! events in the core's log, pushed to the dispatchers and to the affected driver only; a late
//! vehicle shifts its remaining stops, once per threshold of delay.

use chrono::{NaiveTime, Timelike, Utc};
use dispecer::access::Role;
use dispecer::domain::Seq;
use dispecer::events::Event;
use dispecer::transport::model::{DayPlan, PlanStop, TimingKind, Trip, TripStatus, VehicleRoute};
use serde_json::{json, Value};

use crate::helpers::{spawn_with, test_config, TestApp, WsClient};
use crate::transport::{driver_get, driver_post, driver_token, post, rider, seed_fleet};

/// A fixed-offset zone where it is now between 10:00 and 10:59, so that "today" has a working
/// day ahead whenever the suite runs.
fn zone_at_ten() -> String {
    let h = (10 - Utc::now().hour() as i32).rem_euclid(24);
    let h = if h > 14 { h - 24 } else { h };
    match h {
        0 => "Etc/GMT".to_owned(),
        h if h > 0 => format!("Etc/GMT-{h}"),
        h => format!("Etc/GMT+{}", -h),
    }
}

async fn spawn_at_ten() -> TestApp {
    let (mut config, dir) = test_config().await;
    config.queue.timezone = zone_at_ten();
    spawn_with(config, dir).await
}

async fn ws_as(app: &TestApp, token: &str) -> WsClient {
    let url = format!(
        "{}/ws?access_token={token}",
        app.address.replacen("http", "ws", 1)
    );
    let (socket, _) = tokio_tungstenite::connect_async(url.as_str())
        .await
        .expect("websocket connect");
    let mut ws = WsClient { socket };
    assert_eq!(ws.next_json().await["type"], "snapshot");
    ws
}

/// The next `transport_changed` change on this socket (other events are skipped).
async fn next_change(ws: &mut WsClient) -> Value {
    ws.wait_for("transport_changed").await["event"]["change"].clone()
}

/// Every `transport_changed` change in the log.
async fn logged_changes(app: &TestApp) -> Vec<Value> {
    let events = app.state.store.events_after(Seq(0), 100_000).await.unwrap();
    events
        .into_iter()
        .filter_map(|e| match e.event {
            Event::TransportChanged { change } => Some(serde_json::to_value(change).unwrap()),
            _ => None,
        })
        .collect()
}

fn local_time(seconds: f64) -> NaiveTime {
    NaiveTime::from_num_seconds_from_midnight_opt(seconds as u32, 0).unwrap()
}

/// Books `rider` for today at `time` (pickup at home, to dialysis); returns the trip as answered.
async fn book_today(app: &TestApp, rider_id: &str, time: NaiveTime) -> Value {
    let (today, _) = dispecer::transport::local_now(&app.state);
    let r = post(
        app,
        "/api/v1/transport/bookings",
        json!({
            "rider": rider_id, "date": today, "pickup": {"place": "home"},
            "dropoff": {"place": "dialysis"}, "timing": "pickup_at", "time": time,
        }),
    )
    .await;
    assert_eq!(r.status(), 201, "{:?}", r.text().await);
    let body: Value = r.json().await.unwrap();
    body["trips"][0].clone()
}

/// A fleet, three riders booked and today planned; returns the plan's answer.
async fn plan_today(app: &TestApp) -> Value {
    seed_fleet(app).await;
    let (today, now_s) = dispecer::transport::local_now(&app.state);
    for i in 0..3 {
        let id = format!("R-{i:03}");
        let r = post(
            app,
            "/api/v1/transport/riders",
            rider(&id, "seated", i as f64),
        )
        .await;
        assert_eq!(r.status(), 201);
        book_today(app, &id, local_time(now_s + 3600.0 + 900.0 * i as f64)).await;
    }
    let r = post(
        app,
        &format!("/api/v1/transport/plans/{today}"),
        json!({"seconds": 0.5}),
    )
    .await;
    assert_eq!(r.status(), 200, "{:?}", r.text().await);
    r.json().await.unwrap()
}

#[tokio::test]
async fn a_driver_action_is_one_event_in_the_log_even_when_replayed() {
    // Arrange: today planned; the driver of a vehicle with a trip, and a dispatcher's socket.
    let app = spawn_at_ten().await;
    let out = plan_today(&app).await;
    let route = out["plan"]["routes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| !r["stops"].as_array().unwrap().is_empty())
        .unwrap()
        .clone();
    let vehicle = route["vehicle_id"].as_str().unwrap();
    let trip = route["stops"][0]["trip_id"].as_str().unwrap();
    let token = driver_token(&app, "sofer", &vehicle.replace("VAN", "SOFER")).await;
    let mut dispatcher = app.ws_connect(None).await;
    let mut driver = ws_as(&app, &token).await;
    let arrived = json!({"action_id": "act-1", "kind": "arrived", "trip_id": trip});

    // Act: the action, its replay, then another action.
    let first = driver_post(&app, &token, "/api/v1/transport/actions", arrived.clone()).await;
    assert_eq!(first.status(), 201);
    let replay = driver_post(&app, &token, "/api/v1/transport/actions", arrived).await;
    assert_eq!(replay.status(), 200);
    let next = json!({"action_id": "act-2", "kind": "picked_up", "trip_id": trip});
    assert_eq!(
        driver_post(&app, &token, "/api/v1/transport/actions", next)
            .await
            .status(),
        201
    );

    // Assert: both sockets get act-1 once, then act-2 (events come in log order, so a second
    // act-1 would have come between them).
    for ws in [&mut dispatcher, &mut driver] {
        let c = next_change(ws).await;
        assert_eq!(c["action_id"], "act-1");
        assert_eq!(c["reason"], "action");
        assert_eq!(c["action"], "arrived");
        assert_eq!(c["trips"], json!([trip]));
        assert_eq!(c["vehicles"], json!([vehicle]));
        let c = next_change(ws).await;
        assert_eq!(c["action_id"], "act-2");
        assert_eq!(c["action"], "picked_up");
    }
    let logged: Vec<Value> = logged_changes(&app)
        .await
        .into_iter()
        .filter(|c| c["action_id"] == "act-1")
        .collect();
    assert_eq!(logged.len(), 1, "{logged:?}");
    // Ids and codes only: no rider name, phone or address in the event.
    let text = serde_json::to_string(&logged[0]).unwrap();
    assert!(!text.contains("Beneficiar") && !text.contains("+40") && !text.contains("Str."));
}

#[tokio::test]
async fn a_same_day_booking_reaches_the_dispatcher_and_its_driver_and_not_another_driver() {
    // Arrange: today planned; every driver's tablet and a dispatcher listen.
    let app = spawn_at_ten().await;
    plan_today(&app).await;
    let (_, now_s) = dispecer::transport::local_now(&app.state);
    let mut tablets = Vec::new();
    for n in 1..=8 {
        let resource = format!("SOFER-{n:02}");
        let token = driver_token(&app, &format!("sofer{n}"), &resource).await;
        let ws = ws_as(&app, &token).await;
        tablets.push((format!("VAN-{n:02}"), token, ws));
    }
    let mut dispatcher = app.ws_connect(None).await;
    let r = post(
        &app,
        "/api/v1/transport/riders",
        rider("R-NEW", "seated", 7.0),
    )
    .await;
    assert_eq!(r.status(), 201);

    // Act: a booking for later today.
    let trip = book_today(&app, "R-NEW", local_time(now_s + 2.0 * 3600.0)).await;

    // Assert: the dispatcher and the vehicle's driver get the insertion.
    let id = trip["id"].as_str().unwrap();
    let vehicle = trip["vehicle_id"].as_str().expect("inserted into the plan");
    let c = next_change(&mut dispatcher).await;
    assert_eq!(c["reason"], "booking");
    assert_eq!(c["trips"], json!([id]));
    assert_eq!(c["vehicles"], json!([vehicle]));
    let (_, _, own) = tablets.iter_mut().find(|(v, _, _)| v == vehicle).unwrap();
    let c = next_change(own).await;
    assert_eq!(c["trips"], json!([id]));
    assert!(c["plan_version"].as_i64().unwrap() >= 2);
    // Another driver does not: the next change they see is the one sent to them afterwards
    // (an incident they report), not the booking.
    let (other_vehicle, other_token, other) =
        tablets.iter_mut().find(|(v, _, _)| v != vehicle).unwrap();
    let r = driver_post(
        &app,
        other_token,
        "/api/v1/transport/actions",
        json!({"action_id": "inc-1", "kind": "incident", "incident": "breakdown"}),
    )
    .await;
    assert_eq!(r.status(), 201);
    let c = next_change(other).await;
    assert_eq!(c["action_id"], "inc-1");
    assert_eq!(c["vehicles"], json!([other_vehicle.as_str()]));
}

/// Today's plan of VAN-01 built by hand: a trip whose pick-up is planned now, then a second
/// one. With `tight`, the second is to be picked up between +30 and +50 minutes, so a large delay
/// pushes it out of its window; otherwise both have wide windows (arrive by late afternoon). With
/// `fleet`, the demo fleet's other vehicles can take a trip; otherwise VAN-01 is alone.
async fn one_vehicle_plan(app: &TestApp, tight: bool, fleet: bool) -> (String, Vec<String>) {
    seed_fleet(app).await;
    let (today, now_s) = dispecer::transport::local_now(&app.state);
    let store = &app.state.transport.store;
    if !fleet {
        for mut v in store.vehicles().await.unwrap() {
            if v.id != "VAN-01" {
                // Off shift all day: it can take nothing.
                v.shift_start = local_time(0.0);
                v.shift_end = local_time(60.0);
                store.put_vehicle(&v).await.unwrap();
            }
        }
    }
    let mut trips = Vec::new();
    for i in 0..2 {
        let id = format!("R-{i:03}");
        let body = rider(&id, "seated", i as f64);
        assert_eq!(
            post(app, "/api/v1/transport/riders", body).await.status(),
            201
        );
        let r = app.state.transport.store.rider(&id).await.unwrap().unwrap();
        let home = r.places[0].spot.clone();
        let dialysis = r.places[1].spot.clone();
        trips.push(Trip {
            id: format!("T-LIVE-{i}"),
            rider_id: id,
            date: today,
            series_id: None,
            is_return: false,
            pickup: home,
            dropoff: dialysis,
            timing: if tight && i == 1 {
                TimingKind::PickupAt
            } else {
                TimingKind::ArriveBy
            },
            time: if tight && i == 1 {
                local_time(now_s + 1800.0)
            } else {
                local_time(now_s + 5.0 * 3600.0)
            },
            status: TripStatus::Booked,
            booked_by: "test".into(),
            booked_at: Utc::now(),
            arrived_at: None,
            picked_up_at: None,
            dropped_off_at: None,
            no_show_reason: None,
            cancellation: None,
            sms_answer: None,
            kind: dispecer::transport::model::TripKind::Trip,
            run: None,
        });
    }
    store.insert_trips(&trips).await.unwrap();
    let stop = |t: &Trip, pickup: bool, time_s: f64| PlanStop {
        trip_id: t.id.clone(),
        pickup,
        time_s,
    };
    let plan = DayPlan {
        date: today,
        version: 1,
        computed_at: Utc::now(),
        routes: vec![VehicleRoute {
            vehicle_id: "VAN-01".into(),
            stops: vec![
                stop(&trips[0], true, now_s),
                stop(&trips[0], false, now_s + 1200.0),
                stop(&trips[1], true, now_s + 1800.0),
                stop(&trips[1], false, now_s + 3000.0),
            ],
            metres: 10_000.0,
        }],
        unserved: vec![],
        pinned: vec![],
        problems: vec![],
        solve_ms: 0,
        promised: Default::default(),
    };
    assert!(store.put_plan(&plan).await.unwrap());
    let home = trips[0].pickup.position;
    (
        format!("{},{}", home.lon, home.lat),
        trips.into_iter().map(|t| t.id).collect(),
    )
}

async fn send_position(app: &TestApp, token: &str, lon: f64, lat: f64) -> Value {
    let r = driver_post(
        app,
        token,
        "/api/v1/transport/position",
        json!({"lon": lon, "lat": lat}),
    )
    .await;
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

#[tokio::test]
async fn a_late_position_shifts_the_remaining_stops_and_repeats_emit_nothing_until_later_again() {
    // Arrange: VAN-01's first pick-up is planned now; its driver is ~12 km away.
    let app = spawn_at_ten().await;
    let (home, trips) = one_vehicle_plan(&app, false, true).await;
    let (lon, lat) = home.split_once(',').unwrap();
    let (lon, lat): (f64, f64) = (lon.parse().unwrap(), lat.parse().unwrap());
    let token = driver_token(&app, "sofer1", "SOFER-01").await;
    let mut driver = ws_as(&app, &token).await;
    let mut dispatcher = app.ws_connect(None).await;
    let (today, _) = dispecer::transport::local_now(&app.state);
    let before = app
        .state
        .transport
        .store
        .plan(today)
        .await
        .unwrap()
        .unwrap();

    // Act: a position far from the first pick-up.
    let far = (lon, lat + 0.11);
    let answer = send_position(&app, &token, far.0, far.1).await;

    // Assert: late by more than the 5-minute threshold; every remaining stop moved later, in
    // order, and the change is pushed to the dispatcher and the driver.
    let minutes = answer["delay_minutes"].as_u64().expect("a delay");
    assert!(minutes > 5, "{answer}");
    let after = app
        .state
        .transport
        .store
        .plan(today)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(after.version, before.version + 1);
    let (old, new) = (&before.routes[0].stops, &after.routes[0].stops);
    assert!(new[0].time_s >= old[0].time_s + 5.0 * 60.0);
    assert!(new.iter().zip(old).all(|(n, o)| n.time_s >= o.time_s));
    assert!(new.windows(2).all(|w| w[1].time_s > w[0].time_s));
    // The stops moved; the times promised to the riders did not, and the plan shows how late
    // the vehicle runs against them (also after a reload of the page).
    for t in &trips {
        assert_eq!(after.promised_s(t), before.promised_s(t), "{t}");
        assert!(after.pickup_s(t) >= before.pickup_s(t), "{t}");
    }
    let view: Value = app
        .get_as(
            Role::Dispatcher,
            &format!("/api/v1/transport/plans/{today}"),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(view["routes"][0]["vehicle_id"], "VAN-01");
    assert_eq!(
        view["routes"][0]["delay_minutes"], minutes,
        "{}",
        view["routes"]
    );
    for ws in [&mut driver, &mut dispatcher] {
        let c = next_change(ws).await;
        assert_eq!(c["reason"], "delay");
        assert_eq!(c["delay_minutes"], minutes);
        assert_eq!(c["vehicles"], json!(["VAN-01"]));
        assert_eq!(c["plan_version"], after.version);
    }

    // Act: the same position again, and one a little closer (on time against the shifted plan).
    let again = send_position(&app, &token, far.0, far.1).await;
    let closer = send_position(&app, &token, far.0, far.1 - 0.01).await;

    // Assert: nothing new.
    assert!(again["delay_minutes"].is_null(), "{again}");
    assert!(closer["delay_minutes"].is_null(), "{closer}");
    assert_eq!(
        app.state
            .transport
            .store
            .plan(today)
            .await
            .unwrap()
            .unwrap()
            .version,
        after.version
    );

    // Act: much further away: late again against the shifted plan.
    let answer = send_position(&app, &token, far.0, far.1 + 0.2).await;

    // Assert: one more delay change, and it is the next one on the sockets (the repeats emitted
    // none). The trips have wide windows: nothing was moved, nothing was raised.
    assert!(answer["delay_minutes"].as_u64().unwrap() > 5, "{answer}");
    let c = next_change(&mut driver).await;
    assert_eq!(c["reason"], "delay");
    assert_eq!(c["plan_version"], after.version + 1);
    let delays = logged_changes(&app)
        .await
        .into_iter()
        .filter(|c| c["reason"] == "delay")
        .count();
    assert_eq!(delays, 2);
    let moved = app
        .state
        .transport
        .store
        .plan(today)
        .await
        .unwrap()
        .unwrap();
    assert!(trips.iter().all(|t| moved.vehicle_of(t) == Some("VAN-01")));
}

#[tokio::test]
async fn a_trip_a_late_vehicle_can_no_longer_serve_in_its_window_moves_to_another_vehicle() {
    // Arrange: VAN-01 is ~35 km away; its second trip must be picked up within 50 minutes.
    let app = spawn_at_ten().await;
    let (home, trips) = one_vehicle_plan(&app, true, true).await;
    let (lon, lat) = home.split_once(',').unwrap();
    let (lon, lat): (f64, f64) = (lon.parse().unwrap(), lat.parse().unwrap());
    let token = driver_token(&app, "sofer1", "SOFER-01").await;
    let mut dispatcher = app.ws_connect(None).await;
    let (today, _) = dispecer::transport::local_now(&app.state);

    // Act
    let answer = send_position(&app, &token, lon, lat + 0.32).await;

    // Assert: the tight trip left VAN-01 for another vehicle named in the change; the other stays.
    assert!(answer["delay_minutes"].as_u64().unwrap() > 25, "{answer}");
    let plan = app
        .state
        .transport
        .store
        .plan(today)
        .await
        .unwrap()
        .unwrap();
    let new_vehicle = plan
        .vehicle_of(&trips[1])
        .expect("still planned")
        .to_owned();
    assert_ne!(new_vehicle, "VAN-01");
    assert_eq!(plan.vehicle_of(&trips[0]), Some("VAN-01"));
    let c = next_change(&mut dispatcher).await;
    assert_eq!(c["reason"], "delay");
    assert_eq!(c["trips"], json!([trips[1]]));
    assert_eq!(c["vehicles"], json!(["VAN-01", new_vehicle]));
    let queue = app.queue().await;
    assert_eq!(queue["items"].as_array().unwrap().len(), 0, "{queue}");
}

#[tokio::test]
async fn a_late_trip_no_vehicle_can_take_becomes_one_queue_item() {
    // Arrange: as above, but VAN-01 is the only vehicle on shift.
    let app = spawn_at_ten().await;
    let (home, trips) = one_vehicle_plan(&app, true, false).await;
    let (lon, lat) = home.split_once(',').unwrap();
    let (lon, lat): (f64, f64) = (lon.parse().unwrap(), lat.parse().unwrap());
    let token = driver_token(&app, "sofer1", "SOFER-01").await;

    // Act: late, then later still (a second delay change for the same trip).
    let first = send_position(&app, &token, lon, lat + 0.32).await;
    let second = send_position(&app, &token, lon, lat + 0.6).await;

    // Assert: two delay changes, one queue item naming the trip and the vehicle only.
    assert!(first["delay_minutes"].as_u64().unwrap() > 25, "{first}");
    assert!(second["delay_minutes"].is_u64(), "{second}");
    let (today, _) = dispecer::transport::local_now(&app.state);
    let plan = app
        .state
        .transport
        .store
        .plan(today)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(plan.vehicle_of(&trips[1]), Some("VAN-01"));
    let queue = app.queue().await;
    let items = queue["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{queue}");
    let text = items[0]["item"].to_string();
    assert!(
        text.contains(&trips[1]) && text.contains("VAN-01"),
        "{text}"
    );
    assert!(
        !text.contains("Beneficiar") && !text.contains("Str."),
        "{text}"
    );
}

#[tokio::test]
async fn after_the_day_s_last_stop_the_tablet_stays_on_today_with_every_stop_done() {
    // Arrange: VAN-01 has two trips today; tomorrow it has one more, and VAN-02 one, nothing
    // today.
    let app = spawn_at_ten().await;
    let (_, trips) = one_vehicle_plan(&app, false, true).await;
    let (today, _) = dispecer::transport::local_now(&app.state);
    let tomorrow = today + chrono::Duration::days(1);
    for (i, van) in [(0, "VAN-01"), (1, "VAN-02")] {
        let r = post(
            &app,
            "/api/v1/transport/bookings",
            json!({
                "rider": format!("R-{i:03}"), "date": tomorrow, "pickup": {"place": "home"},
                "dropoff": {"place": "dialysis"}, "timing": "pickup_at", "time": "09:00:00",
            }),
        )
        .await;
        assert_eq!(r.status(), 201, "{:?}", r.text().await);
        let body: Value = r.json().await.unwrap();
        let trip = body["trips"][0]["id"].as_str().unwrap().to_owned();
        if i == 0 {
            let r = post(
                &app,
                &format!("/api/v1/transport/plans/{tomorrow}"),
                json!({"seconds": 0.5}),
            )
            .await;
            assert_eq!(r.status(), 200, "{:?}", r.text().await);
        }
        let r = post(
            &app,
            &format!("/api/v1/transport/plans/{tomorrow}/move"),
            json!({"trip_id": trip, "vehicle_id": van}),
        )
        .await;
        assert_eq!(r.status(), 200, "{:?}", r.text().await);
    }
    let token = driver_token(&app, "sofer1", "SOFER-01").await;
    let path = "/api/v1/transport/manifest";
    assert_eq!(driver_get(&app, &token, path).await["date"], json!(today));

    // Act: the driver works both of today's trips.
    for (n, trip) in trips.iter().enumerate() {
        for kind in ["arrived", "picked_up", "dropped_off"] {
            let r = driver_post(
                &app,
                &token,
                "/api/v1/transport/actions",
                json!({"action_id": format!("end-{n}-{kind}"), "kind": kind, "trip_id": trip}),
            )
            .await;
            assert_eq!(r.status(), 201, "{kind}: {:?}", r.text().await);
        }
    }

    // Assert: the tablet still shows today, every stop done; tomorrow's work is one date away.
    let now = driver_get(&app, &token, path).await;
    assert_eq!(now["date"], json!(today));
    let stops = now["stops"].as_array().unwrap();
    assert_eq!(stops.len(), 4);
    assert!(
        stops.iter().all(|s| s["status"] == "dropped_off"),
        "{stops:?}"
    );
    // The next day's work is named, with its first stop (the 09:00 pick-up booked above).
    assert_eq!(now["next"]["date"], json!(tomorrow), "{now}");
    assert_eq!(now["next"]["first_stop"], "09:00", "{now}");
    let later = driver_get(&app, &token, &format!("{path}?date={tomorrow}")).await;
    assert_eq!(later["stops"].as_array().unwrap().len(), 2, "{later}");
    assert!(
        later.get("next").is_none(),
        "only when the day shown has no work left: {later}"
    );
    // A vehicle with nothing today still opens its next day with work.
    let r = app
        .get_as(
            Role::Dispatcher,
            "/api/v1/transport/manifest?vehicle=VAN-02",
        )
        .await;
    let van2: Value = r.json().await.unwrap();
    assert_eq!(van2["date"], json!(tomorrow), "{van2}");
}

#[tokio::test]
async fn a_trip_of_a_later_day_cannot_be_picked_up_or_marked_a_no_show_before_its_day() {
    // Arrange: an installation in service (no rehearsal); VAN-01 works today, and has one more
    // trip tomorrow.
    let (mut config, dir) = test_config().await;
    config.queue.timezone = zone_at_ten();
    config.transport.rehearsal = false;
    let app = spawn_with(config, dir).await;
    let (_, trips) = one_vehicle_plan(&app, false, true).await;
    let (today, _) = dispecer::transport::local_now(&app.state);
    let tomorrow = today + chrono::Duration::days(1);
    let r = post(
        &app,
        "/api/v1/transport/bookings",
        json!({
            "rider": "R-000", "date": tomorrow, "pickup": {"place": "home"},
            "dropoff": {"place": "dialysis"}, "timing": "pickup_at", "time": "09:00:00",
        }),
    )
    .await;
    assert_eq!(r.status(), 201, "{:?}", r.text().await);
    let later: Value = r.json().await.unwrap();
    let later = later["trips"][0]["id"].as_str().unwrap().to_owned();
    let plan = format!("/api/v1/transport/plans/{tomorrow}");
    assert_eq!(
        post(&app, &plan, json!({"seconds": 0.5})).await.status(),
        200
    );
    let r = post(
        &app,
        &format!("{plan}/move"),
        json!({"trip_id": later, "vehicle_id": "VAN-01"}),
    )
    .await;
    assert_eq!(r.status(), 200, "{:?}", r.text().await);
    let token = driver_token(&app, "sofer1", "SOFER-01").await;
    // The tablet is told which day takes its steps: today, not tomorrow.
    let path = "/api/v1/transport/manifest";
    assert_eq!(driver_get(&app, &token, path).await["steps_open"], true);
    let ahead = driver_get(&app, &token, &format!("{path}?date={tomorrow}")).await;
    assert_eq!(ahead["steps_open"], false, "{ahead}");

    // Act: the steps of tomorrow's trip, today.
    for kind in ["arrived", "picked_up", "no_show"] {
        let r = driver_post(
            &app,
            &token,
            "/api/v1/transport/actions",
            json!({"action_id": format!("early-{kind}"), "kind": kind, "trip_id": later}),
        )
        .await;

        // Assert: refused with the reason, and the trip is untouched.
        assert_eq!(r.status(), 409, "{kind}");
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["error"]["reason"], "trip_not_today", "{body}");
    }
    let r = app
        .get_as(
            Role::Dispatcher,
            &format!("/api/v1/transport/bookings?date={tomorrow}"),
        )
        .await;
    let booked: Value = r.json().await.unwrap();
    let trip = booked["trips"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == json!(later))
        .unwrap();
    assert_eq!(trip["status"], "booked", "{trip}");
    // An incident may still name it, and today's trips take their steps as before.
    let r = driver_post(
        &app,
        &token,
        "/api/v1/transport/actions",
        json!({"action_id": "early-incident", "kind": "incident", "incident": "breakdown", "trip_id": later}),
    )
    .await;
    assert_eq!(r.status(), 201, "{:?}", r.text().await);
    let r = driver_post(
        &app,
        &token,
        "/api/v1/transport/actions",
        json!({"action_id": "today-arrived", "kind": "arrived", "trip_id": trips[0]}),
    )
    .await;
    assert_eq!(r.status(), 201, "{:?}", r.text().await);
}
