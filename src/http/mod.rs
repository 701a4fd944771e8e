//! HTTP assembly: each feature module owns its routes; this merges them and adds the layers.
//!
//! - [`auth`]: callers, roles and bearer tokens.
//! - [`extract`]: JSON bodies with field-naming errors.
//! - [`items`]: reading the queue and item histories.
//! - `health`: `/healthz`, `/readyz`, `/metrics`.
//! - [`session`]: login, logout, `/api/v1/me`.
//! - [`map`]: map layers, address search, routes from the road network.
//! - [`openapi`]: the OpenAPI 3.1 document, generated from the handlers' annotations.

pub mod auth;
pub mod extract;
mod health;
pub mod items;
pub mod map;
pub mod openapi;
pub mod session;

use axum::extract::{MatchedPath, Request};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::trace::TraceLayer;
use tracing::{info_span, warn};

use crate::error::{Error, LoggedError};
use crate::state::AppState;

pub fn router(state: AppState) -> Router {
    let console_dir = state.config.server.console_dir.clone();
    let index = console_dir.join("index.html");
    let body_limit = state.config.server.max_body_bytes;
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
        .merge(crate::referrals::router())
        .merge(crate::emiu::router())
        .merge(crate::reports::router())
        .merge(crate::transport::router())
        .merge(openapi::router())
        .route("/api/{*rest}", axum::routing::any(api_not_found));
    api.fallback_service(ServeDir::new(&console_dir).fallback(ServeFile::new(index)))
        .layer(middleware::from_fn(log_errors))
        .layer(axum::extract::DefaultBodyLimit::max(body_limit))
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
