//! `dispecer bench receiver --devices N --seconds S`: the DC-09 receiver under a city's worth
//! of devices. The service runs as a child process (its own open-file limit: each side holds N
//! sockets) on a temporary SQLite file with N plain accounts; N simulated devices each hold a
//! TCP connection, send a `NULL` supervision message every `--supervision-s` (random phase),
//! and alarms (Contact ID 101, each from another device) go out at `--alarm-rate` per second.
//! Measured: frame sent → `ACK` received (every message), and frame sent → the
//! `item_created` websocket frame on a connected console (every alarm); the service's resident
//! memory before and after the idle connections are opened, per connection. Ends with one line.

use anyhow::Context;
use futures_util::StreamExt;
use hdrhistogram::Histogram;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;

use crate::config::Config;
use crate::receiver::rules::frame;
use crate::store::{self, ReceiverAccount};
use crate::web::auth::{new_token, token_hash};

/// Arguments of `bench receiver`.
#[derive(Clone, Debug)]
pub struct ReceiverArgs {
    pub devices: u32,
    pub seconds: u32,
    pub supervision_s: f64,
    pub alarm_rate: u32,
}

/// What `bench receiver` measured.
#[derive(Debug)]
pub struct ReceiverReport {
    pub devices: u32,
    pub connected: u64,
    pub supervision_sent: u64,
    pub alarms_sent: u64,
    pub acks: u64,
    pub ack_p50_ms: f64,
    pub ack_p99_ms: f64,
    pub ws_p50_ms: f64,
    pub ws_p99_ms: f64,
    pub alarms_on_console: u64,
    pub lost: u64,
    pub rss_idle_bytes_per_connection: f64,
}

impl std::fmt::Display for ReceiverReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "devices={} connected={} supervision_sent={} alarms_sent={} acks={} \
             ack_p50_ms={:.2} ack_p99_ms={:.2} ws_p50_ms={:.2} ws_p99_ms={:.2} \
             alarms_on_console={} lost={} rss_per_idle_connection_bytes={:.0}",
            self.devices,
            self.connected,
            self.supervision_sent,
            self.alarms_sent,
            self.acks,
            self.ack_p50_ms,
            self.ack_p99_ms,
            self.ws_p50_ms,
            self.ws_p99_ms,
            self.alarms_on_console,
            self.lost,
            self.rss_idle_bytes_per_connection
        )
    }
}

fn account(i: u32) -> String {
    format!("B{i:06}")
}

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

fn rss_of(pid: u32) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb * 1024.0)
}

struct Shared {
    ack: Mutex<Histogram<u64>>,
    ws: Mutex<Histogram<u64>>,
    alarm_sent: Mutex<HashMap<String, Instant>>,
    acks: AtomicU64,
    supervision: AtomicU64,
    alarms: AtomicU64,
    on_console: AtomicU64,
    failed: AtomicU64,
}

fn record(h: &Mutex<Histogram<u64>>, since: Instant) {
    if let Ok(mut h) = h.lock() {
        let _ = h.record(since.elapsed().as_micros().max(1) as u64);
    }
}

/// One device: its connection, a `NULL` every `every`, and the alarms it is told to send.
async fn device(
    i: u32,
    mut stream: TcpStream,
    every: Duration,
    mut alarms: mpsc::Receiver<()>,
    shared: Arc<Shared>,
    until: tokio::time::Instant,
) {
    let acct = account(i);
    let mut seq = 0u32;
    let phase = Duration::from_secs_f64(every.as_secs_f64() * rand::random::<f64>());
    let mut next_null = tokio::time::Instant::now() + phase;
    let mut buf = [0u8; 256];
    loop {
        let alarm = tokio::select! {
            _ = tokio::time::sleep_until(next_null) => false,
            m = alarms.recv() => match m { Some(()) => true, None => return },
            _ = tokio::time::sleep_until(until) => return,
        };
        seq = seq % 9999 + 1;
        let content = if alarm {
            format!("\"ADM-CID\"{seq:04}R1L1#{acct}[#{acct}|1101 01 001]")
        } else {
            next_null += every;
            format!("\"NULL\"{seq:04}R1L1#{acct}[]")
        };
        let bytes = frame::wrap(&content);
        let sent = Instant::now();
        if alarm {
            if let Ok(mut m) = shared.alarm_sent.lock() {
                m.insert(format!("dc09-{acct}"), sent);
            }
        }
        if stream.write_all(&bytes).await.is_err() {
            shared.failed.fetch_add(1, Ordering::Relaxed);
            return;
        }
        let mut got = Vec::new();
        let read = tokio::time::timeout(Duration::from_secs(10), async {
            while !got.ends_with(b"\r") {
                let n = stream.read(&mut buf).await?;
                if n == 0 {
                    return Err(std::io::Error::other("closed"));
                }
                got.extend_from_slice(&buf[..n]);
            }
            Ok::<_, std::io::Error>(())
        })
        .await;
        match read {
            Ok(Ok(())) if got.windows(5).any(|w| w == b"\"ACK\"") => {
                record(&shared.ack, sent);
                shared.acks.fetch_add(1, Ordering::Relaxed);
                let counter = if alarm {
                    &shared.alarms
                } else {
                    &shared.supervision
                };
                counter.fetch_add(1, Ordering::Relaxed);
            }
            _ => {
                shared.failed.fetch_add(1, Ordering::Relaxed);
                return;
            }
        }
    }
}

pub async fn receiver(args: ReceiverArgs) -> anyhow::Result<ReceiverReport> {
    anyhow::ensure!(
        args.devices >= 1 && args.seconds >= 1,
        "--devices and --seconds at least 1"
    );
    let dir = tempfile::tempdir()?;
    let db = format!("sqlite://{}", dir.path().join("bench.sqlite").display());
    let mut config = Config::load(None)?;
    config.store.url = db.clone().into();
    config.store.sqlite_synchronous = "OFF".into();
    let stores = store::connect_all(&config.store).await?;
    let token = new_token();
    stores
        .store
        .put_credential("bench-receiver", "dispatcher", &token_hash(&token))
        .await?;
    let now_ms = chrono::Utc::now().timestamp_millis();
    for i in 0..args.devices {
        stores
            .receiver
            .put_receiver_account(&ReceiverAccount {
                account: account(i),
                key_hex: None,
                device_id: None,
                created_ms: now_ms,
                last_seen_ms: None,
                last_checkin_ms: None,
                messages: 0,
                supervision_s: None,
                missed_raised_for_ms: None,
            })
            .await?;
    }
    drop(stores);

    let (http, dc09) = (free_port()?, free_port()?);
    std::fs::create_dir_all(dir.path().join("console"))?;
    let mut child = tokio::process::Command::new(std::env::current_exe()?)
        .arg("serve")
        .env("DISPECER_STORE__URL", &db)
        .env("DISPECER_SERVER__LISTEN", format!("127.0.0.1:{http}"))
        .env("DISPECER_SERVER__CONSOLE_DIR", dir.path().join("console"))
        .env("DISPECER_ROUTING__ENABLED", "false")
        .env("DISPECER_RECEIVER__ENABLED", "true")
        .env("DISPECER_RECEIVER__UDP", "false")
        .env("DISPECER_RECEIVER__BIND", format!("127.0.0.1:{dc09}"))
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .context("starting the service")?;
    let pid = child.id().context("the service's pid")?;
    let base = format!("http://127.0.0.1:{http}");
    let client = reqwest::Client::new();
    let started = Instant::now();
    while client.get(format!("{base}/healthz")).send().await.is_err() {
        anyhow::ensure!(
            started.elapsed() < Duration::from_secs(60),
            "the service did not start"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    let shared = Arc::new(Shared {
        ack: Mutex::new(Histogram::new_with_bounds(1, 600_000_000, 3)?),
        ws: Mutex::new(Histogram::new_with_bounds(1, 600_000_000, 3)?),
        alarm_sent: Mutex::new(HashMap::new()),
        acks: AtomicU64::new(0),
        supervision: AtomicU64::new(0),
        alarms: AtomicU64::new(0),
        on_console: AtomicU64::new(0),
        failed: AtomicU64::new(0),
    });
    let ws_url = format!("ws://127.0.0.1:{http}/ws?access_token={token}");
    let (socket, _) = tokio_tungstenite::connect_async(ws_url.as_str())
        .await
        .context("connecting the console's websocket")?;
    let (_sink, mut stream) = socket.split();
    let _ = stream.next().await;
    let reader = {
        let shared = shared.clone();
        tokio::spawn(async move {
            while let Some(Ok(msg)) = stream.next().await {
                let Message::Text(text) = msg else { continue };
                if !text.contains("\"item_created\"") {
                    continue;
                }
                let Some(start) = text.find("dc09-B") else {
                    continue;
                };
                let device = &text[start..start + 12];
                let sent = shared
                    .alarm_sent
                    .lock()
                    .ok()
                    .and_then(|m| m.get(device).copied());
                if let Some(sent) = sent {
                    record(&shared.ws, sent);
                    shared.on_console.fetch_add(1, Ordering::Relaxed);
                }
            }
        })
    };

    // Idle connections first, for the memory per connection.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss_before = rss_of(pid);
    let mut streams = Vec::with_capacity(args.devices as usize);
    for _ in 0..args.devices {
        let s = TcpStream::connect(("127.0.0.1", dc09))
            .await
            .context("opening a device connection (ulimit -n?)")?;
        s.set_nodelay(true)?;
        streams.push(s);
    }
    // Until the service has accepted them all (its connection gauge), then settle.
    let wanted = format!("dispecer_receiver_connections {}", args.devices);
    let wait = Instant::now();
    while wait.elapsed() < Duration::from_secs(30) {
        let m = client
            .get(format!("{base}/metrics"))
            .send()
            .await?
            .text()
            .await?;
        if m.contains(&wanted) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss_idle = rss_of(pid);
    let connected = streams.len() as u64;

    let until = tokio::time::Instant::now() + Duration::from_secs(u64::from(args.seconds));
    let every = Duration::from_secs_f64(args.supervision_s.max(0.1));
    let mut senders = Vec::with_capacity(streams.len());
    let mut tasks = Vec::with_capacity(streams.len());
    for (i, s) in streams.into_iter().enumerate() {
        let (tx, rx) = mpsc::channel(4);
        senders.push(tx);
        tasks.push(tokio::spawn(device(
            i as u32,
            s,
            every,
            rx,
            shared.clone(),
            until,
        )));
    }
    let period = Duration::from_secs_f64(1.0 / f64::from(args.alarm_rate.max(1)));
    let total = u64::from(args.alarm_rate) * u64::from(args.seconds);
    let start = tokio::time::Instant::now();
    let mut sent_alarms = 0u64;
    for n in 0..total {
        tokio::time::sleep_until(start + period.mul_f64(n as f64)).await;
        if tokio::time::Instant::now() >= until {
            break;
        }
        // Each alarm from another device: a device's second alarm of one type would be a
        // repeat on its open item, not a new one on the console.
        let d = (n % u64::from(args.devices)) as usize;
        if senders[d].try_send(()).is_ok() {
            sent_alarms += 1;
        }
    }
    drop(senders);
    for t in tasks {
        let _ = t.await;
    }
    let deadline = Instant::now() + Duration::from_secs(15);
    while shared.on_console.load(Ordering::Relaxed) < shared.alarms.load(Ordering::Relaxed)
        && Instant::now() < deadline
    {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    reader.abort();
    let _ = child.kill().await;
    let q = |h: &Mutex<Histogram<u64>>, q: f64| {
        h.lock()
            .map_or(0.0, |h| h.value_at_quantile(q) as f64 / 1000.0)
    };
    let alarms_acked = shared.alarms.load(Ordering::Relaxed);
    let on_console = shared.on_console.load(Ordering::Relaxed);
    Ok(ReceiverReport {
        devices: args.devices,
        connected,
        supervision_sent: shared.supervision.load(Ordering::Relaxed),
        alarms_sent: sent_alarms,
        acks: shared.acks.load(Ordering::Relaxed),
        ack_p50_ms: q(&shared.ack, 0.5),
        ack_p99_ms: q(&shared.ack, 0.99),
        ws_p50_ms: q(&shared.ws, 0.5),
        ws_p99_ms: q(&shared.ws, 0.99),
        alarms_on_console: on_console,
        // An alarm lost: sent and never acknowledged, or acknowledged (each from its own
        // device) and never on the console; and messages whose device saw no answer.
        lost: sent_alarms.saturating_sub(alarms_acked)
            + alarms_acked
                .min(u64::from(args.devices))
                .saturating_sub(on_console)
            + shared.failed.load(Ordering::Relaxed),
        rss_idle_bytes_per_connection: (rss_idle - rss_before) / connected.max(1) as f64,
    })
}
