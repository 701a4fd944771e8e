//! The HTTP face of adapted transport: handlers, request DTOs and the routes. Each handler
//! parses, checks the caller, calls a use case of [`crate::transport::service`] and answers the
//! struct the API document names.

pub(crate) mod bookings;
pub(crate) mod driver;
pub(crate) mod messages;
pub(crate) mod plans;
pub(crate) mod policy;
pub(crate) mod reports;
pub(crate) mod riders;
pub(crate) mod runs;
pub(crate) mod shared;

use axum::Router;

use crate::state::AppState;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .merge(riders::router())
        .merge(bookings::router())
        .merge(plans::router())
        .merge(driver::router())
        .merge(messages::router())
        .merge(reports::router())
        .merge(policy::router())
        .merge(runs::router())
}
