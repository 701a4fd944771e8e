//! Intake: the three doors through which work enters the queue. Each handler parses its body
//! into domain types once, then hands one `Create` command to the core, which answers only
//! after the item is committed.
//!
//! - [`alerts`]: TeleAsistență alarms (deduplicated per sending credential by device and
//!   receiver alarm id; answered with a receipt, never the item).
//! - [`calls`]: call cards of the social-emergency line.
//! - [`bookings`]: adapted-transport bookings.
//! - [`parse`]: field rules shared by the three.
//! - [`limit`]: the rate limit per credential (P1 items are accepted over it, flagged).

pub mod alerts;
pub mod bookings;
pub mod calls;
pub mod limit;
pub mod parse;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};

use crate::core::Outcome;
use crate::error::{Error, Result};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/alerts", post(alerts::post))
        .route("/api/v1/calls", post(calls::post))
        .route("/api/v1/bookings", post(bookings::post))
}

/// 201 + the item for a new item, 200 + the first item for a repeat.
fn respond(outcome: Outcome) -> Result<Response> {
    match outcome {
        Outcome::Item { item, created } => {
            let status = if created {
                StatusCode::CREATED
            } else {
                StatusCode::OK
            };
            let location = format!("/api/v1/items/{}", item.id);
            Ok((status, [("location", location)], Json(item)).into_response())
        }
        _ => Err(Error::Internal(anyhow::anyhow!(
            "create answered without an item"
        ))),
    }
}
