//! Shifts: the duty roster (CRUD, validation, who is on duty), incoming calls ringing the people
//! on duty (simultaneous and sequential, the chain on no-answer, the desk when nobody is on
//! duty) and the handover note between shifts.

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use dispecer::access::Role;
use dispecer::config::Ring;
use serde_json::{json, Value};

use crate::emergency::{app_with, queue_items, webhook};
use crate::helpers::TestApp;

fn at(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

async fn send(
    app: &TestApp,
    method: reqwest::Method,
    token: &str,
    path: &str,
    body: Option<&Value>,
) -> reqwest::Response {
    let mut req = app
        .client
        .request(method, format!("{}{}", app.address, path))
        .bearer_auth(token);
    if let Some(b) = body {
        req = req.json(b);
    }
    req.send().await.expect("request")
}

/// Dispatcher accounts of this test, each with a login token.
async fn dispatchers(app: &TestApp, names: &[&str]) -> Vec<String> {
    let mut tokens = Vec::new();
    for n in names {
        app.add_user(n, Role::Dispatcher, None).await;
        tokens.push(app.login_token(n).await);
    }
    tokens
}

async fn put_shift(
    app: &TestApp,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    lead: &str,
    members: &[&str],
) -> reqwest::Response {
    app.post_as(
        Role::Supervisor,
        "/api/v1/roster/shifts",
        &json!({ "starts_at": at(from), "ends_at": at(to), "lead": lead, "members": members }),
    )
    .await
}

async fn phone(app: &TestApp, who: &str, number: &str, extension: Option<&str>) {
    let r = send(
        app,
        reqwest::Method::PUT,
        app.token(Role::Supervisor),
        &format!("/api/v1/roster/contacts/{who}"),
        Some(&json!({ "phone": number, "extension": extension })),
    )
    .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
}

async fn refused_field(r: reqwest::Response) -> String {
    assert_eq!(r.status(), 422);
    let body: Value = r.json().await.unwrap();
    body["error"]["field"].as_str().unwrap_or("").to_owned()
}

#[tokio::test]
async fn supervisors_keep_the_roster_and_bad_shifts_are_refused_naming_the_field() {
    // Arrange
    let app = app_with(|_| {}).await;
    dispatchers(&app, &["ana", "bogdan", "cezar"]).await;
    let t0 = Utc::now() + Duration::days(3);

    // Act: a valid shift.
    let r = put_shift(&app, t0, t0 + Duration::hours(8), "ana", &["ana", "bogdan"]).await;

    // Assert
    assert_eq!(r.status(), 201);
    let shift: Value = r.json().await.unwrap();
    let id = shift["id"].as_str().unwrap().to_owned();
    assert_eq!(shift["lead"], "ana");
    assert_eq!(shift["members"][1]["username"], "bogdan");
    assert_eq!(shift["members"][1]["has_phone"], false);

    // End before start, too long, a lead off the shift, someone twice, an unknown account,
    // someone already on an overlapping shift: each a 422 naming the field.
    let bad = put_shift(&app, t0, t0 - Duration::hours(1), "ana", &["ana"]).await;
    assert_eq!(refused_field(bad).await, "ends_at");
    let long = put_shift(&app, t0, t0 + Duration::hours(25), "cezar", &["cezar"]).await;
    assert_eq!(refused_field(long).await, "ends_at");
    let lead = put_shift(
        &app,
        t0 + Duration::days(1),
        t0 + Duration::days(1) + Duration::hours(8),
        "ana",
        &["cezar"],
    )
    .await;
    assert_eq!(refused_field(lead).await, "lead");
    let twice = put_shift(
        &app,
        t0 + Duration::days(1),
        t0 + Duration::days(1) + Duration::hours(8),
        "cezar",
        &["cezar", "cezar"],
    )
    .await;
    assert_eq!(refused_field(twice).await, "members");
    let unknown = put_shift(
        &app,
        t0 + Duration::days(1),
        t0 + Duration::days(1) + Duration::hours(8),
        "nimeni",
        &["nimeni"],
    )
    .await;
    assert_eq!(refused_field(unknown).await, "members");
    let overlap = put_shift(
        &app,
        t0 + Duration::hours(7),
        t0 + Duration::hours(15),
        "bogdan",
        &["bogdan", "cezar"],
    )
    .await;
    let body: Value = overlap.json().await.unwrap();
    assert_eq!(body["error"]["field"], "members");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("bogdan"));
    let malformed = put_shift(&app, t0, t0, "ana", &["ana"]).await;
    assert_eq!(refused_field(malformed).await, "ends_at");
    let not_a_time = app
        .post_as(
            Role::Supervisor,
            "/api/v1/roster/shifts",
            &json!({ "starts_at": "ieri", "ends_at": at(t0), "lead": "ana", "members": ["ana"] }),
        )
        .await;
    assert_eq!(refused_field(not_a_time).await, "starts_at");
    // Back to back is fine, and a dispatcher may not keep the roster.
    let next = put_shift(
        &app,
        t0 + Duration::hours(8),
        t0 + Duration::hours(16),
        "bogdan",
        &["bogdan", "cezar"],
    )
    .await;
    assert_eq!(next.status(), 201);
    let by_dispatcher = app
        .post_as(Role::Dispatcher, "/api/v1/roster/shifts", &json!({ "starts_at": at(t0 + Duration::days(5)), "ends_at": at(t0 + Duration::days(5) + Duration::hours(1)), "lead": "ana", "members": ["ana"] }))
        .await;
    assert_eq!(by_dispatcher.status(), 403);

    // The list, a change, a removal.
    let list: Value = app
        .get_as(
            Role::Dispatcher,
            &format!(
                "/api/v1/roster/shifts?from={}&to={}",
                at(t0 - Duration::hours(1)).replace('+', "%2B"),
                at(t0 + Duration::days(1)).replace('+', "%2B")
            ),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["shifts"].as_array().unwrap().len(), 2);
    let changed = send(
        &app,
        reqwest::Method::PUT,
        app.token(Role::Supervisor),
        &format!("/api/v1/roster/shifts/{id}"),
        Some(&json!({ "starts_at": at(t0), "ends_at": at(t0 + Duration::hours(8)), "lead": "bogdan", "members": ["bogdan", "ana"] })),
    )
    .await;
    assert_eq!(changed.status(), 200);
    let changed: Value = changed.json().await.unwrap();
    assert_eq!(changed["lead"], "bogdan");
    assert_eq!(changed["members"][0]["username"], "bogdan");
    let gone = send(
        &app,
        reqwest::Method::DELETE,
        app.token(Role::Supervisor),
        &format!("/api/v1/roster/shifts/{id}"),
        None,
    )
    .await;
    assert_eq!(gone.status(), 204);
    let again = send(
        &app,
        reqwest::Method::DELETE,
        app.token(Role::Supervisor),
        &format!("/api/v1/roster/shifts/{id}"),
        None,
    )
    .await;
    assert_eq!(again.status(), 404);

    // Phones: a bad number names the field; the list is for supervisors only.
    let bad_phone = send(
        &app,
        reqwest::Method::PUT,
        app.token(Role::Supervisor),
        "/api/v1/roster/contacts/ana",
        Some(&json!({ "phone": "nu" })),
    )
    .await;
    assert_eq!(refused_field(bad_phone).await, "phone");
    let bad_ext = send(
        &app,
        reqwest::Method::PUT,
        app.token(Role::Supervisor),
        "/api/v1/roster/contacts/ana",
        Some(&json!({ "phone": "+40256000101", "extension": "1x" })),
    )
    .await;
    assert_eq!(refused_field(bad_ext).await, "extension");
    phone(&app, "ana", "+40256000101", Some("104")).await;
    let contacts: Value = app
        .get_as(Role::Supervisor, "/api/v1/roster/contacts")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(contacts["contacts"][0]["phone"], "+40256000101");
    assert_eq!(
        app.get_as(Role::Dispatcher, "/api/v1/roster/contacts")
            .await
            .status(),
        403
    );
}

#[tokio::test]
async fn who_is_on_duty_is_computed_at_the_moment_asked() {
    let app = app_with(|_| {}).await;
    dispatchers(&app, &["dora", "emil", "flavia"]).await;
    let t0 = Utc::now() + Duration::days(10);
    assert_eq!(
        put_shift(&app, t0, t0 + Duration::hours(8), "dora", &["dora", "emil"])
            .await
            .status(),
        201
    );
    assert_eq!(
        put_shift(
            &app,
            t0 + Duration::hours(7),
            t0 + Duration::hours(15),
            "flavia",
            &["flavia"]
        )
        .await
        .status(),
        201
    );
    phone(&app, "emil", "+40256000202", None).await;

    let duty = |when: DateTime<Utc>| {
        let app = &app;
        async move {
            let r = app
                .get_as(
                    Role::Dispatcher,
                    &format!("/api/v1/roster/on-duty?at={}", at(when).replace('+', "%2B")),
                )
                .await;
            assert_eq!(r.status(), 200);
            r.json::<Value>().await.unwrap()
        }
    };
    let before = duty(t0 - Duration::minutes(1)).await;
    assert_eq!(before["people"], json!([]));
    assert_eq!(before["next"]["lead"], "dora");
    let first = duty(t0 + Duration::hours(1)).await;
    assert_eq!(first["people"], json!(["dora", "emil"]));
    assert_eq!(first["phones"], 1);
    assert_eq!(first["next"]["lead"], "flavia");
    let overlap = duty(t0 + Duration::hours(7) + Duration::minutes(30)).await;
    assert_eq!(overlap["people"], json!(["dora", "emil", "flavia"]));
    // The end is not on duty any more.
    let end = duty(t0 + Duration::hours(8)).await;
    assert_eq!(end["people"], json!(["flavia"]));
    assert!(end["next"].is_null());
}

fn voice(sid: &str, from: &str) -> Vec<(&'static str, String)> {
    vec![
        ("AccountSid", "AC00000000000000000000000000000000".into()),
        ("CallSid", sid.into()),
        ("From", from.into()),
        ("To", "+40256000112".into()),
        ("CallStatus", "ringing".into()),
        ("Direction", "inbound".into()),
    ]
}

async fn post(app: &TestApp, path: &str, params: &[(&'static str, String)]) -> String {
    let p: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = webhook(app, path, &p).await;
    assert_eq!(r.status(), 200, "{path}");
    r.text().await.unwrap()
}

/// A shift on duty now with three people, two with phones (one behind an extension).
async fn on_duty_now(app: &TestApp) {
    dispatchers(app, &["gelu", "horia", "irina"]).await;
    let now = Utc::now();
    let r = put_shift(
        app,
        now - Duration::hours(1),
        now + Duration::hours(7),
        "gelu",
        &["gelu", "horia", "irina"],
    )
    .await;
    assert_eq!(r.status(), 201);
    phone(app, "gelu", "+40256000301", None).await;
    phone(app, "irina", "+40256000303", Some("17")).await;
}

#[tokio::test]
async fn simultaneous_ringing_dials_everyone_on_duty_with_a_phone_in_one_dial() {
    let app = app_with(|c| {
        c.shifts.ring = Ring::Simultaneous;
        c.telephony.dispatcher_phone = "+40256000999".into();
    })
    .await;
    on_duty_now(&app).await;

    let twiml = post(&app, "/telephony/voice", &voice("CA-S1", "+40722000011")).await;

    assert!(
        twiml.contains(r#"<Dial timeout="20" action="/telephony/voice/status" method="POST"><Number>+40256000301</Number><Number sendDigits="ww17">+40256000303</Number></Dial>"#),
        "{twiml}"
    );
    assert!(
        !twiml.contains("+40256000999"),
        "the desk is not rung: {twiml}"
    );
    assert_eq!(
        queue_items(&app).await.len(),
        1,
        "the call is carded as before"
    );
}

#[tokio::test]
async fn sequential_ringing_tries_each_phone_in_turn_then_raises_the_callback() {
    let app = app_with(|c| {
        c.shifts.ring = Ring::Sequential;
        c.shifts.sequential_timeout_s = 12;
    })
    .await;
    on_duty_now(&app).await;

    // Act: the call rings the first phone only.
    let first = post(&app, "/telephony/voice", &voice("CA-Q1", "+40722000012")).await;
    assert!(
        first.contains(r#"<Dial timeout="12" action="/telephony/voice/next?tried=1" method="POST"><Number>+40256000301</Number></Dial>"#),
        "{first}"
    );
    // No answer: the next one (horia has no phone and is skipped).
    let mut missed = voice("CA-Q1", "+40722000012");
    missed.push(("DialCallStatus", "no-answer".into()));
    let second = post(&app, "/telephony/voice/next?tried=1", &missed).await;
    assert!(
        second.contains(r#"<Dial timeout="12" action="/telephony/voice/next?tried=2" method="POST"><Number sendDigits="ww17">+40256000303</Number></Dial>"#),
        "{second}"
    );
    assert!(!second.contains("<Say"), "no second greeting: {second}");
    // Busy too, and nobody is left: the missed call's fallback, as without a roster.
    let mut busy = voice("CA-Q1", "+40722000012");
    busy.push(("DialCallStatus", "busy".into()));
    let last = post(&app, "/telephony/voice/next?tried=2", &busy).await;
    assert!(
        last.contains("Vă vom suna înapoi") && last.contains("<Hangup/>"),
        "{last}"
    );
    let items = queue_items(&app).await;
    assert!(
        items
            .iter()
            .any(|i| i["kind"] == "callback" && i["details"]["phone"] == "+40722000012"),
        "{items:?}"
    );

    // Another call answered at the second phone: recorded as answered, no callback.
    post(&app, "/telephony/voice", &voice("CA-Q2", "+40722000013")).await;
    let mut answered = voice("CA-Q2", "+40722000013");
    answered.push(("DialCallStatus", "completed".into()));
    let done = post(&app, "/telephony/voice/next?tried=2", &answered).await;
    assert!(!done.contains("<Dial"), "{done}");
    assert_eq!(
        queue_items(&app)
            .await
            .iter()
            .filter(|i| i["kind"] == "callback")
            .count(),
        1
    );

    // A bad counter is a 422 naming it; an unsigned request is refused.
    let p: Vec<(&str, &str)> = missed.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = webhook(&app, "/telephony/voice/next?tried=0", &p).await;
    assert_eq!(r.status(), 422);
    let r = crate::emergency::webhook_signed(&app, "/telephony/voice/next?tried=1", &p, None).await;
    assert_eq!(r.status(), 403);
}

#[tokio::test]
async fn with_nobody_on_duty_the_desk_number_is_dialled_as_before() {
    let app = app_with(|c| c.telephony.dispatcher_phone = "+40256000555".into()).await;
    // A shift tomorrow, with a phone, is not on duty now.
    dispatchers(&app, &["jana"]).await;
    let t0 = Utc::now() + Duration::days(1);
    assert_eq!(
        put_shift(&app, t0, t0 + Duration::hours(8), "jana", &["jana"])
            .await
            .status(),
        201
    );
    phone(&app, "jana", "+40256000401", None).await;

    let twiml = post(&app, "/telephony/voice", &voice("CA-D1", "+40722000014")).await;

    assert!(
        twiml.contains(r#"<Number>+40256000555</Number>"#) && !twiml.contains("+40256000401"),
        "{twiml}"
    );
    // On duty but without a phone: still the desk.
    dispatchers(&app, &["karla"]).await;
    let now = Utc::now();
    assert_eq!(
        put_shift(
            &app,
            now - Duration::hours(1),
            now + Duration::hours(1),
            "karla",
            &["karla"]
        )
        .await
        .status(),
        201
    );
    let twiml = post(&app, "/telephony/voice", &voice("CA-D2", "+40722000015")).await;
    assert!(
        twiml.contains(r#"<Number>+40256000555</Number>"#),
        "{twiml}"
    );
}

#[tokio::test]
async fn the_outgoing_lead_writes_the_handover_and_the_incoming_shift_acknowledges_it() {
    // Arrange: laura leads the shift on duty, mihai and nicu take the next one; an open call.
    let app = app_with(|_| {}).await;
    let tokens = dispatchers(&app, &["laura", "mihai", "nicu", "oana"]).await;
    let (laura, mihai, oana) = (&tokens[0], &tokens[1], &tokens[3]);
    let now = Utc::now();
    let out: Value = put_shift(
        &app,
        now - Duration::hours(7),
        now + Duration::minutes(30),
        "laura",
        &["laura"],
    )
    .await
    .json()
    .await
    .unwrap();
    let next: Value = put_shift(
        &app,
        now + Duration::minutes(30),
        now + Duration::hours(8),
        "mihai",
        &["mihai", "nicu"],
    )
    .await
    .json()
    .await
    .unwrap();
    let shift_id = out["id"].as_str().unwrap();
    post(&app, "/telephony/voice", &voice("CA-H1", "+40722000016")).await;

    // Act: only the lead writes it.
    let body = json!({ "shift_id": shift_id, "note": "Apelul de la 14:00 trebuie urmărit." });
    let by_other = send(
        &app,
        reqwest::Method::POST,
        mihai,
        "/api/v1/roster/handover",
        Some(&body),
    )
    .await;
    assert_eq!(by_other.status(), 403);
    let empty = send(
        &app,
        reqwest::Method::POST,
        laura,
        "/api/v1/roster/handover",
        Some(&json!({ "shift_id": shift_id, "note": "  " })),
    )
    .await;
    assert_eq!(refused_field(empty).await, "note");
    let r = send(
        &app,
        reqwest::Method::POST,
        laura,
        "/api/v1/roster/handover",
        Some(&body),
    )
    .await;

    // Assert: the summary counts the open call, without personal data.
    assert_eq!(r.status(), 201);
    let note: Value = r.json().await.unwrap();
    assert_eq!(note["next_shift"]["id"], next["id"]);
    assert_eq!(note["written_by"], "laura");
    assert!(note["summary"]["open_by_level"]["P1"].as_u64().unwrap() >= 1);
    assert!(note["summary"]["in_progress"].is_array());
    assert_eq!(note["summary"]["emiu_open"], 0);
    assert!(
        !note["summary"].to_string().contains("+40722000016"),
        "no caller number in the summary"
    );
    let id = note["id"].as_str().unwrap().to_owned();
    let twice = send(
        &app,
        reqwest::Method::POST,
        laura,
        "/api/v1/roster/handover",
        Some(&body),
    )
    .await;
    assert_eq!(twice.status(), 409);

    // The incoming shift sees it until acknowledged; someone else never does.
    let pending: Value = send(
        &app,
        reqwest::Method::GET,
        mihai,
        "/api/v1/roster/handover/pending",
        None,
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(pending["notes"][0]["id"], id.as_str());
    let pending_oana: Value = send(
        &app,
        reqwest::Method::GET,
        oana,
        "/api/v1/roster/handover/pending",
        None,
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(pending_oana["notes"], json!([]));
    let ack_path = format!("/api/v1/roster/handover/{id}/acknowledge");
    assert_eq!(
        send(&app, reqwest::Method::POST, oana, &ack_path, None)
            .await
            .status(),
        403
    );
    let acked = send(&app, reqwest::Method::POST, mihai, &ack_path, None).await;
    assert_eq!(acked.status(), 200);
    let acked: Value = acked.json().await.unwrap();
    assert_eq!(acked["acknowledgements"][0]["username"], "mihai");
    let pending: Value = send(
        &app,
        reqwest::Method::GET,
        mihai,
        "/api/v1/roster/handover/pending",
        None,
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(pending["notes"], json!([]));

    // The history, for supervisors: who acknowledged when. A shift with a note stays.
    let history: Value = app
        .get_as(Role::Supervisor, "/api/v1/roster/handover")
        .await
        .json()
        .await
        .unwrap();
    let entry = history["notes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["id"] == id.as_str())
        .unwrap();
    assert_eq!(entry["acknowledgements"][0]["username"], "mihai");
    assert!(entry["acknowledgements"][0]["at"].is_string());
    assert_eq!(
        app.get_as(Role::Dispatcher, "/api/v1/roster/handover")
            .await
            .status(),
        403
    );
    let del = send(
        &app,
        reqwest::Method::DELETE,
        app.token(Role::Supervisor),
        &format!("/api/v1/roster/shifts/{shift_id}"),
        None,
    )
    .await;
    assert_eq!(del.status(), 409);
}

/// Every roster route × every role: who is allowed is never refused for their role (it may be
/// a 4xx of the request itself), everyone else gets 403, and nobody without credentials (401).
#[tokio::test]
async fn the_role_matrix_holds_for_every_roster_route() {
    use reqwest::Method;
    use Role::*;
    let app = app_with(|_| {}).await;
    dispatchers(&app, &["petra"]).await;
    let keepers = [Supervisor, Admin];
    let dispatch = [Dispatcher, Supervisor, Admin];
    let t0 = Utc::now() + Duration::days(20);
    let shift = json!({ "starts_at": at(t0), "ends_at": at(t0 + Duration::hours(1)), "lead": "petra", "members": ["petra"] });
    let missing = "00000000-0000-7000-8000-000000000000";
    let rows: Vec<(Method, String, Value, &[Role])> = vec![
        (
            Method::GET,
            "/api/v1/roster/shifts".into(),
            Value::Null,
            &dispatch,
        ),
        (
            Method::POST,
            "/api/v1/roster/shifts".into(),
            shift.clone(),
            &keepers,
        ),
        (
            Method::PUT,
            format!("/api/v1/roster/shifts/{missing}"),
            shift.clone(),
            &keepers,
        ),
        (
            Method::DELETE,
            format!("/api/v1/roster/shifts/{missing}"),
            Value::Null,
            &keepers,
        ),
        (
            Method::GET,
            "/api/v1/roster/on-duty".into(),
            Value::Null,
            &dispatch,
        ),
        (
            Method::GET,
            "/api/v1/roster/people".into(),
            Value::Null,
            &keepers,
        ),
        (
            Method::GET,
            "/api/v1/roster/contacts".into(),
            Value::Null,
            &keepers,
        ),
        (
            Method::PUT,
            "/api/v1/roster/contacts/petra".into(),
            json!({ "phone": "+40256000501" }),
            &keepers,
        ),
        (
            Method::DELETE,
            "/api/v1/roster/contacts/nimeni".into(),
            Value::Null,
            &keepers,
        ),
        (
            Method::GET,
            "/api/v1/roster/handover".into(),
            Value::Null,
            &keepers,
        ),
        (
            Method::POST,
            "/api/v1/roster/handover".into(),
            json!({ "shift_id": missing, "note": "x" }),
            &dispatch,
        ),
        (
            Method::GET,
            "/api/v1/roster/handover/pending".into(),
            Value::Null,
            &dispatch,
        ),
        (
            Method::POST,
            format!("/api/v1/roster/handover/{missing}/acknowledge"),
            Value::Null,
            &dispatch,
        ),
    ];
    for (method, path, body, allowed) in rows {
        let body = (!body.is_null()).then_some(body);
        for role in Role::ALL {
            let r = send(&app, method.clone(), app.token(role), &path, body.as_ref()).await;
            let status = r.status().as_u16();
            if allowed.contains(&role) {
                assert_ne!(status, 403, "{method} {path} as {role:?}");
                assert_ne!(status, 401, "{method} {path} as {role:?}");
                assert!(status < 500, "{method} {path} as {role:?}: {status}");
            } else {
                assert_eq!(status, 403, "{method} {path} as {role:?}");
            }
        }
        let anonymous = app
            .client
            .request(method.clone(), format!("{}{}", app.address, path))
            .send()
            .await
            .unwrap();
        assert_eq!(
            anonymous.status(),
            401,
            "{method} {path} without credentials"
        );
    }
}
