//! The period of an activity report: a calendar month (`2026-11`) or quarter (`2026-Q4`) of
//! Timișoara time. Its bounds are local midnights in Europe/Bucharest turned into UTC instants,
//! so an item received at 00:30 on 1 November local time (22:30 UTC on 31 October in winter)
//! counts in November.

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};
use chrono_tz::Europe::Bucharest;

/// The zone every report period is read in.
pub(crate) const ZONE: &str = "Europe/Bucharest";

/// A report period: `[from, until)` in UTC, and the same as local dates `[first_day, next_day)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Period {
    /// As asked: `2026-11` or `2026-Q4`.
    pub label: String,
    pub from: DateTime<Utc>,
    pub until: DateTime<Utc>,
    pub first_day: NaiveDate,
    pub next_day: NaiveDate,
}

/// A refused period: the field at fault and why.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct PeriodError {
    pub field: &'static str,
    pub message: &'static str,
}

fn refuse(field: &'static str, message: &'static str) -> PeriodError {
    PeriodError { field, message }
}

/// Local midnight of `day` in Bucharest, as UTC (midnight is never skipped there: the clocks
/// change at 03:00 and 04:00).
pub(crate) fn local_midnight(day: NaiveDate) -> DateTime<Utc> {
    let naive = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    Bucharest
        .from_local_datetime(&naive)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| Utc.from_utc_datetime(&naive))
}

/// The local date in Bucharest of an instant.
pub(crate) fn local_day(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&Bucharest).date_naive()
}

fn year(s: &str, field: &'static str) -> Result<i32, PeriodError> {
    match s.parse::<i32>() {
        Ok(y) if (2000..=2100).contains(&y) && s.len() == 4 => Ok(y),
        _ => Err(refuse(field, "the year must be 2000-2100")),
    }
}

fn span(label: String, first_day: NaiveDate, next_day: NaiveDate) -> Period {
    Period {
        label,
        from: local_midnight(first_day),
        until: local_midnight(next_day),
        first_day,
        next_day,
    }
}

/// `month=YYYY-MM` or `quarter=YYYY-Qn`, exactly one of them.
pub(crate) fn parse(month: Option<&str>, quarter: Option<&str>) -> Result<Period, PeriodError> {
    match (month, quarter) {
        (Some(_), Some(_)) => Err(refuse("quarter", "give month or quarter, not both")),
        (None, None) => Err(refuse("month", "give month (YYYY-MM) or quarter (YYYY-Qn)")),
        (Some(m), None) => {
            let (y, mm) = m
                .trim()
                .split_once('-')
                .ok_or_else(|| refuse("month", "must be YYYY-MM"))?;
            let y = year(y, "month")?;
            let mm: u32 = match mm.parse() {
                Ok(v) if (1..=12).contains(&v) && mm.len() == 2 => v,
                _ => return Err(refuse("month", "must be YYYY-MM with a month 01-12")),
            };
            let first = NaiveDate::from_ymd_opt(y, mm, 1)
                .ok_or_else(|| refuse("month", "no such month"))?;
            let next = first
                .checked_add_months(chrono::Months::new(1))
                .ok_or_else(|| refuse("month", "no such month"))?;
            Ok(span(format!("{y:04}-{mm:02}"), first, next))
        }
        (None, Some(q)) => {
            let (y, n) = q
                .trim()
                .split_once("-Q")
                .ok_or_else(|| refuse("quarter", "must be YYYY-Qn"))?;
            let y = year(y, "quarter")?;
            let n: u32 = match n.parse() {
                Ok(v) if (1..=4).contains(&v) && n.len() == 1 => v,
                _ => return Err(refuse("quarter", "must be YYYY-Qn with n 1-4")),
            };
            let first = NaiveDate::from_ymd_opt(y, (n - 1) * 3 + 1, 1)
                .ok_or_else(|| refuse("quarter", "no such quarter"))?;
            let next = first
                .checked_add_months(chrono::Months::new(3))
                .ok_or_else(|| refuse("quarter", "no such quarter"))?;
            Ok(span(format!("{y:04}-Q{n}"), first, next))
        }
    }
}

impl Period {
    pub(crate) fn contains(&self, at: DateTime<Utc>) -> bool {
        self.from <= at && at < self.until
    }

    /// Days in the period.
    #[cfg(test)]
    pub(crate) fn days(&self) -> i64 {
        (self.next_day - self.first_day).num_days()
    }
}

/// Whether `day` (a local date) is inside the period.
pub(crate) fn contains_day(p: &Period, day: NaiveDate) -> bool {
    p.first_day <= day && day < p.next_day && day.year() >= 2000
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_month_runs_from_local_midnight_to_local_midnight() {
        let p = parse(Some("2026-11"), None).unwrap();
        // Winter time (UTC+2) in November: local midnight is 22:00 UTC the day before.
        assert_eq!(p.from.to_rfc3339(), "2026-10-31T22:00:00+00:00");
        assert_eq!(p.until.to_rfc3339(), "2026-11-30T22:00:00+00:00");
        assert_eq!(p.days(), 30);
        let half_past_midnight = "2026-10-31T22:30:00Z".parse().unwrap();
        assert!(p.contains(half_past_midnight));
        let october_evening = "2026-10-31T21:59:59Z".parse().unwrap();
        assert!(!p.contains(october_evening));
    }

    #[test]
    fn a_month_that_changes_the_clocks_has_bounds_in_both_offsets() {
        // October 2026: starts in summer time (UTC+3), ends in winter time (UTC+2).
        let p = parse(Some("2026-10"), None).unwrap();
        assert_eq!(p.from.to_rfc3339(), "2026-09-30T21:00:00+00:00");
        assert_eq!(p.until.to_rfc3339(), "2026-10-31T22:00:00+00:00");
    }

    #[test]
    fn a_quarter_is_three_months() {
        let p = parse(None, Some("2026-Q4")).unwrap();
        assert_eq!(p.first_day.to_string(), "2026-10-01");
        assert_eq!(p.next_day.to_string(), "2027-01-01");
        assert_eq!(p.label, "2026-Q4");
        assert!(contains_day(&p, "2026-12-31".parse().unwrap()));
        assert!(!contains_day(&p, "2027-01-01".parse().unwrap()));
    }

    #[test]
    fn bad_periods_name_their_field() {
        for (m, q, field) in [
            (Some("2026-13"), None, "month"),
            (Some("2026-1"), None, "month"),
            (Some("november"), None, "month"),
            (Some("1999-01"), None, "month"),
            (None, Some("2026-Q5"), "quarter"),
            (None, Some("2026Q1"), "quarter"),
            (Some("2026-01"), Some("2026-Q1"), "quarter"),
            (None, None, "month"),
        ] {
            assert_eq!(parse(m, q).unwrap_err().field, field, "{m:?} {q:?}");
        }
    }
}
