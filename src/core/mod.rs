//! The realtime core: one writer task per instance that owns the live state.
//!
//! - `command`: commands, outcomes and refusals.
//! - `decide`: pure decisions (state + command → events).
//! - `state`: the live state and the fold that applies events to it.
//! - `actor`: the task: batching, commit, broadcast, deadlines, following other instances.
//! - `handle`: the handle handlers use.

mod actor;
pub(crate) mod command;
mod decide;
mod handle;
pub(crate) mod state;

pub(crate) use actor::{start, CoreSettings};
pub(crate) use command::{Command, CoreError, Outcome};
pub(crate) use handle::CoreHandle;
pub(crate) use handle::Published;
