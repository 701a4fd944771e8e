//! Dial-a-ride scheduler: the day-before plan and same-day changes for adapted transport.
//!
//! # Layout
//! - [`load`](Load): seated and wheelchair loads and the capacity rule.
//! - `model`: requests, vehicles with shifts, the travel matrix ([`Instance`]).
//! - `plan`: routes as stop orders ([`Plan`]).
//! - `schedule`: the fast exact route check used by the solver ([`earliest_schedule`]).
//! - `checker`: the independent Bellman–Ford checker ([`verify`]), sharing no code with the
//!   solver's check.
//! - `cordeau` and `euclid`: the benchmark format and its straight-line travel.
//! - `tables`: flat arrays over an instance for the hot loops.
//! - `synthetic`: seeded random instances with wheelchair riders ([`synthetic`]).
//! - `sameday`: insert, cancel and freeze on an existing plan ([`insert`], [`remove`],
//!   [`freeze_before`]), with reasons when a request cannot be served ([`Unservable`]).
//! - `alns`: the day-before solver ([`solve`]).
//!
//! Nothing here does I/O: callers hand in text or matrices.

mod alns;
mod checker;
mod cordeau;
mod euclid;
mod load;
mod model;
mod plan;
mod sameday;
mod schedule;
mod synthetic;
mod tables;

pub use alns::{solve, SolveOptions, Solved, EPOCH};
pub use checker::{verify, Verdict, TOLERANCE};
pub use cordeau::{
    format_solution, node_id, parse as parse_cordeau, parse_solution, stop_of, ParseError,
    SolutionError, MAX_REQUESTS, MAX_VEHICLES,
};
pub use euclid::EuclideanPlane;
pub use load::{Capacity, Load};
pub use model::{
    CostBasis, Endpoint, Instance, ModelError, Request, StopId, Vehicle, Window, NO_RIDE_LIMIT,
};
pub use plan::{Plan, Route};
pub use sameday::{
    freeze_before, freeze_started, insert, remove, started_only, CancelError, Unservable,
};
pub use schedule::{earliest_schedule, Violation};
pub use synthetic::synthetic;
