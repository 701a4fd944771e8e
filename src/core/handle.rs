//! The cheap, cloneable handle through which HTTP handlers and websocket loops talk to the core.

use std::collections::HashSet;
use std::sync::{Arc, Mutex, OnceLock, RwLock};
use tokio::sync::{broadcast, mpsc, oneshot};

use super::command::{Command, CoreError, Outcome};
use super::state::LiveState;
use crate::domain::ItemId;
use crate::events::StoredEvent;

/// A command on its way to the core, with whom to answer.
pub(crate) struct Request {
    pub(crate) actor: String,
    pub(crate) cmd: Command,
    pub(crate) reply: Option<oneshot::Sender<Result<Outcome, CoreError>>>,
}

/// A committed event as the core broadcasts it to its subscribers (the websocket loops).
pub(crate) struct Published {
    pub(crate) event: StoredEvent,
    /// The event as its subscribers send it, encoded by the first one that needs it and reused
    /// by the others: one encoding per event, not one per client. The core leaves it empty;
    /// what goes over the wire is the push layer's business.
    pub(crate) frame: OnceLock<String>,
}

impl Published {
    pub(crate) fn new(event: StoredEvent) -> Self {
        Self {
            event,
            frame: OnceLock::new(),
        }
    }
}

pub(crate) struct Shared {
    /// Live state. Written only by the core task, and only with committed events; every
    /// broadcast happens under the write lock, so "subscribe, then read" never misses an event.
    pub(crate) state: RwLock<LiveState>,
    pub(crate) events: broadcast::Sender<Arc<Published>>,
    /// Items some console already received, so that only the first push is recorded.
    pub(crate) pushed: Mutex<HashSet<ItemId>>,
    /// First pushes not yet recorded, with the console user who received each. The core
    /// records them with the next batch it commits, so under load they cost no commit of their
    /// own and no request each.
    pub(crate) pending_pushed: Mutex<Vec<(ItemId, String)>>,
}

/// Handle to the core task.
#[derive(Clone)]
pub struct CoreHandle {
    pub(crate) tx: mpsc::Sender<Request>,
    pub(crate) shared: Arc<Shared>,
}

impl CoreHandle {
    /// Runs a command; answers once its events are committed (or it was refused).
    pub async fn execute(&self, actor: &str, cmd: Command) -> Result<Outcome, CoreError> {
        let (reply, rx) = oneshot::channel();
        let req = Request {
            actor: actor.to_owned(),
            cmd,
            reply: Some(reply),
        };
        self.tx
            .send(req)
            .await
            .map_err(|_| CoreError::Unavailable("the core is shutting down".into()))?;
        rx.await
            .map_err(|_| CoreError::Unavailable("the core is shutting down".into()))?
    }

    /// Reads the live state. Keep `f` short: it holds the read lock.
    pub fn read<R>(&self, f: impl FnOnce(&LiveState) -> R) -> R {
        let guard = self.shared.state.read().unwrap_or_else(|p| p.into_inner());
        f(&guard)
    }

    /// Subscribes to committed events, then reads the state: every event after the state's
    /// `seq` is guaranteed to arrive on the receiver.
    pub(crate) fn subscribe_then_read<R>(
        &self,
        f: impl FnOnce(&LiveState) -> R,
    ) -> (broadcast::Receiver<Arc<Published>>, R) {
        let guard = self.shared.state.read().unwrap_or_else(|p| p.into_inner());
        let rx = self.shared.events.subscribe();
        (rx, f(&guard))
    }

    /// Records that `item` reached a console, once per item and without waiting.
    pub(crate) fn note_pushed(&self, item: ItemId, actor: &str) {
        let first = self
            .shared
            .pushed
            .lock()
            .map(|mut set| set.insert(item))
            .unwrap_or(false);
        if !first {
            return;
        }
        let wake = match self.shared.pending_pushed.lock() {
            Ok(mut pending) => {
                pending.push((item, actor.to_owned()));
                pending.len() == 1
            }
            Err(_) => false,
        };
        if wake {
            // An empty mark only wakes the core, which takes every pending mark with its next
            // batch. A full queue loses nothing: the marks wait for the next batch.
            let req = Request {
                actor: "system".to_owned(),
                cmd: Command::MarkPushed {
                    item_ids: Vec::new(),
                },
                reply: None,
            };
            let _ = self.tx.try_send(req);
        }
    }
}
