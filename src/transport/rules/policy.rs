//! The eligibility and no-show / late-cancel rules (pure): the verdict on a rider from their
//! history, whether a booking is allowed, what counts as a late cancel, which certificates
//! expire soon, and how a rider's SMS reply is read.

use chrono::{DateTime, Duration, NaiveDate, Utc};

use crate::config::TransportPolicy;
use crate::error::{Error, Result};
use crate::transport::eligibility::{PolicyStatus, RiderEvent, RiderEventKind};
use crate::transport::model::Rider;

/// The verdict on a rider at `now` (local day `today`) from their history: no-shows and late
/// cancels in the window since the supervisor's last decision are counted; a suspension is in
/// force until its last day unless a later waive lifted it.
pub(crate) fn status(
    events: &[RiderEvent],
    policy: &TransportPolicy,
    now: DateTime<Utc>,
    today: NaiveDate,
) -> PolicyStatus {
    let window_start = now - Duration::days(i64::from(policy.window_days));
    let decided = events
        .iter()
        .filter(|e| matches!(e.kind, RiderEventKind::Suspended | RiderEventKind::Waived))
        .map(|e| e.at)
        .max();
    let counted = events
        .iter()
        .filter(|e| matches!(e.kind, RiderEventKind::NoShow | RiderEventKind::LateCancel))
        .filter(|e| e.at >= window_start && decided.is_none_or(|d| e.at > d))
        .count() as u32;
    let last_decision = events
        .iter()
        .filter(|e| matches!(e.kind, RiderEventKind::Suspended | RiderEventKind::Waived))
        .max_by_key(|e| e.at);
    let (suspended_until, suspension_reason) = match last_decision {
        Some(e) if e.kind == RiderEventKind::Suspended && e.until.is_some_and(|u| u >= today) => {
            (e.until, e.reason.clone())
        }
        _ => (None, None),
    };
    PolicyStatus {
        counted,
        flagged: counted >= policy.max_events,
        suspended_until,
        suspension_reason,
    }
}

/// Whether a trip on `date` may be booked for `rider`: a suspension in force on that day, an
/// expired certificate, or (with `require_certificate`) none at all is a 409 with its reason.
pub(crate) fn check_booking(
    rider: &Rider,
    status: &PolicyStatus,
    date: NaiveDate,
    policy: &TransportPolicy,
) -> Result<()> {
    if let Some(until) = status.suspended_until.filter(|u| date <= *u) {
        return Err(Error::conflict_because(
            "rider_suspended",
            format!("the rider is suspended until {until}"),
        ));
    }
    match &rider.certificate {
        None if policy.require_certificate => Err(Error::conflict_because(
            "no_certificate",
            "the rider has no disability certificate on record",
        )),
        None => Ok(()),
        Some(c) if c.valid_until.is_some_and(|u| date > u) => Err(Error::conflict_because(
            "certificate_expired",
            format!(
                "the rider's certificate is valid until {}",
                c.valid_until.unwrap_or(date)
            ),
        )),
        Some(c) if date < c.valid_from => Err(Error::conflict_because(
            "certificate_expired",
            format!("the rider's certificate is valid from {}", c.valid_from),
        )),
        Some(_) => Ok(()),
    }
}

/// A cancellation at `now` of a pick-up at `pickup` is late when it comes less than
/// `late_cancel_minutes` before it (after the pick-up time too).
pub(crate) fn is_late_cancel(
    pickup: DateTime<Utc>,
    now: DateTime<Utc>,
    policy: &TransportPolicy,
) -> bool {
    pickup - now < Duration::minutes(policy.late_cancel_minutes)
}

/// The certificates that expire within `days` of `today` (already expired ones included), as
/// (rider, last valid day), soonest first.
pub(crate) fn expiring(riders: &[Rider], today: NaiveDate, days: u32) -> Vec<(&Rider, NaiveDate)> {
    let horizon = today + Duration::days(i64::from(days));
    let mut out: Vec<_> = riders
        .iter()
        .filter_map(|r| {
            let until = r.certificate.as_ref()?.valid_until?;
            (until <= horizon).then_some((r, until))
        })
        .collect();
    out.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.id.cmp(&b.0.id)));
    out
}

/// What a rider's SMS reply asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Reply {
    /// DA: the trip is confirmed.
    Confirm,
    /// NU, ANULEZ: cancel the trip.
    Cancel,
    /// UNDE: where is the vehicle.
    Where,
    /// Anything else: a note for dispatch.
    Other,
}

impl Reply {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Confirm => "confirm",
            Self::Cancel => "cancel",
            Self::Where => "where",
            Self::Other => "note",
        }
    }
}

/// Folds Romanian diacritics (both comma and cedilla forms) and case, for reading replies.
fn fold(c: char) -> char {
    match c {
        'ă' | 'â' | 'Ă' | 'Â' => 'a',
        'î' | 'Î' => 'i',
        'ș' | 'ş' | 'Ș' | 'Ş' => 's',
        'ț' | 'ţ' | 'Ț' | 'Ţ' => 't',
        c => c.to_ascii_lowercase(),
    }
}

/// Reads a reply, case- and diacritics-insensitive, punctuation ignored: `da` and `unde` by
/// their first word ("Da!", "da, vin", "Unde e microbuzul?"), `anulez` too ("ANULEZ.",
/// "anulez cursa"); `nu` only on its own ("NU", "nu."), since "nu pot veni la 8, ci la 9" asks
/// a person, not a cancellation.
pub(crate) fn read_reply(text: &str) -> Reply {
    let folded: String = text.chars().map(fold).collect();
    let words: Vec<&str> = folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    match words.as_slice() {
        ["nu"] => Reply::Cancel,
        ["da", ..] => Reply::Confirm,
        ["anulez" | "anulare" | "anulati" | "anuleaza", ..] => Reply::Cancel,
        ["unde", ..] => Reply::Where,
        _ => Reply::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::eligibility::{Certificate, DisabilityDegree, DisabilityKind};
    use crate::transport::model::Mobility;

    fn policy() -> TransportPolicy {
        crate::config::Config::default_for_tests().transport.policy
    }

    fn event(kind: RiderEventKind, days_ago: i64, until: Option<NaiveDate>) -> RiderEvent {
        RiderEvent {
            key: format!("{kind:?}-{days_ago}"),
            rider_id: "R-1".into(),
            kind,
            at: Utc::now() - Duration::days(days_ago),
            by: "test".into(),
            trip_id: None,
            reason: None,
            until,
            item_id: None,
        }
    }

    fn rider(until: Option<NaiveDate>) -> Rider {
        Rider {
            id: "R-1".into(),
            name: "Test".into(),
            phone: None,
            carer_phone: None,
            mobility: Mobility::Seated,
            door_assistance: false,
            companion: false,
            notes: String::new(),
            places: vec![],
            certificate: Some(Certificate {
                degree: DisabilityDegree::Grav,
                kind: DisabilityKind::Fizic,
                number: "123".into(),
                issued_by: "Comisia".into(),
                valid_from: NaiveDate::from_ymd_opt(2020, 1, 1).unwrap(),
                valid_until: until,
            }),
        }
    }

    #[test]
    fn three_counted_events_in_the_window_flag_and_a_waive_clears_them() {
        use RiderEventKind::*;
        let today = Utc::now().date_naive();
        let mut events = vec![
            event(NoShow, 40, None),
            event(NoShow, 10, None),
            event(LateCancel, 5, None),
        ];
        let s = status(&events, &policy(), Utc::now(), today);
        assert_eq!((s.counted, s.flagged), (2, false));
        events.push(event(LateCancel, 1, None));
        let s = status(&events, &policy(), Utc::now(), today);
        assert_eq!((s.counted, s.flagged), (3, true));
        events.push(event(Waived, 0, None));
        let s = status(&events, &policy(), Utc::now(), today);
        assert_eq!((s.counted, s.flagged), (0, false));
    }

    #[test]
    fn a_suspension_refuses_bookings_until_its_last_day_and_a_later_waive_lifts_it() {
        let today = Utc::now().date_naive();
        let until = today + Duration::days(7);
        let mut events = vec![event(RiderEventKind::Suspended, 1, Some(until))];
        let s = status(&events, &policy(), Utc::now(), today);
        let r = rider(None);
        let refused = check_booking(&r, &s, until, &policy()).unwrap_err();
        assert_eq!(refused.reason(), Some("rider_suspended"));
        assert!(check_booking(&r, &s, until + Duration::days(1), &policy()).is_ok());
        events.push(event(RiderEventKind::Waived, 0, None));
        let s = status(&events, &policy(), Utc::now(), today);
        assert!(check_booking(&r, &s, until, &policy()).is_ok());
    }

    #[test]
    fn a_trip_after_the_certificate_expires_is_refused() {
        let day = NaiveDate::from_ymd_opt(2030, 5, 1).unwrap();
        let r = rider(Some(day));
        let s = PolicyStatus::default();
        assert!(check_booking(&r, &s, day, &policy()).is_ok());
        let e = check_booking(&r, &s, day + Duration::days(1), &policy()).unwrap_err();
        assert_eq!(e.reason(), Some("certificate_expired"));
        let mut none = r.clone();
        none.certificate = None;
        assert!(check_booking(&none, &s, day, &policy()).is_ok());
        let mut strict = policy();
        strict.require_certificate = true;
        let e = check_booking(&none, &s, day, &strict).unwrap_err();
        assert_eq!(e.reason(), Some("no_certificate"));
    }

    #[test]
    fn replies_are_read_whatever_their_case_diacritics_and_punctuation() {
        for (text, want) in [
            ("DA", Reply::Confirm),
            ("da", Reply::Confirm),
            ("Da!", Reply::Confirm),
            ("NU", Reply::Cancel),
            ("nu.", Reply::Cancel),
            ("nu pot veni la 8, ci la 9", Reply::Other),
            ("ANULEZ.", Reply::Cancel),
            ("anulez cursa", Reply::Cancel),
            ("Anulează", Reply::Cancel),
            ("  unde e microbuzul?", Reply::Where),
            ("UNDE", Reply::Where),
            ("dacă vine mai devreme", Reply::Other),
            ("", Reply::Other),
        ] {
            assert_eq!(read_reply(text), want, "{text:?}");
        }
    }

    #[test]
    fn a_cancellation_inside_the_late_window_is_late() {
        let now = Utc::now();
        let p = policy();
        assert!(is_late_cancel(now + Duration::minutes(119), now, &p));
        assert!(!is_late_cancel(now + Duration::minutes(121), now, &p));
        assert!(is_late_cancel(now - Duration::minutes(5), now, &p));
    }
}
