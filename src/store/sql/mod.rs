//! Every query, written once for both backends.
//!
//! Each file holds one `macro_rules!` whose body is the code of one storage trait over the
//! aliases `Db` and `DbRow` of the backend it is given, and invokes it twice: in a `sqlite` and
//! a `postgres` module. (sqlx's bounds for code generic over `sqlx::Database` would repeat on
//! every function; the expansion gives each backend concrete types instead.) Where the SQL
//! differs, the text asks [`super::dialect::Dialect`].

pub(crate) mod accounts;
pub(crate) mod beds;
pub(crate) mod calls;
pub(crate) mod driver_messages;
pub(crate) mod emergency;
pub(crate) mod emiu;
pub(crate) mod log;
pub(crate) mod outbound;
pub(crate) mod outbox;
pub(crate) mod receiver;
pub(crate) mod reports;
pub(crate) mod roster;
pub(crate) mod services;
pub(crate) mod transport;
