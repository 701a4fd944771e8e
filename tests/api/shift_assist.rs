//! The dispatcher's shift, server side of the assignment help, the supervisor and call-back:
//! candidates ranked by ETA, reassigning and unassigning, the supervisor's overview, and
//! outbound calls through the provider's Calls API.

use std::time::{Duration, Instant};

use chrono::{Timelike, Utc};
use dispecer::access::Role;
use dispecer::transport::model::{
    DayPlan, Mobility, PlanStop, Rider, Spot, TimingKind, Trip, TripStatus, Vehicle, VehicleRoute,
};
use routing::travel::LonLat;
use serde_json::{json, Value};

use crate::emergency::{register_device, twilio_signature, AUTH_TOKEN};
use crate::fake_calls::FakeCalls;
use crate::helpers::{spawn_app, spawn_with, test_config, TestApp};

async fn with_network() -> TestApp {
    let (mut config, dir) = test_config().await;
    config.routing.enabled = true;
    let app = spawn_with(config, dir).await;
    let deadline = Instant::now() + Duration::from_secs(300);
    while app.state.network.get().is_none() {
        assert!(Instant::now() < deadline, "road network did not load");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    app
}

/// Registers a resource and places it.
async fn resource(app: &TestApp, id: &str, kind: &str, wheelchair: u32, at: (f64, f64)) {
    let r = app
        .post_as(
            Role::Supervisor,
            "/api/v1/resources",
            &json!({ "id": id, "kind": kind, "name": id, "seats": 4, "wheelchair_places": wheelchair }),
        )
        .await;
    assert_eq!(r.status(), 201, "register {id}");
    let r = app
        .post_as(
            Role::Dispatcher,
            &format!("/api/v1/resources/{id}/position"),
            &json!({ "lon": at.0, "lat": at.1 }),
        )
        .await;
    assert_eq!(r.status(), 200, "place {id}");
}

async fn json_of(r: reqwest::Response) -> (u16, Value) {
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

fn spot(lon: f64, lat: f64) -> Spot {
    Spot {
        address: "Str. Exemplu 1 (fictiv)".into(),
        position: LonLat::new(lon, lat),
    }
}

/// Today's transport: VAN-01 (driven by SOFER-01) carries a rider now; VAN-03 (driven by
/// SOFER-03) has nothing planned.
async fn transport_day(app: &TestApp) {
    let store = app.state.transport.store.clone();
    for (van, driver) in [("VAN-01", "SOFER-01"), ("VAN-03", "SOFER-03")] {
        store
            .put_vehicle(&Vehicle {
                id: van.into(),
                seats: 4,
                wheelchair_places: 1,
                ramp: true,
                depot: LonLat::new(21.2, 45.75),
                driver: Some(driver.into()),
                shift_start: chrono::NaiveTime::from_hms_opt(0, 0, 0).unwrap(),
                shift_end: chrono::NaiveTime::from_hms_opt(23, 59, 0).unwrap(),
            })
            .await
            .unwrap();
    }
    store
        .put_rider(&Rider {
            id: "R-ASSIST".into(),
            name: "Rider Test (fictiv)".into(),
            phone: None,
            carer_phone: None,
            mobility: Mobility::Seated,
            door_assistance: false,
            companion: false,
            notes: String::new(),
            places: vec![],
            certificate: None,
        })
        .await
        .unwrap();
    let now = Utc::now().with_timezone(&chrono_tz::Europe::Bucharest);
    let today = now.date_naive();
    store
        .insert_trips(&[Trip {
            id: "T-ASSIST".into(),
            rider_id: "R-ASSIST".into(),
            date: today,
            series_id: None,
            is_return: false,
            pickup: spot(21.20, 45.75),
            dropoff: spot(21.25, 45.74),
            timing: TimingKind::PickupAt,
            time: now.time(),
            status: TripStatus::PickedUp,
            booked_by: "test".into(),
            booked_at: Utc::now(),
            arrived_at: None,
            picked_up_at: Some(Utc::now()),
            dropped_off_at: None,
            no_show_reason: None,
            cancellation: None,
            sms_answer: None,
            kind: dispecer::transport::model::TripKind::Trip,
            run: None,
        }])
        .await
        .unwrap();
    // A pick-up two hours ago and a drop-off in two hours: only the rider aboard makes it busy.
    let s = f64::from(now.num_seconds_from_midnight());
    let stops = vec![
        PlanStop {
            trip_id: "T-ASSIST".into(),
            pickup: true,
            time_s: (s - 7200.0).max(0.0),
        },
        PlanStop {
            trip_id: "T-ASSIST".into(),
            pickup: false,
            time_s: s + 7200.0,
        },
    ];
    let plan = DayPlan {
        date: today,
        version: 1,
        computed_at: Utc::now(),
        routes: vec![VehicleRoute {
            vehicle_id: "VAN-01".into(),
            stops,
            metres: 0.0,
        }],
        unserved: vec![],
        pinned: vec![],
        problems: vec![],
        solve_ms: 0,
        promised: Default::default(),
    };
    assert!(store.put_plan(&plan).await.unwrap());
}

#[tokio::test]
async fn candidates_are_ranked_by_eta_with_a_van_on_a_transport_run_busy_and_pairs_named() {
    // Arrange: a wheelchair booking at Piața Victoriei; vans with and without wheelchair
    // places, near and far; VAN-01 carries a transport rider now.
    let app = with_network().await;
    transport_day(&app).await;
    resource(&app, "VAN-01", "vehicle", 1, (21.2260, 45.7540)).await;
    resource(&app, "VAN-02", "vehicle", 0, (21.2270, 45.7545)).await;
    resource(&app, "VAN-03", "vehicle", 1, (21.1900, 45.7700)).await;
    resource(&app, "VAN-04", "vehicle", 1, (21.2600, 45.7300)).await;
    resource(&app, "SOFER-01", "driver", 0, (21.2262, 45.7541)).await;
    resource(&app, "SOFER-03", "driver", 0, (21.1901, 45.7701)).await;
    let start = Utc::now();
    let r = app
        .post_as(
            Role::Dispatcher,
            "/api/v1/bookings",
            &json!({
                "rider": "R-0042",
                "pickup": { "address": "Piața Victoriei", "lon": 21.2250, "lat": 45.7535 },
                "dropoff": { "address": "Spitalul Județean", "lon": 21.24, "lat": 45.74 },
                "window": { "start": start, "end": start + chrono::Duration::minutes(30) },
                "needs": { "wheelchair": true },
            }),
        )
        .await;
    assert_eq!(r.status(), 201);
    let item: Value = r.json().await.unwrap();
    let id = item["id"].as_str().unwrap();

    // Act
    let t = Instant::now();
    let (status, body) = json_of(
        app.get_as(Role::Dispatcher, &format!("/api/v1/items/{id}/candidates"))
            .await,
    )
    .await;
    let took = t.elapsed();

    // Assert
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["item_id"], id);
    assert_eq!(body["position"]["lon"], 21.2250);
    let list = body["candidates"].as_array().unwrap();
    assert_eq!(list.len(), 6);
    let by_id = |rid: &str| {
        list.iter()
            .find(|c| c["resource"]["id"] == rid)
            .unwrap_or_else(|| panic!("{rid} in {body}"))
    };
    for c in list {
        assert!(c["eta_s"].as_u64().is_some(), "an ETA by road: {c}");
        assert!(c["distance_m"].as_u64().unwrap() > 0, "{c}");
    }
    let free: Vec<&str> = list
        .iter()
        .take_while(|c| c["suitable"] == true && c["busy"] == false)
        .map(|c| c["resource"]["id"].as_str().unwrap())
        .collect();
    let mut free_sorted = free.clone();
    free_sorted.sort_unstable();
    assert_eq!(free_sorted, ["SOFER-03", "VAN-03", "VAN-04"], "{body}");
    let etas: Vec<u64> = list
        .iter()
        .take(free.len())
        .map(|c| c["eta_s"].as_u64().unwrap())
        .collect();
    assert!(etas.windows(2).all(|w| w[0] <= w[1]), "by ETA: {etas:?}");
    assert_eq!(by_id("VAN-01")["reasons"], json!(["busy_transport"]));
    assert_eq!(by_id("SOFER-01")["reasons"], json!(["busy_transport"]));
    assert_eq!(by_id("VAN-02")["reasons"], json!(["no_wheelchair"]));
    assert_eq!(by_id("VAN-02")["suitable"], false);
    assert_eq!(by_id("VAN-03")["pair"], "SOFER-03");
    assert_eq!(by_id("SOFER-03")["pair"], "VAN-03");
    assert!(by_id("VAN-04").get("pair").is_none());
    // Not a timed assertion (see `dispecer bench assign`), only a sanity bound.
    assert!(took < Duration::from_secs(5), "{took:?}");
}

#[tokio::test]
async fn without_the_road_network_candidates_get_the_straight_line_and_a_dv_case_needs_emiu() {
    // Arrange: no road network; a domestic-violence call at a known place, handled by the
    // first dispatcher.
    let app = spawn_app().await;
    resource(&app, "EMIU-1", "emiu_team", 0, (21.30, 45.76)).await;
    resource(&app, "SOFER-02", "driver", 0, (21.23, 45.75)).await;
    let r = app
        .post_as(
            Role::Telephony,
            "/api/v1/calls",
            &json!({
                "caller_number": "+40722000301", "category": "domestic_violence",
                "immediate_danger": true,
                "location": { "address": "Str. Exemplu 5 (fictiv)", "lon": 21.229, "lat": 45.751 },
            }),
        )
        .await;
    assert_eq!(r.status(), 201);
    let id = r.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(app.act(&id, "acknowledge", json!({})).await.status(), 200);
    let path = format!("/api/v1/items/{id}/candidates");

    // Act
    let (status, handler) = json_of(app.get_as(Role::Dispatcher, &path).await).await;
    app.add_user("dana", Role::Dispatcher, None).await;
    let dana = app.login_token("dana").await;
    let redacted: Value = app
        .client
        .get(format!("{}{path}", app.address))
        .bearer_auth(&dana)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let driver = app.get_as(Role::Driver, &path).await.status();

    // Assert: the EMIU team first, the driver unsuitable; distances as the crow flies.
    assert_eq!(status, 200);
    let list = handler["candidates"].as_array().unwrap();
    assert_eq!(list[0]["resource"]["id"], "EMIU-1");
    assert!(list[0]["eta_s"].is_null());
    let d = list[0]["distance_m"].as_u64().unwrap();
    assert!((5000..6000).contains(&d), "straight line {d}");
    assert_eq!(list[1]["reasons"], json!(["not_emiu"]));
    // A dispatcher who sees the case redacted learns nothing of where it is.
    assert!(redacted.get("position").is_none(), "{redacted}");
    assert!(redacted["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["eta_s"].is_null() && c["distance_m"].is_null()));
    assert_eq!(driver, 403);
    // Every look at the case's candidates is in its read audit.
    let audit: Value = app
        .get_as(Role::Supervisor, &format!("/api/v1/items/{id}/audit"))
        .await
        .json()
        .await
        .unwrap();
    let reads: Vec<&Value> = audit["reads"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["action"] == "view_candidates")
        .collect();
    assert_eq!(reads.len(), 2, "{audit}");
}

async fn get_with(app: &TestApp, token: &str, path: &str) -> Value {
    app.client
        .get(format!("{}{path}", app.address))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_reassign_moves_who_sees_a_domestic_violence_case_in_full() {
    // Arrange: a DV case handled by the first dispatcher; dana is another dispatcher.
    let app = spawn_app().await;
    app.add_user("dana", Role::Dispatcher, None).await;
    app.add_user("sofer1", Role::Driver, Some("SOFER-01")).await;
    let dana = app.login_token("dana").await;
    let r = app
        .post_as(
            Role::Telephony,
            "/api/v1/calls",
            &json!({ "caller_number": "+40722000302", "category": "domestic_violence", "immediate_danger": false, "notes": "agresorul e acasă (fictiv)" }),
        )
        .await;
    let id = r.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(app.act(&id, "acknowledge", json!({})).await.status(), 200);
    let path = format!("/api/v1/items/{id}");
    let reassign = format!("/api/v1/items/{id}/reassign");
    let before = get_with(&app, &dana, &path).await;
    // The first dispatcher's console holds the case in full.
    let mut first_ws = app.ws_connect(None).await;
    let snapshot = first_ws.next_json().await;
    assert!(snapshot.to_string().contains("agresorul"), "{snapshot}");

    // Act
    let by_dispatcher = app
        .post_as(Role::Dispatcher, &reassign, &json!({ "to": "dana" }))
        .await
        .status();
    let (bad_user, bad_user_body) = json_of(
        app.post_as(Role::Supervisor, &reassign, &json!({ "to": "nimeni" }))
            .await,
    )
    .await;
    let (driver_target, _) = json_of(
        app.post_as(Role::Supervisor, &reassign, &json!({ "to": "sofer1" }))
            .await,
    )
    .await;
    let (ok, answer) = json_of(
        app.post_as(Role::Supervisor, &reassign, &json!({ "to": "dana" }))
            .await,
    )
    .await;
    let after_dana = get_with(&app, &dana, &path).await;
    let withdrawn = loop {
        let m = first_ws.next_json().await;
        if m["type"] == "item" {
            break m;
        }
    };
    let after_first: Value = app
        .get_as(Role::Dispatcher, &path)
        .await
        .json()
        .await
        .unwrap();

    // Assert
    assert_eq!(before["item"]["redacted"], true, "{before}");
    assert_eq!(by_dispatcher, 403);
    assert_eq!(bad_user, 422);
    assert_eq!(bad_user_body["error"]["field"], "to");
    assert_eq!(driver_target, 422);
    assert_eq!(ok, 200, "{answer}");
    assert_eq!(answer["handler"], "dana");
    assert_ne!(after_dana["item"]["redacted"], true, "{after_dana}");
    assert_eq!(
        after_dana["item"]["details"]["notes"],
        "agresorul e acasă (fictiv)"
    );
    assert_eq!(after_first["item"]["redacted"], true, "{after_first}");
    // Its console is sent the redacted copy in place of the full one.
    assert_eq!(withdrawn["type"], "item", "{withdrawn}");
    assert_eq!(withdrawn["item"]["redacted"], true, "{withdrawn}");
    assert!(!withdrawn.to_string().contains("agresorul"));
    let history: Value = app
        .get_as(Role::Supervisor, &format!("/api/v1/items/{id}/events"))
        .await
        .json()
        .await
        .unwrap();
    let changed = history["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["event"]["type"] == "handler_changed")
        .unwrap_or_else(|| panic!("{history}"));
    assert_eq!(changed["event"]["from"], "test-dispatcher");
    assert_eq!(changed["event"]["to"], "dana");
    assert_eq!(changed["actor"], "test-supervisor");
}

#[tokio::test]
async fn unassign_frees_the_resources_and_an_item_left_without_any_is_acknowledged_again() {
    // Arrange: an alert taken by the first dispatcher with two vans.
    let app = spawn_app().await;
    resource(&app, "VAN-01", "vehicle", 1, (21.22, 45.75)).await;
    resource(&app, "VAN-02", "vehicle", 1, (21.23, 45.75)).await;
    app.add_user("dana", Role::Dispatcher, None).await;
    let dana = app.login_token("dana").await;
    let id = app.new_alert("TA-UN-1", "fall").await;
    assert_eq!(app.act(&id, "acknowledge", json!({})).await.status(), 200);
    let r = app
        .act(&id, "assign", json!({ "resources": ["VAN-01", "VAN-02"] }))
        .await;
    assert_eq!(r.status(), 200);
    let path = format!("/api/v1/items/{id}/unassign");
    let mut ws = app.ws_connect(None).await;
    let _snapshot = ws.next_json().await;

    // Act
    let not_handler = app
        .client
        .post(format!("{}{path}", app.address))
        .bearer_auth(&dana)
        .json(&json!({ "resources": ["VAN-01"] }))
        .send()
        .await
        .unwrap();
    let not_handler_status = not_handler.status();
    let not_handler: Value = not_handler.json().await.unwrap();
    let (unknown, unknown_body) = json_of(
        app.act(&id, "unassign", json!({ "resources": ["VAN-09"] }))
            .await,
    )
    .await;
    let (one, one_body) = json_of(
        app.act(&id, "unassign", json!({ "resources": ["VAN-01"] }))
            .await,
    )
    .await;
    let event = ws.wait_for("unassigned").await;
    let (two, two_body) = json_of(
        app.post_as(Role::Supervisor, &path, &json!({ "resources": ["VAN-02"] }))
            .await,
    )
    .await;

    // Assert
    assert_eq!(not_handler_status, 403);
    assert_eq!(not_handler["error"]["reason"], "not_handler");
    assert_eq!(unknown, 422);
    assert_eq!(unknown_body["error"]["field"], "resources[0]");
    assert_eq!(one, 200);
    assert_eq!(one_body["status"], "assigned");
    assert_eq!(one_body["assigned_to"], json!(["VAN-02"]));
    assert_eq!(event["event"]["resources"], json!(["VAN-01"]));
    assert_eq!(event["actor"], "test-dispatcher");
    assert_eq!(two, 200);
    assert_eq!(two_body["status"], "acknowledged");
    assert_eq!(two_body["assigned_to"], json!([]));
    let resources: Value = app
        .get_as(Role::Dispatcher, "/api/v1/resources")
        .await
        .json()
        .await
        .unwrap();
    for r in resources["resources"].as_array().unwrap() {
        assert_eq!(r["status"], "available", "{r}");
        assert!(r["current_item"].is_null(), "{r}");
    }
    // Both vans can be assigned again.
    let again = app
        .act(&id, "assign", json!({ "resources": ["VAN-01"] }))
        .await;
    assert_eq!(again.status(), 200);
}

#[tokio::test]
async fn the_overview_shows_who_is_logged_in_where_each_dispatchers_load_and_the_day() {
    // Arrange: dana works the queue from her browser; the first dispatcher took an alert.
    let app = spawn_app().await;
    app.add_user("dana", Role::Dispatcher, None).await;
    app.add_user("sef", Role::Supervisor, None).await;
    let browser = app.login_browser("dana").await;
    let r = browser
        .get(format!("{}/api/v1/queue", app.address))
        .header("x-console-page", "queue")
        .header("x-forwarded-for", "10.1.2.3")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // sef has the supervisor screen open over the websocket.
    let sef_token = app.login_token("sef").await;
    let url = format!(
        "{}/ws?access_token={sef_token}&page=supervisor",
        app.address.replacen("http", "ws", 1)
    );
    let (_sef_ws, _) = tokio_tungstenite::connect_async(url.as_str())
        .await
        .unwrap();
    let taken = app.new_alert("TA-OV-1", "fall").await;
    assert_eq!(
        app.act(&taken, "acknowledge", json!({})).await.status(),
        200
    );
    let _waiting = app.new_alert("TA-OV-2", "button").await;

    // Act: the last-seen write runs beside the request; wait for it.
    let deadline = Instant::now() + Duration::from_secs(5);
    let overview = loop {
        let o: Value = app
            .get_as(Role::Supervisor, "/api/v1/supervisor/overview")
            .await
            .json()
            .await
            .unwrap();
        let sessions = o["sessions"].as_array().unwrap();
        let seen = sessions
            .iter()
            .any(|s| s["username"] == "dana" && s["page"] == "queue")
            && sessions
                .iter()
                .any(|s| s["username"] == "sef" && s["page"] == "supervisor");
        if seen || Instant::now() > deadline {
            break o;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let dispatcher = app
        .get_as(Role::Dispatcher, "/api/v1/supervisor/overview")
        .await
        .status();

    // Assert
    let dana = overview["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["username"] == "dana")
        .unwrap_or_else(|| panic!("{overview}"));
    assert_eq!(dana["role"], "dispatcher");
    assert_eq!(dana["name"], "dana");
    assert_eq!(dana["page"], "queue");
    assert_eq!(dana["from"], "10.1.2.3");
    assert!(dana["since"].is_string() && dana["last_seen"].is_string());
    let sef_session = overview["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["username"] == "sef")
        .unwrap_or_else(|| panic!("{overview}"));
    assert_eq!(sef_session["page"], "supervisor");
    assert_eq!(sef_session["from"], "127.0.0.1");
    let loads = overview["dispatchers"].as_array().unwrap();
    let first = loads
        .iter()
        .find(|d| d["username"] == "test-dispatcher")
        .unwrap_or_else(|| panic!("{overview}"));
    assert_eq!(first["open_items"][0]["id"], taken.as_str());
    assert_eq!(first["open_items"][0]["level"], "P1");
    assert_eq!(first["open_items"][0]["status"], "acknowledged");
    let sef = loads.iter().find(|d| d["username"] == "sef").unwrap();
    assert_eq!(sef["open_items"], json!([]));
    let kpi = &overview["kpi"];
    assert_eq!(kpi["received"], 2);
    assert_eq!(kpi["acknowledged"], 1);
    assert!(kpi["median_ack_s"].as_f64().unwrap() >= 0.0);
    assert_eq!(kpi["open_by_level"]["P1"], 2);
    assert_eq!(kpi["breached"], 0);
    assert_eq!(dispatcher, 403);
}

/// A server whose outbound calls go to `fake`, from +40256000111, connected to +40256000999.
async fn dial_app(fake: &FakeCalls) -> TestApp {
    let (mut config, dir) = test_config().await;
    config.telephony.auth_token = AUTH_TOKEN.to_owned().into();
    config.telephony.public_url = "https://dispecer.example".into();
    config.telephony.calls_from = "+40256000111".into();
    config.telephony.dispatch_desk_number = "+40256000999".into();
    config.sms.base_url = fake.base_url.clone();
    config.sms.account_sid = crate::fake_calls::SID.into();
    config.sms.auth_token = crate::fake_calls::TOKEN.to_owned().into();
    config.sms.poll_ms = 50;
    config.sms.backoff_initial_ms = 50;
    spawn_with(config, dir).await
}

#[tokio::test]
async fn a_carer_is_called_back_through_the_calls_api_and_the_answered_call_reaches_the_desk() {
    // Arrange: an alert from a registered device (carers +40799100001, +40799200001); the
    // provider fails the first attempt.
    let fake = FakeCalls::start().await;
    fake.fail_next(1);
    let app = dial_app(&fake).await;
    register_device(&app, "TA-DIAL-1", "+40256000123", 86_400).await;
    let id = app.new_alert("TA-DIAL-1", "fall").await;
    assert_eq!(app.act(&id, "acknowledge", json!({})).await.status(), 200);

    // Act
    let (status, body) = json_of(
        app.act(&id, "dial", json!({ "target": "carer", "carer": 2 }))
            .await,
    )
    .await;
    let call_id = body["call_id"].as_str().unwrap_or_default().to_owned();
    let placed = fake.wait_for(1, Duration::from_secs(10)).await;

    // Assert: queued, placed once after a retry, to the second carer from our number, with the
    // TwiML of this call.
    assert_eq!(status, 202, "{body}");
    assert_eq!(body["status"], "queued");
    assert_eq!(placed.len(), 1, "{placed:?}");
    let call = &placed[0];
    assert_eq!(call.to, "+40799200001");
    assert_eq!(call.from, "+40256000111");
    assert_eq!(
        call.url,
        format!("https://dispecer.example/telephony/voice/outbound/{call_id}")
    );
    assert_eq!(call.key, call_id);
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let row = app
            .state
            .calls
            .outbox()
            .call(&call_id)
            .await
            .unwrap()
            .unwrap();
        if row.status == "sent" {
            assert_eq!(row.attempts, 2);
            assert_eq!(row.provider_sid.as_deref(), Some(call.sid.as_str()));
            break;
        }
        assert!(Instant::now() < deadline, "row never marked sent: {row:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // The history says who asked to call whom.
    let history: Value = app
        .get_as(Role::Dispatcher, &format!("/api/v1/items/{id}/events"))
        .await
        .json()
        .await
        .unwrap();
    let step = history["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["event"]["type"] == "case_recorded")
        .unwrap_or_else(|| panic!("{history}"));
    assert_eq!(step["event"]["record"]["step"], "dial_requested");
    assert_eq!(step["event"]["record"]["note"], "carer:2");
    assert_eq!(step["actor"], "test-dispatcher");
    // The provider fetches the TwiML once answered: connect to the desk.
    let path = format!("/telephony/voice/outbound/{call_id}");
    let params = [
        ("CallSid", call.sid.as_str()),
        ("CallStatus", "in-progress"),
    ];
    let sig = twilio_signature(
        AUTH_TOKEN,
        &format!("https://dispecer.example{path}"),
        &params,
    );
    let twiml = crate::emergency::webhook_signed(&app, &path, &params, Some(&sig)).await;
    assert_eq!(twiml.status(), 200);
    let twiml = twiml.text().await.unwrap();
    assert!(twiml.contains("<Number>+40256000999</Number>"), "{twiml}");
    let forged = crate::emergency::webhook_signed(&app, &path, &params, Some("AAAA")).await;
    assert_eq!(forged.status(), 403);
}

#[tokio::test]
async fn a_withheld_number_or_a_safe_contact_is_never_dialled() {
    // Arrange: a withheld call, a call from a safe-contact number, an alert of an unknown
    // device.
    let fake = FakeCalls::start().await;
    let app = dial_app(&fake).await;
    let call = |number: Value| {
        let app = &app;
        async move {
            let r = app
                .post_as(
                    Role::Telephony,
                    "/api/v1/calls",
                    &json!({ "caller_number": number, "category": "other", "immediate_danger": false }),
                )
                .await;
            assert_eq!(r.status(), 201);
            let id = r.json::<Value>().await.unwrap()["id"]
                .as_str()
                .unwrap()
                .to_owned();
            assert_eq!(app.act(&id, "acknowledge", json!({})).await.status(), 200);
            id
        }
    };
    let withheld = call(Value::Null).await;
    let blocked = call(json!("+40722000303")).await;
    let blocked_id = dispecer::domain::ItemId(uuid::Uuid::parse_str(&blocked).unwrap());
    app.state
        .emergency
        .block_contact("+40722000303", blocked_id, "test")
        .await
        .unwrap();
    let alert = app.new_alert("TA-NOBODY", "fall").await;
    assert_eq!(
        app.act(&alert, "acknowledge", json!({})).await.status(),
        200
    );

    // Act
    let dial = |id: String, body: Value| {
        let app = &app;
        async move { json_of(app.act(&id, "dial", body).await).await }
    };
    let (w, w_body) = dial(withheld.clone(), json!({ "target": "caller" })).await;
    let (b, b_body) = dial(blocked.clone(), json!({ "target": "caller" })).await;
    let (n, n_body) = dial(alert.clone(), json!({ "target": "beneficiary" })).await;
    let (c, c_body) = dial(alert.clone(), json!({ "target": "carer" })).await;
    let (t, t_body) = dial(alert.clone(), json!({ "target": "police" })).await;
    let driver = app
        .post_as(
            Role::Driver,
            &format!("/api/v1/items/{withheld}/dial"),
            &json!({ "target": "caller" }),
        )
        .await
        .status();

    // Assert
    let message = |b: &Value| b["error"]["reason"].as_str().unwrap_or("").to_owned();
    assert_eq!(w, 422, "{w_body}");
    assert!(message(&w_body).starts_with("no_number"), "{w_body}");
    assert_eq!(b, 409, "{b_body}");
    assert!(message(&b_body).starts_with("contact_blocked"), "{b_body}");
    assert_eq!(n, 422);
    assert!(message(&n_body).starts_with("no_number"), "{n_body}");
    assert_eq!((c, c_body["error"]["field"].clone()), (422, json!("carer")));
    assert_eq!(
        (t, t_body["error"]["field"].clone()),
        (422, json!("target"))
    );
    assert_eq!(driver, 403);
    // A dial is written to the outbox (and its case record to the log) before it is answered,
    // so by now any refused request that had written something would show: no row, no call.
    let queued = app
        .state
        .calls
        .outbox()
        .due_calls(i64::MAX, 100)
        .await
        .unwrap();
    assert!(queued.is_empty(), "nothing was queued: {queued:?}");
    assert!(fake.calls().is_empty(), "nothing was dialled");
    // Nothing in the history either.
    let history: Value = app
        .get_as(Role::Dispatcher, &format!("/api/v1/items/{blocked}/events"))
        .await
        .json()
        .await
        .unwrap();
    assert!(!history.to_string().contains("dial_requested"));
}
