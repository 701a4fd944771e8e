//! The websocket protocol, as JSON text frames.
//!
//! Server → client:
//! - `{"type":"snapshot","seq":S,"items":[…],"resources":[…]}`: the live state as of event `S`
//!   (open items, all resources). Sent first, and again after a resynchronisation.
//! - `{"type":"event","seq":N,"at":…,"actor":…,"event":{"type":…}}`: one committed event;
//!   events arrive in sequence order, each exactly once, continuing from the snapshot or from
//!   the client's `after_seq`. Supervisors and dispatchers see every sequence number; drivers
//!   and EMIU members only those of items they may see (see `filter`).
//! - `{"type":"item","seq":N,"item":{…}}`: an item just became visible (or fully visible) to
//!   this client, or its personal data was purged (sent just before its `item_purged` event);
//!   replace your copy.
//!
//! Client → server:
//! - `{"type":"ping"}` → `{"type":"pong","seq":S}`.
//!
//! A client that reconnects with `GET /ws?after_seq=N` gets exactly the events after `N` (no
//! gap, no duplicate), or a fresh snapshot when `N` is too far behind or unknown.

use serde::{Deserialize, Serialize};

use crate::domain::{Item, Resource, Seq};
use crate::events::StoredEvent;

#[derive(Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(crate) enum ServerMessage<'a> {
    Snapshot {
        seq: Seq,
        items: Vec<Item>,
        resources: Vec<Resource>,
    },
    Event(&'a StoredEvent),
    /// An item became visible (or fully visible) to this client: its whole current state.
    Item {
        seq: Seq,
        item: &'a Item,
    },
    Pong {
        seq: Seq,
    },
    Error {
        message: String,
    },
}

#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub(crate) enum ClientMessage {
    Ping,
}
