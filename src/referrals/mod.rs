//! Referral and follow-up: a call is categorised, then referred to a DAS service (the list in
//! `config/`), with a referral record the service acknowledges; 'keep in contact' follow-ups put
//! callback items in the queue when they fall due; safe contact marks numbers that must never
//! get an automatic message or callback.
//!
//! - `rules`: who works a case, the number a case is reached at, when a follow-up is due.
//! - `case_file`: recording a fact on a case.
//! - `referral`: refer, acknowledge, the outcome the service reports.
//! - `directory`: the directory of services (DAS units, NGO partners), seeded from `config/`.
//! - `inbox`: what a service's staff see of a case referred to them; the outcomes.
//! - [`escalation`]: the task that escalates a referral not acknowledged in time.
//! - [`follow_up`]: scheduling and the task that raises due callbacks.
//! - `safe_contact`: 'do not call back / no SMS', and [`is_contact_blocked`] for every
//!   outbound path.
//! - `http`: the handlers (categorise, refer, acknowledge, the case's referrals and
//!   follow-ups, safe contact), and what every case handler shares.

pub(crate) mod case_file;
pub(crate) mod directory;
pub mod escalation;
pub mod follow_up;
pub(crate) mod http;
pub(crate) mod inbox;
pub(crate) mod referral;
pub(crate) mod rules;
pub(crate) mod safe_contact;

use axum::routing::{get, post};

use axum::Router;
pub use inbox::InboxEntry;

use crate::state::AppState;

pub(crate) use directory::seed as seed_directory;
pub(crate) use http::follow_up::{spawn_escalations, spawn_follow_ups};
pub use safe_contact::is_contact_blocked;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/referrals/services", get(http::referral::services))
        .route(
            "/api/v1/items/{id}/categorise",
            post(http::referral::categorise),
        )
        .route(
            "/api/v1/items/{id}/referrals",
            get(http::referral::list).post(http::referral::refer),
        )
        .route(
            "/api/v1/referrals/{id}/acknowledge",
            post(http::referral::acknowledge),
        )
        .route(
            "/api/v1/items/{id}/follow-ups",
            get(http::follow_up::list).post(http::follow_up::schedule),
        )
        .route(
            "/api/v1/items/{id}/safe-contact",
            post(http::safe_contact::mark),
        )
        .route(
            "/api/v1/services",
            get(http::directory::search).post(http::directory::create),
        )
        .route(
            "/api/v1/services/{id}",
            get(http::directory::get_one).put(http::directory::update),
        )
        .route(
            "/api/v1/services/{id}/deactivate",
            post(http::directory::deactivate),
        )
        .route("/api/v1/inbox", get(http::inbox::list))
        .route(
            "/api/v1/inbox/{id}/acknowledge",
            post(http::inbox::acknowledge),
        )
        .route("/api/v1/inbox/{id}/outcome", post(http::inbox::outcome))
}
