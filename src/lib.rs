//! dispecer: the dispatch service of the social-assistance directorate of Timișoara.
//!
//! One realtime core for TeleAsistență alarms, social-emergency calls and adapted-transport
//! bookings: durable intake, a prioritised queue with explained priorities and response clocks,
//! assignment of vehicles, drivers and the EMIU team, and live push over websockets.
//!
//! # Layout
//! - [`config`], [`telemetry`], [`error`], [`startup`], [`state`]: wiring.
//! - [`domain`]: ids, vocabularies, items and resources (plain data).
//! - [`intake`]: `POST /api/v1/{alerts,calls,bookings}`.
//! - [`queue`]: priority rules, queue order, lifecycle (pure).
//! - [`access`]: who may see and act on what (pure), used by every read path.
//! - [`core`]: the single-writer task that decides, commits, applies and broadcasts.
//! - [`assign`]: item actions and resources over HTTP.
//! - [`push`]: `GET /ws`, snapshot + ordered events, replay on reconnect.
//! - [`events`]: the event vocabulary and the inter-instance bus (memory, Redis).
//! - [`store`]: the event log on SQLite or PostgreSQL.
//! - [`http`]: router assembly, authentication, probes.
//! - [`cli`]: the `migrate`, `seed-demo`, `token` and `bench` commands.
//! - [`telephony`]: Twilio-compatible voice and SMS webhooks (signed), TwiML answers.
//! - [`teleasistenta`]: device registry, check-in monitor, follow-up steps, storm mode.
//! - [`referrals`]: referrals to DAS services, keep-in-contact follow-ups, safe contact.
//! - [`emiu`]: the EMIU team's cases: risk assessment, measures, shelters, report.
//! - [`reports`]: answer-time percentiles against the dispatch standards.
//! - [`cli`]: the `migrate`, `seed-demo`, `token`, `plan` and `bench` commands.
//! - [`transport`]: adapted transport: riders, bookings, the day plan, the driver tablet, reports.
//! - [`sms`]: rider messages through a durable outbox and a Twilio-compatible client.
//!
//! Read `docs/architecture.md` first.

pub mod access;
pub mod assign;
pub mod cli;
pub mod config;
pub mod core;
pub mod domain;
pub mod emiu;
pub mod error;
pub mod events;
pub mod http;
pub mod intake;
pub mod push;
pub mod queue;
pub mod referrals;
pub mod reports;
pub mod sms;
pub mod startup;
pub mod state;
pub mod store;
pub mod teleasistenta;
pub mod telemetry;
pub mod telephony;
pub mod transport;
pub mod web;
