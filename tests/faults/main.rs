//! Fault tests: the real `dispecer` binary against PostgreSQL and Redis servers that the tests
//! start, stop and kill themselves (see `services`).
//!
//! - `postgres_restart`: intake during a PostgreSQL restart (503 while down, recovery, every
//!   2xx stored exactly once).
//! - `redis_outage`: two instances keep serving their own websocket clients while Redis is
//!   down and catch up from storage when it returns; every client sees every sequence number
//!   exactly once.
//! - `sigkill`: an instance killed with SIGKILL during a burst on PostgreSQL, while another
//!   instance keeps serving.
//!
//! - `dc09_sigkill`: a DC-09 device keeps sending while the service is SIGKILLed and
//!   restarted; every acknowledged message is stored once, the others once after retransmission.
//!
//! Each test prints its counts (`fault …:` lines; run with `--nocapture` to see them).

mod client;
mod dc09_sigkill;
mod postgres_restart;
mod redis_outage;
mod services;
mod sigkill;
