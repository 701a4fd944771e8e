//! Events and their fan-out.
//!
//! - `event`: the event vocabulary and the stored envelope.
//! - [`bus`]: carries committed events between instances (in-process, or Redis).
//! - `transport`: the payload of an adapted-transport change (ids and codes only).

pub mod bus;
mod event;
mod transport;

pub use event::{Event, StoredEvent};
pub use transport::{ActionKind, TransportChange, TransportReason};
