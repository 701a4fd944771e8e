//! The pure rules of TeleAsistență.
//!
//! - [`checkin`]: missed check-ins, when the monitor looks again, low battery.
//! - [`steps`]: the workflow's steps and closing outcome codes.
//! - [`storm`]: many alarms at once, grouped by device.

pub(crate) mod checkin;
pub(crate) mod steps;
pub(crate) mod storm;
