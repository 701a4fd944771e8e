#![warn(unreachable_pub)]
//! dispecer: the dispatch service of the social-assistance directorate of Timișoara.
//!
//! One realtime core for TeleAsistență alarms, social-emergency calls and adapted-transport
//! bookings: durable intake, a prioritised queue with explained priorities and response clocks,
//! assignment of vehicles, drivers and the EMIU team, and live push over websockets.
//!
//! # Layout, by floor (imports only run down; `scripts/floors.py` checks it)
//! - Vocabulary and configuration: [`domain`], [`events`] (the event enum), [`config`], `error`,
//!   [`telemetry`], `transport::model`.
//! - Pure cores: [`access`] (who may see what), [`queue`] (priority rules and order), `core`'s
//!   decisions and live state, each feature's `rules`.
//! - Storage: [`store`] (each query once for SQLite and PostgreSQL), the bus in [`events`].
//! - Services: `core`'s writer task; the features' use cases and background tasks:
//!   `teleasistenta`, [`referrals`], `emiu`, `reports`, `telephony`, [`transport`], [`sms`],
//!   `supervisor`, `outbound`.
//! - HTTP kit: [`state`] (`AppState`), [`web`] (callers, extractors, answers and their schemas).
//! - HTTP faces: each feature's `http`, `intake`, `assign`, `push` (`GET /ws`).
//! - Top: [`http`] (router, layers, the OpenAPI document), [`startup`], [`cli`].
//!
//! Read `docs/architecture.md` first.

pub mod access;
pub(crate) mod assign;
pub(crate) mod beds;
pub mod cli;
pub mod config;
pub(crate) mod core;
pub mod domain;
pub(crate) mod emiu;
pub(crate) mod error;
pub mod events;
pub mod http;
pub(crate) mod intake;
pub(crate) mod outbound;
pub(crate) mod push;
pub mod queue;
pub(crate) mod receiver;
pub mod referrals;
pub(crate) mod reports;
pub(crate) mod shifts;
pub mod sms;
pub mod startup;
pub mod state;
pub mod store;
pub(crate) mod supervisor;
pub(crate) mod teleasistenta;
pub mod telemetry;
pub(crate) mod telephony;
pub mod transport;
pub mod web;
