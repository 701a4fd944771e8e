//! TeleAsistență: the device registry, check-ins, the missed-check-in monitor, low battery,
//! follow-up steps.

use chrono::{DateTime, Utc};
use dispecer::access::Role;
use serde_json::{json, Value};
use std::time::Duration;

use super::{app_with, queue_items, register_device};

fn time(v: &Value) -> DateTime<Utc> {
    v.as_str().unwrap().parse().unwrap()
}

#[tokio::test]
async fn a_missed_check_in_produces_its_item_within_one_period_plus_the_grace() {
    // Arrange: a device checking in every 2 s, 1 s of grace; the monitor's longest sleep is 1 s.
    let app = app_with(|c| {
        c.teleasistenta.checkin_grace_s = 1;
        c.teleasistenta.monitor_interval_ms = 1000;
    })
    .await;
    register_device(&app, "TA-M1", "+40799000011", 2).await;
    let mut ws = app.ws_connect(None).await;
    assert_eq!(ws.next_json().await["type"], "snapshot");
    let r = app
        .post_as(
            Role::Receiver,
            "/api/v1/teleasistenta/checkins",
            &json!({ "device_id": "TA-M1", "battery_pct": 90 }),
        )
        .await;
    assert_eq!(r.status(), 200);
    let checkin: Value = r.json().await.unwrap();
    let last = time(&checkin["last_checkin_at"]);
    let due = time(&checkin["missed_after"]);
    assert_eq!((due - last).num_seconds(), 3, "period 2 s + grace 1 s");

    // Act: the device stays silent; wait for the item on the websocket.
    let created = loop {
        let m = ws
            .try_next_json(Duration::from_secs(10))
            .await
            .expect("the missed check-in item within 10 s");
        if m["type"] == "event" && m["event"]["type"] == "item_created" {
            break m["event"]["item"].clone();
        }
    };

    // Assert: the technical item, raised when the grace ran out — never before — and at most
    // one monitor wake-up (1 s) after it.
    assert_eq!(created["details"]["device_id"], "TA-M1");
    assert_eq!(created["details"]["alarm_type"], "missed_checkin");
    assert_eq!(created["priority"]["level"], "P3");
    let received = time(&created["times"]["received"]);
    let late = received - due;
    println!(
        "missed check-in raised {} ms after period + grace",
        late.num_milliseconds()
    );
    assert!(
        received >= due,
        "raised {} ms early",
        -late.num_milliseconds()
    );
    assert!(
        late <= chrono::Duration::seconds(1),
        "raised {} ms late",
        late.num_milliseconds()
    );
    // One item per silence: the monitor keeps running, but raises nothing more.
    let again = ws.try_next_json(Duration::from_millis(1500)).await;
    assert!(
        again
            .as_ref()
            .is_none_or(|m| m["event"]["type"] != "item_created"),
        "{again:?}"
    );
}

#[tokio::test]
async fn a_device_that_keeps_checking_in_raises_nothing() {
    let app = app_with(|c| {
        c.teleasistenta.checkin_grace_s = 1;
        c.teleasistenta.monitor_interval_ms = 200;
    })
    .await;
    register_device(&app, "TA-M2", "+40799000012", 2).await;
    for _ in 0..4 {
        let r = app
            .post_as(
                Role::Receiver,
                "/api/v1/teleasistenta/checkins",
                &json!({ "device_id": "TA-M2" }),
            )
            .await;
        assert_eq!(r.status(), 200);
        tokio::time::sleep(Duration::from_millis(1000)).await;
    }
    assert!(queue_items(&app).await.is_empty());
}

#[tokio::test]
async fn a_low_battery_raises_one_technical_item_until_the_battery_recovers() {
    let app = app_with(|_| {}).await;
    register_device(&app, "TA-B1", "+40799000013", 86_400).await;
    let checkin = |pct: i32| {
        let app = &app;
        async move {
            let r = app
                .post_as(
                    Role::Receiver,
                    "/api/v1/teleasistenta/checkins",
                    &json!({ "device_id": "TA-B1", "battery_pct": pct }),
                )
                .await;
            assert_eq!(r.status(), 200);
            r.json::<Value>().await.unwrap()
        }
    };
    let first = checkin(12).await;
    assert!(first["low_battery_item"].is_string());
    assert!(
        checkin(10).await["low_battery_item"].is_null(),
        "one item per low reading"
    );
    assert!(checkin(95).await["low_battery_item"].is_null());
    assert_eq!(
        checkin(9).await["low_battery_item"],
        first["low_battery_item"],
        "low again after recovering: a repeat on the device's open low-battery item"
    );
    let items = queue_items(&app).await;
    let low: Vec<&Value> = items
        .iter()
        .filter(|i| i["details"]["alarm_type"] == "low_battery")
        .collect();
    assert_eq!(low.len(), 1);
    assert_eq!(low[0]["repeats"], 1);
    assert_eq!(low[0]["priority"]["level"], "P3");
    // Unknown devices and bad readings are refused, naming the field.
    let r = app
        .post_as(
            Role::Receiver,
            "/api/v1/teleasistenta/checkins",
            &json!({ "device_id": "TA-NONE" }),
        )
        .await;
    assert_eq!(r.status(), 404);
    let r = app
        .post_as(
            Role::Receiver,
            "/api/v1/teleasistenta/checkins",
            &json!({ "device_id": "TA-B1", "battery_pct": 140 }),
        )
        .await;
    assert_eq!(r.status(), 422);
    assert_eq!(
        r.json::<Value>().await.unwrap()["error"]["field"],
        "battery_pct"
    );
}

#[tokio::test]
async fn the_registry_keeps_carers_in_order_and_only_dispatch_roles_read_it_audited() {
    let app = app_with(|_| {}).await;
    register_device(&app, "TA-R1", "+40799000014", 3600).await;
    let r = app
        .get_as(Role::Dispatcher, "/api/v1/teleasistenta/devices/TA-R1")
        .await;
    assert_eq!(r.status(), 200);
    let d: Value = r.json().await.unwrap();
    assert_eq!(d["device"]["carers"][0]["name"], "Ana Fiica (fictiv)");
    assert_eq!(d["device"]["carers"][1]["relation"], "vecin");
    assert_eq!(d["device"]["key_safe"], "cutie la ușă, cod 1234");
    for role in [Role::Driver, Role::Emiu, Role::Receiver] {
        let r = app
            .get_as(role, "/api/v1/teleasistenta/devices/TA-R1")
            .await;
        assert_eq!(r.status(), 403, "{role:?}");
    }
    // A carer's number is recognised.
    let r: Value = app
        .get_as(
            Role::Dispatcher,
            "/api/v1/teleasistenta/lookup?phone=%2B40799200001",
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(r["devices"][0]["device_id"], "TA-R1");
    // Bad input names the field.
    let r = app
        .post_as(
            Role::Supervisor,
            "/api/v1/teleasistenta/devices",
            &json!({"device_id": "TA-X", "beneficiary": "B", "address": "A", "phone": "+40799000015",
                    "carers": [{"name": "C", "phone": "not a phone"}]}),
        )
        .await;
    assert_eq!(r.status(), 422);
    assert_eq!(
        r.json::<Value>().await.unwrap()["error"]["field"],
        "carers[0].phone"
    );
}

#[tokio::test]
async fn an_alarm_is_followed_up_step_by_step_and_closed_with_an_outcome_code() {
    let app = app_with(|_| {}).await;
    let id = app.new_alert("TA-S1", "fall").await;
    assert_eq!(app.act(&id, "acknowledge", json!({})).await.status(), 200);
    for (step, answered) in [
        ("called_beneficiary", Some(false)),
        ("called_carer", Some(true)),
        ("carer_sent", None),
    ] {
        let r = app
            .act(&id, "steps", json!({ "step": step, "answered": answered }))
            .await;
        assert_eq!(r.status(), 200, "{step}");
    }
    let workflow: Value = app
        .get_as(Role::Dispatcher, "/api/v1/teleasistenta/workflow")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(workflow["steps"][0], "called_beneficiary");
    assert!(workflow["outcomes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|o| o == "help_given"));
    let r = app.act(&id, "steps", json!({ "step": "danced" })).await;
    assert_eq!(r.status(), 422);
    assert_eq!(
        app.act(&id, "close", json!({ "outcome": "help_given" }))
            .await
            .status(),
        200
    );
    let h: Value = app
        .get_as(Role::Dispatcher, &format!("/api/v1/items/{id}/events"))
        .await
        .json()
        .await
        .unwrap();
    let steps: Vec<&str> = h["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["event"]["type"] == "case_recorded")
        .map(|e| e["event"]["record"]["step"].as_str().unwrap())
        .collect();
    assert_eq!(steps, ["called_beneficiary", "called_carer", "carer_sent"]);
    // A closed case takes no more steps.
    assert_eq!(
        app.act(&id, "steps", json!({ "step": "called_112" }))
            .await
            .status(),
        409
    );
}
