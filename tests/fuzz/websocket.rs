//! Websocket client messages over a real connection: text frames of anything (JSON mutated
//! from `{"type":"ping"}`, arbitrary JSON, arbitrary text, some past the 16 KiB limit) and
//! binary frames. A message within the limit gets exactly one answer, `pong` or `error`, and
//! the connection goes on; one past the limit ends the connection, and a new one works.

use futures_util::{SinkExt, StreamExt};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use serde_json::{json, Value};
use std::sync::Mutex;
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;

use crate::app::App;
use crate::gen::{body, Body};
use crate::runner::fuzz;

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// The server's limit on a client message (`push::MAX_CLIENT_MESSAGE`).
const LIMIT: usize = 16 * 1024;

#[derive(Clone, Debug)]
enum Frame {
    Text(Body),
    AnyText(String),
    Long(usize),
    Binary(Vec<u8>),
}

fn frame() -> impl Strategy<Value = Frame> {
    prop_oneof![
        8 => body().prop_map(Frame::Text),
        2 => "\\PC{0,60}".prop_map(Frame::AnyText),
        1 => (LIMIT - 64..LIMIT + 4096).prop_map(Frame::Long),
        1 => prop::collection::vec(any::<u8>(), 0..64).prop_map(Frame::Binary),
    ]
}

async fn connect(app: &App, token: &str) -> Socket {
    let url = format!("ws://{}/ws?access_token={token}", app.address);
    let (mut socket, _) = tokio_tungstenite::connect_async(url.as_str())
        .await
        .expect("websocket connect");
    let first = next_json(&mut socket).await.expect("a snapshot");
    assert_eq!(first["type"], "snapshot");
    socket
}

async fn next_json(socket: &mut Socket) -> Option<Value> {
    loop {
        let msg = tokio::time::timeout(Duration::from_secs(10), socket.next())
            .await
            .ok()??;
        match msg.ok()? {
            Message::Text(t) => return serde_json::from_str(&t).ok(),
            Message::Close(_) => return None,
            _ => continue,
        }
    }
}

#[test]
fn fuzz_websocket_client_messages() {
    let app = App::start();
    let token = app.token(dispecer::access::Role::Dispatcher).to_owned();
    let socket = Mutex::new(Some(app.rt.block_on(connect(&app, &token))));
    let template = json!({ "type": "ping" });
    fuzz("websocket_messages", frame(), |frame| {
        app.rt.block_on(async {
            // The socket stays out of the slot until this case ends well; after a failure or
            // an oversized message the next case connects anew.
            let taken = socket.lock().expect("lock").take();
            let mut s = match taken {
                Some(s) => s,
                None => connect(&app, &token).await,
            };
            let mut ping = false;
            let (msg, answered, within) = match &frame {
                Frame::Text(b) => {
                    let text = String::from_utf8_lossy(&b.render(&template)).into_owned();
                    let within = text.len() <= LIMIT;
                    ping = serde_json::from_str::<Value>(&text).ok() == Some(template.clone());
                    (Message::Text(text.into()), true, within)
                }
                Frame::AnyText(t) => (Message::Text(t.clone().into()), true, true),
                Frame::Long(n) => (Message::Text("x".repeat(*n).into()), true, *n <= LIMIT),
                Frame::Binary(b) => (Message::Binary(b.clone().into()), false, b.len() <= LIMIT),
            };
            s.send(msg)
                .await
                .map_err(|e| TestCaseError::fail(format!("send: {e}")))?;
            if !within {
                // Past the limit the server ends the connection; the next case reconnects.
                prop_assert!(
                    next_json(&mut s).await.is_none(),
                    "an oversized message was answered"
                );
                return Ok(());
            }
            if !answered {
                // Binary frames are ignored; a ping afterwards shows the connection is fine.
                s.send(Message::Text(json!({"type": "ping"}).to_string().into()))
                    .await
                    .map_err(|e| TestCaseError::fail(format!("send: {e}")))?;
            }
            let reply = next_json(&mut s)
                .await
                .ok_or_else(|| TestCaseError::fail("no answer, or the connection ended"))?;
            let kind = reply["type"].as_str().unwrap_or("");
            prop_assert!(kind == "pong" || kind == "error", "answer {reply}");
            prop_assert!(
                !ping || kind == "pong",
                "a ping was not answered with pong: {reply}"
            );
            *socket.lock().expect("lock") = Some(s);
            Ok(())
        })
    });
}
