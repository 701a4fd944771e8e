//! The EMIU team (mobile intervention for domestic violence): its roster and status, and the
//! work on a case it is sent to.
//!
//! - [`cases`]: the case as the team sees it (case, address, route), the risk form, measures
//!   and the intervention report.
//! - [`risk`]: the risk-assessment items and how they add up to a level.
//! - [`shelters`]: shelters and their free places; demo shelters.
//!
//! Victim identity and address are visible only to EMIU, supervisors and the dispatcher
//! handling the case (`crate::access`); drivers are refused; every view is audited.

pub mod cases;
pub mod risk;
pub mod shelters;

use axum::routing::{get, post};
use axum::Router;

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/emiu/roster", get(cases::roster))
        .route("/api/v1/emiu/risk-form", get(cases::risk_form))
        .route("/api/v1/emiu/cases/{id}", get(cases::view))
        .route("/api/v1/emiu/cases/{id}/risk", post(cases::risk))
        .route("/api/v1/emiu/cases/{id}/measures", post(cases::measure))
        .route("/api/v1/emiu/cases/{id}/report", post(cases::report))
        .route("/api/v1/shelters", get(shelters::list))
}
