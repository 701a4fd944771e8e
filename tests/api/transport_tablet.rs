//! The driver's tablet beyond the steps of a trip: the emergency button (a P1 item with the
//! van's position, once per action id), incidents with a reason, and the messages between
//! dispatch and a driver (sent, pushed, acknowledged, kept per vehicle and day, a driver seeing
//! only their own vehicle's).

use dispecer::access::Role;
use dispecer::domain::Seq;
use dispecer::events::Event;
use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{spawn_app, TestApp};
use crate::transport::{driver_post, driver_token, seed_fleet};

/// The open items of the queue made from one driver action (by its description's vehicle).
async fn items_about(app: &TestApp, needle: &str) -> Vec<Value> {
    app.queue().await["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["item"].clone())
        .filter(|i| {
            i["details"]["description"]
                .as_str()
                .is_some_and(|d| d.contains(needle))
        })
        .collect()
}

async fn driver_get(app: &TestApp, token: &str, path: &str) -> reqwest::Response {
    app.client
        .get(format!("{}{path}", app.address))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

/// The `transport_changed` events of reason `message` in the log.
async fn logged_message_changes(app: &TestApp) -> Vec<Value> {
    app.state
        .store
        .events_after(Seq(0), 100_000)
        .await
        .unwrap()
        .into_iter()
        .filter_map(|e| match e.event {
            Event::TransportChanged { change } => Some(serde_json::to_value(change).unwrap()),
            _ => None,
        })
        .filter(|c| c["reason"] == "message")
        .collect()
}

#[tokio::test]
async fn a_driver_emergency_is_one_p1_item_with_the_van_position_however_often_it_is_sent() {
    // Arrange: the fleet, VAN-01's driver, a dispatcher's socket.
    let app = spawn_app().await;
    seed_fleet(&app).await;
    let token = driver_token(&app, "sofer1", "SOFER-01").await;
    let mut dispatcher = app.ws_connect(None).await;
    let sos = json!({
        "action_id": "sos-1", "kind": "emergency",
        "position": {"lon": 21.2272, "lat": 45.7537},
        "at": chrono::Utc::now(),
    });

    // Act: pressed, then sent again (the tablet's replay after a lost answer), twice.
    let first = driver_post(&app, &token, "/api/v1/transport/actions", sos.clone()).await;
    let replays = [
        driver_post(&app, &token, "/api/v1/transport/actions", sos.clone()).await,
        driver_post(&app, &token, "/api/v1/transport/actions", sos).await,
    ];

    // Assert: one P1 item by the emergency rule, at the tablet's position, on the dispatcher's
    // socket at once; the replays changed nothing.
    assert_eq!(first.status(), 201);
    for r in replays {
        assert_eq!(r.status(), 200);
    }
    let pushed = dispatcher.wait_for("item_created").await;
    let item = &pushed["event"]["item"];
    assert_eq!(item["priority"]["level"], "P1");
    assert_eq!(item["priority"]["rule"], "transport-driver-emergency");
    assert_eq!(item["details"]["code"], "emergency");
    assert_eq!(item["subject"]["position"]["lon"], 21.2272);
    assert_eq!(item["subject"]["position"]["lat"], 45.7537);
    let items = items_about(&app, "URGENȚĂ ȘOFER VAN-01").await;
    assert_eq!(items.len(), 1, "{items:?}");
    assert_eq!(items[0]["id"], item["id"]);
}

#[tokio::test]
async fn an_emergency_without_a_position_takes_the_van_s_last_gps_fix() {
    // Arrange: the van's tablet sent a fix.
    let app = spawn_app().await;
    seed_fleet(&app).await;
    let token = driver_token(&app, "sofer2", "SOFER-02").await;
    let fix = driver_post(
        &app,
        &token,
        "/api/v1/transport/position",
        json!({"lon": 21.2001, "lat": 45.7402}),
    )
    .await;
    assert_eq!(fix.status(), 200);

    // Act
    let r = driver_post(
        &app,
        &token,
        "/api/v1/transport/actions",
        json!({"action_id": "sos-2", "kind": "emergency", "reason": "pasager agresiv"}),
    )
    .await;

    // Assert
    assert_eq!(r.status(), 201, "{:?}", r.text().await);
    let items = items_about(&app, "URGENȚĂ ȘOFER VAN-02").await;
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["priority"]["level"], "P1");
    assert_eq!(items[0]["subject"]["position"]["lon"], 21.2001);
    assert!(items[0]["details"]["description"]
        .as_str()
        .unwrap()
        .contains("pasager agresiv"));
}

#[tokio::test]
async fn an_incident_needs_a_known_reason_and_other_needs_words() {
    let app = spawn_app().await;
    seed_fleet(&app).await;
    let token = driver_token(&app, "sofer1", "SOFER-01").await;
    let post = |body: Value| driver_post(&app, &token, "/api/v1/transport/actions", body);

    let unknown = post(json!({"action_id": "i-1", "kind": "incident", "incident": "meteor"})).await;
    assert_eq!(unknown.status(), 422);
    assert_eq!(
        unknown.json::<Value>().await.unwrap()["error"]["field"],
        "incident"
    );
    let silent = post(json!({"action_id": "i-2", "kind": "incident", "incident": "other"})).await;
    assert_eq!(silent.status(), 422);
    assert_eq!(
        silent.json::<Value>().await.unwrap()["error"]["field"],
        "reason"
    );
    let bad_place = post(json!({"action_id": "i-3", "kind": "incident", "incident": "road_blocked", "position": {"lon": 500.0, "lat": 45.0}})).await;
    assert_eq!(bad_place.status(), 422);
    assert_eq!(
        bad_place.json::<Value>().await.unwrap()["error"]["field"],
        "position.lon"
    );

    let ok = post(json!({"action_id": "i-4", "kind": "incident", "incident": "road_blocked", "reason": "Calea Șagului închisă"})).await;
    assert_eq!(ok.status(), 201);
    let items = items_about(&app, "Incident VAN-01: drum blocat").await;
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["priority"]["level"], "P2");
    assert_eq!(items[0]["details"]["code"], "road_blocked");
}

#[tokio::test]
async fn messages_go_to_one_vehicle_s_driver_are_acknowledged_once_and_answered() {
    // Arrange: two drivers, a dispatcher's socket and VAN-01's driver's socket.
    let app = spawn_app().await;
    seed_fleet(&app).await;
    let one = driver_token(&app, "sofer1", "SOFER-01").await;
    let two = driver_token(&app, "sofer2", "SOFER-02").await;
    let mut dispatcher = app.ws_connect(None).await;
    let mut driver_ws = app.ws_connect_token(&one, None).await.unwrap();
    let msg =
        json!({"message_id": "m-1", "vehicle_id": "VAN-01", "text": "Preluați și R-007 la 11:30"});

    // Act: dispatch sends (and resends); the drivers read; VAN-01's acknowledges and answers.
    let sent = app
        .post_as(Role::Dispatcher, "/api/v1/transport/messages", &msg)
        .await;
    let resent = app
        .post_as(Role::Dispatcher, "/api/v1/transport/messages", &msg)
        .await;

    // Assert: stored once, pushed to both (ids only), seen by VAN-01's driver and not VAN-02's.
    assert_eq!(sent.status(), 201);
    assert_eq!(resent.status(), 200);
    let sent: Value = sent.json().await.unwrap();
    assert_eq!(sent["direction"], "to_driver");
    assert!(sent["acked_at"].is_null());
    for ws in [&mut dispatcher, &mut driver_ws] {
        let change = ws.wait_for("transport_changed").await["event"]["change"].clone();
        assert_eq!(change["reason"], "message");
        assert_eq!(change["message_id"], "m-1");
        assert!(change.get("text").is_none(), "no text in events: {change}");
    }
    let mine: Value = driver_get(&app, &one, "/api/v1/transport/messages")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine["messages"].as_array().unwrap().len(), 1);
    assert_eq!(mine["messages"][0]["text"], "Preluați și R-007 la 11:30");
    let theirs: Value = driver_get(&app, &two, "/api/v1/transport/messages")
        .await
        .json()
        .await
        .unwrap();
    assert!(theirs["messages"].as_array().unwrap().is_empty());
    let peek = driver_get(&app, &two, "/api/v1/transport/messages?vehicle=VAN-01").await;
    assert_eq!(peek.status(), 403);
    assert_eq!(
        peek.json::<Value>().await.unwrap()["error"]["reason"],
        "not_own_vehicle"
    );
    let foreign_ack =
        driver_post(&app, &two, "/api/v1/transport/messages/m-1/ack", json!({})).await;
    assert_eq!(foreign_ack.status(), 404);

    // The acknowledgement: its time recorded once.
    let ack: Value = driver_post(&app, &one, "/api/v1/transport/messages/m-1/ack", json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(ack["acked_by"], "sofer1");
    let again: Value = driver_post(&app, &one, "/api/v1/transport/messages/m-1/ack", json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again["acked_at"], ack["acked_at"]);
    let own = app
        .post_as(
            Role::Dispatcher,
            "/api/v1/transport/messages/m-1/ack",
            &json!({}),
        )
        .await;
    assert_eq!(own.status(), 409);
    assert_eq!(
        own.json::<Value>().await.unwrap()["error"]["reason"],
        "own_message"
    );

    // The answer: a canned message, stored with its code and words; dispatch marks it read.
    let reply = driver_post(
        &app,
        &one,
        "/api/v1/transport/messages",
        json!({"message_id": "r-1", "canned": "late_10"}),
    )
    .await;
    assert_eq!(reply.status(), 201);
    let reply: Value = reply.json().await.unwrap();
    assert_eq!(reply["direction"], "from_driver");
    assert_eq!(reply["vehicle_id"], "VAN-01");
    assert_eq!(reply["text"], "Întârzii 10 min");
    let spoof = driver_post(
        &app,
        &one,
        "/api/v1/transport/messages",
        json!({"message_id": "r-2", "vehicle_id": "VAN-02", "text": "x"}),
    )
    .await;
    assert_eq!(spoof.status(), 403);
    let taken = driver_post(
        &app,
        &two,
        "/api/v1/transport/messages",
        json!({"message_id": "r-1", "text": "altceva"}),
    )
    .await;
    assert_eq!(taken.status(), 409);
    let read = app
        .post_as(
            Role::Dispatcher,
            "/api/v1/transport/messages/r-1/ack",
            &json!({}),
        )
        .await;
    assert_eq!(read.status(), 200);

    // The vehicle's day: both messages, both acknowledged; each send and ack logged once.
    let day: Value = app
        .get_as(
            Role::Dispatcher,
            "/api/v1/transport/messages?vehicle=VAN-01",
        )
        .await
        .json()
        .await
        .unwrap();
    let all = day["messages"].as_array().unwrap();
    assert_eq!(all.len(), 2);
    assert!(all.iter().all(|m| !m["acked_at"].is_null()));
    let logged = logged_message_changes(&app).await;
    assert_eq!(logged.len(), 4, "{logged:?}");
}

#[tokio::test]
async fn a_message_without_words_or_for_no_vehicle_is_refused_naming_the_field() {
    let app = spawn_app().await;
    seed_fleet(&app).await;
    let cases = [
        (json!({"vehicle_id": "VAN-01"}), "text"),
        (json!({"vehicle_id": "VAN-01", "text": "   "}), "text"),
        (json!({"vehicle_id": "VAN-01", "canned": "dance"}), "canned"),
        (json!({"text": "x"}), "vehicle_id"),
        (json!({"vehicle_id": "VAN-99", "text": "x"}), "vehicle_id"),
        (
            json!({"vehicle_id": "VAN-01", "text": "x", "trip_id": "T-nope"}),
            "trip_id",
        ),
        (
            json!({"vehicle_id": "VAN-01", "text": "x".repeat(501)}),
            "text",
        ),
        (
            json!({"vehicle_id": "VAN-01", "message_id": "a b", "text": "x"}),
            "message_id",
        ),
    ];
    for (body, field) in cases {
        let r = app
            .post_as(Role::Dispatcher, "/api/v1/transport/messages", &body)
            .await;
        assert_eq!(r.status(), 422, "{body}");
        assert_eq!(
            r.json::<Value>().await.unwrap()["error"]["field"],
            field,
            "{body}"
        );
    }
}

/// The role matrix of the tablet's new routes (a driver with a vehicle, as the tablet logs in;
/// the machine driver credential has no vehicle and is refused like the other roles).
#[tokio::test]
async fn the_role_matrix_holds_for_the_tablet_message_routes() {
    let app = spawn_app().await;
    seed_fleet(&app).await;
    let driver = driver_token(&app, "sofer1", "SOFER-01").await;
    let dispatch = [Role::Dispatcher, Role::Supervisor, Role::Admin];
    let mut n = 0;
    let mut body_for = |role: &str| {
        n += 1;
        json!({"message_id": format!("mx-{role}-{n}"), "vehicle_id": "VAN-01", "text": "test"})
    };
    // A driver's message for dispatch to read, a dispatch message for the driver.
    let from_driver = driver_post(
        &app,
        &driver,
        "/api/v1/transport/messages",
        json!({"message_id": "d-1", "text": "ok"}),
    )
    .await;
    assert_eq!(from_driver.status(), 201);
    for role in Role::ALL {
        let token = app.token(role).to_owned();
        let allowed = dispatch.contains(&role);
        let call = |method: Method, path: &str, body: Option<Value>| {
            let mut req = app
                .client
                .request(method, format!("{}{path}", app.address))
                .bearer_auth(&token);
            if let Some(b) = body {
                req = req.json(&b);
            }
            req.send()
        };
        let list = call(Method::GET, "/api/v1/transport/messages", None)
            .await
            .unwrap();
        assert_eq!(
            list.status(),
            if allowed { 200 } else { 403 },
            "list as {role:?}"
        );
        let send = call(
            Method::POST,
            "/api/v1/transport/messages",
            Some(body_for(role.as_str())),
        )
        .await
        .unwrap();
        assert_eq!(
            send.status(),
            if allowed { 201 } else { 403 },
            "send as {role:?}"
        );
        let ack = call(Method::POST, "/api/v1/transport/messages/d-1/ack", None)
            .await
            .unwrap();
        assert_eq!(
            ack.status(),
            if allowed { 200 } else { 403 },
            "ack as {role:?}"
        );
    }
    // The driver with a vehicle: lists, sends and acknowledges (a dispatch message).
    assert_eq!(
        driver_get(&app, &driver, "/api/v1/transport/messages")
            .await
            .status(),
        200
    );
    let ack = driver_post(
        &app,
        &driver,
        "/api/v1/transport/messages/mx-dispatcher-1/ack",
        json!({}),
    )
    .await;
    assert_eq!(ack.status(), 200);
    // Nobody: 401.
    for (method, path) in [
        (Method::GET, "/api/v1/transport/messages"),
        (Method::POST, "/api/v1/transport/messages"),
        (Method::POST, "/api/v1/transport/messages/d-1/ack"),
    ] {
        let r = app
            .client
            .request(method, format!("{}{path}", app.address))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401, "{path}");
    }
}
