//! What one websocket client may receive: every event passes through the same access rules as
//! the HTTP reads (`crate::access`). Supervisors and admins get events unchanged. Others get
//! events of the items they may see (with personal details redacted where they may only know
//! the case exists), an `item` upsert when an item becomes visible or fully visible to them, and
//! nothing about the rest — so their sequence numbers can skip, which `after_seq` handles.
//! Transport changes (ids and codes only) go to supervisors, admins and dispatchers, and to the
//! driver of a vehicle they concern; EMIU and machines get none.

use std::collections::HashSet;
use std::sync::OnceLock;

use super::protocol::ServerMessage;
use crate::access::{self, Visibility};
use crate::access::{Caller, Role};
use crate::core::state::StateView;
use crate::core::CoreHandle;
use crate::domain::{Item, ItemId, Note, Seq};
use crate::events::{Event, StoredEvent, TransportChange};

pub(crate) struct Filter {
    caller: Caller,
    /// Items this client has seen in full, and those it has seen redacted.
    full: HashSet<ItemId>,
    redacted: HashSet<ItemId>,
    /// Sensitive items this client was sent in full on this connection and whose read is in the
    /// audit.
    audited: HashSet<ItemId>,
    /// Sensitive items sent in full since the connection last wrote the audit: their reads are
    /// recorded before the frames go out ([`Filter::take_audit`]).
    to_audit: Vec<ItemId>,
}

impl Filter {
    pub(crate) fn new(caller: Caller) -> Self {
        Self {
            caller,
            full: HashSet::new(),
            redacted: HashSet::new(),
            audited: HashSet::new(),
            to_audit: Vec::new(),
        }
    }

    pub(crate) fn caller(&self) -> &Caller {
        &self.caller
    }

    fn sees_all(&self) -> bool {
        matches!(self.caller.role, Role::Supervisor | Role::Admin)
    }

    /// The sensitive items sent in full whose reads are not yet in the audit; the connection
    /// records them before it sends the frames.
    pub(crate) fn take_audit(&mut self) -> Vec<ItemId> {
        std::mem::take(&mut self.to_audit)
    }

    /// Notes a full view of a sensitive item for the audit, once per item and connection.
    fn shown_in_full(&mut self, id: ItemId) {
        if self.audited.insert(id) {
            self.to_audit.push(id);
        }
    }

    /// Items of a snapshot as this client may see them; remembers what it saw.
    pub(crate) fn snapshot_items<'a>(
        &mut self,
        items: impl Iterator<Item = &'a Item>,
    ) -> Vec<Item> {
        let mut out = Vec::new();
        for item in items {
            match access::visibility(&self.caller, item) {
                Visibility::Full => {
                    self.full.insert(item.id);
                    if access::is_sensitive(item) {
                        self.shown_in_full(item.id);
                    }
                    out.push(item.clone());
                }
                Visibility::Redacted => {
                    self.redacted.insert(item.id);
                    out.push(access::redact(item));
                }
                Visibility::Hidden => {}
            }
        }
        out
    }

    /// The frames to send for one committed event (possibly none). `shared` is the slot of a
    /// live event's frame (`core::Published::frame`): the first client that sends the event
    /// unchanged serialises it there, and every other client reuses it. An event replayed
    /// from the log has no slot and is serialised for this client alone.
    ///
    /// Visibility is judged on the item as it is now, not as the event carries it: a call
    /// carded unclassified and categorised domestic violence later is replayed redacted, and a
    /// client that saw an item in full before it became sensitive is sent its redacted copy.
    pub(crate) fn frames(
        &mut self,
        ev: &StoredEvent,
        core: &CoreHandle,
        shared: Option<&OnceLock<String>>,
    ) -> Vec<String> {
        let unchanged = || match shared {
            Some(slot) => Some(
                slot.get_or_init(|| encode(&ServerMessage::Event(ev)).unwrap_or_default())
                    .clone(),
            ),
            None => encode(&ServerMessage::Event(ev)),
        };
        if let Event::TransportChanged { change } = &ev.event {
            return if self.sees_all() || sees_transport(&self.caller, change) {
                unchanged().into_iter().collect()
            } else {
                Vec::new()
            };
        }
        let Some(item_id) = ev.event.item_id() else {
            return self.resource_frames(ev, unchanged);
        };
        let caller = &self.caller;
        let judge = |i: &Item| (access::visibility(caller, i), access::is_sensitive(i));
        let judged = core.read(|s| s.item(&item_id).map(judge));
        let Some((visibility, sensitive)) = judged.or_else(|| match &ev.event {
            Event::ItemCreated { item } => Some(judge(item)),
            _ => None,
        }) else {
            return Vec::new();
        };
        let mut frames = Vec::new();
        if let Event::ItemPurged { .. } = ev.event {
            // A client holding a copy gets the purged one (personal data withheld) in its place,
            // then the event; a client who may see the item but holds none, only the event.
            if visibility == Visibility::Hidden {
                return frames;
            }
            if self.full.remove(&item_id) || self.redacted.contains(&item_id) {
                self.redacted.insert(item_id);
                let copy = core.read(|s| s.item(&item_id).map(access::redact));
                if let Some(copy) = copy {
                    frames.extend(encode(&ServerMessage::Item {
                        seq: ev.seq,
                        item: &copy,
                    }));
                }
            }
            frames.extend(unchanged());
            return frames;
        }
        if sensitive
            && matches!(
                ev.event,
                Event::ItemCreated { .. }
                    | Event::CaseRecorded { .. }
                    // A reassigned case: its former handler may now see it only redacted.
                    | Event::HandlerChanged { .. }
            )
        {
            frames.extend(self.withdraw_full_copies(item_id, ev.seq, core));
        }
        match visibility {
            Visibility::Hidden => {}
            Visibility::Full => {
                let known = self.full.contains(&item_id);
                let may_lack =
                    !self.sees_all() && (self.caller.role != Role::Dispatcher || sensitive);
                if !known && may_lack && !matches!(ev.event, Event::ItemCreated { .. }) {
                    // Newly visible (assigned to this driver, taken by this dispatcher):
                    // the whole item first, then the event.
                    let upsert = core.read(|s| {
                        s.item(&item_id)
                            .and_then(|item| encode(&ServerMessage::Item { seq: ev.seq, item }))
                    });
                    frames.extend(upsert);
                }
                self.full.insert(item_id);
                self.redacted.remove(&item_id);
                if sensitive {
                    self.shown_in_full(item_id);
                }
                frames.extend(unchanged());
            }
            Visibility::Redacted => {
                self.redacted.insert(item_id);
                let redacted = redacted_event(ev);
                frames.extend(encode(&ServerMessage::Event(&redacted)));
            }
        }
        frames
    }

    /// When an item is sensitive now, items of its case that this client holds in full but may
    /// no longer see so (it saw them before the case was categorised, or before they were tied
    /// to it) are replaced by their redacted copies, sent as `item` upserts. A hidden one cannot
    /// be taken back; it is no longer updated.
    fn withdraw_full_copies(
        &mut self,
        item_id: ItemId,
        seq: Seq,
        core: &CoreHandle,
    ) -> Vec<String> {
        if self.sees_all() || self.full.is_empty() {
            return Vec::new();
        }
        let caller = &self.caller;
        let full = &self.full;
        let lost: Vec<(ItemId, Option<Item>)> = core.read(|s| {
            let case = s.item(&item_id).and_then(|i| i.dv_case);
            full.iter()
                .filter_map(|id| s.item(id))
                .filter(|i| i.id == item_id || (case.is_some() && i.dv_case == case))
                .filter_map(|i| match access::visibility(caller, i) {
                    Visibility::Full => None,
                    Visibility::Redacted => Some((i.id, Some(access::redact(i)))),
                    Visibility::Hidden => Some((i.id, None)),
                })
                .collect()
        });
        let mut frames = Vec::new();
        for (id, copy) in lost {
            self.full.remove(&id);
            if let Some(copy) = copy {
                self.redacted.insert(id);
                frames.extend(encode(&ServerMessage::Item { seq, item: &copy }));
            }
        }
        frames
    }

    /// A resource event as this client may see it (`access::resource_event_view`: EMIU
    /// positions and current cases go to dispatch roles only).
    fn resource_frames(
        &self,
        ev: &StoredEvent,
        unchanged: impl FnOnce() -> Option<String>,
    ) -> Vec<String> {
        if self.sees_all() {
            return unchanged().into_iter().collect();
        }
        match access::resource_event_view(&self.caller, &ev.event) {
            Some(event) if event == ev.event => unchanged().into_iter().collect(),
            Some(event) => encode(&ServerMessage::Event(&StoredEvent {
                event,
                ..ev.clone()
            }))
            .into_iter()
            .collect(),
            None => Vec::new(),
        }
    }
}

/// Whether a caller is pushed a transport change: dispatch roles all of them, a driver those of
/// the vehicles they drive (named in the change when it was made), nobody else any.
pub(crate) fn sees_transport(caller: &Caller, change: &TransportChange) -> bool {
    match caller.role {
        Role::Supervisor | Role::Admin | Role::Dispatcher => true,
        Role::Driver => caller
            .resource
            .as_deref()
            .is_some_and(|r| change.drivers.iter().any(|d| d == r)),
        Role::Emiu | Role::Receiver | Role::Telephony | Role::Service => false,
    }
}

/// The event with personal details removed.
fn redacted_event(ev: &StoredEvent) -> StoredEvent {
    let event = match &ev.event {
        Event::ItemCreated { item } => Event::ItemCreated {
            item: Box::new(access::redact(item)),
        },
        Event::NoteAdded { item_id, note } => Event::NoteAdded {
            item_id: *item_id,
            note: Note {
                text: "***".into(),
                ..note.clone()
            },
        },
        Event::CaseRecorded { item_id, record } => Event::CaseRecorded {
            item_id: *item_id,
            record: record.redacted(),
        },
        other => other.clone(),
    };
    StoredEvent {
        event,
        ..ev.clone()
    }
}

fn encode(msg: &ServerMessage<'_>) -> Option<String> {
    serde_json::to_string(msg).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::TransportReason;
    use chrono::NaiveDate;

    fn caller(role: Role, resource: Option<&str>) -> Caller {
        Caller {
            name: "u".into(),
            role,
            resource: resource.map(str::to_owned),
        }
    }

    fn change() -> TransportChange {
        let mut c = TransportChange::new(
            NaiveDate::from_ymd_opt(2026, 11, 27).unwrap(),
            TransportReason::Booking,
        );
        c.vehicles = vec!["VAN-01".into()];
        c.drivers = vec!["SOFER-01".into()];
        c.trips = vec!["T-1".into()];
        c
    }

    #[test]
    fn dispatch_roles_see_every_transport_change() {
        for role in [Role::Supervisor, Role::Admin, Role::Dispatcher] {
            assert!(sees_transport(&caller(role, None), &change()), "{role:?}");
        }
    }

    #[test]
    fn a_driver_sees_only_changes_of_the_vehicle_they_drive() {
        assert!(sees_transport(
            &caller(Role::Driver, Some("SOFER-01")),
            &change()
        ));
        assert!(!sees_transport(
            &caller(Role::Driver, Some("SOFER-02")),
            &change()
        ));
        assert!(!sees_transport(&caller(Role::Driver, None), &change()));
        let mut replan = change();
        replan.drivers.clear();
        assert!(!sees_transport(
            &caller(Role::Driver, Some("SOFER-01")),
            &replan
        ));
    }

    #[test]
    fn emiu_and_machines_see_no_transport_change() {
        for role in [Role::Emiu, Role::Receiver, Role::Telephony] {
            assert!(
                !sees_transport(&caller(role, Some("SOFER-01")), &change()),
                "{role:?}"
            );
        }
    }
}
