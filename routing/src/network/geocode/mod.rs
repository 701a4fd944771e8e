//! Address search and reverse geocoding from the extract's `addr:*` tags, street names,
//! places and points of interest.
//!
//! - `normalize`: diacritics, case and street-type abbreviations.
//! - `index`: the [`Geocoder`] built from the extract, and its ranked search.
//! - `reverse`: nearest address (or street) to a GPS position.

mod index;
mod normalize;
mod reverse;

pub use index::{Candidate, CandidateKind, Geocoder};
pub use reverse::Address;
pub(crate) use reverse::{ReverseIndex, ADDRESS_RADIUS_M};
