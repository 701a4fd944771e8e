//! Domestic-violence cases, point by point: each door through which a case leaked to a dispatcher
//! who is not handling it (issue "Trust"), shut, and what derives from a case protected like it.
//! `dv_leak.rs` sweeps every route; these tests name each door.

use std::time::Duration;

use dispecer::access::Role;
use dispecer::web::auth::{new_token, token_hash};
use serde_json::{json, Value};

use crate::helpers::{spawn_app, spawn_with, test_config, TestApp};

/// A second dispatcher (machine credential `test-dispatcher-2`), who handles none of the cases.
async fn other_dispatcher(app: &TestApp) -> String {
    let token = new_token();
    app.state
        .store
        .put_credential("test-dispatcher-2", "dispatcher", &token_hash(&token))
        .await
        .unwrap();
    token
}

async fn send(
    app: &TestApp,
    token: &str,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (u16, String) {
    let mut r = app
        .client
        .request(method, format!("{}{}", app.address, path))
        .bearer_auth(token);
    if let Some(b) = body {
        r = r.json(&b);
    }
    let r = r.send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

/// A call carded by the telephony credential; returns its id.
async fn card(app: &TestApp, number: &str, category: &str, notes: &str) -> String {
    let r = app
        .post_as(
            Role::Telephony,
            "/api/v1/calls",
            &json!({ "caller_number": number, "category": category, "immediate_danger": false, "notes": notes }),
        )
        .await;
    assert_eq!(r.status(), 201);
    let item: Value = r.json().await.unwrap();
    item["id"].as_str().unwrap().to_owned()
}

/// A domestic-violence case taken by the first dispatcher.
async fn handled_case(app: &TestApp, number: &str, notes: &str) -> String {
    let id = card(app, number, "domestic_violence", notes).await;
    assert_eq!(app.act(&id, "acknowledge", json!({})).await.status(), 200);
    id
}

fn digits(number: &str) -> &str {
    number.trim_start_matches('+')
}

async fn ws(app: &TestApp, token: &str, after_seq: Option<i64>) -> crate::helpers::WsClient {
    let mut url = format!(
        "{}/ws?access_token={token}",
        app.address.replacen("http", "ws", 1)
    );
    if let Some(s) = after_seq {
        url.push_str(&format!("&after_seq={s}"));
    }
    let (socket, _) = tokio_tungstenite::connect_async(url.as_str())
        .await
        .expect("websocket connect");
    crate::helpers::WsClient { socket }
}

/// Every frame the socket sends until it has been quiet for `quiet`.
async fn frames(ws: &mut crate::helpers::WsClient, quiet: Duration) -> Vec<Value> {
    let mut out = Vec::new();
    while let Some(m) = ws.try_next_json(quiet).await {
        out.push(m);
    }
    out
}

async fn audit(app: &TestApp, id: &str) -> Vec<Value> {
    let a: Value = app
        .get_as(Role::Supervisor, &format!("/api/v1/items/{id}/audit"))
        .await
        .json()
        .await
        .unwrap();
    a["reads"].as_array().unwrap().clone()
}

#[tokio::test]
async fn a_dispatcher_not_handling_a_case_cannot_start_it_nor_read_it_in_the_answer() {
    // Arrange: a case taken by the first dispatcher and assigned to an EMIU team.
    let app = spawn_app().await;
    let other = other_dispatcher(&app).await;
    let r = app
        .post_as(
            Role::Supervisor,
            "/api/v1/resources",
            &json!({ "id": "EMIU-9", "kind": "emiu_team", "name": "Echipa 9" }),
        )
        .await;
    assert_eq!(r.status(), 201);
    let id = handled_case(&app, "+40723100001", "adresa ascunsa MRK-START").await;
    let r = app
        .act(&id, "assign", json!({ "resources": ["EMIU-9"] }))
        .await;
    assert_eq!(r.status(), 200);

    // Act
    let (status, body) = send(
        &app,
        &other,
        reqwest::Method::POST,
        &format!("/api/v1/items/{id}/start"),
        None,
    )
    .await;

    // Assert: refused, nothing of the victim in the answer, and the case did not move.
    assert_eq!(status, 403, "{body}");
    assert!(!body.contains("MRK-START") && !body.contains(digits("+40723100001")));
    let item: Value = app
        .get_as(Role::Supervisor, &format!("/api/v1/items/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(item["item"]["status"], "assigned");
    // The handler may start it.
    assert_eq!(app.act(&id, "start", json!({})).await.status(), 200);
}

#[tokio::test]
async fn referral_notes_are_withheld_from_a_dispatcher_who_sees_the_case_redacted() {
    let app = spawn_app().await;
    let other = other_dispatcher(&app).await;
    let id = handled_case(&app, "+40723100002", "n").await;
    let r = app
        .act(
            &id,
            "referrals",
            json!({ "service": "domestic-violence-complex", "note": "locuieste la sora ei MRK-REFERRAL" }),
        )
        .await;
    assert_eq!(r.status(), 201);
    let referral: Value = r.json().await.unwrap();
    let rid = referral["id"].as_str().unwrap();

    // Act
    let (list_status, list) = send(
        &app,
        &other,
        reqwest::Method::GET,
        &format!("/api/v1/items/{id}/referrals"),
        None,
    )
    .await;
    let (ack_status, ack) = send(
        &app,
        &other,
        reqwest::Method::POST,
        &format!("/api/v1/referrals/{rid}/acknowledge"),
        None,
    )
    .await;

    // Assert: the referral is seen to exist, without its note; acknowledging it is acting on
    // the case, which needs the case in full.
    assert_eq!(list_status, 200);
    assert!(!list.contains("MRK-REFERRAL"), "{list}");
    assert!(list.contains(rid));
    assert_eq!(ack_status, 403);
    assert!(!ack.contains("MRK-REFERRAL"));
    let reads = audit(&app, &id).await;
    assert!(reads
        .iter()
        .any(|r| r["actor"] == "test-dispatcher-2" && r["outcome"] == "redacted"));
    // The handler sees the note and records the acknowledgement.
    let r = app
        .post_as(
            Role::Dispatcher,
            &format!("/api/v1/referrals/{rid}/acknowledge"),
            &json!({}),
        )
        .await;
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("MRK-REFERRAL"));
}

#[tokio::test]
async fn a_replay_judges_a_call_categorised_domestic_violence_later_as_it_is_now() {
    // Arrange: an incoming call is carded unclassified (every phone call is), then the handler
    // categorises it domestic violence.
    let app = spawn_app().await;
    let other = other_dispatcher(&app).await;
    let id = card(&app, "+40723100003", "unclassified", "strada MRK-REPLAY").await;
    assert_eq!(app.act(&id, "acknowledge", json!({})).await.status(), 200);
    let r = app
        .act(
            &id,
            "categorise",
            json!({ "category": "domestic_violence" }),
        )
        .await;
    assert_eq!(r.status(), 200);

    // Act: the other dispatcher replays the log from the start.
    let mut ws = ws(&app, &other, Some(0)).await;
    let got = frames(&mut ws, Duration::from_millis(500)).await;

    // Assert: the creation is there, redacted.
    let text = serde_json::to_string(&got).unwrap();
    assert!(!text.contains("MRK-REPLAY"), "{text}");
    assert!(!text.contains(digits("+40723100003")), "{text}");
    let created = got
        .iter()
        .find(|m| m["event"]["type"] == "item_created")
        .expect("the creation is replayed");
    assert_eq!(created["event"]["item"]["redacted"], true);
}

#[tokio::test]
async fn a_dispatcher_holding_a_call_in_full_is_sent_its_redacted_copy_once_it_is_categorised() {
    let app = spawn_app().await;
    let other = other_dispatcher(&app).await;
    let mut ws = ws(&app, &other, None).await;
    ws.next_json().await;
    let id = card(&app, "+40723100004", "unclassified", "MRK-LIVE").await;
    let created = ws.wait_for("item_created").await;
    assert_eq!(
        created["event"]["item"]["details"]["caller_number"],
        "+40723100004"
    );
    assert_eq!(app.act(&id, "acknowledge", json!({})).await.status(), 200);

    // Act
    let r = app
        .act(
            &id,
            "categorise",
            json!({ "category": "domestic_violence" }),
        )
        .await;
    assert_eq!(r.status(), 200);

    // Assert: the console's copy is replaced by the redacted one before the categorisation.
    loop {
        let m = ws.next_json().await;
        if m["type"] == "item" && m["item"]["id"] == id.as_str() {
            assert_eq!(m["item"]["redacted"], true);
            assert_eq!(m["item"]["details"]["caller_number"], "***");
            assert!(!m.to_string().contains("MRK-LIVE"));
            break;
        }
        assert_ne!(
            m["event"]["type"], "case_recorded",
            "no redacted copy came first"
        );
    }
}

#[tokio::test]
async fn what_derives_from_a_case_is_as_protected_as_the_case() {
    // Arrange: a case with a follow-up due at once.
    let (mut config, dir) = test_config().await;
    config.referrals.follow_up_interval_ms = 100;
    let app = spawn_with(config, dir).await;
    let other = other_dispatcher(&app).await;
    let id = handled_case(&app, "+40723100005", "n").await;
    let r = app
        .act(
            &id,
            "follow-ups",
            json!({ "in_s": 0, "phone": "+40723100006" }),
        )
        .await;
    assert_eq!(r.status(), 201);

    // Act: the follow-up's callback is raised; a new call comes from the case's number and an
    // SMS from the follow-up number.
    let mut callback = None;
    for _ in 0..100 {
        let q: Value = app
            .get_as(Role::Supervisor, "/api/v1/queue")
            .await
            .json()
            .await
            .unwrap();
        callback = q["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["item"]["kind"] == "callback")
            .map(|e| e["item"]["id"].as_str().unwrap().to_owned());
        if callback.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let callback = callback.expect("the follow-up's callback is raised");
    let again = card(&app, "+40723100005", "unclassified", "MRK-AGAIN").await;
    let from_follow_up = card(&app, "+40723100006", "unclassified", "MRK-SMS").await;

    // Assert: each is tied to the case, redacted for the other dispatcher, hidden from drivers.
    for derived in [&callback, &again, &from_follow_up] {
        let (status, body) = send(
            &app,
            &other,
            reqwest::Method::GET,
            &format!("/api/v1/items/{derived}"),
            None,
        )
        .await;
        assert_eq!(status, 200);
        let shown: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(shown["item"]["redacted"], true, "{body}");
        assert_eq!(shown["item"]["dv_case"], id.as_str());
        for marker in ["MRK-AGAIN", "MRK-SMS", "40723100005", "40723100006"] {
            assert!(!body.contains(marker), "{marker} in {body}");
        }
        let r = app
            .get_as(Role::Driver, &format!("/api/v1/items/{derived}"))
            .await;
        assert_eq!(r.status(), 403);
    }
}

#[tokio::test]
async fn a_phone_lookup_tells_no_one_but_the_handler_that_a_number_is_a_victims() {
    let app = spawn_app().await;
    let other = other_dispatcher(&app).await;
    let id = handled_case(&app, "+40723100007", "n").await;

    // Act
    let (status, body) = send(
        &app,
        &other,
        reqwest::Method::GET,
        "/api/v1/teleasistenta/lookup?phone=%2B40723100007",
        None,
    )
    .await;
    let handler: Value = app
        .get_as(
            Role::Dispatcher,
            "/api/v1/teleasistenta/lookup?phone=%2B40723100007",
        )
        .await
        .json()
        .await
        .unwrap();

    // Assert: the other dispatcher learns nothing of the case; the handler's read is audited.
    assert_eq!(status, 200);
    let answer: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(answer["history"], json!([]), "{body}");
    assert!(!body.contains(&id));
    assert_eq!(handler["history"][0]["id"], id.as_str());
    let reads = audit(&app, &id).await;
    assert!(reads
        .iter()
        .any(|r| r["action"] == "lookup_phone" && r["actor"] == "test-dispatcher"));
}

#[tokio::test]
async fn a_case_sent_in_full_over_the_websocket_is_in_the_read_audit() {
    let app = spawn_app().await;
    let id = handled_case(&app, "+40723100008", "n").await;

    // Act: a supervisor's console connects (the snapshot carries the case in full); the other
    // dispatcher's console gets it redacted.
    let other = other_dispatcher(&app).await;
    let supervisor = app.token(Role::Supervisor).to_owned();
    let mut sup = ws(&app, &supervisor, None).await;
    let snapshot = sup.next_json().await;
    let mut redacted = ws(&app, &other, None).await;
    redacted.next_json().await;

    // Assert
    assert!(snapshot.to_string().contains("40723100008"));
    let reads = audit(&app, &id).await;
    assert!(
        reads
            .iter()
            .any(|r| r["action"] == "websocket" && r["actor"] == "test-supervisor"),
        "{reads:?}"
    );
    assert!(!reads
        .iter()
        .any(|r| r["action"] == "websocket" && r["actor"] == "test-dispatcher-2"));
}

#[tokio::test]
async fn a_case_listed_in_full_in_the_queue_is_in_the_read_audit() {
    let app = spawn_app().await;
    let id = handled_case(&app, "+40723100009", "n").await;
    let other = other_dispatcher(&app).await;

    // Act: the handler, EMIU and a supervisor list the queue in full; the other dispatcher
    // lists it redacted.
    for role in [Role::Dispatcher, Role::Emiu, Role::Supervisor] {
        assert_eq!(app.get_as(role, "/api/v1/queue").await.status(), 200);
    }
    let (status, body) = send(&app, &other, reqwest::Method::GET, "/api/v1/queue", None).await;
    assert_eq!(status, 200);
    assert!(!body.contains("40723100009"));

    // Assert
    let reads = audit(&app, &id).await;
    for actor in ["test-dispatcher", "test-emiu", "test-supervisor"] {
        assert!(
            reads
                .iter()
                .any(|r| r["action"] == "view_queue" && r["actor"] == actor),
            "{actor}: {reads:?}"
        );
    }
    assert!(!reads
        .iter()
        .any(|r| r["action"] == "view_queue" && r["actor"] == "test-dispatcher-2"));
}

/// The EMIU procedure's records (issue 17): a dispatcher who does not handle the case sees each
/// only as withheld, may record none of them, and a hazard noted on the case does not reach them
/// through a case of their own at the same address.
#[tokio::test]
async fn the_emiu_procedure_records_are_withheld_and_refused_to_a_dispatcher_not_handling_the_case()
{
    // Arrange: a case with every new record, each carrying a marker.
    let app = spawn_app().await;
    let other = other_dispatcher(&app).await;
    let address = "Strada MRK-HZ-ADDR 4, Timișoara";
    let r = app
        .post_as(
            Role::Dispatcher,
            "/api/v1/calls",
            &json!({ "caller_number": "+40722000411", "category": "domestic_violence", "immediate_danger": true,
                     "location": { "address": address, "lon": 21.2111, "lat": 45.7444 } }),
        )
        .await;
    let id = r.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(app.act(&id, "acknowledge", json!({})).await.status(), 200);
    let today = chrono::Utc::now().date_naive();
    let records = [
        (
            "police-request",
            json!({ "opp_number": "MRK-OPP-1", "accommodation_requested": true, "note": "MRK-POLICE-NOTE" }),
        ),
        (
            "aggressor-accommodation",
            json!({ "place": "MRK-AGGR-PLACE" }),
        ),
        (
            "risk",
            json!({ "yes": ["isolation"], "override_level": "high", "override_reason": "MRK-OVERRIDE-REASON" }),
        ),
        (
            "protection-orders",
            json!({ "order": "opp", "number": "MRK-ORDER-NO", "issued_on": today, "expires_on": today + chrono::Days::new(10), "people_covered": ["MRK-COVERED"], "minors": 0 }),
        ),
        (
            "legal-steps",
            json!({ "step": "criminal_complaint", "date": today, "reference": "MRK-LEGAL-REF" }),
        ),
        (
            "hazards",
            json!({ "hazard": "weapons", "note": "MRK-HAZARD-NOTE" }),
        ),
        ("children", json!({ "count": 3 })),
        ("on-scene", json!({})),
    ];
    for (what, body) in &records {
        let r = app
            .post_as(Role::Emiu, &format!("/api/v1/emiu/cases/{id}/{what}"), body)
            .await;
        assert_eq!(r.status(), 200, "{what}: {}", r.text().await.unwrap());
    }
    // The other dispatcher's own (not DV) call at the same address.
    let r = app
        .client
        .post(format!("{}/api/v1/calls", app.address))
        .bearer_auth(&other)
        .json(&json!({ "caller_number": "+40722000412", "category": "neglect", "immediate_danger": false,
                       "location": { "address": address, "lon": 21.2111, "lat": 45.7444 } }))
        .send()
        .await
        .unwrap();
    let own = r.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, _) = send(
        &app,
        &other,
        reqwest::Method::POST,
        &format!("/api/v1/items/{own}/acknowledge"),
        Some(json!({})),
    )
    .await;
    assert_eq!(status, 200);

    // Act
    let (status, body) = send(
        &app,
        &other,
        reqwest::Method::GET,
        &format!("/api/v1/emiu/cases/{id}"),
        None,
    )
    .await;
    let (own_status, own_body) = send(
        &app,
        &other,
        reqwest::Method::GET,
        &format!("/api/v1/emiu/cases/{own}"),
        None,
    )
    .await;
    let mut refusals = Vec::new();
    for (what, body) in &records {
        let (s, text) = send(
            &app,
            &other,
            reqwest::Method::POST,
            &format!("/api/v1/emiu/cases/{id}/{what}"),
            Some(body.clone()),
        )
        .await;
        refusals.push((what, s, text));
    }
    let (close_status, _) = send(
        &app,
        &other,
        reqwest::Method::POST,
        &format!("/api/v1/emiu/cases/{id}/close"),
        Some(json!({ "outcome": "other" })),
    )
    .await;

    // Assert: the case shows each record as withheld, nothing of it in the answer.
    assert_eq!(status, 200, "{body}");
    assert!(!body.contains("MRK-"), "a marker leaked: {body}");
    let view: Value = serde_json::from_str(&body).unwrap();
    let kinds: Vec<&str> = view["case_file"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["record"]["record"].as_str().unwrap())
        .collect();
    assert!(
        kinds
            .iter()
            .all(|k| *k == "withheld" || *k == "categorised"),
        "{kinds:?}"
    );
    assert_eq!(view["latest_risk"]["record"], "withheld");
    assert_eq!(view["hazards"], json!([]));
    assert!(view["children_present"].is_null());
    // Their own case at the address: no hazard from the DV case.
    assert_eq!(own_status, 200, "{own_body}");
    assert!(!own_body.contains("MRK-HAZARD"), "{own_body}");
    let own_view: Value = serde_json::from_str(&own_body).unwrap();
    assert_eq!(own_view["hazards"], json!([]));
    for (what, s, text) in refusals {
        assert_eq!(s, 403, "{what}: {text}");
        assert!(!text.contains("MRK-"), "{what}: {text}");
    }
    assert_eq!(close_status, 403);
    // A supervisor, who sees every DV case in full, is warned on the other case at the address.
    let emiu_view: Value = app
        .get_as(Role::Supervisor, &format!("/api/v1/emiu/cases/{own}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(emiu_view["hazards"][0]["note"], "MRK-HAZARD-NOTE");
}
