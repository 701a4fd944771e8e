//! Lifecycle and assignment.

use dispecer::access::Role;
use serde_json::{json, Value};

use crate::helpers::spawn_app;

async fn seed_van(app: &crate::helpers::TestApp, id: &str) {
    let r = app
        .post_as(
            Role::Supervisor,
            "/api/v1/resources",
            &json!({ "id": id, "kind": "vehicle", "name": "Van de test", "seats": 4, "wheelchair_places": 2 }),
        )
        .await;
    assert_eq!(r.status(), 201);
}

#[tokio::test]
async fn an_item_goes_new_acknowledged_assigned_in_progress_closed() {
    let app = spawn_app().await;
    seed_van(&app, "VAN-01").await;
    let id = app.new_alert("TA-1", "fall").await;

    let ack: Value = app
        .act(&id, "acknowledge", json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(ack["status"], "acknowledged");
    assert_eq!(ack["handler"], "test-dispatcher");
    let assigned: Value = app
        .act(&id, "assign", json!({ "resources": ["VAN-01"] }))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(assigned["status"], "assigned");
    assert_eq!(assigned["assigned_to"], json!(["VAN-01"]));
    let started: Value = app.act(&id, "start", json!({})).await.json().await.unwrap();
    assert_eq!(started["status"], "in_progress");
    let noted = app
        .act(&id, "notes", json!({ "text": "beneficiar contactat" }))
        .await;
    assert_eq!(noted.status(), 200);
    let closed: Value = app
        .act(&id, "close", json!({ "outcome": "help_given" }))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(closed["status"], "closed");
    for stamp in [
        "received",
        "acknowledged",
        "assigned",
        "in_progress",
        "closed",
    ] {
        assert!(
            closed["times"][stamp].is_string(),
            "{stamp} missing: {closed}"
        );
    }
    // The van is free again.
    let resources: Value = app
        .get_as(Role::Dispatcher, "/api/v1/resources")
        .await
        .json()
        .await
        .unwrap();
    let van = &resources["resources"][0];
    assert_eq!(van["status"], "available");
    assert!(van["current_item"].is_null());
}

#[tokio::test]
async fn impossible_transitions_get_409() {
    let app = spawn_app().await;
    seed_van(&app, "VAN-02").await;
    let id = app.new_alert("TA-2", "button").await;
    // Not yet acknowledged: cannot assign, start or close.
    assert_eq!(
        app.act(&id, "assign", json!({ "resources": ["VAN-02"] }))
            .await
            .status(),
        409
    );
    assert_eq!(app.act(&id, "start", json!({})).await.status(), 409);
    assert_eq!(
        app.act(&id, "close", json!({ "outcome": "x" }))
            .await
            .status(),
        409
    );
    assert_eq!(app.act(&id, "acknowledge", json!({})).await.status(), 200);
    // Twice acknowledged.
    assert_eq!(app.act(&id, "acknowledge", json!({})).await.status(), 409);
    assert_eq!(
        app.act(&id, "close", json!({ "outcome": "false_alarm" }))
            .await
            .status(),
        200
    );
    // Nothing leaves closed.
    assert_eq!(app.act(&id, "acknowledge", json!({})).await.status(), 409);
    assert_eq!(app.act(&id, "start", json!({})).await.status(), 409);
    let err: Value = app
        .act(&id, "close", json!({ "outcome": "again" }))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(err["error"]["code"], "conflict");
}

#[tokio::test]
async fn one_resource_cannot_be_assigned_twice_even_at_the_same_moment() {
    let app = spawn_app().await;
    seed_van(&app, "VAN-03").await;
    let a = app.new_alert("TA-3", "fall").await;
    let b = app.new_alert("TA-4", "fall").await;
    for id in [&a, &b] {
        assert_eq!(app.act(id, "acknowledge", json!({})).await.status(), 200);
    }
    // Two dispatchers click at once.
    let body = json!({ "resources": ["VAN-03"] });
    let (ra, rb) = tokio::join!(
        app.act(&a, "assign", body.clone()),
        app.act(&b, "assign", body.clone())
    );
    let mut statuses = [ra.status().as_u16(), rb.status().as_u16()];
    statuses.sort();
    assert_eq!(statuses, [200, 409]);
    // Unknown resources are 404, an empty list 422.
    assert_eq!(
        app.act(&a, "assign", json!({ "resources": ["VAN-99"] }))
            .await
            .status(),
        404
    );
    assert_eq!(
        app.act(&a, "assign", json!({ "resources": [] }))
            .await
            .status(),
        422
    );
}

#[tokio::test]
async fn an_item_closes_only_with_an_outcome_code_of_its_kind() {
    let app = spawn_app().await;
    let alarm = app.new_alert("TA-OUT", "fall").await;
    let call: Value = app
        .post_as(
            Role::Dispatcher,
            "/api/v1/calls",
            &json!({ "caller_number": "+40700000999", "category": "abuse", "immediate_danger": false }),
        )
        .await
        .json()
        .await
        .unwrap();
    let call = call["id"].as_str().unwrap().to_owned();
    for id in [&alarm, &call] {
        assert_eq!(app.act(id, "acknowledge", json!({})).await.status(), 200);
    }

    // A call's code on an alarm, free text, and an alarm's code on a call are refused, naming
    // the field and listing the codes; nothing changes.
    for (id, outcome) in [
        (&alarm, "emiu_sent"),
        (&alarm, "a fost bine"),
        (&call, "carer_attended"),
    ] {
        let r = app.act(id, "close", json!({ "outcome": outcome })).await;
        assert_eq!(r.status(), 422, "{outcome}");
        let err: Value = r.json().await.unwrap();
        assert_eq!(err["error"]["field"], "outcome");
        assert!(
            err["error"]["message"].as_str().unwrap().contains("other"),
            "{err}"
        );
    }
    let item: Value = app
        .get_as(Role::Dispatcher, &format!("/api/v1/items/{alarm}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(item["item"]["status"], "acknowledged");

    // Each kind's own codes close it.
    let closed: Value = app
        .act(&alarm, "close", json!({ "outcome": "carer_attended" }))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (closed["status"].as_str(), closed["outcome"].as_str()),
        (Some("closed"), Some("carer_attended"))
    );
    let r = app
        .act(&call, "close", json!({ "outcome": "emiu_sent" }))
        .await;
    assert_eq!(r.status(), 200);
}
