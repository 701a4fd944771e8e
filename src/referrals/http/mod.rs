//! The HTTP face of referrals and follow-ups: handlers and their bodies.
//!
//! - [`case`]: acting on a case and reading it, shared by every case handler.
//! - [`referral`], [`follow_up`], [`safe_contact`]: the handlers.
//! - [`directory`]: the directory of services; [`inbox`]: a service's inbox.

pub(crate) mod case;
pub(crate) mod directory;
pub(crate) mod follow_up;
pub(crate) mod inbox;
pub(crate) mod referral;
pub(crate) mod safe_contact;

pub(crate) use case::{acting_on, audited_read};
