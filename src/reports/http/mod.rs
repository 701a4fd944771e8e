//! The reports' HTTP faces.
//!
//! - [`answer_times`]: `GET /api/v1/reports/answer-times`.
//! - [`activity`]: `GET /api/v1/reports/activity` (JSON or CSV).
//! - [`retention`]: `GET /api/v1/retention/purge-log`.

pub(crate) mod activity;
pub(crate) mod answer_times;
pub(crate) mod retention;

pub(crate) use answer_times::{__path_get, get};
