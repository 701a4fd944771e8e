//! The HTTP face of the EMIU team.
//!
//! - [`case`]: the roster, the risk form, a case as the team sees it.
//! - [`records`]: the risk assessment, measures and the intervention report.
//! - [`procedure`]: the EMIU procedure: police request and arrival, orders, legal steps,
//!   hazards, children present, closing.
//! - [`shelters`]: the shelters' free places.

pub(crate) mod case;
pub(crate) mod procedure;
pub(crate) mod records;
pub(crate) mod shelters;
