//! `[shifts]`: how the incoming-call webhook rings the dispatchers on duty, and the handover
//! note's summary.

use serde::Deserialize;

/// How the people on duty are rung.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Ring {
    /// Every phone at once: the first to answer takes the call.
    Simultaneous,
    /// One after another, in the shift's order, each for `sequential_timeout_s`.
    Sequential,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShiftsConfig {
    pub ring: Ring,
    /// Seconds each phone rings in sequential ringing before the next is tried.
    pub sequential_timeout_s: u32,
    /// The handover summary lists the follow-ups due within this many hours.
    pub follow_ups_within_h: u32,
    /// How long after its end a shift's lead may still write its handover note, in hours.
    pub handover_grace_h: u32,
}

impl ShiftsConfig {
    pub fn validate(&self) -> anyhow::Result<()> {
        anyhow::ensure!(
            (5..=120).contains(&self.sequential_timeout_s),
            "shifts.sequential_timeout_s: must be 5-120"
        );
        anyhow::ensure!(
            (1..=72).contains(&self.follow_ups_within_h),
            "shifts.follow_ups_within_h: must be 1-72"
        );
        anyhow::ensure!(
            self.handover_grace_h <= 24,
            "shifts.handover_grace_h: must be 0-24"
        );
        Ok(())
    }
}
