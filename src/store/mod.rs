//! Storage: the event log and the idempotency keys, on SQLite or PostgreSQL.
//!
//! The one write path is [`Store::append`]: it locks the log, hands the caller every event
//! committed since the caller's last known sequence number (another instance may have written
//! them), lets the caller decide its new events against that up-to-date state, and commits them
//! with the next sequence numbers. Commit order is sequence order, with no gaps.

pub mod accounts;
pub mod beds;
pub mod calls;
mod connect;
mod dialect;
pub mod driver_messages;
pub mod emergency;
pub mod emiu;
mod error;
mod log;
pub mod outbound;
pub mod outbox;
mod postgres;
pub mod receiver;
pub mod reports;
pub mod roster;
pub mod services;
mod sql;
mod sqlite;
pub mod transport;

pub use accounts::{Accounts, AuditRecord, SessionRecord, UserRecord};
pub use beds::BedsStore;
pub use calls::{CallOutbox, CallRow, OutgoingCall};
pub use connect::{connect, connect_all, Stores};
pub use driver_messages::DriverMessageStore;
pub use emergency::EmergencyStore;
pub use emiu::EmiuStore;
pub use error::StoreError;
pub(crate) use log::{check_numbering, decode};
pub use log::{DecideFn, Decision, Store};
pub use outbound::OutboundStore;
pub use outbox::{Outbox, OutboxRow, OutgoingSms};
pub(crate) use postgres::PgStore;
pub use receiver::{ReceiverAccount, ReceiverStore};
pub use reports::{PurgeCount, PurgeLogRow, ReportStore, TableKind};
pub use roster::RosterStore;
pub use services::{ServiceDirectory, ServiceEntry};
pub(crate) use sqlite::SqliteStore;
pub use transport::TransportStore;
