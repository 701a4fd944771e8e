//! Priority rules: which level and response clock an item gets, and why. The rules come from
//! `config/default.toml` (`[[queue.rules]]`), are tried in order, and the first that matches
//! wins; the last rule should match everything.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::config::{check_rules, QueueConfig, Rule};
use crate::domain::{Details, Priority};

/// The ordered rule set.
#[derive(Clone, Debug)]
pub struct Rules {
    rules: Vec<Rule>,
    zone: Tz,
}

impl Rules {
    /// Compiles a checked rule set ([`check_rules`]).
    pub fn new(rules: Vec<Rule>, zone: Tz) -> Result<Self, String> {
        check_rules(&rules)?;
        Ok(Self { rules, zone })
    }

    /// The rule set and time zone of `[queue]`.
    pub fn from_config(queue: &QueueConfig) -> Result<Self, String> {
        Self::new(queue.rules.clone(), queue.zone()?)
    }

    /// The priority of an item with these details arriving at `now`.
    pub fn classify(&self, details: &Details, now: DateTime<Utc>) -> Priority {
        for rule in &self.rules {
            if let Some(reason) = rule.matches(details, now, self.zone) {
                return Priority {
                    level: rule.level,
                    rule: rule.id.clone(),
                    reason,
                    respond_within_s: rule.respond_within_s,
                };
            }
        }
        unreachable!("Rules::new guarantees a catch-all last rule")
    }
}

impl Rule {
    /// `Some(reason)` when the rule matches, naming the facts it matched on.
    fn matches(&self, details: &Details, now: DateTime<Utc>, zone: Tz) -> Option<String> {
        let mut why = Vec::new();
        let kind = details.kind();
        if !self.kinds.is_empty() {
            if !self.kinds.contains(&kind) {
                return None;
            }
            why.push(format!("kind {kind}"));
        }
        if !self.alarm_types.is_empty() {
            match details {
                Details::Alert { alarm_type, .. } if self.alarm_types.contains(alarm_type) => {
                    why.push(format!("alarm type {alarm_type}"))
                }
                _ => return None,
            }
        }
        if !self.call_categories.is_empty() {
            match details {
                Details::Call { category, .. } if self.call_categories.contains(category) => {
                    why.push(format!("category {category}"))
                }
                _ => return None,
            }
        }
        if let Some(want) = self.immediate_danger {
            match details {
                Details::Call {
                    immediate_danger, ..
                } if *immediate_danger == want => why.push(if want {
                    "someone in immediate danger".into()
                } else {
                    "nobody in immediate danger".into()
                }),
                _ => return None,
            }
        }
        if let Some(want) = self.same_day {
            match details {
                Details::Booking { window_start, .. } => {
                    let today = now.with_timezone(&zone).date_naive();
                    let is_same = window_start.with_timezone(&zone).date_naive() <= today;
                    if is_same != want {
                        return None;
                    }
                    why.push(if want {
                        "transport today".into()
                    } else {
                        "transport on a later day".into()
                    });
                }
                _ => return None,
            }
        }
        if !self.callback_reasons.is_empty() {
            match details {
                Details::Callback { reason, .. } if self.callback_reasons.contains(reason) => {
                    why.push(format!("callback for {reason}"))
                }
                _ => return None,
            }
        }
        if why.is_empty() {
            why.push("default rule".into());
        }
        Some(why.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Config, MAX_RESPONSE_CLOCK_S};
    use crate::domain::{AlarmType, CallCategory, ItemKind, Level};

    fn alert(t: AlarmType) -> Details {
        Details::Alert {
            device_id: "D1".into(),
            alarm_type: t,
            device_time: Utc::now(),
            receiver_alarm_id: "1".into(),
            receiver: "r".into(),
        }
    }

    fn call(c: CallCategory, danger: bool) -> Details {
        Details::Call {
            caller_number: "+40700000000".into(),
            category: c,
            immediate_danger: danger,
            location: None,
            notes: String::new(),
        }
    }

    #[test]
    fn default_rules_give_the_documented_levels_and_clocks() {
        let rules = Rules::from_config(&Config::default_for_tests().queue)
            .expect("default rules are valid");
        let now = Utc::now();
        let cases = [
            (alert(AlarmType::Button), Level::P1, 60),
            (alert(AlarmType::Fall), Level::P1, 60),
            (alert(AlarmType::Smoke), Level::P1, 60),
            (call(CallCategory::Information, true), Level::P1, 60),
            (call(CallCategory::Abuse, false), Level::P2, 300),
            (call(CallCategory::Neglect, false), Level::P2, 300),
            (call(CallCategory::Exploitation, false), Level::P2, 300),
            (alert(AlarmType::Inactivity), Level::P2, 300),
            (call(CallCategory::Information, false), Level::P4, 4 * 3600),
        ];
        for (details, level, secs) in cases {
            let p = rules.classify(&details, now);
            assert_eq!(
                (p.level, p.respond_within_s),
                (level, secs),
                "{details:?} -> {p:?}"
            );
            assert!(!p.reason.is_empty());
        }
    }

    #[test]
    fn a_ringing_call_and_a_missed_call_get_their_own_clocks() {
        let rules = Rules::from_config(&Config::default_for_tests().queue).expect("valid");
        let now = Utc::now();
        let p = rules.classify(&call(CallCategory::Unclassified, false), now);
        assert_eq!(
            (p.level, p.respond_within_s, p.rule.as_str()),
            (Level::P1, 15, "call-incoming")
        );
        let callback = |reason: &str| Details::Callback {
            phone: "+40700000000".into(),
            reason: reason.into(),
            related: None,
        };
        let p = rules.classify(&callback("missed_call"), now);
        assert_eq!(
            (p.level, p.rule.as_str()),
            (Level::P2, "callback-missed-call")
        );
        let p = rules.classify(&callback("follow_up"), now);
        assert_eq!((p.level, p.rule.as_str()), (Level::P3, "callback"));
    }

    #[test]
    fn a_response_clock_the_deadline_arithmetic_cannot_hold_is_refused() {
        // A clock of 10^15 s passed validation, and the core's `now + respond_within_s`
        // overflowed (a panic) on the first item the rule classified.
        for secs in [
            0,
            -1,
            MAX_RESPONSE_CLOCK_S + 1,
            1_000_000_000_000_000,
            i64::MAX,
        ] {
            let rule = Rule {
                id: "all".into(),
                level: Level::P1,
                respond_within_s: secs,
                kinds: vec![],
                alarm_types: vec![],
                call_categories: vec![],
                immediate_danger: None,
                same_day: None,
                callback_reasons: vec![],
            };
            let err = Rules::new(vec![rule], chrono_tz::Europe::Bucharest).unwrap_err();
            assert!(err.contains("respond_within_s"), "{err}");
        }
    }

    #[test]
    fn a_rule_set_without_a_catch_all_is_refused() {
        let rule = Rule {
            id: "x".into(),
            level: Level::P1,
            respond_within_s: 60,
            kinds: vec![ItemKind::Alert],
            alarm_types: vec![],
            call_categories: vec![],
            immediate_danger: None,
            same_day: None,
            callback_reasons: vec![],
        };
        let err = Rules::new(vec![rule], chrono_tz::Europe::Bucharest).unwrap_err();
        assert!(err.contains("last rule"), "{err}");
    }
}
