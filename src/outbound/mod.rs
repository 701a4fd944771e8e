//! Outbound calls (issue 17, point 4): the dispatch calls people, not only answers them.
//!
//! - [`rules`]: when a schedule is due, what an outcome does, a campaign's filter and spread.
//! - [`service`]: schedules, call lists and campaigns become outbound calls; the task raises
//!   each as a queue item (a callback) when due; dial through the call outbox; outcomes, retry
//!   and escalation.
//! - [`demo`]: synthetic birth years and living alone for the demo beneficiaries.
//! - `http`: the handlers.
//!
//! A safe-contact number is never dialled: refused or skipped at every step (`service`).

pub(crate) mod demo;
pub(crate) mod http;
pub(crate) mod rules;
pub(crate) mod service;

use axum::routing::{get, post};
use axum::Router;

use crate::state::AppState;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/outbound/calls", get(http::calls::list))
        .route("/api/v1/outbound/calls/{id}/dial", post(http::calls::dial))
        .route(
            "/api/v1/outbound/calls/{id}/outcome",
            post(http::calls::outcome),
        )
        .route(
            "/api/v1/outbound/beneficiaries/{device_id}",
            get(http::calls::read_profile).post(http::calls::profile),
        )
        .route(
            "/api/v1/outbound/schedules",
            get(http::plans::schedules).post(http::plans::create_schedule),
        )
        .route(
            "/api/v1/outbound/schedules/{id}/stop",
            post(http::plans::stop_schedule),
        )
        .route(
            "/api/v1/outbound/lists",
            get(http::plans::lists).post(http::plans::create_list),
        )
        .route(
            "/api/v1/outbound/campaigns",
            get(http::plans::campaigns).post(http::plans::create_campaign),
        )
        .route(
            "/api/v1/outbound/campaigns/preview",
            post(http::plans::preview),
        )
        .route(
            "/api/v1/outbound/campaigns/{id}",
            get(http::plans::campaign),
        )
        .route(
            "/api/v1/outbound/campaigns/{id}/start",
            post(http::plans::start_campaign),
        )
}

/// Starts the task that raises due outbound calls.
pub(crate) fn spawn(state: &AppState) {
    service::spawn(
        state.emergency.clone(),
        state.core.clone(),
        state.config.outbound.clone(),
        state.shutdown.child_token(),
    );
}
