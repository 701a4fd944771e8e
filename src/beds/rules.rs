//! The bed registry's rules, pure: who may see a DV shelter's address and who is in it, how
//! many places are free (the cold-weather extra included), whether an admission fits, whether
//! the cold-weather mode is on, and which night shelter is nearest.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};

use crate::access::Role;
use crate::config::ColdWeatherRule;
use crate::domain::beds::{FacilityRecord, Occupancy};
use crate::error::{Error, Result};

/// The kinds of facility.
pub(crate) const FACILITY_KINDS: &[&str] = &["shelter", "night_shelter", "crisis", "dv_shelter"];
/// The kinds of provider: the public service or an NGO.
pub(crate) const PROVIDER_KINDS: &[&str] = &["das", "ngo"];

/// Who reads the registry: dispatch roles and EMIU (drivers never).
pub(crate) const READERS: &[Role] = &[Role::Dispatcher, Role::Supervisor, Role::Admin, Role::Emiu];
/// Who creates and edits providers and facilities.
pub(crate) const KEEPERS: &[Role] = &[Role::Supervisor, Role::Admin];
/// Who switches the cold-weather mode.
pub(crate) const SWITCHERS: &[Role] = &[Role::Supervisor];
/// Who posts an outdoor temperature.
pub(crate) const THERMOMETER: &[Role] = &[Role::Dispatcher, Role::Supervisor, Role::Admin];

/// The one decision on a domestic-violence shelter's whereabouts and occupants: its address,
/// and the people admitted to it, are served only to EMIU (who take victims there) and to
/// supervisors (who see every DV case in full and answer for placements). Dispatchers, drivers
/// and admins never see them (an admin may type an address in, and gets it back withheld);
/// other facilities' addresses are for every reader.
pub(crate) fn may_see_address(role: Role, kind: &str) -> bool {
    kind != "dv_shelter" || matches!(role, Role::Emiu | Role::Supervisor)
}

/// Who may admit to (and discharge from) a facility through the registry: in a DV shelter only
/// those who may know it is there; elsewhere every reader. (An EMIU placement on a case is
/// admitted by the case's own check, `emiu::cases::record_measure`.)
pub(crate) fn may_admit(role: Role, kind: &str) -> bool {
    READERS.contains(&role) && may_see_address(role, kind)
}

/// Places free now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Free {
    /// Adult places in use now: the facility's own, plus its cold-weather extra while the mode
    /// is on (night shelters).
    pub adult_places: i64,
    pub adults: i64,
    pub children: i64,
}

/// The adult places open now (the cold-weather extra counts for night shelters while on).
pub(crate) fn adult_places(f: &FacilityRecord, cold: bool) -> i64 {
    let extra = if cold && f.kind == "night_shelter" {
        f.cold_extra_places
    } else {
        0
    };
    f.adult_places + extra
}

/// Free places: never below zero (after the mode turns off, a night shelter can hold more than
/// its own places until people leave; it takes nobody new meanwhile).
pub(crate) fn free(f: &FacilityRecord, taken: Occupancy, cold: bool) -> Free {
    let places = adult_places(f, cold);
    Free {
        adult_places: places,
        adults: (places - taken.adults).max(0),
        children: (f.child_places - taken.children).max(0),
    }
}

/// Whether `adults` and `children` fit: adults against adult places, children against child
/// places, each counted on its own.
pub(crate) fn fits(
    f: &FacilityRecord,
    taken: Occupancy,
    cold: bool,
    adults: i64,
    children: i64,
) -> bool {
    let free = free(f, taken, cold);
    adults <= free.adults && children <= free.children
}

/// When the person is expected to leave: the stay limit from admission.
pub(crate) fn expected_leave(admitted_at: DateTime<Utc>, stay_limit_days: i64) -> DateTime<Utc> {
    admitted_at + Duration::days(stay_limit_days)
}

/// Where an admission stands: `released` once discharged (its places free again), `held` while
/// a bed held for an outreach item waits for the person, `admitted` once they are in.
pub(crate) fn admission_state(discharged: bool, arrived: bool) -> &'static str {
    match (discharged, arrived) {
        (true, _) => "released",
        (false, false) => "held",
        (false, true) => "admitted",
    }
}

/// Why the cold-weather mode is what it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ColdSource {
    /// A supervisor switched it on or off.
    Switch,
    /// The configured cold season.
    Season,
    /// The latest posted temperature is at or below the threshold.
    Temperature,
    /// Nothing turns it on.
    Rule,
}

impl ColdSource {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            ColdSource::Switch => "switch",
            ColdSource::Season => "season",
            ColdSource::Temperature => "temperature",
            ColdSource::Rule => "rule",
        }
    }
}

/// Whether `day` falls in the season `from`..=`to` (month, day), which may run over the new
/// year (1 Dec – 28 Feb).
pub(crate) fn in_season(day: NaiveDate, from: (u32, u32), to: (u32, u32)) -> bool {
    let d = (day.month(), day.day());
    if from <= to {
        from <= d && d <= to
    } else {
        d >= from || d <= to
    }
}

/// The cold-weather mode: the supervisor's switch (`on`/`off`) wins; with none, or `auto`, the
/// rule: the season, or the latest temperature (still valid) at or below the threshold.
pub(crate) fn cold_weather(
    switch: Option<&str>,
    rule: &ColdWeatherRule,
    today: NaiveDate,
    reading: Option<(f64, DateTime<Utc>)>,
    now: DateTime<Utc>,
) -> (bool, ColdSource) {
    match switch {
        Some("on") => return (true, ColdSource::Switch),
        Some("off") => return (false, ColdSource::Switch),
        _ => {}
    }
    if let Ok(Some((from, to))) = rule.season() {
        if in_season(today, from, to) {
            return (true, ColdSource::Season);
        }
    }
    if let (Some(limit), Some((celsius, at))) = (rule.below_celsius, reading) {
        let fresh = now - at <= Duration::hours(i64::from(rule.reading_valid_hours));
        if fresh && celsius <= limit {
            return (true, ColdSource::Temperature);
        }
    }
    (false, ColdSource::Rule)
}

/// Metres between two WGS84 positions along the ground (haversine): the outreach item ranks
/// night shelters by it (a street team on foot or in a van near the person; the road network
/// may still be loading).
pub(crate) fn distance_m(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (lon1, lat1) = (a.0.to_radians(), a.1.to_radians());
    let (lon2, lat2) = (b.0.to_radians(), b.1.to_radians());
    let h = ((lat2 - lat1) / 2.0).sin().powi(2)
        + lat1.cos() * lat2.cos() * ((lon2 - lon1) / 2.0).sin().powi(2);
    2.0 * 6_371_000.0 * h.sqrt().asin()
}

/// The night shelters with a free adult place, nearest to `from` first (those without a
/// position last, by name).
pub(crate) fn nearest_night_shelters(
    from: Option<(f64, f64)>,
    facilities: &[(FacilityRecord, Occupancy)],
    cold: bool,
) -> Vec<(FacilityRecord, Free, Option<f64>)> {
    let mut out: Vec<_> = facilities
        .iter()
        .filter(|(f, _)| f.kind == "night_shelter")
        .map(|(f, taken)| {
            let d = from.zip(f.lon.zip(f.lat)).map(|(a, b)| distance_m(a, b));
            (f.clone(), free(f, *taken, cold), d)
        })
        .filter(|(_, free, _)| free.adults > 0)
        .collect();
    out.sort_by(|a, b| match (a.2, b.2) {
        (Some(x), Some(y)) => x.total_cmp(&y),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.0.name.cmp(&b.0.name),
    });
    out
}

/// A person admitted: initials or a pseudonym (1–24 characters; never a full identity, and
/// never a personal number: 6 digits or more in a row are refused).
pub(crate) fn person(value: &str) -> Result<String> {
    let v = crate::domain::parse::text("person", value, 24)?;
    if v.is_empty() {
        return Err(Error::validation(
            "person",
            "initials or a pseudonym are required",
        ));
    }
    let mut run = 0;
    for c in v.chars() {
        run = if c.is_ascii_digit() { run + 1 } else { 0 };
        if run >= 6 {
            return Err(Error::validation(
                "person",
                "initials or a pseudonym only, never a personal number",
            ));
        }
    }
    Ok(v)
}

/// One of `allowed`, else a 422 naming `field`.
pub(crate) fn one_of(field: &str, value: &str, allowed: &[&str]) -> Result<String> {
    if allowed.contains(&value) {
        Ok(value.to_owned())
    } else {
        Err(Error::validation(
            field,
            format!("must be one of: {}", allowed.join(", ")),
        ))
    }
}

/// A count in `0..=max`, else a 422 naming `field`.
pub(crate) fn count(field: &str, value: i64, min: i64, max: i64) -> Result<i64> {
    if (min..=max).contains(&value) {
        Ok(value)
    } else {
        Err(Error::validation(field, format!("must be {min}-{max}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn night(adults: i64, extra: i64) -> FacilityRecord {
        FacilityRecord {
            id: "N".into(),
            provider_id: "P".into(),
            name: "n".into(),
            kind: "night_shelter".into(),
            adult_places: adults,
            child_places: 2,
            cold_extra_places: extra,
            stay_limit_days: 1,
            address: String::new(),
            lon: None,
            lat: None,
            phone: String::new(),
            version: 0,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    #[test]
    fn a_held_bed_is_admitted_once_the_person_arrives_and_released_once_discharged() {
        assert_eq!(admission_state(false, false), "held");
        assert_eq!(admission_state(false, true), "admitted");
        assert_eq!(admission_state(true, false), "released");
        assert_eq!(admission_state(true, true), "released");
    }

    fn rule(from: &str, to: &str, below: Option<f64>) -> ColdWeatherRule {
        ColdWeatherRule {
            from: from.into(),
            to: to.into(),
            below_celsius: below,
            reading_valid_hours: 12,
        }
    }

    #[test]
    fn adults_and_children_are_counted_against_their_own_places() {
        let f = night(2, 3);
        let taken = Occupancy {
            adults: 1,
            children: 2,
        };
        assert!(fits(&f, taken, false, 1, 0));
        assert!(!fits(&f, taken, false, 1, 1), "no child place left");
        assert!(!fits(&f, taken, false, 2, 0));
        assert!(fits(&f, taken, true, 4, 0), "the cold-weather extra opens");
        let full = Occupancy {
            adults: 5,
            children: 0,
        };
        assert_eq!(free(&f, full, false).adults, 0, "never below zero");
    }

    #[test]
    fn the_extra_places_are_only_a_night_shelters() {
        let mut f = night(2, 3);
        f.kind = "shelter".into();
        assert_eq!(adult_places(&f, true), 2);
    }

    #[test]
    fn a_dv_shelters_address_is_for_emiu_and_supervisors_only() {
        for role in Role::ALL {
            let expected = matches!(role, Role::Emiu | Role::Supervisor);
            assert_eq!(may_see_address(role, "dv_shelter"), expected, "{role:?}");
            assert!(may_see_address(role, "night_shelter"));
        }
        assert!(!may_admit(Role::Dispatcher, "dv_shelter"));
        assert!(!may_admit(Role::Driver, "night_shelter"));
    }

    #[test]
    fn the_season_runs_over_the_new_year() {
        let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).unwrap();
        let (from, to) = ((12, 1), (2, 28));
        assert!(in_season(d(12, 1), from, to));
        assert!(in_season(d(1, 15), from, to));
        assert!(in_season(d(2, 28), from, to));
        assert!(!in_season(d(3, 1), from, to));
        assert!(!in_season(d(11, 30), from, to));
        assert!(in_season(d(6, 10), (6, 1), (6, 30)));
    }

    #[test]
    fn the_switch_wins_then_the_season_then_a_fresh_cold_reading() {
        let now = Utc::now();
        let summer = NaiveDate::from_ymd_opt(2026, 7, 1).unwrap();
        let winter = NaiveDate::from_ymd_opt(2026, 12, 10).unwrap();
        let r = rule("12-01", "02-28", Some(-5.0));
        assert_eq!(
            cold_weather(Some("off"), &r, winter, None, now),
            (false, ColdSource::Switch)
        );
        assert_eq!(
            cold_weather(Some("on"), &r, summer, None, now),
            (true, ColdSource::Switch)
        );
        assert_eq!(
            cold_weather(Some("auto"), &r, winter, None, now),
            (true, ColdSource::Season)
        );
        assert_eq!(
            cold_weather(None, &r, summer, None, now),
            (false, ColdSource::Rule)
        );
        let cold = Some((-7.0, now));
        assert_eq!(
            cold_weather(None, &r, summer, cold, now),
            (true, ColdSource::Temperature)
        );
        let stale = Some((-7.0, now - Duration::hours(13)));
        assert!(!cold_weather(None, &r, summer, stale, now).0);
        let mild = Some((-4.0, now));
        assert!(!cold_weather(None, &r, summer, mild, now).0);
        let no_season = rule("", "", None);
        assert!(!cold_weather(None, &no_season, winter, cold, now).0);
    }

    #[test]
    fn the_nearest_night_shelter_with_a_free_bed_comes_first() {
        let at = |id: &str, lon: f64, free_adults: i64| {
            let mut f = night(free_adults, 0);
            f.id = id.into();
            f.lon = Some(lon);
            f.lat = Some(45.75);
            (f, Occupancy::default())
        };
        let list = vec![
            at("far", 21.30, 3),
            at("near-full", 21.231, 0),
            at("near", 21.24, 1),
        ];
        let got = nearest_night_shelters(Some((21.23, 45.75)), &list, false);
        let ids: Vec<_> = got.iter().map(|(f, _, _)| f.id.as_str()).collect();
        assert_eq!(ids, ["near", "far"]);
        assert!((distance_m((21.23, 45.75), (21.24, 45.75)) - 777.0).abs() < 10.0);
    }

    #[test]
    fn a_person_is_initials_or_a_pseudonym() {
        assert_eq!(person(" A.B. ").unwrap(), "A.B.");
        assert!(person("").is_err());
        assert!(person("1850101123456").is_err());
        assert!(person(&"x".repeat(25)).is_err());
    }
}
