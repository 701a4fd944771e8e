//! The cold-weather mode: the supervisor's switch (audited, with a reason) or the configured
//! rule (the season, or a temperature staff posted) decides it, `rules::cold_weather`.

use chrono::{DateTime, Utc};

use crate::beds::rules::{self, ColdSource};
use crate::config::ColdWeatherRule;
use crate::error::Result;
use crate::store::beds::{ColdSwitch, TemperatureReading};
use crate::store::EmergencyStore;

/// The mode now and what decided it.
#[derive(Clone, Debug)]
pub(crate) struct ColdState {
    pub on: bool,
    pub source: ColdSource,
    /// The supervisor's last switch (`auto` when none).
    pub switch: Option<ColdSwitch>,
    pub reading: Option<TemperatureReading>,
}

/// The mode as it is at `now`.
pub(crate) async fn state(
    store: &dyn EmergencyStore,
    rule: &ColdWeatherRule,
    now: DateTime<Utc>,
) -> Result<ColdState> {
    let switch = store.cold_switch().await?;
    let reading = store.latest_temperature().await?;
    let today = now
        .with_timezone(&chrono_tz::Europe::Bucharest)
        .date_naive();
    let (on, source) = rules::cold_weather(
        switch.as_ref().map(|s| s.mode.as_str()),
        rule,
        today,
        reading.as_ref().map(|r| (r.celsius, r.recorded_at)),
        now,
    );
    Ok(ColdState {
        on,
        source,
        switch,
        reading,
    })
}

/// Whether the mode is on now (for counting places).
pub(crate) async fn is_on(store: &dyn EmergencyStore, rule: &ColdWeatherRule) -> Result<bool> {
    Ok(state(store, rule, Utc::now()).await?.on)
}
