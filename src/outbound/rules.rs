//! The pure core of outbound calls: when a schedule is next due, what an outcome does (done,
//! retry, escalate), which beneficiaries a campaign selects, and how a batch's due times are
//! spread over its window. No I/O.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Tz;

/// What came of an outbound call, as the dispatcher records it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CallOutcome {
    /// Reached, all well.
    AnsweredOk,
    /// Reached, something to follow up (a visit, a referral).
    NeedsFollowUp,
    /// Nobody answered: retried, then escalated.
    NoAnswer,
    WrongNumber,
    /// The person does not want these calls.
    Refused,
}

impl CallOutcome {
    pub(crate) const CODES: [&'static str; 5] = [
        "answered_ok",
        "needs_follow_up",
        "no_answer",
        "wrong_number",
        "refused",
    ];

    pub(crate) fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "answered_ok" => CallOutcome::AnsweredOk,
            "needs_follow_up" => CallOutcome::NeedsFollowUp,
            "no_answer" => CallOutcome::NoAnswer,
            "wrong_number" => CallOutcome::WrongNumber,
            "refused" => CallOutcome::Refused,
            _ => return None,
        })
    }

    pub(crate) fn code(self) -> &'static str {
        match self {
            CallOutcome::AnsweredOk => "answered_ok",
            CallOutcome::NeedsFollowUp => "needs_follow_up",
            CallOutcome::NoAnswer => "no_answer",
            CallOutcome::WrongNumber => "wrong_number",
            CallOutcome::Refused => "refused",
        }
    }

    /// The callback outcome (`domain::outcomes::CALLBACK`) its queue item is closed with.
    pub(crate) fn item_outcome(self) -> &'static str {
        match self {
            CallOutcome::AnsweredOk | CallOutcome::NeedsFollowUp => "reached",
            CallOutcome::NoAnswer => "no_answer",
            CallOutcome::WrongNumber | CallOutcome::Refused => "other",
        }
    }
}

/// What follows an outcome.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Next {
    /// Nothing more: the call is done.
    Done,
    /// Try again at this time (attempt + 1).
    Retry { due_ms: i64 },
    /// The last try went unanswered: an item for the supervisor.
    Escalate,
    /// The person was reached and needs more: a follow-up call due at this time.
    FollowUp { due_ms: i64 },
}

/// What follows `outcome` on try `attempt` (1-based) of at most `max_attempts`: the next try
/// `retry_ms` later, the supervisor's item, or a follow-up call `follow_up_ms` later.
pub(crate) fn next(
    outcome: CallOutcome,
    attempt: u32,
    max_attempts: u32,
    now_ms: i64,
    (retry_ms, follow_up_ms): (i64, i64),
) -> Next {
    match outcome {
        CallOutcome::NeedsFollowUp => Next::FollowUp {
            due_ms: now_ms.saturating_add(follow_up_ms),
        },
        CallOutcome::NoAnswer if attempt < max_attempts => Next::Retry {
            due_ms: now_ms.saturating_add(retry_ms),
        },
        CallOutcome::NoAnswer => Next::Escalate,
        _ => Next::Done,
    }
}

/// The state a call row moves to with that outcome.
pub(crate) fn state_after(next: Next) -> &'static str {
    match next {
        Next::Done | Next::FollowUp { .. } => "done",
        Next::Retry { .. } => "retried",
        Next::Escalate => "escalated",
    }
}

/// When a schedule rings: on some weekdays, or every N days, at a local time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Recurrence {
    Weekly(Vec<Weekday>),
    EveryDays(u32),
}

/// Parses `mon,thu` (any of mon..sun, at least one, no repeats).
pub(crate) fn parse_weekdays(s: &str) -> Result<Vec<Weekday>, String> {
    let mut days = Vec::new();
    for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let day = match part.to_ascii_lowercase().as_str() {
            "mon" => Weekday::Mon,
            "tue" => Weekday::Tue,
            "wed" => Weekday::Wed,
            "thu" => Weekday::Thu,
            "fri" => Weekday::Fri,
            "sat" => Weekday::Sat,
            "sun" => Weekday::Sun,
            _ => {
                return Err(format!(
                    "unknown day {part:?}; use mon, tue, wed, thu, fri, sat, sun"
                ))
            }
        };
        if !days.contains(&day) {
            days.push(day);
        }
    }
    if days.is_empty() {
        return Err("at least one day".into());
    }
    days.sort_by_key(|d| d.num_days_from_monday());
    Ok(days)
}

/// The weekdays written back as `mon,thu`.
pub(crate) fn weekdays_text(days: &[Weekday]) -> String {
    days.iter()
        .map(|d| match d {
            Weekday::Mon => "mon",
            Weekday::Tue => "tue",
            Weekday::Wed => "wed",
            Weekday::Thu => "thu",
            Weekday::Fri => "fri",
            Weekday::Sat => "sat",
            Weekday::Sun => "sun",
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// Parses `HH:MM`.
pub(crate) fn parse_time(s: &str) -> Result<NaiveTime, String> {
    NaiveTime::parse_from_str(s.trim(), "%H:%M").map_err(|_| "must be HH:MM (e.g. 10:00)".into())
}

/// `date` at `at` in `zone`, as UTC; a time skipped by the spring change is taken an hour later.
fn at_local(zone: Tz, date: NaiveDate, at: NaiveTime) -> DateTime<Utc> {
    let local = date.and_time(at);
    zone.from_local_datetime(&local)
        .earliest()
        .or_else(|| {
            zone.from_local_datetime(&(local + Duration::hours(1)))
                .earliest()
        })
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| Utc.from_utc_datetime(&local))
}

/// The first occurrence strictly after `after`.
pub(crate) fn first_due(
    rec: &Recurrence,
    at: NaiveTime,
    zone: Tz,
    after: DateTime<Utc>,
) -> DateTime<Utc> {
    let today = after.with_timezone(&zone).date_naive();
    (0..=8)
        .map(|d| today + Duration::days(d))
        .filter(|day| match rec {
            Recurrence::Weekly(days) => days.contains(&day.weekday()),
            Recurrence::EveryDays(_) => true,
        })
        .map(|day| at_local(zone, day, at))
        .find(|t| *t > after)
        .unwrap_or_else(|| at_local(zone, today + Duration::days(8), at))
}

/// The occurrence after `due` (the one just materialised), never at or before `now` — a
/// service that was down does not ring every missed occurrence.
pub(crate) fn following(
    rec: &Recurrence,
    at: NaiveTime,
    zone: Tz,
    due: DateTime<Utc>,
    now: DateTime<Utc>,
) -> DateTime<Utc> {
    let after = due.max(now);
    match rec {
        Recurrence::Weekly(_) => first_due(rec, at, zone, after),
        Recurrence::EveryDays(n) => {
            let mut day = due.with_timezone(&zone).date_naive() + Duration::days(i64::from(*n));
            let mut t = at_local(zone, day, at);
            while t <= after {
                day += Duration::days(i64::from(*n));
                t = at_local(zone, day, at);
            }
            t
        }
    }
}

/// A campaign's filter over the registry.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Filter {
    /// Age reached this year (this year − birth year) at least this; a beneficiary without a
    /// birth year is not selected when it is set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_age: Option<u32>,
    /// Only those who live alone (`true`), or only those who do not (`false`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lives_alone: Option<bool>,
}

impl Filter {
    /// Whether a beneficiary born in `birth_year`, living alone or not, is selected in `year`.
    pub(crate) fn selects(
        &self,
        year: i32,
        birth_year: Option<i32>,
        lives_alone: Option<bool>,
    ) -> bool {
        let age_ok = match self.min_age {
            None => true,
            Some(min) => birth_year.is_some_and(|b| year - b >= min as i32),
        };
        let alone_ok = match self.lives_alone {
            None => true,
            Some(want) => lives_alone == Some(want),
        };
        age_ok && alone_ok
    }
}

/// `n` due times spread evenly over `[start_ms, end_ms)`, the first at the start.
pub(crate) fn spread(n: usize, start_ms: i64, end_ms: i64) -> Vec<i64> {
    if n == 0 {
        return vec![];
    }
    let span = (end_ms - start_ms).max(0);
    (0..n)
        .map(|i| start_ms + (i128::from(span) * i as i128 / n as i128) as i64)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::Europe::Bucharest;
    use proptest::prelude::*;

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn monday_and_thursday_at_ten_timisoara_time_are_due_in_order() {
        // Wednesday 2026-12-02 12:00 UTC (14:00 local): next is Thursday 10:00 local = 08:00 UTC.
        let rec = Recurrence::Weekly(parse_weekdays("mon,thu").unwrap());
        let at = parse_time("10:00").unwrap();
        let first = first_due(&rec, at, Bucharest, utc("2026-12-02T12:00:00Z"));
        assert_eq!(first, utc("2026-12-03T08:00:00Z"));
        let second = following(&rec, at, Bucharest, first, first);
        assert_eq!(second, utc("2026-12-07T08:00:00Z"));
    }

    #[test]
    fn summer_time_keeps_the_local_hour() {
        let rec = Recurrence::Weekly(vec![Weekday::Mon]);
        let at = parse_time("10:00").unwrap();
        let due = first_due(&rec, at, Bucharest, utc("2026-07-01T00:00:00Z"));
        assert_eq!(due, utc("2026-07-06T07:00:00Z"));
    }

    #[test]
    fn every_n_days_counts_from_the_last_occurrence_and_skips_missed_ones() {
        let rec = Recurrence::EveryDays(3);
        let at = parse_time("09:30").unwrap();
        let due = utc("2026-12-01T07:30:00Z");
        assert_eq!(
            following(&rec, at, Bucharest, due, due),
            utc("2026-12-04T07:30:00Z")
        );
        // Down for a week: the next one is after now, on the same rhythm.
        let now = utc("2026-12-08T12:00:00Z");
        assert_eq!(
            following(&rec, at, Bucharest, due, now),
            utc("2026-12-10T07:30:00Z")
        );
    }

    #[test]
    fn no_answer_retries_until_the_last_try_then_escalates() {
        let waits = (1_800_000, 86_400_000);
        assert_eq!(
            next(CallOutcome::NoAnswer, 1, 3, 0, waits),
            Next::Retry { due_ms: 1_800_000 }
        );
        assert_eq!(next(CallOutcome::NoAnswer, 3, 3, 0, waits), Next::Escalate);
        assert_eq!(next(CallOutcome::AnsweredOk, 1, 3, 0, waits), Next::Done);
        assert_eq!(next(CallOutcome::Refused, 3, 3, 0, waits), Next::Done);
    }

    #[test]
    fn needs_follow_up_plans_a_follow_up_call_and_finishes_the_call() {
        let next = next(CallOutcome::NeedsFollowUp, 3, 3, 1_000, (1, 86_400_000));
        assert_eq!(next, Next::FollowUp { due_ms: 86_401_000 });
        assert_eq!(state_after(next), "done");
    }

    #[test]
    fn weekdays_are_checked() {
        assert!(parse_weekdays("").is_err());
        assert!(parse_weekdays("mon,xyz").is_err());
        assert_eq!(
            weekdays_text(&parse_weekdays("thu, mon,thu").unwrap()),
            "mon,thu"
        );
    }

    #[test]
    fn the_filter_needs_a_birth_year_for_an_age() {
        let f = Filter {
            min_age: Some(75),
            lives_alone: Some(true),
        };
        assert!(f.selects(2026, Some(1950), Some(true)));
        assert!(!f.selects(2026, Some(1952), Some(true)));
        assert!(!f.selects(2026, None, Some(true)));
        assert!(!f.selects(2026, Some(1940), Some(false)));
        assert!(!f.selects(2026, Some(1940), None));
        assert!(Filter::default().selects(2026, None, None));
    }

    proptest! {
        #[test]
        fn spread_times_stay_in_the_window_in_order(n in 0usize..500, start in 0i64..1_000_000, len in 0i64..100_000_000) {
            let times = spread(n, start, start + len);
            prop_assert_eq!(times.len(), n);
            for w in times.windows(2) {
                prop_assert!(w[0] <= w[1]);
            }
            for t in &times {
                prop_assert!(*t >= start && (*t < start + len || len == 0));
            }
        }

        #[test]
        fn the_next_weekly_occurrence_is_after_now_on_a_listed_day(offset in 0i64..(86_400 * 400), mask in 1u8..128) {
            let days: Vec<Weekday> = (0..7).filter(|i| mask & (1 << i) != 0).map(|i| Weekday::try_from(i as u8).unwrap()).collect();
            let rec = Recurrence::Weekly(days.clone());
            let at = parse_time("10:00").unwrap();
            let now = utc("2026-01-01T00:00:00Z") + Duration::seconds(offset);
            let due = first_due(&rec, at, Bucharest, now);
            prop_assert!(due > now);
            prop_assert!(due - now <= Duration::days(8));
            let local = due.with_timezone(&Bucharest);
            prop_assert!(days.contains(&local.weekday()));
        }
    }
}
