//! TeleAsistență: the device registry, check-ins and the monitor that reports silent devices,
//! the follow-up workflow of an alarm, and storm mode.
//!
//! - [`rules`]: missed check-ins and low battery, the workflow's steps, storm grouping.
//! - [`checkin`]: recording a heartbeat (and a low-battery item).
//! - [`monitor`]: raises a technical item for a missed check-in within one period plus grace.
//! - [`demo`]: synthetic devices (and, through `beds::demo`, the bed registry).
//! - [`subject`]: who an alarm is about (the device's beneficiary), for the item's subject.
//! - [`http`]: the handlers — devices (beneficiary, address, phone, carers in order of call,
//!   medical and access notes, key safe) and number lookup, check-ins, follow-up steps on an
//!   alarm (call the beneficiary, carers in order, send a carer or team, call 112) before it is
//!   closed with an outcome code, and storm mode (grouped by device, P1 first, none dropped).

pub(crate) mod checkin;
pub(crate) mod demo;
pub(crate) mod http;
pub(crate) mod monitor;
pub(crate) mod rules;
pub(crate) mod subject;

use axum::routing::{get, post};
use axum::Router;

use crate::state::AppState;

pub(crate) use http::checkin::spawn_monitor;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/teleasistenta/devices",
            get(http::devices::list).post(http::devices::register),
        )
        .route(
            "/api/v1/teleasistenta/devices/{id}",
            get(http::devices::one),
        )
        .route("/api/v1/teleasistenta/lookup", get(http::devices::lookup))
        .route("/api/v1/teleasistenta/checkins", post(http::checkin::post))
        .route("/api/v1/items/{id}/steps", post(http::steps::post))
        .route("/api/v1/teleasistenta/workflow", get(http::steps::workflow))
        .route("/api/v1/storm", get(http::storm::get))
}
