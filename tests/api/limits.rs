//! Limits: body size, the intake rate per credential (P1 accepted and flagged over it), the
//! websocket message size, and the client that stops reading.

use dispecer::access::Role;
use dispecer::web::auth::{new_token, token_hash};
use futures_util::SinkExt;
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

use crate::helpers::{alarm, spawn_with, test_config, TestApp};

/// A server whose credentials may each send `burst` intake requests, then one a minute.
async fn spawn_limited(burst: u32) -> TestApp {
    let (mut config, dir) = test_config().await;
    config.limits.intake_per_minute = 1;
    config.limits.intake_burst = burst;
    spawn_with(config, dir).await
}

fn call(category: &str, immediate_danger: bool) -> Value {
    json!({
        "caller_number": "0256 123 456",
        "category": category,
        "immediate_danger": immediate_danger,
    })
}

async fn error_of(r: reqwest::Response) -> Value {
    let body: Value = r.json().await.expect("a JSON error body");
    body["error"].clone()
}

#[tokio::test]
async fn a_body_over_the_limit_is_refused_with_413_and_the_json_error() {
    // Arrange: a syntactically fine call card whose notes make it 80 KiB (limit: 64 KiB).
    let app = crate::helpers::spawn_app().await;
    let mut body = call("information", false);
    body["notes"] = json!("x".repeat(80 * 1024));

    // Act
    let r = app.post_as(Role::Dispatcher, "/api/v1/calls", &body).await;

    // Assert
    assert_eq!(r.status(), 413);
    let error = error_of(r).await;
    assert_eq!(error["code"], "too_large");
    assert!(error["message"].as_str().unwrap().contains("65536"));
    assert!(app.queue().await["items"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn a_body_over_the_configured_limit_is_refused_on_every_json_endpoint() {
    let (mut config, dir) = test_config().await;
    config.server.max_body_bytes = 2048;
    let app = spawn_with(config, dir).await;
    let item = app.new_alert("TA-1", "fall").await;
    let note = json!({ "text": "n".repeat(3000) });

    let r = app.act(&item, "notes", note).await;

    assert_eq!(r.status(), 413);
    assert_eq!(error_of(r).await["code"], "too_large");
    // A note under the limit still goes through.
    let r = app.act(&item, "notes", json!({ "text": "ok" })).await;
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn a_credential_over_its_rate_gets_429_with_retry_after_and_nothing_is_stored() {
    // Arrange
    let app = spawn_limited(3).await;
    for i in 0..3 {
        let r = app
            .post_alert(&alarm(&format!("TA-{i}"), "low_battery", "1"))
            .await;
        assert_eq!(r.status(), 201);
    }

    // Act
    let r = app.post_alert(&alarm("TA-9", "low_battery", "1")).await;

    // Assert
    assert_eq!(r.status(), 429);
    let retry: u64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry), "Retry-After {retry}");
    assert_eq!(error_of(r).await["code"], "rate_limited");
    let queue = app.queue().await;
    assert_eq!(queue["items"].as_array().unwrap().len(), 3);
}

/// The item an intake answer (an alarm's receipt, a call card) names, as a dispatcher reads it.
async fn item_of(app: &TestApp, answer: reqwest::Response) -> Value {
    let answer: Value = answer.json().await.unwrap();
    let id = answer["id"].as_str().unwrap();
    let shown: Value = app
        .get_as(Role::Dispatcher, &format!("/api/v1/items/{id}"))
        .await
        .json()
        .await
        .unwrap();
    shown["item"].clone()
}

#[tokio::test]
async fn p1_items_over_the_limit_are_accepted_and_flagged_rate_limited() {
    // Arrange: the receiver and the telephony credential each spend their one token.
    let app = spawn_limited(1).await;
    let r = app.post_alert(&alarm("TA-1", "low_battery", "1")).await;
    assert_eq!(r.status(), 201);
    let first = item_of(&app, r).await;
    assert!(
        first.get("rate_limited").is_none(),
        "within the limit: not flagged: {first}"
    );
    let r = app
        .post_as(Role::Telephony, "/api/v1/calls", &call("other", false))
        .await;
    assert_eq!(r.status(), 201);

    // Act: over the limit, a fall alarm and a call with someone in immediate danger (P1) and,
    // for contrast, a routine call.
    let fall = app.post_alert(&alarm("TA-2", "fall", "1")).await;
    let danger = app
        .post_as(Role::Telephony, "/api/v1/calls", &call("abuse", true))
        .await;
    let routine = app
        .post_as(
            Role::Telephony,
            "/api/v1/calls",
            &call("information", false),
        )
        .await;

    // Assert
    assert_eq!(fall.status(), 201);
    assert_eq!(danger.status(), 201);
    assert_eq!(routine.status(), 429);
    for r in [fall, danger] {
        // The flag is stored with the item: the dispatcher sees it in the item and the queue.
        let item = item_of(&app, r).await;
        assert_eq!(item["priority"]["level"], "P1");
        assert_eq!(item["rate_limited"], true);
    }
    let queue = app.queue().await;
    let flagged = queue["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["item"]["rate_limited"] == true)
        .count();
    assert_eq!(flagged, 2);
}

#[tokio::test]
async fn a_receiver_gone_mad_does_not_starve_another_receiver() {
    // Arrange: a second alarm receiver beside the helper's.
    let app = spawn_limited(5).await;
    let calm = new_token();
    app.state
        .store
        .put_credential("receiver-calm", "receiver", &token_hash(&calm))
        .await
        .unwrap();

    // Act: the mad one floods until refused.
    let mut refused = 0;
    for i in 0..20 {
        let r = app
            .post_alert(&alarm(&format!("TA-M{i}"), "missed_checkin", "1"))
            .await;
        if r.status() == 429 {
            refused += 1;
        }
    }
    let r = app
        .client
        .post(format!("{}/api/v1/alerts", app.address))
        .bearer_auth(&calm)
        .json(&alarm("TA-C1", "missed_checkin", "1"))
        .send()
        .await
        .unwrap();

    // Assert
    assert_eq!(refused, 15);
    assert_eq!(r.status(), 201);
}

#[tokio::test]
async fn a_websocket_message_over_the_limit_ends_the_connection() {
    // Arrange
    let (mut config, dir) = test_config().await;
    config.limits.ws_max_message_bytes = 1024;
    let app = spawn_with(config, dir).await;
    let mut ws = app.ws_connect(None).await;
    ws.next_json().await;
    ws.send_json(json!({ "type": "ping" })).await;
    assert_eq!(ws.next_json().await["type"], "pong");

    // Act: 4 KiB in one message.
    let big = json!({ "type": "ping", "pad": "p".repeat(4096) }).to_string();
    let _ = ws.socket.send(Message::Text(big.into())).await;

    // Assert: the server closes the connection instead of answering.
    let next = ws.try_next_json(std::time::Duration::from_secs(5)).await;
    assert!(
        next.is_none(),
        "expected the connection to end, got {next:?}"
    );
}

/// The value of a Prometheus counter, summed over its labels (0 when absent).
async fn counter(app: &TestApp, name: &str) -> f64 {
    let text = app
        .client
        .get(format!("{}/metrics", app.address))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    text.lines()
        .filter(|l| l.starts_with(name))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

#[tokio::test]
async fn a_websocket_client_that_does_not_read_is_dropped_and_the_others_get_everything() {
    // Arrange: a short send timeout; one client that reads, one that never does, with a
    // small receive buffer so that its socket fills after a few hundred KiB.
    let (mut config, dir) = test_config().await;
    config.limits.ws_send_timeout_ms = 300;
    config.limits.intake_burst = 100_000;
    let app = spawn_with(config, dir).await;
    let mut reader = app.ws_connect(None).await;
    reader.next_json().await;
    let url = format!(
        "{}/ws?access_token={}",
        app.address.replacen("http", "ws", 1),
        app.token(Role::Dispatcher)
    );
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let stream = socket
        .connect(app.address.trim_start_matches("http://").parse().unwrap())
        .await
        .unwrap();
    let stream = tokio_tungstenite::MaybeTlsStream::Plain(stream);
    let (idle, _) = tokio_tungstenite::client_async(url.as_str(), stream)
        .await
        .expect("websocket handshake");

    // Act: call cards with 3.9 KB of notes each, 40 at a time, until the server gives up on the
    // idle client (bounded: at most 4,000 cards, about 16 MB). The reading client reads as it
    // goes.
    let mut card = call("information", false);
    card["notes"] = json!("a".repeat(3900));
    let mut sent = 0;
    // Metrics are process-wide: compare with the count before.
    let before = counter(&app, "dispecer_ws_clients_dropped_total").await;
    while counter(&app, "dispecer_ws_clients_dropped_total").await <= before {
        assert!(sent < 4000, "the idle client was never dropped");
        let posts: Vec<_> = (0..40)
            .map(|_| app.post_as(Role::Dispatcher, "/api/v1/calls", &card))
            .collect();
        for r in futures_util::future::join_all(posts).await {
            assert_eq!(r.status(), 201);
        }
        sent += 40;
        // Assert (as we go): the reading client gets every card, unhindered.
        let mut created = 0;
        while created < 40 {
            let m = reader.next_json().await;
            if m["event"]["type"] == "item_created" {
                created += 1;
            }
        }
    }

    // Assert: the idle client's connection was closed by the server: after what the buffers
    // held, the stream ends before it has seen every card.
    let mut idle = crate::helpers::WsClient { socket: idle };
    let mut created = 0;
    while let Some(m) = idle.try_next_json(std::time::Duration::from_secs(5)).await {
        if m["event"]["type"] == "item_created" {
            created += 1;
        }
    }
    eprintln!("idle client dropped after {sent} cards; it had received {created}");
    assert!(
        created < sent,
        "the idle client got everything: it was not dropped"
    );
}
