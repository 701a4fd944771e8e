//! Driving profiles and the time-of-day table, as data (`profiles.toml`), not code.

use anyhow::{bail, Context};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The profiles file shipped with the crate; its hash is part of the cache key, so editing a
/// speed rebuilds the prepared graph.
pub(crate) const PROFILES_TOML: &str = include_str!("profiles.toml");

/// Which vehicle a query is for. Each has its own speeds, penalties and contraction hierarchy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ProfileId {
    /// The emergency mobile team's car (EMIU): ordinary car speeds.
    EmiuCar,
    /// The adapted wheelchair van: slower, gentler, capped at 70 km/h.
    Van,
}

impl ProfileId {
    /// Every profile, in the order they are prepared.
    pub const ALL: [ProfileId; 2] = [ProfileId::EmiuCar, ProfileId::Van];

    /// The profile's name in `profiles.toml`.
    pub fn name(self) -> &'static str {
        match self {
            ProfileId::EmiuCar => "emiu_car",
            ProfileId::Van => "van",
        }
    }

    pub(crate) fn index(self) -> usize {
        match self {
            ProfileId::EmiuCar => 0,
            ProfileId::Van => 1,
        }
    }
}

/// One vehicle's speeds and penalties (see `profiles.toml` for the meaning of each field).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Profile {
    pub name: String,
    pub maxspeed_factor: f64,
    pub max_kmh: f64,
    pub turn_penalty_s: f64,
    pub left_turn_bias: f64,
    pub u_turn_penalty_s: f64,
    pub traffic_signal_s: f64,
    pub speeds: HashMap<String, f64>,
    #[serde(default)]
    pub service_speeds: HashMap<String, f64>,
}

impl Profile {
    /// Speed in km/h on a way of class `highway` (with `service=*` subtype and parsed
    /// `maxspeed`), or `None` when this vehicle may not drive there.
    pub(crate) fn speed_kmh(
        &self,
        highway: &str,
        service: Option<&str>,
        maxspeed: Option<f64>,
    ) -> Option<f64> {
        let class = *self.speeds.get(highway)?;
        let base = match service.and_then(|s| self.service_speeds.get(s)) {
            Some(&s) => s,
            None => class,
        };
        let speed = match maxspeed {
            Some(m) if m > 0.0 && service.is_none() => m * self.maxspeed_factor,
            _ => base,
        };
        Some(speed.min(self.max_kmh).max(1.0))
    }
}

/// Travel-time multipliers by hour of departure: rush hours are slower.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TimeOfDay {
    /// 24 factors, one per local hour; 1.0 is free flow.
    pub factors: Vec<f64>,
}

impl TimeOfDay {
    /// The factor for a departure at `second_of_day` (taken modulo one day).
    pub fn factor(&self, second_of_day: u32) -> f64 {
        let hour = ((second_of_day % 86_400) / 3_600) as usize;
        self.factors.get(hour).copied().unwrap_or(1.0)
    }
}

/// The parsed `profiles.toml`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ProfileSet {
    pub time_of_day: TimeOfDay,
    #[serde(rename = "profile")]
    pub profiles: Vec<Profile>,
}

impl ProfileSet {
    /// Parses and checks a profiles file: 24 positive factors, and every [`ProfileId`] present.
    pub fn parse(text: &str) -> anyhow::Result<Self> {
        let set: ProfileSet = toml::from_str(text).context("parsing profiles.toml")?;
        if set.time_of_day.factors.len() != 24 || set.time_of_day.factors.iter().any(|f| *f <= 0.0)
        {
            bail!("time_of_day.factors must hold 24 positive numbers");
        }
        for id in ProfileId::ALL {
            if set.get(id).is_none() {
                bail!("profiles.toml lacks the profile {:?}", id.name());
            }
        }
        Ok(set)
    }

    /// The profiles shipped with the crate.
    pub fn builtin() -> anyhow::Result<Self> {
        Self::parse(PROFILES_TOML)
    }

    /// The profile of `id`, if the file defines it.
    pub fn get(&self, id: ProfileId) -> Option<&Profile> {
        self.profiles.iter().find(|p| p.name == id.name())
    }
}

/// Parses an OSM `maxspeed` value in km/h ("50", "50 km/h", "30 mph"); other forms
/// ("RO:urban", "none", "signals") give `None` and the class speed applies.
pub(crate) fn parse_maxspeed(value: &str) -> Option<f64> {
    let v = value.trim();
    if let Some(mph) = v.strip_suffix("mph") {
        return mph.trim().parse::<f64>().ok().map(|m| m * 1.609_344);
    }
    let v = v.strip_suffix("km/h").unwrap_or(v).trim();
    match v {
        "RO:urban" => Some(50.0),
        "RO:rural" => Some(90.0),
        _ => v.parse::<f64>().ok().filter(|s| *s > 0.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_profiles_parse_and_define_every_vehicle() {
        let set = ProfileSet::builtin().expect("builtin profiles");
        assert!(set.get(ProfileId::Van).is_some());
        assert!(set.get(ProfileId::EmiuCar).is_some());
    }

    #[test]
    fn rush_hour_is_slower_than_night() {
        let set = ProfileSet::builtin().expect("builtin profiles");
        assert!(set.time_of_day.factor(8 * 3600) > set.time_of_day.factor(3 * 3600));
    }

    #[test]
    fn van_is_never_faster_than_the_car() {
        let set = ProfileSet::builtin().expect("builtin profiles");
        let (van, car) = (
            set.get(ProfileId::Van).expect("van"),
            set.get(ProfileId::EmiuCar).expect("car"),
        );
        for class in car.speeds.keys() {
            for maxspeed in [None, Some(30.0), Some(50.0), Some(90.0)] {
                let v = van.speed_kmh(class, None, maxspeed);
                let c = car.speed_kmh(class, None, maxspeed);
                assert!(v <= c, "{class} {maxspeed:?}");
            }
        }
    }

    #[test]
    fn maxspeed_values_parse_in_kmh() {
        assert_eq!(parse_maxspeed("50"), Some(50.0));
        assert_eq!(parse_maxspeed("30 km/h"), Some(30.0));
        assert_eq!(parse_maxspeed("RO:urban"), Some(50.0));
        assert_eq!(parse_maxspeed("none"), None);
    }
}
