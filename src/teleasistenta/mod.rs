//! TeleAsistență: the device registry, check-ins and the monitor that reports silent devices,
//! the follow-up workflow of an alarm, and storm mode.
//!
//! - [`devices`]: register and read devices (beneficiary, address, phone, carers in order of
//!   call, medical and access notes, key safe); look a number up.
//! - [`checkin`]: `POST /api/v1/teleasistenta/checkins` (heartbeat, battery).
//! - [`monitor`]: raises a technical item for a missed check-in within one period plus grace.
//! - [`steps`]: follow-up steps on an alarm (call the beneficiary, carers in order, send a carer
//!   or team, call 112) before it is closed with an outcome code.
//! - [`storm`]: many alarms at once — grouped by device, P1 first, a banner, none dropped.

pub mod checkin;
pub mod demo;
pub mod devices;
pub mod monitor;
pub mod steps;
pub mod storm;

use axum::routing::{get, post};
use axum::Router;

use crate::state::AppState;

pub use monitor::spawn_monitor;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/teleasistenta/devices",
            get(devices::list).post(devices::register),
        )
        .route("/api/v1/teleasistenta/devices/{id}", get(devices::one))
        .route("/api/v1/teleasistenta/lookup", get(devices::lookup))
        .route("/api/v1/teleasistenta/checkins", post(checkin::post))
        .route("/api/v1/items/{id}/steps", post(steps::post))
        .route("/api/v1/teleasistenta/workflow", get(steps::workflow))
        .route("/api/v1/storm", get(storm::get))
}
