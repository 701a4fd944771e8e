//! Field rules for every input (intake, registries, configuration). Each returns a domain value or a 422 naming the
//! field.

use serde::Deserialize;

use crate::domain::Place;
use crate::error::Error;
use routing::travel::LonLat;

/// A required identifier: 1–`max` characters of letters, digits and `-_.:/`.
pub fn identifier(field: &str, value: &str, max: usize) -> Result<String, Error> {
    let v = value.trim();
    if v.is_empty() || v.len() > max {
        return Err(Error::validation(
            field,
            format!("must be 1-{max} characters"),
        ));
    }
    if !v
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_.:/".contains(c))
    {
        return Err(Error::validation(
            field,
            "may contain only letters, digits and - _ . : /",
        ));
    }
    Ok(v.to_owned())
}

/// Free text of at most `max` characters (control characters other than newlines refused).
pub fn text(field: &str, value: &str, max: usize) -> Result<String, Error> {
    if value.chars().count() > max {
        return Err(Error::validation(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    if value
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(Error::validation(
            field,
            "must not contain control characters",
        ));
    }
    Ok(value.trim().to_owned())
}

/// A phone number: optional `+`, then 3–15 digits (spaces, dots and dashes are dropped).
pub fn phone(field: &str, value: &str) -> Result<String, Error> {
    let cleaned: String = value
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')'))
        .collect();
    let digits = cleaned.strip_prefix('+').unwrap_or(&cleaned);
    if digits.len() < 3 || digits.len() > 15 || !digits.chars().all(|c| c.is_ascii_digit()) {
        return Err(Error::validation(
            field,
            "must be a phone number: optional +, then 3-15 digits",
        ));
    }
    Ok(cleaned)
}

/// A place as sent by clients: an address, a position (`lon` and `lat` together), or both.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlaceDto {
    #[serde(default)]
    #[schema(max_length = 300)]
    pub address: Option<String>,
    #[serde(default)]
    #[schema(minimum = -180.0, maximum = 180.0)]
    pub lon: Option<f64>,
    #[serde(default)]
    #[schema(minimum = -90.0, maximum = 90.0)]
    pub lat: Option<f64>,
}

impl PlaceDto {
    /// Needs an address or a position (or both); positions must be real coordinates.
    pub fn parse(self, field: &str) -> Result<Place, Error> {
        let address = match self.address {
            Some(a) => {
                let a = text(&format!("{field}.address"), &a, 300)?;
                (!a.is_empty()).then_some(a)
            }
            None => None,
        };
        let position = match (self.lon, self.lat) {
            (Some(lon), Some(lat)) => {
                if !(-180.0..=180.0).contains(&lon) || !lon.is_finite() {
                    return Err(Error::validation(
                        format!("{field}.lon"),
                        "must be -180..180",
                    ));
                }
                if !(-90.0..=90.0).contains(&lat) || !lat.is_finite() {
                    return Err(Error::validation(format!("{field}.lat"), "must be -90..90"));
                }
                Some(LonLat::new(lon, lat))
            }
            (None, None) => None,
            (Some(_), None) => {
                return Err(Error::validation(
                    format!("{field}.lat"),
                    "lon given without lat",
                ))
            }
            (None, Some(_)) => {
                return Err(Error::validation(
                    format!("{field}.lon"),
                    "lat given without lon",
                ))
            }
        };
        if address.is_none() && position.is_none() {
            return Err(Error::validation(field, "needs an address or lon/lat"));
        }
        Ok(Place { address, position })
    }
}
