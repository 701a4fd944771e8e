//! The pure rules of case work: who works a case, the number a case is reached at, and when a
//! follow-up falls due.

use chrono::{DateTime, Duration, Utc};

use crate::access::Role;
use crate::domain::Details;
use crate::error::{Error, Result};

/// Roles that work a case: the dispatch roles and the EMIU team.
pub(crate) const CASE_WORKERS: &[Role] =
    &[Role::Dispatcher, Role::Supervisor, Role::Admin, Role::Emiu];

/// The number a case is reached at: the caller's of a call, the one to call back of a callback.
pub(crate) fn case_number(details: &Details) -> Option<&str> {
    match details {
        Details::Call { caller_number, .. } => Some(caller_number),
        Details::Callback { phone, .. } => Some(phone),
        _ => None,
    }
}

/// The refusal of a case the caller may not see (enough of).
pub(crate) fn not_visible() -> Error {
    Error::Forbidden("this case is not visible to your role".into())
}

/// The longest a follow-up may be scheduled ahead, in seconds.
const YEAR_S: i64 = 366 * 86_400;

/// When a follow-up falls due: at `due`, or `in_s` seconds after `now`; within a year.
pub(crate) fn follow_up_due(
    due: Option<DateTime<Utc>>,
    in_s: Option<i64>,
    now: DateTime<Utc>,
) -> Result<DateTime<Utc>> {
    let due = match (due, in_s) {
        (Some(d), None) => d,
        (None, Some(s)) if (0..=YEAR_S).contains(&s) => now + Duration::seconds(s),
        (None, Some(_)) => return Err(Error::validation("in_s", "must be 0 to a year")),
        _ => return Err(Error::validation("due", "give either due or in_s")),
    };
    if due > now + Duration::days(366) {
        return Err(Error::validation("due", "must be within a year"));
    }
    Ok(due)
}

#[cfg(test)]
mod tests {
    use crate::referrals::rules::*;

    #[test]
    fn a_follow_up_is_due_at_a_time_or_after_seconds_within_a_year() {
        let now = Utc::now();
        assert_eq!(
            follow_up_due(None, Some(60), now).unwrap(),
            now + Duration::seconds(60)
        );
        assert_eq!(follow_up_due(Some(now), None, now).unwrap(), now);
        assert!(follow_up_due(None, Some(-1), now).is_err());
        assert!(follow_up_due(None, None, now).is_err());
        assert!(follow_up_due(Some(now), Some(1), now).is_err());
        assert!(follow_up_due(Some(now + Duration::days(367)), None, now).is_err());
    }
}
