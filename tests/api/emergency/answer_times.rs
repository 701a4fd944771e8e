//! The answer-time report: per channel, against the standards.

use dispecer::access::Role;
use serde_json::{json, Value};

use super::app_with;

#[tokio::test]
async fn the_report_gives_percentiles_per_channel_against_the_standards() {
    let app = app_with(|_| {}).await;
    let a = app.new_alert("TA-A1", "fall").await;
    app.new_alert("TA-A2", "button").await;
    assert_eq!(app.act(&a, "acknowledge", json!({})).await.status(), 200);
    let r = app
        .post_as(Role::Dispatcher, "/api/v1/calls", &json!({ "caller_number": "+40722000301", "category": "other", "immediate_danger": false }))
        .await;
    let c = r.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(app.act(&c, "acknowledge", json!({})).await.status(), 200);

    let r = app
        .get_as(Role::Supervisor, "/api/v1/reports/answer-times?hours=1")
        .await;
    assert_eq!(r.status(), 200);
    let report: Value = r.json().await.unwrap();
    let channel = |name: &str| {
        report["channels"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["channel"] == name)
            .unwrap()
            .clone()
    };
    let telecare = channel("telecare");
    assert_eq!(telecare["items"], 2);
    assert_eq!(telecare["standards"][0]["within_s"], 60);
    assert_eq!(telecare["standards"][0]["percent"], 97.5);
    assert_eq!(telecare["standards"][1]["within_s"], 180);
    // One answered at once; the other, younger than 60 s, does not count yet.
    assert_eq!(telecare["standards"][0]["counted"], 1);
    assert_eq!(telecare["standards"][0]["within"], 1);
    let steps: Vec<&str> = telecare["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s[0].as_str().unwrap())
        .collect();
    assert_eq!(
        steps,
        [
            "queued",
            "first_shown",
            "acknowledged",
            "dispatched",
            "closed"
        ]
    );
    assert_eq!(telecare["steps"][2][1]["count"], 1);
    let line = channel("emergency_line");
    assert_eq!(line["items"], 1);
    assert_eq!(line["standards"][0]["within_s"], 15);
    assert_eq!(line["standards"][0]["met"], true);
    assert_eq!(
        app.get_as(Role::Driver, "/api/v1/reports/answer-times")
            .await
            .status(),
        403
    );
    assert_eq!(
        app.get_as(Role::Supervisor, "/api/v1/reports/answer-times?hours=0")
            .await
            .status(),
        422
    );
}
