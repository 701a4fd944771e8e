//! Read and write access to a state: what decisions read and what `apply` changes, shared by
//! the live state and a batch overlay.

use chrono::NaiveDate;

use crate::domain::{AlarmType, Item, ItemId, Resource, ResourceId};

/// Read access to items and resources, shared by the live state and a batch overlay.
pub(crate) trait StateView {
    fn item(&self, id: &ItemId) -> Option<&Item>;
    fn resource(&self, id: &ResourceId) -> Option<&Resource>;
    /// Whether a driver action with this client action id is already in the log.
    fn transport_action_seen(&self, action_id: &str) -> bool;
    /// The domestic-violence case a phone number belongs to (the caller's number of a DV call,
    /// its follow-up and safe-contact numbers), if any.
    fn dv_case_of_phone(&self, phone: &str) -> Option<ItemId>;
    /// The open alert item of this device and alarm type sent by this receiver credential, if
    /// any: where a repeat attaches. Per receiver, so that one receiver can neither reach nor
    /// hide another's alarm by reusing its device id.
    fn open_alert(&self, receiver: &str, device_id: &str, alarm_type: AlarmType) -> Option<ItemId>;
}

/// Write access used by [`apply`](super::apply).
pub(crate) trait StateMut: StateView {
    fn item_mut(&mut self, id: &ItemId) -> Option<&mut Item>;
    fn resource_mut(&mut self, id: &ResourceId) -> Option<&mut Resource>;
    fn put_item(&mut self, item: Item);
    fn put_resource(&mut self, resource: Resource);
    fn note_transport_action(&mut self, date: NaiveDate, action_id: String);
}
