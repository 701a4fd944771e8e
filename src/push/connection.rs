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
use crate::access::Visibility;
use crate::core::{CoreHandle, Published};
use crate::domain::{Seq, Status};
use crate::events::{Event, StoredEvent};
use crate::store::{AuditRecord, Store};

/// Most events replayed from the log before a fresh snapshot is cheaper.
const MAX_REPLAY: i64 = 20_000;

/// What the connection needs.
pub(crate) struct Client {
    pub(crate) core: CoreHandle,
    pub(crate) store: Arc<dyn Store>,
    /// What the user may see, and what they already saw.
    pub(crate) filter: Filter,
    /// Whether this client is a dispatch console (its receipt counts as "shown").
    pub(crate) console: bool,
    pub(crate) after: Option<Seq>,
    /// A client that does not take a frame within this time is disconnected
    /// (`limits.ws_send_timeout_ms`): it must not hold the server's memory or a task forever.
    /// It can reconnect with its last sequence number.
    pub(crate) send_timeout: Duration,
}

#[derive(Debug, PartialEq, Eq)]
enum End {
    ClientLeft,
    SendFailed(SendError),
    Shutdown,
}

/// Why a frame could not be sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SendError {
    /// The connection is gone.
    Closed,
    /// The client did not take the frame in time: it is not reading.
    TooSlow,
}

/// Serves one client until it leaves, fails to read in time, or the server shuts down.
pub(crate) async fn serve<S, R, E>(
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
        Ok(rx) => rx,
        Err(e) => return finished(End::SendFailed(e)),
    };
    let end = loop {
        tokio::select! {
            _ = shutdown.cancelled() => break End::Shutdown,
            ev = rx.recv() => {
                if let Err(e) = forward(&mut client, &mut sink, &mut rx, ev, &mut last_sent).await {
                    break e;
                }
            }
            msg = stream.next() => match msg {
                Some(Ok(text)) => {
                    let reply = match serde_json::from_str::<ClientMessage>(&text) {
                        Ok(ClientMessage::Ping) => ServerMessage::Pong { seq: last_sent },
                        Err(e) => ServerMessage::Error { message: format!("unknown message: {e}") },
                    };
                    if let Err(e) = send(&mut sink, &reply, client.send_timeout).await { break End::SendFailed(e); }
                }
                Some(Err(_)) | None => break End::ClientLeft,
            },
        }
    };
    finished(end);
}

fn finished(end: End) {
    if end == End::SendFailed(SendError::TooSlow) {
        metrics::counter!("dispecer_ws_clients_dropped_total", "reason" => "too_slow").increment(1);
    }
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
    rx: &mut tokio::sync::broadcast::Receiver<Arc<Published>>,
    first: Result<Arc<Published>, RecvError>,
    last_sent: &mut Seq,
) -> Result<(), End> {
    let mut next = Some(first);
    let mut fed = 0;
    while let Some(ev) = next.take() {
        match ev {
            Ok(ev) => {
                if ev.event.seq > *last_sent {
                    send_published(client, sink, &ev)
                        .await
                        .map_err(End::SendFailed)?;
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
                timed_flush(sink, client.send_timeout)
                    .await
                    .map_err(End::SendFailed)?;
                let resume = Some(*last_sent);
                *rx = start(client, sink, last_sent, resume)
                    .await
                    .map_err(End::SendFailed)?;
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
    timed_flush(sink, client.send_timeout)
        .await
        .map_err(End::SendFailed)
}

/// Subscribes, then sends either the events after `after` (from the log) or a snapshot.
/// Returns the subscription, positioned so nothing is missed or repeated.
async fn start<S: Sink<String> + Unpin>(
    client: &mut Client,
    sink: &mut S,
    last_sent: &mut Seq,
    after: Option<Seq>,
) -> Result<tokio::sync::broadcast::Receiver<Arc<Published>>, SendError> {
    let (replay_rx, seq) = client.core.subscribe_then_read(|s| s.seq);
    if let Some(after) = after {
        if after <= seq && seq.0.saturating_sub(after.0) <= MAX_REPLAY {
            let mut cursor = after;
            let mut ok = true;
            while cursor < seq {
                match client.store.events_after(cursor, 1000).await {
                    Ok(page) if !page.is_empty() => {
                        for ev in page.iter().take_while(|e| e.seq <= seq) {
                            send_event(client, sink, ev).await?;
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
                *last_sent = seq;
                timed_flush(sink, client.send_timeout).await?;
                return Ok(replay_rx);
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
            .filter_map(|r| crate::access::resource_view(filter.caller(), r))
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
    record_reads(client).await?;
    timed_send(sink, text, client.send_timeout).await?;
    if client.console {
        for id in fresh {
            client.core.note_pushed(id, &client.filter.caller().name);
        }
    }
    *last_sent = snapshot_seq;
    Ok(rx)
}

/// Sends a live event, sharing its frame with the other clients that may see it unchanged.
async fn send_published<S: Sink<String> + Unpin>(
    client: &mut Client,
    sink: &mut S,
    ev: &Published,
) -> Result<(), SendError> {
    let frames = client
        .filter
        .frames(&ev.event, &client.core, Some(&ev.frame));
    record_reads(client).await?;
    deliver(client, sink, &ev.event, frames).await
}

/// Sends an event read from the log (replay).
async fn send_event<S: Sink<String> + Unpin>(
    client: &mut Client,
    sink: &mut S,
    ev: &StoredEvent,
) -> Result<(), SendError> {
    let frames = client.filter.frames(ev, &client.core, None);
    record_reads(client).await?;
    deliver(client, sink, ev, frames).await
}

/// Writes the read audit of the sensitive items about to be sent in full, before they go: like
/// an HTTP read, a read that cannot be recorded is not made (the connection ends, and the client
/// reconnects).
async fn record_reads(client: &mut Client) -> Result<(), SendError> {
    for id in client.filter.take_audit() {
        let caller = client.filter.caller();
        let record = AuditRecord {
            at: chrono::Utc::now(),
            actor: caller.name.clone(),
            role: caller.role.as_str().into(),
            action: "websocket".into(),
            item_id: Some(id),
            outcome: Visibility::Full.as_str().into(),
        };
        if client.store.audit(&record).await.is_err() {
            return Err(SendError::Closed);
        }
    }
    Ok(())
}

async fn deliver<S: Sink<String> + Unpin>(
    client: &mut Client,
    sink: &mut S,
    ev: &StoredEvent,
    frames: Vec<String>,
) -> Result<(), SendError> {
    let shown = !frames.is_empty();
    for frame in frames {
        timed_feed(sink, frame, client.send_timeout).await?;
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

async fn send<S: Sink<String> + Unpin>(
    sink: &mut S,
    msg: &ServerMessage<'_>,
    timeout: Duration,
) -> Result<(), SendError> {
    let text = serde_json::to_string(msg).map_err(|_| SendError::Closed)?;
    timed_send(sink, text, timeout).await
}

/// Queues a frame without flushing (the caller flushes), waiting at most `timeout` for room.
/// Between flushes a connection holds at most [`MAX_FEED`] frames.
async fn timed_feed<S: Sink<String> + Unpin>(
    sink: &mut S,
    text: String,
    timeout: Duration,
) -> Result<(), SendError> {
    match tokio::time::timeout(timeout, sink.feed(text)).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(_)) => Err(SendError::Closed),
        Err(_) => Err(SendError::TooSlow),
    }
}

/// Writes what was fed, waiting at most `timeout` for the client to take it.
async fn timed_flush<S: Sink<String> + Unpin>(
    sink: &mut S,
    timeout: Duration,
) -> Result<(), SendError> {
    match tokio::time::timeout(timeout, sink.flush()).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(_)) => Err(SendError::Closed),
        Err(_) => Err(SendError::TooSlow),
    }
}

/// Sends one frame, waiting at most `timeout` for the client to take it. The frame is written
/// to the socket before this returns, so a client that does not read holds at most one frame
/// and the socket buffers here; the broadcast ring it lags behind is shared and bounded
/// (`core.client_buffer`), and it is replayed from the log, not from memory.
async fn timed_send<S: Sink<String> + Unpin>(
    sink: &mut S,
    text: String,
    timeout: Duration,
) -> Result<(), SendError> {
    match tokio::time::timeout(timeout, sink.send(text)).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(_)) => Err(SendError::Closed),
        Err(_) => Err(SendError::TooSlow),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_client_that_never_takes_a_frame_is_given_up_after_the_timeout() {
        // Arrange: a sink that accepts nothing, ever (a client that stopped reading).
        let mut stuck = Box::pin(futures_util::sink::unfold((), |(), _: String| {
            std::future::pending::<Result<(), ()>>()
        }));

        // Act: time is paused, so the runtime jumps to the deadline once nothing else can run.
        let answer = timed_send(&mut stuck, "frame".into(), Duration::from_secs(10)).await;

        // Assert
        assert_eq!(answer, Err(SendError::TooSlow));
    }

    #[tokio::test]
    async fn a_closed_connection_is_not_counted_as_a_slow_client() {
        let mut closed = Box::pin(futures_util::sink::unfold((), |(), _: String| async {
            Err::<(), ()>(())
        }));
        let answer = timed_send(&mut closed, "frame".into(), Duration::from_secs(10)).await;
        assert_eq!(answer, Err(SendError::Closed));
    }
}
