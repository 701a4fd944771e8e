//! The shapes of the answers, as the API document describes them (utoipa schemas), and the
//! error body. Handlers return these structs, so the document is derived from what is sent.
//!
//! - [`common`]: the error body, the queue, items, resources, sessions, the map.
//! - [`transport`] and [`emergency`]: adapted transport and the emergency workflows;
//!   [`telephony`]: the provider's webhook forms; [`policy`]: transport eligibility and policy;
//!   [`emiu`]: the EMIU procedure; [`beds`]: the bed registry.

pub mod beds;
pub mod common;
pub mod emergency;
pub mod emiu;
pub mod policy;
pub mod telephony;
pub mod transport;

pub use crate::error::ErrorBody;
