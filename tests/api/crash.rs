//! The real binary takes a burst of 2,000 alerts from concurrent clients, is killed with SIGKILL
//! midway, and restarts: every alert that got a 2xx is there, exactly once.

use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::helpers::{alarm, test_config};

const BIN: &str = env!("CARGO_BIN_EXE_dispecer");

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn command(store_url: &str, port: u16, console: &std::path::Path) -> Command {
    let mut c = Command::new(BIN);
    c.env("DISPECER_STORE__URL", store_url)
        .env("DISPECER_SERVER__LISTEN", format!("127.0.0.1:{port}"))
        .env("DISPECER_SERVER__CONSOLE_DIR", console)
        .env("DISPECER_LOG__LEVEL", "warn")
        .env_remove("RUST_LOG")
        .stdin(Stdio::null());
    c
}

fn token(store_url: &str, console: &std::path::Path, name: &str, role: &str) -> String {
    let out = command(store_url, 0, console)
        .args(["token", "add", name, role])
        .output()
        .expect("run dispecer token add");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

// The child is handed to the caller, which kills and waits on it.
#[allow(clippy::zombie_processes)]
async fn start(store_url: &str, port: u16, console: &std::path::Path) -> Child {
    let mut child = command(store_url, port, console)
        .arg("serve")
        .stdout(Stdio::null())
        .spawn()
        .expect("start dispecer");
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(r) = client
            .get(format!("http://127.0.0.1:{port}/healthz"))
            .send()
            .await
        {
            if r.status() == 200 {
                return child;
            }
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("server did not start");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn every_acknowledged_alert_survives_a_sigkill_exactly_once() {
    // Arrange
    let (config, dir) = test_config().await;
    let keep = tempfile::tempdir().unwrap();
    let store_url = {
        use secrecy::ExposeSecret;
        config.store.url.expose_secret().to_owned()
    };
    let console = keep.path().to_path_buf();
    let receiver = token(&store_url, &console, "crash-receiver", "receiver");
    let dispatcher = token(&store_url, &console, "crash-dispatcher", "dispatcher");
    let port = free_port();
    let mut server = start(&store_url, port, &console).await;
    let base = format!("http://127.0.0.1:{port}");
    let acked: Arc<Mutex<HashSet<String>>> = Default::default();
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();

    // Act: 16 clients, 2,000 alerts, one per device (a device's further alarms of the same
    // type would attach to its open item as repeats); SIGKILL once about 600 were acknowledged.
    let mut tasks = Vec::new();
    for worker in 0..16 {
        let (client, base, receiver, acked) = (
            client.clone(),
            base.clone(),
            receiver.clone(),
            acked.clone(),
        );
        tasks.push(tokio::spawn(async move {
            for n in (worker..2000).step_by(16) {
                let id = format!("crash-{n}");
                let r = client
                    .post(format!("{base}/api/v1/alerts"))
                    .bearer_auth(&receiver)
                    .json(&alarm(&format!("TA-{n}"), "button", &id))
                    .send()
                    .await;
                if let Ok(r) = r {
                    if r.status().is_success() {
                        acked.lock().unwrap().insert(id);
                    }
                }
            }
        }));
    }
    while acked.lock().unwrap().len() < 600 {
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    server.kill().expect("SIGKILL"); // Child::kill sends SIGKILL on Unix.
    server.wait().unwrap();
    for t in tasks {
        t.await.unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    assert!(
        acked.len() >= 600 && acked.len() < 2000,
        "killed midway: {}",
        acked.len()
    );

    // Assert: restart and count.
    let mut server = start(&store_url, port, &console).await;
    let queue: Value = client
        .get(format!("{base}/api/v1/queue"))
        .bearer_auth(&dispatcher)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut count: HashMap<String, usize> = HashMap::new();
    for e in queue["items"].as_array().unwrap() {
        let id = e["item"]["details"]["receiver_alarm_id"]
            .as_str()
            .unwrap()
            .to_owned();
        *count.entry(id).or_default() += 1;
    }
    let lost: Vec<_> = acked.iter().filter(|id| !count.contains_key(*id)).collect();
    assert!(
        lost.is_empty(),
        "{} acknowledged alerts lost, e.g. {:?}",
        lost.len(),
        lost.first()
    );
    assert!(count.values().all(|c| *c == 1), "an alert was stored twice");
    eprintln!(
        "crash test: acknowledged={} stored={} lost=0 duplicated=0",
        acked.len(),
        count.len()
    );

    // Retransmitting everything afterwards still gives exactly one alert per alarm.
    let mut retransmit = Vec::new();
    for n in 0..2000 {
        let (client, base, receiver) = (client.clone(), base.clone(), receiver.clone());
        retransmit.push(async move {
            client
                .post(format!("{base}/api/v1/alerts"))
                .bearer_auth(&receiver)
                .json(&alarm(&format!("TA-{n}"), "button", &format!("crash-{n}")))
                .send()
                .await
                .map(|r| r.status().as_u16())
        });
    }
    use futures_util::StreamExt;
    let statuses: Vec<_> = futures_util::stream::iter(retransmit)
        .buffer_unordered(16)
        .collect()
        .await;
    assert!(statuses.iter().all(|s| matches!(s, Ok(200) | Ok(201))));
    let queue: Value = client
        .get(format!("{base}/api/v1/queue"))
        .bearer_auth(&dispatcher)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(queue["items"].as_array().unwrap().len(), 2000);
    server.kill().unwrap();
    server.wait().unwrap();
    drop(dir);
}
