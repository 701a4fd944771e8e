//! The event vocabulary. Every change of state is one of these, appended to the log with a
//! sequence number, time and actor. The live state is a fold over them (`core::state`), the
//! console applies the same fold in TypeScript, and the audit trail is the log itself.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::transport::TransportChange;
use crate::domain::{
    AlarmType, CaseRecord, Item, ItemId, Level, Note, Priority, Resource, ResourceId,
    ResourceStatus, Seq, Status,
};
use routing::travel::LonLat;

/// One change of state. Each variant carries the whole change, so a websocket client never has
/// to fetch anything to apply it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    /// A new item entered the queue; carries the item as created, with its priority explained.
    ItemCreated {
        item: Box<Item>,
    },
    /// The item reached a dispatcher's screen for the first time.
    ItemPushed {
        item_id: ItemId,
    },
    Acknowledged {
        item_id: ItemId,
        by: String,
    },
    Assigned {
        item_id: ItemId,
        resources: Vec<ResourceId>,
        by: String,
    },
    StatusChanged {
        item_id: ItemId,
        from: Status,
        to: Status,
    },
    /// The item is done; the resources committed to it become available again.
    Closed {
        item_id: ItemId,
        outcome: String,
        released: Vec<ResourceId>,
    },
    NoteAdded {
        item_id: ItemId,
        note: Note,
    },
    /// Nobody acknowledged the item before its deadline: it is escalated.
    Breached {
        item_id: ItemId,
        level: Level,
        deadline: DateTime<Utc>,
    },
    /// EMIU: the team was not on scene by the police request's arrival deadline
    /// (`Item::arrival`); escalated to dispatch and supervisors like a response breach.
    ArrivalBreached {
        item_id: ItemId,
        due: DateTime<Utc>,
    },
    ResourceRegistered {
        resource: Box<Resource>,
    },
    ResourceStatusChanged {
        resource_id: ResourceId,
        status: ResourceStatus,
    },
    ResourceMoved {
        resource_id: ResourceId,
        #[schema(value_type = crate::domain::geo::LonLat)]
        position: LonLat,
    },
    /// An entry of the item's case file (`crate::domain::CaseRecord`).
    CaseRecorded {
        item_id: ItemId,
        record: CaseRecord,
    },
    /// Another alarm of the same device and type arrived while this alert item was open: it is
    /// counted on the item instead of becoming an item of its own (storm repeats). Counted as
    /// unseen when the item was already taken.
    Repeated {
        item_id: ItemId,
        alarm_type: AlarmType,
        device_time: DateTime<Utc>,
    },
    /// The handler (or another dispatcher) has seen the repeats that arrived since the item was
    /// acknowledged: an acknowledge of an acknowledged item with unseen repeats.
    RepeatsSeen {
        item_id: ItemId,
        by: String,
    },
    /// The item's level or rule changed: re-categorised (the rules ran again), or raised one
    /// level after a breach (`breach_raised_from` in its facts). Carries the new priority and
    /// deadline.
    Reprioritised {
        item_id: ItemId,
        priority: Priority,
        deadline: DateTime<Utc>,
    },
    /// Something changed in adapted transport (a booking, a cancellation, a driver action, a
    /// delay...). Ids and codes only: clients refetch the plan or manifest over HTTP, where the
    /// role is checked and the read audited.
    TransportChanged {
        change: TransportChange,
    },
    /// A supervisor handed the item to another dispatcher (`to`), or took it from its handler
    /// (`to: null`): who handles it is who sees a domestic-violence case in full.
    HandlerChanged {
        item_id: ItemId,
        from: Option<String>,
        to: Option<String>,
        by: String,
    },
    /// Resources taken off the item: they become available with no current item; an assigned
    /// item left with none is acknowledged again.
    Unassigned {
        item_id: ItemId,
        resources: Vec<ResourceId>,
        by: String,
    },
    /// The retention purge took the item's personal data out (its events in the log are
    /// rewritten as redacted copies): every instance replaces its in-memory copy by the
    /// redacted one (`access::redact`), and consoles are sent that copy. Carries nothing else.
    ItemPurged {
        item_id: ItemId,
    },
}

impl Event {
    /// Type tag as stored in the `kind` column.
    pub fn kind(&self) -> &'static str {
        match self {
            Event::ItemCreated { .. } => "item_created",
            Event::ItemPushed { .. } => "item_pushed",
            Event::Acknowledged { .. } => "acknowledged",
            Event::Assigned { .. } => "assigned",
            Event::StatusChanged { .. } => "status_changed",
            Event::Closed { .. } => "closed",
            Event::NoteAdded { .. } => "note_added",
            Event::Breached { .. } => "breached",
            Event::ArrivalBreached { .. } => "arrival_breached",
            Event::ResourceRegistered { .. } => "resource_registered",
            Event::ResourceStatusChanged { .. } => "resource_status_changed",
            Event::ResourceMoved { .. } => "resource_moved",
            Event::CaseRecorded { .. } => "case_recorded",
            Event::TransportChanged { .. } => "transport_changed",
            Event::Repeated { .. } => "repeated",
            Event::RepeatsSeen { .. } => "repeats_seen",
            Event::Reprioritised { .. } => "reprioritised",
            Event::HandlerChanged { .. } => "handler_changed",
            Event::Unassigned { .. } => "unassigned",
            Event::ItemPurged { .. } => "item_purged",
        }
    }

    /// The item this event belongs to, if any (indexed, for an item's history).
    pub fn item_id(&self) -> Option<ItemId> {
        match self {
            Event::ItemCreated { item } => Some(item.id),
            Event::ItemPushed { item_id }
            | Event::Acknowledged { item_id, .. }
            | Event::Assigned { item_id, .. }
            | Event::StatusChanged { item_id, .. }
            | Event::Closed { item_id, .. }
            | Event::NoteAdded { item_id, .. }
            | Event::Breached { item_id, .. }
            | Event::ArrivalBreached { item_id, .. }
            | Event::CaseRecorded { item_id, .. }
            | Event::Repeated { item_id, .. }
            | Event::RepeatsSeen { item_id, .. }
            | Event::Reprioritised { item_id, .. }
            | Event::HandlerChanged { item_id, .. }
            | Event::Unassigned { item_id, .. }
            | Event::ItemPurged { item_id } => Some(*item_id),
            Event::ResourceRegistered { .. }
            | Event::ResourceStatusChanged { .. }
            | Event::ResourceMoved { .. }
            | Event::TransportChanged { .. } => None,
        }
    }
}

/// An event as it sits in the log.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StoredEvent {
    pub seq: Seq,
    pub at: DateTime<Utc>,
    /// Who caused it: a user name, a receiver credential, or `system`.
    pub actor: String,
    pub event: Event,
}
