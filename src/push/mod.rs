//! Live push over websockets: `GET /ws`.
//!
//! - `protocol`: the messages.
//! - `connection`: the per-client loop (snapshot or replay, then events in order).
//! - `filter`: what one client may receive, judged by the same access rules as HTTP reads.

mod connection;
mod filter;
pub(crate) mod protocol;

use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use futures_util::{SinkExt, StreamExt};
use serde::Deserialize;
use tokio_util::sync::CancellationToken;

use crate::access::{Caller, Role, DISPATCH};
use crate::domain::Seq;
use crate::error::ErrorBody;
use crate::error::Result;
use crate::state::AppState;
use crate::web::auth::LiveSession;
use crate::web::extract::AppQuery;
use crate::web::schemas::common::Refusals;

pub(crate) use connection::{serve, Client};

/// Read buffer of a client's socket.
const READ_BUFFER: usize = 4 * 1024;

pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/ws", get(upgrade))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct WsQuery {
    /// The last sequence number the client applied: it gets exactly the events after it (or a
    /// fresh snapshot when it is too far behind or unknown).
    #[serde(default)]
    after_seq: Option<i64>,
}

/// Live events over a websocket.
#[utoipa::path(
    get,
    path = "/ws",
    tag = "push",
    description = "Upgrades to a websocket (RFC 6455) carrying JSON text frames; the protocol is \
        in `src/push/protocol.rs`. Server to client: `{\"type\":\"snapshot\",\"seq\",\"items\",\"resources\"}` first, \
        then `{\"type\":\"event\",\"seq\",\"at\",\"actor\",\"event\"}` for every committed event the caller may \
        see, in order (the `StoredEvent` schema), and `{\"type\":\"item\",\"seq\",\"item\"}` when an item becomes \
        visible. Client to server: `{\"type\":\"ping\"}`, answered `{\"type\":\"pong\",\"seq\"}`; at most \
        `limits.ws_max_message_bytes`. A client that does not take a frame within \
        `limits.ws_send_timeout_ms` is disconnected and reconnects with `after_seq`.",
    params(WsQuery),
    responses(
        (status = 101, description = "Switching to the websocket protocol"),
        (status = 400, description = "Not a websocket upgrade request", body = ErrorBody),
        (status = 422, description = "`after_seq` is not a number", body = ErrorBody),
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []), ("access_token" = []))
)]
pub(crate) async fn upgrade(
    State(state): State<AppState>,
    caller: Caller,
    session: LiveSession,
    AppQuery(q): AppQuery<WsQuery>,
    ws: std::result::Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Result<Response> {
    caller.require(&[
        Role::Dispatcher,
        Role::Supervisor,
        Role::Admin,
        Role::Driver,
        Role::Emiu,
    ])?;
    let client = Client {
        core: state.core.clone(),
        store: state.store.clone(),
        console: DISPATCH.contains(&caller.role),
        filter: filter::Filter::new(caller),
        after: q.after_seq.map(Seq),
        send_timeout: std::time::Duration::from_millis(state.config.limits.ws_send_timeout_ms),
    };
    // Clients only send small control messages; a larger one ends the connection.
    let max_message = state.config.limits.ws_max_message_bytes;
    let shutdown = state.shutdown.child_token();
    let ws = ws.map_err(|e| crate::error::Error::BadRequest(format!("websocket upgrade: {e}")))?;
    Ok(ws
        // Clients send only small messages (pings). tungstenite zeroes its whole read buffer
        // each time the socket is polled, so the default 128 KiB cost more than the frames.
        .read_buffer_size(READ_BUFFER)
        .max_message_size(max_message)
        .max_frame_size(max_message)
        .on_upgrade(move |socket| async move {
            // A session ended meanwhile (account disabled, password changed) closes the socket.
            let _watch = session.watch(&state, shutdown.clone());
            run(socket, client, shutdown).await
        }))
}

async fn run(socket: WebSocket, client: Client, shutdown: CancellationToken) {
    let (sink, stream) = socket.split();
    let sink =
        sink.with(|text: String| async move { Ok::<_, axum::Error>(Message::Text(text.into())) });
    let stream = stream.filter_map(|msg| async move {
        match msg {
            Ok(Message::Text(t)) => Some(Ok(t.to_string())),
            Ok(Message::Close(_)) => Some(Err(())),
            Ok(_) => None,
            Err(_) => Some(Err(())),
        }
    });
    serve(client, Box::pin(sink), Box::pin(stream), shutdown).await;
}
