//! Reports over the live state.
//!
//! - [`answer_times`]: answer-time percentiles per channel against the dispatch standards.

pub mod answer_times;

use axum::routing::get;
use axum::Router;

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/reports/answer-times", get(answer_times::get))
}
