//! Redis goes away under two instances with websocket clients: each instance keeps serving its
//! own clients, and when Redis returns the instances catch up with each other from storage. Every
//! client sees every sequence number exactly once, in order, end to end.

use serde_json::Value;
use std::time::Duration;

use crate::client::{eventually, http, last_seq, new_alert, Follower};
use crate::services::{Instance, PrivatePostgres, PrivateRedis};

/// Waits until `/readyz` of `base` reports the bus as `state` (`ok` or `degraded`).
async fn bus_becomes(client: &reqwest::Client, base: &str, state: &str) -> bool {
    for _ in 0..600 {
        let r = client.get(format!("{base}/readyz")).send().await;
        if let Ok(r) = r {
            let v: Value = r.json().await.unwrap_or_default();
            if v["bus"] == state {
                return true;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

/// Posts the alarms to `app`; returns their item ids.
async fn post_all(
    client: &reqwest::Client,
    app: &Instance,
    token: &str,
    ids: &[String],
) -> Vec<String> {
    let mut items = Vec::new();
    for id in ids {
        items.push(new_alert(client, &app.base, token, id).await);
    }
    items
}

/// Waits until the console has shown every one of `items`.
async fn shows_all(f: &Follower, items: &[String]) -> bool {
    eventually(Duration::from_secs(30), || {
        f.seen(|s| items.iter().all(|i| s.created.contains(i)))
    })
    .await
}

fn ids(prefix: &str, n: usize) -> Vec<String> {
    (0..n).map(|i| format!("{prefix}-{i}")).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn while_redis_is_down_each_instance_serves_its_clients_and_all_catch_up_when_it_returns() {
    // Arrange: private PostgreSQL and Redis, instances a and b, two consoles on each. The log
    // poll is an hour, so only Redis (or an instance's own commits) tells b what a did.
    let Some(pg) = PrivatePostgres::start() else {
        return;
    };
    let Some(mut redis) = PrivateRedis::start() else {
        return;
    };
    let mut a = Instance::new(&pg.url(), Some(&redis.url()), "a");
    let mut b = Instance::new(&pg.url(), Some(&redis.url()), "b");
    let receiver = a.token("fault-receiver", "receiver");
    let dispatcher = a.token("fault-dispatcher", "dispatcher");
    a.start();
    b.start();
    let client = http();
    assert!(bus_becomes(&client, &a.base, "ok").await, "a subscribed");
    assert!(bus_becomes(&client, &b.base, "ok").await, "b subscribed");
    let on_a = [
        Follower::connect(&a.ws_url(&dispatcher)).await,
        Follower::connect(&a.ws_url(&dispatcher)).await,
    ];
    let on_b = [
        Follower::connect(&b.ws_url(&dispatcher)).await,
        Follower::connect(&b.ws_url(&dispatcher)).await,
    ];
    let all = || on_a.iter().chain(on_b.iter());

    // Act 1: with Redis, alarms on both instances reach every console.
    for (i, id) in ids("before", 20).iter().enumerate() {
        let app = if i % 2 == 0 { &a } else { &b };
        post_all(&client, app, &receiver, std::slice::from_ref(id)).await;
    }
    let seq_before = last_seq(&pg.url()).await;
    for f in all() {
        assert!(
            f.wait_for_seq(seq_before, Duration::from_secs(30)).await,
            "with Redis up every console reaches {seq_before}"
        );
    }

    // Act 2: Redis dies. b takes 10 alarms, then a takes 10.
    redis.kill_server();
    assert!(bus_becomes(&client, &a.base, "degraded").await, "a noticed");
    assert!(bus_becomes(&client, &b.base, "degraded").await, "b noticed");
    let to_b = ids("during-b", 10);
    let to_a = ids("during-a", 10);
    let items_b = post_all(&client, &b, &receiver, &to_b).await;
    let items_a = post_all(&client, &a, &receiver, &to_a).await;

    // Assert: each instance served its own consoles during the outage.
    for f in &on_a {
        assert!(
            shows_all(f, &items_a).await,
            "a's consoles show a's alarms without Redis"
        );
    }
    for f in &on_b {
        assert!(
            shows_all(f, &items_b).await,
            "b's consoles show b's alarms without Redis"
        );
    }
    // b learns of a's commits only through its own commits (consoles recording what they
    // were shown) until Redis returns; how far that got it is a race, so it is only reported.
    let b_reached = last_seq(&pg.url()).await;
    let b_behind = on_b.iter().map(|f| f.seen(|s| s.last)).collect::<Vec<_>>();

    // Act 3: Redis returns.
    redis.start_server();
    assert!(bus_becomes(&client, &a.base, "ok").await, "a resubscribed");
    assert!(bus_becomes(&client, &b.base, "ok").await, "b resubscribed");
    post_all(&client, &a, &receiver, &ids("after", 5)).await;
    let seq_after = last_seq(&pg.url()).await;

    // Assert: every console saw every sequence number once, in order, and the same items.
    for f in all() {
        assert!(
            f.wait_for_seq(seq_after, Duration::from_secs(60)).await,
            "every console catches up to {seq_after}: {:?}",
            f.seen(|s| (s.last, s.errors.clone()))
        );
    }
    let reference = on_a[0].seen(|s| s.created.clone());
    assert_eq!(reference.len(), 45, "45 alarms created");
    for f in all() {
        f.seen(|s| {
            assert!(
                s.errors.is_empty(),
                "gap, repeat or surprise: {:?}",
                s.errors
            );
            assert_eq!(s.events as i64, s.last - s.start, "each event exactly once");
            assert_eq!(
                s.created, reference,
                "every console shows the same items in order"
            );
        });
    }
    let counts: Vec<String> = all()
        .map(|f| f.seen(|s| format!("{}..{} ({} events)", s.start, s.last, s.events)))
        .collect();
    println!(
        "fault redis-outage: alarms sent=45 (20 before, 20 during, 5 after) 2xx=45; consoles \
         a1,a2,b1,b2 saw seq {}; b was behind at {:?} of {} when Redis returned; lost=0 \
         duplicated=0",
        counts.join(", "),
        b_behind,
        b_reached
    );
}
