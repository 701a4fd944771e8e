//! What each role sees of a resource (vehicle, driver, EMIU team) and which resources it may
//! change: pure rules beside the item rules, so an HTTP answer and a websocket frame about the
//! same resource cannot disagree.
//!
//! - Dispatch roles (dispatcher, supervisor, admin) see and change every resource: they run the
//!   map and the assignments.
//! - A driver sees and changes only their own resource (`Caller::resource`): the tablet needs
//!   its own status and position, nothing of the others.
//! - An EMIU member sees and changes their own team in full. Of every other resource they see
//!   who it is and its status (whether it is free), never its current item nor its position:
//!   where a team stands during a domestic-violence case is where the victim is, and a van's
//!   position is where a rider lives. That is dispatch's business only.
//! - Machines (alarm receivers, telephony) see nothing and change nothing.
//!
//! A caller whose `resource` is unset owns no resource: a driver then sees none, an EMIU member
//! only the others' identity and status.

use crate::access::{Caller, Role};
use crate::domain::{Resource, ResourceId};
use crate::events::Event;

/// How much of one resource a caller may see.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Sight {
    /// Everything, current item and position included.
    Full,
    /// Identity and status only.
    StatusOnly,
    Nothing,
}

fn owns(caller: &Caller, id: &ResourceId) -> bool {
    caller.resource.as_deref() == Some(id.0.as_str())
}

fn sight(caller: &Caller, id: &ResourceId) -> Sight {
    match caller.role {
        Role::Dispatcher | Role::Supervisor | Role::Admin => Sight::Full,
        Role::Driver | Role::Emiu if owns(caller, id) => Sight::Full,
        Role::Emiu => Sight::StatusOnly,
        Role::Driver | Role::Receiver | Role::Telephony | Role::Service => Sight::Nothing,
    }
}

/// Whether the caller may set this resource's status or position: dispatch roles any, a
/// driver or EMIU member only their own, machines none.
pub fn may_change_resource(caller: &Caller, id: &ResourceId) -> bool {
    match caller.role {
        Role::Dispatcher | Role::Supervisor | Role::Admin => true,
        Role::Driver | Role::Emiu => owns(caller, id),
        Role::Receiver | Role::Telephony | Role::Service => false,
    }
}

/// The resource as this caller may see it, or nothing. Used by every HTTP answer that carries a
/// resource (the list, the status and position changes); the websocket snapshot filters its
/// resources through it too.
pub fn resource_view(caller: &Caller, r: &Resource) -> Option<Resource> {
    match sight(caller, &r.id) {
        Sight::Full => Some(r.clone()),
        Sight::StatusOnly => Some(Resource {
            current_item: None,
            position: None,
            ..r.clone()
        }),
        Sight::Nothing => None,
    }
}

/// A resource event (`resource_registered`, `resource_status_changed`, `resource_moved`) as this
/// caller may receive it, or nothing: the registered resource through [`resource_view`], a
/// status change to whoever sees the resource at all, a move only to whoever sees it in full.
///
/// Any other event is not about a resource and gives `None` (judge it with the item rules,
/// [`super::view`]); so a caller that forgets to route an event here drops it rather than leaks.
pub fn resource_event_view(caller: &Caller, event: &Event) -> Option<Event> {
    match event {
        Event::ResourceRegistered { resource } => {
            resource_view(caller, resource).map(|r| Event::ResourceRegistered {
                resource: Box::new(r),
            })
        }
        Event::ResourceStatusChanged { resource_id, .. } => {
            (sight(caller, resource_id) != Sight::Nothing).then(|| event.clone())
        }
        Event::ResourceMoved { resource_id, .. } => {
            (sight(caller, resource_id) == Sight::Full).then(|| event.clone())
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{ItemId, ResourceKind, ResourceStatus};
    use routing::travel::LonLat;

    fn caller(role: Role, resource: Option<&str>) -> Caller {
        Caller {
            name: "u".into(),
            role,
            resource: resource.map(str::to_owned),
        }
    }

    /// A resource committed to a case, with a position.
    fn busy(id: &str, kind: ResourceKind) -> Resource {
        Resource {
            id: ResourceId(id.into()),
            kind,
            name: id.into(),
            seats: 0,
            wheelchair_places: 0,
            status: ResourceStatus::OnScene,
            current_item: Some(ItemId::new()),
            position: Some(LonLat::new(21.2270, 45.7530)),
            version: 3,
        }
    }

    fn emiu_1() -> Resource {
        busy("EMIU-1", ResourceKind::EmiuTeam)
    }

    fn events(r: &Resource) -> [Event; 3] {
        [
            Event::ResourceRegistered {
                resource: Box::new(r.clone()),
            },
            Event::ResourceStatusChanged {
                resource_id: r.id.clone(),
                status: ResourceStatus::OffDuty,
            },
            Event::ResourceMoved {
                resource_id: r.id.clone(),
                position: LonLat::new(21.2, 45.7),
            },
        ]
    }

    #[test]
    fn dispatch_roles_see_every_resource_in_full_and_every_resource_event() {
        for role in [Role::Dispatcher, Role::Supervisor, Role::Admin] {
            let c = caller(role, None);
            for r in [emiu_1(), busy("VAN-01", ResourceKind::Vehicle)] {
                assert_eq!(resource_view(&c, &r), Some(r.clone()), "{role:?}");
                for ev in events(&r) {
                    assert_eq!(resource_event_view(&c, &ev), Some(ev.clone()), "{role:?}");
                }
            }
        }
    }

    #[test]
    fn a_driver_sees_their_own_resource_in_full_and_nothing_of_the_others() {
        let driver = caller(Role::Driver, Some("SOFER-01"));
        let own = busy("SOFER-01", ResourceKind::Driver);
        assert_eq!(resource_view(&driver, &own), Some(own.clone()));
        for ev in events(&own) {
            assert_eq!(resource_event_view(&driver, &ev), Some(ev.clone()));
        }
        for other in [emiu_1(), busy("SOFER-02", ResourceKind::Driver)] {
            assert_eq!(resource_view(&driver, &other), None);
            for ev in events(&other) {
                assert_eq!(resource_event_view(&driver, &ev), None, "{ev:?}");
            }
        }
        // A driver account without a resource owns none.
        assert_eq!(resource_view(&caller(Role::Driver, None), &own), None);
    }

    #[test]
    fn emiu_see_their_own_team_in_full_and_only_the_status_of_the_others() {
        let member = caller(Role::Emiu, Some("EMIU-2"));
        let own = busy("EMIU-2", ResourceKind::EmiuTeam);
        assert_eq!(resource_view(&member, &own), Some(own.clone()));
        for ev in events(&own) {
            assert_eq!(resource_event_view(&member, &ev), Some(ev.clone()));
        }
        for other in [emiu_1(), busy("VAN-01", ResourceKind::Vehicle)] {
            let seen = resource_view(&member, &other).expect("the team is listed");
            assert_eq!(seen.current_item, None, "no case of {}", other.id);
            assert_eq!(seen.position, None, "no position of {}", other.id);
            assert_eq!(seen.status, other.status);
            assert_eq!(seen.id, other.id);
            let [registered, status, moved] = events(&other);
            match resource_event_view(&member, &registered) {
                Some(Event::ResourceRegistered { resource }) => {
                    assert_eq!(resource.current_item, None);
                    assert_eq!(resource.position, None);
                }
                other => panic!("expected the registration without case or position: {other:?}"),
            }
            assert_eq!(resource_event_view(&member, &status), Some(status.clone()));
            assert_eq!(resource_event_view(&member, &moved), None);
        }
    }

    #[test]
    fn machines_see_no_resource_and_no_resource_event() {
        for role in [Role::Receiver, Role::Telephony] {
            let c = caller(role, Some("EMIU-1"));
            assert_eq!(resource_view(&c, &emiu_1()), None, "{role:?}");
            for ev in events(&emiu_1()) {
                assert_eq!(resource_event_view(&c, &ev), None, "{role:?}");
            }
        }
    }

    #[test]
    fn an_event_not_about_a_resource_is_not_passed_through() {
        let ev = Event::ItemPushed {
            item_id: ItemId::new(),
        };
        assert_eq!(resource_event_view(&caller(Role::Admin, None), &ev), None);
    }

    #[test]
    fn drivers_and_emiu_may_change_only_their_own_resource() {
        let id = |s: &str| ResourceId(s.into());
        for role in [Role::Dispatcher, Role::Supervisor, Role::Admin] {
            assert!(may_change_resource(&caller(role, None), &id("EMIU-2")));
        }
        let driver = caller(Role::Driver, Some("SOFER-01"));
        assert!(may_change_resource(&driver, &id("SOFER-01")));
        assert!(!may_change_resource(&driver, &id("EMIU-2")));
        assert!(!may_change_resource(&driver, &id("SOFER-02")));
        let member = caller(Role::Emiu, Some("EMIU-1"));
        assert!(may_change_resource(&member, &id("EMIU-1")));
        assert!(!may_change_resource(&member, &id("EMIU-2")));
        assert!(!may_change_resource(
            &caller(Role::Emiu, None),
            &id("EMIU-1")
        ));
        for role in [Role::Receiver, Role::Telephony] {
            assert!(!may_change_resource(
                &caller(role, Some("EMIU-1")),
                &id("EMIU-1")
            ));
        }
    }
}
