//! Who changes and who sees resources, and what an alarm receiver is told: drivers and EMIU
//! members change only their own resource; EMIU positions and current cases go to dispatch roles
//! only; a receiver's answer is a receipt (id, status), deduplicated per credential.

use dispecer::access::Role;
use dispecer::web::auth::{new_token, token_hash};
use serde_json::{json, Value};

use crate::helpers::{alarm, spawn_app, TestApp};

async fn post(app: &TestApp, token: &str, path: &str, body: &Value) -> reqwest::Response {
    app.client
        .post(format!("{}{path}", app.address))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .unwrap()
}

async fn get(app: &TestApp, token: &str, path: &str) -> Value {
    let r = app
        .client
        .get(format!("{}{path}", app.address))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "GET {path}");
    r.json().await.unwrap()
}

/// The resource with this id as the caller is shown it by `GET /api/v1/resources`.
async fn listed(app: &TestApp, token: &str, id: &str) -> Option<Value> {
    get(app, token, "/api/v1/resources").await["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id)
        .cloned()
}

/// Two EMIU teams, two drivers and a van; a driver (`s1`, SOFER-01) and a member of each team
/// (`e1`, `e2`) with their tablet tokens.
struct Fleet {
    app: TestApp,
    driver: String,
    emiu1: String,
    emiu2: String,
}

async fn fleet() -> Fleet {
    let app = spawn_app().await;
    for (id, kind) in [
        ("EMIU-1", "emiu_team"),
        ("EMIU-2", "emiu_team"),
        ("SOFER-01", "driver"),
        ("SOFER-02", "driver"),
        ("VAN-01", "vehicle"),
    ] {
        let r = app
            .post_as(
                Role::Supervisor,
                "/api/v1/resources",
                &json!({ "id": id, "kind": kind, "name": id }),
            )
            .await;
        assert_eq!(r.status(), 201, "registering {id}");
    }
    app.add_user("s1", Role::Driver, Some("SOFER-01")).await;
    app.add_user("e1", Role::Emiu, Some("EMIU-1")).await;
    app.add_user("e2", Role::Emiu, Some("EMIU-2")).await;
    let driver = app.login_token("s1").await;
    let emiu1 = app.login_token("e1").await;
    let emiu2 = app.login_token("e2").await;
    Fleet {
        app,
        driver,
        emiu1,
        emiu2,
    }
}

/// EMIU-1 on scene of a domestic-violence case, at the victim's door; returns the case id.
async fn emiu1_on_a_dv_case(f: &Fleet) -> String {
    let app = &f.app;
    let r = app
        .post_as(
            Role::Dispatcher,
            "/api/v1/calls",
            &json!({
                "caller_number": "+40722000301",
                "category": "domestic_violence",
                "immediate_danger": true,
                "location": { "address": "Strada Victimei 9", "lon": 21.2271, "lat": 45.7531 },
            }),
        )
        .await;
    assert_eq!(r.status(), 201);
    let id = r.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(app.act(&id, "acknowledge", json!({})).await.status(), 200);
    let r = app
        .act(&id, "assign", json!({ "resources": ["EMIU-1"] }))
        .await;
    assert_eq!(r.status(), 200);
    let moved = post(
        app,
        &f.emiu1,
        "/api/v1/resources/EMIU-1/position",
        &json!({ "lon": 21.2271, "lat": 45.7531 }),
    )
    .await;
    assert_eq!(moved.status(), 200);
    let on_scene = post(
        app,
        &f.emiu1,
        "/api/v1/resources/EMIU-1/status",
        &json!({ "status": "on_scene" }),
    )
    .await;
    assert_eq!(on_scene.status(), 200);
    id
}

/// Status, position and version of a resource as dispatch sees it.
async fn state_of(app: &TestApp, id: &str) -> Value {
    let r = listed(app, app.token(Role::Dispatcher), id)
        .await
        .expect("dispatch sees every resource");
    json!([r["status"], r["position"], r["version"]])
}

#[tokio::test]
async fn a_driver_cannot_change_another_resource_and_can_change_their_own() {
    // Arrange
    let f = fleet().await;
    let app = &f.app;
    let before: Vec<Value> = futures_util::future::join_all(
        ["EMIU-2", "SOFER-02", "VAN-01"].map(|id| state_of(app, id)),
    )
    .await;

    // Act: the driver takes EMIU-2 off duty and moves the others.
    let mut refused = Vec::new();
    for id in ["EMIU-2", "SOFER-02", "VAN-01"] {
        let status = post(
            app,
            &f.driver,
            &format!("/api/v1/resources/{id}/status"),
            &json!({ "status": "off_duty" }),
        )
        .await;
        let position = post(
            app,
            &f.driver,
            &format!("/api/v1/resources/{id}/position"),
            &json!({ "lon": 21.0, "lat": 45.0 }),
        )
        .await;
        refused.push((status.status().as_u16(), position.status().as_u16()));
    }

    // Assert: refused, and nothing changed.
    assert_eq!(refused, vec![(403, 403); 3]);
    let after: Vec<Value> = futures_util::future::join_all(
        ["EMIU-2", "SOFER-02", "VAN-01"].map(|id| state_of(app, id)),
    )
    .await;
    assert_eq!(before, after);
    // Their own resource they do change, and the answer shows it in full.
    let r = post(
        app,
        &f.driver,
        "/api/v1/resources/SOFER-01/status",
        &json!({ "status": "en_route" }),
    )
    .await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["status"], "en_route");
    let r = post(
        app,
        &f.driver,
        "/api/v1/resources/SOFER-01/position",
        &json!({ "lon": 21.21, "lat": 45.75 }),
    )
    .await;
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.json::<Value>().await.unwrap()["position"],
        json!({ "lon": 21.21, "lat": 45.75 })
    );
    assert_eq!(
        state_of(app, "SOFER-01").await[0],
        "en_route",
        "the change is stored"
    );
}

#[tokio::test]
async fn an_emiu_member_cannot_change_another_team_and_can_change_their_own() {
    // Arrange
    let f = fleet().await;
    let app = &f.app;
    let before = state_of(app, "EMIU-2").await;
    let van_before = state_of(app, "VAN-01").await;

    // Act
    let status = post(
        app,
        &f.emiu1,
        "/api/v1/resources/EMIU-2/status",
        &json!({ "status": "off_duty" }),
    )
    .await;
    let position = post(
        app,
        &f.emiu1,
        "/api/v1/resources/EMIU-2/position",
        &json!({ "lon": 21.0, "lat": 45.0 }),
    )
    .await;
    let van = post(
        app,
        &f.emiu1,
        "/api/v1/resources/VAN-01/status",
        &json!({ "status": "off_duty" }),
    )
    .await;

    // Assert
    assert_eq!(
        (status.status(), position.status(), van.status()),
        (
            reqwest::StatusCode::FORBIDDEN,
            reqwest::StatusCode::FORBIDDEN,
            reqwest::StatusCode::FORBIDDEN
        )
    );
    assert_eq!(state_of(app, "EMIU-2").await, before);
    assert_eq!(state_of(app, "VAN-01").await, van_before);
    let own = post(
        app,
        &f.emiu2,
        "/api/v1/resources/EMIU-2/status",
        &json!({ "status": "off_duty" }),
    )
    .await;
    assert_eq!(own.status(), 200);
    assert_eq!(state_of(app, "EMIU-2").await[0], "off_duty");
    // Dispatch roles change any resource, as before.
    let r = app
        .post_as(
            Role::Dispatcher,
            "/api/v1/resources/EMIU-2/status",
            &json!({ "status": "available" }),
        )
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(state_of(app, "EMIU-2").await[0], "available");
}

#[tokio::test]
async fn only_dispatch_sees_an_emiu_teams_case_and_position() {
    // Arrange
    let f = fleet().await;
    let app = &f.app;
    let case = emiu1_on_a_dv_case(&f).await;

    // Act
    let as_driver = get(app, &f.driver, "/api/v1/resources").await;
    let as_other_team = get(app, &f.emiu2, "/api/v1/resources").await;
    let roster_of_other_team = get(app, &f.emiu2, "/api/v1/emiu/roster").await;
    let as_own_team = listed(app, &f.emiu1, "EMIU-1").await.unwrap();

    // Assert: the driver is shown only their own resource.
    let ids: Vec<&Value> = as_driver["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["id"])
        .collect();
    assert_eq!(ids, vec!["SOFER-01"]);
    // The other team sees EMIU-1 and its status, never its case or where it stands.
    for shown in [&as_other_team, &roster_of_other_team] {
        let text = shown.to_string();
        assert!(!text.contains(&case), "case id shown to EMIU-2: {text}");
        assert!(
            !text.contains("45.7531"),
            "position shown to EMIU-2: {text}"
        );
    }
    let emiu1 = listed(app, &f.emiu2, "EMIU-1").await.unwrap();
    assert_eq!(emiu1["status"], "on_scene");
    assert!(emiu1["current_item"].is_null() && emiu1["position"].is_null());
    // Its own team and dispatch see both.
    for shown in [
        as_own_team,
        listed(app, app.token(Role::Dispatcher), "EMIU-1")
            .await
            .unwrap(),
        listed(app, app.token(Role::Supervisor), "EMIU-1")
            .await
            .unwrap(),
    ] {
        assert_eq!(shown["current_item"], case.as_str());
        assert_eq!(shown["position"], json!({ "lon": 21.2271, "lat": 45.7531 }));
    }
    let everything = get(app, app.token(Role::Dispatcher), "/api/v1/resources").await;
    assert_eq!(everything["resources"].as_array().unwrap().len(), 5);
}

#[tokio::test]
async fn a_receivers_repeat_answers_id_and_status_only_after_dispatchers_worked_the_alarm() {
    // Arrange
    let app = spawn_app().await;
    let body = alarm("TA-RA-1", "fall", "ra-1");
    let first = app.post_alert(&body).await;
    assert_eq!(first.status(), 201);
    let first: Value = first.json().await.unwrap();
    let id = first["id"].as_str().unwrap().to_owned();
    assert_eq!(first, json!({ "id": id, "status": "new", "created": true }));
    assert_eq!(app.act(&id, "acknowledge", json!({})).await.status(), 200);
    let note = app
        .act(
            &id,
            "notes",
            json!({ "text": "MARKER-NOTE pacientul are diabet" }),
        )
        .await;
    assert_eq!(note.status(), 200);
    let close = app
        .act(&id, "close", json!({ "outcome": "hospital" }))
        .await;
    assert_eq!(close.status(), 200);

    // Act
    let again = app.post_alert(&body).await;

    // Assert
    assert_eq!(again.status(), 200);
    let text = again.text().await.unwrap();
    assert!(!text.contains("MARKER-NOTE"), "{text}");
    assert!(!text.contains("hospital"), "{text}");
    let again: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        again,
        json!({ "id": id, "status": "closed", "created": false })
    );
}

#[tokio::test]
async fn another_receiver_sending_the_same_device_and_alarm_id_gets_its_own_item() {
    // Arrange: a second alarm receiver beside the helper's.
    let app = spawn_app().await;
    let other = new_token();
    app.state
        .store
        .put_credential("receiver-other", "receiver", &token_hash(&other))
        .await
        .unwrap();
    let body = alarm("TA-RA-2", "button", "shared-1");
    let mine = app.post_alert(&body).await;
    assert_eq!(mine.status(), 201);
    let mine: Value = mine.json().await.unwrap();
    assert_eq!(
        app.act(
            mine["id"].as_str().unwrap(),
            "notes",
            json!({ "text": "MARKER-2" })
        )
        .await
        .status(),
        200
    );

    // Act
    let theirs = post(&app, &other, "/api/v1/alerts", &body).await;
    let theirs_again = post(&app, &other, "/api/v1/alerts", &body).await;
    let mine_again = app.post_alert(&body).await;

    // Assert
    assert_eq!(theirs.status(), 201);
    let theirs: Value = theirs.json().await.unwrap();
    assert_ne!(theirs["id"], mine["id"]);
    assert_eq!(theirs["created"], true);
    assert_eq!(theirs_again.status(), 200);
    assert_eq!(
        theirs_again.json::<Value>().await.unwrap()["id"],
        theirs["id"]
    );
    assert_eq!(mine_again.status(), 200);
    assert_eq!(mine_again.json::<Value>().await.unwrap()["id"], mine["id"]);
    assert_eq!(app.queue().await["items"].as_array().unwrap().len(), 2);
    let item: Value = app
        .get_as(
            Role::Dispatcher,
            &format!("/api/v1/items/{}", theirs["id"].as_str().unwrap()),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(item["item"]["details"]["receiver"], "receiver-other");
}
