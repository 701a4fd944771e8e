//! HTTP assembly: each feature module owns its routes; this merges them and adds the layers.
//!
//! - [`items`]: reading the queue and item histories.
//! - `health`: `/healthz`, `/readyz`, `/metrics`.
//! - [`session`]: login, logout, `/api/v1/me`.
//! - [`map`]: map layers, address search, routes from the road network.
//! - [`openapi`]: the OpenAPI 3.1 document, generated from the handlers' annotations.
//! - [`origin`]: the Origin check that keeps other sites from acting with a session.
//! - [`headers`]: the security headers on every answer; no source maps.
//! - [`server`]: accepting connections: a connection cap, header and request timeouts.

pub mod headers;
mod health;
pub mod items;
pub mod map;
pub mod openapi;
pub mod origin;
pub mod server;
pub mod session;

use axum::extract::{MatchedPath, Request};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use std::sync::Arc;
use std::time::Duration;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::trace::TraceLayer;
use tracing::{info_span, warn};

use crate::error::{Error, LoggedError};
use crate::state::AppState;

/// The whole service. Layers, from the outside in: the request span, the security headers (on
/// every answer, the ones below included), the request timeout, the body limit, the JSON form of
/// axum's rejections, error logging, the Origin check (its 403 is logged like any refusal).
pub fn router(state: AppState) -> Router {
    let server = &state.config.server;
    let console_dir = server.console_dir.clone();
    let index = console_dir.join("index.html");
    let body_limit = server.max_body_bytes;
    let request_timeout = Duration::from_millis(server.request_timeout_ms);
    let hsts = server.secure_cookie;
    // `startup::build` already refused a bad `server.allowed_origins`; a router built without
    // it (a test) that gets one anyway accepts only same-host origins.
    let origins = Arc::new(origin::OriginPolicy::new(server).unwrap_or_else(|e| {
        warn!(error = %e, "ignoring server.allowed_origins");
        origin::OriginPolicy::same_host(server.secure_cookie)
    }));
    let check_origins = origins.clone();
    let api = Router::new()
        .merge(crate::intake::router())
        .merge(items::router())
        .merge(crate::assign::router())
        .merge(crate::push::router())
        .merge(health::router())
        .merge(session::router())
        .merge(map::router())
        .merge(crate::telephony::router())
        .merge(crate::teleasistenta::router())
        .merge(crate::receiver::router())
        .merge(crate::referrals::router())
        .merge(crate::emiu::router())
        .merge(crate::beds::router())
        .merge(crate::reports::router())
        .merge(crate::supervisor::router())
        .merge(crate::transport::router())
        .merge(crate::outbound::router())
        .merge(crate::shifts::router())
        .merge(openapi::router())
        .route("/api/{*rest}", axum::routing::any(api_not_found));
    api.fallback_service(ServeDir::new(&console_dir).fallback(ServeFile::new(index)))
        .layer(middleware::from_fn(move |req, next| {
            origin::check(check_origins.clone(), req, next)
        }))
        .layer(middleware::from_fn(log_errors))
        .layer(middleware::from_fn(move |req, next| {
            json_rejections(req, next, body_limit)
        }))
        .layer(axum::extract::DefaultBodyLimit::max(body_limit))
        .layer(middleware::from_fn(move |req, next| {
            server::request_timeout(request_timeout, req, next)
        }))
        .layer(middleware::from_fn(move |req, next| {
            headers::secure(origins.clone(), hsts, req, next)
        }))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request| {
            // The matched route, never the raw URI: query strings may hold tokens.
            let route = req
                .extensions()
                .get::<MatchedPath>()
                .map(|p| p.as_str().to_owned())
                .unwrap_or_else(|| "static".into());
            info_span!("http", method = %req.method(), route)
        }))
        .with_state(state)
}

async fn api_not_found() -> Error {
    Error::NotFound("endpoint".into())
}

/// Gives axum's own rejections the common JSON error body. The handlers parse bodies, query
/// strings and path parameters with `AppJson`/`AppQuery`/`PathParam` (`web::extract`), which
/// answer in that body themselves; a body read as `Bytes` is still rejected by axum in plain
/// text, outside the contract. Such a rejection is a 4xx without an [`Error`] behind it: a body
/// over the limit becomes a 413, anything else a 400. Only routes (with a matched path) are
/// touched, never the console's static files.
async fn json_rejections(req: Request, next: Next, body_limit: usize) -> Response {
    if req.extensions().get::<MatchedPath>().is_none() {
        return next.run(req).await;
    }
    let response = next.run(req).await;
    let status = response.status();
    let is_json = response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("json"));
    if !status.is_client_error()
        || is_json
        || response.extensions().get::<LoggedError>().is_some()
        || status == StatusCode::METHOD_NOT_ALLOWED
    {
        return response;
    }
    rejection_error(status, body_limit).into_response()
}

/// The common error for one of axum's plain-text rejections.
fn rejection_error(status: StatusCode, limit: usize) -> Error {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        return Error::PayloadTooLarge { limit };
    }
    Error::BadRequest("the request is malformed".into())
}

/// Logs each error response once, inside the request span.
async fn log_errors(req: Request, next: Next) -> Response {
    let response = next.run(req).await;
    if let Some(LoggedError(e)) = response.extensions().get::<LoggedError>() {
        if response.status() >= StatusCode::INTERNAL_SERVER_ERROR {
            warn!(status = response.status().as_u16(), error = %e, "request failed");
        } else {
            tracing::debug!(status = response.status().as_u16(), error = %e, "request refused");
        }
    }
    response.into_response()
}
