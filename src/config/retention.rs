//! `[retention]`: how long each kind of record is kept after it is finished, and the daily
//! purge job (`src/reports/retention.rs`). The periods are the directorate's decision, set here
//! so they can be changed without a release; the defaults are deliberately long.

use serde::Deserialize;

/// Days each kind of record is kept, counted from when it was finished (closed, sent, driven).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetentionConfig {
    /// Whether the daily purge runs in the service (the CLI works either way).
    pub enabled: bool,
    /// Hour of the day (Europe/Bucharest) after which the daily run starts.
    pub daily_hour: u32,
    /// Closed items that are not domestic-violence cases, days after closing.
    pub closed_items_days: u32,
    /// Domestic-violence case files (every item of the case), days after the case's last item
    /// closed. Never shorter than `closed_items_days`.
    pub dv_case_days: u32,
    /// The read audit (`audit_log`), days after the read.
    pub audit_log_days: u32,
    /// Transport trips (finished or cancelled) and their driver actions, days after the trip's
    /// day; the vehicles' last GPS positions, days after they were reported.
    pub transport_trips_days: u32,
    pub gps_positions_days: u32,
    /// Call metadata: the provider's call ids and finished outbound calls (no recordings are
    /// stored by the service), days after the call.
    pub call_records_days: u32,
    /// SMS rows of the outbox that were sent or gave up, days after they were written.
    pub sms_days: u32,
}

impl RetentionConfig {
    pub fn validate(&self) -> anyhow::Result<()> {
        anyhow::ensure!(self.daily_hour < 24, "retention.daily_hour: must be 0-23");
        for (name, days) in [
            ("closed_items_days", self.closed_items_days),
            ("dv_case_days", self.dv_case_days),
            ("audit_log_days", self.audit_log_days),
            ("transport_trips_days", self.transport_trips_days),
            ("gps_positions_days", self.gps_positions_days),
            ("call_records_days", self.call_records_days),
            ("sms_days", self.sms_days),
        ] {
            anyhow::ensure!(
                (1..=36_500).contains(&days),
                "retention.{name}: must be 1-36500 days"
            );
        }
        anyhow::ensure!(
            self.dv_case_days >= self.closed_items_days,
            "retention.dv_case_days: must not be shorter than retention.closed_items_days"
        );
        anyhow::ensure!(
            self.audit_log_days >= self.dv_case_days,
            "retention.audit_log_days: must not be shorter than retention.dv_case_days (who read a case is kept as long as the case)"
        );
        Ok(())
    }
}
