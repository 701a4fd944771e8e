use dispecer::access::Role;
use serde_json::{json, Value};

use crate::helpers::{alarm, spawn_app};

#[tokio::test]
async fn an_alarm_is_accepted_committed_and_queued() {
    // Arrange
    let app = spawn_app().await;

    // Act
    let r = app.post_alert(&alarm("TA-000101", "fall", "r1-1")).await;

    // Assert: the receiver gets a receipt; dispatch reads the item.
    assert_eq!(r.status(), 201);
    let receipt: Value = r.json().await.unwrap();
    assert_eq!(receipt["status"], "new");
    let item: Value = app
        .get_as(
            Role::Dispatcher,
            &format!("/api/v1/items/{}", receipt["id"].as_str().unwrap()),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(item["item"]["kind"], "alert");
    assert_eq!(item["item"]["priority"]["level"], "P1");
    // Committed: the log holds its creation event.
    let id = uuid::Uuid::parse_str(receipt["id"].as_str().unwrap()).unwrap();
    let events = app
        .state
        .store
        .item_events(dispecer::domain::ItemId(id))
        .await
        .unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].event.kind(), "item_created");
}

#[tokio::test]
async fn duplicate_alarm_returns_the_first_alert_with_200() {
    let app = spawn_app().await;
    let body = alarm("TA-000102", "button", "r1-77");

    let first = app.post_alert(&body).await;
    let second = app.post_alert(&body).await;

    assert_eq!(first.status(), 201);
    assert_eq!(second.status(), 200);
    let a: Value = first.json().await.unwrap();
    let b: Value = second.json().await.unwrap();
    assert_eq!(a["id"], b["id"]);
    assert_eq!(app.queue().await["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn concurrent_retransmissions_still_make_one_alert() {
    let app = spawn_app().await;
    let body = alarm("TA-000103", "smoke", "r1-9");
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let client = app.client.clone();
        let url = format!("{}/api/v1/alerts", app.address);
        let token = app.token(Role::Receiver).to_owned();
        let body = body.clone();
        tasks.push(tokio::spawn(async move {
            client
                .post(url)
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }));
    }
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        19,
        "{statuses:?}"
    );
    assert_eq!(app.queue().await["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn the_same_alarm_id_from_another_device_is_another_alert() {
    let app = spawn_app().await;
    assert_eq!(
        app.post_alert(&alarm("TA-1", "button", "7")).await.status(),
        201
    );
    assert_eq!(
        app.post_alert(&alarm("TA-2", "button", "7")).await.status(),
        201
    );
}

#[tokio::test]
async fn a_call_card_with_immediate_danger_is_p1() {
    let app = spawn_app().await;
    let r = app
        .post_as(
            Role::Dispatcher,
            "/api/v1/calls",
            &json!({
                "caller_number": "+40 721 000 111",
                "category": "domestic_violence",
                "immediate_danger": true,
                "location": { "address": "Str. Exemplu 1", "lon": 21.22, "lat": 45.75 },
                "notes": "apel sintetic de test",
            }),
        )
        .await;
    assert_eq!(r.status(), 201);
    let item: Value = r.json().await.unwrap();
    assert_eq!(item["priority"]["level"], "P1");
    assert_eq!(item["priority"]["rule"], "call-immediate-danger");
    assert_eq!(item["details"]["caller_number"], "+40721000111");
}

#[tokio::test]
async fn a_call_with_an_idempotency_key_is_created_once() {
    let app = spawn_app().await;
    let body =
        json!({ "caller_number": "0256000000", "category": "neglect", "immediate_danger": false });
    let send = || {
        app.client
            .post(format!("{}/api/v1/calls", app.address))
            .bearer_auth(app.token(Role::Dispatcher))
            .header("Idempotency-Key", "card-42")
            .json(&body)
            .send()
    };
    let a = send().await.unwrap();
    let b = send().await.unwrap();
    assert_eq!((a.status().as_u16(), b.status().as_u16()), (201, 200));
    let a: Value = a.json().await.unwrap();
    let b: Value = b.json().await.unwrap();
    assert_eq!(a["id"], b["id"]);
    assert_eq!(a["priority"]["level"], "P2");
}

#[tokio::test]
async fn a_booking_for_a_later_day_is_routine_and_today_is_p3() {
    let app = spawn_app().await;
    let now = chrono::Utc::now();
    let booking = |start: chrono::DateTime<chrono::Utc>| {
        json!({
            "rider": "R-0042",
            "pickup": { "address": "Str. Exemplu 3", "lon": 21.21, "lat": 45.76 },
            "dropoff": { "address": "Spitalul Județean", "lon": 21.24, "lat": 45.74 },
            "window": { "start": start, "end": start + chrono::Duration::minutes(30) },
            "needs": { "wheelchair": true, "door_assistance": true },
        })
    };
    let later = app
        .post_as(
            Role::Dispatcher,
            "/api/v1/bookings",
            &booking(now + chrono::Duration::days(3)),
        )
        .await;
    assert_eq!(later.status(), 201);
    let later: Value = later.json().await.unwrap();
    assert_eq!(later["priority"]["level"], "P4");
    assert_eq!(later["details"]["needs"]["wheelchair"], true);

    // A window opening now is today whenever the test runs: five minutes ahead crossed local
    // midnight when run between 23:55 and 0:00 in Timișoara (a red CI run at 21:5x UTC).
    let today = app
        .post_as(Role::Dispatcher, "/api/v1/bookings", &booking(now))
        .await;
    let today: Value = today.json().await.unwrap();
    assert_eq!(today["priority"]["level"], "P3");
}

#[tokio::test]
async fn requests_without_a_token_get_401_and_wrong_roles_get_403() {
    let app = spawn_app().await;
    let anonymous = app
        .client
        .post(format!("{}/api/v1/alerts", app.address))
        .json(&alarm("TA-1", "fall", "1"))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
    let bad = app
        .client
        .get(format!("{}/api/v1/queue", app.address))
        .bearer_auth("dsp_not-a-real-token")
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 401);
    // A receiver may post alarms but not read the queue; a driver may not post calls.
    assert_eq!(
        app.get_as(Role::Receiver, "/api/v1/queue").await.status(),
        403
    );
    let call = json!({ "category": "other", "immediate_danger": false });
    assert_eq!(
        app.post_as(Role::Driver, "/api/v1/calls", &call)
            .await
            .status(),
        403
    );
}
