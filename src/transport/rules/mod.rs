//! The pure core of adapted transport: no axum, no SQL, no store.
//!
//! - [`engine`]: trips to the dial-a-ride scheduler and back; the travel-time source.
//! - [`fits`]: where a trip fits by hand, vehicle by vehicle, at what added cost.
//! - [`booking`]: places, timings, recurrence, overlapping trips and the cut-off.
//! - [`clock`]: the local time zone, service day and second of the day.
//! - [`delay`]: the stops still to serve and their shifted times when a vehicle runs late.
//! - [`actions`]: the driver's steps on a trip and the queue items they open.
//! - [`messages`]: messages between dispatch and a driver: canned answers, limits, who
//!   acknowledges.
//! - [`odometer`]: driven kilometres and hours from consecutive GPS fixes.
//! - [`reports`]: the figures of a range of days, and their CSV.
//! - [`view`]: a trip as answered, with what the plan says of it.
//! - [`sim`]: the simulated run of a planned day.
//! - [`policy`]: eligibility (certificate, suspension), the no-show / late-cancel count, the
//!   expiring certificates, how a rider's SMS reply is read.
//! - [`runs`]: the Mobilitate unit's runs (meal round, shuttle, supply run) checked into trips.

pub(crate) mod actions;
pub(crate) mod booking;
pub(crate) mod clock;
pub(crate) mod delay;
pub(crate) mod engine;
pub(crate) mod fits;
pub(crate) mod messages;
pub(crate) mod odometer;
pub(crate) mod policy;
pub(crate) mod reports;
pub(crate) mod runs;
pub(crate) mod sim;
pub(crate) mod view;
