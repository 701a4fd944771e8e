//! Acting on items and resources. The rules (legal transitions, no double assignment) live in
//! the core's pure decisions; these handlers only parse and forward, so a second dispatcher
//! assigning the same van — on this instance or another — gets the core's 409.
//!
//! - [`items`]: the steps of an item: acknowledge, assign, start, close, note.
//! - [`bulk`]: acknowledging many items at once (a storm group), each as [`items`] would.
//! - [`resources`]: the resources, registering one, its status and position.
//! - [`candidates`]: the assignment help, resources ranked by ETA (the ranking in [`rules`]).
//! - [`dial`]: call-back through the telephony provider, and the TwiML of the answered call.

pub(crate) mod bulk;
pub(crate) mod candidates;
pub(crate) mod dial;
pub(crate) mod items;
pub(crate) mod resources;
pub(crate) mod rules;

use axum::routing::{get, post};
use axum::Router;

use crate::state::AppState;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/items/acknowledge", post(bulk::acknowledge))
        .route("/api/v1/items/{id}/acknowledge", post(items::acknowledge))
        .route("/api/v1/items/{id}/assign", post(items::assign))
        .route("/api/v1/items/{id}/start", post(items::start))
        .route("/api/v1/items/{id}/close", post(items::close))
        .route("/api/v1/items/{id}/notes", post(items::note))
        .route("/api/v1/items/{id}/candidates", get(candidates::candidates))
        .route("/api/v1/items/{id}/dial", post(dial::dial))
        .route(
            "/telephony/voice/outbound/{call_id}",
            post(dial::outbound_twiml),
        )
        .route(
            "/telephony/voice/outbound/{call_id}/done",
            post(dial::outbound_done),
        )
        .route(
            "/api/v1/resources",
            get(resources::resources).post(resources::register),
        )
        .route(
            "/api/v1/resources/{id}/status",
            post(resources::resource_status),
        )
        .route(
            "/api/v1/resources/{id}/position",
            post(resources::resource_position),
        )
}
