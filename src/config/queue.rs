//! `[queue]`: the time zone and the priority rules, as configured and checked. The queue
//! (`queue::Rules`) compiles and applies them.

use serde::{Deserialize, Serialize};

use crate::domain::{AlarmType, CallCategory, CallChannel, ItemKind, Level};

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueueConfig {
    pub timezone: String,
    /// Whether a breach raises the item one level (never above P1), with a new deadline from
    /// the new level's clock (`level_clock_s`).
    #[serde(default)]
    pub breach_raise: bool,
    /// The response clock of each level, in seconds: the new deadline of an item raised after
    /// a breach.
    #[serde(default)]
    pub level_clock_s: LevelClocks,
    pub rules: Vec<Rule>,
}

/// The response clock of each level, in seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LevelClocks {
    #[serde(rename = "P1")]
    pub p1: i64,
    #[serde(rename = "P2")]
    pub p2: i64,
    #[serde(rename = "P3")]
    pub p3: i64,
    #[serde(rename = "P4")]
    pub p4: i64,
}

impl Default for LevelClocks {
    fn default() -> Self {
        Self {
            p1: 60,
            p2: 300,
            p3: 1800,
            p4: 14_400,
        }
    }
}

impl LevelClocks {
    pub fn of(&self, level: Level) -> i64 {
        match level {
            Level::P1 => self.p1,
            Level::P2 => self.p2,
            Level::P3 => self.p3,
            Level::P4 => self.p4,
        }
    }

    /// Every clock positive and within [`MAX_RESPONSE_CLOCK_S`].
    pub fn check(&self) -> Result<(), String> {
        for level in Level::ALL {
            let s = self.of(*level);
            if s <= 0 || s > MAX_RESPONSE_CLOCK_S {
                return Err(format!(
                    "queue.level_clock_s.{level}: must be 1..={MAX_RESPONSE_CLOCK_S} seconds"
                ));
            }
        }
        Ok(())
    }
}

impl QueueConfig {
    pub fn zone(&self) -> Result<chrono_tz::Tz, String> {
        self.timezone
            .parse()
            .map_err(|_| format!("queue.timezone: unknown time zone {:?}", self.timezone))
    }
}

/// One rule. Every condition that is given must hold; an absent condition matches anything.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub id: String,
    pub level: Level,
    /// Seconds allowed to acknowledge.
    pub respond_within_s: i64,
    #[serde(default)]
    pub kinds: Vec<ItemKind>,
    #[serde(default)]
    pub alarm_types: Vec<AlarmType>,
    #[serde(default)]
    pub call_categories: Vec<CallCategory>,
    #[serde(default)]
    pub immediate_danger: Option<bool>,
    /// For bookings: whether the pick-up window starts today (local time).
    #[serde(default)]
    pub same_day: Option<bool>,
    /// For callbacks: the reason codes it applies to (`missed_call`, `follow_up`).
    #[serde(default)]
    pub callback_reasons: Vec<String>,
    /// For calls: the channels it applies to (`phone`, `sms`, `walk_in`...).
    #[serde(default)]
    pub channels: Vec<CallChannel>,
    /// For incidents: the incident codes it applies to (`emergency`, `breakdown`...).
    #[serde(default)]
    pub incident_codes: Vec<String>,
}

/// The longest response clock a rule may set: 30 days.
pub const MAX_RESPONSE_CLOCK_S: i64 = 30 * 86_400;

impl Rule {
    pub(crate) fn is_catch_all(&self) -> bool {
        self.kinds.is_empty()
            && self.alarm_types.is_empty()
            && self.call_categories.is_empty()
            && self.immediate_danger.is_none()
            && self.same_day.is_none()
            && self.callback_reasons.is_empty()
            && self.channels.is_empty()
            && self.incident_codes.is_empty()
    }
}

/// Checks a rule set: ids unique, clocks positive and bounded, a catch-all last.
pub fn check_rules(rules: &[Rule]) -> Result<(), String> {
    if rules.is_empty() {
        return Err("queue.rules: at least one rule is required".into());
    }
    let mut seen = std::collections::HashSet::new();
    for (i, r) in rules.iter().enumerate() {
        if !seen.insert(r.id.as_str()) {
            return Err(format!("queue.rules[{i}].id: duplicate id {:?}", r.id));
        }
        // The core computes each deadline as `now + respond_within_s`; an unbounded clock
        // would overflow that sum and stop the core on the first item it classifies.
        if r.respond_within_s <= 0 || r.respond_within_s > MAX_RESPONSE_CLOCK_S {
            return Err(format!(
                "queue.rules[{i}].respond_within_s: must be 1..={MAX_RESPONSE_CLOCK_S} seconds"
            ));
        }
    }
    let last = rules.last().expect("checked non-empty");
    if !last.is_catch_all() {
        return Err(format!(
            "queue.rules: the last rule ({:?}) must have no conditions, so every item gets a level",
            last.id
        ));
    }
    Ok(())
}
