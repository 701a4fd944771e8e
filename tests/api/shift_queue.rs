//! The queue for a dispatcher's shift (issue 15, server side): who and where on each item, call
//! channels and reporters, typed addresses geocoded, a missed call settling its ringing card, SMS
//! with their own rule, the facts of a priority, attention-first order, breaches raising the
//! level, re-categorisation re-prioritising, storm repeats attached to the device's open item,
//! bulk acknowledge, and refusals carrying a reason.

use std::time::{Duration, Instant};

use dispecer::access::Role;
use dispecer::config::Config;
use dispecer::web::auth::{new_token, token_hash};
use serde_json::{json, Value};

use crate::emergency::{app_with, queue_items, register_device, webhook};
use crate::helpers::{alarm, spawn_with, test_config, TestApp};

async fn item(app: &TestApp, id: &str) -> Value {
    let r = app
        .get_as(Role::Supervisor, &format!("/api/v1/items/{id}"))
        .await;
    assert_eq!(r.status(), 200);
    let view: Value = r.json().await.unwrap();
    view["item"].clone()
}

async fn events(app: &TestApp, id: &str) -> Vec<Value> {
    let v: Value = app
        .get_as(Role::Supervisor, &format!("/api/v1/items/{id}/events"))
        .await
        .json()
        .await
        .unwrap();
    v["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"].clone())
        .collect()
}

async fn post_call(app: &TestApp, body: Value) -> reqwest::Response {
    app.post_as(Role::Dispatcher, "/api/v1/calls", &body).await
}

fn facts(item: &Value) -> Vec<(String, String)> {
    item["priority"]["facts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["key"].as_str().unwrap().to_owned(),
                f["value"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn fact(k: &str, v: &str) -> (String, String) {
    (k.to_owned(), v.to_owned())
}

/// Posts an alarm with a fresh alarm id; the answer's status and item id.
async fn alarm_from(app: &TestApp, device: &str, alarm_type: &str) -> (u16, String) {
    let id = uuid::Uuid::now_v7().simple().to_string();
    let r = app.post_alert(&alarm(device, alarm_type, &id)).await;
    let status = r.status().as_u16();
    let body: Value = r.json().await.unwrap();
    (status, body["id"].as_str().unwrap().to_owned())
}

/// Waits until `check` holds for the item (a breach comes from the core's own timer).
async fn wait_until(app: &TestApp, id: &str, check: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let it = item(app, id).await;
        if check(&it) {
            return it;
        }
        assert!(Instant::now() < deadline, "condition never held: {it}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

// 1. Who and where.

#[tokio::test]
async fn an_alarm_names_the_devices_beneficiary_at_home() {
    // Arrange
    let app = app_with(|_| {}).await;
    register_device(&app, "TA-S1", "+40799000101", 86_400).await;

    // Act
    let (status, id) = alarm_from(&app, "TA-S1", "fall").await;
    let (_, unknown) = alarm_from(&app, "TA-NOT-REGISTERED", "fall").await;

    // Assert
    assert_eq!(status, 201);
    let it = item(&app, &id).await;
    assert_eq!(
        it["subject"],
        json!({
            "name": "Maria Test (fictiv)",
            "address": "Strada Lazăr 24, Timișoara",
            "phone": "+40799000101",
            "position": {"lon": 21.2215, "lat": 45.7592},
            "device_id": "TA-S1",
        })
    );
    // The event in the log holds it too, so a console's fold has it.
    let created = &events(&app, &id).await[0];
    assert_eq!(created["type"], "item_created");
    assert_eq!(created["item"]["subject"]["device_id"], "TA-S1");
    // An unregistered device's alarm is queued all the same, without a subject.
    assert!(item(&app, &unknown).await.get("subject").is_none());
}

#[tokio::test]
async fn a_call_from_a_beneficiarys_number_names_them_and_a_callback_takes_its_cards_subject() {
    // Arrange
    let app = app_with(|_| {}).await;
    register_device(&app, "TA-S2", "+40799000102", 86_400).await;

    // Act: a walk-in call from the beneficiary's number, without a place; a carer's number
    // with a typed place; an unknown number with a typed place.
    let r = post_call(
        &app,
        json!({"caller_number": "+40799000102", "category": "neglect", "immediate_danger": false,
               "channel": "walk_in", "reporter": "beneficiary"}),
    )
    .await;
    assert_eq!(r.status(), 201);
    let own: Value = r.json().await.unwrap();
    let carer: Value = post_call(
        &app,
        json!({"caller_number": "+40799100001", "category": "abuse", "immediate_danger": false,
               "reporter": "relative", "location": {"address": "Bulevardul Test 3"}}),
    )
    .await
    .json()
    .await
    .unwrap();
    let stranger: Value = post_call(
        &app,
        json!({"caller_number": "+40722333444", "category": "abuse", "immediate_danger": false,
               "location": {"address": "Strada Oarecare 9", "lon": 21.23, "lat": 45.75}}),
    )
    .await
    .json()
    .await
    .unwrap();
    let nobody: Value = post_call(
        &app,
        json!({"category": "information", "immediate_danger": false}),
    )
    .await
    .json()
    .await
    .unwrap();

    // Assert
    assert_eq!(own["details"]["channel"], "walk_in");
    assert_eq!(own["details"]["reporter"], "beneficiary");
    assert_eq!(own["subject"]["name"], "Maria Test (fictiv)");
    assert_eq!(own["subject"]["address"], "Strada Lazăr 24, Timișoara");
    assert_eq!(own["subject"]["device_id"], "TA-S2");
    assert_eq!(carer["details"]["channel"], "phone", "the default channel");
    assert_eq!(carer["subject"]["name"], "Ana Fiica (fictiv)");
    assert_eq!(carer["subject"]["address"], "Bulevardul Test 3");
    assert_eq!(stranger["subject"]["name"], "");
    assert_eq!(stranger["subject"]["phone"], "+40722333444");
    assert_eq!(stranger["subject"]["position"]["lon"], 21.23);
    assert_eq!(nobody["details"]["caller_number"], "withheld");
    assert_eq!(nobody["details"]["reporter"], "unknown");
    assert!(nobody.get("subject").is_none());
}

#[tokio::test]
async fn a_booking_names_its_rider_at_the_pick_up() {
    let app = app_with(|_| {}).await;
    let start = chrono::Utc::now() + chrono::Duration::days(2);
    let r = app
        .post_as(
            Role::Dispatcher,
            "/api/v1/bookings",
            &json!({
                "rider": "R-0042",
                "pickup": { "address": "Str. Exemplu 3", "lon": 21.21, "lat": 45.76 },
                "dropoff": { "address": "Spitalul Județean", "lon": 21.24, "lat": 45.74 },
                "window": { "start": start, "end": start + chrono::Duration::minutes(30) },
                "needs": { "wheelchair": true },
            }),
        )
        .await;
    assert_eq!(r.status(), 201);
    let booking: Value = r.json().await.unwrap();
    assert_eq!(
        booking["subject"],
        json!({"name": "R-0042", "address": "Str. Exemplu 3",
               "position": {"lon": 21.21, "lat": 45.76}})
    );
}

#[tokio::test]
async fn a_bad_channel_or_reporter_is_a_422_naming_it() {
    let app = app_with(|_| {}).await;
    for (field, body) in [
        (
            "channel",
            json!({"category": "abuse", "immediate_danger": false, "channel": "pigeon"}),
        ),
        (
            "reporter",
            json!({"category": "abuse", "immediate_danger": false, "reporter": "ghost"}),
        ),
    ] {
        let r = post_call(&app, body).await;
        assert_eq!(r.status(), 422);
        let e: Value = r.json().await.unwrap();
        assert_eq!(e["error"]["field"], field);
    }
}

#[tokio::test]
async fn the_subject_is_absent_from_a_redacted_copy() {
    // Arrange: a domestic-violence call from a beneficiary's number, taken by the first
    // dispatcher; a second dispatcher sees it only redacted.
    let app = app_with(|_| {}).await;
    register_device(&app, "TA-S3", "+40799000103", 86_400).await;
    let card: Value = post_call(
        &app,
        json!({"caller_number": "+40799000103", "category": "domestic_violence",
               "immediate_danger": false, "location": {"address": "Strada Ascunsă 1"}}),
    )
    .await
    .json()
    .await
    .unwrap();
    let id = card["id"].as_str().unwrap();
    assert_eq!(app.act(id, "acknowledge", json!({})).await.status(), 200);
    let token = new_token();
    app.state
        .store
        .put_credential("test-dispatcher-2", "dispatcher", &token_hash(&token))
        .await
        .unwrap();

    // Act
    let seen: Value = app
        .client
        .get(format!("{}/api/v1/items/{id}", app.address))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap()["item"]
        .clone();

    // Assert
    assert_eq!(seen["redacted"], true);
    assert!(seen.get("subject").is_none(), "{seen}");
    let text = seen.to_string();
    assert!(
        !text.contains("Maria") && !text.contains("Ascunsă"),
        "{text}"
    );
    // The handler sees it in full.
    assert_eq!(
        item(&app, id).await["subject"]["name"],
        "Maria Test (fictiv)"
    );
}

// 2. Typed addresses geocoded.

async fn with_network() -> TestApp {
    let (mut config, dir) = test_config().await;
    config.routing.enabled = true;
    let app = spawn_with(config, dir).await;
    let deadline = Instant::now() + Duration::from_secs(120);
    while app.state.network.get().is_none() {
        assert!(Instant::now() < deadline, "road network did not load");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    app
}

#[tokio::test]
async fn a_typed_full_address_is_geocoded_and_a_street_alone_is_not() {
    let app = with_network().await;
    let full: Value = post_call(
        &app,
        json!({"category": "abuse", "immediate_danger": false,
               "location": {"address": "Strada Gheorghe Lazăr 24"}}),
    )
    .await
    .json()
    .await
    .unwrap();
    let lon = full["details"]["location"]["position"]["lon"]
        .as_f64()
        .unwrap_or_else(|| panic!("no position: {full}"));
    assert!((21.1..21.3).contains(&lon));
    assert_eq!(
        full["subject"]["position"],
        full["details"]["location"]["position"]
    );
    let street: Value = post_call(
        &app,
        json!({"category": "abuse", "immediate_danger": false,
               "location": {"address": "Strada Gheorghe Lazăr"}}),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(
        street["details"]["location"],
        json!({"address": "Strada Gheorghe Lazăr"}),
        "a street alone gets no position"
    );
}

// 3. Missed calls and SMS.

fn voice<'a>(sid: &'a str, from: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("CallSid", sid),
        ("From", from),
        ("To", "+40256000112"),
        ("CallStatus", "ringing"),
    ]
}

#[tokio::test]
async fn a_missed_call_settles_its_ringing_card_and_leaves_one_open_item() {
    // Arrange: the caller is a known beneficiary.
    let app = app_with(|_| {}).await;
    register_device(&app, "TA-M1", "+40722100001", 86_400).await;
    webhook(&app, "/telephony/voice", &voice("CA1001", "+40722100001")).await;
    let card = queue_items(&app).await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // Act
    let status = [("CallSid", "CA1001"), ("QueueResult", "hangup")];
    assert_eq!(
        webhook(&app, "/telephony/voice/status", &status)
            .await
            .status(),
        200
    );
    webhook(&app, "/telephony/voice/status", &status).await;

    // Assert: the card is closed as a missed call; the callback is the one open item.
    let closed = item(&app, &card).await;
    assert_eq!(closed["status"], "closed");
    assert_eq!(closed["outcome"], "missed_call");
    let open = queue_items(&app).await;
    assert_eq!(open.len(), 1, "{open:?}");
    assert_eq!(open[0]["kind"], "callback");
    assert_eq!(open[0]["details"]["related"], card.as_str());
    // The callback names the person of its card.
    assert_eq!(open[0]["subject"]["name"], "Maria Test (fictiv)");
    assert_eq!(open[0]["subject"]["device_id"], "TA-M1");
}

#[tokio::test]
async fn a_missed_withheld_call_settles_its_card_with_a_note_and_raises_nothing() {
    let app = app_with(|_| {}).await;
    webhook(&app, "/telephony/voice", &voice("CA1002", "anonymous")).await;
    let card = queue_items(&app).await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    webhook(
        &app,
        "/telephony/voice/status",
        &[("CallSid", "CA1002"), ("DialCallStatus", "no-answer")],
    )
    .await;
    let closed = item(&app, &card).await;
    assert_eq!(
        (closed["status"].as_str(), closed["outcome"].as_str()),
        (Some("closed"), Some("missed_call"))
    );
    assert!(closed["notes"][0]["text"]
        .as_str()
        .unwrap()
        .contains("număr ascuns"));
    assert!(queue_items(&app).await.is_empty());
}

#[tokio::test]
async fn a_missed_call_on_a_card_already_taken_stays_with_its_handler_without_a_second_item() {
    let app = app_with(|_| {}).await;
    webhook(&app, "/telephony/voice", &voice("CA1003", "+40722100003")).await;
    let card = queue_items(&app).await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(app.act(&card, "acknowledge", json!({})).await.status(), 200);
    webhook(
        &app,
        "/telephony/voice/status",
        &[("CallSid", "CA1003"), ("QueueResult", "hangup")],
    )
    .await;
    let open = queue_items(&app).await;
    assert_eq!(open.len(), 1, "{open:?}");
    assert_eq!(open[0]["id"], card.as_str());
    assert!(open[0]["notes"][0]["text"]
        .as_str()
        .unwrap()
        .contains("sunat înapoi"));
}

#[tokio::test]
async fn an_sms_card_has_channel_sms_and_its_own_rule() {
    let app = app_with(|_| {}).await;
    register_device(&app, "TA-S4", "+40799000104", 86_400).await;
    webhook(
        &app,
        "/telephony/sms",
        &[
            ("MessageSid", "SM1001"),
            ("From", "+40799000104"),
            ("Body", "Nu pot vorbi"),
        ],
    )
    .await;
    let items = queue_items(&app).await;
    assert_eq!(items.len(), 1);
    let card = &items[0];
    assert_eq!(card["details"]["channel"], "sms");
    assert_eq!(card["priority"]["rule"], "call-sms");
    assert_eq!(card["priority"]["level"], "P2");
    assert_eq!(card["priority"]["respond_within_s"], 120);
    assert_eq!(
        facts(card),
        vec![
            fact("kind", "call"),
            fact("channel", "sms"),
            fact("category", "unclassified")
        ]
    );
    assert_eq!(card["subject"]["name"], "Maria Test (fictiv)");
    // A ringing phone call keeps the 15 s clock.
    webhook(&app, "/telephony/voice", &voice("CA1004", "+40722100004")).await;
    let phone = queue_items(&app)
        .await
        .into_iter()
        .find(|i| i["details"]["channel"] == "phone")
        .unwrap();
    assert_eq!(phone["priority"]["respond_within_s"], 15);
}

// 4. Facts.

#[tokio::test]
async fn a_priority_lists_the_facts_its_rule_matched_on_as_codes() {
    let app = app_with(|_| {}).await;
    let (_, id) = alarm_from(&app, "TA-F1", "fall").await;
    let it = item(&app, &id).await;
    assert_eq!(
        facts(&it),
        vec![fact("kind", "alert"), fact("alarm_type", "fall")]
    );
    assert_eq!(it["priority"]["reason"], "kind alert, alarm type fall");
    let danger: Value = post_call(
        &app,
        json!({"category": "information", "immediate_danger": true}),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(
        facts(&danger),
        vec![fact("kind", "call"), fact("immediate_danger", "true")]
    );
}

// 5. Order.

#[tokio::test]
async fn unacknowledged_items_come_before_acknowledged_ones_whatever_their_level() {
    // Arrange: a P1 fall taken, then a P2 inactivity alarm nobody has taken.
    let app = app_with(|_| {}).await;
    let (_, p1) = alarm_from(&app, "TA-O1", "fall").await;
    assert_eq!(app.act(&p1, "acknowledge", json!({})).await.status(), 200);
    let (_, p2) = alarm_from(&app, "TA-O2", "inactivity").await;

    // Act
    let q = app.queue().await;

    // Assert
    let entries = q["items"].as_array().unwrap();
    assert_eq!(entries[0]["item"]["id"], p2.as_str());
    assert_eq!(entries[1]["item"]["id"], p1.as_str());
    assert_eq!(entries[0]["explanation"]["position_code"], "first");
    assert_eq!(
        entries[1]["explanation"]["position_code"],
        "needs_attention"
    );
    assert_eq!(entries[1]["explanation"]["ahead"], p2.as_str());

    // A repeat on the taken P1 puts it back above the P2.
    let (status, again) = alarm_from(&app, "TA-O1", "fall").await;
    assert_eq!((status, again.as_str()), (200, p1.as_str()));
    let q = app.queue().await;
    assert_eq!(q["items"][0]["item"]["id"], p1.as_str());
    assert_eq!(q["items"][0]["item"]["repeats_unseen"], 1);
}

// 6. Breach raises the level; categorisation re-prioritises.

async fn fast_wellbeing(raise: bool) -> TestApp {
    app_with(|c: &mut Config| {
        c.queue.breach_raise = raise;
        for r in &mut c.queue.rules {
            if r.id == "teleasistenta-wellbeing" {
                r.respond_within_s = 1;
            }
        }
    })
    .await
}

#[tokio::test]
async fn a_breach_raises_the_level_one_step_with_the_new_levels_clock() {
    // Arrange
    let app = fast_wellbeing(true).await;
    let (_, id) = alarm_from(&app, "TA-B1", "inactivity").await;
    assert_eq!(item(&app, &id).await["priority"]["level"], "P2");

    // Act: its 1 s clock runs out.
    let it = wait_until(&app, &id, |i| i["priority"]["level"] == "P1").await;

    // Assert
    assert_eq!(it["breached"], true);
    assert_eq!(it["priority"]["rule"], "teleasistenta-wellbeing");
    assert_eq!(it["priority"]["respond_within_s"], 60);
    assert!(facts(&it).contains(&fact("breach_raised_from", "P2")));
    let breached_at: chrono::DateTime<chrono::Utc> =
        it["times"]["breached"].as_str().unwrap().parse().unwrap();
    let deadline: chrono::DateTime<chrono::Utc> = it["deadline"].as_str().unwrap().parse().unwrap();
    assert_eq!((deadline - breached_at).num_seconds(), 60);
    let evs = events(&app, &id).await;
    let kinds: Vec<&str> = evs.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["item_created", "breached", "reprioritised"]);
    assert_eq!(evs[1]["level"], "P2");
    assert_eq!(evs[2]["priority"]["level"], "P1");
    assert_eq!(evs[2]["deadline"], it["deadline"]);
    // Never above P1: its next breach is 60 s away, and would not raise it further.
}

#[tokio::test]
async fn without_breach_raise_a_breach_only_escalates() {
    let app = fast_wellbeing(false).await;
    let (_, id) = alarm_from(&app, "TA-B2", "inactivity").await;
    let it = wait_until(&app, &id, |i| i["breached"] == true).await;
    assert_eq!(it["priority"]["level"], "P2");
    // A raise would be decided in the breach's own batch and committed with it, so once the
    // breach shows, a `reprioritised` event would show too: no waiting needed.
    let kinds: Vec<String> = events(&app, &id)
        .await
        .iter()
        .map(|e| e["type"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(kinds, ["item_created", "breached"]);
}

#[tokio::test]
async fn categorising_a_ringing_call_re_runs_the_rules_and_re_explains_it() {
    // Arrange: a ringing call (P1, call-incoming), taken.
    let app = app_with(|_| {}).await;
    webhook(&app, "/telephony/voice", &voice("CA1005", "+40722100005")).await;
    let id = queue_items(&app).await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(app.act(&id, "acknowledge", json!({})).await.status(), 200);

    // Act
    let r = app
        .act(&id, "categorise", json!({"category": "domestic_violence"}))
        .await;
    assert_eq!(r.status(), 200);

    // Assert
    let it = item(&app, &id).await;
    assert_eq!(it["priority"]["rule"], "call-protection-report");
    assert_eq!(it["priority"]["level"], "P2");
    assert!(facts(&it).contains(&fact("category", "domestic_violence")));
    assert!(it["priority"]["reason"]
        .as_str()
        .unwrap()
        .contains("category domestic_violence"));
    let last = events(&app, &id).await.last().cloned().unwrap();
    assert_eq!(last["type"], "reprioritised");
    assert_eq!(last["priority"]["rule"], "call-protection-report");
    // Categorising again with the same outcome of the rules changes nothing more.
    app.act(&id, "categorise", json!({"category": "abuse"}))
        .await;
    let kinds: Vec<String> = events(&app, &id)
        .await
        .iter()
        .map(|e| e["type"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(kinds.iter().filter(|k| *k == "reprioritised").count(), 1);
}

// 7. Storm repeats.

#[tokio::test]
async fn repeats_of_a_device_attach_to_its_open_item_and_a_new_type_is_a_new_item() {
    // Arrange
    let app = app_with(|_| {}).await;
    let first = uuid::Uuid::now_v7().simple().to_string();
    let r = app.post_alert(&alarm("TA-R1", "button", &first)).await;
    assert_eq!(r.status(), 201);
    let id = r.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // Act: two more presses, one retransmitted; then a smoke alarm of the same device.
    let second = uuid::Uuid::now_v7().simple().to_string();
    let r = app.post_alert(&alarm("TA-R1", "button", &second)).await;
    assert_eq!(r.status(), 200);
    let receipt: Value = r.json().await.unwrap();
    let again = app.post_alert(&alarm("TA-R1", "button", &second)).await;
    let (_, third) = alarm_from(&app, "TA-R1", "button").await;
    let (smoke_status, smoke) = alarm_from(&app, "TA-R1", "smoke").await;

    // Assert
    assert_eq!(receipt["id"], id.as_str());
    assert_eq!(receipt["created"], false);
    assert_eq!(
        again.status(),
        200,
        "the retransmission's key points to the item"
    );
    assert_eq!(third, id);
    let it = item(&app, &id).await;
    assert_eq!(it["repeats"], 2, "the retransmission is not a repeat");
    assert!(
        it.get("repeats_unseen").is_none(),
        "still new: nothing unseen"
    );
    assert_eq!(smoke_status, 201);
    assert_ne!(smoke, id);
    let repeated = events(&app, &id).await;
    assert_eq!(repeated[1]["type"], "repeated");
    assert_eq!(repeated[1]["alarm_type"], "button");
    assert_eq!(repeated[1]["device_time"], "2026-11-27T08:00:00Z");
    // Once closed, the next press is a new item.
    assert_eq!(app.act(&id, "acknowledge", json!({})).await.status(), 200);
    assert_eq!(
        app.act(&id, "close", json!({"outcome": "false_alarm"}))
            .await
            .status(),
        200
    );
    let (status, next) = alarm_from(&app, "TA-R1", "button").await;
    assert_eq!(status, 201);
    assert_ne!(next, id);
}

#[tokio::test]
async fn repeats_after_acknowledgement_are_unseen_until_acknowledged_again() {
    // Arrange
    let app = app_with(|_| {}).await;
    let (_, id) = alarm_from(&app, "TA-R2", "fall").await;
    assert_eq!(app.act(&id, "acknowledge", json!({})).await.status(), 200);

    // Act
    alarm_from(&app, "TA-R2", "fall").await;
    alarm_from(&app, "TA-R2", "fall").await;
    let unseen = item(&app, &id).await;
    let r = app.act(&id, "acknowledge", json!({})).await;
    let seen: Value = r.json().await.unwrap();
    let twice = app.act(&id, "acknowledge", json!({})).await;

    // Assert
    assert_eq!(
        (
            unseen["repeats"].as_u64(),
            unseen["repeats_unseen"].as_u64()
        ),
        (Some(2), Some(2))
    );
    assert_eq!(seen["status"], "acknowledged");
    assert_eq!(seen["repeats"], 2);
    assert!(seen.get("repeats_unseen").is_none());
    let last = events(&app, &id).await.last().cloned().unwrap();
    assert_eq!(last["type"], "repeats_seen");
    assert!(last["by"].is_string());
    assert_eq!(twice.status(), 409);
    let e: Value = twice.json().await.unwrap();
    assert_eq!(e["error"]["code"], "conflict");
    assert_eq!(e["error"]["reason"], "not_new");
}

#[tokio::test]
async fn a_storm_of_200_alarms_from_20_devices_is_20_items_with_their_repeats_counted() {
    let app = app_with(|c| {
        c.limits.intake_per_minute = 600_000;
        c.limits.intake_burst = 10_000;
    })
    .await;
    let mut tasks = Vec::new();
    for i in 0..200 {
        let client = app.client.clone();
        let url = format!("{}/api/v1/alerts", app.address);
        let token = app.token(Role::Receiver).to_owned();
        tasks.push(tokio::spawn(async move {
            client
                .post(url)
                .bearer_auth(token)
                .json(&alarm(
                    &format!("TA-ST-{:02}", i % 20),
                    "button",
                    &format!("st-{i}"),
                ))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }));
    }
    for t in tasks {
        let s = t.await.unwrap();
        assert!(s == 200 || s == 201, "{s}");
    }
    let items = queue_items(&app).await;
    assert_eq!(items.len(), 20);
    assert!(items.iter().all(|i| i["repeats"] == 9), "{items:?}");
    let storm: Value = app
        .get_as(Role::Dispatcher, "/api/v1/storm")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(storm["open_alarms"], 200);
    assert_eq!(storm["repeats"].as_array().unwrap().len(), 20);
    assert_eq!(storm["repeats"][0]["count"], 10);
}

// 8. Bulk acknowledge.

#[tokio::test]
async fn bulk_acknowledge_answers_each_id_as_the_single_acknowledge_would() {
    // Arrange
    let app = app_with(|_| {}).await;
    let (_, a) = alarm_from(&app, "TA-K1", "fall").await;
    let (_, b) = alarm_from(&app, "TA-K2", "fall").await;
    let (_, taken) = alarm_from(&app, "TA-K3", "fall").await;
    assert_eq!(
        app.act(&taken, "acknowledge", json!({})).await.status(),
        200
    );
    let unknown = uuid::Uuid::now_v7().to_string();

    // Act
    let r = app
        .post_as(
            Role::Dispatcher,
            "/api/v1/items/acknowledge",
            &json!({"ids": [a, b, taken, unknown, "nope"]}),
        )
        .await;

    // Assert
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    let res = body["results"].as_array().unwrap();
    assert_eq!(res.len(), 5);
    assert_eq!(
        res[0],
        json!({"id": a, "ok": true, "status": "acknowledged"})
    );
    assert_eq!(res[1]["ok"], true);
    assert_eq!(res[2]["ok"], false);
    assert_eq!(res[2]["error"]["code"], "conflict");
    assert_eq!(res[2]["error"]["reason"], "not_new");
    assert_eq!(res[3]["error"]["code"], "not_found");
    assert_eq!(res[4]["error"]["code"], "invalid");
    assert_eq!(item(&app, &b).await["status"], "acknowledged");
    assert_eq!(item(&app, &a).await["handler"], "test-dispatcher");
}

#[tokio::test]
async fn bulk_acknowledge_takes_1_to_500_ids_and_only_from_dispatch_roles() {
    let app = app_with(|_| {}).await;
    let many: Vec<String> = (0..501).map(|_| uuid::Uuid::now_v7().to_string()).collect();
    for ids in [json!([]), json!(many)] {
        let r = app
            .post_as(
                Role::Dispatcher,
                "/api/v1/items/acknowledge",
                &json!({"ids": ids}),
            )
            .await;
        assert_eq!(r.status(), 422);
        let e: Value = r.json().await.unwrap();
        assert_eq!(e["error"]["field"], "ids");
    }
    let r = app
        .post_as(
            Role::Receiver,
            "/api/v1/items/acknowledge",
            &json!({"ids": []}),
        )
        .await;
    assert_eq!(r.status(), 403);
}

// 9. Reasons.

#[tokio::test]
async fn refusals_the_console_meets_carry_a_reason_code() {
    // Arrange
    let app = app_with(|_| {}).await;
    let (_, id) = alarm_from(&app, "TA-E1", "fall").await;
    let reason = |r: Value| r["error"]["reason"].as_str().map(str::to_owned);

    // Act / Assert: assign before acknowledging.
    let r = app
        .act(&id, "assign", json!({"resources": ["VAN-01"]}))
        .await;
    assert_eq!(r.status(), 409);
    assert_eq!(
        reason(r.json().await.unwrap()).as_deref(),
        Some("not_acknowledged")
    );
    // Close a closed item.
    app.act(&id, "acknowledge", json!({})).await;
    app.act(&id, "close", json!({"outcome": "false_alarm"}))
        .await;
    let r = app
        .act(&id, "close", json!({"outcome": "false_alarm"}))
        .await;
    assert_eq!(r.status(), 409);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "conflict");
    assert_eq!(reason(body).as_deref(), Some("closed"));
    // A bad field has no reason, only its name.
    let r = app.act(&id, "close", json!({"outcome": 5})).await;
    let body: Value = r.json().await.unwrap();
    assert!(body["error"].get("reason").is_none(), "{body}");
}
