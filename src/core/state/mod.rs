//! The live state: a fold over the event log. `apply` is the one place that says what an event
//! does; the console's TypeScript reducer mirrors it.
//!
//! - `view`: read and write access to a state, shared by the live state and a batch overlay.
//! - `live`: the live state of an instance, with its deadline and driver-action indexes.
//! - `protection`: the domestic-violence case each item belongs to, and the numbers of cases.
//! - `overlay`: a batch's changes not yet committed, layered over the live state.
//! - `fold`: `apply`, what each event does to a state.

mod fold;
mod live;
mod overlay;
mod protection;
mod view;

pub(crate) use fold::apply;
pub(crate) use live::{arrival_running, deadline_running, LiveState};
pub(crate) use overlay::Overlay;
pub(crate) use protection::derived_case;
pub(crate) use view::{StateMut, StateView};
