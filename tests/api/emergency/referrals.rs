//! Categorising and referring a call, the service's acknowledgement, keep-in-contact follow-ups
//! and safe contact.

use dispecer::access::Role;
use serde_json::{json, Value};
use std::time::Duration;

use super::{app_with, queue_items};

async fn call(app: &crate::helpers::TestApp, number: &str, category: &str) -> String {
    let r = app
        .post_as(
            Role::Dispatcher,
            "/api/v1/calls",
            &json!({ "caller_number": number, "category": category, "immediate_danger": false }),
        )
        .await;
    assert_eq!(r.status(), 201);
    r.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Waits (briefly polling the queue) until `pred` holds for some open item.
async fn wait_for_item(app: &crate::helpers::TestApp, pred: impl Fn(&Value) -> bool) -> Value {
    for _ in 0..100 {
        if let Some(i) = queue_items(app).await.into_iter().find(|i| pred(i)) {
            return i;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no such item within 5 s");
}

#[tokio::test]
async fn a_call_is_categorised_then_referred_and_the_service_acknowledges() {
    // Arrange
    let app = app_with(|_| {}).await;
    let id = call(&app, "+40722000101", "information").await;

    // Act: categorise, refer.
    let r = app
        .act(&id, "categorise", json!({ "category": "neglect" }))
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["category"], "neglect");
    let r = app
        .act(
            &id,
            "referrals",
            json!({ "service": "elderly-services", "note": "vârstnic singur" }),
        )
        .await;
    assert_eq!(r.status(), 201);
    let referral: Value = r.json().await.unwrap();
    assert!(referral["acknowledged_at"].is_null());
    let rid = referral["id"].as_str().unwrap();
    let ack = app
        .post_as(
            Role::Dispatcher,
            &format!("/api/v1/referrals/{rid}/acknowledge"),
            &json!({}),
        )
        .await;
    assert_eq!(ack.status(), 200);

    // Assert
    let list: Value = app
        .get_as(Role::Dispatcher, &format!("/api/v1/items/{id}/referrals"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["referrals"][0]["service"], "elderly-services");
    assert_eq!(list["referrals"][0]["acknowledged_by"], "test-dispatcher");
    let h: Value = app
        .get_as(Role::Dispatcher, &format!("/api/v1/items/{id}/events"))
        .await
        .json()
        .await
        .unwrap();
    let records: Vec<&str> = h["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["event"]["type"] == "case_recorded")
        .map(|e| e["event"]["record"]["record"].as_str().unwrap())
        .collect();
    assert_eq!(
        records,
        ["categorised", "referred", "referral_acknowledged"]
    );
    // An unknown service or category is a 422 naming the field.
    let r = app
        .act(&id, "referrals", json!({ "service": "nowhere" }))
        .await;
    assert_eq!(r.status(), 422);
    assert_eq!(
        r.json::<Value>().await.unwrap()["error"]["field"],
        "service"
    );
    let r = app
        .act(&id, "categorise", json!({ "category": "weather" }))
        .await;
    assert_eq!(r.status(), 422);
    let services: Value = app
        .get_as(Role::Dispatcher, "/api/v1/referrals/services")
        .await
        .json()
        .await
        .unwrap();
    assert!(services["services"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["id"] == "domestic-violence-complex"));
}

#[tokio::test]
async fn a_keep_in_contact_follow_up_puts_a_callback_item_in_the_queue_when_due() {
    let app = app_with(|c| c.referrals.follow_up_interval_ms = 100).await;
    let id = call(&app, "+40722000102", "crisis_info").await;
    let r = app
        .act(
            &id,
            "follow-ups",
            json!({ "in_s": 0, "reason": "verificare după o zi" }),
        )
        .await;
    assert_eq!(r.status(), 201);
    let f: Value = r.json().await.unwrap();
    assert_eq!(f["phone"], "+40722000102");
    let cb = wait_for_item(&app, |i| i["kind"] == "callback").await;
    assert_eq!(cb["details"]["reason"], "follow_up");
    assert_eq!(cb["details"]["phone"], "+40722000102");
    assert_eq!(cb["details"]["related"], id.as_str());
    assert_eq!(cb["priority"]["rule"], "callback");
    // Raised once: once the follow-up is marked raised, a later round (here, or on another
    // instance) finds nothing due.
    for _ in 0..100 {
        let f: Value = app
            .get_as(Role::Dispatcher, &format!("/api/v1/items/{id}/follow-ups"))
            .await
            .json()
            .await
            .unwrap();
        if f["follow_ups"][0]["state"] == "raised" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(
        dispecer::referrals::follow_up::raise_due(&app.state)
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        queue_items(&app)
            .await
            .iter()
            .filter(|i| i["kind"] == "callback")
            .count(),
        1
    );
}

#[tokio::test]
async fn safe_contact_stops_every_callback_to_the_number() {
    // Arrange: a follow-up scheduled for later, then the case is marked safe-contact.
    let app = app_with(|c| c.referrals.follow_up_interval_ms = 100).await;
    let id = call(&app, "+40722000103", "domestic_violence").await;
    assert_eq!(app.act(&id, "acknowledge", json!({})).await.status(), 200);
    let r = app.act(&id, "follow-ups", json!({ "in_s": 2 })).await;
    assert_eq!(r.status(), 201);

    // Act
    let r = app
        .act(&id, "safe-contact", json!({ "phones": ["+40722000104"] }))
        .await;
    assert_eq!(r.status(), 200);
    let blocked: Value = r.json().await.unwrap();
    assert_eq!(blocked["blocked"], json!(["+40722000103", "+40722000104"]));

    // Assert: no new follow-up may be scheduled; the pending one is cancelled, not raised.
    let r = app.act(&id, "follow-ups", json!({ "in_s": 0 })).await;
    assert_eq!(r.status(), 409);
    let r = app
        .act(
            &id,
            "follow-ups",
            json!({ "in_s": 0, "phone": "+40 722 000 104" }),
        )
        .await;
    assert_eq!(r.status(), 409);
    let mut state = String::new();
    for _ in 0..100 {
        let f: Value = app
            .get_as(Role::Dispatcher, &format!("/api/v1/items/{id}/follow-ups"))
            .await
            .json()
            .await
            .unwrap();
        state = f["follow_ups"][0]["state"].as_str().unwrap().to_owned();
        if state != "scheduled" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(state, "blocked");
    assert!(queue_items(&app)
        .await
        .iter()
        .all(|i| i["kind"] != "callback"));
}

#[tokio::test]
async fn a_cancelled_follow_up_is_noted_once_even_when_two_rounds_see_it_due() {
    // Arrange: the background round never runs (an hour apart); a follow-up due in 1 s to a
    // number then marked safe-contact.
    let app = app_with(|c| c.referrals.follow_up_interval_ms = 3_600_000).await;
    let id = call(&app, "+40722000105", "domestic_violence").await;
    assert_eq!(app.act(&id, "acknowledge", json!({})).await.status(), 200);
    let r = app.act(&id, "follow-ups", json!({ "in_s": 1 })).await;
    assert_eq!(r.status(), 201);
    let r = app.act(&id, "safe-contact", json!({})).await;
    assert_eq!(r.status(), 200);
    // Waiting for the due time is the point of the test.
    tokio::time::sleep(Duration::from_millis(1100)).await;

    // Act: a second round (another instance) read the follow-up as due, then this round
    // cancels it, then the second round tries to take it, and later rounds run.
    let seen_by_other = app
        .state
        .emergency
        .due_follow_ups(chrono::Utc::now())
        .await
        .unwrap();
    assert_eq!(seen_by_other.len(), 1);
    let (a, b) = tokio::join!(
        dispecer::referrals::follow_up::raise_due(&app.state),
        dispecer::referrals::follow_up::raise_due(&app.state)
    );
    a.unwrap();
    b.unwrap();
    let other_took_it = app
        .state
        .emergency
        .set_follow_up_state(seen_by_other[0].id, "blocked", None)
        .await
        .unwrap();

    // Assert: only the first round moved it out of 'scheduled' (the gate of the note): one
    // note, no callback.
    assert!(!other_took_it);
    let item: Value = app
        .get_as(Role::Dispatcher, &format!("/api/v1/items/{id}"))
        .await
        .json()
        .await
        .unwrap();
    let cancelled = item["item"]["notes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["text"].as_str().unwrap_or("").contains("anulat"))
        .count();
    assert_eq!(cancelled, 1, "{}", item["item"]["notes"]);
    assert!(queue_items(&app)
        .await
        .iter()
        .all(|i| i["kind"] != "callback"));
}

#[tokio::test]
async fn no_automatic_sms_goes_to_a_safe_contact_number() {
    // Arrange: a domestic-violence call marked 'do not call back / no SMS', with a second
    // number of the victim.
    let app = app_with(|_| {}).await;
    let id = call(&app, "+40722000111", "domestic_violence").await;
    assert_eq!(app.act(&id, "acknowledge", json!({})).await.status(), 200);
    let r = app
        .act(&id, "safe-contact", json!({ "phones": ["+40722000112"] }))
        .await;
    assert_eq!(r.status(), 200);
    let sms = |key: &str, to: &str| dispecer::sms::OutgoingSms {
        key: key.into(),
        to: to.into(),
        body: "test".into(),
    };

    // Act: the outbox is the one way any module sends an automatic message.
    let added = app
        .state
        .transport
        .sms
        .enqueue(&[
            sms("safe:1", "+40722000111"),
            sms("safe:2", "+40 722 000 112"),
            sms("safe:3", "+40722000113"),
        ])
        .await
        .unwrap();

    // Assert: only the message to the unprotected number is queued.
    assert_eq!(added, 1);
    let keys: Vec<String> = app
        .state
        .transport
        .sms
        .outbox()
        .recent(100)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.key)
        .collect();
    assert_eq!(keys, vec!["safe:3".to_owned()]);
}
