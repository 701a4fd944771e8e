//! What the planner and the supervisor see of the policy and the replies (issue 16): a rider's
//! SMS answer kept on the trip (confirmed or cancelled, when), once per MessageSid; and the
//! transport policy's flag item closing itself when the supervisor suspends or waives.

use chrono::{DateTime, Utc};
use dispecer::access::Role;
use serde_json::{json, Value};

use crate::emergency::queue_items;
use crate::helpers::{spawn_with, test_config, TestApp};
use crate::transport::{post, seed_fleet, tomorrow};
use crate::transport_policy::{
    book, booked_id, register, replies_app, sms_from, trip, trip_status,
};

async fn day_trips(app: &TestApp) -> Vec<Value> {
    let r = app
        .get_as(
            Role::Dispatcher,
            &format!("/api/v1/transport/bookings?date={}", tomorrow()),
        )
        .await;
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    v["trips"].as_array().unwrap().clone()
}

fn answer_of<'a>(trips: &'a [Value], id: &str) -> &'a Value {
    &trips.iter().find(|t| t["id"] == id).unwrap()["sms_answer"]
}

/// How many `transport_changed` events of reason `sms_reply` the log holds.
async fn sms_reply_changes(app: &TestApp) -> usize {
    let events = app
        .state
        .store
        .events_after(dispecer::domain::Seq(0), 10_000);
    events
        .await
        .unwrap()
        .iter()
        .filter(|e| {
            let v = serde_json::to_value(&e.event).unwrap();
            v["type"] == "transport_changed" && v["change"]["reason"] == "sms_reply"
        })
        .count()
}

#[tokio::test]
async fn a_da_is_shown_on_the_trip_once_and_an_anulez_marks_it_cancelled_by_sms() {
    // Arrange: R-1 has two planned trips tomorrow, both confirmed by SMS; no answer yet.
    let (app, _fake, ids) = replies_app().await;
    let phone = "+40700001001";
    let trips = day_trips(&app).await;
    assert!(answer_of(&trips, &ids[0]).is_null());
    assert!(answer_of(&trips, &ids[1]).is_null());

    // Act: "Da" confirms the first, posted twice by the provider.
    let before = Utc::now();
    sms_from(&app, "SM-ans-da", phone, "Da").await;
    let trips = day_trips(&app).await;
    let first = answer_of(&trips, &ids[0]).clone();
    sms_from(&app, "SM-ans-da", phone, "Da").await;

    // Assert: confirmed at the time the reply arrived, on that trip only, the same after the
    // retry, and one change pushed to the planner's page.
    assert_eq!(first["answer"], "confirmed");
    let at: DateTime<Utc> = first["at"].as_str().unwrap().parse().unwrap();
    assert!(at >= before && at <= Utc::now(), "{at}");
    let trips = day_trips(&app).await;
    assert_eq!(answer_of(&trips, &ids[0]), &first);
    assert!(answer_of(&trips, &ids[1]).is_null());
    assert_eq!(sms_reply_changes(&app).await, 1);
    let one: Value = app
        .get_as(
            Role::Dispatcher,
            &format!("/api/v1/transport/bookings/{}", ids[0]),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(one["sms_answer"], first);
    assert_eq!(one["status"], "booked");

    // Act: "ANULEZ" cancels that trip (a later answer wins), twice again.
    sms_from(&app, "SM-ans-anulez", phone, "ANULEZ").await;
    sms_from(&app, "SM-ans-anulez", phone, "ANULEZ").await;

    // Assert: cancelled by the rider's SMS, kept on the trip with why and by whom.
    let trips = day_trips(&app).await;
    let t = trips.iter().find(|t| t["id"] == ids[0].as_str()).unwrap();
    assert_eq!(t["status"], "cancelled");
    assert_eq!(t["sms_answer"]["answer"], "cancelled");
    let later: DateTime<Utc> = t["sms_answer"]["at"].as_str().unwrap().parse().unwrap();
    assert!(later >= at);
    assert_eq!(t["cancellation"]["by"], "sms");
    assert_eq!(t["cancellation"]["reason"], "rider_request");
    assert!(answer_of(&trips, &ids[1]).is_null());
    assert_eq!(trip_status(&app, &ids[1]).await, "booked");
    // The cancellation is pushed as a cancellation (the plan changed), not as a second answer.
    assert_eq!(sms_reply_changes(&app).await, 1);
}

/// The open transport-policy flag items (the queue shows open items only).
async fn open_flags(app: &TestApp) -> Vec<Value> {
    queue_items(app)
        .await
        .into_iter()
        .filter(|i| i["details"]["reported_by"] == "transport-policy")
        .collect()
}

async fn item(app: &TestApp, id: &str) -> Value {
    let r = app
        .get_as(Role::Supervisor, &format!("/api/v1/items/{id}"))
        .await;
    assert_eq!(r.status(), 200);
    r.json::<Value>().await.unwrap()["item"].clone()
}

async fn item_events(app: &TestApp, id: &str) -> Vec<Value> {
    let r = app
        .get_as(Role::Supervisor, &format!("/api/v1/items/{id}/events"))
        .await;
    assert_eq!(r.status(), 200);
    r.json::<Value>().await.unwrap()["events"]
        .as_array()
        .unwrap()
        .clone()
}

/// One late cancel of a new trip of R-1 tomorrow (the policy here flags at the first).
async fn late_cancel(app: &TestApp, time: &str) {
    let id = booked_id(book(app, Role::Dispatcher, trip("R-1", tomorrow(), time)).await).await;
    let r = post(
        app,
        &format!("/api/v1/transport/bookings/{id}/cancel"),
        json!({"reason": "rider_request"}),
    )
    .await;
    assert_eq!(r.status(), 200, "{:?}", r.text().await);
}

#[tokio::test]
async fn suspending_then_waiving_a_flagged_rider_closes_each_open_flag_item_with_the_decision() {
    // Arrange: one late cancel is the limit; R-1 cancels late and is flagged.
    let (mut config, dir) = test_config().await;
    config.transport.policy.late_cancel_minutes = 3 * 24 * 60;
    config.transport.policy.max_events = 1;
    let app = spawn_with(config, dir).await;
    seed_fleet(&app).await;
    register(&app, "R-1", 1.0, None).await;
    late_cancel(&app, "08:00:00").await;
    let flags = open_flags(&app).await;
    assert_eq!(flags.len(), 1, "{flags:?}");
    let first = flags[0]["id"].as_str().unwrap().to_owned();

    // Act: the supervisor suspends the rider.
    let until = tomorrow() + chrono::Duration::days(7);
    let r = app
        .post_as(
            Role::Supervisor,
            "/api/v1/transport/riders/R-1/suspend",
            &json!({"until": until, "reason": "anulări repetate"}),
        )
        .await;
    assert_eq!(r.status(), 200);

    // Assert: the flag item is closed with the decision as its outcome, the decision and its
    // reason as a note by the supervisor, the close by the supervisor in the item's history, and
    // the decision in its audit.
    assert!(open_flags(&app).await.is_empty());
    let closed = item(&app, &first).await;
    assert_eq!(closed["status"], "closed");
    assert_eq!(closed["outcome"], "policy_suspended");
    let notes = closed["notes"].as_array().unwrap();
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert_eq!(notes[0]["by"], "test-supervisor");
    let text = notes[0]["text"].as_str().unwrap();
    assert!(text.contains("anulări repetate"), "{text}");
    assert!(
        text.contains(&until.format("%d.%m.%Y").to_string()),
        "{text}"
    );
    let events = item_events(&app, &first).await;
    let close = events
        .iter()
        .find(|e| e["event"]["type"] == "closed")
        .unwrap();
    assert_eq!(close["actor"], "test-supervisor");
    let audit: Value = app
        .get_as(Role::Supervisor, &format!("/api/v1/items/{first}/audit"))
        .await
        .json()
        .await
        .unwrap();
    assert!(
        audit.to_string().contains("transport_rider_suspended:R-1"),
        "{audit}"
    );

    // Act: the waive lifts the suspension; the rider cancels late again and is flagged anew;
    // the supervisor waives that one too.
    let waive = |reason: &'static str| {
        let app = &app;
        async move {
            let r = app
                .post_as(
                    Role::Supervisor,
                    "/api/v1/transport/riders/R-1/waive",
                    &json!({ "reason": reason }),
                )
                .await;
            assert_eq!(r.status(), 200);
        }
    };
    waive("suspendare ridicată").await;
    // The first item is already closed: the waive adds nothing to it.
    assert_eq!(
        item(&app, &first).await["notes"].as_array().unwrap().len(),
        1
    );
    assert_eq!(item(&app, &first).await["outcome"], "policy_suspended");
    late_cancel(&app, "11:00:00").await;
    let flags = open_flags(&app).await;
    assert_eq!(flags.len(), 1, "{flags:?}");
    let second = flags[0]["id"].as_str().unwrap().to_owned();
    assert_ne!(second, first);
    waive("internare în spital, adeverință prezentată").await;

    // Assert: the second flag closed as waived, with its reason; nothing left open.
    assert!(open_flags(&app).await.is_empty());
    let closed = item(&app, &second).await;
    assert_eq!(closed["status"], "closed");
    assert_eq!(closed["outcome"], "policy_waived");
    let text = closed["notes"][0]["text"].as_str().unwrap();
    assert!(text.contains("adeverință prezentată"), "{text}");
    let close = item_events(&app, &second)
        .await
        .into_iter()
        .find(|e| e["event"]["type"] == "closed")
        .unwrap();
    assert_eq!(close["actor"], "test-supervisor");
}
