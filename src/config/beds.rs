//! `[beds]` in the configuration: the bed registry's background task and the cold-weather rule.

use chrono::NaiveDate;
use serde::Deserialize;

/// `[beds]`: how often the outreach task looks for people sleeping rough, and the rule that
/// turns the cold-weather mode on by itself.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BedsConfig {
    /// How often calls about a person sleeping rough are looked for while the cold-weather mode
    /// is on (each becomes one outreach item), in milliseconds.
    pub outreach_interval_ms: u64,
    pub cold_weather: ColdWeatherRule,
}

/// `[beds.cold_weather]`: when the mode is on without a supervisor's switch. Either part may be
/// left out (an empty `from`/`to`, or no `below_celsius`); with both, either turns it on.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColdWeatherRule {
    /// First day of the cold season, `MM-DD` (e.g. `12-01`); empty: no date rule.
    pub from: String,
    /// Last day of the cold season, `MM-DD` (e.g. `02-28`); it may fall in the next year.
    pub to: String,
    /// On when the latest outdoor temperature posted by staff is at or below this (°C).
    #[serde(default)]
    pub below_celsius: Option<f64>,
    /// How long a posted temperature counts, in hours (an old reading turns nothing on).
    pub reading_valid_hours: u32,
}

/// A day of the year as (month, day).
pub type MonthDay = (u32, u32);

impl ColdWeatherRule {
    /// The season as (month, day) pairs; `None` without a date rule.
    pub fn season(&self) -> anyhow::Result<Option<(MonthDay, MonthDay)>> {
        if self.from.is_empty() && self.to.is_empty() {
            return Ok(None);
        }
        let parse = |key: &str, s: &str| -> anyhow::Result<MonthDay> {
            // A leap year, so 02-29 is a day.
            let d = NaiveDate::parse_from_str(&format!("2024-{s}"), "%Y-%m-%d").map_err(|_| {
                anyhow::anyhow!(
                    "beds.cold_weather.{key}: must be MM-DD (e.g. 12-01), or both empty"
                )
            })?;
            Ok((chrono::Datelike::month(&d), chrono::Datelike::day(&d)))
        };
        Ok(Some((parse("from", &self.from)?, parse("to", &self.to)?)))
    }
}

impl BedsConfig {
    pub fn validate(&self) -> anyhow::Result<()> {
        anyhow::ensure!(
            self.outreach_interval_ms >= 50,
            "beds.outreach_interval_ms: must be at least 50"
        );
        self.cold_weather.season()?;
        if let Some(t) = self.cold_weather.below_celsius {
            anyhow::ensure!(
                (-60.0..=40.0).contains(&t),
                "beds.cold_weather.below_celsius: must be between -60 and 40"
            );
        }
        anyhow::ensure!(
            (1..=168).contains(&self.cold_weather.reading_valid_hours),
            "beds.cold_weather.reading_valid_hours: 1-168"
        );
        Ok(())
    }
}
