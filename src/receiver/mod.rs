//! The alarm receiving centre: TeleAsistență devices report straight to the service over
//! ANSI/SIA DC-09 ("SIA IP"), carrying Contact ID or SIA events.
//!
//! - [`rules`]: the frame (CRC, length, fields, AES, answers) and the event table; pure.
//! - [`service`]: one message to one answer: the item or check-in committed before the `ACK`.
//! - [`listener`]: the TCP and UDP listeners.
//! - [`monitor`]: supervision of accounts with an interval of their own (`missed_checkin`).
//! - [`start`]: wiring from `[receiver]` (accounts from the configuration added to the store).
//! - [`http`]: `GET /api/v1/receiver/accounts` for the supervisor's panel.

pub(crate) mod http;
pub(crate) mod listener;
pub(crate) mod monitor;
pub(crate) mod rules;
pub(crate) mod service;
pub(crate) mod start;

use axum::routing::get;
use axum::Router;

use crate::state::AppState;

pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/api/v1/receiver/accounts", get(http::accounts))
}
