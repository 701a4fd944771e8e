//! Live push: snapshot, ordered events, reconnect with the last sequence number.

use serde_json::{json, Value};

use crate::helpers::{alarm, spawn_app};

#[tokio::test]
async fn a_client_gets_a_snapshot_then_every_change_in_full() {
    let app = spawn_app().await;
    let existing = app.new_alert("TA-1", "fall").await;

    let mut ws = app.ws_connect(None).await;
    let snapshot = ws.next_json().await;
    assert_eq!(snapshot["type"], "snapshot");
    let seq = snapshot["seq"].as_i64().unwrap();
    assert!(seq >= 1);
    assert_eq!(snapshot["items"][0]["id"], existing.as_str());

    let id = app.new_alert("TA-2", "button").await;
    let created = ws.wait_for("item_created").await;
    // The whole item travels with the event: no id to fetch again.
    assert_eq!(created["event"]["item"]["id"], id.as_str());
    assert_eq!(created["event"]["item"]["priority"]["level"], "P1");
    assert!(created["seq"].as_i64().unwrap() > seq);

    app.act(&id, "acknowledge", json!({})).await;
    let ack = ws.wait_for("acknowledged").await;
    assert_eq!(ack["event"]["item_id"], id.as_str());
    assert_eq!(ack["event"]["by"], "test-dispatcher");
    assert_eq!(ack["actor"], "test-dispatcher");
}

#[tokio::test]
async fn events_arrive_in_sequence_without_gaps() {
    let app = spawn_app().await;
    let mut ws = app.ws_connect(None).await;
    let mut last = ws.next_json().await["seq"].as_i64().unwrap();
    for i in 0..30 {
        app.post_alert(&alarm(&format!("TA-{i}"), "fall", "1"))
            .await;
    }
    let mut created = 0;
    while created < 30 {
        let m = ws.next_json().await;
        let seq = m["seq"].as_i64().unwrap();
        assert_eq!(seq, last + 1, "gap or repeat after {last}: {m}");
        last = seq;
        if m["event"]["type"] == "item_created" {
            created += 1;
        }
    }
}

#[tokio::test]
async fn a_client_that_reconnects_with_its_sequence_gets_exactly_what_it_missed() {
    // Arrange: a client sees two alerts, then drops.
    let app = spawn_app().await;
    let mut ws = app.ws_connect(None).await;
    let mut last = ws.next_json().await["seq"].as_i64().unwrap();
    for i in 0..2 {
        app.new_alert(&format!("TA-A{i}"), "fall").await;
    }
    let mut seen = 0;
    while seen < 2 {
        let m = ws.next_json().await;
        last = m["seq"].as_i64().unwrap();
        if m["event"]["type"] == "item_created" {
            seen += 1;
        }
    }
    drop(ws);
    // Things happen while it is away.
    let mut missed = Vec::new();
    for i in 0..3 {
        missed.push(app.new_alert(&format!("TA-B{i}"), "button").await);
    }
    // Each 201 came after its commit, so the queue's seq already counts every missed event.
    let total = app.queue().await["seq"].as_i64().unwrap();

    // Act
    let mut again = app.ws_connect(Some(last)).await;

    // Assert: the events after `last`, each once, in order, then live ones.
    let mut got = Vec::new();
    let mut expect = last + 1;
    while expect <= total {
        let m = again.next_json().await;
        assert_eq!(m["type"], "event", "expected a replay, got {m}");
        assert_eq!(m["seq"].as_i64().unwrap(), expect);
        if m["event"]["type"] == "item_created" {
            got.push(m["event"]["item"]["id"].as_str().unwrap().to_owned());
        }
        expect += 1;
    }
    assert_eq!(got, missed);
    let live = app.new_alert("TA-C", "smoke").await;
    let m = again.wait_for("item_created").await;
    assert_eq!(m["event"]["item"]["id"], live.as_str());
}

#[tokio::test]
async fn a_client_too_far_ahead_gets_a_fresh_snapshot() {
    let app = spawn_app().await;
    app.new_alert("TA-1", "fall").await;
    let mut ws = app.ws_connect(Some(1_000_000)).await;
    let m = ws.next_json().await;
    assert_eq!(m["type"], "snapshot");
    assert_eq!(m["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn two_consoles_see_each_others_actions_in_the_same_order() {
    let app = spawn_app().await;
    let mut a = app.ws_connect(None).await;
    let mut b = app.ws_connect(None).await;
    a.next_json().await;
    b.next_json().await;
    let id = app.new_alert("TA-1", "fall").await;
    app.act(&id, "acknowledge", json!({})).await;
    app.act(&id, "notes", json!({ "text": "sunat beneficiarul" }))
        .await;
    let mut seqs_a = Vec::new();
    let mut seqs_b = Vec::new();
    for (ws, seqs) in [(&mut a, &mut seqs_a), (&mut b, &mut seqs_b)] {
        loop {
            let m: Value = ws.next_json().await;
            seqs.push((
                m["seq"].as_i64().unwrap(),
                m["event"]["type"].as_str().unwrap().to_owned(),
            ));
            if m["event"]["type"] == "note_added" {
                break;
            }
        }
    }
    assert_eq!(seqs_a, seqs_b);
}

#[tokio::test]
async fn the_websocket_answers_pings_and_refuses_unknown_messages() {
    let app = spawn_app().await;
    let mut ws = app.ws_connect(None).await;
    ws.next_json().await;
    ws.send_json(json!({ "type": "ping" })).await;
    assert_eq!(ws.next_json().await["type"], "pong");
    ws.send_json(json!({ "type": "drop_tables" })).await;
    assert_eq!(ws.next_json().await["type"], "error");
}

#[tokio::test]
async fn a_client_that_does_not_read_slows_nobody_and_later_gets_every_event_in_order() {
    // Arrange: a small per-client buffer, so the idle client lags for sure.
    let (mut config, dir) = crate::helpers::test_config().await;
    config.core.client_buffer = 64;
    let app = crate::helpers::spawn_with(config, dir).await;
    let mut idle = app.ws_connect_small_buffer().await;
    let first = idle.next_json().await["seq"].as_i64().unwrap();
    let mut reader = app.ws_connect(None).await;
    reader.next_json().await;

    // Act: 400 alerts while `idle` reads nothing.
    let mut posts = Vec::new();
    for i in 0..400 {
        let body = alarm(&format!("TA-S{i}"), "button", "s");
        let (client, url, token) = (
            app.client.clone(),
            format!("{}/api/v1/alerts", app.address),
            app.token(dispecer::access::Role::Receiver).to_owned(),
        );
        posts.push(tokio::spawn(async move {
            client
                .post(url)
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .unwrap()
                .status()
        }));
    }
    for p in posts {
        assert_eq!(p.await.unwrap(), 201);
    }

    // Assert: the reading client got all 400 promptly...
    let mut created = 0;
    while created < 400 {
        let m = reader.next_json().await;
        if m["event"]["type"] == "item_created" {
            created += 1;
        }
    }
    // ...and the idle one, once it reads, gets every event after its snapshot, in order, once
    // (replayed from the log where it lagged behind the live stream).
    let mut last = first;
    let mut idle_created = 0;
    while idle_created < 400 {
        let m = idle.next_json().await;
        let seq = m["seq"].as_i64().unwrap();
        assert_eq!(seq, last + 1, "gap or repeat after {last}");
        last = seq;
        if m["event"]["type"] == "item_created" {
            idle_created += 1;
        }
    }
    let metrics = app
        .client
        .get(format!("{}/metrics", app.address))
        .send()
        .await
        .unwrap();
    let text = metrics.text().await.unwrap();
    eprintln!(
        "{}",
        text.lines()
            .filter(|l| l.contains("lagged"))
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert!(
        text.contains("dispecer_ws_lagged_total"),
        "the idle client should have lagged"
    );
}

#[tokio::test]
async fn an_absurd_after_seq_gets_a_fresh_snapshot() {
    // Arrange: i64::MIN once overflowed the "how far behind" subtraction and killed the task.
    let app = spawn_app().await;
    app.new_alert("TA-1", "fall").await;

    // Act
    let mut ws = app.ws_connect(Some(i64::MIN)).await;

    // Assert
    let first = ws.next_json().await;
    assert_eq!(first["type"], "snapshot");
    assert_eq!(first["items"].as_array().unwrap().len(), 1);
}
