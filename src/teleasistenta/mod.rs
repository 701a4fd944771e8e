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
use serde::Deserialize;

use crate::state::AppState;

pub use monitor::spawn_monitor;

/// `[teleasistenta]` in the configuration.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TeleasistentaConfig {
    pub monitor_interval_ms: u64,
    pub checkin_grace_s: i64,
    pub default_checkin_period_s: i64,
    pub low_battery_pct: i32,
    pub storm_threshold: usize,
    pub storm_window_s: i64,
}

impl TeleasistentaConfig {
    pub fn validate(&self) -> anyhow::Result<()> {
        anyhow::ensure!(
            self.monitor_interval_ms >= 10,
            "teleasistenta.monitor_interval_ms: must be at least 10"
        );
        anyhow::ensure!(
            self.checkin_grace_s >= 0,
            "teleasistenta.checkin_grace_s: must not be negative"
        );
        anyhow::ensure!(
            self.default_checkin_period_s >= 1,
            "teleasistenta.default_checkin_period_s: must be at least 1"
        );
        anyhow::ensure!(
            (0..=100).contains(&self.low_battery_pct),
            "teleasistenta.low_battery_pct: must be 0-100"
        );
        anyhow::ensure!(
            self.storm_threshold >= 1,
            "teleasistenta.storm_threshold: must be at least 1"
        );
        anyhow::ensure!(
            self.storm_window_s >= 1,
            "teleasistenta.storm_window_s: must be at least 1"
        );
        Ok(())
    }
}

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
