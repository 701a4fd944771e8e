//! The supervisor's screen: who is logged in where, each dispatcher's open items, the day's
//! answer-time figures; handing an item to another dispatcher and taking resources off it.
//!
//! - [`rules`]: the day's figures and the dispatchers' loads over the live state (pure).
//! - [`overview`]: the overview, gathered from the sessions, the accounts and the live state.
//! - [`http`]: `GET /api/v1/supervisor/overview`, `POST /api/v1/items/{id}/reassign`,
//!   `POST /api/v1/items/{id}/unassign`.

pub(crate) mod http;
pub(crate) mod overview;
pub(crate) mod rules;

use axum::routing::{get, post};
use axum::Router;

use crate::state::AppState;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/supervisor/overview", get(http::overview))
        .route("/api/v1/items/{id}/reassign", post(http::reassign))
        .route("/api/v1/items/{id}/unassign", post(http::unassign))
}
