//! A service's inbox: what its staff are shown of a case referred to them (through the access
//! decision: a domestic-violence case without number, place or notes), and the outcomes they
//! may report.

use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use crate::access::Visibility;
use crate::domain::{Details, Item, ItemId};
use crate::error::{Error, Result};
use crate::store::emergency::ReferralRecord;

/// What a service reports on a referral.
pub(crate) const OUTCOMES: &[&str] = &["accepted", "declined", "completed"];

/// Why a service declines.
pub(crate) const DECLINE_REASONS: &[&str] = &[
    "not_eligible",
    "no_capacity",
    "outside_area",
    "person_unreachable",
    "other",
];

/// The reference a service and the dispatch centre speak of a case by: not its id (which the
/// service cannot use anywhere), but short enough to read out on the phone.
pub(crate) fn case_ref(item: ItemId) -> String {
    let hex = item.0.simple().to_string();
    format!("C-{}", hex[hex.len() - 8..].to_uppercase())
}

/// Checks an outcome against the one already reported: accepted, declined or completed first;
/// after `accepted`, declined or completed; nothing after declined or completed. Declining
/// needs a reason code (and a note for `other`); completing needs a note.
pub(crate) fn check_outcome(
    previous: Option<&str>,
    outcome: &str,
    reason: Option<&str>,
    note: &str,
) -> Result<()> {
    if !OUTCOMES.contains(&outcome) {
        return Err(Error::validation(
            "outcome",
            "must be accepted, declined or completed",
        ));
    }
    match (outcome, reason) {
        ("declined", None) => {
            return Err(Error::validation("reason", "say why the service declines"))
        }
        ("declined", Some(r)) if !DECLINE_REASONS.contains(&r) => {
            return Err(Error::validation(
                "reason",
                format!("must be one of: {}", DECLINE_REASONS.join(", ")),
            ))
        }
        ("declined", Some("other")) if note.trim().is_empty() => {
            return Err(Error::validation("note", "say why, in a few words"))
        }
        ("declined", _) => {}
        (_, Some(_)) => {
            return Err(Error::validation(
                "reason",
                "only a declined referral has a reason",
            ))
        }
        _ => {}
    }
    if outcome == "completed" && note.trim().is_empty() {
        return Err(Error::validation("note", "a short note of what was done"));
    }
    match previous {
        None => Ok(()),
        Some("accepted") if outcome != "accepted" => Ok(()),
        Some(p) => Err(Error::Conflict(format!(
            "the referral is already {p}; it cannot become {outcome}"
        ))),
    }
}

/// One referral as the service's staff see it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct InboxEntry {
    pub referral_id: Uuid,
    /// The case's reference, to quote when calling the dispatch centre.
    pub case_ref: String,
    pub service: String,
    /// What the call is about (a call category, or the item's kind).
    pub category: String,
    /// How urgent the case is: its queue level (`P1`...`P4`).
    pub urgency: String,
    /// The note the dispatcher wrote for the service.
    pub note: String,
    pub referred_at: DateTime<Utc>,
    pub ack_due_at: Option<DateTime<Utc>>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub acknowledged_by: Option<String>,
    /// The acknowledgement deadline passed and the supervisor was told.
    pub escalated: bool,
    pub outcome: Option<String>,
    pub outcome_reason: Option<String>,
    pub outcome_note: String,
    pub outcome_at: Option<DateTime<Utc>>,
    /// A protected case: no number, no place, no notes; call the dispatch centre.
    pub protected: bool,
    /// The person's number, for a case that is not protected.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Where, for a case that is not protected.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// The dispatch centre's number, to call back about the case.
    pub dispatch_phone: String,
}

/// The entry of `r` for a viewer who sees its item with `visibility` (`Hidden` is never
/// asked: such referrals are not in the viewer's inbox). A case whose item is gone from the
/// live state shows what the referral itself holds.
pub(crate) fn entry(
    r: &ReferralRecord,
    item: Option<&Item>,
    visibility: Visibility,
    dispatch_phone: &str,
) -> InboxEntry {
    let full = visibility == Visibility::Full;
    let (category, urgency) = match item {
        Some(i) => (i.category.clone(), i.priority.level.as_str().to_owned()),
        None => ("unknown".to_owned(), String::new()),
    };
    let (phone, address) = match (full, item.map(|i| &i.details)) {
        (
            true,
            Some(Details::Call {
                caller_number,
                location,
                ..
            }),
        ) => (
            Some(caller_number.clone()).filter(|n| n != "withheld"),
            location
                .as_ref()
                .and_then(|l| l.address.clone())
                .or_else(|| item.and_then(|i| i.subject.as_ref()?.address.clone())),
        ),
        (true, Some(Details::Callback { phone, .. })) => (Some(phone.clone()), None),
        _ => (None, None),
    };
    InboxEntry {
        referral_id: r.id,
        case_ref: case_ref(r.item_id),
        service: r.service.clone(),
        category,
        urgency,
        note: r.note.clone(),
        referred_at: r.created_at,
        ack_due_at: r.ack_due_at,
        acknowledged_at: r.acknowledged_at,
        acknowledged_by: r.acknowledged_by.clone(),
        escalated: r.escalated_at.is_some(),
        outcome: r.outcome.clone(),
        outcome_reason: r.outcome_reason.clone(),
        outcome_note: r.outcome_note.clone(),
        outcome_at: r.outcome_at,
        protected: !full,
        phone,
        address,
        dispatch_phone: dispatch_phone.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_follow_accepted_then_declined_or_completed() {
        assert!(check_outcome(None, "accepted", None, "").is_ok());
        assert!(check_outcome(Some("accepted"), "completed", None, "done").is_ok());
        assert!(check_outcome(Some("accepted"), "declined", Some("no_capacity"), "").is_ok());
        assert!(matches!(
            check_outcome(Some("completed"), "accepted", None, ""),
            Err(Error::Conflict(_))
        ));
        assert!(matches!(
            check_outcome(Some("accepted"), "accepted", None, ""),
            Err(Error::Conflict(_))
        ));
        let field = |r: Result<()>| match r {
            Err(Error::Validation { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(field(check_outcome(None, "maybe", None, "")), "outcome");
        assert_eq!(field(check_outcome(None, "declined", None, "")), "reason");
        assert_eq!(
            field(check_outcome(None, "declined", Some("x"), "")),
            "reason"
        );
        assert_eq!(
            field(check_outcome(None, "declined", Some("other"), " ")),
            "note"
        );
        assert_eq!(field(check_outcome(None, "completed", None, "")), "note");
        assert_eq!(
            field(check_outcome(None, "accepted", Some("other"), "")),
            "reason"
        );
    }

    #[test]
    fn a_case_reference_is_short_and_stable() {
        let id = ItemId::new();
        assert_eq!(case_ref(id), case_ref(id));
        assert_eq!(case_ref(id).len(), 10);
    }
}
