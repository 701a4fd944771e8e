//! Integration tests: the real server on a random port, driven over HTTP and websockets.
//! Run once per backend (see `helpers`).

mod access;
mod accounts;
mod crash;
mod dv_access;
mod dv_leak;
mod emergency;
mod emiu_procedure;
mod fake_calls;
mod fake_twilio;
mod hardening;
mod helpers;
mod intake;
mod lifecycle;
mod limits;
mod map;
mod multi_instance;
mod openapi;
mod queue;
mod receiver;
mod resource_access;
mod shift_assist;
mod shift_queue;
mod shifts;
mod transport;
mod transport_gps;
mod transport_live;
mod transport_mobilitate;
mod transport_planner;
mod transport_policy;
mod transport_sms;
mod transport_tablet;
mod validation;
mod websocket;
