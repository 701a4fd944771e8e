//! Priority rules: which level and response clock an item gets, and why. The rules come from
//! `config/default.toml` (`[[queue.rules]]`), are tried in order, and the first that matches
//! wins; the last rule should match everything.

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;

use crate::config::{check_rules, LevelClocks, QueueConfig, Rule};
use crate::domain::{Details, Fact, Item, Level, Priority};

/// The ordered rule set, and what a breach does.
#[derive(Clone, Debug)]
pub struct Rules {
    rules: Vec<Rule>,
    zone: Tz,
    /// Raise a breached item one level, with the clocks of the levels; `None`: a breach only
    /// escalates.
    breach_raise: Option<LevelClocks>,
}

impl Rules {
    /// Compiles a checked rule set ([`check_rules`]); a breach does not raise the level.
    pub fn new(rules: Vec<Rule>, zone: Tz) -> Result<Self, String> {
        check_rules(&rules)?;
        Ok(Self {
            rules,
            zone,
            breach_raise: None,
        })
    }

    /// The rule set, time zone and breach raise of `[queue]`.
    pub fn from_config(queue: &QueueConfig) -> Result<Self, String> {
        queue.level_clock_s.check()?;
        let mut rules = Self::new(queue.rules.clone(), queue.zone()?)?;
        if queue.breach_raise {
            rules.breach_raise = Some(queue.level_clock_s);
        }
        Ok(rules)
    }

    /// The priority of an item with these details arriving at `now`.
    pub fn classify(&self, details: &Details, now: DateTime<Utc>) -> Priority {
        for rule in &self.rules {
            if let Some(facts) = rule.matches(details, now, self.zone) {
                let reason = if facts.is_empty() {
                    "default rule".to_owned()
                } else {
                    facts.iter().map(say).collect::<Vec<_>>().join(", ")
                };
                return Priority {
                    level: rule.level,
                    rule: rule.id.clone(),
                    reason,
                    respond_within_s: rule.respond_within_s,
                    facts,
                };
            }
        }
        unreachable!("Rules::new guarantees a catch-all last rule")
    }

    /// The priority and deadline of an item that breached at `now`, raised one level, when
    /// breaches raise (`queue.breach_raise`) and the item is below P1; else `None`. The rule
    /// stays; the facts gain `breach_raised_from` (the level it had); the clock is the new
    /// level's (`queue.level_clock_s`), counted from `now`.
    pub fn raised_after_breach(
        &self,
        item: &Item,
        now: DateTime<Utc>,
    ) -> Option<(Priority, DateTime<Utc>)> {
        let clocks = self.breach_raise?;
        let from = item.priority.level;
        let to = match from {
            Level::P1 => return None,
            Level::P2 => Level::P1,
            Level::P3 => Level::P2,
            Level::P4 => Level::P3,
        };
        let mut p = item.priority.clone();
        p.level = to;
        p.respond_within_s = clocks.of(to);
        p.reason = format!("{}; raised from {from} after its deadline passed", p.reason);
        p.facts.push(Fact::new("breach_raised_from", from.as_str()));
        let deadline = now + Duration::seconds(p.respond_within_s);
        Some((p, deadline))
    }
}

/// A fact in words, for `reason` (the API and the logs; consoles translate the facts).
fn say(f: &Fact) -> String {
    match (f.key.as_str(), f.value.as_str()) {
        ("alarm_type", v) => format!("alarm type {v}"),
        ("immediate_danger", "true") => "someone in immediate danger".into(),
        ("immediate_danger", _) => "nobody in immediate danger".into(),
        ("same_day", "true") => "transport today".into(),
        ("same_day", _) => "transport on a later day".into(),
        ("callback_reason", v) => format!("callback for {v}"),
        ("incident_code", v) => format!("incident {v}"),
        (k, v) => format!("{k} {v}"),
    }
}

impl Rule {
    /// `Some(facts)` when the rule matches: the facts it matched on, as codes (empty for the
    /// catch-all).
    fn matches(&self, details: &Details, now: DateTime<Utc>, zone: Tz) -> Option<Vec<Fact>> {
        let mut why = Vec::new();
        let kind = details.kind();
        if !self.kinds.is_empty() {
            if !self.kinds.contains(&kind) {
                return None;
            }
            why.push(Fact::new("kind", kind.as_str()));
        }
        if !self.alarm_types.is_empty() {
            match details {
                Details::Alert { alarm_type, .. } if self.alarm_types.contains(alarm_type) => {
                    why.push(Fact::new("alarm_type", alarm_type.as_str()))
                }
                _ => return None,
            }
        }
        if !self.channels.is_empty() {
            match details {
                Details::Call { channel, .. } if self.channels.contains(channel) => {
                    why.push(Fact::new("channel", channel.as_str()))
                }
                _ => return None,
            }
        }
        if !self.call_categories.is_empty() {
            match details {
                Details::Call { category, .. } if self.call_categories.contains(category) => {
                    why.push(Fact::new("category", category.as_str()))
                }
                _ => return None,
            }
        }
        if let Some(want) = self.immediate_danger {
            match details {
                Details::Call {
                    immediate_danger, ..
                } if *immediate_danger == want => {
                    why.push(Fact::new("immediate_danger", want.to_string()))
                }
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
                    why.push(Fact::new("same_day", want.to_string()));
                }
                _ => return None,
            }
        }
        if !self.callback_reasons.is_empty() {
            match details {
                Details::Callback { reason, .. } if self.callback_reasons.contains(reason) => {
                    why.push(Fact::new("callback_reason", reason.as_str()))
                }
                _ => return None,
            }
        }
        if !self.incident_codes.is_empty() {
            match details {
                Details::Incident { code: Some(c), .. } if self.incident_codes.contains(c) => {
                    why.push(Fact::new("incident_code", c.as_str()))
                }
                _ => return None,
            }
        }
        Some(why)
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
            channel: Default::default(),
            reporter: Default::default(),
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
    fn a_driver_emergency_is_p1_and_other_incidents_stay_p2() {
        let rules = Rules::from_config(&Config::default_for_tests().queue).expect("valid");
        let now = Utc::now();
        let incident = |code: Option<&str>| Details::Incident {
            reported_by: "VAN-01".into(),
            description: "x".into(),
            related: None,
            code: code.map(Into::into),
        };
        let p = rules.classify(&incident(Some("emergency")), now);
        assert_eq!(
            (p.level, p.respond_within_s, p.rule.as_str()),
            (Level::P1, 60, "transport-driver-emergency")
        );
        assert!(p.facts.contains(&Fact::new("incident_code", "emergency")));
        for code in [None, Some("breakdown"), Some("aggression")] {
            let p = rules.classify(&incident(code), now);
            assert_eq!(
                (p.level, p.rule.as_str()),
                (Level::P2, "transport-incident")
            );
        }
    }

    #[test]
    fn a_meal_nobody_answered_is_a_welfare_check_of_its_own() {
        let rules = Rules::from_config(&Config::default_for_tests().queue).expect("valid");
        let incident = |code: &str| Details::Incident {
            reported_by: "VAN-02".into(),
            description: "Verificare bunăstare".into(),
            related: None,
            code: Some(code.into()),
        };
        let p = rules.classify(&incident("welfare_check"), Utc::now());
        assert_eq!(
            (p.level, p.respond_within_s, p.rule.as_str()),
            (Level::P2, 600, "transport-welfare-check")
        );
        assert!(p
            .facts
            .contains(&Fact::new("incident_code", "welfare_check")));
        // The generic incident rule keeps every other code.
        let p = rules.classify(&incident("breakdown"), Utc::now());
        assert_eq!(p.rule, "transport-incident");
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
                channels: vec![],
                incident_codes: vec![],
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
            channels: vec![],
            incident_codes: vec![],
        };
        let err = Rules::new(vec![rule], chrono_tz::Europe::Bucharest).unwrap_err();
        assert!(err.contains("last rule"), "{err}");
    }
}
