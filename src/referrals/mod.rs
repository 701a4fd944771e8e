//! Referral and follow-up: a call is categorised, then referred to a DAS service (the list in
//! `config/`), with a referral record the service acknowledges; 'keep in contact' follow-ups put
//! callback items in the queue when they fall due; safe contact marks numbers that must never
//! get an automatic message or callback.
//!
//! - [`referral`]: categorise, refer, acknowledge, the case's referrals.
//! - [`follow_up`]: scheduling and the task that raises due callbacks.
//! - [`safe_contact`]: 'do not call back / no SMS', and [`is_contact_blocked`] for every
//!   outbound path.

pub mod follow_up;
pub mod referral;
pub mod safe_contact;

use axum::routing::{get, post};
use axum::Router;

use crate::state::AppState;

pub use follow_up::spawn_follow_ups;
pub use safe_contact::is_contact_blocked;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/referrals/services", get(referral::services))
        .route("/api/v1/items/{id}/categorise", post(referral::categorise))
        .route(
            "/api/v1/items/{id}/referrals",
            get(referral::list).post(referral::refer),
        )
        .route(
            "/api/v1/referrals/{id}/acknowledge",
            post(referral::acknowledge),
        )
        .route(
            "/api/v1/items/{id}/follow-ups",
            get(follow_up::list).post(follow_up::schedule),
        )
        .route("/api/v1/items/{id}/safe-contact", post(safe_contact::mark))
}
