//! `[outbound]`: wellbeing calls, call lists and campaigns (`crate::outbound`).

use serde::Deserialize;

/// How outbound calls are raised, retried and spread.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutboundConfig {
    /// Tries of an unanswered call before it is escalated to the supervisor (1 = no retry).
    pub max_attempts: u32,
    /// Minutes between an unanswered try and the next. A fraction is allowed so tests can run
    /// the retry in seconds.
    pub retry_minutes: f64,
    /// Hours after a `needs_follow_up` outcome by which the follow-up call is due (a new
    /// outbound call to the same person, carrying the caller's note). A fraction is allowed.
    pub follow_up_hours: f64,
    /// How often due schedules and calls are looked for, in milliseconds.
    pub interval_ms: u64,
    /// The time zone of schedules' times and campaign windows.
    pub zone: String,
    /// Most beneficiaries one campaign or call list may hold.
    pub max_batch: usize,
}

impl OutboundConfig {
    pub fn validate(&self) -> anyhow::Result<()> {
        anyhow::ensure!(
            (1..=10).contains(&self.max_attempts),
            "outbound.max_attempts: must be 1-10"
        );
        anyhow::ensure!(
            self.retry_minutes > 0.0 && self.retry_minutes <= 1440.0,
            "outbound.retry_minutes: must be more than 0 and at most 1440"
        );
        anyhow::ensure!(
            self.follow_up_hours > 0.0 && self.follow_up_hours <= 720.0,
            "outbound.follow_up_hours: must be more than 0 and at most 720 (30 days)"
        );
        anyhow::ensure!(
            (50..=3_600_000).contains(&self.interval_ms),
            "outbound.interval_ms: must be 50-3600000"
        );
        anyhow::ensure!(
            self.zone.parse::<chrono_tz::Tz>().is_ok(),
            "outbound.zone: not a time zone name (e.g. Europe/Bucharest)"
        );
        anyhow::ensure!(
            (1..=20_000).contains(&self.max_batch),
            "outbound.max_batch: must be 1-20000"
        );
        Ok(())
    }

    /// The zone, parsed (checked by `validate`).
    pub fn tz(&self) -> chrono_tz::Tz {
        self.zone.parse().unwrap_or(chrono_tz::Europe::Bucharest)
    }

    /// The wait between a `needs_follow_up` outcome and its follow-up call, in milliseconds.
    pub fn follow_up_ms(&self) -> i64 {
        (self.follow_up_hours * 3_600_000.0) as i64
    }

    /// The wait between an unanswered try and the next, in milliseconds.
    pub fn retry_ms(&self) -> i64 {
        (self.retry_minutes * 60_000.0) as i64
    }
}
