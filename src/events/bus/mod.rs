//! Fan-out of committed events between instances.
//!
//! Within an instance the core broadcasts to its own websocket clients. Between instances a
//! [`Bus`] carries the events: `memory` (one instance, nothing to carry) or `redis` (pub/sub).
//! The bus is only a fast path: storage is the source of truth, and an instance that misses a
//! message reads the gap from the log.
//!
//! - `memory`: the single-instance bus.
//! - `redis`: Redis pub/sub between instances.

mod memory;
mod redis;

use tokio::sync::mpsc;

use crate::events::StoredEvent;

pub use memory::MemoryBus;
pub use redis::RedisBus;

/// What the bus hands the core.
#[derive(Debug)]
pub enum Incoming {
    /// Events another instance committed, in order.
    Events(Vec<StoredEvent>),
    /// The bus lost messages (e.g. Redis was away): read the log.
    Resync,
}

pub trait Bus: Send + Sync {
    /// Sends committed events to the other instances. Never blocks and never fails the
    /// caller: a lost message is recovered from the log.
    fn publish(&self, events: Vec<StoredEvent>);

    /// The stream of other instances' events; taken once, by the core.
    fn incoming(&self) -> mpsc::Receiver<Incoming>;

    /// Whether the bus currently reaches its peers (for `/readyz` and metrics).
    fn connected(&self) -> bool;
}
