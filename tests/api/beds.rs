//! Beds (issue 17, point 3) over the API: the registry kept by supervisors and admins, fields
//! named on bad input; admissions counting adults and children apart, a discharge freeing its
//! place (twice: once), the last place given once under concurrent requests, overstays; a DV
//! shelter's address never shown to a dispatcher, a driver or an admin; the cold-weather mode by
//! switch and by rule opening night shelters' extra places; a sleeping-rough call becoming an
//! outreach item whose bed is held with the street team's vehicle assigned; the role matrix.

use std::time::Duration;

use chrono::Utc;
use dispecer::access::Role;
use dispecer::config::Config;
use dispecer::store::beds::{AdmissionRecord, Admitted};
use dispecer::store::BedsStore;
use serde_json::{json, Value};

use crate::helpers::{spawn_with, test_config, TestApp};

/// A test app whose cold-weather rule is off (no season, no threshold) unless `adjust` says.
async fn app_with(adjust: impl FnOnce(&mut Config)) -> TestApp {
    let (mut config, dir) = test_config().await;
    config.beds.cold_weather.from = String::new();
    config.beds.cold_weather.to = String::new();
    config.beds.cold_weather.below_celsius = None;
    config.beds.outreach_interval_ms = 100;
    adjust(&mut config);
    spawn_with(config, dir).await
}

async fn json_of(r: reqwest::Response, status: u16, what: &str) -> Value {
    let got = r.status().as_u16();
    let body = r.text().await.unwrap();
    assert_eq!(got, status, "{what}: {body}");
    serde_json::from_str(&body).unwrap_or(Value::Null)
}

async fn put_as(app: &TestApp, role: Role, path: &str, body: &Value) -> reqwest::Response {
    app.client
        .put(format!("{}{path}", app.address))
        .bearer_auth(app.token(role))
        .json(body)
        .send()
        .await
        .unwrap()
}

async fn provider(app: &TestApp, id: &str) {
    let r = app
        .post_as(
            Role::Supervisor,
            "/api/v1/beds/providers",
            &json!({ "id": id, "name": format!("Furnizor {id}"), "kind": "das", "phone": "+40799000950" }),
        )
        .await;
    assert!(
        [201, 409].contains(&r.status().as_u16()),
        "provider: {}",
        r.text().await.unwrap()
    );
}

/// Registers a facility through the API as a supervisor.
async fn facility(app: &TestApp, body: Value) -> Value {
    provider(app, "P-TEST").await;
    let mut body = body;
    body["provider_id"] = json!("P-TEST");
    json_of(
        app.post_as(Role::Supervisor, "/api/v1/beds/facilities", &body)
            .await,
        201,
        "facility",
    )
    .await
}

/// A DV shelter of the registry with `adults` adult and `children` child places (the EMIU's
/// placements admit there).
pub(crate) async fn add_dv_shelter(
    app: &TestApp,
    id: &str,
    name: &str,
    adults: i64,
    children: i64,
) {
    facility(
        app,
        json!({ "id": id, "name": name, "kind": "dv_shelter", "adult_places": adults,
                "child_places": children, "stay_limit_days": 90,
                "address": "Strada Ascunsă 7, Timișoara (fictiv)", "lon": 21.21, "lat": 45.75,
                "phone": "+40799000951" }),
    )
    .await;
}

async fn night_shelter(app: &TestApp, id: &str, places: i64, extra: i64, lon: f64) -> Value {
    facility(
        app,
        json!({ "id": id, "name": format!("Adăpost de noapte {id}"), "kind": "night_shelter",
                "adult_places": places, "cold_extra_places": extra, "stay_limit_days": 1,
                "address": format!("Strada {id} 1, Timișoara"), "lon": lon, "lat": 45.75 }),
    )
    .await
}

async fn listed(app: &TestApp, role: Role, id: &str) -> Value {
    let list = json_of(
        app.get_as(role, "/api/v1/beds/facilities").await,
        200,
        "list",
    )
    .await;
    list["facilities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == id)
        .cloned()
        .unwrap_or(Value::Null)
}

async fn admit(app: &TestApp, role: Role, facility: &str, body: Value) -> reqwest::Response {
    app.post_as(
        role,
        &format!("/api/v1/beds/facilities/{facility}/admissions"),
        &body,
    )
    .await
}

#[tokio::test]
async fn the_registry_is_kept_by_supervisors_and_admins_and_bad_fields_are_named() {
    // Arrange
    let app = app_with(|_| {}).await;
    provider(&app, "P-TEST").await;

    // Act + Assert: a provider twice is a 409; a bad kind is named.
    let again = app
        .post_as(
            Role::Admin,
            "/api/v1/beds/providers",
            &json!({ "id": "P-TEST", "name": "x", "kind": "ngo" }),
        )
        .await;
    json_of(again, 409, "provider twice").await;
    let bad = app
        .post_as(
            Role::Admin,
            "/api/v1/beds/providers",
            &json!({ "id": "P-X", "name": "x", "kind": "church" }),
        )
        .await;
    assert_eq!(json_of(bad, 422, "kind").await["error"]["field"], "kind");
    let base = json!({ "id": "F-1", "provider_id": "P-TEST", "name": "Centrul social",
        "kind": "shelter", "adult_places": 10, "child_places": 4, "stay_limit_days": 30,
        "address": "Strada Test 1", "lon": 21.22, "lat": 45.75, "phone": "0256 000 000" });
    for (field, value, named) in [
        ("kind", json!("hotel"), "kind"),
        ("adult_places", json!(-1), "adult_places"),
        ("child_places", json!(5000), "child_places"),
        ("stay_limit_days", json!(0), "stay_limit_days"),
        ("cold_extra_places", json!(3), "cold_extra_places"),
        ("provider_id", json!("P-NONE"), "provider_id"),
        ("lat", Value::Null, "lat"),
        ("phone", json!("abc"), "phone"),
        ("id", json!("a b"), "id"),
        ("name", json!(""), "name"),
    ] {
        let mut body = base.clone();
        body[field] = value;
        let r = app
            .post_as(Role::Supervisor, "/api/v1/beds/facilities", &body)
            .await;
        assert_eq!(
            json_of(r, 422, field).await["error"]["field"],
            named,
            "{field}"
        );
    }
    let created = json_of(
        app.post_as(Role::Admin, "/api/v1/beds/facilities", &base)
            .await,
        201,
        "create",
    )
    .await;
    assert_eq!(
        (
            created["free_adults"].as_i64(),
            created["free_children"].as_i64()
        ),
        (Some(10), Some(4))
    );
    let refused = app
        .post_as(Role::Dispatcher, "/api/v1/beds/facilities", &base)
        .await;
    json_of(refused, 403, "a dispatcher creates").await;
    json_of(
        app.post_as(Role::Supervisor, "/api/v1/beds/facilities", &base)
            .await,
        409,
        "twice",
    )
    .await;

    // Edit: fewer places, a new name; the version moves.
    let mut edit = base.clone();
    edit["name"] = json!("Centrul social de urgență");
    edit["adult_places"] = json!(8);
    let edited = json_of(
        put_as(&app, Role::Supervisor, "/api/v1/beds/facilities/F-1", &edit).await,
        200,
        "edit",
    )
    .await;
    assert_eq!(edited["name"], "Centrul social de urgență");
    assert_eq!(edited["free_adults"], 8);
    assert!(edited["version"].as_i64() > created["version"].as_i64());
    json_of(
        put_as(&app, Role::Supervisor, "/api/v1/beds/facilities/F-NONE", &json!({
            "provider_id": "P-TEST", "name": "x", "kind": "shelter", "adult_places": 1, "stay_limit_days": 1 })).await,
        404,
        "unknown",
    )
    .await;
    let read = json_of(
        app.get_as(Role::Emiu, "/api/v1/beds/facilities/F-1").await,
        200,
        "read",
    )
    .await;
    assert_eq!(read["address"], "Strada Test 1");
    let providers = json_of(
        app.get_as(Role::Dispatcher, "/api/v1/beds/providers").await,
        200,
        "providers",
    )
    .await;
    assert!(providers["providers"].to_string().contains("P-TEST"));
}

#[tokio::test]
async fn an_admission_counts_adults_and_children_apart_and_a_discharge_frees_its_place() {
    // Arrange: 2 adult places, 1 child place.
    let app = app_with(|_| {}).await;
    facility(
        &app,
        json!({ "id": "CR-1", "name": "Centrul de criză", "kind": "crisis", "adult_places": 2,
                "child_places": 1, "stay_limit_days": 30 }),
    )
    .await;

    // Act: a mother and her child.
    let first = json_of(
        admit(
            &app,
            Role::Dispatcher,
            "CR-1",
            json!({ "person": "M.P.", "adults": 1, "children": 1 }),
        )
        .await,
        201,
        "mother and child",
    )
    .await;

    // Assert: one adult place and no child place left; a second child does not fit, an adult
    // alone does.
    assert_eq!(
        (
            first["facility"]["free_adults"].as_i64(),
            first["facility"]["free_children"].as_i64()
        ),
        (Some(1), Some(0))
    );
    let leave = chrono::DateTime::parse_from_rfc3339(
        first["admission"]["expected_leave"].as_str().unwrap(),
    )
    .unwrap();
    let at =
        chrono::DateTime::parse_from_rfc3339(first["admission"]["admitted_at"].as_str().unwrap())
            .unwrap();
    assert_eq!(
        (leave - at).num_days(),
        30,
        "expected leave = the stay limit"
    );
    let no_child = admit(
        &app,
        Role::Dispatcher,
        "CR-1",
        json!({ "person": "I.D.", "adults": 1, "children": 1 }),
    )
    .await;
    assert_eq!(
        json_of(no_child, 409, "no child place").await["error"]["reason"],
        "no_free_place"
    );
    json_of(
        admit(&app, Role::Emiu, "CR-1", json!({ "person": "I.D." })).await,
        201,
        "an adult alone",
    )
    .await;
    let full = admit(&app, Role::Dispatcher, "CR-1", json!({ "person": "X" })).await;
    json_of(full, 409, "full").await;

    // Act: the mother and child leave.
    let id = first["admission"]["id"].as_str().unwrap();
    let path = format!("/api/v1/beds/admissions/{id}/discharge");
    let out = json_of(
        app.post_as(Role::Dispatcher, &path, &json!({})).await,
        200,
        "discharge",
    )
    .await;

    // Assert: the places are free again, and a second discharge changes nothing.
    assert_eq!(
        (
            out["facility"]["free_adults"].as_i64(),
            out["facility"]["free_children"].as_i64()
        ),
        (Some(1), Some(1))
    );
    let twice = json_of(
        app.post_as(Role::Supervisor, &path, &json!({})).await,
        200,
        "discharge twice",
    )
    .await;
    assert_eq!(
        twice["admission"]["discharged_at"],
        out["admission"]["discharged_at"]
    );
    assert_eq!(twice["admission"]["discharged_by"], "test-dispatcher");
    assert_eq!(twice["facility"]["free_adults"], 1);
    let list = json_of(
        app.get_as(Role::Dispatcher, "/api/v1/beds/facilities/CR-1/admissions")
            .await,
        200,
        "admissions",
    )
    .await;
    assert_eq!(list["admissions"].as_array().unwrap().len(), 1);

    // Bad input names its field.
    for (body, field) in [
        (json!({ "person": "" }), "person"),
        (json!({ "person": "1850101123456" }), "person"),
        (json!({ "person": "A", "adults": -1 }), "adults"),
        (json!({ "person": "A", "children": 99 }), "children"),
        (json!({ "person": "A", "item_id": "nu" }), "item_id"),
    ] {
        let r = admit(&app, Role::Dispatcher, "CR-1", body).await;
        assert_eq!(json_of(r, 422, field).await["error"]["field"], field);
    }
    json_of(
        admit(&app, Role::Dispatcher, "NONE", json!({ "person": "A" })).await,
        404,
        "unknown",
    )
    .await;
    json_of(
        app.post_as(
            Role::Dispatcher,
            "/api/v1/beds/admissions/nu/discharge",
            &json!({}),
        )
        .await,
        422,
        "bad id",
    )
    .await;
}

#[tokio::test]
async fn the_last_place_is_given_once_to_concurrent_requests() {
    // Arrange: one place.
    let app = app_with(|_| {}).await;
    facility(
        &app,
        json!({ "id": "LAST-1", "name": "Un loc", "kind": "shelter", "adult_places": 1, "stay_limit_days": 1 }),
    )
    .await;

    // Act: twelve admissions at once.
    let tries = (0..12).map(|n| {
        let app = &app;
        async move {
            admit(
                app,
                Role::Dispatcher,
                "LAST-1",
                json!({ "person": format!("P{n}") }),
            )
            .await
            .status()
            .as_u16()
        }
    });
    let statuses = futures_util::future::join_all(tries).await;

    // Assert: one 201, every other a 409; the place is taken once.
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 409).count(),
        11,
        "{statuses:?}"
    );
    let f = listed(&app, Role::Dispatcher, "LAST-1").await;
    assert_eq!(
        (f["taken_adults"].as_i64(), f["free_adults"].as_i64()),
        (Some(1), Some(0))
    );
}

#[tokio::test]
async fn overstays_are_listed() {
    // Arrange: an admission whose expected leave has passed (stored as it would be after days).
    let app = app_with(|_| {}).await;
    facility(
        &app,
        json!({ "id": "OV-1", "name": "Adăpost", "kind": "shelter", "adult_places": 5, "stay_limit_days": 2 }),
    )
    .await;
    let now = Utc::now();
    let old = AdmissionRecord {
        id: uuid::Uuid::now_v7(),
        facility_id: "OV-1".into(),
        person: "V.O.".into(),
        item_id: None,
        adults: 1,
        children: 0,
        admitted_at: now - chrono::Duration::days(3),
        expected_leave: now - chrono::Duration::days(1),
        admitted_by: "test".into(),
        discharged_at: None,
        discharged_by: None,
        arrived_at: Some(now - chrono::Duration::days(3)),
        arrived_by: Some("test".into()),
    };
    let done = BedsStore::admit(app.state.emergency.as_ref(), &old, &|_, _| true)
        .await
        .unwrap();
    assert!(matches!(done, Admitted::Done(_)));
    json_of(
        admit(&app, Role::Dispatcher, "OV-1", json!({ "person": "N.N." })).await,
        201,
        "fresh",
    )
    .await;

    // Act
    let over = json_of(
        app.get_as(Role::Dispatcher, "/api/v1/beds/overstays").await,
        200,
        "overstays",
    )
    .await;

    // Assert: only the one past its leave.
    let rows = over["admissions"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "{over}");
    assert_eq!(rows[0]["person"], "V.O.");
    assert_eq!(rows[0]["overstay"], true);
}

#[tokio::test]
async fn a_dv_shelters_address_is_shown_to_emiu_and_supervisors_never_to_a_dispatcher_a_driver_or_an_admin(
) {
    // Arrange
    let app = app_with(|_| {}).await;
    add_dv_shelter(&app, "DV-1", "Casa test", 4, 2).await;
    json_of(
        admit(
            &app,
            Role::Emiu,
            "DV-1",
            json!({ "person": "V.X.", "children": 1 }),
        )
        .await,
        201,
        "placement",
    )
    .await;

    // Assert: EMIU and the supervisor see it, and the person.
    for role in [Role::Emiu, Role::Supervisor] {
        let f = listed(&app, role, "DV-1").await;
        assert_eq!(
            f["address"], "Strada Ascunsă 7, Timișoara (fictiv)",
            "{role:?}"
        );
        assert_eq!(f["lon"], 21.21);
        let list = json_of(
            app.get_as(role, "/api/v1/beds/facilities/DV-1/admissions")
                .await,
            200,
            "admissions",
        )
        .await;
        assert_eq!(list["admissions"][0]["person"], "V.X.");
    }
    // A dispatcher and an admin see the places, never where or who.
    for role in [Role::Dispatcher, Role::Admin] {
        let f = listed(&app, role, "DV-1").await;
        assert_eq!(
            (f["address_withheld"].as_bool(), f["lon"].is_null()),
            (Some(true), true),
            "{role:?}"
        );
        assert_eq!(f["free_adults"], 3);
        for path in [
            "/api/v1/beds/facilities",
            "/api/v1/beds/facilities/DV-1",
            "/api/v1/beds/facilities/DV-1/admissions",
            "/api/v1/beds/overstays",
        ] {
            let body = app.get_as(role, path).await.text().await.unwrap();
            assert!(!body.contains("Ascunsă"), "{role:?} {path}: {body}");
            assert!(!body.contains("V.X."), "{role:?} {path}: {body}");
        }
        let r = admit(&app, role, "DV-1", json!({ "person": "A" })).await;
        json_of(r, 403, "a dispatcher places in a DV shelter").await;
    }
    // A driver reads nothing of the registry.
    for path in [
        "/api/v1/beds/facilities",
        "/api/v1/beds/facilities/DV-1",
        "/api/v1/beds/facilities/DV-1/admissions",
    ] {
        let r = app.get_as(Role::Driver, path).await;
        assert_eq!(r.status(), 403, "{path}");
        assert!(!r.text().await.unwrap().contains("Ascunsă"));
    }
    // An admin editing it back as shown keeps the address.
    let edit = json!({ "provider_id": "P-TEST", "name": "Casa test", "kind": "dv_shelter",
        "adult_places": 4, "child_places": 2, "stay_limit_days": 90, "address": "***" });
    json_of(
        put_as(&app, Role::Admin, "/api/v1/beds/facilities/DV-1", &edit).await,
        200,
        "admin edit",
    )
    .await;
    assert_eq!(
        listed(&app, Role::Emiu, "DV-1").await["address"],
        "Strada Ascunsă 7, Timișoara (fictiv)"
    );
}

#[tokio::test]
async fn the_supervisors_switch_turns_the_cold_weather_mode_on_and_night_shelters_open_their_extra_places(
) {
    // Arrange: 2 places and 3 more in cold weather.
    let app = app_with(|_| {}).await;
    night_shelter(&app, "NS-1", 2, 3, 21.22).await;
    let f = listed(&app, Role::Dispatcher, "NS-1").await;
    assert_eq!(
        (f["adult_places_now"].as_i64(), f["free_adults"].as_i64()),
        (Some(2), Some(2))
    );

    // Act + Assert: only a supervisor switches, and says why.
    let on = json!({ "mode": "on", "reason": "ger anunțat (test)" });
    json_of(
        put_as(&app, Role::Dispatcher, "/api/v1/beds/cold-weather", &on).await,
        403,
        "dispatcher",
    )
    .await;
    let no_reason = put_as(
        &app,
        Role::Supervisor,
        "/api/v1/beds/cold-weather",
        &json!({ "mode": "on", "reason": "" }),
    )
    .await;
    assert_eq!(
        json_of(no_reason, 422, "reason").await["error"]["field"],
        "reason"
    );
    let bad = put_as(
        &app,
        Role::Supervisor,
        "/api/v1/beds/cold-weather",
        &json!({ "mode": "maybe", "reason": "xyz" }),
    )
    .await;
    assert_eq!(json_of(bad, 422, "mode").await["error"]["field"], "mode");
    let state = json_of(
        put_as(&app, Role::Supervisor, "/api/v1/beds/cold-weather", &on).await,
        200,
        "on",
    )
    .await;
    assert_eq!(
        (state["on"].as_bool(), state["source"].as_str()),
        (Some(true), Some("switch"))
    );
    assert_eq!(state["set_by"], "test-supervisor");
    assert_eq!(state["reason"], "ger anunțat (test)");
    let f = listed(&app, Role::Dispatcher, "NS-1").await;
    assert_eq!(
        (f["adult_places_now"].as_i64(), f["free_adults"].as_i64()),
        (Some(5), Some(5))
    );
    for n in 0..5 {
        json_of(
            admit(
                &app,
                Role::Dispatcher,
                "NS-1",
                json!({ "person": format!("S{n}") }),
            )
            .await,
            201,
            "cold bed",
        )
        .await;
    }
    json_of(
        admit(&app, Role::Dispatcher, "NS-1", json!({ "person": "S5" })).await,
        409,
        "full",
    )
    .await;

    // Off again: the extra places close; nobody is put out, nobody new comes in.
    let off = json_of(
        put_as(
            &app,
            Role::Supervisor,
            "/api/v1/beds/cold-weather",
            &json!({ "mode": "off", "reason": "dezgheț (test)" }),
        )
        .await,
        200,
        "off",
    )
    .await;
    assert_eq!(off["on"], false);
    let f = listed(&app, Role::Dispatcher, "NS-1").await;
    assert_eq!(
        (f["taken_adults"].as_i64(), f["free_adults"].as_i64()),
        (Some(5), Some(0))
    );
}

#[tokio::test]
async fn the_rule_turns_the_mode_on_in_the_season_and_on_a_cold_reading() {
    // By the season: one that holds today.
    let today = Utc::now()
        .with_timezone(&chrono_tz::Europe::Bucharest)
        .date_naive();
    let season = today.format("%m-%d").to_string();
    let app = app_with(|c| {
        c.beds.cold_weather.from = season.clone();
        c.beds.cold_weather.to = season.clone();
    })
    .await;
    night_shelter(&app, "NS-S", 1, 4, 21.22).await;
    let state = json_of(
        app.get_as(Role::Emiu, "/api/v1/beds/cold-weather").await,
        200,
        "state",
    )
    .await;
    assert_eq!(
        (
            state["on"].as_bool(),
            state["source"].as_str(),
            state["mode"].as_str()
        ),
        (Some(true), Some("season"), Some("auto"))
    );
    assert_eq!(
        listed(&app, Role::Dispatcher, "NS-S").await["free_adults"],
        5
    );
    // The supervisor's `off` wins over the rule, `auto` gives it back.
    put_as(
        &app,
        Role::Supervisor,
        "/api/v1/beds/cold-weather",
        &json!({ "mode": "off", "reason": "test off" }),
    )
    .await;
    assert_eq!(
        listed(&app, Role::Dispatcher, "NS-S").await["free_adults"],
        1
    );
    put_as(
        &app,
        Role::Supervisor,
        "/api/v1/beds/cold-weather",
        &json!({ "mode": "auto", "reason": "test auto" }),
    )
    .await;
    assert_eq!(
        listed(&app, Role::Dispatcher, "NS-S").await["free_adults"],
        5
    );

    // By a temperature staff post.
    let app = app_with(|c| c.beds.cold_weather.below_celsius = Some(-5.0)).await;
    night_shelter(&app, "NS-T", 1, 2, 21.22).await;
    let mild = json_of(
        app.post_as(
            Role::Dispatcher,
            "/api/v1/beds/temperature",
            &json!({ "celsius": -2.0 }),
        )
        .await,
        201,
        "mild",
    )
    .await;
    assert_eq!(mild["on"], false);
    let bad = app
        .post_as(
            Role::Dispatcher,
            "/api/v1/beds/temperature",
            &json!({ "celsius": 99 }),
        )
        .await;
    assert_eq!(
        json_of(bad, 422, "celsius").await["error"]["field"],
        "celsius"
    );
    let cold = json_of(
        app.post_as(
            Role::Dispatcher,
            "/api/v1/beds/temperature",
            &json!({ "celsius": -8.5 }),
        )
        .await,
        201,
        "cold",
    )
    .await;
    assert_eq!(
        (
            cold["on"].as_bool(),
            cold["source"].as_str(),
            cold["celsius"].as_f64()
        ),
        (Some(true), Some("temperature"), Some(-8.5))
    );
    assert_eq!(
        listed(&app, Role::Dispatcher, "NS-T").await["free_adults"],
        3
    );
}

fn outreach_items(queue: &Value, call: &str) -> Vec<Value> {
    queue["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            if e.get("item").is_some() {
                e["item"].clone()
            } else {
                e.clone()
            }
        })
        .filter(|i| i["priority"]["rule"] == "beds-outreach" && i["details"]["related"] == call)
        .collect()
}

#[tokio::test]
async fn a_call_about_someone_sleeping_rough_becomes_an_outreach_item_in_cold_weather_and_its_bed_is_held(
) {
    // Arrange: two night shelters (the nearer one full), the street team's van, a call.
    let app = app_with(|_| {}).await;
    night_shelter(&app, "NS-NEAR", 1, 0, 21.2301).await;
    night_shelter(&app, "NS-FAR", 3, 2, 21.2600).await;
    json_of(
        admit(&app, Role::Dispatcher, "NS-NEAR", json!({ "person": "Z" })).await,
        201,
        "fill",
    )
    .await;
    json_of(
        app.post_as(
            Role::Supervisor,
            "/api/v1/resources",
            &json!({ "id": "STRADA-1", "kind": "vehicle", "name": "Echipa stradală" }),
        )
        .await,
        201,
        "the street team's van",
    )
    .await;
    let call = json_of(
        app.post_as(
            Role::Dispatcher,
            "/api/v1/calls",
            &json!({ "caller_number": "+40722000301", "category": "sleeping_rough", "immediate_danger": false,
                     "location": { "address": "Parcul Central, Timișoara", "lon": 21.2300, "lat": 45.7500 },
                     "notes": "persoană dormind pe bancă (fictiv)" }),
        )
        .await,
        201,
        "call",
    )
    .await;
    let call_id = call["id"].as_str().unwrap().to_owned();
    assert_eq!(call["priority"]["rule"], "call-sleeping-rough");

    // With the mode off, nothing is raised.
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert!(outreach_items(&app.queue().await, &call_id).is_empty());

    // Act: the supervisor turns the mode on.
    put_as(
        &app,
        Role::Supervisor,
        "/api/v1/beds/cold-weather",
        &json!({ "mode": "on", "reason": "ger (test)" }),
    )
    .await;
    let mut items = Vec::new();
    for _ in 0..50 {
        items = outreach_items(&app.queue().await, &call_id);
        if !items.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // Assert: one outreach item, P2, naming the nearest night shelter with a free bed.
    assert_eq!(items.len(), 1, "one outreach item");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        outreach_items(&app.queue().await, &call_id).len(),
        1,
        "still one"
    );
    let item = &items[0];
    assert_eq!(item["priority"]["level"], "P2");
    assert_eq!(item["details"]["code"], "outreach");
    let text = item["details"]["description"].as_str().unwrap();
    assert!(text.contains("Adăpost de noapte NS-FAR"), "{text}");
    let id = item["id"].as_str().unwrap();
    let view = json_of(
        app.get_as(Role::Dispatcher, &format!("/api/v1/beds/outreach/{id}"))
            .await,
        200,
        "outreach",
    )
    .await;
    assert_eq!(view["shelters"][0]["facility"]["id"], "NS-FAR");
    assert_eq!(view["shelters"][0]["facility"]["free_adults"], 5);
    assert!(view["shelters"][0]["distance_m"].as_f64().unwrap() > 2000.0);

    // Act: hold the bed and send the van.
    let held = json_of(
        app.post_as(
            Role::Dispatcher,
            &format!("/api/v1/beds/outreach/{id}/hold"),
            &json!({ "facility_id": "NS-FAR", "vehicle_id": "STRADA-1" }),
        )
        .await,
        201,
        "hold",
    )
    .await;

    // Assert: the bed is taken, the van assigned to the item, the note names the shelter.
    assert_eq!(held["facility"]["free_adults"], 4);
    assert_eq!(held["admission"]["item_id"], id);
    assert_eq!(held["item"]["assigned_to"], json!(["STRADA-1"]));
    assert!(held["item"]["notes"].to_string().contains("NS-FAR"));
    let view = json_of(
        app.get_as(Role::Dispatcher, &format!("/api/v1/beds/outreach/{id}"))
            .await,
        200,
        "outreach",
    )
    .await;
    assert_eq!(view["held"].as_array().unwrap().len(), 1);
    // The bed is held until the street team brings the person; then they are admitted (once).
    assert_eq!(held["admission"]["state"], "held");
    assert_eq!(held["admission"]["arrived_at"], Value::Null);
    assert_eq!(view["held"][0]["state"], "held");
    let admission = held["admission"]["id"].as_str().unwrap();
    let arrived_path = format!("/api/v1/beds/admissions/{admission}/arrived");
    let arrived = json_of(
        app.post_as(Role::Dispatcher, &arrived_path, &json!({}))
            .await,
        200,
        "arrived",
    )
    .await;
    assert_eq!(arrived["admission"]["state"], "admitted");
    assert!(arrived["admission"]["arrived_at"].is_string());
    assert_eq!(arrived["facility"]["free_adults"], 4, "still one bed taken");
    let twice = json_of(
        app.post_as(Role::Dispatcher, &arrived_path, &json!({}))
            .await,
        200,
        "arrived again",
    )
    .await;
    assert_eq!(
        twice["admission"]["arrived_at"],
        arrived["admission"]["arrived_at"]
    );
    // A busy van is refused and the bed given back.
    let again = app
        .post_as(
            Role::Dispatcher,
            &format!("/api/v1/beds/outreach/{id}/hold"),
            &json!({ "facility_id": "NS-FAR", "vehicle_id": "STRADA-1" }),
        )
        .await;
    assert_eq!(again.status(), 409);
    assert_eq!(
        listed(&app, Role::Dispatcher, "NS-FAR").await["free_adults"],
        4
    );
    // A second bed held without a vehicle and given back: released, and no longer arrivable.
    let second = json_of(
        app.post_as(
            Role::Dispatcher,
            &format!("/api/v1/beds/outreach/{id}/hold"),
            &json!({ "facility_id": "NS-FAR" }),
        )
        .await,
        201,
        "hold without a vehicle",
    )
    .await;
    let second_id = second["admission"]["id"].as_str().unwrap();
    let released = json_of(
        app.post_as(
            Role::Dispatcher,
            &format!("/api/v1/beds/admissions/{second_id}/discharge"),
            &json!({}),
        )
        .await,
        200,
        "release",
    )
    .await;
    assert_eq!(released["admission"]["state"], "released");
    let late = json_of(
        app.post_as(
            Role::Dispatcher,
            &format!("/api/v1/beds/admissions/{second_id}/arrived"),
            &json!({}),
        )
        .await,
        409,
        "arrived after release",
    )
    .await;
    assert_eq!(late["error"]["reason"], "released");
    let view = json_of(
        app.get_as(Role::Dispatcher, &format!("/api/v1/beds/outreach/{id}"))
            .await,
        200,
        "outreach",
    )
    .await;
    let states: Vec<&str> = view["held"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["state"].as_str().unwrap())
        .collect();
    // The first hold admitted; the bed given back after the busy van's 409; the second released.
    assert_eq!(states, ["admitted", "released", "released"]);
    let not_night = app
        .post_as(
            Role::Dispatcher,
            &format!("/api/v1/beds/outreach/{call_id}/hold"),
            &json!({ "facility_id": "NS-FAR" }),
        )
        .await;
    assert_eq!(
        json_of(not_night, 422, "a call is no outreach item").await["error"]["field"],
        "id"
    );
}

/// Every new route × every role: readers (dispatch roles and EMIU) read; supervisors and admins
/// keep the registry; only a supervisor switches the mode; staff post temperatures; dispatch
/// roles work outreach items; drivers and machines are refused; nobody without credentials.
#[tokio::test]
async fn the_role_matrix_holds_for_every_beds_route() {
    use Role::*;
    let app = app_with(|_| {}).await;
    night_shelter(&app, "NS-M", 500, 0, 21.22).await;
    put_as(
        &app,
        Supervisor,
        "/api/v1/beds/cold-weather",
        &json!({ "mode": "on", "reason": "matrice" }),
    )
    .await;
    let call = json_of(
        app.post_as(Dispatcher, "/api/v1/calls", &json!({ "caller_number": "+40722000302", "category": "sleeping_rough",
            "immediate_danger": false, "location": { "address": "Piața Unirii", "lon": 21.229, "lat": 45.757 } })).await,
        201,
        "call",
    )
    .await;
    let call_id = call["id"].as_str().unwrap().to_owned();
    let mut outreach = String::new();
    for _ in 0..50 {
        if let Some(i) = outreach_items(&app.queue().await, &call_id).first() {
            outreach = i["id"].as_str().unwrap().to_owned();
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(!outreach.is_empty());
    let readers = [Dispatcher, Supervisor, Admin, Emiu];
    let keepers = [Supervisor, Admin];
    let dispatch = [Dispatcher, Supervisor, Admin];
    let mut n = 0;
    for role in Role::ALL {
        n += 1;
        let admission = BedsStore::admit(
            app.state.emergency.as_ref(),
            &AdmissionRecord {
                id: uuid::Uuid::now_v7(),
                facility_id: "NS-M".into(),
                person: "M".into(),
                item_id: None,
                adults: 1,
                children: 0,
                admitted_at: Utc::now(),
                expected_leave: Utc::now(),
                admitted_by: "t".into(),
                discharged_at: None,
                discharged_by: None,
                arrived_at: None,
                arrived_by: None,
            },
            &|_, _| true,
        )
        .await
        .unwrap();
        let Admitted::Done(admission) = admission else {
            panic!("admitted")
        };
        let rows: Vec<(reqwest::Method, String, Value, &[Role], u16)> = vec![
            (
                reqwest::Method::GET,
                "/api/v1/beds/providers".into(),
                Value::Null,
                &readers,
                200,
            ),
            (
                reqwest::Method::POST,
                "/api/v1/beds/providers".into(),
                json!({ "id": format!("PM-{n}"), "name": "x", "kind": "ngo" }),
                &keepers,
                201,
            ),
            (
                reqwest::Method::PUT,
                "/api/v1/beds/providers/P-TEST".into(),
                json!({ "name": "Furnizor", "kind": "das" }),
                &keepers,
                200,
            ),
            (
                reqwest::Method::GET,
                "/api/v1/beds/facilities".into(),
                Value::Null,
                &readers,
                200,
            ),
            (
                reqwest::Method::POST,
                "/api/v1/beds/facilities".into(),
                json!({ "id": format!("FM-{n}"), "provider_id": "P-TEST", "name": "x", "kind": "shelter", "adult_places": 1, "stay_limit_days": 1 }),
                &keepers,
                201,
            ),
            (
                reqwest::Method::GET,
                "/api/v1/beds/facilities/NS-M".into(),
                Value::Null,
                &readers,
                200,
            ),
            (
                reqwest::Method::PUT,
                "/api/v1/beds/facilities/NS-M".into(),
                json!({ "provider_id": "P-TEST", "name": "Adăpost de noapte NS-M", "kind": "night_shelter", "adult_places": 500, "stay_limit_days": 1, "lon": 21.22, "lat": 45.75 }),
                &keepers,
                200,
            ),
            (
                reqwest::Method::GET,
                "/api/v1/beds/facilities/NS-M/admissions".into(),
                Value::Null,
                &readers,
                200,
            ),
            (
                reqwest::Method::POST,
                "/api/v1/beds/facilities/NS-M/admissions".into(),
                json!({ "person": "R" }),
                &readers,
                201,
            ),
            (
                reqwest::Method::POST,
                format!("/api/v1/beds/admissions/{}/arrived", admission.id),
                json!({}),
                &readers,
                200,
            ),
            (
                reqwest::Method::POST,
                format!("/api/v1/beds/admissions/{}/discharge", admission.id),
                json!({}),
                &readers,
                200,
            ),
            (
                reqwest::Method::GET,
                "/api/v1/beds/overstays".into(),
                Value::Null,
                &readers,
                200,
            ),
            (
                reqwest::Method::GET,
                "/api/v1/beds/cold-weather".into(),
                Value::Null,
                &readers,
                200,
            ),
            (
                reqwest::Method::PUT,
                "/api/v1/beds/cold-weather".into(),
                json!({ "mode": "on", "reason": "matrice" }),
                &[Supervisor],
                200,
            ),
            (
                reqwest::Method::POST,
                "/api/v1/beds/temperature".into(),
                json!({ "celsius": 1.0 }),
                &dispatch,
                201,
            ),
            (
                reqwest::Method::GET,
                format!("/api/v1/beds/outreach/{outreach}"),
                Value::Null,
                &dispatch,
                200,
            ),
            (
                reqwest::Method::POST,
                format!("/api/v1/beds/outreach/{outreach}/hold"),
                json!({ "facility_id": "NS-M" }),
                &dispatch,
                201,
            ),
        ];
        for (method, path, body, allowed, ok) in rows {
            let mut req = app
                .client
                .request(method.clone(), format!("{}{path}", app.address))
                .bearer_auth(app.token(role));
            if !body.is_null() {
                req = req.json(&body);
            }
            let r = req.send().await.unwrap();
            let expected = if allowed.contains(&role) { ok } else { 403 };
            let status = r.status().as_u16();
            assert_eq!(
                status,
                expected,
                "{method} {path} as {}: {}",
                role.as_str(),
                r.text().await.unwrap()
            );
            if role == Dispatcher {
                let anon = app
                    .client
                    .request(method.clone(), format!("{}{path}", app.address))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(anon.status(), 401, "{method} {path} without credentials");
            }
        }
    }
}
