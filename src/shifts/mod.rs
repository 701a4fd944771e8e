//! Shifts: the dispatchers' duty roster, the incoming call ringing whoever is on duty, and the
//! handover note between shifts.
//!
//! - [`rules`]: what a valid shift is, who is on duty at a moment, the ringing order (pure).
//! - [`summary`]: the generated part of a handover note: counts and item references (pure).
//! - [`service`]: saving a shift against the others, the phones a call rings, writing and
//!   acknowledging a note.
//! - [`http`]: the handlers of `/api/v1/roster/...`.
//!
//! Supervisors and admins keep the roster (shifts, the dispatchers' phones); everyone in
//! dispatch reads the shifts and who is on duty; phones are served only to supervisors and
//! admins and never logged. Every change is audited in the same transaction as the change. The
//! incoming-call webhook (`telephony::webhooks`) asks [`service::lines_at`] which phones to
//! ring (`[shifts] ring`: all at once, or one after another).

pub(crate) mod http;
pub(crate) mod rules;
pub(crate) mod service;
pub(crate) mod summary;

use axum::routing::{get, post, put};
use axum::Router;

use crate::state::AppState;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/roster/people", get(http::roster::people))
        .route("/api/v1/roster/contacts", get(http::roster::contacts))
        .route(
            "/api/v1/roster/contacts/{username}",
            put(http::roster::put_contact).delete(http::roster::delete_contact),
        )
        .route(
            "/api/v1/roster/shifts",
            get(http::roster::list).post(http::roster::create),
        )
        .route(
            "/api/v1/roster/shifts/{id}",
            put(http::roster::update).delete(http::roster::delete),
        )
        .route("/api/v1/roster/on-duty", get(http::roster::on_duty))
        .route(
            "/api/v1/roster/handover",
            get(http::handover::history).post(http::handover::write),
        )
        .route(
            "/api/v1/roster/handover/pending",
            get(http::handover::pending),
        )
        .route(
            "/api/v1/roster/handover/{id}/acknowledge",
            post(http::handover::acknowledge),
        )
}
