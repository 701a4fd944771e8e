//! Outbound calls (issue 17, point 4): wellbeing schedules raise one queue item when due (also
//! with two instances), outcomes close the item, no answer retries then escalates, campaigns
//! select by age and living alone, a safe-contact number is never dialled, bad input names its
//! field, and the role matrix of every route.

use std::time::{Duration, Instant};

use chrono::{Datelike, Timelike, Utc};
use dispecer::access::Role;
use dispecer::config::Config;
use serde_json::{json, Value};

use crate::emergency::register_device;
use crate::fake_calls::FakeCalls;
use crate::helpers::{spawn_sharing, spawn_with, test_config, TestApp};

/// A server whose due calls are looked for every 50 ms, with `tweak` applied.
async fn app_with(tweak: impl FnOnce(&mut Config)) -> TestApp {
    let (mut config, dir) = test_config().await;
    config.outbound.interval_ms = 50;
    tweak(&mut config);
    spawn_with(config, dir).await
}

/// Outbound calls go to `fake` (the Calls API), from +40256000111.
fn dial_through(config: &mut Config, fake: &FakeCalls) {
    config.telephony.public_url = "https://dispecer.example".into();
    config.telephony.calls_from = "+40256000111".into();
    config.telephony.dispatch_desk_number = "+40256000999".into();
    config.sms.base_url = fake.base_url.clone();
    config.sms.account_sid = crate::fake_calls::SID.into();
    config.sms.auth_token = crate::fake_calls::TOKEN.to_owned().into();
    config.sms.poll_ms = 50;
    config.sms.backoff_initial_ms = 50;
}

async fn json_of(r: reqwest::Response) -> (u16, Value) {
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn post(app: &TestApp, role: Role, path: &str, body: Value) -> (u16, Value) {
    json_of(app.post_as(role, path, &body).await).await
}

async fn get(app: &TestApp, role: Role, path: &str) -> (u16, Value) {
    json_of(app.get_as(role, path).await).await
}

async fn set_profile(app: &TestApp, device: &str, birth_year: i32, alone: bool) {
    let (s, b) = post(
        app,
        Role::Dispatcher,
        &format!("/api/v1/outbound/beneficiaries/{device}"),
        json!({ "birth_year": birth_year, "lives_alone": alone }),
    )
    .await;
    assert_eq!(s, 200, "{b}");
}

/// The outbound calls of `source_id`, once `ok` holds for them (or what there is after 10 s).
async fn calls_when(app: &TestApp, source_id: &str, ok: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (s, b) = get(
            app,
            Role::Dispatcher,
            &format!("/api/v1/outbound/calls?source_id={source_id}"),
        )
        .await;
        assert_eq!(s, 200, "{b}");
        let calls = b["calls"].as_array().cloned().unwrap_or_default();
        if ok(&calls) || Instant::now() > deadline {
            return calls;
        }
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
}

fn raised(calls: &[Value], n: usize) -> bool {
    calls
        .iter()
        .filter(|c| c["state"] == "raised" && c["item_id"].is_string())
        .count()
        >= n
}

/// A call list of one beneficiary due now; its id.
async fn list_of(app: &TestApp, entries: Value) -> (u16, Value) {
    post(
        app,
        Role::Dispatcher,
        "/api/v1/outbound/lists",
        json!({
            "service": "Serviciul Persoane Vârstnice",
            "reason": "Verificare după externare",
            "due_at": Utc::now(),
            "entries": entries,
        }),
    )
    .await
}

/// An item as a supervisor sees it; waits while this instance has not read it from the log
/// yet (another instance may have raised it).
async fn item(app: &TestApp, id: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (s, b) = get(app, Role::Supervisor, &format!("/api/v1/items/{id}")).await;
        if s == 404 && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(30)).await;
            continue;
        }
        assert_eq!(s, 200, "{b}");
        return b["item"].clone();
    }
}

#[tokio::test]
async fn a_due_schedule_raises_exactly_one_queue_item_across_two_instances() {
    // Arrange: two instances on one database; a Monday-and-Thursday 10:00 schedule.
    let (mut config, dir) = test_config().await;
    config.outbound.interval_ms = 40;
    config.bus.poll_interval_ms = 50;
    let second_config = config.clone();
    let app = spawn_with(config, dir).await;
    let other = spawn_sharing(second_config, None, Some(&app.tokens)).await;
    register_device(&app, "TA-OUT-1", "+40256000501", 86_400).await;
    let (s, schedule) = post(
        &app,
        Role::Dispatcher,
        "/api/v1/outbound/schedules",
        json!({ "device_id": "TA-OUT-1", "weekdays": ["thu", "mon"], "at": "10:00" }),
    )
    .await;
    assert_eq!(s, 201, "{schedule}");
    assert_eq!(schedule["weekdays"], json!(["mon", "thu"]));
    let next: chrono::DateTime<Utc> = schedule["next_due"].as_str().unwrap().parse().unwrap();
    let local = next.with_timezone(&chrono_tz::Europe::Bucharest);
    assert!(matches!(
        local.weekday(),
        chrono::Weekday::Mon | chrono::Weekday::Thu
    ));
    assert_eq!((local.hour(), local.minute()), (10, 0));
    assert!(next > Utc::now());
    let id = schedule["id"].as_str().unwrap().to_owned();

    // Act: the occurrence falls due (moved to a second ago, as if the day had come).
    let due = Utc::now().timestamp_millis() - 1000;
    assert!(app
        .state
        .emergency
        .advance_schedule(&id, next.timestamp_millis(), due)
        .await
        .unwrap());
    let calls = calls_when(&app, &id, |c| raised(c, 1)).await;
    tokio::time::sleep(Duration::from_millis(400)).await; // both instances look again
                                                          // With the in-process bus an instance reads what another committed when it next writes
                                                          // (Redis carries it in production): one write brings the first instance up to date.
    app.new_alert("TA-OUT-SYNC", "test").await;
    let calls_after = calls_when(&app, &id, |_| true).await;

    // Assert: one call, one queue item (a wellbeing callback about the beneficiary), with its
    // due time; the schedule moved on to the next Monday or Thursday.
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert_eq!(calls_after.len(), 1, "{calls_after:?}");
    let call = &calls_after[0];
    assert_eq!(call["state"], "raised");
    assert_eq!(call["source"], "schedule");
    assert_eq!(call["name"], "Maria Test (fictiv)");
    let call_due: chrono::DateTime<Utc> = call["due"].as_str().unwrap().parse().unwrap();
    assert_eq!(call_due.timestamp_millis(), due);
    let item_id = call["item_id"].as_str().unwrap();
    let item = item(&app, item_id).await;
    assert_eq!(item["kind"], "callback");
    assert_eq!(item["details"]["reason"], "wellbeing");
    assert_eq!(item["subject"]["device_id"], "TA-OUT-1");
    let queue = app.queue().await;
    let ours = queue["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["item"]["subject"]["device_id"] == "TA-OUT-1")
        .count();
    assert_eq!(ours, 1, "{queue}");
    let (_, schedules) = get(&other, Role::Supervisor, "/api/v1/outbound/schedules").await;
    let moved: chrono::DateTime<Utc> = schedules["schedules"][0]["next_due"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(moved > Utc::now(), "{schedules}");
    assert!(matches!(
        moved.with_timezone(&chrono_tz::Europe::Bucharest).weekday(),
        chrono::Weekday::Mon | chrono::Weekday::Thu
    ));
    drop(other);
}

#[tokio::test]
async fn an_outcome_is_recorded_once_closes_the_item_and_no_answer_retries_then_escalates() {
    // Arrange: two tries, the second 60 ms after the first.
    let app = app_with(|c| {
        c.outbound.max_attempts = 2;
        c.outbound.retry_minutes = 0.001;
    })
    .await;
    register_device(&app, "TA-OUT-2", "+40256000502", 86_400).await;
    let (s, list) = list_of(
        &app,
        json!([{ "device_id": "TA-OUT-2" }, { "phone": "+40256000503", "name": "Ion Lista (fictiv)" }]),
    )
    .await;
    assert_eq!(s, 201, "{list}");
    assert_eq!(list["calls"], 2);
    let list_id = list["id"].as_str().unwrap().to_owned();
    let calls = calls_when(&app, &list_id, |c| raised(c, 2)).await;
    let by_name = |calls: &[Value], name: &str| {
        calls
            .iter()
            .filter(|c| c["name"] == name)
            .cloned()
            .collect::<Vec<_>>()
    };
    let ion = by_name(&calls, "Ion Lista (fictiv)")[0].clone();
    let maria = by_name(&calls, "Maria Test (fictiv)")[0].clone();

    // Act 1: Ion answered.
    let (s, done) = post(
        &app,
        Role::Dispatcher,
        &format!(
            "/api/v1/outbound/calls/{}/outcome",
            ion["id"].as_str().unwrap()
        ),
        json!({ "outcome": "answered_ok", "note": "totul în regulă" }),
    )
    .await;
    let (again, again_body) = post(
        &app,
        Role::Dispatcher,
        &format!(
            "/api/v1/outbound/calls/{}/outcome",
            ion["id"].as_str().unwrap()
        ),
        json!({ "outcome": "refused" }),
    )
    .await;

    // Assert 1: done, the item closed `reached`, the history names the outcome; once only.
    assert_eq!(s, 200, "{done}");
    assert_eq!(done["state"], "done");
    let ion_item = item(&app, ion["item_id"].as_str().unwrap()).await;
    assert_eq!(ion_item["status"], "closed");
    assert_eq!(ion_item["outcome"], "reached");
    let (_, history) = get(
        &app,
        Role::Supervisor,
        &format!("/api/v1/items/{}/events", ion["item_id"].as_str().unwrap()),
    )
    .await;
    assert!(
        history["events"].as_array().unwrap().iter().any(|e| {
            e["event"]["record"]["step"] == "outbound_answered_ok"
                && e["actor"] == "test-dispatcher"
        }),
        "{history}"
    );
    assert_eq!(again, 409, "{again_body}");
    assert_eq!(again_body["error"]["reason"], "already_recorded");

    // Act 2: Maria does not answer, twice.
    let (s, first) = post(
        &app,
        Role::Dispatcher,
        &format!(
            "/api/v1/outbound/calls/{}/outcome",
            maria["id"].as_str().unwrap()
        ),
        json!({ "outcome": "no_answer" }),
    )
    .await;
    assert_eq!(s, 200, "{first}");
    assert_eq!(first["state"], "retried");
    let retry_id = first["retry_id"].as_str().unwrap().to_owned();
    let calls = calls_when(&app, &list_id, |c| {
        c.iter().any(|x| {
            x["id"] == retry_id.as_str() && x["state"] == "raised" && x["item_id"].is_string()
        })
    })
    .await;
    let retry = calls
        .iter()
        .find(|c| c["id"] == retry_id.as_str())
        .unwrap()
        .clone();
    let (s, second) = post(
        &app,
        Role::Dispatcher,
        &format!("/api/v1/outbound/calls/{retry_id}/outcome"),
        json!({ "outcome": "no_answer" }),
    )
    .await;

    // Assert 2: the first item closed no_answer, a second try was raised as its own item,
    // and after it an incident for the supervisor about Maria.
    let first_item = item(&app, maria["item_id"].as_str().unwrap()).await;
    assert_eq!(first_item["outcome"], "no_answer");
    assert_eq!(retry["attempt"], 2);
    assert_ne!(retry["item_id"], maria["item_id"]);
    assert_eq!(s, 200, "{second}");
    assert_eq!(second["state"], "escalated");
    let esc = item(&app, second["escalation_item"].as_str().unwrap()).await;
    assert_eq!(esc["kind"], "incident");
    assert_eq!(esc["details"]["code"], "outbound_no_answer");
    assert_eq!(esc["subject"]["device_id"], "TA-OUT-2");
    assert_eq!(esc["status"], "new");
    let (_, lists) = get(&app, Role::Supervisor, "/api/v1/outbound/lists").await;
    let progress = &lists["lists"][0]["progress"];
    assert_eq!(progress["done"], 1, "{lists}");
    assert_eq!(progress["failed"], 1, "{lists}");
    assert_eq!(progress["pending"], 0, "{lists}");
    assert_eq!(progress["by_outcome"]["no_answer"], 1, "{lists}");
}

#[tokio::test]
async fn needs_follow_up_plans_one_follow_up_call_raised_with_the_callers_note() {
    // Arrange: the follow-up is due 72 ms after the outcome; one raised call to a beneficiary.
    let app = app_with(|c| c.outbound.follow_up_hours = 0.00002).await;
    register_device(&app, "TA-OUT-FU", "+40256000521", 86_400).await;
    let (s, list) = list_of(&app, json!([{ "device_id": "TA-OUT-FU" }])).await;
    assert_eq!(s, 201, "{list}");
    let list_id = list["id"].as_str().unwrap().to_owned();
    let call = calls_when(&app, &list_id, |c| raised(c, 1)).await[0].clone();
    let call_id = call["id"].as_str().unwrap().to_owned();
    let note = "Fiica revine joi; sunați după ora 18 despre medicamente";

    // Act: the outcome, and the same outcome posted again.
    let before = Utc::now();
    let (s, done) = post(
        &app,
        Role::Dispatcher,
        &format!("/api/v1/outbound/calls/{call_id}/outcome"),
        json!({ "outcome": "needs_follow_up", "note": note }),
    )
    .await;
    let after = Utc::now();
    let (again, again_body) = post(
        &app,
        Role::Dispatcher,
        &format!("/api/v1/outbound/calls/{call_id}/outcome"),
        json!({ "outcome": "needs_follow_up", "note": note }),
    )
    .await;

    // Assert: the call is done, its follow-up planned within the configured time...
    assert_eq!(s, 200, "{done}");
    assert_eq!(done["state"], "done");
    let follow_id = format!("{call_id}:follow");
    assert_eq!(done["follow_up_id"], follow_id.as_str(), "{done}");
    let due: chrono::DateTime<Utc> = done["follow_up_due"].as_str().unwrap().parse().unwrap();
    let wait = chrono::Duration::milliseconds(72);
    assert!(
        due >= before + wait - chrono::Duration::milliseconds(1) && due <= after + wait,
        "{due} not 72 ms after the outcome"
    );
    assert_eq!(again, 409, "{again_body}");
    // ...raised as a queue item once due, with the note on the list and on the item...
    let follow = calls_when(&app, &call_id, |c| raised(c, 1)).await;
    assert_eq!(follow.len(), 1, "one follow-up per outcome: {follow:?}");
    let f = &follow[0];
    assert_eq!(f["id"], follow_id.as_str());
    assert_eq!(f["source"], "follow_up");
    assert_eq!(f["reason"], note);
    assert_eq!(f["name"], "Maria Test (fictiv)");
    let fitem = item(&app, f["item_id"].as_str().unwrap()).await;
    assert_eq!(fitem["details"]["kind"], "callback", "{fitem}");
    assert_eq!(fitem["details"]["reason"], "follow_up", "{fitem}");
    assert_eq!(fitem["status"], "new");
    let notes: Vec<&str> = fitem["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["text"].as_str().unwrap())
        .collect();
    assert_eq!(notes, vec![note], "{fitem}");
    // ...which the dispatcher sees in the queue, and the original item stays closed `reached`.
    let queue = app.queue().await;
    assert!(
        queue["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["item"]["id"] == fitem["id"]),
        "{queue}"
    );
    let first = item(&app, call["item_id"].as_str().unwrap()).await;
    assert_eq!(first["outcome"], "reached");
    // The follow-up's own raise is not repeated by later rounds.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let (_, all) = get(&app, Role::Dispatcher, "/api/v1/outbound/calls").await;
    let follow_ups = all["calls"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["source"] == "follow_up")
        .count();
    assert_eq!(follow_ups, 1, "{all}");
    let callbacks = app.queue().await["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["item"]["details"]["reason"] == "follow_up")
        .count();
    assert_eq!(callbacks, 1);
}

#[tokio::test]
async fn a_beneficiary_profile_is_read_back_as_set_and_cleared_to_unknown() {
    // Arrange: a registered beneficiary with nothing known yet.
    let app = app_with(|_| {}).await;
    register_device(&app, "TA-PROF-1", "+40256000701", 86_400).await;
    let path = "/api/v1/outbound/beneficiaries/TA-PROF-1";
    let (s, before) = get(&app, Role::Dispatcher, path).await;
    assert_eq!(s, 200, "{before}");
    assert_eq!(before["birth_year"], Value::Null);
    assert_eq!(before["lives_alone"], Value::Null);

    // Act: a dispatcher sets both, then clears the birth year.
    set_profile(&app, "TA-PROF-1", 1941, true).await;
    let (_, set) = get(&app, Role::Supervisor, path).await;
    let (s, cleared) = post(
        &app,
        Role::Dispatcher,
        path,
        json!({ "birth_year": null, "lives_alone": false }),
    )
    .await;
    assert_eq!(s, 200, "{cleared}");
    let (_, after) = get(&app, Role::Admin, path).await;

    // Assert: each read shows what was stored; an unknown device is a 404, a bad id a 422.
    assert_eq!(set["device_id"], "TA-PROF-1");
    assert_eq!(set["birth_year"], 1941);
    assert_eq!(set["lives_alone"], true);
    assert_eq!(after["birth_year"], Value::Null);
    assert_eq!(after["lives_alone"], false);
    let (s, b) = get(
        &app,
        Role::Dispatcher,
        "/api/v1/outbound/beneficiaries/TA-NIMENI",
    )
    .await;
    assert_eq!(s, 404, "{b}");
    let (s, b) = get(
        &app,
        Role::Dispatcher,
        &format!("/api/v1/outbound/beneficiaries/{}", "x".repeat(101)),
    )
    .await;
    assert_eq!(s, 422, "{b}");
    assert_eq!(b["error"]["field"], "device_id");
}

#[tokio::test]
async fn a_campaign_selects_by_age_and_living_alone_and_spreads_its_calls() {
    // Arrange: four beneficiaries; two are 80+ and live alone, one of them safe-contact.
    let app = app_with(|_| {}).await;
    let year = Utc::now().year();
    for (id, phone, born, alone) in [
        ("TA-CAMP-1", "+40256000601", year - 85, true),
        ("TA-CAMP-2", "+40256000602", year - 81, true),
        ("TA-CAMP-3", "+40256000603", year - 90, false),
        ("TA-CAMP-4", "+40256000604", year - 70, true),
    ] {
        register_device(&app, id, phone, 86_400).await;
        set_profile(&app, id, born, alone).await;
    }
    let blocker = app.new_alert("TA-CAMP-1", "button").await;
    let blocker = dispecer::domain::ItemId(uuid::Uuid::parse_str(&blocker).unwrap());
    app.state
        .emergency
        .block_contact("+40256000602", blocker, "test")
        .await
        .unwrap();
    let filter = json!({ "min_age": 80, "lives_alone": true });

    // Act
    let (s, preview) = post(
        &app,
        Role::Supervisor,
        "/api/v1/outbound/campaigns/preview",
        json!({ "filter": filter }),
    )
    .await;
    let start = Utc::now() + chrono::Duration::hours(1);
    let (c, campaign) = post(
        &app,
        Role::Supervisor,
        "/api/v1/outbound/campaigns",
        json!({ "name": "Caniculă", "reason": "Val de căldură", "filter": filter,
                "window_start": start, "window_end": start + chrono::Duration::hours(8) }),
    )
    .await;
    let id = campaign["id"].as_str().unwrap_or_default().to_owned();
    let (st, started) = post(
        &app,
        Role::Supervisor,
        &format!("/api/v1/outbound/campaigns/{id}/start"),
        json!({}),
    )
    .await;
    let (twice, twice_body) = post(
        &app,
        Role::Supervisor,
        &format!("/api/v1/outbound/campaigns/{id}/start"),
        json!({}),
    )
    .await;
    let (_, view) = get(
        &app,
        Role::Dispatcher,
        &format!("/api/v1/outbound/campaigns/{id}"),
    )
    .await;
    let calls = calls_when(&app, &id, |_| true).await;

    // Assert: two selected (one safe-contact), one call planned in the window, one skipped
    // with the reason; started once.
    assert_eq!(s, 200, "{preview}");
    assert_eq!(preview["selected"], 2);
    assert_eq!(preview["contact_blocked"], 1);
    assert_eq!(c, 201, "{campaign}");
    assert_eq!(campaign["state"], "draft");
    assert_eq!(st, 200, "{started}");
    assert_eq!(started["calls"], 1);
    assert_eq!(
        started["skipped"],
        json!([{ "device_id": "TA-CAMP-2", "reason": "contact_blocked" }])
    );
    assert_eq!(twice, 409, "{twice_body}");
    assert_eq!(twice_body["error"]["reason"], "already_started");
    assert_eq!(view["state"], "started");
    assert_eq!(view["progress"]["pending"], 1, "{view}");
    assert_eq!(view["progress"]["skipped"], 1, "{view}");
    assert_eq!(
        view["progress"]["by_outcome"]["contact_blocked"], 1,
        "{view}"
    );
    let planned: Vec<_> = calls.iter().filter(|c| c["state"] == "planned").collect();
    assert_eq!(planned.len(), 1, "{calls:?}");
    assert_eq!(planned[0]["device_id"], "TA-CAMP-1");
    let due: chrono::DateTime<Utc> = planned[0]["due"].as_str().unwrap().parse().unwrap();
    assert!(
        due >= start - chrono::Duration::seconds(1) && due < start + chrono::Duration::hours(8)
    );
}

#[tokio::test]
async fn an_outbound_call_is_never_dialled_to_a_safe_contact_number() {
    // Arrange: a list of two; the provider is the fake Calls API.
    let fake = FakeCalls::start().await;
    let app = app_with(|c| dial_through(c, &fake)).await;
    register_device(&app, "TA-SAFE-1", "+40256000701", 86_400).await;
    let (s, list) = list_of(
        &app,
        json!([{ "device_id": "TA-SAFE-1" }, { "phone": "+40256000702", "name": "Ana Lista (fictiv)" }]),
    )
    .await;
    assert_eq!(s, 201, "{list}");
    let list_id = list["id"].as_str().unwrap().to_owned();
    let calls = calls_when(&app, &list_id, |c| raised(c, 2)).await;
    let safe = calls
        .iter()
        .find(|c| c["device_id"] == "TA-SAFE-1")
        .unwrap();
    let other = calls
        .iter()
        .find(|c| c["name"] == "Ana Lista (fictiv)")
        .unwrap();
    // The beneficiary's number is marked 'do not call back' after the item was raised.
    let case =
        dispecer::domain::ItemId(uuid::Uuid::parse_str(safe["item_id"].as_str().unwrap()).unwrap());
    app.state
        .emergency
        .block_contact("+40256000701", case, "test")
        .await
        .unwrap();

    // Act: dial both; then a new list naming the blocked number.
    let (blocked, blocked_body) = post(
        &app,
        Role::Dispatcher,
        &format!(
            "/api/v1/outbound/calls/{}/dial",
            safe["id"].as_str().unwrap()
        ),
        json!({}),
    )
    .await;
    let (ok, ok_body) = post(
        &app,
        Role::Dispatcher,
        &format!(
            "/api/v1/outbound/calls/{}/dial",
            other["id"].as_str().unwrap()
        ),
        json!({}),
    )
    .await;
    let placed = fake.wait_for(1, Duration::from_secs(10)).await;
    let (s2, second) = list_of(
        &app,
        json!([{ "phone": "+40 256 000 701", "name": "Același număr" }, { "device_id": "TA-NOPE" }]),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;

    // Assert: refused at dial time, skipped at creation; the provider got only the other call.
    assert_eq!(blocked, 409, "{blocked_body}");
    assert_eq!(blocked_body["error"]["reason"], "contact_blocked");
    assert_eq!(ok, 202, "{ok_body}");
    assert_eq!(s2, 201, "{second}");
    assert_eq!(second["calls"], 0);
    assert_eq!(
        second["skipped"],
        json!([
            { "index": 0, "reason": "contact_blocked" },
            { "index": 1, "device_id": "TA-NOPE", "reason": "unknown_device" }
        ])
    );
    let placed_after = fake.calls();
    assert_eq!(placed.len(), 1, "{placed:?}");
    assert_eq!(placed_after.len(), 1, "{placed_after:?}");
    assert_eq!(placed[0].to, "+40256000702");
    assert!(placed_after.iter().all(|c| c.to != "+40256000701"));
    // The dialled item was taken by the dispatcher.
    let taken = item(&app, other["item_id"].as_str().unwrap()).await;
    assert_eq!(taken["handler"], "test-dispatcher");
    // A schedule for the blocked beneficiary is refused.
    let (s3, b3) = post(
        &app,
        Role::Dispatcher,
        "/api/v1/outbound/schedules",
        json!({ "device_id": "TA-SAFE-1", "every_days": 3, "at": "09:30" }),
    )
    .await;
    assert_eq!(s3, 409, "{b3}");
    assert_eq!(b3["error"]["reason"], "contact_blocked");
}

#[tokio::test]
async fn bad_input_is_a_4xx_naming_the_field() {
    let app = app_with(|_| {}).await;
    register_device(&app, "TA-BAD-1", "+40256000801", 86_400).await;
    let now = Utc::now();
    let cases: Vec<(Role, &str, Value, u16, &str)> = vec![
        (
            Role::Dispatcher,
            "/api/v1/outbound/schedules",
            json!({ "device_id": "TA-BAD-1", "weekdays": ["lun"], "at": "10:00" }),
            422,
            "weekdays",
        ),
        (
            Role::Dispatcher,
            "/api/v1/outbound/schedules",
            json!({ "device_id": "TA-BAD-1", "weekdays": ["mon"], "at": "25:00" }),
            422,
            "at",
        ),
        (
            Role::Dispatcher,
            "/api/v1/outbound/schedules",
            json!({ "device_id": "TA-BAD-1", "at": "10:00" }),
            422,
            "weekdays",
        ),
        (
            Role::Dispatcher,
            "/api/v1/outbound/schedules",
            json!({ "device_id": "TA-BAD-1", "every_days": 0, "at": "10:00" }),
            422,
            "every_days",
        ),
        (
            Role::Dispatcher,
            "/api/v1/outbound/schedules",
            json!({ "device_id": "TA-NONE", "every_days": 2, "at": "10:00" }),
            422,
            "device_id",
        ),
        (
            Role::Dispatcher,
            "/api/v1/outbound/lists",
            json!({ "service": "S", "reason": "R", "due_at": now, "entries": [] }),
            422,
            "entries",
        ),
        (
            Role::Dispatcher,
            "/api/v1/outbound/lists",
            json!({ "service": "S", "reason": "R", "due_at": now, "entries": [{ "phone": "abc", "name": "X" }] }),
            422,
            "entries[0].phone",
        ),
        (
            Role::Dispatcher,
            "/api/v1/outbound/lists",
            json!({ "service": "S", "reason": "R", "due_at": now, "entries": [{ "phone": "+40256000802" }] }),
            422,
            "entries[0].name",
        ),
        (
            Role::Dispatcher,
            "/api/v1/outbound/lists",
            json!({ "service": "", "reason": "R", "due_at": now, "entries": [{ "device_id": "TA-BAD-1" }] }),
            422,
            "service",
        ),
        (
            Role::Dispatcher,
            "/api/v1/outbound/lists",
            json!({ "service": "S", "reason": "R", "due_at": "ieri", "entries": [{ "device_id": "TA-BAD-1" }] }),
            422,
            "due_at",
        ),
        (
            Role::Dispatcher,
            "/api/v1/outbound/beneficiaries/TA-BAD-1",
            json!({ "birth_year": 1800 }),
            422,
            "birth_year",
        ),
        (
            Role::Supervisor,
            "/api/v1/outbound/campaigns/preview",
            json!({ "filter": { "min_age": 300 } }),
            422,
            "filter.min_age",
        ),
        (
            Role::Supervisor,
            "/api/v1/outbound/campaigns",
            json!({ "name": "C", "reason": "R", "filter": {}, "window_start": now + chrono::Duration::hours(2), "window_end": now + chrono::Duration::hours(1) }),
            422,
            "window_end",
        ),
        (
            Role::Supervisor,
            "/api/v1/outbound/campaigns",
            json!({ "name": "", "reason": "R", "filter": {}, "window_start": now, "window_end": now + chrono::Duration::hours(1) }),
            422,
            "name",
        ),
        (
            Role::Dispatcher,
            "/api/v1/outbound/calls/nope/outcome",
            json!({ "outcome": "answered_ok" }),
            404,
            "",
        ),
    ];
    for (role, path, body, status, field) in cases {
        let (s, b) = post(&app, role, path, body.clone()).await;
        assert_eq!(s, status, "{path} {body}: {b}");
        if !field.is_empty() {
            assert_eq!(b["error"]["field"], field, "{path} {body}: {b}");
        }
    }
    // An outcome code that is not one.
    let (_, list) = list_of(&app, json!([{ "device_id": "TA-BAD-1" }])).await;
    let calls = calls_when(&app, list["id"].as_str().unwrap(), |c| raised(c, 1)).await;
    let (s, b) = post(
        &app,
        Role::Dispatcher,
        &format!(
            "/api/v1/outbound/calls/{}/outcome",
            calls[0]["id"].as_str().unwrap()
        ),
        json!({ "outcome": "fine" }),
    )
    .await;
    assert_eq!(s, 422, "{b}");
    assert_eq!(b["error"]["field"], "outcome");
    let (s, b) = get(&app, Role::Dispatcher, "/api/v1/outbound/calls?hours=0").await;
    assert_eq!(s, 422, "{b}");
    assert_eq!(b["error"]["field"], "hours");
}

#[tokio::test]
async fn the_role_matrix_holds_for_every_outbound_route() {
    use Role::*;
    let app = app_with(|_| {}).await;
    register_device(&app, "TA-ROLE-1", "+40256000901", 86_400).await;
    let dispatch = [Dispatcher, Supervisor, Admin];
    let supervisors = [Supervisor, Admin];
    let now = Utc::now();
    let list = json!({ "service": "S", "reason": "R", "due_at": now, "entries": [{ "device_id": "TA-ROLE-1" }] });
    let campaign = json!({ "name": "C", "reason": "R", "filter": { "min_age": 120 }, "window_start": now, "window_end": now + chrono::Duration::hours(1) });
    for role in Role::ALL {
        let expect = |allowed: &[Role], ok: u16| if allowed.contains(&role) { ok } else { 403 };
        let check = |what: &str, got: u16, want: u16, body: &Value| {
            assert_eq!(got, want, "{what} as {}: {body}", role.as_str());
        };
        let (s, b) = get(&app, role, "/api/v1/outbound/calls").await;
        check("GET calls", s, expect(&dispatch, 200), &b);
        let (s, b) = get(&app, role, "/api/v1/outbound/schedules").await;
        check("GET schedules", s, expect(&dispatch, 200), &b);
        let (s, b) = get(&app, role, "/api/v1/outbound/lists").await;
        check("GET lists", s, expect(&dispatch, 200), &b);
        let (s, b) = get(&app, role, "/api/v1/outbound/campaigns").await;
        check("GET campaigns", s, expect(&dispatch, 200), &b);
        let (s, b) = post(
            &app,
            role,
            "/api/v1/outbound/beneficiaries/TA-ROLE-1",
            json!({ "birth_year": 1940, "lives_alone": true }),
        )
        .await;
        check("POST profile", s, expect(&dispatch, 200), &b);
        let (s, b) = get(&app, role, "/api/v1/outbound/beneficiaries/TA-ROLE-1").await;
        check("GET profile", s, expect(&dispatch, 200), &b);
        let (s, sched) = post(
            &app,
            role,
            "/api/v1/outbound/schedules",
            json!({ "device_id": "TA-ROLE-1", "every_days": 7, "at": "11:00" }),
        )
        .await;
        check("POST schedule", s, expect(&dispatch, 201), &sched);
        let sched_id = sched["id"].as_str().unwrap_or("x").to_owned();
        let (s, b) = post(
            &app,
            role,
            &format!("/api/v1/outbound/schedules/{sched_id}/stop"),
            json!({}),
        )
        .await;
        check("POST stop", s, expect(&dispatch, 200), &b);
        let (s, made) = post(&app, role, "/api/v1/outbound/lists", list.clone()).await;
        check("POST list", s, expect(&dispatch, 201), &made);
        let (s, b) = post(
            &app,
            role,
            "/api/v1/outbound/campaigns/preview",
            json!({ "filter": {} }),
        )
        .await;
        check("POST preview", s, expect(&supervisors, 200), &b);
        let (s, c) = post(&app, role, "/api/v1/outbound/campaigns", campaign.clone()).await;
        check("POST campaign", s, expect(&supervisors, 201), &c);
        if let Some(id) = c["id"].as_str() {
            let (s, b) = get(&app, role, &format!("/api/v1/outbound/campaigns/{id}")).await;
            check("GET campaign", s, 200, &b);
            for other in Role::ALL {
                let (s, b) = post(
                    &app,
                    other,
                    &format!("/api/v1/outbound/campaigns/{id}/start"),
                    json!({}),
                )
                .await;
                let want = if supervisors.contains(&other) {
                    if other == Supervisor {
                        200
                    } else {
                        409
                    }
                } else {
                    403
                };
                assert_eq!(s, want, "start as {}: {b}", other.as_str());
            }
        }
        if let Some(id) = made["id"].as_str() {
            let calls = calls_when(&app, id, |c| raised(c, 1)).await;
            let call = calls[0]["id"].as_str().unwrap().to_owned();
            for other in Role::ALL {
                if dispatch.contains(&other) {
                    continue;
                }
                let (s, b) = post(
                    &app,
                    other,
                    &format!("/api/v1/outbound/calls/{call}/dial"),
                    json!({}),
                )
                .await;
                assert_eq!(s, 403, "dial as {}: {b}", other.as_str());
                let (s, b) = post(
                    &app,
                    other,
                    &format!("/api/v1/outbound/calls/{call}/outcome"),
                    json!({ "outcome": "answered_ok" }),
                )
                .await;
                assert_eq!(s, 403, "outcome as {}: {b}", other.as_str());
            }
            let (s, b) = post(
                &app,
                role,
                &format!("/api/v1/outbound/calls/{call}/outcome"),
                json!({ "outcome": "answered_ok" }),
            )
            .await;
            check("POST outcome", s, 200, &b);
        }
    }
}
