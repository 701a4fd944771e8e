//! The core task: the single writer of an instance. It takes commands in batches (group
//! commit), decides them against a state brought up to date under the store's lock, commits,
//! then applies and broadcasts — so nothing is ever shown or acknowledged before it is durable.

use chrono::{SubsecRound, Utc};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;
use tokio::sync::{broadcast, mpsc};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tracing::{debug, error, info, warn};

use super::command::{Command, CoreError, Outcome};
use super::decide::{decide, escalate, Ctx};
use super::handle::{CoreHandle, Published, Request, Shared};
use super::state::{LiveState, Overlay};
use crate::domain::{ItemId, Seq};
use crate::events::bus::{Bus, Incoming};
use crate::events::{Event, StoredEvent};
use crate::queue::Rules;
use crate::store::{Decision, Store};
use futures_util::StreamExt as _;

/// Settings of the core task.
pub(crate) struct CoreSettings {
    pub(crate) max_batch: usize,
    pub(crate) client_buffer: usize,
    /// How often to read the log for other instances' events; `None` for a single instance.
    pub(crate) poll_interval: Option<Duration>,
}

struct Core {
    store: Arc<dyn Store>,
    bus: Arc<dyn Bus>,
    rules: Rules,
    shared: Arc<Shared>,
    rx: mpsc::Receiver<Request>,
    incoming: mpsc::Receiver<Incoming>,
    settings: CoreSettings,
    /// After a failed commit, timer-driven work waits until then instead of spinning.
    backoff_until: Option<Instant>,
}

/// Events per page read while rebuilding the live state.
const REBUILD_PAGE: i64 = 10_000;
/// Ranges read at once while rebuilding.
const REBUILD_READERS: usize = 4;

/// Rebuilds the live state from the log and starts the core task.
pub(crate) async fn start(
    store: Arc<dyn Store>,
    bus: Arc<dyn Bus>,
    rules: Rules,
    settings: CoreSettings,
    shutdown: CancellationToken,
) -> anyhow::Result<(CoreHandle, tokio::task::JoinHandle<()>)> {
    let mut state = LiveState::default();
    let started = std::time::Instant::now();
    // The log up to its last event is read in numbered ranges, several at once, each on its own
    // task (the database produces one range while this process parses another), and folded in
    // order as they arrive. What other instances append meanwhile is read after, page by page.
    let last = store.last_seq().await?;
    let ranges = (state.seq.0..last.0)
        .step_by(REBUILD_PAGE as usize)
        .map(|a| (Seq(a), Seq((a + REBUILD_PAGE).min(last.0))));
    let reader = store.clone();
    let mut pages = futures_util::stream::iter(ranges)
        .map(move |(after, upto)| {
            let store = reader.clone();
            tokio::spawn(async move { store.events_between(after, upto).await })
        })
        .buffered(REBUILD_READERS);
    while let Some(page) = pages.next().await {
        for e in &page?? {
            state.apply_committed(e);
        }
    }
    loop {
        let page = store.events_after(state.seq, REBUILD_PAGE).await?;
        if page.is_empty() {
            break;
        }
        for e in &page {
            state.apply_committed(e);
        }
    }
    info!(
        seq = state.seq.0,
        ms = started.elapsed().as_millis() as u64,
        "live state rebuilt from the event log"
    );
    let (events, _) = broadcast::channel(settings.client_buffer);
    let shared = Arc::new(Shared {
        state: RwLock::new(state),
        events,
        pushed: Mutex::new(Default::default()),
        pending_pushed: Mutex::new(Vec::new()),
    });
    let (tx, rx) = mpsc::channel(16_384);
    let incoming = bus.incoming();
    let core = Core {
        store,
        bus,
        rules,
        shared: shared.clone(),
        rx,
        incoming,
        settings,
        backoff_until: None,
    };
    let task = tokio::spawn(core.run(shutdown));
    Ok((CoreHandle { tx, shared }, task))
}

impl Core {
    async fn run(mut self, shutdown: CancellationToken) {
        let mut poll = self.settings.poll_interval.map(tokio::time::interval);
        // The memory bus closes its stream at once; stop polling it then.
        let mut bus_open = true;
        loop {
            let wake = self.next_wake();
            tokio::select! {
                biased;
                _ = shutdown.cancelled() => break,
                first = self.rx.recv() => {
                    let Some(first) = first else { break };
                    let mut batch = vec![first];
                    while batch.len() < self.settings.max_batch {
                        match self.rx.try_recv() {
                            Ok(r) => batch.push(r),
                            Err(_) => break,
                        }
                    }
                    self.process(batch).await;
                    // Marks whose wake-up found the queue full are not left waiting.
                    if self.shared.pending_pushed.lock().map(|p| !p.is_empty()).unwrap_or(false) {
                        self.process(Vec::new()).await;
                    }
                }
                msg = self.incoming.recv(), if bus_open => match msg {
                    Some(Incoming::Events(events)) => self.follow(Some(events)).await,
                    Some(Incoming::Resync) => self.follow(None).await,
                    None => bus_open = false,
                },
                _ = tokio::time::sleep_until(wake.unwrap_or_else(far_future)), if wake.is_some() => {
                    let req = Request { actor: "system".into(), cmd: Command::EscalateDue, reply: None };
                    self.process(vec![req]).await;
                }
                _ = tick(&mut poll), if poll.is_some() => self.follow(None).await,
            }
        }
        info!("core stopped");
    }

    /// When the deadline timer should fire next.
    fn next_wake(&self) -> Option<Instant> {
        let deadline = self.read_state(|s| s.next_deadline())?;
        let wait = (deadline - Utc::now()).to_std().unwrap_or(Duration::ZERO);
        let at = Instant::now() + wait;
        Some(match self.backoff_until {
            Some(b) if b > at => b,
            _ => at,
        })
    }

    fn read_state<R>(&self, f: impl FnOnce(&LiveState) -> R) -> R {
        let guard = self.shared.state.read().unwrap_or_else(|p| p.into_inner());
        f(&guard)
    }

    /// Applies committed events to the live state and broadcasts them, in order.
    fn publish_locally(&self, events: &[StoredEvent]) {
        let mut state = self.shared.state.write().unwrap_or_else(|p| p.into_inner());
        for e in events {
            if e.seq <= state.seq {
                continue;
            }
            if e.seq != state.seq.next() {
                warn!(
                    have = state.seq.0,
                    got = e.seq.0,
                    "gap in events; will resynchronise"
                );
                break;
            }
            state.apply_committed(e);
            if let Event::Closed { item_id, .. } = &e.event {
                if let Ok(mut pushed) = self.shared.pushed.lock() {
                    pushed.remove(item_id);
                }
            }
            // No receiver is not an error: nobody is watching.
            let _ = self.shared.events.send(Arc::new(Published::new(e.clone())));
        }
    }

    async fn process(&mut self, mut batch: Vec<Request>) {
        let started = std::time::Instant::now();
        batch.extend(self.take_pending_pushed());
        batch.retain(|r| {
            r.reply.is_some()
                || !matches!(&r.cmd, Command::MarkPushed { item_ids } if item_ids.is_empty())
        });
        if batch.is_empty() {
            return;
        }
        let mut keys: Vec<String> = batch
            .iter()
            .filter_map(|r| r.cmd.key().map(str::to_owned))
            .collect();
        keys.sort();
        keys.dedup();
        let known = self.read_state(|s| s.seq);
        // Microseconds: what PostgreSQL keeps, so a state rebuilt from the log is identical.
        let now = Utc::now().trunc_subsecs(6);
        let mut results: Vec<Result<Outcome, CoreError>> = Vec::with_capacity(batch.len());
        let shared = &self.shared;
        let rules = &self.rules;
        let batch_ref = &batch;
        let results_ref = &mut results;
        let mut decide_fn = move |caught_up: Vec<StoredEvent>,
                                  existing: &HashMap<String, ItemId>| {
            let mut state = shared.state.write().unwrap_or_else(|p| p.into_inner());
            for e in caught_up {
                if e.seq == state.seq.next() {
                    state.apply_committed(&e);
                    let _ = shared.events.send(Arc::new(Published::new(e)));
                }
            }
            let mut overlay = Overlay::new(&state);
            let mut ctx = Ctx {
                now,
                rules,
                next_seq: state.seq.next(),
                events: Vec::new(),
            };
            let mut new_keys: Vec<(String, ItemId)> = Vec::new();
            results_ref.clear();
            for req in batch_ref {
                let key = req.cmd.key();
                let known_item = key.and_then(|k| {
                    existing
                        .get(k)
                        .or_else(|| new_keys.iter().find(|(nk, _)| nk == k).map(|(_, id)| id))
                        .copied()
                });
                let result = if matches!(req.cmd, Command::EscalateDue) {
                    let due = state.due(now);
                    escalate(&mut overlay, &mut ctx, &due);
                    Ok(Outcome::Done)
                } else {
                    decide(
                        &mut overlay,
                        &mut ctx,
                        &req.actor,
                        req.cmd.clone(),
                        known_item,
                    )
                };
                // A key seen for the first time points to the item its command produced (the
                // new item of a `Create`, the noted item of an `AddNoteOnce`).
                if let (Some(k), None, Ok(Outcome::Item { item, .. })) = (key, known_item, &result)
                {
                    new_keys.push((k.to_owned(), item.id));
                }
                results_ref.push(result);
            }
            Decision {
                events: ctx.events,
                new_keys,
            }
        };
        let committed = self.store.append(known, &keys, &mut decide_fn).await;
        metrics::histogram!("dispecer_core_batch_size").record(batch.len() as f64);
        match committed {
            Ok(events) => {
                self.backoff_until = None;
                self.publish_locally(&events);
                if !events.is_empty() {
                    self.bus.publish(events);
                }
                metrics::histogram!("dispecer_core_commit_seconds")
                    .record(started.elapsed().as_secs_f64());
                for (req, result) in batch.into_iter().zip(results) {
                    if let Some(reply) = req.reply {
                        let _ = reply.send(result);
                    }
                }
            }
            Err(e) => {
                error!(error = %e, batch = batch.len(), "commit failed; nothing was acknowledged");
                metrics::counter!("dispecer_core_commit_failures_total").increment(1);
                self.backoff_until = Some(Instant::now() + Duration::from_millis(250));
                for req in batch {
                    if let Some(reply) = req.reply {
                        let _ = reply.send(Err(CoreError::Unavailable(
                            "the event could not be stored; try again".into(),
                        )));
                    }
                }
            }
        }
    }

    /// The first pushes noted since the last batch, one command per console user.
    fn take_pending_pushed(&self) -> Vec<Request> {
        let pending = match self.shared.pending_pushed.lock() {
            Ok(mut p) => std::mem::take(&mut *p),
            Err(_) => return Vec::new(),
        };
        let mut by_actor: Vec<(String, Vec<ItemId>)> = Vec::new();
        for (item, actor) in pending {
            match by_actor.iter_mut().find(|(a, _)| *a == actor) {
                Some((_, ids)) => ids.push(item),
                None => by_actor.push((actor, vec![item])),
            }
        }
        by_actor
            .into_iter()
            .map(|(actor, item_ids)| Request {
                actor,
                cmd: Command::MarkPushed { item_ids },
                reply: None,
            })
            .collect()
    }

    /// Brings the live state up to date with events other instances committed: directly from a
    /// bus message when it continues our sequence, otherwise from the log.
    async fn follow(&mut self, hint: Option<Vec<StoredEvent>>) {
        let seq = self.read_state(|s| s.seq);
        if let Some(events) = hint {
            match events.first() {
                Some(first) if first.seq <= seq.next() => {
                    self.publish_locally(&events);
                    if self.read_state(|s| s.seq) >= events.last().map(|e| e.seq).unwrap_or(seq) {
                        return;
                    }
                }
                None => return,
                Some(_) => debug!(have = seq.0, "bus message ahead of us; reading the log"),
            }
        }
        loop {
            let seq = self.read_state(|s| s.seq);
            match self.store.events_after(seq, 5_000).await {
                Ok(page) if page.is_empty() => break,
                Ok(page) => self.publish_locally(&page),
                Err(e) => {
                    warn!(error = %e, "could not read the log to catch up; will retry");
                    break;
                }
            }
        }
    }
}

fn far_future() -> Instant {
    Instant::now() + Duration::from_secs(86_400)
}

async fn tick(poll: &mut Option<tokio::time::Interval>) {
    match poll {
        Some(p) => {
            p.tick().await;
        }
        None => std::future::pending().await,
    }
}
