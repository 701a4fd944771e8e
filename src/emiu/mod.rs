//! The EMIU team (mobile intervention for domestic violence): its roster and status, and the
//! work on a case it is sent to.
//!
//! - [`risk`]: the risk-assessment items and how they add up to a level.
//! - [`rules`]: the measures a team records, and which of them names a shelter.
//! - [`cases`]: where the case is, the team's route there, recording a measure.
//! - [`procedure`]: hazards by address, protection orders and their reminders, closing.
//! - [`http`]: the handlers — the roster, the risk form, the case as the team sees it (case,
//!   address, route), the risk form, measures, the intervention report and the shelters.
//!
//! Victim identity and address are visible only to EMIU, supervisors and the dispatcher
//! handling the case (`crate::access`); drivers are refused; every view is audited.

pub(crate) mod cases;
pub(crate) mod http;
pub(crate) mod procedure;
pub(crate) mod risk;
pub(crate) mod rules;

use axum::routing::{get, post};
use axum::Router;

use crate::state::AppState;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/emiu/roster", get(http::case::roster))
        .route("/api/v1/emiu/risk-form", get(http::case::risk_form))
        .route("/api/v1/emiu/cases/{id}", get(http::case::view))
        .route("/api/v1/emiu/cases/{id}/risk", post(http::records::risk))
        .route(
            "/api/v1/emiu/cases/{id}/measures",
            post(http::records::measure),
        )
        .route(
            "/api/v1/emiu/cases/{id}/report",
            post(http::records::report),
        )
        .route(
            "/api/v1/emiu/cases/{id}/police-request",
            post(http::procedure::police_request),
        )
        .route(
            "/api/v1/emiu/cases/{id}/on-scene",
            post(http::procedure::on_scene),
        )
        .route(
            "/api/v1/emiu/cases/{id}/aggressor-accommodation",
            post(http::procedure::accommodation),
        )
        .route(
            "/api/v1/emiu/cases/{id}/protection-orders",
            post(http::procedure::protection_order),
        )
        .route(
            "/api/v1/emiu/cases/{id}/legal-steps",
            post(http::procedure::legal_step),
        )
        .route(
            "/api/v1/emiu/cases/{id}/hazards",
            post(http::procedure::hazard),
        )
        .route(
            "/api/v1/emiu/cases/{id}/children",
            post(http::procedure::children),
        )
        .route(
            "/api/v1/emiu/cases/{id}/close",
            post(http::procedure::close),
        )
        .route("/api/v1/shelters", get(http::shelters::list))
}

/// Starts the protection-order reminder task.
pub(crate) fn spawn_reminders(state: &AppState) {
    let every = std::time::Duration::from_millis(state.config.emiu.reminder_interval_ms);
    procedure::spawn_reminders(
        state.emergency.clone(),
        state.core.clone(),
        every,
        state.shutdown.child_token(),
    );
}
