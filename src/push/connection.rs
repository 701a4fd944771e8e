//! One websocket client: snapshot or replay, then every committed event in order. Generic over
//! `Sink`/`Stream` of text frames so tests can drive it with channels.

use futures_util::{Sink, SinkExt, Stream, StreamExt};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast::error::{RecvError, TryRecvError};
use tokio_util::sync::CancellationToken;
use tracing::debug;

use super::filter::Filter;
use super::protocol::{ClientMessage, ServerMessage};
use crate::core::CoreHandle;
use crate::domain::{Seq, Status};
use crate::events::{Event, StoredEvent};
use crate::store::Store;

/// Most events replayed from the log before a fresh snapshot is cheaper.
const MAX_REPLAY: i64 = 20_000;
/// A client that does not take a frame within this time is disconnected: it must not hold the
/// server's memory or a task forever. It can reconnect with its last sequence number.
const SEND_TIMEOUT: Duration = Duration::from_secs(10);

/// What the connection needs.
pub struct Client {
    pub core: CoreHandle,
    pub store: Arc<dyn Store>,
    /// What the user may see, and what they already saw.
    pub filter: Filter,
    /// Whether this client is a dispatch console (its receipt counts as "shown").
    pub console: bool,
    pub after: Option<Seq>,
}

#[derive(Debug)]
enum End {
    ClientLeft,
    SendFailed,
    Shutdown,
}

/// Serves one client until it leaves, fails to read in time, or the server shuts down.
pub async fn serve<S, R, E>(
    mut client: Client,
    mut sink: S,
    mut stream: R,
    shutdown: CancellationToken,
) where
    S: Sink<String> + Unpin,
    R: Stream<Item = Result<String, E>> + Unpin,
{
    let mut last_sent = Seq(0);
    let after = client.after;
    let mut rx = match start(&mut client, &mut sink, &mut last_sent, after).await {
        Some(rx) => rx,
        None => return,
    };
    let end = loop {
        tokio::select! {
            _ = shutdown.cancelled() => break End::Shutdown,
            ev = rx.recv() => {
                if let Err(end) = forward(&mut client, &mut sink, &mut rx, ev, &mut last_sent).await {
                    break end;
                }
            }
            msg = stream.next() => match msg {
                Some(Ok(text)) => {
                    let reply = match serde_json::from_str::<ClientMessage>(&text) {
                        Ok(ClientMessage::Ping) => ServerMessage::Pong { seq: last_sent },
                        Err(e) => ServerMessage::Error { message: format!("unknown message: {e}") },
                    };
                    if send(&mut sink, &reply).await.is_err() { break End::SendFailed; }
                }
                Some(Err(_)) | None => break End::ClientLeft,
            },
        }
    };
    debug!(?end, "websocket client finished");
}

/// Most events written to the socket before it is flushed: under load, events that are already
/// waiting go out in one write instead of one write each.
const MAX_FEED: usize = 64;

/// Forwards `first` and every event already waiting behind it (up to [`MAX_FEED`]), then
/// flushes once. A lagging receiver is replayed from the log.
async fn forward<S: Sink<String> + Unpin>(
    client: &mut Client,
    sink: &mut S,
    rx: &mut tokio::sync::broadcast::Receiver<Arc<crate::core::Committed>>,
    first: Result<Arc<crate::core::Committed>, RecvError>,
    last_sent: &mut Seq,
) -> Result<(), End> {
    let mut next = Some(first);
    let mut fed = 0;
    while let Some(ev) = next.take() {
        match ev {
            Ok(ev) => {
                if ev.event.seq > *last_sent {
                    send_committed(client, sink, &ev)
                        .await
                        .map_err(|_| End::SendFailed)?;
                    *last_sent = ev.event.seq;
                    fed += 1;
                }
            }
            Err(RecvError::Lagged(n)) => {
                debug!(
                    missed = n,
                    "websocket client lagged; replaying from the log"
                );
                metrics::counter!("dispecer_ws_lagged_total").increment(1);
                timed_flush(sink).await.map_err(|_| End::SendFailed)?;
                let resume = Some(*last_sent);
                *rx = start(client, sink, last_sent, resume)
                    .await
                    .ok_or(End::SendFailed)?;
                return Ok(());
            }
            Err(RecvError::Closed) => return Err(End::Shutdown),
        }
        if fed < MAX_FEED {
            next = match rx.try_recv() {
                Ok(ev) => Some(Ok(ev)),
                Err(TryRecvError::Lagged(n)) => Some(Err(RecvError::Lagged(n))),
                Err(TryRecvError::Empty) => None,
                Err(TryRecvError::Closed) => Some(Err(RecvError::Closed)),
            };
        }
    }
    timed_flush(sink).await.map_err(|_| End::SendFailed)
}

/// Subscribes, then sends either the events after `after` (from the log) or a snapshot.
/// Returns the subscription, positioned so nothing is missed or repeated.
async fn start<S: Sink<String> + Unpin>(
    client: &mut Client,
    sink: &mut S,
    last_sent: &mut Seq,
    after: Option<Seq>,
) -> Option<tokio::sync::broadcast::Receiver<Arc<crate::core::Committed>>> {
    let (replay_rx, seq) = client.core.subscribe_then_read(|s| s.seq);
    if let Some(after) = after {
        if after <= seq && seq.0 - after.0 <= MAX_REPLAY {
            let mut cursor = after;
            let mut ok = true;
            while cursor < seq {
                match client.store.events_after(cursor, 1000).await {
                    Ok(page) if !page.is_empty() => {
                        for ev in page.iter().take_while(|e| e.seq <= seq) {
                            if send_event(client, sink, ev).await.is_err() {
                                return None;
                            }
                            cursor = ev.seq;
                        }
                        if page.last().map(|e| e.seq) > Some(seq) {
                            break;
                        }
                    }
                    _ => {
                        ok = false;
                        break;
                    }
                }
            }
            if ok && cursor == seq {
                if timed_flush(sink).await.is_err() {
                    return None;
                }
                *last_sent = seq;
                return Some(replay_rx);
            }
        }
    }
    // A snapshot: taken under the read lock, so it is exactly the state as of its seq.
    let filter = &mut client.filter;
    let (rx, (snapshot_seq, text, fresh)) = client.core.subscribe_then_read(|s| {
        let items = filter.snapshot_items(s.items().filter(|i| i.status != Status::Closed));
        let fresh: Vec<_> = items
            .iter()
            .filter(|i| i.times.first_pushed.is_none())
            .map(|i| i.id)
            .collect();
        let resources: Vec<_> = s
            .resources()
            .filter(|r| crate::access::sees_resource(filter.caller(), &r.id))
            .collect();
        let msg = ServerMessage::Snapshot {
            seq: s.seq,
            items,
            resources,
        };
        (
            s.seq,
            serde_json::to_string(&msg).unwrap_or_default(),
            fresh,
        )
    });
    if timed_send(sink, text).await.is_err() {
        return None;
    }
    if client.console {
        for id in fresh {
            client.core.note_pushed(id, &client.filter.caller().name);
        }
    }
    *last_sent = snapshot_seq;
    Some(rx)
}

/// Sends a live event, reusing its shared frame when the client may see it unchanged.
async fn send_committed<S: Sink<String> + Unpin>(
    client: &mut Client,
    sink: &mut S,
    ev: &crate::core::Committed,
) -> Result<(), ()> {
    let frames = client
        .filter
        .frames(&ev.event, &client.core, Some(&ev.frame));
    deliver(client, sink, &ev.event, frames).await
}

/// Sends an event read from the log (replay).
async fn send_event<S: Sink<String> + Unpin>(
    client: &mut Client,
    sink: &mut S,
    ev: &StoredEvent,
) -> Result<(), ()> {
    let frames = client.filter.frames(ev, &client.core, None);
    deliver(client, sink, ev, frames).await
}

async fn deliver<S: Sink<String> + Unpin>(
    client: &mut Client,
    sink: &mut S,
    ev: &StoredEvent,
    frames: Vec<String>,
) -> Result<(), ()> {
    let shown = !frames.is_empty();
    for frame in frames {
        timed_feed(sink, frame).await?;
    }
    if client.console && shown {
        if let Event::ItemCreated { item } = &ev.event {
            client
                .core
                .note_pushed(item.id, &client.filter.caller().name);
        }
    }
    metrics::counter!("dispecer_ws_events_sent_total").increment(1);
    Ok(())
}

async fn send<S: Sink<String> + Unpin>(sink: &mut S, msg: &ServerMessage<'_>) -> Result<(), ()> {
    let text = serde_json::to_string(msg).map_err(|_| ())?;
    timed_send(sink, text).await
}

/// Queues a frame without flushing; the caller flushes.
async fn timed_feed<S: Sink<String> + Unpin>(sink: &mut S, text: String) -> Result<(), ()> {
    match tokio::time::timeout(SEND_TIMEOUT, sink.feed(text)).await {
        Ok(Ok(())) => Ok(()),
        _ => Err(()),
    }
}

async fn timed_flush<S: Sink<String> + Unpin>(sink: &mut S) -> Result<(), ()> {
    match tokio::time::timeout(SEND_TIMEOUT, sink.flush()).await {
        Ok(Ok(())) => Ok(()),
        _ => Err(()),
    }
}

async fn timed_send<S: Sink<String> + Unpin>(sink: &mut S, text: String) -> Result<(), ()> {
    match tokio::time::timeout(SEND_TIMEOUT, sink.send(text)).await {
        Ok(Ok(())) => Ok(()),
        _ => Err(()),
    }
}
