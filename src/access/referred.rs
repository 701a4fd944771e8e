//! What a service's staff may see of a case referred to them: nothing of a case referred
//! elsewhere; a domestic-violence case only redacted (the category, the urgency, the note
//! written for the service, a case reference and the dispatch number to call back: no caller
//! number, no place, no notes); another case with the caller's number and address too.

use super::{is_sensitive, Caller, Role, Visibility};
use crate::domain::Item;

/// Whether the caller is staff of the service `service` (a service account whose resource is
/// that service's id).
pub fn may_work_referral(caller: &Caller, service: &str) -> bool {
    caller.role == Role::Service && caller.resource.as_deref() == Some(service)
}

/// How a service's staff member sees `item`, referred to `service`.
pub fn referral_visibility(caller: &Caller, item: &Item, service: &str) -> Visibility {
    if !may_work_referral(caller, service) {
        Visibility::Hidden
    } else if is_sensitive(item) {
        Visibility::Redacted
    } else {
        Visibility::Full
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Details, ItemId, ItemKind, Level, Priority, Status, Timestamps};

    fn call(category: crate::domain::CallCategory) -> Item {
        Item {
            id: ItemId::new(),
            kind: ItemKind::Call,
            category: category.to_string(),
            status: Status::New,
            priority: Priority {
                level: Level::P2,
                rule: "r".into(),
                reason: "r".into(),
                respond_within_s: 60,
                facts: vec![],
            },
            deadline: chrono::Utc::now(),
            breached: false,
            times: Timestamps::default(),
            details: Details::Call {
                caller_number: "+40700000001".into(),
                category,
                immediate_danger: false,
                location: None,
                notes: String::new(),
                channel: Default::default(),
                reporter: Default::default(),
            },
            assigned_to: vec![],
            handler: None,
            outcome: None,
            notes: vec![],
            version: 1,
            redacted: false,
            rate_limited: false,
            dv_case: None,
            subject: None,
            repeats: 0,
            repeats_unseen: 0,
            arrival: None,
        }
    }

    fn staff(service: Option<&str>) -> Caller {
        Caller {
            name: "svc".into(),
            role: Role::Service,
            resource: service.map(str::to_owned),
        }
    }

    #[test]
    fn a_service_sees_only_its_own_referrals_and_a_dv_case_redacted() {
        use crate::domain::CallCategory::{DomesticViolence, Other};
        let dv = call(DomesticViolence);
        let plain = call(Other);
        let mine = staff(Some("svc-a"));
        assert_eq!(
            referral_visibility(&mine, &dv, "svc-a"),
            Visibility::Redacted
        );
        assert_eq!(
            referral_visibility(&mine, &plain, "svc-a"),
            Visibility::Full
        );
        assert_eq!(
            referral_visibility(&mine, &plain, "svc-b"),
            Visibility::Hidden
        );
        assert_eq!(
            referral_visibility(&staff(None), &plain, "svc-a"),
            Visibility::Hidden
        );
        let dispatcher = Caller {
            name: "d".into(),
            role: Role::Dispatcher,
            resource: Some("svc-a".into()),
        };
        assert_eq!(
            referral_visibility(&dispatcher, &plain, "svc-a"),
            Visibility::Hidden
        );
        assert_eq!(super::super::visibility(&mine, &plain), Visibility::Hidden);
    }
}
