//! The HTTP face of TeleAsistență.
//!
//! - [`devices`]: register and read devices; look a number up.
//! - [`checkin`]: the heartbeat; starting the monitor.
//! - [`steps`]: the workflow and its steps on an alarm.
//! - [`storm`]: the storm banner.

pub(crate) mod checkin;
pub(crate) mod devices;
pub(crate) mod steps;
pub(crate) mod storm;
