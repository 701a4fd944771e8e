//! Reports over the live state and the registries, and the retention of records.
//!
//! - [`rules`]: the pure cores: answer-time percentiles, report periods in Timișoara time, the
//!   activity report's sections and its CSV, what retention purges.
//! - [`activity`]: gathers the activity report's facts.
//! - [`retention`]: the purge and its daily run.
//! - [`http`]: `GET /api/v1/reports/answer-times`, `GET /api/v1/reports/activity`,
//!   `GET /api/v1/retention/purge-log`.

pub(crate) mod activity;
pub(crate) mod http;
pub(crate) mod retention;
pub(crate) mod rules;

use axum::routing::get;
use axum::Router;

use crate::state::AppState;

pub(crate) use retention::Purge;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/reports/answer-times", get(http::get))
        .route("/api/v1/reports/activity", get(http::activity::get))
        .route(
            "/api/v1/retention/purge-log",
            get(http::retention::purge_log),
        )
}

/// Starts the daily retention run (when `retention.enabled`).
pub(crate) fn spawn_retention(state: &AppState) {
    retention::spawn_daily(
        state.core.clone(),
        state.store.clone(),
        state.emergency.clone(),
        state.config.retention.clone(),
        format!("instance-{}", uuid::Uuid::new_v4()),
        state.shutdown.child_token(),
    );
}
