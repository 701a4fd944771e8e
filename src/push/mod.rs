//! Live push over websockets: `GET /ws`.
//!
//! - [`protocol`]: the messages.
//! - [`connection`]: the per-client loop (snapshot or replay, then events in order).

mod connection;
mod filter;
pub mod protocol;

use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use futures_util::{SinkExt, StreamExt};
use serde::Deserialize;
use tokio_util::sync::CancellationToken;

use crate::domain::Seq;
use crate::error::Result;
use crate::http::auth::{Caller, Role, DISPATCH};
use crate::state::AppState;

pub use connection::{serve, Client};
pub use filter::Filter;

/// Largest frame a client may send: clients only send small control messages.
const MAX_CLIENT_MESSAGE: usize = 16 * 1024;
/// Read buffer of a client's socket.
const READ_BUFFER: usize = 4 * 1024;

pub fn router() -> Router<AppState> {
    Router::new().route("/ws", get(upgrade))
}

#[derive(Deserialize)]
struct WsQuery {
    #[serde(default)]
    after_seq: Option<i64>,
}

async fn upgrade(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<WsQuery>,
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
    };
    let shutdown = state.shutdown.child_token();
    let ws = ws.map_err(|e| crate::error::Error::BadRequest(format!("websocket upgrade: {e}")))?;
    Ok(ws
        // Clients send only small messages (pings). tungstenite zeroes its whole read buffer
        // each time the socket is polled, so the default 128 KiB cost more than the frames.
        .read_buffer_size(READ_BUFFER)
        .max_message_size(MAX_CLIENT_MESSAGE)
        .max_frame_size(MAX_CLIENT_MESSAGE)
        .on_upgrade(move |socket| run(socket, client, shutdown)))
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
