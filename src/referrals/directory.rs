//! The directory of services: what an entry must hold (checked once, at the edge), the text a
//! search matches, and seeding it from the configuration.

use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::config::{ReferralsConfig, Service};
use crate::domain::{parse, CallCategory};
use crate::error::{Error, Result};
use crate::store::{EmergencyStore, ServiceEntry};

/// The kinds of service: a unit of the DAS, or a partner NGO.
pub(crate) const KINDS: &[&str] = &["das_unit", "ngo"];

/// The longest acknowledgement deadline, in minutes (30 days).
pub(crate) const MAX_DEADLINE_MIN: i64 = 43_200;

/// Lower case without Romanian diacritics, so `varstnici` finds `vârstnici`.
pub(crate) fn fold(s: &str) -> String {
    s.to_lowercase()
        .chars()
        .map(|c| match c {
            'ă' | 'â' => 'a',
            'î' => 'i',
            'ș' | 'ş' => 's',
            'ț' | 'ţ' => 't',
            other => other,
        })
        .collect()
}

/// What `?q=` is matched against: the name, the eligibility and the categories served.
pub(crate) fn search_text(e: &ServiceEntry) -> String {
    fold(&format!(
        "{} {} {} {}",
        e.id,
        e.name,
        e.eligibility,
        e.categories.join(" ")
    ))
}

/// The words of a query, folded; every one must match. A word of five letters or more loses
/// its last two, so the Romanian endings do not matter: `violenta` finds `violenței`,
/// `adapost` finds `adăpostul`, `varstnici` finds `vârstnice`.
pub(crate) fn query_words(q: &str) -> Vec<String> {
    fold(q)
        .split_whitespace()
        .map(|w| {
            let chars: Vec<char> = w.chars().collect();
            if chars.len() >= 5 {
                chars[..chars.len() - 2].iter().collect()
            } else {
                w.to_owned()
            }
        })
        .collect()
}

/// A service as an admin writes it (create or replace).
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ServiceDto {
    /// Only when creating: a stable id (letters, digits, `-`, `_`).
    #[serde(default)]
    pub id: Option<String>,
    pub name: String,
    /// `das_unit` or `ngo`.
    pub kind: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub opening_hours: String,
    /// The service's phone number.
    pub phone: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub eligibility: String,
    #[serde(default)]
    pub how_to_apply: String,
    /// Call categories it serves (not `unclassified`).
    #[serde(default)]
    pub categories: Vec<String>,
    #[schema(minimum = 1, maximum = 43200)]
    pub ack_deadline_minutes: i64,
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

fn required(field: &str, value: &str, max: usize) -> Result<String> {
    let v = parse::text(field, value.trim(), max)?;
    if v.is_empty() {
        return Err(Error::validation(field, "required"));
    }
    Ok(v)
}

/// The entry `dto` describes, with id `id`, or a 422 naming the first wrong field.
pub(crate) fn entry(
    id: String,
    dto: ServiceDto,
    by: &str,
    at: DateTime<Utc>,
) -> Result<ServiceEntry> {
    let name = required("name", &dto.name, 200)?;
    if !KINDS.contains(&dto.kind.as_str()) {
        return Err(Error::validation("kind", "must be das_unit or ngo"));
    }
    let phone = parse::phone("phone", &dto.phone)?;
    let email = parse::text("email", dto.email.trim(), 200)?;
    if !email.is_empty() && !is_email(&email) {
        return Err(Error::validation("email", "must be an e-mail address"));
    }
    if dto.categories.len() > 16 {
        return Err(Error::validation("categories", "at most 16"));
    }
    let mut categories = Vec::new();
    for (i, c) in dto.categories.iter().enumerate() {
        let field = format!("categories[{i}]");
        let cat = CallCategory::parse(c).map_err(|m| Error::validation(&field, m))?;
        if cat == CallCategory::Unclassified {
            return Err(Error::validation(&field, "not a category a service serves"));
        }
        if !categories.contains(c) {
            categories.push(c.clone());
        }
    }
    if !(1..=MAX_DEADLINE_MIN).contains(&dto.ack_deadline_minutes) {
        return Err(Error::validation(
            "ack_deadline_minutes",
            "must be 1 to 43200 minutes (30 days)",
        ));
    }
    Ok(ServiceEntry {
        id,
        name,
        kind: dto.kind,
        address: parse::text("address", dto.address.trim(), 300)?,
        opening_hours: parse::text("opening_hours", dto.opening_hours.trim(), 200)?,
        phone,
        email,
        eligibility: parse::text("eligibility", dto.eligibility.trim(), 1000)?,
        how_to_apply: parse::text("how_to_apply", dto.how_to_apply.trim(), 2000)?,
        categories,
        ack_deadline_minutes: dto.ack_deadline_minutes,
        active: dto.active,
        updated_by: by.to_owned(),
        updated_at: at,
    })
}

fn is_email(s: &str) -> bool {
    match s.split_once('@') {
        Some((user, host)) => {
            !user.is_empty()
                && host.contains('.')
                && !host.starts_with('.')
                && !host.ends_with('.')
                && !s.chars().any(char::is_whitespace)
        }
        None => false,
    }
}

/// The directory entry a configured service seeds.
pub(crate) fn from_config(s: &Service, default_minutes: i64, at: DateTime<Utc>) -> ServiceEntry {
    ServiceEntry {
        id: s.id.clone(),
        name: s.name.clone(),
        kind: s.kind.clone().unwrap_or_else(|| "das_unit".into()),
        address: s.address.clone(),
        opening_hours: s.opening_hours.clone(),
        phone: s.phone.clone(),
        email: s.email.clone(),
        eligibility: s.eligibility.clone(),
        how_to_apply: s.how_to_apply.clone(),
        categories: s.categories.clone(),
        ack_deadline_minutes: s.ack_deadline_minutes.unwrap_or(default_minutes),
        active: true,
        updated_by: "config".into(),
        updated_at: at,
    }
}

/// Adds every configured service the directory does not hold yet; how many were added.
pub(crate) async fn seed(store: &dyn EmergencyStore, config: &ReferralsConfig) -> Result<usize> {
    let now = Utc::now();
    let mut added = 0;
    for s in &config.services {
        let e = from_config(s, config.ack_deadline_minutes, now);
        if store.add_service(&e, &search_text(&e)).await? {
            added += 1;
        }
    }
    Ok(added)
}

/// The active service `id`, or a 422 naming `service`.
pub(crate) async fn active(store: &dyn EmergencyStore, id: &str) -> Result<ServiceEntry> {
    match store.service_entry(id).await? {
        Some(s) if s.active => Ok(s),
        Some(_) => Err(Error::validation(
            "service",
            "this service is no longer active",
        )),
        None => Err(Error::validation(
            "service",
            "unknown service; see GET /api/v1/services",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dto() -> ServiceDto {
        ServiceDto {
            id: None,
            name: "Serviciu".into(),
            kind: "ngo".into(),
            address: String::new(),
            opening_hours: String::new(),
            phone: "0256 000 300".into(),
            email: "a@b.ro".into(),
            eligibility: "Vârstnici singuri".into(),
            how_to_apply: String::new(),
            categories: vec!["neglect".into()],
            ack_deadline_minutes: 60,
            active: true,
        }
    }

    fn field(r: Result<ServiceEntry>) -> String {
        match r {
            Err(Error::Validation { field, .. }) => field,
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn a_wrong_field_is_named() {
        let now = Utc::now();
        assert!(entry("s".into(), dto(), "a", now).is_ok());
        let mut d = dto();
        d.kind = "firm".into();
        assert_eq!(field(entry("s".into(), d, "a", now)), "kind");
        let mut d = dto();
        d.phone = "abc".into();
        assert_eq!(field(entry("s".into(), d, "a", now)), "phone");
        let mut d = dto();
        d.categories = vec!["neglect".into(), "nope".into()];
        assert_eq!(field(entry("s".into(), d, "a", now)), "categories[1]");
        let mut d = dto();
        d.ack_deadline_minutes = 0;
        assert_eq!(
            field(entry("s".into(), d, "a", now)),
            "ack_deadline_minutes"
        );
        let mut d = dto();
        d.name = "  ".into();
        assert_eq!(field(entry("s".into(), d, "a", now)), "name");
        let mut d = dto();
        d.email = "no-at".into();
        assert_eq!(field(entry("s".into(), d, "a", now)), "email");
    }

    #[test]
    fn a_search_ignores_case_and_diacritics() {
        let e = entry("s".into(), dto(), "a", Utc::now()).unwrap();
        let text = search_text(&e);
        for q in [
            "VARSTNICI",
            "vârstnici singuri",
            "neglect",
            "serviciu",
            "vârstnic",
        ] {
            assert!(
                query_words(q).iter().all(|w| text.contains(w.as_str())),
                "{q}"
            );
        }
        assert!(!query_words("copii")
            .iter()
            .all(|w| text.contains(w.as_str())));
    }
}
