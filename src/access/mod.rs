//! Who may see what: pure rules over the caller and the item, used by every read path (HTTP and
//! websocket) so the two can never disagree.
//!
//! - Supervisors and admins see everything.
//! - Dispatchers see every item, but a domestic-violence case only redacted (no caller number,
//!   no location, no notes) unless they are its handler — the dispatcher who acknowledged it.
//!   They must see that the case exists and how urgent it is, so that someone takes it.
//! - EMIU members see domestic-violence cases and whatever is assigned to their team.
//! - Drivers see only items assigned to them, and never a domestic-violence case.
//! - Machines (alarm receivers, telephony) read nothing.
//! - A service's staff read nothing through the item routes; their inbox shows the cases
//!   referred to their own service, through [`referral_visibility`] (a domestic-violence case
//!   redacted: no number, no place, no notes).

mod caller;
mod referred;
mod resources;
pub use caller::{Caller, Role, DISPATCH};
pub use referred::{may_work_referral, referral_visibility};
pub use resources::{may_change_resource, resource_event_view, resource_view};

use std::borrow::Cow;

use crate::domain::{Details, Item, ResourceId};

/// How much of an item a caller may see.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Visibility {
    Full,
    Redacted,
    Hidden,
}

impl Visibility {
    pub fn as_str(self) -> &'static str {
        match self {
            Visibility::Full => "allowed",
            Visibility::Redacted => "redacted",
            Visibility::Hidden => "refused",
        }
    }
}

/// Whether the item identifies a victim of violence: a call categorised domestic violence, or
/// anything derived from such a case (`Item::dv_case`: its callbacks and follow-ups, calls, missed
/// calls and SMS from its numbers).
pub fn is_sensitive(item: &Item) -> bool {
    item.dv_case.is_some() || item.is_dv_call()
}

fn assigned_to_caller(caller: &Caller, item: &Item) -> bool {
    caller
        .resource
        .as_ref()
        .is_some_and(|r| item.assigned_to.contains(&ResourceId(r.clone())))
}

pub fn visibility(caller: &Caller, item: &Item) -> Visibility {
    let sensitive = is_sensitive(item);
    match caller.role {
        Role::Supervisor | Role::Admin => Visibility::Full,
        Role::Dispatcher => {
            if !sensitive || item.handler.as_deref() == Some(caller.name.as_str()) {
                Visibility::Full
            } else {
                Visibility::Redacted
            }
        }
        Role::Emiu => {
            if sensitive || assigned_to_caller(caller, item) {
                Visibility::Full
            } else {
                Visibility::Hidden
            }
        }
        Role::Driver => {
            if !sensitive && assigned_to_caller(caller, item) {
                Visibility::Full
            } else {
                Visibility::Hidden
            }
        }
        Role::Receiver | Role::Telephony | Role::Service => Visibility::Hidden,
    }
}

/// What stands in for a withheld value.
pub const WITHHELD: &str = "***";

/// A copy without the personal details: numbers, places, names, the subject and free text of
/// every kind of item go; the kind, category, priority, status, clocks and codes stay, so the case can be seen
/// to exist and be taken.
pub fn redact(item: &Item) -> Item {
    let mut copy = item.clone();
    match &mut copy.details {
        Details::Call {
            caller_number,
            location,
            notes,
            ..
        } => {
            *caller_number = WITHHELD.into();
            *location = None;
            notes.clear();
        }
        Details::Callback { phone, .. } => *phone = WITHHELD.into(),
        Details::Incident {
            reported_by,
            description,
            ..
        } => {
            *reported_by = WITHHELD.into();
            *description = WITHHELD.into();
        }
        Details::Booking {
            rider,
            pickup,
            dropoff,
            ..
        } => {
            *rider = WITHHELD.into();
            *pickup = Default::default();
            *dropoff = Default::default();
        }
        Details::Alert { .. } => {}
    }
    for note in &mut copy.notes {
        note.text = WITHHELD.into();
    }
    // Who and where: the person's name, address, phone and position.
    copy.subject = None;
    copy.redacted = true;
    copy
}

/// The item as this caller may see it, or nothing.
pub fn view<'a>(caller: &Caller, item: &'a Item) -> Option<Cow<'a, Item>> {
    match visibility(caller, item) {
        Visibility::Full => Some(Cow::Borrowed(item)),
        Visibility::Redacted => Some(Cow::Owned(redact(item))),
        Visibility::Hidden => None,
    }
}

/// Whether the caller may act on (not only see) the item: full visibility is needed for
/// anything but acknowledging, which is how a dispatcher takes a redacted case.
pub fn may_act(caller: &Caller, item: &Item) -> bool {
    visibility(caller, item) == Visibility::Full
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{CallCategory, ItemId, ItemKind, Level, Priority, Status, Timestamps};

    fn dv_call(handler: Option<&str>, assigned: &[&str]) -> Item {
        Item {
            id: ItemId::new(),
            kind: ItemKind::Call,
            category: "domestic_violence".into(),
            status: Status::New,
            priority: Priority {
                level: Level::P1,
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
                category: CallCategory::DomesticViolence,
                immediate_danger: true,
                location: None,
                notes: "adresa victimei".into(),
                channel: Default::default(),
                reporter: Default::default(),
            },
            assigned_to: assigned.iter().map(|r| ResourceId(r.to_string())).collect(),
            handler: handler.map(str::to_owned),
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

    fn caller(name: &str, role: Role, resource: Option<&str>) -> Caller {
        Caller {
            name: name.into(),
            role,
            resource: resource.map(str::to_owned),
        }
    }

    #[test]
    fn a_domestic_violence_case_is_hidden_from_drivers_even_when_assigned() {
        let item = dv_call(Some("d1"), &["SOFER-01"]);
        let driver = caller("s1", Role::Driver, Some("SOFER-01"));
        assert_eq!(visibility(&driver, &item), Visibility::Hidden);
    }

    #[test]
    fn only_the_handling_dispatcher_sees_the_victims_details() {
        let item = dv_call(Some("d1"), &[]);
        assert_eq!(
            visibility(&caller("d1", Role::Dispatcher, None), &item),
            Visibility::Full
        );
        let other = caller("d2", Role::Dispatcher, None);
        assert_eq!(visibility(&other, &item), Visibility::Redacted);
        let shown = view(&other, &item).unwrap();
        assert!(shown.redacted);
        match &shown.details {
            Details::Call {
                caller_number,
                notes,
                ..
            } => {
                assert_eq!(caller_number, "***");
                assert!(notes.is_empty());
            }
            _ => unreachable!(),
        }
        assert_eq!(
            visibility(&caller("e", Role::Emiu, None), &item),
            Visibility::Full
        );
        assert_eq!(
            visibility(&caller("s", Role::Supervisor, None), &item),
            Visibility::Full
        );
    }
}
