//! Two instances on one PostgreSQL database with Redis fan-out. Needs
//! `DISPECER_TEST_POSTGRES_URL` and `DISPECER_TEST_REDIS_URL`; without them the tests say so and
//! return (CI always sets them, and `.ci/run` fails when the services are unreachable).

use dispecer::access::Role;
use dispecer::config::BusBackend;
use serde_json::{json, Value};

use crate::helpers::{alarm, fresh_postgres_database, spawn_sharing, test_config, TestApp};

fn urls() -> Option<(String, String)> {
    match (
        std::env::var("DISPECER_TEST_POSTGRES_URL"),
        std::env::var("DISPECER_TEST_REDIS_URL"),
    ) {
        (Ok(pg), Ok(redis)) => Some((pg, redis)),
        _ => {
            eprintln!(
                "SKIPPED: set DISPECER_TEST_POSTGRES_URL and DISPECER_TEST_REDIS_URL to run the \
                 two-instance tests"
            );
            None
        }
    }
}

/// Two instances sharing one fresh database; `redis` may point nowhere to test the fallback.
async fn two_instances(pg: &str, redis: &str) -> (TestApp, TestApp) {
    let db = fresh_postgres_database(pg).await;
    let channel = format!("dispecer-test:{}", uuid::Uuid::now_v7().simple());
    let mut apps = Vec::new();
    for name in ["a", "b"] {
        let (mut config, _) = test_config().await;
        config.store.url = db.clone().into();
        config.store.max_connections = 4;
        config.bus.backend = BusBackend::Redis;
        config.bus.redis_url = redis.to_owned().into();
        config.bus.channel = channel.clone();
        config.bus.poll_interval_ms = 500;
        config.server.instance = name.into();
        let first: Option<&TestApp> = apps.first();
        let tokens = first.map(|a| a.tokens.clone());
        apps.push(spawn_sharing(config, None, tokens.as_ref()).await);
    }
    let b = apps.pop().unwrap();
    let a = apps.pop().unwrap();
    (a, b)
}

async fn created_ids(ws: &mut crate::helpers::WsClient, n: usize) -> Vec<String> {
    let mut ids = Vec::new();
    let mut last = None;
    while ids.len() < n {
        let m = ws.next_json().await;
        if let Some(prev) = last {
            assert_eq!(m["seq"].as_i64().unwrap(), prev + 1, "gap or repeat: {m}");
        }
        last = m["seq"].as_i64();
        if m["event"]["type"] == "item_created" {
            ids.push(m["event"]["item"]["id"].as_str().unwrap().to_owned());
        }
    }
    ids
}

#[tokio::test]
async fn an_alert_posted_to_one_instance_appears_on_the_others_websocket_in_the_same_order() {
    let Some((pg, redis)) = urls() else { return };
    let (a, b) = two_instances(&pg, &redis).await;
    let mut wa = a.ws_connect(None).await;
    let mut wb = b.ws_connect(None).await;
    wa.next_json().await;
    wb.next_json().await;

    // Alternate instances, and race some posts.
    let mut posted = Vec::new();
    for i in 0..10 {
        let app = if i % 2 == 0 { &a } else { &b };
        posted.push(app.new_alert(&format!("TA-{i}"), "fall").await);
    }
    let (bx, by) = (alarm("TA-X", "button", "x"), alarm("TA-Y", "button", "y"));
    let (x, y) = tokio::join!(a.post_alert(&bx), b.post_alert(&by));
    assert_eq!((x.status().as_u16(), y.status().as_u16()), (201, 201));

    let seen_a = created_ids(&mut wa, 12).await;
    let seen_b = created_ids(&mut wb, 12).await;
    assert_eq!(seen_a, seen_b, "both instances push the same order");
    assert_eq!(&seen_a[..10], &posted[..]);
}

#[tokio::test]
async fn two_dispatchers_on_two_instances_cannot_assign_the_same_van() {
    let Some((pg, redis)) = urls() else { return };
    let (a, b) = two_instances(&pg, &redis).await;
    let r = a
        .post_as(
            Role::Supervisor,
            "/api/v1/resources",
            &json!({ "id": "VAN-07", "kind": "vehicle", "name": "Van", "seats": 4, "wheelchair_places": 2 }),
        )
        .await;
    assert_eq!(r.status(), 201);
    let i1 = a.new_alert("TA-1", "fall").await;
    let i2 = b.new_alert("TA-2", "fall").await;
    assert_eq!(a.act(&i1, "acknowledge", json!({})).await.status(), 200);
    assert_eq!(b.act(&i2, "acknowledge", json!({})).await.status(), 200);

    let body = json!({ "resources": ["VAN-07"] });
    let (r1, r2) = tokio::join!(
        a.act(&i1, "assign", body.clone()),
        b.act(&i2, "assign", body.clone())
    );
    let mut statuses = [r1.status().as_u16(), r2.status().as_u16()];
    statuses.sort();
    assert_eq!(statuses, [200, 409]);
}

#[tokio::test]
async fn without_redis_an_instance_still_catches_up_from_storage() {
    let Some((pg, _)) = urls() else { return };
    // Port 1 refuses connections: the bus is down from the start.
    let (a, b) = two_instances(&pg, "redis://127.0.0.1:1").await;
    let mut wb = b.ws_connect(None).await;
    wb.next_json().await;
    let id = a.new_alert("TA-1", "smoke").await;
    let m = wb.wait_for("item_created").await;
    assert_eq!(m["event"]["item"]["id"], id.as_str());
    let ready: Value = b
        .get_as(Role::Dispatcher, "/readyz")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(ready["bus"], "degraded");
}

/// A call carded on `app` and closed with advice; its id.
async fn closed_call(app: &TestApp, number: &str) -> String {
    let r = app
        .post_as(
            Role::Telephony,
            "/api/v1/calls",
            &json!({ "caller_number": number, "category": "neglect", "immediate_danger": false, "notes": "nota MI-SECRET" }),
        )
        .await;
    assert_eq!(r.status(), 201);
    let id = r.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(app.act(&id, "acknowledge", json!({})).await.status(), 200);
    let r = app
        .act(&id, "close", json!({ "outcome": "advice_given" }))
        .await;
    assert_eq!(r.status(), 200);
    id
}

/// The item as a supervisor of `app` reads it.
async fn item_of(app: &TestApp, id: &str) -> Value {
    let v: Value = app
        .get_as(Role::Supervisor, &format!("/api/v1/items/{id}"))
        .await
        .json()
        .await
        .unwrap();
    v["item"].clone()
}

#[tokio::test]
async fn a_purge_on_one_instance_removes_the_personal_data_from_the_others_memory_and_console() {
    // Arrange: a closed call, seen in full on the other instance, whose console is open.
    let Some((pg, redis)) = urls() else { return };
    let (a, b) = two_instances(&pg, &redis).await;
    let mut wb = b.ws_connect(None).await;
    wb.next_json().await;
    let id = closed_call(&a, "+40711000901").await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while item_of(&b, &id).await["details"]["caller_number"] != "+40711000901" {
        assert!(std::time::Instant::now() < deadline, "b never saw the call");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }

    // Act: the purge runs on `a`, as of six years later.
    let later = chrono::Utc::now() + chrono::Duration::days(6 * 366);
    let rows = dispecer::cli::retention::purge_at(&a.state, later, "test", false)
        .await
        .unwrap();

    // Assert: `b` folds the purge from the bus (it writes nothing itself) and its console gets
    // the redacted copy, then the event.
    assert_eq!(
        rows.iter()
            .find(|r| r.kind == "closed_items")
            .unwrap()
            .removed,
        1
    );
    let copy = loop {
        let m = wb.next_json().await;
        if m["type"] == "item" && m["item"]["id"] == id.as_str() {
            break m;
        }
    };
    assert!(!copy.to_string().contains("+40711000901"), "{copy}");
    let ev = wb.wait_for("item_purged").await;
    assert_eq!(ev["event"]["item_id"], id.as_str());
    let there = item_of(&b, &id).await;
    assert_eq!(there["details"]["caller_number"], "***", "{there}");
    assert!(!there.to_string().contains("MI-SECRET"), "{there}");
    assert_eq!(there["outcome"], "advice_given");
}
