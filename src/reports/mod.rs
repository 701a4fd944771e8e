//! Reports over the live state.
//!
//! - [`rules`]: answer-time percentiles per channel against the dispatch standards (pure).
//! - [`http`]: `GET /api/v1/reports/answer-times`.

pub(crate) mod http;
pub(crate) mod rules;

use axum::routing::get;
use axum::Router;

use crate::state::AppState;

pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/api/v1/reports/answer-times", get(http::get))
}
