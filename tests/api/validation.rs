//! Bad inputs: each gets a 4xx whose body names the field.

use rstest::rstest;
use serde_json::{json, Value};

use crate::helpers::spawn_app;
use dispecer::access::Role;

fn good_alarm() -> Value {
    json!({ "device_id": "TA-9", "alarm_type": "fall", "device_time": "2026-11-27T08:00:00Z", "alarm_id": "x1" })
}

fn with(mut v: Value, key: &str, value: Value) -> Value {
    v[key] = value;
    v
}

fn without(mut v: Value, key: &str) -> Value {
    v.as_object_mut().unwrap().remove(key);
    v
}

#[rstest]
#[case::unknown_alarm_type(with(good_alarm(), "alarm_type", json!("meteor")), 422, "alarm_type")]
#[case::alarm_type_not_a_string(with(good_alarm(), "alarm_type", json!(3)), 422, "alarm_type")]
#[case::missing_device(without(good_alarm(), "device_id"), 422, "device_id")]
#[case::empty_device(with(good_alarm(), "device_id", json!("")), 422, "device_id")]
#[case::device_with_spaces(with(good_alarm(), "device_id", json!("TA 9; drop table")), 422, "device_id")]
#[case::long_device(with(good_alarm(), "device_id", json!("X".repeat(65))), 422, "device_id")]
#[case::bad_time(with(good_alarm(), "device_time", json!("yesterday")), 422, "device_time")]
#[case::missing_alarm_id(without(good_alarm(), "alarm_id"), 422, "alarm_id")]
#[case::unknown_field(with(good_alarm(), "colour", json!("red")), 422, "colour")]
#[case::not_an_object(json!([1, 2, 3]), 422, "body")]
#[tokio::test]
async fn bad_alarms_are_refused_naming_the_field(
    #[case] body: Value,
    #[case] status: u16,
    #[case] field: &str,
) {
    let app = spawn_app().await;
    let r = app.post_alert(&body).await;
    assert_eq!(r.status().as_u16(), status);
    let err: Value = r.json().await.unwrap();
    assert_eq!(err["error"]["field"], field, "{err}");
    assert!(!err["error"]["message"].as_str().unwrap().is_empty());
}

fn good_call() -> Value {
    json!({ "caller_number": "+40256000000", "category": "abuse", "immediate_danger": false })
}

#[rstest]
#[case::bad_phone(with(good_call(), "caller_number", json!("call me")), "caller_number")]
#[case::unknown_category(with(good_call(), "category", json!("aliens")), "category")]
#[case::danger_not_bool(with(good_call(), "immediate_danger", json!("yes")), "immediate_danger")]
#[case::latitude_out_of_range(with(good_call(), "location", json!({"lon": 21.2, "lat": 123.0})), "location.lat")]
#[case::lon_without_lat(with(good_call(), "location", json!({"lon": 21.2})), "location.lat")]
#[case::empty_location(with(good_call(), "location", json!({})), "location")]
#[case::huge_notes(with(good_call(), "notes", json!("n".repeat(4001))), "notes")]
#[tokio::test]
async fn bad_calls_are_refused_naming_the_field(#[case] body: Value, #[case] field: &str) {
    let app = spawn_app().await;
    let r = app.post_as(Role::Dispatcher, "/api/v1/calls", &body).await;
    assert_eq!(r.status(), 422);
    let err: Value = r.json().await.unwrap();
    assert_eq!(err["error"]["field"], field, "{err}");
}

fn good_booking() -> Value {
    let start = chrono::Utc::now() + chrono::Duration::days(1);
    json!({
        "rider": "R-1",
        "pickup": { "address": "A" },
        "dropoff": { "address": "B" },
        "window": { "start": start, "end": start + chrono::Duration::minutes(20) },
    })
}

#[rstest]
#[case::window_reversed(with(good_booking(), "window", json!({"start": "2030-01-01T10:00:00Z", "end": "2030-01-01T09:00:00Z"})), "window.end")]
#[case::window_in_the_past(with(good_booking(), "window", json!({"start": "2020-01-01T10:00:00Z", "end": "2020-01-01T11:00:00Z"})), "window.end")]
#[case::no_pickup_place(with(good_booking(), "pickup", json!({})), "pickup")]
#[case::needs_not_bool(with(good_booking(), "needs", json!({"wheelchair": "da"})), "needs.wheelchair")]
#[case::bad_rider(with(good_booking(), "rider", json!("")), "rider")]
#[tokio::test]
async fn bad_bookings_are_refused_naming_the_field(#[case] body: Value, #[case] field: &str) {
    let app = spawn_app().await;
    let r = app
        .post_as(Role::Dispatcher, "/api/v1/bookings", &body)
        .await;
    assert_eq!(r.status(), 422);
    let err: Value = r.json().await.unwrap();
    assert_eq!(err["error"]["field"], field, "{err}");
}

#[tokio::test]
async fn malformed_json_and_wrong_content_type_get_400() {
    let app = spawn_app().await;
    let url = format!("{}/api/v1/alerts", app.address);
    let token = app.token(Role::Receiver);
    let broken = app
        .client
        .post(&url)
        .bearer_auth(token)
        .header("content-type", "application/json")
        .body("{\"device_id\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(broken.status(), 400);
    let text = app
        .client
        .post(&url)
        .bearer_auth(token)
        .header("content-type", "text/plain")
        .body("fall")
        .send()
        .await
        .unwrap();
    assert_eq!(text.status(), 400);
    let huge = app
        .client
        .post(&url)
        .bearer_auth(token)
        .header("content-type", "application/json")
        .body(format!("{{\"device_id\": \"{}\"}}", "x".repeat(200_000)))
        .send()
        .await
        .unwrap();
    assert!(
        huge.status() == 400 || huge.status() == 413,
        "{}",
        huge.status()
    );
}

#[tokio::test]
async fn bad_ids_in_paths_are_422_and_unknown_items_404() {
    let app = spawn_app().await;
    let r = app.act("not-a-uuid", "acknowledge", json!({})).await;
    assert_eq!(r.status(), 422);
    let r = app
        .act(
            "0195f0f0-0000-7000-8000-000000000000",
            "acknowledge",
            json!({}),
        )
        .await;
    assert_eq!(r.status(), 404);
    let r = app.get_as(Role::Dispatcher, "/api/v1/nothing-here").await;
    assert_eq!(r.status(), 404);
}
