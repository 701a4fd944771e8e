//! The live state: a fold over the event log. `apply` is the one place that says what an event
//! does; the console's TypeScript reducer mirrors it.

use chrono::{DateTime, NaiveDate, Utc};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use crate::domain::{CaseRecord, Item, ItemId, Resource, ResourceId, ResourceStatus, Seq, Status};
use crate::events::{Event, StoredEvent};

/// Read access to items and resources, shared by the live state and a batch overlay.
pub(crate) trait StateView {
    fn item(&self, id: &ItemId) -> Option<&Item>;
    fn resource(&self, id: &ResourceId) -> Option<&Resource>;
    /// Whether a driver action with this client action id is already in the log.
    fn transport_action_seen(&self, action_id: &str) -> bool;
    /// The domestic-violence case a phone number belongs to (the caller's number of a DV call,
    /// its follow-up and safe-contact numbers), if any.
    fn dv_case_of_phone(&self, phone: &str) -> Option<ItemId>;
}

/// The domestic-violence case an item is or derives from, judged on the state: a DV call is its
/// own case; a callback or incident raised about a protected item, and a call or callback from a
/// number of a case, belong to that case.
pub(crate) fn derived_case(state: &impl StateView, item: &Item) -> Option<ItemId> {
    if item.is_dv_call() {
        return Some(item.id);
    }
    item.related()
        .and_then(|r| state.item(&r))
        .and_then(|r| r.dv_case)
        .or_else(|| item.phone().and_then(|p| state.dv_case_of_phone(p)))
}

/// Whether a string is a number a case can be tied to (not `withheld`).
fn is_number(phone: &str) -> bool {
    !phone.is_empty() && phone.chars().all(|c| c == '+' || c.is_ascii_digit())
}

/// Write access used by [`apply`].
pub(crate) trait StateMut: StateView {
    fn item_mut(&mut self, id: &ItemId) -> Option<&mut Item>;
    fn resource_mut(&mut self, id: &ResourceId) -> Option<&mut Resource>;
    fn put_item(&mut self, item: Item);
    fn put_resource(&mut self, resource: Resource);
    fn note_transport_action(&mut self, date: NaiveDate, action_id: String);
}

/// Items and resources as of event `seq`.
#[derive(Debug, Default)]
pub struct LiveState {
    pub seq: Seq,
    items: HashMap<ItemId, Item>,
    resources: BTreeMap<ResourceId, Resource>,
    /// Unacknowledged, not yet breached items by deadline: the next breach to escalate.
    deadlines: BTreeSet<(DateTime<Utc>, ItemId)>,
    /// Client action ids of the driver actions in the log (`transport_changed` events) by the
    /// day of their trip, so a replayed action is not logged twice. Only the last
    /// [`ACTION_DAYS`] days are kept: a tablet replays within minutes or hours, and the
    /// transport tables keep every action for good.
    transport_actions: BTreeMap<NaiveDate, HashSet<String>>,
    /// The numbers of domestic-violence cases (normalised, as stored on items), each with its
    /// case: a later call, SMS or callback from one of them is as sensitive as the case.
    dv_phones: HashMap<String, ItemId>,
}

/// Days of driver-action ids the live state keeps (the newest day seen and the ones before it).
pub(crate) const ACTION_DAYS: u64 = 3;

impl LiveState {
    pub(crate) fn items(&self) -> impl Iterator<Item = &Item> {
        self.items.values()
    }

    pub(crate) fn resources(&self) -> impl Iterator<Item = &Resource> {
        self.resources.values()
    }

    /// The earliest deadline still running.
    pub(crate) fn next_deadline(&self) -> Option<DateTime<Utc>> {
        self.deadlines.first().map(|(d, _)| *d)
    }

    /// Items whose deadline is at or before `now`.
    pub(crate) fn due(&self, now: DateTime<Utc>) -> Vec<ItemId> {
        self.deadlines
            .iter()
            .take_while(|(d, _)| *d <= now)
            .map(|(_, id)| *id)
            .collect()
    }

    /// Applies a committed event. Events must come in sequence order without gaps.
    pub(crate) fn apply_committed(&mut self, e: &StoredEvent) {
        debug_assert_eq!(
            e.seq,
            self.seq.next(),
            "events must be applied without gaps"
        );
        if let Some(id) = e.event.item_id() {
            if let Some(item) = self.items.get(&id) {
                self.deadlines.remove(&(item.deadline, id));
            }
        }
        apply(self, e);
        self.protect(e);
        if let Some(id) = e.event.item_id() {
            if let Some(item) = self.items.get(&id) {
                if item.status == Status::New && !item.breached {
                    self.deadlines.insert((item.deadline, id));
                }
            }
        }
        self.seq = e.seq;
    }

    /// Keeps `Item::dv_case` true after an event: the item of the event is tied to its case
    /// (created from a case's number, categorised domestic violence, ...), the numbers the event
    /// names join the case's, and every item already in the state that is now tied to a case
    /// through a number or a related item is marked too. The marks only ever grow.
    fn protect(&mut self, e: &StoredEvent) {
        let Some(id) = e.event.item_id() else {
            return;
        };
        let Some(item) = self.items.get(&id) else {
            return;
        };
        let was = item.dv_case;
        let Some(case) = was.or_else(|| derived_case(self, item)) else {
            return;
        };
        let mut phones: Vec<String> = item.phone().map(str::to_owned).into_iter().collect();
        if let Event::CaseRecorded { record, .. } = &e.event {
            match record {
                CaseRecord::SafeContact { phones: more } => phones.extend(more.iter().cloned()),
                CaseRecord::FollowUpScheduled { phone, .. } => phones.push(phone.clone()),
                _ => {}
            }
        }
        if let Some(item) = self.items.get_mut(&id) {
            item.dv_case = Some(case);
        }
        let mut grew = was.is_none();
        for phone in phones.into_iter().filter(|p| is_number(p)) {
            if let std::collections::hash_map::Entry::Vacant(e) = self.dv_phones.entry(phone) {
                e.insert(case);
                grew = true;
            }
        }
        if grew {
            self.spread();
        }
    }

    /// Marks every item tied to a case through its number or the item it was raised about, and
    /// ties the numbers of those items to the case too, until nothing changes (a callback of a newly marked call, ...). Cases are categorised
    /// rarely, so a scan of the items is cheap enough.
    fn spread(&mut self) {
        loop {
            let marks: Vec<(ItemId, ItemId)> = self
                .items
                .values()
                .filter(|i| i.dv_case.is_none())
                .filter_map(|i| derived_case(&*self, i).map(|c| (i.id, c)))
                .collect();
            if marks.is_empty() {
                return;
            }
            for (id, case) in marks {
                if let Some(item) = self.items.get_mut(&id) {
                    item.dv_case = Some(case);
                    if let Some(phone) = item.phone().filter(|p| is_number(p)) {
                        self.dv_phones.entry(phone.to_owned()).or_insert(case);
                    }
                }
            }
        }
    }
}

impl StateView for LiveState {
    fn item(&self, id: &ItemId) -> Option<&Item> {
        self.items.get(id)
    }
    fn resource(&self, id: &ResourceId) -> Option<&Resource> {
        self.resources.get(id)
    }
    fn transport_action_seen(&self, action_id: &str) -> bool {
        self.transport_actions
            .values()
            .any(|ids| ids.contains(action_id))
    }
    fn dv_case_of_phone(&self, phone: &str) -> Option<ItemId> {
        self.dv_phones.get(phone).copied()
    }
}

impl StateMut for LiveState {
    fn item_mut(&mut self, id: &ItemId) -> Option<&mut Item> {
        self.items.get_mut(id)
    }
    fn resource_mut(&mut self, id: &ResourceId) -> Option<&mut Resource> {
        self.resources.get_mut(id)
    }
    fn put_item(&mut self, item: Item) {
        self.items.insert(item.id, item);
    }
    fn put_resource(&mut self, resource: Resource) {
        self.resources.insert(resource.id.clone(), resource);
    }
    fn note_transport_action(&mut self, date: NaiveDate, action_id: String) {
        self.transport_actions
            .entry(date)
            .or_default()
            .insert(action_id);
        let newest = self.transport_actions.keys().next_back().copied();
        if let Some(oldest_kept) =
            newest.and_then(|d| d.checked_sub_days(chrono::Days::new(ACTION_DAYS - 1)))
        {
            self.transport_actions = self.transport_actions.split_off(&oldest_kept);
        }
    }
}

/// Changes of a batch not yet committed, layered over the live state so that later commands of
/// the same batch see earlier ones (two assignments of one van in one batch conflict), while
/// readers of the live state never see anything uncommitted.
pub(crate) struct Overlay<'a> {
    base: &'a LiveState,
    items: HashMap<ItemId, Item>,
    resources: HashMap<ResourceId, Resource>,
    transport_actions: HashSet<String>,
}

impl<'a> Overlay<'a> {
    pub(crate) fn new(base: &'a LiveState) -> Self {
        Self {
            base,
            items: HashMap::new(),
            resources: HashMap::new(),
            transport_actions: HashSet::new(),
        }
    }
}

impl StateView for Overlay<'_> {
    fn item(&self, id: &ItemId) -> Option<&Item> {
        self.items.get(id).or_else(|| self.base.item(id))
    }
    fn resource(&self, id: &ResourceId) -> Option<&Resource> {
        self.resources.get(id).or_else(|| self.base.resource(id))
    }
    fn transport_action_seen(&self, action_id: &str) -> bool {
        self.transport_actions.contains(action_id) || self.base.transport_action_seen(action_id)
    }
    fn dv_case_of_phone(&self, phone: &str) -> Option<ItemId> {
        self.base.dv_case_of_phone(phone)
    }
}

impl StateMut for Overlay<'_> {
    fn item_mut(&mut self, id: &ItemId) -> Option<&mut Item> {
        if !self.items.contains_key(id) {
            let item = self.base.item(id)?.clone();
            self.items.insert(*id, item);
        }
        self.items.get_mut(id)
    }
    fn resource_mut(&mut self, id: &ResourceId) -> Option<&mut Resource> {
        if !self.resources.contains_key(id) {
            let r = self.base.resource(id)?.clone();
            self.resources.insert(id.clone(), r);
        }
        self.resources.get_mut(id)
    }
    fn put_item(&mut self, item: Item) {
        self.items.insert(item.id, item);
    }
    fn put_resource(&mut self, resource: Resource) {
        self.resources.insert(resource.id.clone(), resource);
    }
    fn note_transport_action(&mut self, _date: NaiveDate, action_id: String) {
        self.transport_actions.insert(action_id);
    }
}

/// What an event does to the state. Total: an event about an unknown item or resource (which a
/// correct log never holds) changes nothing rather than panicking.
pub(crate) fn apply(state: &mut impl StateMut, e: &StoredEvent) {
    let seq = e.seq.0;
    let at = e.at;
    match &e.event {
        Event::ItemCreated { item } => {
            let mut item = (**item).clone();
            item.version = seq;
            state.put_item(item);
        }
        Event::ItemPushed { item_id } => {
            if let Some(item) = state.item_mut(item_id) {
                item.times.first_pushed.get_or_insert(at);
                item.version = seq;
            }
        }
        Event::Acknowledged { item_id, by } => {
            if let Some(item) = state.item_mut(item_id) {
                item.status = Status::Acknowledged;
                item.times.acknowledged = Some(at);
                item.handler = Some(by.clone());
                item.version = seq;
            }
        }
        Event::Assigned {
            item_id, resources, ..
        } => {
            if let Some(item) = state.item_mut(item_id) {
                item.status = Status::Assigned;
                item.times.assigned.get_or_insert(at);
                for r in resources {
                    if !item.assigned_to.contains(r) {
                        item.assigned_to.push(r.clone());
                    }
                }
                item.version = seq;
            }
            for r in resources {
                if let Some(res) = state.resource_mut(r) {
                    res.current_item = Some(*item_id);
                    res.status = ResourceStatus::Assigned;
                    res.version = seq;
                }
            }
        }
        Event::StatusChanged { item_id, to, .. } => {
            if let Some(item) = state.item_mut(item_id) {
                item.status = *to;
                if *to == Status::InProgress {
                    item.times.in_progress.get_or_insert(at);
                }
                item.version = seq;
            }
        }
        Event::Closed {
            item_id,
            outcome,
            released,
        } => {
            if let Some(item) = state.item_mut(item_id) {
                item.status = Status::Closed;
                item.times.closed = Some(at);
                item.outcome = Some(outcome.clone());
                item.version = seq;
            }
            for r in released {
                if let Some(res) = state.resource_mut(r) {
                    if res.current_item == Some(*item_id) {
                        res.current_item = None;
                        res.status = ResourceStatus::Available;
                        res.version = seq;
                    }
                }
            }
        }
        Event::NoteAdded { item_id, note } => {
            if let Some(item) = state.item_mut(item_id) {
                item.notes.push(note.clone());
                item.version = seq;
            }
        }
        Event::Breached { item_id, .. } => {
            if let Some(item) = state.item_mut(item_id) {
                item.breached = true;
                item.times.breached = Some(at);
                item.version = seq;
            }
        }
        Event::ResourceRegistered { resource } => {
            let mut r = (**resource).clone();
            r.version = seq;
            state.put_resource(r);
        }
        Event::ResourceStatusChanged {
            resource_id,
            status,
        } => {
            if let Some(r) = state.resource_mut(resource_id) {
                r.status = *status;
                r.version = seq;
            }
        }
        Event::ResourceMoved {
            resource_id,
            position,
        } => {
            if let Some(r) = state.resource_mut(resource_id) {
                r.position = Some(*position);
                r.version = seq;
            }
        }
        Event::CaseRecorded { item_id, record } => {
            if let Some(item) = state.item_mut(item_id) {
                // Only the category shows in the item itself; the rest of the file is read
                // from the item's history.
                if let crate::domain::CaseRecord::Categorised { category } = record {
                    if let crate::domain::Details::Call { category: c, .. } = &mut item.details {
                        *c = *category;
                        item.category = category.to_string();
                    }
                }
                item.version = seq;
            }
        }
        // Transport lives in its own documents; the live state only remembers which driver
        // actions are logged.
        Event::TransportChanged { change } => {
            if let Some(id) = &change.action_id {
                state.note_transport_action(change.date, id.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{CallCategory, Details, Level, Priority, Timestamps};

    fn call(number: &str, category: CallCategory) -> Item {
        let details = Details::Call {
            caller_number: number.into(),
            category,
            immediate_danger: false,
            location: None,
            notes: "n".into(),
        };
        item(details)
    }

    fn item(details: Details) -> Item {
        Item {
            id: ItemId::new(),
            kind: details.kind(),
            category: details.category(),
            status: Status::New,
            priority: Priority {
                level: Level::P2,
                rule: "r".into(),
                reason: "r".into(),
                respond_within_s: 60,
            },
            deadline: Utc::now(),
            breached: false,
            times: Timestamps::default(),
            details,
            assigned_to: vec![],
            handler: None,
            outcome: None,
            notes: vec![],
            version: 0,
            redacted: false,
            rate_limited: false,
            dv_case: None,
        }
    }

    /// Applies an event as the core would after deciding it.
    fn commit(state: &mut LiveState, event: Event) {
        let e = StoredEvent {
            seq: state.seq.next(),
            at: Utc::now(),
            actor: "t".into(),
            event,
        };
        state.apply_committed(&e);
    }

    fn create(state: &mut LiveState, mut item: Item) -> ItemId {
        item.dv_case = derived_case(state, &item);
        let id = item.id;
        commit(
            state,
            Event::ItemCreated {
                item: Box::new(item),
            },
        );
        id
    }

    fn case_of(state: &LiveState, id: ItemId) -> Option<ItemId> {
        state.item(&id).and_then(|i| i.dv_case)
    }

    #[test]
    fn a_call_categorised_domestic_violence_later_protects_what_came_from_its_number() {
        // Arrange: two unclassified calls from one number, a callback about the first, and a
        // call from another number.
        let mut state = LiveState::default();
        let first = create(&mut state, call("+40721000001", CallCategory::Unclassified));
        let earlier = create(&mut state, call("+40721000001", CallCategory::Unclassified));
        let callback = create(
            &mut state,
            item(Details::Callback {
                phone: "+40721000009".into(),
                reason: "missed_call".into(),
                related: Some(first),
            }),
        );
        let other = create(&mut state, call("+40721000002", CallCategory::Unclassified));
        assert_eq!(case_of(&state, first), None);

        // Act
        commit(
            &mut state,
            Event::CaseRecorded {
                item_id: first,
                record: CaseRecord::Categorised {
                    category: CallCategory::DomesticViolence,
                },
            },
        );

        // Assert
        assert_eq!(case_of(&state, first), Some(first));
        assert_eq!(case_of(&state, earlier), Some(first));
        assert_eq!(case_of(&state, callback), Some(first));
        assert_eq!(case_of(&state, other), None);
        // What comes later from the case's numbers, the callback's included, is born protected.
        let later = create(&mut state, call("+40721000001", CallCategory::Unclassified));
        let sms = create(&mut state, call("+40721000009", CallCategory::Unclassified));
        assert_eq!(case_of(&state, later), Some(first));
        assert_eq!(case_of(&state, sms), Some(first));
    }

    #[test]
    fn numbers_named_by_a_case_file_are_tied_to_the_case_and_withheld_is_not() {
        let mut state = LiveState::default();
        let case = create(&mut state, call("withheld", CallCategory::DomesticViolence));
        assert_eq!(case_of(&state, case), Some(case));
        commit(
            &mut state,
            Event::CaseRecorded {
                item_id: case,
                record: CaseRecord::SafeContact {
                    phones: vec!["+40721000003".into()],
                },
            },
        );
        commit(
            &mut state,
            Event::CaseRecorded {
                item_id: case,
                record: CaseRecord::FollowUpScheduled {
                    follow_up_id: uuid::Uuid::now_v7(),
                    due: Utc::now(),
                    phone: "+40721000004".into(),
                },
            },
        );
        let from_safe = create(&mut state, call("+40721000003", CallCategory::Unclassified));
        let from_follow_up = create(&mut state, call("+40721000004", CallCategory::Unclassified));
        let anonymous = create(&mut state, call("withheld", CallCategory::Unclassified));
        assert_eq!(case_of(&state, from_safe), Some(case));
        assert_eq!(case_of(&state, from_follow_up), Some(case));
        assert_eq!(case_of(&state, anonymous), None);
    }

    #[test]
    fn driver_action_ids_are_kept_for_the_last_three_days_only() {
        let mut state = LiveState::default();
        let day = |d| NaiveDate::from_ymd_opt(2026, 11, d).unwrap();
        state.note_transport_action(day(20), "a-20".into());
        state.note_transport_action(day(21), "a-21".into());
        state.note_transport_action(day(22), "a-22".into());
        assert!(["a-20", "a-21", "a-22"]
            .iter()
            .all(|id| state.transport_action_seen(id)));
        // A late replay of an older day's action is still remembered under its own day.
        state.note_transport_action(day(21), "b-21".into());

        state.note_transport_action(day(23), "a-23".into());

        assert!(!state.transport_action_seen("a-20"));
        assert!(["a-21", "b-21", "a-22", "a-23"]
            .iter()
            .all(|id| state.transport_action_seen(id)));
        assert_eq!(state.transport_actions.len(), 3);
    }
}
