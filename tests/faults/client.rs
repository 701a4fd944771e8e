//! What the fault tests do as clients: post alarms, read storage, follow websockets.

use futures_util::StreamExt;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::Message;

/// An HTTP client that waits long enough to tell a slow 503 from a hang.
pub fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .expect("http client")
}

/// The answer to one request: its status, or why there was none.
pub type Answer = Result<u16, String>;

/// Posts the alarm `alarm_id` (from device `TA-{alarm_id}`) and returns the status.
pub async fn post_alert(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    alarm_id: &str,
) -> Answer {
    let device = format!("TA-{alarm_id}");
    client
        .post(format!("{base}/api/v1/alerts"))
        .bearer_auth(token)
        .json(&json!({
            "device_id": device,
            "alarm_type": "button",
            "device_time": "2026-11-27T08:00:00Z",
            "alarm_id": alarm_id,
        }))
        .send()
        .await
        .map(|r| r.status().as_u16())
        .map_err(|e| e.to_string())
}

/// Posts the alarm `alarm_id` and returns the id of the item created for it.
pub async fn new_alert(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    alarm_id: &str,
) -> String {
    let r = client
        .post(format!("{base}/api/v1/alerts"))
        .bearer_auth(token)
        .json(&json!({
            "device_id": format!("TA-{alarm_id}"),
            "alarm_type": "button",
            "device_time": "2026-11-27T08:00:00Z",
            "alarm_id": alarm_id,
        }))
        .send()
        .await
        .expect("POST /api/v1/alerts");
    assert_eq!(r.status(), 201, "posting {alarm_id} to {base}");
    let item: Value = r.json().await.expect("item JSON");
    item["id"].as_str().expect("item id").to_owned()
}

/// How many `item_created` events storage holds per receiver alarm id.
pub async fn stored_alarms(pg_url: &str) -> HashMap<String, i64> {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(pg_url)
        .await
        .expect("connect to the private PostgreSQL");
    let rows: Vec<(Option<String>, i64)> = sqlx::query_as(
        "SELECT payload->'item'->'details'->>'receiver_alarm_id', count(*) FROM events \
         WHERE kind = 'item_created' GROUP BY 1",
    )
    .fetch_all(&mut conn)
    .await
    .expect("read the event log");
    rows.into_iter()
        .filter_map(|(id, n)| id.map(|id| (id, n)))
        .collect()
}

/// The last sequence number in storage.
pub async fn last_seq(pg_url: &str) -> i64 {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(pg_url)
        .await
        .expect("connect to the private PostgreSQL");
    sqlx::query_scalar("SELECT coalesce(max(seq), 0) FROM events")
        .fetch_one(&mut conn)
        .await
        .expect("read the last sequence number")
}

/// Open items in an instance's queue.
pub async fn queue_len(client: &reqwest::Client, base: &str, token: &str) -> usize {
    let v: Value = client
        .get(format!("{base}/api/v1/queue"))
        .bearer_auth(token)
        .send()
        .await
        .expect("GET /api/v1/queue")
        .json()
        .await
        .expect("queue JSON");
    v["items"].as_array().map(Vec::len).unwrap_or(0)
}

/// What one websocket client saw: every sequence number in order, checked as it arrives.
#[derive(Debug, Default)]
pub struct Seen {
    /// The snapshot's sequence number.
    pub start: i64,
    /// The last sequence number received.
    pub last: i64,
    pub events: usize,
    /// Item ids of `item_created` events, in order.
    pub created: Vec<String>,
    /// Problems: a gap, a repeat, an unexpected message.
    pub errors: Vec<String>,
}

/// A websocket client that follows the event stream in a task; read its progress with `seen`.
pub struct Follower {
    seen: std::sync::Arc<std::sync::Mutex<Seen>>,
    task: tokio::task::JoinHandle<()>,
}

impl Follower {
    /// Connects and reads the snapshot; then follows in the background.
    pub async fn connect(url: &str) -> Self {
        let (mut socket, _) = tokio_tungstenite::connect_async(url)
            .await
            .expect("websocket connect");
        let first = next_json(&mut socket).await.expect("a snapshot");
        assert_eq!(first["type"], "snapshot", "{first}");
        let seq = first["seq"].as_i64().expect("snapshot seq");
        let seen = std::sync::Arc::new(std::sync::Mutex::new(Seen {
            start: seq,
            last: seq,
            ..Seen::default()
        }));
        let shared = seen.clone();
        let task = tokio::spawn(async move {
            while let Some(m) = next_json(&mut socket).await {
                let mut s = shared.lock().expect("lock");
                match m["type"].as_str() {
                    Some("event") => {
                        let seq = m["seq"].as_i64().unwrap_or(-1);
                        if seq != s.last + 1 {
                            let msg = format!("after {} came {}", s.last, seq);
                            s.errors.push(msg);
                        }
                        s.last = s.last.max(seq);
                        s.events += 1;
                        if m["event"]["type"] == "item_created" {
                            if let Some(id) = m["event"]["item"]["id"].as_str() {
                                s.created.push(id.to_owned());
                            }
                        }
                    }
                    Some("item") => {}
                    _ => s.errors.push(format!("unexpected message {m}")),
                }
            }
            shared
                .lock()
                .expect("lock")
                .errors
                .push("connection closed".into());
        });
        Self { seen, task }
    }

    pub fn seen<R>(&self, f: impl FnOnce(&Seen) -> R) -> R {
        f(&self.seen.lock().expect("lock"))
    }

    /// Waits until this client has received every event up to `seq`.
    pub async fn wait_for_seq(&self, seq: i64, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        while self.seen(|s| s.last) < seq {
            if Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        true
    }
}

impl Drop for Follower {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn next_json(
    socket: &mut tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
) -> Option<Value> {
    loop {
        match socket.next().await? {
            Ok(Message::Text(t)) => return serde_json::from_str(&t).ok(),
            Ok(Message::Close(_)) | Err(_) => return None,
            Ok(_) => continue,
        }
    }
}

/// Polls `ready` every 20 ms until it holds or `timeout` passes; says whether it held.
pub async fn eventually(timeout: Duration, mut ready: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + timeout;
    while !ready() {
        if Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    true
}
