//! Redis pub/sub between instances. Publishing happens on a background task fed by a bounded
//! channel, so a slow or absent Redis never delays a commit or an acknowledgement.

use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use tracing::{info, warn};

use super::{Bus, Incoming};
use crate::events::StoredEvent;

/// A bus message: the events of one commit, tagged with the instance that made them.
#[derive(Serialize, Deserialize)]
struct Message {
    from: String,
    events: Vec<StoredEvent>,
}

pub struct RedisBus {
    outgoing: mpsc::Sender<Vec<StoredEvent>>,
    incoming: Mutex<Option<mpsc::Receiver<Incoming>>>,
    connected: Arc<AtomicBool>,
}

impl RedisBus {
    /// Starts the publisher and subscriber tasks; they reconnect by themselves.
    pub fn start(
        url: &str,
        channel: String,
        instance: String,
        shutdown: CancellationToken,
    ) -> anyhow::Result<Self> {
        let client = redis::Client::open(url)?;
        let (out_tx, out_rx) = mpsc::channel(4096);
        let (in_tx, in_rx) = mpsc::channel(4096);
        let connected = Arc::new(AtomicBool::new(false));
        tokio::spawn(publisher(
            client.clone(),
            channel.clone(),
            instance.clone(),
            out_rx,
            shutdown.clone(),
        ));
        tokio::spawn(subscriber(
            client,
            channel,
            instance,
            in_tx,
            connected.clone(),
            shutdown,
        ));
        Ok(Self {
            outgoing: out_tx,
            incoming: Mutex::new(Some(in_rx)),
            connected,
        })
    }
}

impl Bus for RedisBus {
    fn publish(&self, events: Vec<StoredEvent>) {
        if self.outgoing.try_send(events).is_err() {
            metrics::counter!("dispecer_bus_dropped_total").increment(1);
        }
    }

    fn incoming(&self) -> mpsc::Receiver<Incoming> {
        self.incoming
            .lock()
            .ok()
            .and_then(|mut g| g.take())
            .unwrap_or_else(|| mpsc::channel(1).1)
    }

    fn connected(&self) -> bool {
        self.connected.load(Ordering::Relaxed)
    }
}

async fn publisher(
    client: redis::Client,
    channel: String,
    instance: String,
    mut rx: mpsc::Receiver<Vec<StoredEvent>>,
    shutdown: CancellationToken,
) {
    let mut conn: Option<redis::aio::MultiplexedConnection> = None;
    loop {
        let events = tokio::select! {
            _ = shutdown.cancelled() => return,
            e = rx.recv() => match e { Some(e) => e, None => return },
        };
        let payload = match serde_json::to_string(&Message {
            from: instance.clone(),
            events,
        }) {
            Ok(p) => p,
            Err(_) => continue,
        };
        if conn.is_none() {
            conn = tokio::time::timeout(
                Duration::from_secs(1),
                client.get_multiplexed_async_connection(),
            )
            .await
            .ok()
            .and_then(Result::ok);
        }
        if let Some(c) = conn.as_mut() {
            let sent: Result<(), _> = tokio::time::timeout(
                Duration::from_secs(1),
                redis::cmd("PUBLISH")
                    .arg(&channel)
                    .arg(&payload)
                    .query_async::<i64>(c),
            )
            .await
            .map_err(|_| ())
            .and_then(|r| r.map(|_| ()).map_err(|_| ()));
            if sent.is_err() {
                // The peers will read this commit from the log on their next poll.
                metrics::counter!("dispecer_bus_dropped_total").increment(1);
                conn = None;
            }
        } else {
            metrics::counter!("dispecer_bus_dropped_total").increment(1);
        }
    }
}

async fn subscriber(
    client: redis::Client,
    channel: String,
    instance: String,
    tx: mpsc::Sender<Incoming>,
    connected: Arc<AtomicBool>,
    shutdown: CancellationToken,
) {
    let mut delay = Duration::from_millis(100);
    loop {
        let attempt = async {
            let mut pubsub = client.get_async_pubsub().await?;
            pubsub.subscribe(&channel).await?;
            Ok::<_, redis::RedisError>(pubsub)
        };
        let pubsub = tokio::select! {
            _ = shutdown.cancelled() => return,
            p = attempt => p,
        };
        match pubsub {
            Ok(mut pubsub) => {
                info!("subscribed to the Redis event channel");
                connected.store(true, Ordering::Relaxed);
                delay = Duration::from_millis(100);
                // Whatever was published while we were away is in the log.
                let _ = tx.send(Incoming::Resync).await;
                let mut stream = pubsub.on_message();
                loop {
                    let msg = tokio::select! {
                        _ = shutdown.cancelled() => return,
                        m = stream.next() => m,
                    };
                    let Some(msg) = msg else { break };
                    let Ok(payload) = msg.get_payload::<String>() else {
                        continue;
                    };
                    match serde_json::from_str::<Message>(&payload) {
                        Ok(m) if m.from == instance => {}
                        Ok(m) => {
                            if tx.send(Incoming::Events(m.events)).await.is_err() {
                                return;
                            }
                        }
                        Err(e) => warn!(error = %e, "unreadable bus message ignored"),
                    }
                }
                connected.store(false, Ordering::Relaxed);
                warn!("lost the Redis event channel; reconnecting");
            }
            Err(e) => {
                connected.store(false, Ordering::Relaxed);
                warn!(error = %e, "cannot reach Redis; retrying");
            }
        }
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tokio::time::sleep(delay) => {}
        }
        delay = (delay * 2).min(Duration::from_secs(5));
    }
}
