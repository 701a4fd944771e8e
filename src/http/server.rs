//! Accepting connections, with limits a slow or hostile client cannot get around:
//!
//! - at most `server.max_connections` open at once, websockets included (the count travels with
//!   an upgraded connection until it closes); one more is closed as soon as it is accepted, so
//!   the process never runs out of file descriptors for its store and files;
//! - `server.header_read_timeout_ms` to send a request's header (hyper's own timer), which also
//!   closes idle keep-alive connections: a half-sent request holds nothing for long;
//! - `server.request_timeout_ms` from the header to the answer (body included), as a layer of
//!   the router ([`request_timeout`]): then 408 and the connection is closed. An upgraded
//!   websocket has answered its request and is not affected.
//!
//! HTTP/1.1 only, as `axum::serve` gave us (the TLS proxy in front speaks HTTP/1.1 to us).

use axum::body::Body;
use axum::extract::Request;
use axum::http::header::CONNECTION;
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use tracing::{debug, warn};

use crate::config::ServerConfig;
use crate::error::LoggedError;
use crate::error::{ErrorBody, ErrorCode, ErrorDetail};

/// Connection limits, from `server.*`.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub header_read_timeout: Duration,
    pub max_connections: usize,
}

impl Limits {
    pub fn from_config(server: &ServerConfig) -> Self {
        Limits {
            header_read_timeout: Duration::from_millis(server.header_read_timeout_ms),
            max_connections: server.max_connections,
        }
    }
}

/// Serves `app` on `listener` until `shutdown`; then stops accepting, lets each connection
/// finish the request it is in, and returns when they are all closed.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    shutdown: CancellationToken,
) -> io::Result<()> {
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    let mut connections = JoinSet::new();
    loop {
        let (stream, peer) = tokio::select! {
            _ = shutdown.cancelled() => break,
            Some(_) = connections.join_next(), if !connections.is_empty() => continue,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) if is_per_connection(&e) => continue,
                Err(e) => {
                    // Out of file descriptors, most likely: wait a little rather than spin.
                    warn!(error = %e, "cannot accept a connection");
                    tokio::select! {
                        _ = shutdown.cancelled() => break,
                        _ = tokio::time::sleep(Duration::from_millis(100)) => continue,
                    }
                }
            },
        };
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            metrics::counter!("dispecer_http_connections_refused_total").increment(1);
            debug!(
                max = limits.max_connections,
                "connection over server.max_connections closed"
            );
            drop(stream);
            continue;
        };
        let _ = stream.set_nodelay(true);
        let io = TokioIo::new(Counted {
            _slot: slot,
            stream,
        });
        // The peer's address travels with each request (the supervisor's "logged in from").
        let service = TowerToHyperService::new(tower::ServiceExt::map_request(
            app.clone(),
            move |mut req: Request<hyper::body::Incoming>| {
                req.extensions_mut()
                    .insert(axum::extract::ConnectInfo(peer));
                req
            },
        ));
        let builder = builder.clone();
        let shutdown = shutdown.clone();
        connections.spawn(async move {
            let conn = builder.serve_connection(io, service).with_upgrades();
            tokio::pin!(conn);
            let result = tokio::select! {
                result = conn.as_mut() => result,
                _ = shutdown.cancelled() => {
                    conn.as_mut().graceful_shutdown();
                    conn.await
                }
            };
            if let Err(e) = result {
                // A header read timeout, a client that went away: routine, not a fault.
                debug!(error = %e, "connection ended");
            }
        });
    }
    drop(listener);
    while connections.join_next().await.is_some() {}
    Ok(())
}

/// Errors that concern one connection only (the client gave up during the handshake).
fn is_per_connection(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
    )
}

/// A connection holding one of the `server.max_connections` slots until it is dropped, also
/// after an upgrade hands it to a websocket task. The slot is declared first, so it is free
/// again before the socket closes (fields drop in order): a client that sees the close and
/// reconnects finds it.
struct Counted {
    _slot: OwnedSemaphorePermit,
    stream: TcpStream,
}

impl AsyncRead for Counted {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for Counted {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }
}

/// The router layer: a request not answered within `limit` (its body still arriving, or its
/// handler stuck) gets 408 with the JSON error body, and its connection is closed. What the
/// handler had already committed stays committed: a retry with the same idempotency key
/// answers it.
pub async fn request_timeout(limit: Duration, req: Request<Body>, next: Next) -> Response {
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(response) => response,
        Err(_) => {
            let ms = limit.as_millis();
            let body = ErrorBody {
                error: ErrorDetail {
                    code: ErrorCode::Timeout,
                    message: format!(
                        "the request was not completed within {ms} ms (server.request_timeout_ms); \
                         it may have been carried out: retry it with the same idempotency key"
                    ),
                    field: None,
                    reason: None,
                },
            };
            let mut response = (StatusCode::REQUEST_TIMEOUT, Json(body)).into_response();
            response
                .headers_mut()
                .insert(CONNECTION, HeaderValue::from_static("close"));
            response
                .extensions_mut()
                .insert(LoggedError(format!("no answer within {ms} ms")));
            metrics::counter!("dispecer_http_request_timeouts_total").increment(1);
            debug!(ms, "request timed out");
            response
        }
    }
}
