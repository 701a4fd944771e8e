//! Adapted transport: riders, vehicles and shifts, bookings (recurring, with cut-off rules), the
//! day plan, same-day changes, the driver tablet's actions and positions, and reports.
//!
//! Three floors, imports running down only:
//! - [`model`]: the vocabulary (plain data, stored as JSON documents); [`eligibility`]: the
//!   certificate, the rider's policy history and verdict.
//! - `rules`: the pure core: the scheduler conversions, booking and cut-off rules, the delay
//!   arithmetic, the driver's steps, the odometer, the report figures (no I/O).
//! - `service`: the use cases (book, cancel, change, plan a day, same-day edits, move, driver
//!   actions and positions, delays, reports, demo data) on the [`service::Transport`] handle.
//! - `http`: the handlers and request DTOs: parse, check the caller, call the service, answer
//!   the typed struct of `web::schemas::transport`.

pub mod eligibility;
pub(crate) mod http;
pub mod model;
pub(crate) mod rules;
pub(crate) mod service;

pub(crate) use http::router;
pub use service::{demo, Transport};

use crate::state::AppState;

/// The local date and second of the day now.
pub fn local_now(state: &AppState) -> (chrono::NaiveDate, f64) {
    rules::clock::local_now(rules::clock::zone(&state.config))
}

/// The local date of an instant (the service day it belongs to).
pub fn local_date(state: &AppState, at: chrono::DateTime<chrono::Utc>) -> chrono::NaiveDate {
    rules::clock::local_date(rules::clock::zone(&state.config), at)
}

/// Starts the evening-before reminders (see [`service::planning::start_reminder_task`]).
pub(crate) fn start_reminder_task(state: &AppState, shutdown: tokio_util::sync::CancellationToken) {
    service::planning::start_reminder_task(state.transport.clone(), state.config.clone(), shutdown);
}

/// Starts the daily certificate-expiry reminders (see
/// [`service::policy::start_certificate_task`]).
pub(crate) fn start_certificate_task(
    state: &AppState,
    shutdown: tokio_util::sync::CancellationToken,
) {
    service::policy::start_certificate_task(
        state.transport.clone(),
        state.config.clone(),
        shutdown,
    );
}
