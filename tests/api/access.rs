//! Accounts, sessions and who may see what: the role matrix over every endpoint, the
//! domestic-violence rules, the audit of reads.

use dispecer::access::Role;
use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{alarm, spawn_app};

#[tokio::test]
async fn wrong_passwords_slow_down_logins_for_that_username_only() {
    let (mut config, dir) = crate::helpers::test_config().await;
    config.limits.login_free_failures = 2;
    let app = crate::helpers::spawn_with(config, dir).await;
    app.add_user("dispecer-ghicit", Role::Dispatcher, None)
        .await;
    app.add_user("dispecer-vecin", Role::Dispatcher, None).await;
    let attempt = |user: &'static str, password: &'static str| {
        let app = &app;
        async move {
            app.client
                .post(format!("{}/api/v1/session", app.address))
                .json(&json!({ "username": user, "password": password }))
                .send()
                .await
                .unwrap()
        }
    };

    // Act: two free wrong guesses, a third that starts the wait, then the right password.
    for _ in 0..3 {
        assert_eq!(attempt("dispecer-ghicit", "gresit").await.status(), 401);
    }
    let blocked = attempt("dispecer-ghicit", "parola-de-test").await;

    // Assert: refused before any password check, with when to try again; the neighbour is not
    // affected; after the wait the right password works.
    assert_eq!(blocked.status(), 429);
    assert_eq!(blocked.headers()["retry-after"], "1");
    let err: Value = blocked.json().await.unwrap();
    assert_eq!(err["error"]["code"], "rate_limited");
    assert_eq!(
        attempt("dispecer-vecin", "parola-de-test").await.status(),
        200
    );
    // Waiting out the one-second block is the behaviour under test.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    assert_eq!(
        attempt("dispecer-ghicit", "parola-de-test").await.status(),
        200
    );
    // The right password cleared the count: two wrong guesses are free again.
    for _ in 0..2 {
        assert_eq!(attempt("dispecer-ghicit", "gresit").await.status(), 401);
    }
    assert_eq!(
        attempt("dispecer-ghicit", "parola-de-test").await.status(),
        200
    );
}

#[tokio::test]
async fn behind_tls_the_session_cookie_is_secure() {
    let (mut config, dir) = crate::helpers::test_config().await;
    config.server.secure_cookie = true;
    let app = crate::helpers::spawn_with(config, dir).await;
    app.add_user("dispecer-tls", Role::Dispatcher, None).await;

    let r = app
        .client
        .post(format!("{}/api/v1/session", app.address))
        .json(&json!({ "username": "dispecer-tls", "password": "parola-de-test" }))
        .send()
        .await
        .unwrap();

    assert_eq!(r.status(), 200);
    let cookie = r.headers()["set-cookie"].to_str().unwrap();
    assert!(cookie.contains("; Secure"), "{cookie}");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"));
}

#[tokio::test]
async fn login_sets_a_strict_http_only_cookie_and_logout_ends_the_session() {
    let app = spawn_app().await;
    app.add_user("dispecer1", Role::Dispatcher, None).await;
    let wrong = app
        .client
        .post(format!("{}/api/v1/session", app.address))
        .json(&json!({ "username": "dispecer1", "password": "greșită" }))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    let nobody = app
        .client
        .post(format!("{}/api/v1/session", app.address))
        .json(&json!({ "username": "nimeni", "password": "parola-de-test" }))
        .send()
        .await
        .unwrap();
    assert_eq!(nobody.status(), 401);

    let r = app
        .client
        .post(format!("{}/api/v1/session", app.address))
        .json(&json!({ "username": "dispecer1", "password": "parola-de-test" }))
        .send()
        .await
        .unwrap();
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.starts_with("dispecer_session=dss_"), "{cookie}");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    // Plain HTTP on loopback by default (server.secure_cookie = false).
    assert!(!cookie.contains("Secure"), "{cookie}");

    let client = app.login_browser("dispecer1").await;
    let me: Value = client
        .get(format!("{}/api/v1/me", app.address))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["role"], "dispatcher");
    assert_eq!(
        client
            .get(format!("{}/api/v1/queue", app.address))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let out = client
        .delete(format!("{}/api/v1/session", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 204);
    assert_eq!(
        client
            .get(format!("{}/api/v1/me", app.address))
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
}

#[tokio::test]
async fn a_tablet_gets_a_bearer_token_instead_of_a_cookie() {
    let app = spawn_app().await;
    app.add_user("sofer1", Role::Driver, Some("SOFER-01")).await;
    let r: Value = app
        .client
        .post(format!("{}/api/v1/session", app.address))
        .json(&json!({ "username": "sofer1", "password": "parola-de-test", "token": true }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = r["token"].as_str().unwrap();
    let me: Value = app
        .client
        .get(format!("{}/api/v1/me", app.address))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["role"], "driver");
    assert_eq!(me["resource_id"], "SOFER-01");
}

/// Every endpoint × every role, with the expected status.
#[tokio::test]
async fn the_role_matrix_holds_for_every_endpoint() {
    let app = spawn_app().await;
    let item = app.new_alert("TA-1", "fall").await;
    let other = app.new_alert("TA-2", "button").await;
    let now = chrono::Utc::now() + chrono::Duration::days(1);
    use Role::*;
    // (method, path, body, roles allowed -> expected success status)
    let d = [Dispatcher, Supervisor, Admin];
    let staff = [Dispatcher, Supervisor, Admin, Driver, Emiu];
    let rows: Vec<(Method, String, Value, Vec<Role>, u16)> = vec![
        (
            Method::POST,
            "/api/v1/alerts".into(),
            alarm("TA-M", "fall", "m1"),
            vec![Receiver, Dispatcher, Supervisor, Admin],
            201,
        ),
        (
            Method::POST,
            "/api/v1/calls".into(),
            json!({"category": "other", "immediate_danger": false}),
            vec![Dispatcher, Supervisor, Admin, Telephony],
            201,
        ),
        (
            Method::POST,
            "/api/v1/bookings".into(),
            json!({"rider": "R-1", "pickup": {"address": "A"}, "dropoff": {"address": "B"}, "window": {"start": now, "end": now + chrono::Duration::minutes(30)}}),
            d.to_vec(),
            201,
        ),
        (
            Method::GET,
            "/api/v1/queue".into(),
            Value::Null,
            staff.to_vec(),
            200,
        ),
        (
            Method::GET,
            format!("/api/v1/items/{item}"),
            Value::Null,
            d.to_vec(),
            200,
        ),
        (
            Method::GET,
            format!("/api/v1/items/{item}/events"),
            Value::Null,
            d.to_vec(),
            200,
        ),
        (
            Method::GET,
            format!("/api/v1/items/{item}/audit"),
            Value::Null,
            vec![Supervisor, Admin],
            200,
        ),
        (
            Method::POST,
            format!("/api/v1/items/{other}/notes"),
            json!({"text": "notă"}),
            d.to_vec(),
            200,
        ),
        (
            Method::GET,
            "/api/v1/resources".into(),
            Value::Null,
            staff.to_vec(),
            200,
        ),
        (
            Method::POST,
            "/api/v1/resources".into(),
            json!({"id": "VAN-M", "kind": "vehicle", "name": "Van"}),
            vec![Supervisor, Admin],
            201,
        ),
        (
            Method::GET,
            "/api/v1/me".into(),
            Value::Null,
            Role::ALL.to_vec(),
            200,
        ),
        (Method::GET, "/ws".into(), Value::Null, staff.to_vec(), 400),
        // Mobilitate runs (meal rounds, shuttles, supply runs): dispatch roles only.
        (
            Method::POST,
            "/api/v1/transport/runs".into(),
            json!({"kind": "supply", "date": now.date_naive(), "origin": {"address": "Depozit (demo)", "lon": 21.2087, "lat": 45.7537},
                   "stops": [{"label": "Centru de zi (demo)", "place": {"address": "Str. Lidia (demo)", "lon": 21.2001, "lat": 45.7622}, "from": "10:00:00", "to": "12:00:00"}]}),
            d.to_vec(),
            201,
        ),
        (
            Method::GET,
            format!("/api/v1/transport/runs?date={}", now.date_naive()),
            Value::Null,
            d.to_vec(),
            200,
        ),
        // The EMIU procedure (issue 17) on an item that is not a DV case: repeatable records
        // only; every route on a DV case, arrival and closing included, is in
        // emiu_procedure::the_role_matrix_holds_for_every_emiu_procedure_route.
        (
            Method::POST,
            format!("/api/v1/emiu/cases/{other}/police-request"),
            json!({}),
            d.to_vec(),
            200,
        ),
        (
            Method::POST,
            format!("/api/v1/emiu/cases/{other}/protection-orders"),
            json!({"order": "op", "number": "OP-1", "issued_on": "2026-12-01", "expires_on": "2027-06-01"}),
            d.to_vec(),
            200,
        ),
        (
            Method::POST,
            format!("/api/v1/emiu/cases/{other}/legal-steps"),
            json!({"step": "criminal_complaint", "date": "2026-12-01"}),
            d.to_vec(),
            200,
        ),
        (
            Method::POST,
            format!("/api/v1/emiu/cases/{other}/children"),
            json!({"count": 1}),
            d.to_vec(),
            200,
        ),
        // Transport eligibility and policy (issue 16): reads for dispatch, decisions for
        // supervisors. R-M is registered below, before the rows run.
        (
            Method::GET,
            "/api/v1/transport/policy/flagged".into(),
            Value::Null,
            d.to_vec(),
            200,
        ),
        (
            Method::GET,
            "/api/v1/transport/certificates/expiring".into(),
            Value::Null,
            d.to_vec(),
            200,
        ),
        (
            Method::POST,
            "/api/v1/transport/certificates/reminders".into(),
            json!({}),
            d.to_vec(),
            200,
        ),
        (
            Method::GET,
            "/api/v1/transport/riders/R-M/history".into(),
            Value::Null,
            d.to_vec(),
            200,
        ),
        (
            Method::POST,
            "/api/v1/transport/riders/R-M/suspend".into(),
            json!({"until": now.date_naive(), "reason": "test"}),
            vec![Supervisor, Admin],
            200,
        ),
        (
            Method::POST,
            "/api/v1/transport/riders/R-M/waive".into(),
            json!({"reason": "test"}),
            vec![Supervisor, Admin],
            200,
        ),
        // The DC-09 receiver's accounts (receiver feature).
        (
            Method::GET,
            "/api/v1/receiver/accounts".into(),
            Value::Null,
            vec![Supervisor, Admin],
            200,
        ),
    ];
    let r = app
        .post_as(
            Dispatcher,
            "/api/v1/transport/riders",
            &crate::transport::rider("R-M", "seated", 1.0),
        )
        .await;
    assert_eq!(r.status(), 201);
    for (method, path, body, allowed, ok) in rows {
        for role in Role::ALL {
            // Endpoints that create something get a fresh body per role where needed.
            let body = match (path.as_str(), &body) {
                ("/api/v1/alerts", _) => alarm("TA-M", "fall", &format!("m-{}", role.as_str())),
                ("/api/v1/resources", Value::Object(_)) => {
                    json!({"id": format!("VAN-{}", role.as_str().to_uppercase()), "kind": "vehicle", "name": "Van"})
                }
                _ => body.clone(),
            };
            let mut req = app
                .client
                .request(method.clone(), format!("{}{}", app.address, path))
                .bearer_auth(app.token(role));
            if !body.is_null() {
                req = req.json(&body);
            }
            let status = req.send().await.unwrap().status().as_u16();
            // A plain GET on /ws without the upgrade headers passes auth, then fails the upgrade.
            let expected = if allowed.contains(&role) { ok } else { 403 };
            assert_eq!(status, expected, "{method} {path} as {}", role.as_str());
        }
        // And without credentials: 401.
        let status = app
            .client
            .request(method.clone(), format!("{}{}", app.address, path))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16();
        assert_eq!(status, 401, "{method} {path} anonymous");
    }
}

#[tokio::test]
async fn a_domestic_violence_case_is_for_its_dispatcher_emiu_and_supervisors_only() {
    let app = spawn_app().await;
    app.add_user("d1", Role::Dispatcher, None).await;
    app.add_user("d2", Role::Dispatcher, None).await;
    app.add_user("s1", Role::Driver, Some("SOFER-01")).await;
    app.add_user("e1", Role::Emiu, Some("EMIU-1")).await;
    app.add_user("sup", Role::Supervisor, None).await;
    let d1 = app.login_browser("d1").await;
    let d2 = app.login_browser("d2").await;
    let driver = app.login_browser("s1").await;
    let emiu = app.login_browser("e1").await;
    let sup = app.login_browser("sup").await;
    let created: Value = d1
        .post(format!("{}/api/v1/calls", app.address))
        .json(&json!({
            "caller_number": "+40711222333",
            "category": "domestic_violence",
            "immediate_danger": true,
            "location": { "address": "Str. Victimei 7", "lon": 21.23, "lat": 45.75 },
            "notes": "agresorul este acasă",
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = created["id"].as_str().unwrap().to_owned();
    let url = format!("{}/api/v1/items/{id}", app.address);
    let get = |c: &reqwest::Client| c.get(&url).send();

    // Before anyone takes it, dispatchers see that it exists, without the victim's details.
    let seen: Value = get(&d2).await.unwrap().json().await.unwrap();
    assert_eq!(seen["item"]["redacted"], true);
    assert_eq!(seen["item"]["details"]["caller_number"], "***");
    assert!(seen["item"]["details"].get("location").is_none());
    // d1 takes it: from then on only d1 (and EMIU, supervisors) see the details.
    let ack = d1.post(format!("{url}/acknowledge")).send().await.unwrap();
    assert_eq!(ack.status(), 200);
    let full: Value = get(&d1).await.unwrap().json().await.unwrap();
    assert_eq!(full["item"]["details"]["caller_number"], "+40711222333");
    assert_eq!(
        full["item"]["details"]["location"]["address"],
        "Str. Victimei 7"
    );
    let redacted: Value = get(&d2).await.unwrap().json().await.unwrap();
    assert_eq!(redacted["item"]["details"]["caller_number"], "***");
    let note = d2
        .post(format!("{url}/notes"))
        .json(&json!({"text": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        note.status(),
        403,
        "another dispatcher may not act on the case"
    );
    for client in [&emiu, &sup] {
        let v: Value = get(client).await.unwrap().json().await.unwrap();
        assert_eq!(v["item"]["details"]["caller_number"], "+40711222333");
    }
    // The driver: refused, and the case is not in their queue.
    assert_eq!(get(&driver).await.unwrap().status(), 403);
    assert_eq!(
        driver
            .get(format!("{url}/events"))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    let queue: Value = driver
        .get(format!("{}/api/v1/queue", app.address))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(queue["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["item"]["id"] != id.as_str()));

    // The audit log names who looked, and how much they saw.
    let audit: Value = sup
        .get(format!("{url}/audit"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let reads: Vec<(String, String)> = audit["reads"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["actor"].as_str().unwrap().into(),
                r["outcome"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert!(
        reads.contains(&("d2".into(), "redacted".into())),
        "{reads:?}"
    );
    assert!(
        reads.contains(&("d1".into(), "allowed".into())),
        "{reads:?}"
    );
    assert!(
        reads.contains(&("s1".into(), "refused".into())),
        "{reads:?}"
    );
}

#[tokio::test]
async fn a_dispatchers_websocket_carries_the_case_redacted_until_they_take_it() {
    let app = spawn_app().await;
    let mut ws = app.ws_connect(None).await;
    ws.next_json().await;
    let created: Value = app
        .post_as(
            Role::Telephony,
            "/api/v1/calls",
            &json!({ "caller_number": "+40711000999", "category": "domestic_violence", "immediate_danger": false, "notes": "secret" }),
        )
        .await
        .json()
        .await
        .unwrap();
    let ev = ws.wait_for("item_created").await;
    assert_eq!(ev["event"]["item"]["details"]["caller_number"], "***");
    assert_eq!(ev["event"]["item"]["redacted"], true);
    // Taking the case sends the full item.
    let id = created["id"].as_str().unwrap();
    assert_eq!(app.act(id, "acknowledge", json!({})).await.status(), 200);
    loop {
        let m = ws.next_json().await;
        if m["type"] == "item" {
            assert_eq!(m["item"]["details"]["caller_number"], "+40711000999");
            break;
        }
    }
}
