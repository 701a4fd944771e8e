//! The HTTP face of the EMIU team.
//!
//! - [`case`]: the roster, the risk form, a case as the team sees it.
//! - [`records`]: the risk assessment, measures and the intervention report.
//! - [`shelters`]: the shelters' free places.

pub(crate) mod case;
pub(crate) mod records;
pub(crate) mod shelters;
