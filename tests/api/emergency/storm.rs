//! Storm mode: 5,000 alarms from 2,001 devices in 10 s, each alarm of a device of another type
//! (so each is its own item; repeats of one type attaching to the device's open item are tested
//! in `shift_queue.rs`). Every one is stored and visible, P1 first; grouped by device; the websocket lag is printed (a figure, not an
//! assertion: performance is measured, never asserted).

use dispecer::access::Role;
use dispecer::domain::Seq;
use futures_util::StreamExt;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::Message;

use super::app_with;

const ALARMS: usize = 5_000;
/// Not a multiple of 10: a device's alarms (i, i + 2001, i + 4002) have three different types.
const DEVICES: usize = 2_001;
const SECONDS: u64 = 10;
const WORKERS: usize = 40;

fn alarm_type(i: usize) -> &'static str {
    // One in five is a fall or a button press (P1); the rest are well-being alarms (P2).
    match i % 10 {
        0 => "fall",
        5 => "button",
        1 | 6 => "inactivity",
        2 | 7 => "temperature",
        3 | 8 => "door_open",
        _ => "flood",
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_storm_of_5000_alarms_from_2001_devices_is_stored_and_shown_p1_first() {
    // Arrange: a console connected before the storm.
    // The per-credential intake limit (`limits.intake_*`, 20/s by default) would answer 429 to
    // the non-P1 alarms of a storm from one receiver; this test measures storm mode itself, so
    // the receiver gets a limit above the storm's rate.
    let app = app_with(|c| {
        c.teleasistenta.storm_threshold = 1000;
        c.limits.intake_per_minute = 600_000;
        c.limits.intake_burst = 10_000;
    })
    .await;
    let mut ws = app.ws_connect(None).await;
    let snapshot = ws.next_json().await;
    assert_eq!(snapshot["type"], "snapshot");
    let sent: Arc<Mutex<HashMap<String, Instant>>> = Arc::default();
    let (done_tx, done_rx) = tokio::sync::oneshot::channel::<Vec<f64>>();
    {
        let sent = sent.clone();
        tokio::spawn(async move {
            let mut lags = Vec::with_capacity(ALARMS);
            while lags.len() < ALARMS {
                let Ok(Some(Ok(msg))) =
                    tokio::time::timeout(Duration::from_secs(60), ws.socket.next()).await
                else {
                    break;
                };
                let Message::Text(t) = msg else { continue };
                let v: Value = serde_json::from_str(&t).unwrap();
                if v["type"] == "event" && v["event"]["type"] == "item_created" {
                    let id = v["event"]["item"]["details"]["receiver_alarm_id"]
                        .as_str()
                        .unwrap_or("");
                    let at = sent.lock().unwrap().get(id).copied();
                    lags.push(
                        at.map(|t| t.elapsed().as_secs_f64() * 1000.0)
                            .unwrap_or(f64::NAN),
                    );
                }
            }
            let _ = done_tx.send(lags);
        });
    }

    // Act: 5,000 alarms paced over 10 s by 40 senders.
    let started = Instant::now();
    let statuses: Arc<Mutex<Vec<u16>>> = Arc::default();
    let mut tasks = Vec::new();
    for w in 0..WORKERS {
        let client = app.client.clone();
        let url = format!("{}/api/v1/alerts", app.address);
        let token = app.token(Role::Receiver).to_owned();
        let sent = sent.clone();
        let statuses = statuses.clone();
        tasks.push(tokio::spawn(async move {
            for i in (w..ALARMS).step_by(WORKERS) {
                let at = Duration::from_secs_f64(i as f64 * SECONDS as f64 / ALARMS as f64);
                tokio::time::sleep_until((started + at).into()).await;
                let alarm_id = format!("storm-{i}");
                sent.lock()
                    .unwrap()
                    .insert(alarm_id.clone(), Instant::now());
                let r = client
                    .post(&url)
                    .bearer_auth(&token)
                    .json(&json!({
                        "device_id": format!("TA-STORM-{:04}", i % DEVICES),
                        "alarm_type": alarm_type(i),
                        "device_time": "2026-07-20T14:00:00Z",
                        "alarm_id": alarm_id,
                    }))
                    .send()
                    .await
                    .expect("post");
                statuses.lock().unwrap().push(r.status().as_u16());
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let sending = started.elapsed();
    let mut lags = tokio::time::timeout(Duration::from_secs(120), done_rx)
        .await
        .unwrap()
        .unwrap();

    // Assert: every alarm accepted, stored, pushed and in the queue.
    let statuses = statuses.lock().unwrap().clone();
    assert_eq!(statuses.len(), ALARMS);
    assert!(
        statuses.iter().all(|s| *s == 201),
        "not all 201: {:?}",
        statuses
            .iter()
            .filter(|s| **s != 201)
            .take(5)
            .collect::<Vec<_>>()
    );
    assert_eq!(lags.len(), ALARMS, "every alarm reached the console");
    let mut stored = 0;
    let mut after = Seq(0);
    loop {
        let page = app.state.store.events_after(after, 10_000).await.unwrap();
        let Some(last) = page.last() else { break };
        after = last.seq;
        stored += page
            .iter()
            .filter(|e| e.event.kind() == "item_created")
            .count();
    }
    assert_eq!(stored, ALARMS, "every alarm is in the log");
    let queue: Value = app
        .get_as(Role::Dispatcher, "/api/v1/queue")
        .await
        .json()
        .await
        .unwrap();
    let levels: Vec<&str> = queue["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["item"]["priority"]["level"].as_str().unwrap())
        .collect();
    assert_eq!(levels.len(), ALARMS);
    let p1 = levels.iter().filter(|l| **l == "P1").count();
    assert_eq!(p1, ALARMS / 5);
    assert!(levels[..p1].iter().all(|l| *l == "P1"), "P1 first");
    assert!(
        levels.windows(2).all(|w| w[0] <= w[1]),
        "levels never go back up"
    );
    // Storm mode: the banner is on, repeats are grouped by device, nothing is missing.
    let storm: Value = app
        .get_as(Role::Dispatcher, "/api/v1/storm")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(storm["active"], true);
    assert_eq!(storm["open_alarms"], ALARMS);
    let groups = storm["repeats"].as_array().unwrap();
    assert_eq!(groups.len(), DEVICES);
    assert_eq!(
        groups
            .iter()
            .map(|g| g["count"].as_u64().unwrap())
            .sum::<u64>(),
        ALARMS as u64
    );
    assert_eq!(groups[0]["level"], "P1", "the most urgent group first");

    lags.sort_by(|a, b| a.total_cmp(b));
    let pct =
        |p: f64| lags[((p / 100.0 * lags.len() as f64).ceil() as usize).clamp(1, lags.len()) - 1];
    println!(
        "storm: {ALARMS} alarms from {DEVICES} devices sent in {:.1} s; websocket lag (POST sent -> console) p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        sending.as_secs_f64(),
        pct(50.0),
        pct(95.0),
        pct(99.0),
        lags[lags.len() - 1]
    );
}
