//! A batch's changes not yet committed, layered over the live state.

use chrono::NaiveDate;
use std::collections::{HashMap, HashSet};

use super::live::LiveState;
use super::view::{StateMut, StateView};
use crate::domain::{AlarmType, Details, Item, ItemId, Resource, ResourceId, Status};

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
    fn open_alert(&self, receiver: &str, device_id: &str, alarm_type: AlarmType) -> Option<ItemId> {
        let same = |i: &&Item| {
            i.status != Status::Closed
                && matches!(&i.details, Details::Alert { device_id: d, alarm_type: t, receiver: r, .. }
                    if d == device_id && *t == alarm_type && r == receiver)
        };
        // An item of this batch (created or changed) first; then the live state's, unless the
        // batch has closed it.
        if let Some(item) = self
            .items
            .values()
            .filter(same)
            .min_by_key(|i| i.times.received)
        {
            return Some(item.id);
        }
        self.base
            .open_alert(receiver, device_id, alarm_type)
            .filter(|id| self.item(id).is_some_and(|i| i.status != Status::Closed))
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
