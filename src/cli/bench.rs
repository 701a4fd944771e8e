//! `dispecer bench intake`: posts alerts at a fixed rate with websocket clients connected and
//! measures, for every alert and every client, the time from sending the POST to receiving the
//! `item_created` event. Ends with one line:
//! `p50_ms=… p95_ms=… p99_ms=… max_ms=… sent=… delivered=… lost=…`.
//!
//! Without `--url` it starts its own server in this process, on a temporary SQLite file or, with
//! `--store URL`, on that database (e.g. an empty PostgreSQL database). The load generator (the
//! POSTs and the websocket clients) runs on its own single-threaded runtime in its own OS thread,
//! as remote clients would, so it never queues behind the server's tasks on the server's executor.

use anyhow::Context;
use futures_util::StreamExt;
use hdrhistogram::Histogram;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::net::TcpListener;
use tokio_tungstenite::tungstenite::Message;
use tokio_util::sync::CancellationToken;

use crate::config::Config;
use crate::startup;
use crate::web::auth::{new_token, token_hash};

/// Arguments of `bench intake`.
#[derive(Clone, Debug)]
pub struct IntakeArgs {
    pub rate: u32,
    pub seconds: u32,
    pub clients: u32,
    pub url: Option<String>,
    pub token: Option<String>,
    /// Store of the bench's own server (default: a temporary SQLite file).
    pub store: Option<String>,
}

/// What one run measured.
#[derive(Debug)]
pub struct IntakeReport {
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub sent: u64,
    pub delivered: u64,
    pub lost: u64,
    pub failed_posts: u64,
}

impl std::fmt::Display for IntakeReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "p50_ms={:.2} p95_ms={:.2} p99_ms={:.2} max_ms={:.2} sent={} delivered={} lost={}",
            self.p50_ms,
            self.p95_ms,
            self.p99_ms,
            self.max_ms,
            self.sent,
            self.delivered,
            self.lost
        )
    }
}

struct Shared {
    /// Send instant per alarm number.
    sent_at: Mutex<HashMap<u64, Instant>>,
    /// Latencies in microseconds.
    hist: Mutex<Histogram<u64>>,
    delivered: std::sync::atomic::AtomicU64,
}

pub async fn intake(args: IntakeArgs) -> anyhow::Result<IntakeReport> {
    anyhow::ensure!(args.rate >= 1, "--rate must be at least 1");
    anyhow::ensure!(args.seconds >= 1, "--seconds must be at least 1");
    let shutdown = CancellationToken::new();
    let _guard = shutdown.clone().drop_guard();
    let _tmp;
    let (base, token) = match &args.url {
        Some(url) => (
            url.trim_end_matches('/').to_owned(),
            args.token
                .clone()
                .context("--token (a dispatcher's bearer token) is required with --url")?,
        ),
        None => {
            let dir = tempfile::tempdir()?;
            // The configured defaults and DISPECER_* overrides, on a temporary database.
            let mut config = Config::load(None)?;
            config.routing.enabled = false;
            config.store.url = match &args.store {
                Some(url) => url.clone(),
                None => format!("sqlite://{}", dir.path().join("bench.sqlite").display()),
            }
            .into();
            _tmp = dir;
            let state = startup::build(config, shutdown.clone()).await?;
            let token = new_token();
            let name = format!("bench-{}", &uuid::Uuid::now_v7().simple().to_string()[24..]);
            state
                .store
                .put_credential(&name, "dispatcher", &token_hash(&token))
                .await?;
            let listener = TcpListener::bind("127.0.0.1:0").await?;
            let addr = listener.local_addr()?;
            tokio::spawn(startup::serve(state, listener, shutdown.clone()));
            (format!("http://{addr}"), token)
        }
    };
    let (done_tx, done_rx) = tokio::sync::oneshot::channel();
    std::thread::Builder::new()
        .name("bench-load".into())
        .spawn(move || {
            let result = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(anyhow::Error::from)
                .and_then(|rt| rt.block_on(load(args, base, token)));
            let _ = done_tx.send(result);
        })?;
    done_rx.await.context("the load generator thread died")?
}

/// The load generator: websocket clients, then POSTs at the fixed rate.
async fn load(args: IntakeArgs, base: String, token: String) -> anyhow::Result<IntakeReport> {
    let run_id = uuid::Uuid::now_v7().simple().to_string();
    let run_tag = run_id[run_id.len() - 8..].to_owned();
    let shared = Arc::new(Shared {
        sent_at: Mutex::new(HashMap::new()),
        hist: Mutex::new(Histogram::new_with_bounds(1, 600_000_000, 3)?),
        delivered: Default::default(),
    });

    // Websocket clients first, so every alert has C receivers.
    let ws_url = format!("{}/ws?access_token={token}", base.replacen("http", "ws", 1));
    let mut readers = Vec::new();
    for _ in 0..args.clients {
        // A modest read buffer: tungstenite zeroes the whole buffer on every poll.
        let config = tokio_tungstenite::tungstenite::protocol::WebSocketConfig::default()
            .read_buffer_size(16 * 1024);
        let (socket, _) =
            tokio_tungstenite::connect_async_with_config(ws_url.as_str(), Some(config), true)
                .await
                .context("connecting a websocket client")?;
        let (_sink, mut stream) = socket.split();
        // Wait for the snapshot so the client is live before the load starts.
        let _ = stream.next().await;
        let shared = shared.clone();
        let prefix = format!("bench-{run_tag}-");
        readers.push(tokio::spawn(async move {
            while let Some(Ok(msg)) = stream.next().await {
                let Message::Text(text) = msg else { continue };
                let now = Instant::now();
                let Some(n) = alarm_number(&text, &prefix) else {
                    continue;
                };
                let sent = shared.sent_at.lock().ok().and_then(|m| m.get(&n).copied());
                if let Some(sent) = sent {
                    let us = now.duration_since(sent).as_micros().max(1) as u64;
                    if let Ok(mut h) = shared.hist.lock() {
                        let _ = h.record(us);
                    }
                    shared
                        .delivered
                        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
            }
        }));
    }

    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(256)
        .timeout(Duration::from_secs(30))
        .build()?;
    let total = args.rate as u64 * args.seconds as u64;
    let period = Duration::from_secs_f64(1.0 / args.rate as f64);
    let start = tokio::time::Instant::now();
    let ok = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let failed = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let mut posts = Vec::with_capacity(total as usize);
    for n in 0..total {
        tokio::time::sleep_until(start + period.mul_f64(n as f64)).await;
        let body = serde_json::json!({
            // One device per alarm: a device's further alarms of one type would attach to its
            // open item as repeats, and each alarm here must be an item the consoles are sent.
            "device_id": format!("BENCH-{n:06}"),
            "alarm_type": "button",
            "device_time": chrono::Utc::now(),
            "alarm_id": format!("bench-{run_tag}-{n}"),
        });
        let req = http
            .post(format!("{base}/api/v1/alerts"))
            .bearer_auth(&token)
            .json(&body);
        if let Ok(mut m) = shared.sent_at.lock() {
            m.insert(n, Instant::now());
        }
        let ok = ok.clone();
        let failed = failed.clone();
        posts.push(tokio::spawn(async move {
            match req.send().await {
                Ok(r) if r.status().is_success() => {
                    ok.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
                }
                _ => failed.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            };
        }));
    }
    for p in posts {
        let _ = p.await;
    }
    let sent = ok.load(std::sync::atomic::Ordering::Relaxed);
    let expected = sent * args.clients as u64;
    // Give the last events time to arrive.
    let deadline = Instant::now() + Duration::from_secs(15);
    while shared.delivered.load(std::sync::atomic::Ordering::Relaxed) < expected
        && Instant::now() < deadline
    {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    for r in &readers {
        r.abort();
    }
    let delivered = shared.delivered.load(std::sync::atomic::Ordering::Relaxed);
    let h = shared
        .hist
        .lock()
        .map_err(|_| anyhow::anyhow!("poisoned"))?;
    let ms = |q: f64| h.value_at_quantile(q) as f64 / 1000.0;
    Ok(IntakeReport {
        p50_ms: ms(0.50),
        p95_ms: ms(0.95),
        p99_ms: ms(0.99),
        max_ms: h.max() as f64 / 1000.0,
        sent,
        delivered,
        lost: expected.saturating_sub(delivered),
        failed_posts: failed.load(std::sync::atomic::Ordering::Relaxed),
    })
}

/// The alarm number of an `item_created` event of this run, without a full parse.
fn alarm_number(text: &str, prefix: &str) -> Option<u64> {
    if !text.contains("\"item_created\"") {
        return None;
    }
    let start = text.find(prefix)? + prefix.len();
    let digits: String = text[start..]
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    digits.parse().ok()
}

/// What `bench assign` measured: the assignment help's ranking (both matrices, judging and
/// sorting) of `resources` resources for one item, over `runs` items.
#[derive(Debug)]
pub struct AssignReport {
    pub resources: usize,
    pub runs: usize,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    /// Candidates with an ETA by road, per run on average (the rest are off the network).
    pub with_eta: f64,
}

impl std::fmt::Display for AssignReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "resources={} runs={} p50_ms={:.2} p99_ms={:.2} max_ms={:.2} with_eta={:.1}",
            self.resources, self.runs, self.p50_ms, self.p99_ms, self.max_ms, self.with_eta
        )
    }
}

/// A small deterministic generator (the bench repeats with the same seed).
struct Lcg(u64);

impl Lcg {
    /// A number in [0, 1).
    fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }

    /// A point within about 6 km of Piața Victoriei, Timișoara.
    fn point(&mut self) -> routing::travel::LonLat {
        routing::travel::LonLat::new(
            21.2257 + (self.next() - 0.5) * 0.16,
            45.7537 + (self.next() - 0.5) * 0.11,
        )
    }
}

/// A synthetic fleet of `n`: half vans (some with wheelchair places), a quarter drivers, the
/// rest EMIU teams; one in five committed to an item, one in ten off duty.
fn synthetic_fleet(n: usize, rng: &mut Lcg) -> Vec<crate::domain::Resource> {
    use crate::domain::{ItemId, Resource, ResourceId, ResourceKind, ResourceStatus};
    (0..n)
        .map(|i| {
            let kind = match i % 4 {
                0 | 1 => ResourceKind::Vehicle,
                2 => ResourceKind::Driver,
                _ => ResourceKind::EmiuTeam,
            };
            let (status, current_item) = match i % 10 {
                0 | 5 => (ResourceStatus::Assigned, Some(ItemId::new())),
                3 => (ResourceStatus::OffDuty, None),
                _ => (ResourceStatus::Available, None),
            };
            Resource {
                id: ResourceId(format!("R-{i:03}")),
                kind,
                name: format!("Resursă {i}"),
                seats: 4,
                wheelchair_places: u32::from(i.is_multiple_of(3)),
                status,
                current_item,
                position: Some(rng.point()),
                version: 0,
            }
        })
        .collect()
}

/// `dispecer bench assign`: loads the road network, builds a synthetic fleet of `resources`
/// around Timișoara and times the assignment help's ranking for `runs` items at random places
/// (a wheelchair booking every third run, a domestic-violence case every fifth).
pub fn assign(
    config_file: Option<&std::path::Path>,
    resources: usize,
    runs: usize,
    seed: u64,
) -> anyhow::Result<AssignReport> {
    use crate::assign::rules::{rank, Need, Situation};
    anyhow::ensure!(resources >= 1, "--resources must be at least 1");
    anyhow::ensure!(runs >= 1, "--runs must be at least 1");
    let config = Config::load(config_file)?;
    let started = Instant::now();
    let net = routing::network::RoadNetwork::load(
        &config.routing.osm_file,
        Some(&config.routing.cache_dir),
    )?;
    eprintln!(
        "road network loaded in {} ms",
        started.elapsed().as_millis()
    );
    let mut rng = Lcg(seed);
    let fleet = synthetic_fleet(resources, &mut rng);
    let vans: Vec<crate::transport::model::Vehicle> = Vec::new();
    let pairs = crate::assign::rules::pairs(&vans);
    let on_run: std::collections::HashSet<String> =
        fleet.iter().step_by(7).map(|r| r.id.0.clone()).collect();
    let mut hist = Histogram::<u64>::new(3)?;
    let mut with_eta = 0usize;
    // One warm-up run: the first touches every page of the network.
    let mut run = |i: usize, hist: Option<&mut Histogram<u64>>| -> anyhow::Result<usize> {
        let situation = Situation {
            network: Some(&net),
            at: Some(rng.point()),
            need: Need {
                wheelchair: i.is_multiple_of(3),
                emiu: i.is_multiple_of(5),
            },
            on_transport_run: &on_run,
            pairs: &pairs,
            second_of_day: 10 * 3600,
        };
        let t = Instant::now();
        let ranked = rank(&fleet, &situation);
        let micros = t.elapsed().as_micros() as u64;
        if let Some(h) = hist {
            h.record(micros.max(1))?;
        }
        Ok(ranked.iter().filter(|c| c.eta_s.is_some()).count())
    };
    run(0, None)?;
    for i in 0..runs {
        with_eta += run(i, Some(&mut hist))?;
    }
    let ms = |q: f64| hist.value_at_quantile(q) as f64 / 1000.0;
    Ok(AssignReport {
        resources,
        runs,
        p50_ms: ms(0.5),
        p99_ms: ms(0.99),
        max_ms: hist.max() as f64 / 1000.0,
        with_eta: with_eta as f64 / runs as f64,
    })
}

/// What `bench restart` measured.
#[derive(Debug)]
pub struct RestartReport {
    pub events: i64,
    pub generate_s: f64,
    /// Each restart's time, the first one right after the log was written.
    pub restart_s: Vec<f64>,
    pub items: usize,
    pub open_items: usize,
    /// Growth of the process's resident memory while the live state was rebuilt.
    pub state_bytes: i64,
}

impl std::fmt::Display for RestartReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let per = |n: usize| self.state_bytes as f64 / n.max(1) as f64;
        write!(
            f,
            "events={} generate_s={:.1} restart_s={} items={} open_items={} state_mib={:.1} \
             bytes_per_item={:.0} bytes_per_open_item={:.0}",
            self.events,
            self.generate_s,
            self.restart_s
                .iter()
                .map(|s| format!("{s:.2}"))
                .collect::<Vec<_>>()
                .join(","),
            self.items,
            self.open_items,
            self.state_bytes as f64 / (1024.0 * 1024.0),
            per(self.items),
            per(self.open_items),
        )
    }
}

/// Resident memory of this process, from `/proc/self/statm` (Linux), in bytes.
fn resident_bytes() -> i64 {
    let pages = std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse::<i64>().ok())
        .unwrap_or(0);
    pages * 4096
}

/// `dispecer bench restart --events N [--store URL] [--runs R]`: writes a synthetic year of about
/// `events` events through the core (alarms and calls acknowledged, noted and closed, one in fifty
/// left open), stops that instance, then times `runs` restarts one after the other:
/// `startup::build`, which rebuilds the live state from the whole log before it answers anything.
/// The first restart reads rows just written (PostgreSQL then also marks every row as committed on
/// its first read); the later ones read the log as a long-running service finds it. Prints the
/// figures on one line.
pub async fn restart(
    events: u64,
    store: Option<String>,
    runs: usize,
) -> anyhow::Result<RestartReport> {
    use crate::core::Command;
    use crate::domain::{AlarmType, CallCategory, Details};
    use futures_util::stream::{self, StreamExt as _};

    anyhow::ensure!(events >= 100, "--events must be at least 100");
    anyhow::ensure!(runs >= 1, "--runs must be at least 1");
    let dir = tempfile::tempdir()?;
    let mut config = Config::load(None)?;
    config.routing.enabled = false;
    config.store.url = match &store {
        Some(url) => url.clone(),
        None => format!("sqlite://{}", dir.path().join("restart.sqlite").display()),
    }
    .into();

    // A year of work: four events per item (created, acknowledged, note, closed).
    let items = events / 4;
    let generated = Instant::now();
    {
        let shutdown = CancellationToken::new();
        let state = startup::build(config.clone(), shutdown.clone()).await?;
        let core = state.core.clone();
        let start = chrono::Utc::now() - chrono::Duration::days(365);
        let outcome = stream::iter(0..items)
            .map(|n| {
                let core = core.clone();
                async move {
                    let details = if n % 3 == 0 {
                        Details::Call {
                            caller_number: format!("+4072{:07}", n % 10_000_000),
                            category: CallCategory::Information,
                            immediate_danger: false,
                            location: None,
                            notes: "apel de informare (sintetic)".into(),
                            channel: Default::default(),
                            reporter: Default::default(),
                        }
                    } else {
                        Details::Alert {
                            device_id: format!("TA-Y{n:07}"),
                            alarm_type: if n % 2 == 0 {
                                AlarmType::Button
                            } else {
                                AlarmType::Fall
                            },
                            device_time: start + chrono::Duration::seconds(n as i64 * 30),
                            receiver_alarm_id: format!("year-{n}"),
                            receiver: "bench-restart".into(),
                        }
                    };
                    let created = core
                        .execute(
                            "bench-restart",
                            Command::Create {
                                details,
                                subject: None,
                                key: None,
                                rate_limited: false,
                            },
                        )
                        .await?;
                    let crate::core::Outcome::Item { item, .. } = created else {
                        anyhow::bail!("the core did not answer with an item");
                    };
                    let item_id = item.id;
                    core.execute("dispecer-an", Command::Acknowledge { item_id })
                        .await?;
                    core.execute(
                        "dispecer-an",
                        Command::AddNote {
                            item_id,
                            text: "beneficiarul a fost sunat înapoi (sintetic)".into(),
                        },
                    )
                    .await?;
                    // One in fifty stays open, as a busy day leaves some work for the next shift.
                    if n % 50 != 0 {
                        let outcome = if n % 3 == 0 {
                            "advice_given"
                        } else {
                            "false_alarm"
                        };
                        core.execute(
                            "dispecer-an",
                            Command::Close {
                                item_id,
                                outcome: outcome.into(),
                            },
                        )
                        .await?;
                    }
                    anyhow::Ok(())
                }
            })
            .buffer_unordered(512)
            .fold(Ok(()), |acc, r| async move { acc.and(r) })
            .await;
        outcome?;
        shutdown.cancel();
    }
    let generate_s = generated.elapsed().as_secs_f64();
    // The writing instance winds down before the first restart, as between the restarts below.
    tokio::time::sleep(Duration::from_secs(2)).await;

    let mut restart_s = Vec::with_capacity(runs);
    let mut state_bytes = 0;
    let mut run = 1;
    let (state, shutdown) = loop {
        let restarted = Instant::now();
        let shutdown = CancellationToken::new();
        let before = resident_bytes();
        let state = startup::build(config.clone(), shutdown.clone()).await?;
        restart_s.push(restarted.elapsed().as_secs_f64());
        if run == 1 {
            state_bytes = resident_bytes() - before;
        }
        // The last restart is kept for the counts below.
        if run == runs {
            break (state, shutdown);
        }
        shutdown.cancel();
        drop(state);
        // The stopped instance's tasks let go of its state in the background: let them finish,
        // as a new process would not share the machine with the old one.
        tokio::time::sleep(Duration::from_secs(2)).await;
        run += 1;
    };
    let (events, items, open_items) = state.core.read(|s| {
        (
            s.seq.0,
            s.items().count(),
            s.items()
                .filter(|i| i.status != crate::domain::Status::Closed)
                .count(),
        )
    });
    shutdown.cancel();
    Ok(RestartReport {
        events,
        generate_s,
        restart_s,
        items,
        open_items,
        state_bytes,
    })
}
