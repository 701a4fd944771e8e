//! Beds (issue 17, point 3): the registry of places in shelters, night shelters, crisis
//! centres and domestic-violence shelters, run by DAS or NGOs; who is admitted where; and the
//! cold-weather mode, in which night shelters open extra places and calls about people sleeping
//! rough become outreach items for the street team.
//!
//! - [`rules`]: pure: free places, whether an admission fits, the cold-weather decision, who may
//!   see a DV shelter's address and occupants, the nearest night shelter.
//! - [`registry`]: admitting and discharging; the DV shelters as the EMIU sees them (its
//!   placements admit here, so there is one count of places).
//! - [`cold`]: the mode as it is now (switch, season, temperature).
//! - [`outreach`]: the task that raises outreach items, and holding a bed with the street
//!   team's vehicle assigned.
//! - [`demo`]: invented providers and facilities.
//! - [`http`]: the handlers under `/api/v1/beds`.

pub(crate) mod cold;
pub(crate) mod demo;
pub(crate) mod http;
pub(crate) mod outreach;
pub(crate) mod registry;
pub(crate) mod rules;

use axum::routing::{get, post, put};
use axum::Router;

use crate::state::AppState;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/beds/providers",
            get(http::registry::providers).post(http::registry::create_provider),
        )
        .route(
            "/api/v1/beds/providers/{id}",
            put(http::registry::update_provider),
        )
        .route(
            "/api/v1/beds/facilities",
            get(http::registry::facilities).post(http::registry::create_facility),
        )
        .route(
            "/api/v1/beds/facilities/{id}",
            get(http::registry::facility).put(http::registry::update_facility),
        )
        .route(
            "/api/v1/beds/facilities/{id}/admissions",
            get(http::admissions::list).post(http::admissions::admit),
        )
        .route(
            "/api/v1/beds/admissions/{id}/discharge",
            post(http::admissions::discharge),
        )
        .route(
            "/api/v1/beds/admissions/{id}/arrived",
            post(http::admissions::arrived),
        )
        .route("/api/v1/beds/overstays", get(http::admissions::overstays))
        .route(
            "/api/v1/beds/cold-weather",
            get(http::cold::state).put(http::cold::switch),
        )
        .route("/api/v1/beds/temperature", post(http::cold::temperature))
        .route("/api/v1/beds/outreach/{id}", get(http::outreach::view))
        .route(
            "/api/v1/beds/outreach/{id}/hold",
            post(http::outreach::hold),
        )
}

/// Starts the outreach task (cold-weather mode: sleeping-rough calls become outreach items).
pub(crate) fn spawn_outreach(state: &AppState) {
    outreach::spawn(
        state.emergency.clone(),
        state.core.clone(),
        state.config.beds.clone(),
        state.shutdown.child_token(),
    );
}
