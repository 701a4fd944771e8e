//! Queue order, explanations, deadlines.

use serde_json::Value;
use std::time::Duration;

use crate::helpers::{alarm, spawn_with, test_config};

#[tokio::test]
async fn the_queue_orders_by_level_then_deadline_then_arrival_and_explains_why() {
    let app = crate::helpers::spawn_app().await;
    let low = app.new_alert("TA-1", "low_battery").await; // P3
    let p2 = app.new_alert("TA-2", "inactivity").await; // P2
    let p1a = app.new_alert("TA-3", "fall").await; // P1
    let p1b = app.new_alert("TA-4", "button").await; // P1, later deadline

    let queue = app.queue().await;
    let items = queue["items"].as_array().unwrap();
    let order: Vec<&str> = items
        .iter()
        .map(|e| e["item"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        order,
        vec![p1a.as_str(), p1b.as_str(), p2.as_str(), low.as_str()]
    );

    assert_eq!(items[0]["position"], 1);
    assert_eq!(items[0]["explanation"]["rule"], "teleasistenta-life");
    assert!(items[0]["explanation"]["level_reason"]
        .as_str()
        .unwrap()
        .contains("alarm type fall"));
    assert!(items[1]["explanation"]["position_reason"]
        .as_str()
        .unwrap()
        .contains("earlier deadline"));
    assert!(items[2]["explanation"]["position_reason"]
        .as_str()
        .unwrap()
        .contains("higher level P1"));
    // The item endpoint carries the same explanation.
    let detail: Value = app
        .get_as(
            dispecer::access::Role::Dispatcher,
            &format!("/api/v1/items/{low}"),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(detail["queue"]["position"], 4);
    assert_eq!(
        detail["item"]["priority"]["rule"],
        "teleasistenta-technical"
    );
}

#[tokio::test]
async fn an_unacknowledged_item_past_its_deadline_is_breached_and_pushed() {
    // Arrange: a one-second clock for falls.
    let (mut config, dir) = test_config().await;
    config.queue.rules[0].respond_within_s = 1;
    let app = spawn_with(config, dir).await;
    let mut ws = app.ws_connect(None).await;
    let snapshot = ws.next_json().await;
    assert_eq!(snapshot["type"], "snapshot");

    // Act
    let fall = app.new_alert("TA-5", "fall").await;
    let acked = app.new_alert("TA-6", "button").await;
    assert_eq!(
        app.act(&acked, "acknowledge", serde_json::json!({}))
            .await
            .status(),
        200
    );

    // Assert: the breach arrives as an event, for the unacknowledged item only.
    let breach = tokio::time::timeout(Duration::from_secs(5), ws.wait_for("breached"))
        .await
        .expect("a breach within 5 s");
    assert_eq!(breach["event"]["item_id"], fall.as_str());
    assert_eq!(breach["event"]["level"], "P1");
    let queue = app.queue().await;
    let find = |id: &str| {
        queue["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["item"]["id"] == id)
            .cloned()
            .unwrap()
    };
    assert_eq!(find(&fall)["item"]["breached"], true);
    assert_eq!(find(&acked)["item"]["breached"], false);
    // Only one breach event for the item, however often the timer runs.
    let history: Value = app
        .get_as(
            dispecer::access::Role::Dispatcher,
            &format!("/api/v1/items/{fall}/events"),
        )
        .await
        .json()
        .await
        .unwrap();
    let breaches = history["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["event"]["type"] == "breached")
        .count();
    assert_eq!(breaches, 1);
}

#[tokio::test]
async fn the_live_state_is_rebuilt_from_the_log_after_a_restart() {
    let (config, dir) = test_config().await;
    let app = spawn_with(config.clone(), None).await;
    let id = app.new_alert("TA-7", "fall").await;
    assert_eq!(
        app.act(&id, "acknowledge", serde_json::json!({}))
            .await
            .status(),
        200
    );
    let _ = app.post_alert(&alarm("TA-8", "button", "z")).await;
    let before = app.queue().await;
    drop(app);

    let again = spawn_with(config, dir).await;
    let after = again.queue().await;
    assert_eq!(before["seq"], after["seq"]);
    assert_eq!(before["items"], after["items"]);
}

#[tokio::test]
async fn a_range_of_the_log_holds_exactly_the_events_numbered_in_it_in_order() {
    use dispecer::domain::Seq;

    // Arrange: a log of a few dozen events (alerts and their acknowledgements).
    let app = crate::helpers::spawn_app().await;
    for i in 0..12 {
        let id = app
            .new_alert(
                &format!("TA-R{i}"),
                if i % 2 == 0 { "fall" } else { "inactivity" },
            )
            .await;
        if i % 3 == 0 {
            let r = app
                .post_as(
                    dispecer::access::Role::Dispatcher,
                    &format!("/api/v1/items/{id}/acknowledge"),
                    &Value::Null,
                )
                .await;
            assert!(r.status().is_success(), "{:?}", r.text().await);
        }
    }
    let store = &app.state.store;
    let last = store.last_seq().await.unwrap();
    let all = store.events_after(Seq(0), 100_000).await.unwrap();
    let seqs = |events: &[dispecer::events::StoredEvent]| -> Vec<i64> {
        events.iter().map(|e| e.seq.0).collect()
    };
    assert!(last.0 >= 16, "{last:?}");
    assert_eq!(seqs(&all), (1..=last.0).collect::<Vec<_>>());

    // Act: ranges read out of order, one running past the end, empty ones.
    let (a, b) = (last.0 / 3, 2 * last.0 / 3);
    let middle = store.events_between(Seq(a), Seq(b)).await.unwrap();
    let head = store.events_between(Seq(0), Seq(a)).await.unwrap();
    let tail = store
        .events_between(Seq(b), Seq(last.0 + 50))
        .await
        .unwrap();
    let empty = store.events_between(Seq(b), Seq(b)).await.unwrap();
    let backwards = store.events_between(Seq(b), Seq(a)).await.unwrap();

    // Assert: each range holds exactly the events numbered after its start up to its end, the
    // same as the whole log read in one go, and the three together are the log.
    assert_eq!(seqs(&head), (1..=a).collect::<Vec<_>>());
    assert_eq!(seqs(&middle), (a + 1..=b).collect::<Vec<_>>());
    assert_eq!(seqs(&tail), (b + 1..=last.0).collect::<Vec<_>>());
    assert!(empty.is_empty() && backwards.is_empty());
    let joined: Vec<_> = head.into_iter().chain(middle).chain(tail).collect();
    assert_eq!(joined, all);
}
