//! Events and their fan-out.
//!
//! - `event`: the event vocabulary and the stored envelope.
//! - [`bus`]: carries committed events between instances (in-process, or Redis).

pub mod bus;
mod event;

pub use event::{Event, StoredEvent};
