//! The live state of an instance: items and resources as of the last event applied, with the
//! indexes the core keeps beside them (deadlines still running, driver actions logged).

use chrono::{DateTime, NaiveDate, Utc};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use super::fold::apply;
use super::view::{StateMut, StateView};
use crate::domain::{AlarmType, Details, Item, ItemId, Resource, ResourceId, Seq, Status};
use crate::events::StoredEvent;

/// Items and resources as of event `seq`.
#[derive(Debug, Default)]
pub struct LiveState {
    pub seq: Seq,
    pub(super) items: HashMap<ItemId, Item>,
    resources: BTreeMap<ResourceId, Resource>,
    /// Unacknowledged, not yet breached items by deadline: the next breach to escalate.
    deadlines: BTreeSet<(DateTime<Utc>, ItemId)>,
    /// EMIU police requests whose team is not on scene yet and whose arrival deadline is not
    /// yet breached, by that deadline (`Item::arrival`).
    arrivals: BTreeSet<(DateTime<Utc>, ItemId)>,
    /// Client action ids of the driver actions in the log (`transport_changed` events) by the
    /// day of their trip, so a replayed action is not logged twice. Only the last
    /// [`ACTION_DAYS`] days are kept: a tablet replays within minutes or hours, and the
    /// transport tables keep every action for good.
    transport_actions: BTreeMap<NaiveDate, HashSet<String>>,
    /// The numbers of domestic-violence cases (normalised, as stored on items), each with its
    /// case: a later call, SMS or callback from one of them is as sensitive as the case.
    pub(super) dv_phones: HashMap<String, ItemId>,
    /// The open alert item of each device and alarm type, where a further alarm of the same
    /// device and type attaches as a repeat (`Event::Repeated`) instead of a new item.
    /// Keyed by receiver credential, device and alarm type.
    open_alerts: HashMap<(String, String, AlarmType), ItemId>,
}

/// Days of driver-action ids the live state keeps (the newest day seen and the ones before it).
const ACTION_DAYS: u64 = 3;

impl LiveState {
    pub(crate) fn items(&self) -> impl Iterator<Item = &Item> {
        self.items.values()
    }

    pub(crate) fn resources(&self) -> impl Iterator<Item = &Resource> {
        self.resources.values()
    }

    /// The earliest deadline still running.
    pub(crate) fn next_deadline(&self) -> Option<DateTime<Utc>> {
        let response = self.deadlines.first().map(|(d, _)| *d);
        let arrival = self.arrivals.first().map(|(d, _)| *d);
        response.into_iter().chain(arrival).min()
    }

    /// Items whose deadline is at or before `now`.
    pub(crate) fn due(&self, now: DateTime<Utc>) -> Vec<ItemId> {
        let mut due: Vec<ItemId> = self
            .deadlines
            .iter()
            .chain(self.arrivals.iter())
            .filter(|(d, _)| *d <= now)
            .map(|(_, id)| *id)
            .collect();
        due.sort();
        due.dedup();
        due
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
                if let Some(clock) = item.arrival {
                    self.arrivals.remove(&(clock.due, id));
                }
            }
        }
        apply(self, e);
        self.protect(e);
        if let Some(id) = e.event.item_id() {
            if let Some(item) = self.items.get(&id) {
                if deadline_running(item) {
                    self.deadlines.insert((item.deadline, id));
                }
                if let Some(clock) = item.arrival.filter(|_| arrival_running(item)) {
                    self.arrivals.insert((clock.due, id));
                }
                if let Details::Alert {
                    device_id,
                    alarm_type,
                    receiver,
                    ..
                } = &item.details
                {
                    let key = (receiver.clone(), device_id.clone(), *alarm_type);
                    if item.status == Status::Closed {
                        if self.open_alerts.get(&key) == Some(&id) {
                            self.open_alerts.remove(&key);
                        }
                    } else {
                        self.open_alerts.entry(key).or_insert(id);
                    }
                }
            }
        }
        self.seq = e.seq;
    }
}

/// Whether the item's response clock is running: nobody has taken it, and its deadline has not
/// been breached yet (a breach that raised the level set a new deadline, which runs again).
pub(crate) fn deadline_running(item: &Item) -> bool {
    item.status == Status::New && item.times.breached.is_none_or(|b| item.deadline > b)
}

/// Whether the item's clock to arrival runs: a police request is open, the team is not on
/// scene, the deadline is not breached yet, and the item is not closed.
pub(crate) fn arrival_running(item: &Item) -> bool {
    item.status != Status::Closed && item.arrival.is_some_and(|c| c.running())
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
    fn open_alert(&self, receiver: &str, device_id: &str, alarm_type: AlarmType) -> Option<ItemId> {
        self.open_alerts
            .get(&(receiver.to_owned(), device_id.to_owned(), alarm_type))
            .copied()
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

#[cfg(test)]
mod tests {
    use super::*;

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
