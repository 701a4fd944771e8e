//! The context of one batch, and what every decision shares: emitting an event (which the
//! batch's later commands then see), finding the item, checking a move, answering.

use chrono::{DateTime, Utc};

use crate::core::command::{CoreError, Outcome};
use crate::core::state::{apply, StateMut, StateView};
use crate::domain::{Item, ItemId, ResourceId, Seq, Status};
use crate::events::{Event, StoredEvent};
use crate::queue::{lifecycle, Rules};

/// Context of one batch.
pub(crate) struct Ctx<'a> {
    pub(crate) now: DateTime<Utc>,
    pub(crate) rules: &'a Rules,
    /// Next sequence number to hand out; advanced for every event decided.
    pub(crate) next_seq: Seq,
    /// Pending events of this batch, in order.
    pub(crate) events: Vec<StoredEvent>,
}

impl Ctx<'_> {
    pub(super) fn emit(&mut self, state: &mut impl StateMut, actor: &str, event: Event) {
        let e = StoredEvent {
            seq: self.next_seq,
            at: self.now,
            actor: actor.to_owned(),
            event,
        };
        self.next_seq = self.next_seq.next();
        apply(state, &e);
        self.events.push(e);
    }
}

/// The item a command is about, or a refusal naming it.
pub(super) fn item_of<'s>(state: &'s impl StateView, id: &ItemId) -> Result<&'s Item, CoreError> {
    state
        .item(id)
        .ok_or_else(|| CoreError::NotFound(format!("item {id}")))
}

/// Refuses a move the item's lifecycle does not allow from its current status.
pub(super) fn transition(item: &Item, to: Status) -> Result<(), CoreError> {
    if lifecycle::can_move(item.status, to) {
        Ok(())
    } else {
        Err(CoreError::Conflict {
            reason: refusal_reason(item.status, to),
            message: format!(
                "item {} is {} and cannot become {}",
                item.id, item.status, to
            ),
        })
    }
}

/// The code of why a move is refused, for the console to translate.
fn refusal_reason(from: Status, to: Status) -> &'static str {
    match (from, to) {
        (Status::Closed, _) => "closed",
        (_, Status::Acknowledged) => "not_new",
        (Status::New, _) => "not_acknowledged",
        _ => "wrong_status",
    }
}

/// The answer of an item command: the item as the batch left it.
pub(super) fn outcome_item(state: &impl StateView, id: &ItemId, created: bool) -> Outcome {
    match state.item(id) {
        Some(item) => Outcome::Item {
            item: Box::new(item.clone()),
            created,
        },
        None => Outcome::Done,
    }
}

/// The answer of a resource command: the resource as the batch left it.
pub(super) fn resource_outcome(state: &impl StateView, id: &ResourceId) -> Outcome {
    match state.resource(id) {
        Some(r) => Outcome::Resource(Box::new(r.clone())),
        None => Outcome::Done,
    }
}
