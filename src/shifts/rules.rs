//! The roster's pure core: what a valid shift is, who is on duty at a moment, the order their
//! phones are rung in, and the summary a handover note carries. No I/O.

use std::collections::HashSet;

use serde::Serialize;
use uuid::Uuid;

/// A dispatcher's phone. Personal data of staff: `Debug` never shows the number.
#[derive(Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ContactRecord {
    pub username: String,
    /// E.164.
    pub phone: String,
    /// A PBX extension dialled as tones once the phone answers; `None`: a direct line.
    pub extension: Option<String>,
    pub updated_by: String,
    pub updated_ms: i64,
}

impl std::fmt::Debug for ContactRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ContactRecord")
            .field("username", &self.username)
            .field("extension", &self.extension.is_some())
            .finish_non_exhaustive()
    }
}

/// A shift as stored: `[starts_ms, ends_ms)`, its members in ringing order, its lead.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShiftRecord {
    pub id: Uuid,
    pub starts_ms: i64,
    pub ends_ms: i64,
    pub lead: String,
    /// Usernames, in the order sequential ringing follows.
    pub members: Vec<String>,
    pub created_by: String,
    pub updated_ms: i64,
}

/// Why a shift was refused by the caller's check: the field and the message of a 422.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    pub field: &'static str,
    pub message: String,
}

/// The longest shift (24 hours), in milliseconds.
pub(crate) const MAX_SHIFT_MS: i64 = 24 * 3600 * 1000;
/// The most people on one shift.
pub(crate) const MAX_MEMBERS: usize = 20;

fn refuse(field: &'static str, message: impl Into<String>) -> Refusal {
    Refusal {
        field,
        message: message.into(),
    }
}

/// A shift's own rules, before the others are looked at: it ends after it starts and within 24
/// hours; it has 1-20 people, each once; its lead is one of them.
pub(crate) fn check_shape(s: &ShiftRecord) -> Result<(), Refusal> {
    if s.ends_ms <= s.starts_ms {
        return Err(refuse("ends_at", "must be after starts_at"));
    }
    if s.ends_ms - s.starts_ms > MAX_SHIFT_MS {
        return Err(refuse("ends_at", "a shift lasts at most 24 hours"));
    }
    if s.members.is_empty() {
        return Err(refuse("members", "a shift needs at least one person"));
    }
    if s.members.len() > MAX_MEMBERS {
        return Err(refuse("members", "at most 20 people on one shift"));
    }
    let mut seen = HashSet::new();
    if let Some(twice) = s.members.iter().find(|m| !seen.insert(m.as_str())) {
        return Err(refuse("members", format!("{twice} is listed twice")));
    }
    if !s.members.contains(&s.lead) {
        return Err(refuse("lead", "the lead must be one of the members"));
    }
    Ok(())
}

/// Refuses a shift that puts someone on two shifts at once. `others` are the other shifts
/// overlapping it in time.
pub(crate) fn check_overlaps(s: &ShiftRecord, others: &[ShiftRecord]) -> Result<(), Refusal> {
    for other in others {
        if other.id == s.id || other.ends_ms <= s.starts_ms || other.starts_ms >= s.ends_ms {
            continue;
        }
        if let Some(who) = s.members.iter().find(|m| other.members.contains(m)) {
            return Err(refuse(
                "members",
                format!("{who} is already on shift {} at that time", other.id),
            ));
        }
    }
    Ok(())
}

/// The shifts on duty at `at_ms` (`starts <= at < ends`), by start.
pub(crate) fn on_duty(shifts: &[ShiftRecord], at_ms: i64) -> Vec<&ShiftRecord> {
    let mut now: Vec<&ShiftRecord> = shifts
        .iter()
        .filter(|s| s.starts_ms <= at_ms && at_ms < s.ends_ms)
        .collect();
    now.sort_by_key(|s| (s.starts_ms, s.id));
    now
}

/// The people on duty in the order they are rung: each shift on duty by start, its members in
/// the roster's order; someone on two shifts (handover overlap) once.
pub(crate) fn ring_order(on_duty: &[&ShiftRecord]) -> Vec<String> {
    let mut seen = HashSet::new();
    on_duty
        .iter()
        .flat_map(|s| s.members.iter())
        .filter(|m| seen.insert(m.as_str()))
        .cloned()
        .collect()
}

/// One phone to ring.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Line {
    pub phone: String,
    /// Tones the provider sends once the phone answers (`ww` waits a second): the extension.
    pub send_digits: Option<String>,
}

/// The phones of the people on duty, in ringing order; whoever has no phone is skipped.
pub(crate) fn lines(order: &[String], contacts: &[ContactRecord]) -> Vec<Line> {
    order
        .iter()
        .filter_map(|u| contacts.iter().find(|c| &c.username == u))
        .map(|c| Line {
            phone: c.phone.clone(),
            send_digits: c.extension.as_ref().map(|e| format!("ww{e}")),
        })
        .collect()
}

/// A PBX extension: 1-8 digits.
pub(crate) fn extension(raw: &str) -> Result<String, Refusal> {
    let e = raw.trim();
    if e.is_empty() || e.len() > 8 || !e.chars().all(|c| c.is_ascii_digit()) {
        return Err(refuse("extension", "must be 1-8 digits"));
    }
    Ok(e.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const H: i64 = 3600 * 1000;

    fn shift(starts: i64, ends: i64, members: &[&str]) -> ShiftRecord {
        ShiftRecord {
            id: Uuid::now_v7(),
            starts_ms: starts,
            ends_ms: ends,
            lead: members.first().map(|m| m.to_string()).unwrap_or_default(),
            members: members.iter().map(|m| m.to_string()).collect(),
            created_by: "sef".into(),
            updated_ms: 0,
        }
    }

    #[test]
    fn a_shift_that_ends_before_it_starts_is_refused_naming_ends_at() {
        let s = shift(10 * H, 8 * H, &["ana"]);
        assert_eq!(check_shape(&s).unwrap_err().field, "ends_at");
        let long = shift(0, 25 * H, &["ana"]);
        assert_eq!(check_shape(&long).unwrap_err().field, "ends_at");
    }

    #[test]
    fn the_lead_must_be_on_the_shift_and_nobody_twice() {
        let mut s = shift(0, 8 * H, &["ana", "bogdan"]);
        s.lead = "cezar".into();
        assert_eq!(check_shape(&s).unwrap_err().field, "lead");
        let twice = shift(0, 8 * H, &["ana", "ana"]);
        assert_eq!(check_shape(&twice).unwrap_err().field, "members");
        assert_eq!(
            check_shape(&shift(0, 8 * H, &[])).unwrap_err().field,
            "members"
        );
    }

    #[test]
    fn one_person_on_two_overlapping_shifts_is_refused_but_back_to_back_is_fine() {
        let day = shift(8 * H, 16 * H, &["ana", "bogdan"]);
        let overlapping = shift(15 * H, 23 * H, &["bogdan"]);
        let r = check_overlaps(&overlapping, std::slice::from_ref(&day)).unwrap_err();
        assert_eq!(r.field, "members");
        assert!(r.message.contains("bogdan"));
        let next = shift(16 * H, 24 * H, &["bogdan"]);
        assert!(check_overlaps(&next, std::slice::from_ref(&day)).is_ok());
        let others = shift(15 * H, 23 * H, &["cezar"]);
        assert!(check_overlaps(&others, &[day]).is_ok());
    }

    #[test]
    fn on_duty_takes_the_start_and_leaves_the_end_and_rings_each_person_once() {
        let day = shift(8 * H, 16 * H, &["ana", "bogdan"]);
        let late = shift(15 * H, 23 * H, &["cezar", "ana"]);
        let all = vec![day, late];
        assert!(on_duty(&all, 7 * H).is_empty());
        assert_eq!(on_duty(&all, 8 * H).len(), 1);
        assert_eq!(
            ring_order(&on_duty(&all, 15 * H)),
            vec!["ana", "bogdan", "cezar"]
        );
        assert_eq!(ring_order(&on_duty(&all, 16 * H)), vec!["cezar", "ana"]);
    }

    #[test]
    fn people_without_a_phone_are_skipped_and_an_extension_becomes_tones() {
        let contacts = vec![ContactRecord {
            username: "bogdan".into(),
            phone: "+40256000101".into(),
            extension: Some("104".into()),
            updated_by: "sef".into(),
            updated_ms: 0,
        }];
        let l = lines(&["ana".into(), "bogdan".into()], &contacts);
        assert_eq!(
            l,
            vec![Line {
                phone: "+40256000101".into(),
                send_digits: Some("ww104".into())
            }]
        );
        assert!(extension("12a").is_err());
        assert!(extension("").is_err());
    }

    proptest! {
        /// Whoever is rung is on a shift on duty at that moment, and nobody is rung twice.
        #[test]
        fn the_ring_order_is_exactly_the_people_on_duty(
            spans in proptest::collection::vec((0i64..48, 1i64..24, proptest::collection::vec(0usize..5, 1..4)), 0..6),
            at in 0i64..72,
        ) {
            let names = ["a", "b", "c", "d", "e"];
            let shifts: Vec<ShiftRecord> = spans
                .iter()
                .map(|(s, len, who)| {
                    let m: Vec<&str> = who.iter().map(|i| names[*i]).collect();
                    shift(s * H, (s + len) * H, &m)
                })
                .collect();
            let order = ring_order(&on_duty(&shifts, at * H));
            let unique: HashSet<&String> = order.iter().collect();
            prop_assert_eq!(unique.len(), order.len());
            for who in &order {
                prop_assert!(shifts.iter().any(|s| s.starts_ms <= at * H && at * H < s.ends_ms && s.members.contains(who)));
            }
            for s in shifts.iter().filter(|s| s.starts_ms <= at * H && at * H < s.ends_ms) {
                for m in &s.members {
                    prop_assert!(order.contains(m));
                }
            }
        }
    }
}
