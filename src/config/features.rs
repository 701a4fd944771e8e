//! The features' sections of the configuration: `[telephony]`, `[teleasistenta]`,
//! `[referrals]`, `[transport]`, `[sms]`. Plain data with their checks; the features read them.

use std::path::PathBuf;

use chrono::NaiveTime;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use super::Templates;

/// `[telephony]` in the configuration.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TelephonyConfig {
    /// Key of the webhook signatures; `Debug` redacts it.
    pub auth_token: SecretString,
    pub public_url: String,
    pub dispatcher_phone: String,
    pub dial_timeout_s: u32,
    pub queue_name: String,
    pub greeting: String,
    pub hold_message: String,
    pub hold_music_url: String,
    /// Our number the outbound calls come from; empty: dial requests wait in the outbox.
    pub calls_from: String,
    /// The dispatch desk an answered outbound call is connected to; empty: `dispatcher_phone`.
    pub dispatch_desk_number: String,
}

impl TelephonyConfig {
    pub fn validate(&self) -> anyhow::Result<()> {
        anyhow::ensure!(
            self.public_url.is_empty()
                || self.public_url.starts_with("https://")
                || self.public_url.starts_with("http://"),
            "telephony.public_url: must be empty or start with https:// or http://"
        );
        anyhow::ensure!(
            (5..=120).contains(&self.dial_timeout_s),
            "telephony.dial_timeout_s: must be 5-120"
        );
        anyhow::ensure!(
            !self.queue_name.trim().is_empty(),
            "telephony.queue_name: must not be empty"
        );
        if !self.dispatcher_phone.is_empty() {
            crate::domain::parse::phone("telephony.dispatcher_phone", &self.dispatcher_phone)
                .map_err(|e| anyhow::anyhow!("telephony.dispatcher_phone: {e}"))?;
        }
        for (key, value) in [
            ("telephony.calls_from", &self.calls_from),
            ("telephony.dispatch_desk_number", &self.dispatch_desk_number),
        ] {
            if !value.is_empty() {
                crate::domain::parse::phone(key, value)
                    .map_err(|e| anyhow::anyhow!("{key}: {e}"))?;
            }
        }
        Ok(())
    }

    pub(crate) fn token(&self) -> &str {
        self.auth_token.expose_secret()
    }

    /// The number an answered outbound call is connected to.
    pub fn desk_number(&self) -> &str {
        if self.dispatch_desk_number.is_empty() {
            &self.dispatcher_phone
        } else {
            &self.dispatch_desk_number
        }
    }
}

/// `[teleasistenta]` in the configuration.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TeleasistentaConfig {
    pub monitor_interval_ms: u64,
    pub checkin_grace_s: i64,
    pub default_checkin_period_s: i64,
    pub low_battery_pct: i32,
    pub storm_threshold: usize,
    pub storm_window_s: i64,
}

impl TeleasistentaConfig {
    pub fn validate(&self) -> anyhow::Result<()> {
        anyhow::ensure!(
            self.monitor_interval_ms >= 10,
            "teleasistenta.monitor_interval_ms: must be at least 10"
        );
        anyhow::ensure!(
            self.checkin_grace_s >= 0,
            "teleasistenta.checkin_grace_s: must not be negative"
        );
        anyhow::ensure!(
            self.default_checkin_period_s >= 1,
            "teleasistenta.default_checkin_period_s: must be at least 1"
        );
        anyhow::ensure!(
            (0..=100).contains(&self.low_battery_pct),
            "teleasistenta.low_battery_pct: must be 0-100"
        );
        anyhow::ensure!(
            self.storm_threshold >= 1,
            "teleasistenta.storm_threshold: must be at least 1"
        );
        anyhow::ensure!(
            self.storm_window_s >= 1,
            "teleasistenta.storm_window_s: must be at least 1"
        );
        Ok(())
    }
}

/// A service cases are referred to, as the directory is seeded with it on start (a service
/// already in the directory is left as the admin keeps it).
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Service {
    pub id: String,
    pub name: String,
    /// `das_unit` (the default) or `ngo`.
    #[serde(default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub opening_hours: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub eligibility: String,
    #[serde(default)]
    pub how_to_apply: String,
    /// The call categories it serves.
    #[serde(default)]
    pub categories: Vec<String>,
    /// Minutes to acknowledge a referral; `[referrals] ack_deadline_minutes` when absent.
    #[serde(default)]
    pub ack_deadline_minutes: Option<i64>,
}

/// `[referrals]` in the configuration.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReferralsConfig {
    pub follow_up_interval_ms: u64,
    /// How often referrals are checked for a missed acknowledgement, in milliseconds.
    pub ack_check_interval_ms: u64,
    /// The acknowledgement deadline of a seeded service that names none, in minutes.
    pub ack_deadline_minutes: i64,
    /// The number a service's staff call the dispatch centre back on (shown in their inbox).
    pub dispatch_phone: String,
    pub services: Vec<Service>,
}

impl ReferralsConfig {
    pub fn validate(&self) -> anyhow::Result<()> {
        anyhow::ensure!(
            self.follow_up_interval_ms >= 50,
            "referrals.follow_up_interval_ms: must be at least 50"
        );
        anyhow::ensure!(
            self.ack_check_interval_ms >= 50,
            "referrals.ack_check_interval_ms: must be at least 50"
        );
        anyhow::ensure!(
            (1..=43_200).contains(&self.ack_deadline_minutes),
            "referrals.ack_deadline_minutes: must be 1 to 43200 (30 days)"
        );
        crate::domain::parse::phone("referrals.dispatch_phone", &self.dispatch_phone)
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        anyhow::ensure!(
            !self.services.is_empty(),
            "referrals.services: at least one service is required"
        );
        let mut seen = std::collections::HashSet::new();
        for (i, s) in self.services.iter().enumerate() {
            crate::domain::parse::identifier("id", &s.id, 64)
                .map_err(|e| anyhow::anyhow!("referrals.services[{i}].id: {e}"))?;
            anyhow::ensure!(
                seen.insert(s.id.as_str()),
                "referrals.services[{i}].id: duplicate id {:?}",
                s.id
            );
            if let Some(m) = s.ack_deadline_minutes {
                anyhow::ensure!(
                    (1..=43_200).contains(&m),
                    "referrals.services[{i}].ack_deadline_minutes: must be 1 to 43200"
                );
            }
            if let Some(k) = &s.kind {
                anyhow::ensure!(
                    k == "das_unit" || k == "ngo",
                    "referrals.services[{i}].kind: das_unit or ngo"
                );
            }
        }
        Ok(())
    }
}

/// `[transport]` in the configuration (see `config/default.toml`).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TransportConfig {
    pub window_minutes: u32,
    pub recurrence_weeks: u32,
    pub change_cutoff_minutes: i64,
    pub min_notice_minutes: i64,
    pub plan_seconds: f64,
    pub promise_early_minutes: i64,
    pub promise_late_minutes: i64,
    pub arriving_minutes: f64,
    /// Minutes late against the plan before the remaining stops are shifted (see `transport::delay`).
    pub delay_threshold_minutes: u32,
    pub reminder_time: NaiveTime,
    pub default_shift_start: NaiveTime,
    pub default_shift_end: NaiveTime,
    pub templates_file: PathBuf,
    /// A training installation: drivers may take a later day's steps on the tablet (see
    /// `default.toml`). Off in service, where a step is recorded on its trip's day only.
    pub rehearsal: bool,
    /// Eligibility and the no-show / late-cancel policy (`[transport.policy]`).
    pub policy: TransportPolicy,
}

/// `[transport.policy]`: certificates and the no-show / late-cancel policy.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TransportPolicy {
    /// Refuse (409 `no_certificate`) a booking for a rider without a recorded certificate.
    pub require_certificate: bool,
    /// Days over which no-shows and late cancels are counted.
    pub window_days: u32,
    /// That many in the window flag the rider for the supervisor.
    pub max_events: u32,
    /// A cancellation less than this many minutes before the pick-up is a late cancel.
    pub late_cancel_minutes: i64,
    /// Riders are reminded by SMS this many days before their certificate expires; the
    /// expiring list looks this far ahead.
    pub certificate_reminder_days: u32,
    /// Local time from which the day's certificate reminders are queued.
    pub certificate_reminder_time: NaiveTime,
}

impl TransportConfig {
    pub fn validate(&self) -> anyhow::Result<()> {
        anyhow::ensure!(
            (5..=120).contains(&self.window_minutes),
            "transport.window_minutes: 5-120"
        );
        anyhow::ensure!(
            (1..=52).contains(&self.recurrence_weeks),
            "transport.recurrence_weeks: 1-52"
        );
        anyhow::ensure!(
            self.plan_seconds > 0.0 && self.plan_seconds <= 600.0,
            "transport.plan_seconds: more than 0, at most 600"
        );
        anyhow::ensure!(
            (1..=120).contains(&self.delay_threshold_minutes),
            "transport.delay_threshold_minutes: 1-120"
        );
        anyhow::ensure!(
            self.default_shift_start < self.default_shift_end,
            "transport.default_shift_end: must be after default_shift_start"
        );
        let p = &self.policy;
        anyhow::ensure!(
            (1..=365).contains(&p.window_days),
            "transport.policy.window_days: 1-365"
        );
        anyhow::ensure!(
            (1..=100).contains(&p.max_events),
            "transport.policy.max_events: 1-100"
        );
        anyhow::ensure!(
            (0..=10_080).contains(&p.late_cancel_minutes),
            "transport.policy.late_cancel_minutes: 0-10080"
        );
        anyhow::ensure!(
            (1..=365).contains(&p.certificate_reminder_days),
            "transport.policy.certificate_reminder_days: 1-365"
        );
        Templates::load(&self.templates_file)?;
        Ok(())
    }
}

/// `[sms]` in the configuration.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmsConfig {
    pub base_url: String,
    pub account_sid: String,
    pub auth_token: SecretString,
    pub from: String,
    pub max_attempts: i32,
    pub backoff_initial_ms: u64,
    pub backoff_max_ms: u64,
    pub poll_ms: u64,
    pub timeout_s: u64,
}

impl SmsConfig {
    pub fn validate(&self) -> anyhow::Result<()> {
        anyhow::ensure!(
            self.base_url.starts_with("http://") || self.base_url.starts_with("https://"),
            "sms.base_url: must start with http:// or https://"
        );
        anyhow::ensure!(self.max_attempts >= 1, "sms.max_attempts: at least 1");
        anyhow::ensure!(
            self.backoff_initial_ms >= 1 && self.backoff_max_ms >= self.backoff_initial_ms,
            "sms.backoff_max_ms: must be at least sms.backoff_initial_ms (>= 1)"
        );
        anyhow::ensure!(self.poll_ms >= 10, "sms.poll_ms: at least 10");
        anyhow::ensure!(self.timeout_s >= 1, "sms.timeout_s: at least 1");
        Ok(())
    }
}

/// `[emiu]` in the configuration: the EMIU procedure's clocks.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmiuConfig {
    /// Minutes from the police's notice to the team on scene (a police request). A fraction is
    /// allowed so tests can run the clock in seconds.
    pub police_request_arrival_minutes: f64,
    /// Days before a protection order expires that a reminder item is raised.
    pub order_reminder_days: u32,
    /// How often due protection-order reminders are looked for, in milliseconds.
    pub reminder_interval_ms: u64,
}

impl EmiuConfig {
    pub fn validate(&self) -> anyhow::Result<()> {
        anyhow::ensure!(
            self.police_request_arrival_minutes > 0.0
                && self.police_request_arrival_minutes <= 1440.0,
            "emiu.police_request_arrival_minutes: must be more than 0 and at most 1440"
        );
        anyhow::ensure!(
            self.order_reminder_days <= 60,
            "emiu.order_reminder_days: must be 0-60"
        );
        anyhow::ensure!(
            self.reminder_interval_ms >= 50,
            "emiu.reminder_interval_ms: must be at least 50"
        );
        Ok(())
    }

    /// The time the team has from the police's notice to be on scene.
    pub fn arrival_window(&self) -> chrono::Duration {
        chrono::Duration::milliseconds((self.police_request_arrival_minutes * 60_000.0) as i64)
    }
}
