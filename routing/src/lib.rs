//! Pure libraries for the adapted-transport side of dispecer.
//!
//! # Layout
//! - [`network`]: the Timișoara road graph built from the OpenStreetMap extract: routing,
//!   travel-time matrices, snapping, geocoding and the simplified map served to the console.
//! - [`darp`]: the dial-a-ride scheduler (model, exact route feasibility, independent checker,
//!   the day-before solver and same-day insertion).
//!
//! - [`travel`]: positions, travel-time matrices and the [`travel::TravelTimeSource`] trait that
//!   joins the two.
//!
//! Neither module does I/O beyond reading the input file it is given.

pub mod darp;
pub mod network;
pub mod travel;
