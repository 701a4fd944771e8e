//! Fuzz targets for every parser of outside input, as proptest properties: generated and
//! mutated inputs, shrunk to the smallest failing one when a check fails or panics.
//!
//! | target | input |
//! |---|---|
//! | `intake_alerts`, `intake_calls`, `intake_bookings` | intake bodies, content types, `Idempotency-Key`, roles |
//! | `session_login`, `auth_credentials` | login bodies; bearer headers, session cookies, `access_token` |
//! | `websocket_messages` | websocket client frames over a real connection |
//! | `telephony_webhooks` | Twilio form bodies and `X-Twilio-Signature` headers |
//! | `config_files` | configuration files through `Config::load` |
//! | `cordeau_reader` | Cordeau benchmark files |
//! | `osm_reader` | OpenStreetMap PBF extracts through `RoadNetwork::build` |
//! | `dc09_frames` | SIA DC-09 frames (plain, encrypted, NULL), mutated, over the receiver's UDP listener |
//!
//! The normal test run tries a few hundred inputs per target; `scripts/fuzz` runs each for a
//! time budget and prints the executions (see `runner`).
//! A failure found here becomes a regression test beside the code it concerns.

mod app;
mod config;
mod cordeau;
mod dc09;
mod gen;
mod intake;
mod osm;
mod pbf;
mod runner;
mod session;
mod telephony;
mod websocket;
