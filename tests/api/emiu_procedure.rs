//! The EMIU procedure (issue 17, point 1) over the API: the police's request with its clock to
//! arrival (breached and pushed, or stopped by arrival), the risk assessment's red flags,
//! override and re-assessment, protection orders and their expiry reminder, hazards kept by
//! address for the next team, children counted in a placement, the team closing its case.

use std::time::Duration;

use dispecer::access::Role;
use dispecer::config::Config;
use serde_json::{json, Value};

use crate::helpers::{spawn_with, test_config, TestApp};

async fn app_with(adjust: impl FnOnce(&mut Config)) -> TestApp {
    let (mut config, dir) = test_config().await;
    adjust(&mut config);
    spawn_with(config, dir).await
}

async fn json_of(r: reqwest::Response, status: u16, what: &str) -> Value {
    let got = r.status().as_u16();
    let body = r.text().await.unwrap();
    assert_eq!(got, status, "{what}: {body}");
    serde_json::from_str(&body).unwrap_or(Value::Null)
}

async fn register_team(app: &TestApp) {
    let r = app
        .post_as(
            Role::Supervisor,
            "/api/v1/resources",
            &json!({ "id": "EMIU-1", "kind": "emiu_team", "name": "Echipa EMIU 1" }),
        )
        .await;
    assert_eq!(r.status(), 201);
}

/// A domestic-violence call at `address`, taken by the test dispatcher; sent to EMIU-1 when
/// `send` is true.
async fn dv_case(app: &TestApp, address: &str, lon: f64, lat: f64, send: bool) -> String {
    let r = app
        .post_as(
            Role::Dispatcher,
            "/api/v1/calls",
            &json!({
                "caller_number": "+40722000301",
                "category": "domestic_violence",
                "immediate_danger": true,
                "location": { "address": address, "lon": lon, "lat": lat },
            }),
        )
        .await;
    let id = json_of(r, 201, "the call").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    json_of(app.act(&id, "acknowledge", json!({})).await, 200, "take it").await;
    if send {
        json_of(
            app.act(&id, "assign", json!({ "resources": ["EMIU-1"] }))
                .await,
            200,
            "send the team",
        )
        .await;
    }
    id
}

async fn emiu(app: &TestApp, id: &str, what: &str, body: Value) -> reqwest::Response {
    app.post_as(
        Role::Emiu,
        &format!("/api/v1/emiu/cases/{id}/{what}"),
        &body,
    )
    .await
}

async fn case_view(app: &TestApp, role: Role, id: &str) -> Value {
    json_of(
        app.get_as(role, &format!("/api/v1/emiu/cases/{id}")).await,
        200,
        "the case",
    )
    .await
}

async fn events_of(app: &TestApp, id: &str) -> Vec<Value> {
    json_of(
        app.get_as(Role::Supervisor, &format!("/api/v1/items/{id}/events"))
            .await,
        200,
        "the events",
    )
    .await["events"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// Reads frames until `kind` about `item` arrives.
async fn wait_for_event(ws: &mut crate::helpers::WsClient, kind: &str, item: &str) -> Value {
    loop {
        let m = ws.next_json().await;
        if m["type"] == "event" && m["event"]["type"] == kind && m["event"]["item_id"] == item {
            return m;
        }
    }
}

/// 1.2 seconds instead of 90 minutes.
const SHORT_CLOCK_MIN: f64 = 0.02;

#[tokio::test]
async fn a_police_request_not_met_in_time_breaches_and_is_pushed_to_dispatch_and_supervisors() {
    // Arrange
    let app = app_with(|c| c.emiu.police_request_arrival_minutes = SHORT_CLOCK_MIN).await;
    register_team(&app).await;
    let id = dv_case(
        &app,
        "Strada Brediceanu 10, Timișoara",
        21.2260,
        45.7540,
        true,
    )
    .await;
    let mut dispatch = app.ws_connect(None).await;
    let sup_token = app.token(Role::Supervisor).to_owned();
    let mut supervisor = app.ws_connect_token(&sup_token, None).await.unwrap();

    // Act
    let item = json_of(
        emiu(
            &app,
            &id,
            "police-request",
            json!({ "opp_number": "OPP-TM-2026-17", "accommodation_requested": true }),
        )
        .await,
        200,
        "the police request",
    )
    .await;

    // Assert: the clock runs to arrival, then breaches; both consoles are told.
    let notified: chrono::DateTime<chrono::Utc> =
        serde_json::from_value(item["arrival"]["notified"].clone()).unwrap();
    let due: chrono::DateTime<chrono::Utc> =
        serde_json::from_value(item["arrival"]["due"].clone()).unwrap();
    assert_eq!((due - notified).num_milliseconds(), 1200);
    assert!(item["arrival"]["arrived"].is_null());
    let pushed = wait_for_event(&mut dispatch, "arrival_breached", &id).await;
    assert_eq!(pushed["event"]["due"], item["arrival"]["due"]);
    wait_for_event(&mut supervisor, "arrival_breached", &id).await;
    let view = case_view(&app, Role::Supervisor, &id).await;
    assert!(view["item"]["arrival"]["breached"].is_string());
    let breaches: Vec<_> = events_of(&app, &id)
        .await
        .into_iter()
        .filter(|e| e["event"]["type"] == "arrival_breached")
        .collect();
    assert_eq!(breaches.len(), 1);
    assert_eq!(breaches[0]["actor"], "system");
    // Arriving late still stops the clock, and is recorded.
    let item = json_of(
        emiu(&app, &id, "on-scene", json!({})).await,
        200,
        "on scene",
    )
    .await;
    assert!(item["arrival"]["arrived"].is_string());
    // The police asked for the aggressor's accommodation: where is recorded.
    json_of(
        emiu(
            &app,
            &id,
            "aggressor-accommodation",
            json!({ "place": "Centrul de cazare temporară (fictiv)" }),
        )
        .await,
        200,
        "accommodation",
    )
    .await;
}

#[tokio::test]
async fn arrival_on_scene_stops_the_clock() {
    // Arrange
    let app = app_with(|c| c.emiu.police_request_arrival_minutes = SHORT_CLOCK_MIN).await;
    register_team(&app).await;
    let met = dv_case(
        &app,
        "Strada Mărășești 5, Timișoara",
        21.2290,
        45.7560,
        true,
    )
    .await;
    let missed = dv_case(&app, "Strada Paris 2, Timișoara", 21.2200, 45.7500, false).await;
    let mut dispatch = app.ws_connect(None).await;

    // Act: the team arrives in time on one; the other request, made after it, is never met.
    json_of(
        emiu(&app, &met, "police-request", json!({})).await,
        200,
        "request 1",
    )
    .await;
    let arrived = json_of(
        emiu(&app, &met, "on-scene", json!({})).await,
        200,
        "on scene",
    )
    .await;
    json_of(
        emiu(&app, &missed, "police-request", json!({})).await,
        200,
        "request 2",
    )
    .await;
    // The later deadline's breach: by then the earlier one would have breached too.
    wait_for_event(&mut dispatch, "arrival_breached", &missed).await;

    // Assert
    assert!(arrived["arrival"]["arrived"].is_string());
    let view = case_view(&app, Role::Emiu, &met).await;
    assert!(view["item"]["arrival"]["breached"].is_null());
    assert!(!events_of(&app, &met)
        .await
        .iter()
        .any(|e| e["event"]["type"] == "arrival_breached"));
    let again = emiu(&app, &met, "on-scene", json!({})).await;
    let err = json_of(again, 409, "on scene twice").await;
    assert_eq!(err["error"]["reason"], "already_on_scene");
    // Accommodation the police did not ask for is refused.
    let err = json_of(
        emiu(
            &app,
            &met,
            "aggressor-accommodation",
            json!({ "place": "x" }),
        )
        .await,
        409,
        "accommodation not asked",
    )
    .await;
    assert_eq!(err["error"]["reason"], "accommodation_not_requested");
}

#[tokio::test]
async fn a_red_flag_answer_sets_high_risk_at_a_low_score() {
    let app = app_with(|_| {}).await;
    register_team(&app).await;
    let id = dv_case(&app, "Strada Paris 4, Timișoara", 21.2201, 45.7501, true).await;

    let a = json_of(
        emiu(
            &app,
            &id,
            "risk",
            json!({ "yes": ["pregnancy", "isolation"] }),
        )
        .await,
        200,
        "risk",
    )
    .await["assessment"]
        .clone();

    assert_eq!(a["score"], 3);
    assert_eq!(a["score_level"], "low");
    assert_eq!(a["level"], "high");
    assert_eq!(a["red_flags"], json!(["pregnancy"]));
}

#[tokio::test]
async fn an_override_needs_its_reason_and_a_reassessment_keeps_the_history() {
    // Arrange
    let app = app_with(|_| {}).await;
    register_team(&app).await;
    let id = dv_case(&app, "Strada Paris 6, Timișoara", 21.2202, 45.7502, true).await;

    // Act + Assert: an override without its reason names the field.
    let err = json_of(
        emiu(
            &app,
            &id,
            "risk",
            json!({ "yes": ["isolation"], "override_level": "high" }),
        )
        .await,
        422,
        "override without reason",
    )
    .await;
    assert_eq!(err["error"]["field"], "override_reason");
    let a = json_of(
        emiu(
            &app,
            &id,
            "risk",
            json!({ "yes": ["isolation"], "override_level": "high", "override_reason": "agresorul a fost eliberat azi (fictiv)" }),
        )
        .await,
        200,
        "override",
    )
    .await["assessment"]
        .clone();
    assert_eq!(
        (a["score_level"].as_str(), a["level"].as_str()),
        (Some("low"), Some("high"))
    );
    assert_eq!(
        a["override_reason"],
        "agresorul a fost eliberat azi (fictiv)"
    );
    // A red flag cannot be judged away.
    let err = json_of(
        emiu(&app, &id, "risk", json!({ "yes": ["weapon"], "override_level": "low", "override_reason": "victima minimalizează", "incident": "x" })).await,
        422,
        "lowering a red flag",
    )
    .await;
    assert_eq!(err["error"]["field"], "override_level");
    // A re-assessment names the new incident.
    let err = json_of(
        emiu(&app, &id, "risk", json!({ "yes": ["victim_fears"] })).await,
        422,
        "re-assessment without incident",
    )
    .await;
    assert_eq!(err["error"]["field"], "incident");
    json_of(
        emiu(&app, &id, "risk", json!({ "yes": ["victim_fears"], "incident": "nou incident: amenințări prin SMS (fictiv)" })).await,
        200,
        "re-assessment",
    )
    .await;
    let view = case_view(&app, Role::Emiu, &id).await;
    let history: Vec<&Value> = view["case_file"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["record"]["record"] == "risk_assessed")
        .collect();
    assert_eq!(history.len(), 2, "every assessment is kept");
    assert_eq!(history[0]["record"]["override_level"], "high");
    assert_eq!(view["latest_risk"]["level"], "low");
    assert_eq!(
        view["latest_risk"]["incident"],
        "nou incident: amenințări prin SMS (fictiv)"
    );
    // The override is attributed in the file: who judged, and when.
    assert_eq!(history[0]["actor"], "test-emiu");
}

#[tokio::test]
async fn a_protection_order_near_expiry_puts_a_reminder_in_the_queue() {
    // Arrange
    let app = app_with(|c| {
        c.emiu.order_reminder_days = 3;
        c.emiu.reminder_interval_ms = 50;
    })
    .await;
    register_team(&app).await;
    let id = dv_case(&app, "Strada Paris 8, Timișoara", 21.2203, 45.7503, true).await;
    let today = chrono::Utc::now().date_naive();
    let order = |number: &str, issued: i64, expires: i64| {
        json!({
            "order": "opp",
            "number": number,
            "issued_on": today - chrono::Days::new(issued as u64),
            "expires_on": today + chrono::Days::new(expires as u64),
            "people_covered": ["Victima V. (fictiv)", "Copil C. (fictiv)"],
            "minors": 1,
        })
    };

    // Act + Assert: bad input names its field.
    let mut bad = order("OPP-1", 0, 5);
    bad["order"] = json!("ordin");
    assert_eq!(
        json_of(
            emiu(&app, &id, "protection-orders", bad).await,
            422,
            "bad kind"
        )
        .await["error"]["field"],
        "order"
    );
    let mut bad = order("OPP-1", 0, 5);
    bad["expires_on"] = json!(today - chrono::Days::new(2));
    assert_eq!(
        json_of(
            emiu(&app, &id, "protection-orders", bad).await,
            422,
            "expired before issued"
        )
        .await["error"]["field"],
        "expires_on"
    );
    // One far from expiry, one within the reminder days.
    json_of(
        emiu(&app, &id, "protection-orders", order("OP-TM-900", 1, 180)).await,
        200,
        "far",
    )
    .await;
    json_of(
        emiu(&app, &id, "protection-orders", order("OPP-TM-17", 3, 2)).await,
        200,
        "near",
    )
    .await;

    // Assert: the reminder reaches the queue, tied to the case (and as protected as it).
    let mut reminders = Vec::new();
    for _ in 0..400 {
        let queue: Value = app
            .get_as(Role::Supervisor, "/api/v1/queue")
            .await
            .json()
            .await
            .unwrap();
        reminders = queue["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| &e["item"])
            .filter(|i| i["kind"] == "incident" && i["details"]["related"] == id.as_str())
            .cloned()
            .collect();
        if !reminders.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(
        reminders.len(),
        1,
        "one reminder, for the order near expiry"
    );
    let expires = today + chrono::Days::new(2);
    assert_eq!(
        reminders[0]["details"]["description"],
        format!("protection_order_expiry:opp:{expires}")
    );
    assert_eq!(reminders[0]["dv_case"], id.as_str());
    let view = case_view(&app, Role::Emiu, &id).await;
    let orders: Vec<&Value> = view["case_file"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["record"]["record"] == "protection_order")
        .collect();
    assert_eq!(orders.len(), 2);
    assert_eq!(orders[1]["record"]["minors"], 1);
    assert_eq!(
        orders[1]["record"]["remind_on"],
        json!(today - chrono::Days::new(1))
    );
    // Legal steps sit beside the orders.
    for step in [
        "criminal_complaint",
        "forensic_certificate",
        "prosecutor_notice",
        "court_notice",
    ] {
        json_of(
            emiu(
                &app,
                &id,
                "legal-steps",
                json!({ "step": step, "date": today, "reference": "nr. 123/2026 (fictiv)" }),
            )
            .await,
            200,
            step,
        )
        .await;
    }
    let err = json_of(
        emiu(
            &app,
            &id,
            "legal-steps",
            json!({ "step": "appeal", "date": today }),
        )
        .await,
        422,
        "bad step",
    )
    .await;
    assert_eq!(err["error"]["field"], "step");
}

#[tokio::test]
async fn a_hazard_noted_on_one_case_is_shown_to_the_team_sent_to_that_address_later() {
    // Arrange: a hazard noted on a first case at the address.
    let app = app_with(|_| {}).await;
    register_team(&app).await;
    let first = dv_case(
        &app,
        "Strada Ștefan cel Mare 3, Timișoara",
        21.2300,
        45.7580,
        false,
    )
    .await;
    let noted = json_of(
        emiu(
            &app,
            &first,
            "hazards",
            json!({ "hazard": "dog", "note": "câine mare în curte (fictiv)" }),
        )
        .await,
        200,
        "hazard",
    )
    .await;
    assert_eq!(noted["hazard"]["hazard"], "dog");
    let bad = emiu(&app, &first, "hazards", json!({ "hazard": "tiger" })).await;
    assert_eq!(
        json_of(bad, 422, "bad hazard").await["error"]["field"],
        "hazard"
    );
    json_of(
        app.act(&first, "close", json!({ "outcome": "emiu_sent" }))
            .await,
        200,
        "close the first",
    )
    .await;

    // Act: a later case at the same address, spelled otherwise, is sent to the team; and one
    // a street away.
    let later = dv_case(
        &app,
        "str. Stefan cel Mare nr 3 Timisoara",
        21.2301,
        45.7580,
        true,
    )
    .await;
    let elsewhere = dv_case(&app, "Strada Paris 9, Timișoara", 21.2204, 45.7504, false).await;

    // Assert: the team's view of the later case warns of the dog.
    let view = case_view(&app, Role::Emiu, &later).await;
    let hazards = view["hazards"].as_array().unwrap();
    assert_eq!(hazards.len(), 1, "{view}");
    assert_eq!(hazards[0]["hazard"], "dog");
    assert_eq!(hazards[0]["note"], "câine mare în curte (fictiv)");
    assert_eq!(hazards[0]["item_id"], first.as_str());
    let view = case_view(&app, Role::Emiu, &elsewhere).await;
    assert_eq!(view["hazards"], json!([]));
}

#[tokio::test]
async fn a_placement_takes_places_for_the_adults_and_the_children_present() {
    // Arrange
    let app = app_with(|_| {}).await;
    register_team(&app).await;
    crate::beds::add_dv_shelter(&app, "ADP-C", "Adăpost test copii", 2, 2).await;
    let id = dv_case(&app, "Strada Paris 10, Timișoara", 21.2205, 45.7505, true).await;
    json_of(
        emiu(&app, &id, "children", json!({ "count": 2 })).await,
        200,
        "children",
    )
    .await;
    assert_eq!(
        json_of(
            emiu(&app, &id, "children", json!({ "count": 31 })).await,
            422,
            "too many"
        )
        .await["error"]["field"],
        "count"
    );

    // Act: the mother and her two children.
    let placed = json_of(
        emiu(
            &app,
            &id,
            "measures",
            json!({ "measure": "shelter_placement", "shelter_id": "ADP-C" }),
        )
        .await,
        200,
        "placement",
    )
    .await;

    // Assert: three places taken; a second such family does not fit in the one left.
    assert_eq!(placed["shelter"]["free_places"], 1);
    let view = case_view(&app, Role::Emiu, &id).await;
    assert_eq!(view["children_present"], 2);
    let m = view["case_file"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["record"]["record"] == "measure")
        .unwrap()
        .clone();
    assert_eq!(
        (
            m["record"]["places"].as_u64(),
            m["record"]["children"].as_u64()
        ),
        (Some(3), Some(2))
    );
    let full = emiu(&app, &id, "measures", json!({ "measure": "shelter_placement", "shelter_id": "ADP-C", "adults": 1, "children": 1 })).await;
    assert_eq!(
        json_of(full, 409, "no room").await["error"]["reason"],
        "shelter_full"
    );
    let shelters: Value = app
        .get_as(Role::Emiu, "/api/v1/shelters")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        shelters["shelters"][0]["free_places"], 1,
        "a refused placement takes nothing"
    );
}

#[tokio::test]
async fn the_team_closes_its_own_case_with_an_outcome_and_its_report() {
    // Arrange
    let app = app_with(|_| {}).await;
    register_team(&app).await;
    let id = dv_case(&app, "Strada Paris 12, Timișoara", 21.2206, 45.7506, true).await;
    let alert = app.new_alert("TA-9", "fall").await;
    json_of(
        app.act(&alert, "acknowledge", json!({})).await,
        200,
        "take the alert",
    )
    .await;

    // Act + Assert: a bad outcome, and a case that is not domestic violence, are refused.
    let err = json_of(
        emiu(&app, &id, "close", json!({ "outcome": "done" })).await,
        422,
        "bad outcome",
    )
    .await;
    assert_eq!(err["error"]["field"], "outcome");
    let r = app
        .post_as(
            Role::Supervisor,
            &format!("/api/v1/emiu/cases/{alert}/close"),
            &json!({ "outcome": "safety_plan" }),
        )
        .await;
    assert_eq!(
        json_of(r, 422, "not a DV case").await["error"]["field"],
        "outcome"
    );
    let closed = json_of(
        emiu(&app, &id, "close", json!({ "outcome": "victim_placed", "report": "Victima și copiii plasați în adăpost (fictiv)." })).await,
        200,
        "close",
    )
    .await;
    assert_eq!(closed["status"], "closed");
    assert_eq!(closed["outcome"], "victim_placed");
    let resources: Value = app
        .get_as(Role::Supervisor, "/api/v1/resources")
        .await
        .json()
        .await
        .unwrap();
    let team = resources["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "EMIU-1")
        .unwrap()
        .clone();
    assert_eq!(team["status"], "available");
    assert!(team["current_item"].is_null());
    let view = case_view(&app, Role::Emiu, &id).await;
    assert!(view["case_file"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["record"]["record"] == "report"));
    let again = emiu(&app, &id, "close", json!({ "outcome": "other" })).await;
    assert_eq!(
        json_of(again, 409, "closed twice").await["error"]["reason"],
        "closed"
    );
}

/// Every route of the EMIU procedure × every role, each on a fresh domestic-violence case (the
/// records change the case: a second arrival or close would be a 409, not a role's answer).
/// Allowed: the dispatcher handling the case, supervisors, admins and EMIU; everyone else 403,
/// and nobody without credentials (401).
#[tokio::test]
async fn the_role_matrix_holds_for_every_emiu_procedure_route() {
    use Role::*;
    let app = app_with(|_| {}).await;
    register_team(&app).await;
    crate::beds::add_dv_shelter(&app, "ADP-M", "Adăpost matrice", 100, 100).await;
    let today = chrono::Utc::now().date_naive();
    let allowed = [Dispatcher, Supervisor, Admin, Emiu];
    let rows: Vec<(reqwest::Method, &str, Value)> = vec![
        (reqwest::Method::GET, "", Value::Null),
        (
            reqwest::Method::POST,
            "/police-request",
            json!({ "accommodation_requested": true }),
        ),
        (reqwest::Method::POST, "/on-scene", json!({})),
        (reqwest::Method::POST, "/risk", json!({ "yes": ["weapon"] })),
        (
            reqwest::Method::POST,
            "/protection-orders",
            json!({ "order": "opp", "number": "OPP-M", "issued_on": today, "expires_on": today + chrono::Days::new(10) }),
        ),
        (
            reqwest::Method::POST,
            "/legal-steps",
            json!({ "step": "court_notice", "date": today }),
        ),
        (
            reqwest::Method::POST,
            "/hazards",
            json!({ "hazard": "dog" }),
        ),
        (reqwest::Method::POST, "/children", json!({ "count": 1 })),
        (
            reqwest::Method::POST,
            "/measures",
            json!({ "measure": "shelter_placement", "shelter_id": "ADP-M", "adults": 1, "children": 1 }),
        ),
        (
            reqwest::Method::POST,
            "/close",
            json!({ "outcome": "safety_plan" }),
        ),
    ];
    for (method, tail, body) in rows {
        for role in Role::ALL {
            let id = dv_case(
                &app,
                "Strada Matricei 1, Timișoara",
                21.2100,
                45.7400,
                false,
            )
            .await;
            let path = format!("/api/v1/emiu/cases/{id}{tail}");
            let mut req = app
                .client
                .request(method.clone(), format!("{}{path}", app.address))
                .bearer_auth(app.token(role));
            if !body.is_null() {
                req = req.json(&body);
            }
            let r = req.send().await.unwrap();
            let status = r.status().as_u16();
            let expected = if allowed.contains(&role) { 200 } else { 403 };
            assert_eq!(
                status,
                expected,
                "{method} {tail} as {}: {}",
                role.as_str(),
                r.text().await.unwrap()
            );
        }
        let id = dv_case(
            &app,
            "Strada Matricei 1, Timișoara",
            21.2100,
            45.7400,
            false,
        )
        .await;
        let mut req = app.client.request(
            method.clone(),
            format!("{}/api/v1/emiu/cases/{id}{tail}", app.address),
        );
        if !body.is_null() {
            req = req.json(&body);
        }
        assert_eq!(
            req.send().await.unwrap().status(),
            401,
            "{method} {tail} anonymous"
        );
    }
}
