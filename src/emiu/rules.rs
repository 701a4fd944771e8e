//! What an EMIU team may record: the measures, and which of them names a shelter.

use crate::domain::parse;
use crate::error::{Error, Result};

/// The measures a team records.
pub(crate) const MEASURES: &[&str] = &[
    "hospital_transport",
    "called_112",
    "police_notified",
    "shelter_placement",
];

/// The measure that takes a shelter's place.
const PLACEMENT: &str = "shelter_placement";

/// `measure` if it is one of [`MEASURES`]; a 422 listing them otherwise.
pub(crate) fn measure(measure: &str) -> Result<&str> {
    if MEASURES.contains(&measure) {
        Ok(measure)
    } else {
        Err(Error::validation(
            "measure",
            format!("unknown measure; expected one of: {}", MEASURES.join(", ")),
        ))
    }
}

/// The shelter a measure places the victim in: required for, and only for, a placement.
pub(crate) fn placement(measure: &str, shelter_id: Option<&str>) -> Result<Option<String>> {
    match (measure == PLACEMENT, shelter_id) {
        (true, Some(id)) => Ok(Some(parse::identifier("shelter_id", id, 64)?)),
        (true, None) => Err(Error::validation(
            "shelter_id",
            "a placement needs a shelter",
        )),
        (false, Some(_)) => Err(Error::validation(
            "shelter_id",
            "only a shelter placement names a shelter",
        )),
        (false, None) => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use crate::emiu::rules::*;

    #[test]
    fn only_a_placement_names_a_shelter() {
        assert!(measure("called_112").is_ok());
        assert!(measure("nope").is_err());
        assert_eq!(
            placement("shelter_placement", Some("ADP-1")).unwrap(),
            Some("ADP-1".to_owned())
        );
        assert!(placement("shelter_placement", None).is_err());
        assert!(placement("called_112", Some("ADP-1")).is_err());
        assert_eq!(placement("called_112", None).unwrap(), None);
    }
}
