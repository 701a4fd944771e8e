//! The prioritised queue: pure functions over plain data, no I/O.
//!
//! - [`rules`]: level and response clock of an item, from `config/`.
//! - [`order`]: queue order and the explanation of each position.
//! - [`lifecycle`]: which status changes are legal.

pub mod lifecycle;
pub mod order;
pub mod rules;

pub use order::{ordered, Explanation, QueueEntry};
pub use rules::Rules;
