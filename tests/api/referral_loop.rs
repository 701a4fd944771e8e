//! Referrals that close the loop (issue 17, point 2): the directory of services, a service's
//! inbox (its own referrals only, a domestic-violence case redacted), the escalation of a
//! referral its service does not acknowledge in time, and the outcome the service reports.

use dispecer::access::Role;
use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{spawn_app, TestApp};

/// A call carded by the telephony credential, with a number, a place and notes; its id.
async fn card(app: &TestApp, number: &str, category: &str, address: &str, notes: &str) -> String {
    let r = app
        .post_as(
            Role::Telephony,
            "/api/v1/calls",
            &json!({ "caller_number": number, "category": category, "immediate_danger": false,
                     "notes": notes, "location": { "address": address } }),
        )
        .await;
    assert_eq!(r.status(), 201);
    r.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Taken by the first dispatcher and referred to `service` with `note`; the referral.
async fn referred(app: &TestApp, id: &str, service: &str, note: &str) -> Value {
    assert_eq!(app.act(id, "acknowledge", json!({})).await.status(), 200);
    let r = app
        .act(id, "referrals", json!({ "service": service, "note": note }))
        .await;
    assert_eq!(r.status(), 201);
    r.json().await.unwrap()
}

async fn send(
    app: &TestApp,
    token: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut r = app
        .client
        .request(method, format!("{}{}", app.address, path))
        .bearer_auth(token);
    if let Some(b) = body {
        r = r.json(&b);
    }
    let r = r.send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// A logged-in service account of `service`; its bearer token.
async fn service_staff(app: &TestApp, username: &str, service: &str) -> String {
    app.add_user(username, Role::Service, Some(service)).await;
    app.login_token(username).await
}

fn records(events: &Value) -> Vec<Value> {
    events["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["event"]["type"] == "case_recorded")
        .map(|e| e["event"]["record"].clone())
        .collect()
}

fn service_body(id: Option<&str>) -> Value {
    let mut v = json!({
        "name": "Centrul de zi pentru vârstnici (test)",
        "kind": "das_unit",
        "address": "Str. Test 1, Timișoara",
        "opening_hours": "Luni–Vineri 9–15",
        "phone": "0256 000 999",
        "email": "test@example.ro",
        "eligibility": "Vârstnici din cartierul Test",
        "how_to_apply": "Cerere la sediu",
        "categories": ["neglect", "information"],
        "ack_deadline_minutes": 45,
    });
    if let Some(id) = id {
        v["id"] = json!(id);
    }
    v
}

#[tokio::test]
async fn the_directory_is_seeded_searched_and_kept_by_an_admin() {
    let app = spawn_app().await;

    // Seeded from the configuration, DAS units and NGO partners.
    let all: Value = app
        .get_as(Role::Dispatcher, "/api/v1/services")
        .await
        .json()
        .await
        .unwrap();
    let ids: Vec<&str> = all["services"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert!(
        ids.contains(&"elderly-services") && ids.contains(&"ngo-counselling"),
        "{ids:?}"
    );
    let elderly = all["services"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "elderly-services")
        .unwrap();
    assert_eq!(elderly["kind"], "das_unit");
    assert!(!elderly["phone"].as_str().unwrap().is_empty());
    assert!(!elderly["how_to_apply"].as_str().unwrap().is_empty());

    // Text search over name, eligibility and categories, ignoring case and diacritics.
    let found: Value = app
        .get_as(Role::Dispatcher, "/api/v1/services?q=VARSTNICI")
        .await
        .json()
        .await
        .unwrap();
    let found: Vec<&str> = found["services"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert!(found.contains(&"elderly-services"), "{found:?}");
    assert!(!found.contains(&"night-shelter"), "{found:?}");
    let dv: Value = app
        .get_as(Role::Emiu, "/api/v1/services?q=domestic_violence")
        .await
        .json()
        .await
        .unwrap();
    let dv: Vec<&str> = dv["services"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(dv, ["domestic-violence-complex", "ngo-counselling"]);

    // An admin adds one; others may not; a repeat is a conflict.
    let admin = app.token(Role::Admin).to_owned();
    let (s, _) = send(
        &app,
        app.token(Role::Dispatcher),
        Method::POST,
        "/api/v1/services",
        Some(service_body(Some("test-day-centre"))),
    )
    .await;
    assert_eq!(s, 403);
    let (s, created) = send(
        &app,
        &admin,
        Method::POST,
        "/api/v1/services",
        Some(service_body(Some("test-day-centre"))),
    )
    .await;
    assert_eq!(s, 201, "{created}");
    assert_eq!(created["phone"], "0256000999");
    assert_eq!(created["updated_by"], "test-admin");
    let (s, _) = send(
        &app,
        &admin,
        Method::POST,
        "/api/v1/services",
        Some(service_body(Some("test-day-centre"))),
    )
    .await;
    assert_eq!(s, 409);

    // Bad input: a 422 naming the field.
    for (patch, field) in [
        (json!({ "kind": "firm" }), "kind"),
        (json!({ "phone": "sună-mă" }), "phone"),
        (json!({ "categories": ["weather"] }), "categories[0]"),
        (json!({ "ack_deadline_minutes": 0 }), "ack_deadline_minutes"),
        (json!({ "email": "fără-arond" }), "email"),
        (json!({ "name": " " }), "name"),
        (json!({ "id": "două cuvinte" }), "id"),
    ] {
        let mut body = service_body(Some("test-bad"));
        for (k, v) in patch.as_object().unwrap() {
            body[k] = v.clone();
        }
        let (s, e) = send(&app, &admin, Method::POST, "/api/v1/services", Some(body)).await;
        assert_eq!(s, 422, "{field}: {e}");
        assert_eq!(e["error"]["field"], field, "{e}");
    }
    let (s, e) = send(
        &app,
        &admin,
        Method::POST,
        "/api/v1/services",
        Some(service_body(None)),
    )
    .await;
    assert_eq!((s, e["error"]["field"].as_str()), (422, Some("id")));

    // Updated, then deactivated: gone from the search, refused as a referral's service.
    let mut body = service_body(None);
    body["how_to_apply"] = json!("Telefonic, apoi cerere la sediu");
    let (s, updated) = send(
        &app,
        &admin,
        Method::PUT,
        "/api/v1/services/test-day-centre",
        Some(body),
    )
    .await;
    assert_eq!(s, 200, "{updated}");
    assert_eq!(updated["how_to_apply"], "Telefonic, apoi cerere la sediu");
    let (s, _) = send(
        &app,
        &admin,
        Method::PUT,
        "/api/v1/services/no-such",
        Some(service_body(None)),
    )
    .await;
    assert_eq!(s, 404);
    let (s, off) = send(
        &app,
        &admin,
        Method::POST,
        "/api/v1/services/test-day-centre/deactivate",
        None,
    )
    .await;
    assert_eq!((s, off["active"].as_bool()), (200, Some(false)));
    let listed: Value = app
        .get_as(Role::Dispatcher, "/api/v1/services?q=cartierul")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed["services"].as_array().unwrap().len(), 0);
    let (s, _) = send(
        &app,
        app.token(Role::Dispatcher),
        Method::GET,
        "/api/v1/services?q=cartierul&inactive=true",
        None,
    )
    .await;
    assert_eq!(s, 403);
    let (s, listed) = send(
        &app,
        &admin,
        Method::GET,
        "/api/v1/services?q=cartierul&inactive=true",
        None,
    )
    .await;
    assert_eq!((s, listed["services"].as_array().unwrap().len()), (200, 1));
    let id = card(&app, "+40722300001", "other", "Str. Test 2", "").await;
    assert_eq!(app.act(&id, "acknowledge", json!({})).await.status(), 200);
    let r = app
        .act(&id, "referrals", json!({ "service": "test-day-centre" }))
        .await;
    assert_eq!(r.status(), 422);
    assert_eq!(
        r.json::<Value>().await.unwrap()["error"]["field"],
        "service"
    );
}

#[tokio::test]
async fn a_service_sees_only_its_own_referrals_and_a_dv_case_without_number_place_or_notes() {
    let app = spawn_app().await;
    let dv = card(
        &app,
        "+40722300101",
        "domestic_violence",
        "Str. Ascunsă MRK-ADDR 3",
        "MRK-NOTES agresorul",
    )
    .await;
    let dv_ref = referred(
        &app,
        &dv,
        "domestic-violence-complex",
        "Victima așteaptă apelul",
    )
    .await;
    let old = card(&app, "+40722300102", "neglect", "Str. Bătrânilor 5", "").await;
    let old_ref = referred(
        &app,
        &old,
        "elderly-services",
        "Vârstnic singur, fără căldură",
    )
    .await;
    let dv_staff = service_staff(&app, "svc-dv", "domestic-violence-complex").await;
    let old_staff = service_staff(&app, "svc-varstnici", "elderly-services").await;

    let (s, inbox) = send(&app, &dv_staff, Method::GET, "/api/v1/inbox", None).await;
    assert_eq!(s, 200, "{inbox}");
    let entries = inbox["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 1, "{inbox}");
    let e = &entries[0];
    assert_eq!(e["referral_id"], dv_ref["id"]);
    assert_eq!(e["category"], "domestic_violence");
    assert_eq!(e["note"], "Victima așteaptă apelul");
    assert_eq!(e["protected"], true);
    assert_eq!(e["dispatch_phone"], "+40256000100");
    assert!(e["case_ref"].as_str().unwrap().starts_with("C-"));
    assert!(!e["urgency"].as_str().unwrap().is_empty());
    let text = inbox.to_string();
    for marker in ["722300101", "MRK-ADDR", "MRK-NOTES", &dv] {
        assert!(!text.contains(marker), "{marker} in {text}");
    }

    // The other service sees its own case with the person's number and address.
    let (_, inbox) = send(&app, &old_staff, Method::GET, "/api/v1/inbox", None).await;
    let entries = inbox["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 1, "{inbox}");
    assert_eq!(entries[0]["referral_id"], old_ref["id"]);
    assert_eq!(entries[0]["protected"], false);
    assert_eq!(entries[0]["phone"], "+40722300102");
    assert_eq!(entries[0]["address"], "Str. Bătrânilor 5");

    // Another service's referral is not there to act on; nothing else is open to them.
    let rid = old_ref["id"].as_str().unwrap();
    let (s, _) = send(
        &app,
        &dv_staff,
        Method::POST,
        &format!("/api/v1/inbox/{rid}/acknowledge"),
        None,
    )
    .await;
    assert_eq!(s, 404);
    for path in [
        format!("/api/v1/items/{dv}"),
        format!("/api/v1/items/{dv}/referrals"),
        "/api/v1/queue".to_owned(),
        "/api/v1/services".to_owned(),
        "/api/v1/referrals/services".to_owned(),
    ] {
        let (s, _) = send(&app, &dv_staff, Method::GET, &path, None).await;
        assert_eq!(s, 403, "{path}");
    }

    // Every inbox read is in the case's audit.
    let audit: Value = app
        .get_as(Role::Supervisor, &format!("/api/v1/items/{dv}/audit"))
        .await
        .json()
        .await
        .unwrap();
    let reads = audit
        .as_array()
        .or_else(|| audit["reads"].as_array())
        .cloned()
        .unwrap_or_default();
    assert!(
        reads.iter().any(|r| r["actor"] == "svc-dv"
            && r["action"] == "view_inbox"
            && r["outcome"] == "redacted"),
        "{audit}"
    );
}

#[tokio::test]
async fn a_referral_not_acknowledged_in_time_is_escalated_once_to_the_supervisor() {
    let app = spawn_app().await;
    let id = card(&app, "+40722300201", "crisis_info", "Str. Test 4", "").await;
    let late = referred(&app, &id, "night-shelter", "Caută un loc la noapte").await;
    let acked = referred(
        &app,
        &card(&app, "+40722300202", "crisis_info", "Str. Test 5", "").await,
        "night-shelter",
        "",
    )
    .await;
    let staff = service_staff(&app, "svc-adapost", "night-shelter").await;
    let aid = acked["id"].as_str().unwrap();
    let (s, _) = send(
        &app,
        &staff,
        Method::POST,
        &format!("/api/v1/inbox/{aid}/acknowledge"),
        None,
    )
    .await;
    assert_eq!(s, 200);
    let due: chrono::DateTime<chrono::Utc> = late["ack_due_at"].as_str().unwrap().parse().unwrap();
    let created: chrono::DateTime<chrono::Utc> =
        late["created_at"].as_str().unwrap().parse().unwrap();
    assert_eq!(
        (due - created).num_minutes(),
        60,
        "the night shelter's deadline"
    );

    // Before the deadline nothing happens; after it, two rounds at once (as two instances
    // would run them) escalate it once.
    use dispecer::referrals::escalation::escalate_overdue;
    assert_eq!(
        escalate_overdue(&app.state, due - chrono::Duration::seconds(1))
            .await
            .unwrap(),
        0
    );
    let after = due + chrono::Duration::seconds(1);
    let (a, b) = tokio::join!(
        escalate_overdue(&app.state, after),
        escalate_overdue(&app.state, after)
    );
    assert_eq!(a.unwrap() + b.unwrap(), 1);
    assert_eq!(escalate_overdue(&app.state, after).await.unwrap(), 0);

    let queue: Value = app
        .get_as(Role::Supervisor, "/api/v1/queue")
        .await
        .json()
        .await
        .unwrap();
    let overdue: Vec<&Value> = queue["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| &i["item"])
        .filter(|i| i["priority"]["rule"] == "referral-overdue")
        .collect();
    assert_eq!(overdue.len(), 1, "{queue}");
    assert_eq!(overdue[0]["priority"]["level"], "P2");
    assert_eq!(overdue[0]["details"]["code"], "referral_overdue");
    assert_eq!(overdue[0]["details"]["related"], id.as_str());
    let events: Value = app
        .get_as(Role::Supervisor, &format!("/api/v1/items/{id}/events"))
        .await
        .json()
        .await
        .unwrap();
    let overdue_records: Vec<Value> = records(&events)
        .into_iter()
        .filter(|r| r["record"] == "referral_overdue")
        .collect();
    assert_eq!(overdue_records.len(), 1, "{events}");
    assert_eq!(overdue_records[0]["referral_id"], late["id"]);
    assert_eq!(overdue_records[0]["item"], overdue[0]["id"]);
    // The service sees it was escalated.
    let (_, inbox) = send(&app, &staff, Method::GET, "/api/v1/inbox", None).await;
    let entry = inbox["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["referral_id"] == late["id"])
        .unwrap()
        .clone();
    assert_eq!(entry["escalated"], true);
}

/// Runs one statement on the test's database, beside the server (for a state no endpoint
/// makes: what a crash in the middle of a round leaves).
async fn exec_sql(app: &TestApp, sql: &str, bind: &str) -> u64 {
    use secrecy::ExposeSecret;
    let url = app.state.config.store.url.expose_secret();
    if url.starts_with("sqlite:") {
        let pool = sqlx::SqlitePool::connect(url).await.unwrap();
        let done = sqlx::query(sql).bind(bind).execute(&pool).await.unwrap();
        pool.close().await;
        done.rows_affected()
    } else {
        let pool = sqlx::PgPool::connect(url).await.unwrap();
        let done = sqlx::query(sql).bind(bind).execute(&pool).await.unwrap();
        pool.close().await;
        done.rows_affected()
    }
}

#[tokio::test]
async fn an_escalation_stopped_before_its_claim_is_finished_by_the_next_round_with_one_record() {
    // Arrange: a referral past its deadline, escalated by one round.
    use dispecer::referrals::escalation::escalate_overdue;
    let app = spawn_app().await;
    let id = card(&app, "+40722300211", "crisis_info", "Str. Test 6", "").await;
    let late = referred(&app, &id, "night-shelter", "").await;
    let rid = late["id"].as_str().unwrap();
    let due: chrono::DateTime<chrono::Utc> = late["ack_due_at"].as_str().unwrap().parse().unwrap();
    let after = due + chrono::Duration::seconds(1);
    assert_eq!(escalate_overdue(&app.state, after).await.unwrap(), 1);
    // A crash between the case-file record and the claim: the record and the incident are
    // written, the referral's claim never committed.
    let reset = exec_sql(
        &app,
        "UPDATE referrals SET escalated_at = NULL, escalation_item = NULL WHERE id = $1",
        rid,
    )
    .await;
    assert_eq!(reset, 1);

    // Act: the next round finds the referral again.
    let claimed = escalate_overdue(&app.state, after).await.unwrap();
    let again = escalate_overdue(&app.state, after).await.unwrap();

    // Assert: claimed now, and the file and the queue still hold exactly one of each.
    assert_eq!((claimed, again), (1, 0));
    let events: Value = app
        .get_as(Role::Supervisor, &format!("/api/v1/items/{id}/events"))
        .await
        .json()
        .await
        .unwrap();
    let overdue_records: Vec<Value> = records(&events)
        .into_iter()
        .filter(|r| r["record"] == "referral_overdue")
        .collect();
    assert_eq!(overdue_records.len(), 1, "{events}");
    let queue: Value = app
        .get_as(Role::Supervisor, "/api/v1/queue")
        .await
        .json()
        .await
        .unwrap();
    let overdue: Vec<&Value> = queue["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| &i["item"])
        .filter(|i| i["priority"]["rule"] == "referral-overdue")
        .collect();
    assert_eq!(overdue.len(), 1, "{queue}");
    assert_eq!(overdue_records[0]["item"], overdue[0]["id"]);
    let referrals: Value = app
        .get_as(Role::Supervisor, &format!("/api/v1/items/{id}/referrals"))
        .await
        .json()
        .await
        .unwrap();
    let row = referrals["referrals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == late["id"])
        .unwrap();
    assert!(row["escalated_at"].is_string(), "{referrals}");
}

#[tokio::test]
async fn the_outcome_the_service_reports_appears_on_the_item() {
    let app = spawn_app().await;
    let id = card(&app, "+40722300301", "neglect", "Str. Test 6", "").await;
    let r = referred(&app, &id, "disability-services", "Are nevoie de evaluare").await;
    let rid = r["id"].as_str().unwrap();
    let staff = service_staff(&app, "svc-dizabilitati", "disability-services").await;
    let outcome = |body: Value| {
        let app = &app;
        let staff = staff.clone();
        async move {
            send(
                app,
                &staff,
                Method::POST,
                &format!("/api/v1/inbox/{rid}/outcome"),
                Some(body),
            )
            .await
        }
    };

    let (s, _) = outcome(json!({ "outcome": "accepted" })).await;
    assert_eq!(s, 409, "not acknowledged yet");
    let (s, e) = send(
        &app,
        &staff,
        Method::POST,
        &format!("/api/v1/inbox/{rid}/acknowledge"),
        None,
    )
    .await;
    assert_eq!(s, 200, "{e}");
    assert_eq!(e["acknowledged_by"], "svc-dizabilitati");
    let (s, e) = outcome(json!({ "outcome": "maybe" })).await;
    assert_eq!((s, e["error"]["field"].as_str()), (422, Some("outcome")));
    let (s, e) = outcome(json!({ "outcome": "declined", "reason": "tired" })).await;
    assert_eq!((s, e["error"]["field"].as_str()), (422, Some("reason")));
    let (s, _) = outcome(json!({ "outcome": "accepted" })).await;
    assert_eq!(s, 200);
    let (s, e) = outcome(json!({ "outcome": "completed" })).await;
    assert_eq!((s, e["error"]["field"].as_str()), (422, Some("note")));
    let (s, e) = outcome(json!({ "outcome": "completed", "note": "Evaluat; dosar deschis" })).await;
    assert_eq!(s, 200, "{e}");
    assert_eq!(e["outcome"], "completed");
    let (s, _) = outcome(json!({ "outcome": "declined", "reason": "no_capacity" })).await;
    assert_eq!(s, 409, "completed is final");

    // The dispatcher sees it on the item: the referral and the case file.
    let list: Value = app
        .get_as(Role::Dispatcher, &format!("/api/v1/items/{id}/referrals"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["referrals"][0]["outcome"], "completed");
    assert_eq!(
        list["referrals"][0]["outcome_note"],
        "Evaluat; dosar deschis"
    );
    assert_eq!(list["referrals"][0]["acknowledged_by"], "svc-dizabilitati");
    let events: Value = app
        .get_as(Role::Dispatcher, &format!("/api/v1/items/{id}/events"))
        .await
        .json()
        .await
        .unwrap();
    let tags: Vec<String> = records(&events)
        .iter()
        .map(|r| r["record"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        tags,
        [
            "referred",
            "referral_acknowledged",
            "referral_outcome",
            "referral_outcome"
        ]
    );
    let last = records(&events).pop().unwrap();
    assert_eq!(last["outcome"], "completed");
    assert_eq!(last["note"], "Evaluat; dosar deschis");
}

/// One row of a role matrix: method, path, body, the roles allowed, their success status.
type Row = (Method, String, Option<Value>, Vec<Role>, u16);

/// Every new route × every role (a service account linked to its service for the service role).
#[tokio::test]
async fn the_role_matrix_holds_for_every_directory_and_inbox_route() {
    use Role::*;
    let app = spawn_app().await;
    let staff = service_staff(&app, "svc-matrice", "crisis-support-centre").await;
    let token = |role: Role| {
        if role == Service {
            staff.clone()
        } else {
            app.token(role).to_owned()
        }
    };
    let workers = vec![Dispatcher, Supervisor, Admin, Emiu];
    for role in Role::ALL {
        let id = card(
            &app,
            &format!("+4072230040{}", role as u8),
            "crisis_info",
            "Str. Matrice 1",
            "",
        )
        .await;
        let r = referred(&app, &id, "crisis-support-centre", "").await;
        let rid = r["id"].as_str().unwrap().to_owned();
        let sid = format!("matrix-{}", role.as_str());
        let rows: Vec<Row> = vec![
            (
                Method::GET,
                "/api/v1/services?q=criza".into(),
                None,
                workers.clone(),
                200,
            ),
            (
                Method::GET,
                "/api/v1/services/night-shelter".into(),
                None,
                workers.clone(),
                200,
            ),
            (
                Method::POST,
                "/api/v1/services".into(),
                Some(service_body(Some(&sid))),
                vec![Admin],
                201,
            ),
            (
                Method::PUT,
                "/api/v1/services/night-shelter".into(),
                Some({
                    let mut b = service_body(None);
                    b["name"] = json!("Adăpostul de noapte");
                    b
                }),
                vec![Admin],
                200,
            ),
            (
                Method::POST,
                "/api/v1/services/ngo-food-bank/deactivate".into(),
                None,
                vec![Admin],
                200,
            ),
            (
                Method::GET,
                "/api/v1/inbox".into(),
                None,
                vec![Service],
                200,
            ),
            (
                Method::POST,
                format!("/api/v1/inbox/{rid}/acknowledge"),
                None,
                vec![Service],
                200,
            ),
            (
                Method::POST,
                format!("/api/v1/inbox/{rid}/outcome"),
                Some(json!({ "outcome": "accepted" })),
                vec![Service],
                200,
            ),
        ];
        for (method, path, body, allowed, ok) in rows {
            let (s, answer) = send(&app, &token(role), method.clone(), &path, body.clone()).await;
            let expected = if allowed.contains(&role) { ok } else { 403 };
            assert_eq!(
                s,
                expected,
                "{method} {path} as {}: {answer}",
                role.as_str()
            );
            let mut req = app
                .client
                .request(method.clone(), format!("{}{}", app.address, path));
            if let Some(b) = body {
                req = req.json(&b);
            }
            assert_eq!(
                req.send().await.unwrap().status(),
                401,
                "{method} {path} anonymous"
            );
        }
    }
}
