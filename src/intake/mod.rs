//! Intake: the three doors through which work enters the queue. Each handler parses its body
//! into domain types once, then hands one `Create` command to the core, which answers only
//! after the item is committed.
//!
//! - [`alerts`]: TeleAsistență alarms (deduplicated per sending credential by device and
//!   receiver alarm id; answered with a receipt, never the item).
//! - [`calls`]: call cards of the social-emergency line.
//! - [`bookings`]: adapted-transport bookings.
//! - Field rules shared by the three are `domain::parse`.
//! - [`limit`]: the rate limit per credential (P1 items are accepted over it, flagged).

pub(crate) mod alerts;
pub(crate) mod bookings;
pub(crate) mod calls;
pub(crate) mod limit;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};

use crate::core::Outcome;
use crate::domain::ItemId;
use crate::error::{Error, Result};
use crate::state::AppState;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/alerts", post(alerts::post))
        .route("/api/v1/calls", post(calls::post))
        .route("/api/v1/bookings", post(bookings::post))
}

/// An intake answer: 201 for a new item, 200 for a repeat, with the item's `location` and the
/// body the caller may be shown (as JSON).
fn created_answer(created: bool, id: ItemId, body: impl IntoResponse) -> Response {
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let location = format!("/api/v1/items/{id}");
    (status, [("location", location)], body).into_response()
}

/// The item a create command answered with, and whether it is new.
fn created_item(outcome: Outcome) -> Result<(Box<crate::domain::Item>, bool)> {
    match outcome {
        Outcome::Item { item, created } => Ok((item, created)),
        _ => Err(Error::Internal(anyhow::anyhow!(
            "create answered without an item"
        ))),
    }
}

/// 201 + the item for a new item, 200 + the first item for a repeat.
fn respond(outcome: Outcome) -> Result<Response> {
    let (item, created) = created_item(outcome)?;
    Ok(created_answer(created, item.id, Json(&item)))
}
