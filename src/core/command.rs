//! Commands the core accepts, what they answer, and how they fail.

use routing::travel::LonLat;

use crate::domain::{
    CaseRecord, Details, Item, ItemId, Resource, ResourceId, ResourceStatus, Subject,
};
use crate::events::TransportChange;

/// A request to change state. Everything that writes goes through the core as one of these.
#[derive(Clone, Debug)]
pub enum Command {
    /// A new item. `key` deduplicates retransmissions: the same key returns the first item.
    /// An alarm of a device that already has an open alert of the same type is a repeat: it is
    /// counted on that item (a `repeated` event) and its key points there.
    Create {
        details: Details,
        /// Who and where, looked up by the intake handler (device registry, known caller,
        /// typed place). Without it the core derives what the details and the state hold: a
        /// callback's or incident's related item, a booking's rider and pick-up.
        subject: Option<Subject>,
        key: Option<String>,
        /// Accepted over the sender's intake rate limit (P1 only); flags the item.
        rate_limited: bool,
    },
    Acknowledge {
        item_id: ItemId,
    },
    Assign {
        item_id: ItemId,
        resources: Vec<ResourceId>,
    },
    Start {
        item_id: ItemId,
    },
    Close {
        item_id: ItemId,
        outcome: String,
    },
    AddNote {
        item_id: ItemId,
        text: String,
    },
    /// Closes an open item with one of the service's own outcomes (`domain::outcomes::SYSTEM`),
    /// from any open status: a ringing call card the caller hung up on (`missed_call`).
    /// An item already closed is left as it is.
    Settle {
        item_id: ItemId,
        outcome: &'static str,
    },
    /// A note recorded once per `key` (an inbound SMS the provider may post again): the key is
    /// stored with the note, in the same transaction; a key already stored records nothing and
    /// answers the item it points to.
    AddNoteOnce {
        item_id: ItemId,
        text: String,
        key: String,
    },
    /// Items a console has displayed, for the "first shown" answer-time stamp.
    MarkPushed {
        item_ids: Vec<ItemId>,
    },
    RegisterResource {
        resource: Resource,
    },
    SetResourceStatus {
        resource_id: ResourceId,
        status: ResourceStatus,
    },
    MoveResource {
        resource_id: ResourceId,
        position: LonLat,
    },
    /// Adds an entry to an item's case file.
    Record {
        item_id: ItemId,
        record: CaseRecord,
    },
    /// Adds an entry to an item's case file once per `key` (stored with the entry, in the same
    /// transaction): a key already stored records nothing and answers the item. A background
    /// step that may be run again after a crash (a referral's escalation) records through it.
    RecordOnce {
        item_id: ItemId,
        record: CaseRecord,
        key: String,
    },
    /// The retention purge took the item's personal data out of the log: the live state of
    /// every instance drops it too (`item_purged`). Only a closed item; one already purged
    /// records nothing.
    Purge {
        item_id: ItemId,
    },
    /// Records a change of adapted transport (a `transport_changed` event). A change carrying a
    /// driver's action id already in the log is a replay and records nothing.
    Transport {
        change: TransportChange,
    },
    /// Escalate every item past its deadline (sent by the core's own timer).
    EscalateDue,
    /// A supervisor gives the item to another handler (`None`: to nobody).
    Reassign {
        item_id: ItemId,
        to: Option<String>,
    },
    /// Takes resources off the item.
    Unassign {
        item_id: ItemId,
        resources: Vec<ResourceId>,
    },
}

impl Command {
    pub(crate) fn key(&self) -> Option<&str> {
        match self {
            Command::Create { key, .. } => key.as_deref(),
            Command::AddNoteOnce { key, .. } | Command::RecordOnce { key, .. } => Some(key),
            _ => None,
        }
    }
}

/// What a successful command answers.
#[derive(Clone, Debug)]
pub enum Outcome {
    /// The item after the command; `created` is false when an idempotency key matched.
    Item {
        item: Box<Item>,
        created: bool,
    },
    Resource(Box<Resource>),
    Done,
}

pub(crate) use crate::error::CoreError;
