//! The EMIU workflow over the API: a domestic-violence case dispatched to the team, the team's
//! view, the risk form, measures with a shelter placement, the report; drivers refused.

use dispecer::access::Role;
use serde_json::{json, Value};

use super::app_with;
use crate::helpers::TestApp;

async fn dv_case_sent_to_emiu(app: &TestApp) -> String {
    let r = app
        .post_as(
            Role::Supervisor,
            "/api/v1/resources",
            &json!({ "id": "EMIU-1", "kind": "emiu_team", "name": "Echipa EMIU 1" }),
        )
        .await;
    assert_eq!(r.status(), 201);
    // The dispatcher places the team: the test's EMIU credential works as no team, and a member
    // may move only their own (tests/api/resource_access.rs).
    let r = app
        .post_as(
            Role::Dispatcher,
            "/api/v1/resources/EMIU-1/position",
            &json!({ "lon": 21.2087, "lat": 45.7537 }),
        )
        .await;
    assert_eq!(r.status(), 200);
    crate::beds::add_dv_shelter(app, "ADP-T", "Adăpost test", 2, 0).await;
    let r = app
        .post_as(
            Role::Dispatcher,
            "/api/v1/calls",
            &json!({
                "caller_number": "+40722000201",
                "category": "domestic_violence",
                "immediate_danger": true,
                "location": { "address": "Strada Alba Iulia 3, Timișoara", "lon": 21.2270, "lat": 45.7530 },
                "notes": "vecina aude țipete (fictiv)"
            }),
        )
        .await;
    assert_eq!(r.status(), 201);
    let id = r.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(app.act(&id, "acknowledge", json!({})).await.status(), 200);
    assert_eq!(
        app.act(&id, "assign", json!({ "resources": ["EMIU-1"] }))
            .await
            .status(),
        200
    );
    id
}

#[tokio::test]
async fn the_team_works_a_case_risk_form_shelter_placement_and_report() {
    // Arrange
    let app = app_with(|_| {}).await;
    let id = dv_case_sent_to_emiu(&app).await;

    // Act + Assert: the team's view shows the victim's address.
    let r = app
        .get_as(Role::Emiu, &format!("/api/v1/emiu/cases/{id}"))
        .await;
    assert_eq!(r.status(), 200);
    let view: Value = r.json().await.unwrap();
    assert_eq!(
        view["item"]["details"]["location"]["address"],
        "Strada Alba Iulia 3, Timișoara"
    );
    assert_eq!(view["item"]["assigned_to"], json!(["EMIU-1"]));
    // Routing is off in this test: the view says why there is no route.
    assert!(view["route"]["unavailable"].is_string());

    let r = app
        .post_as(
            Role::Emiu,
            &format!("/api/v1/emiu/cases/{id}/risk"),
            &json!({ "yes": ["threat_to_kill", "weapon", "strangulation", "victim_fears"] }),
        )
        .await;
    assert_eq!(r.status(), 200);
    let a: Value = r.json().await.unwrap();
    assert_eq!(a["assessment"]["score"], 11);
    assert_eq!(a["assessment"]["level"], "high");

    let r = app
        .post_as(
            Role::Emiu,
            &format!("/api/v1/emiu/cases/{id}/measures"),
            &json!({ "measure": "police_notified", "note": "ordin provizoriu solicitat" }),
        )
        .await;
    assert_eq!(r.status(), 200);
    let r = app
        .post_as(
            Role::Emiu,
            &format!("/api/v1/emiu/cases/{id}/measures"),
            &json!({ "measure": "shelter_placement", "shelter_id": "ADP-T" }),
        )
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.json::<Value>().await.unwrap()["shelter"]["free_places"],
        1
    );
    let shelters: Value = app
        .get_as(Role::Emiu, "/api/v1/shelters")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(shelters["shelters"][0]["free_places"], 1);

    let r = app
        .post_as(Role::Emiu, &format!("/api/v1/emiu/cases/{id}/report"), &json!({ "text": "Victima a fost plasată în adăpost; poliția a emis ordin provizoriu." }))
        .await;
    assert_eq!(r.status(), 200);

    let view: Value = app
        .get_as(Role::Emiu, &format!("/api/v1/emiu/cases/{id}"))
        .await
        .json()
        .await
        .unwrap();
    let kinds: Vec<&str> = view["case_file"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["record"]["record"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["risk_assessed", "measure", "measure", "report"]);
}

#[tokio::test]
async fn a_full_shelter_refuses_a_placement_and_keeps_its_count() {
    let app = app_with(|_| {}).await;
    let id = dv_case_sent_to_emiu(&app).await;
    let place = || async {
        app.post_as(
            Role::Emiu,
            &format!("/api/v1/emiu/cases/{id}/measures"),
            &json!({ "measure": "shelter_placement", "shelter_id": "ADP-T" }),
        )
        .await
        .status()
    };
    assert_eq!(place().await, 200);
    assert_eq!(place().await, 200);
    assert_eq!(place().await, 409);
    let shelters: Value = app
        .get_as(Role::Emiu, "/api/v1/shelters")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(shelters["shelters"][0]["free_places"], 0);
    let r = app
        .post_as(
            Role::Emiu,
            &format!("/api/v1/emiu/cases/{id}/measures"),
            &json!({ "measure": "teleport" }),
        )
        .await;
    assert_eq!(r.status(), 422);
    assert_eq!(
        r.json::<Value>().await.unwrap()["error"]["field"],
        "measure"
    );
}

#[tokio::test]
async fn a_driver_cannot_read_the_victims_address_and_every_view_is_audited() {
    let app = app_with(|_| {}).await;
    let id = dv_case_sent_to_emiu(&app).await;
    for path in [
        format!("/api/v1/emiu/cases/{id}"),
        format!("/api/v1/items/{id}"),
        format!("/api/v1/items/{id}/referrals"),
    ] {
        let r = app.get_as(Role::Driver, &path).await;
        assert_eq!(r.status(), 403, "{path}");
        let body = r.text().await.unwrap();
        assert!(!body.contains("Alba Iulia"), "{path}: {body}");
    }
    let r = app
        .post_as(
            Role::Driver,
            &format!("/api/v1/emiu/cases/{id}/report"),
            &json!({ "text": "x" }),
        )
        .await;
    assert_eq!(r.status(), 403);
    // The queue a driver reads does not hold the case either.
    let q = app
        .get_as(Role::Driver, "/api/v1/queue")
        .await
        .text()
        .await
        .unwrap();
    assert!(!q.contains(&id));
    app.get_as(Role::Emiu, &format!("/api/v1/emiu/cases/{id}"))
        .await;
    let audit: Value = app
        .get_as(Role::Supervisor, &format!("/api/v1/items/{id}/audit"))
        .await
        .json()
        .await
        .unwrap();
    let reads: Vec<(String, String, String)> = audit["reads"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["role"].as_str().unwrap().into(),
                r["action"].as_str().unwrap().into(),
                r["outcome"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert!(
        reads.contains(&("driver".into(), "view_emiu_case".into(), "refused".into())),
        "{reads:?}"
    );
    assert!(
        reads.contains(&("emiu".into(), "view_emiu_case".into(), "allowed".into())),
        "{reads:?}"
    );
}

#[tokio::test]
async fn another_dispatchers_console_gets_the_case_file_withheld() {
    // Arrange: a second dispatcher, not handling the case, watching the websocket.
    let app = app_with(|_| {}).await;
    app.state
        .store
        .put_user(&dispecer::store::UserRecord {
            username: "dispecer2".into(),
            display_name: "Dispecer Doi".into(),
            role: "dispatcher".into(),
            password_hash: dispecer::http::session::hash_password("parola-de-test").unwrap(),
            resource_id: None,
        })
        .await
        .unwrap();
    let login: Value = app
        .client
        .post(format!("{}/api/v1/session", app.address))
        .json(&json!({ "username": "dispecer2", "password": "parola-de-test", "token": true }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = login["token"].as_str().unwrap();
    let url = format!(
        "{}/ws?access_token={token}",
        app.address.replacen("http", "ws", 1)
    );
    let (socket, _) = tokio_tungstenite::connect_async(url.as_str())
        .await
        .unwrap();
    let mut ws = crate::helpers::WsClient { socket };
    assert_eq!(ws.next_json().await["type"], "snapshot");
    let id = dv_case_sent_to_emiu(&app).await;

    // Act: the team files its report.
    let r = app
        .post_as(
            Role::Emiu,
            &format!("/api/v1/emiu/cases/{id}/report"),
            &json!({ "text": "Victima locuiește acum la sora ei, strada X." }),
        )
        .await;
    assert_eq!(r.status(), 200);

    // Assert: the other dispatcher learns only that a report was filed.
    let m = ws.wait_for("case_recorded").await;
    assert_eq!(m["event"]["record"]["record"], "withheld");
    assert_eq!(m["event"]["record"]["of"], "report");
    assert!(!m.to_string().contains("sora ei"));
}
