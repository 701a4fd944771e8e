//! What an EMIU team may record: the measures, and which of them names a shelter; the legal
//! steps, protection orders, hazards and closing outcomes of the EMIU procedure; and how an
//! address is matched to the hazards noted there.

use chrono::{Days, NaiveDate};

use crate::domain::parse;
use crate::error::{Error, Result};

/// The legal steps recorded on a case: the criminal complaint, the forensic certificate
/// (certificat medico-legal), the prosecutor's and the court's notices.
pub(crate) const LEGAL_STEPS: &[&str] = &[
    "criminal_complaint",
    "forensic_certificate",
    "prosecutor_notice",
    "court_notice",
];

/// Protection orders: provisional, issued by the police (`opp`), or by the court (`op`).
pub(crate) const ORDERS: &[&str] = &["opp", "op"];

/// The hazards a team is warned of at an address.
pub(crate) const HAZARDS: &[&str] = &[
    "dog",
    "weapons",
    "aggressive_relative",
    "drugs",
    "infection",
    "other",
];

/// `value` if it is one of `codes`; a 422 naming `field` and listing them otherwise.
pub(crate) fn one_of<'a>(field: &str, value: &'a str, codes: &[&str]) -> Result<&'a str> {
    if codes.contains(&value) {
        Ok(value)
    } else {
        Err(Error::validation(
            field,
            format!("must be one of: {}", codes.join(", ")),
        ))
    }
}

/// The day a reminder is due for an order expiring on `expires_on`, `days` before it. An order
/// must expire on or after the day it was issued.
pub(crate) fn reminder_day(
    issued_on: NaiveDate,
    expires_on: NaiveDate,
    days: u32,
) -> Result<NaiveDate> {
    if expires_on < issued_on {
        return Err(Error::validation(
            "expires_on",
            "an order expires on or after the day it was issued",
        ));
    }
    Ok(expires_on
        .checked_sub_days(Days::new(u64::from(days)))
        .unwrap_or(expires_on))
}

/// An address as hazards are kept by it: lower case, letters and digits only, single spaces,
/// Romanian diacritics folded (`Ștefan` and `Stefan` are one street). `None` when nothing is left.
pub(crate) fn address_key(address: &str) -> Option<String> {
    let folded: String = address
        .chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'ă' | 'â' => 'a',
            'î' => 'i',
            'ș' | 'ş' => 's',
            'ț' | 'ţ' => 't',
            c if c.is_alphanumeric() => c,
            _ => ' ',
        })
        .collect();
    let key = folded.split_whitespace().collect::<Vec<_>>().join(" ");
    (!key.is_empty()).then_some(key)
}

/// How close (metres) a hazard noted by position must be to count for a place without the
/// same address: the same building or the one next door.
pub(crate) const HAZARD_RADIUS_M: f64 = 40.0;

/// Metres between two positions (equirectangular: exact enough at a building's scale).
pub(crate) fn metres_between(a: (f64, f64), b: (f64, f64)) -> f64 {
    let lat = ((a.1 + b.1) / 2.0).to_radians();
    let dx = (a.0 - b.0).to_radians() * lat.cos();
    let dy = (a.1 - b.1).to_radians();
    6_371_000.0 * (dx * dx + dy * dy).sqrt()
}

/// The shelter places a placement takes: the adults placed and the children with them.
pub(crate) fn places_needed(adults: u32, children: u32) -> Result<i64> {
    if adults == 0 {
        return Err(Error::validation("adults", "at least one adult is placed"));
    }
    if adults > 20 || children > 30 {
        return Err(Error::validation(
            "children",
            "too many people for one placement",
        ));
    }
    Ok(i64::from(adults) + i64::from(children))
}

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
    fn an_address_is_matched_whatever_its_spelling() {
        assert_eq!(
            address_key("Str. Ștefan cel Mare 3,  Timișoara"),
            address_key("str stefan cel mare 3 timisoara")
        );
        assert_eq!(address_key(" ,. "), None);
        let d = metres_between((21.2270, 45.7530), (21.2273, 45.7531));
        assert!((20.0..30.0).contains(&d), "{d}");
    }

    #[test]
    fn a_reminder_falls_days_before_expiry_and_places_count_children() {
        let day = |d| NaiveDate::from_ymd_opt(2026, 12, d).unwrap();
        assert_eq!(reminder_day(day(1), day(10), 3).unwrap(), day(7));
        assert!(reminder_day(day(10), day(1), 3).is_err());
        assert_eq!(places_needed(1, 2).unwrap(), 3);
        assert!(places_needed(0, 2).is_err());
    }

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
