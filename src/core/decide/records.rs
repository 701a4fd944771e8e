//! What is written down beside the queue: entries of an item's case file, and changes of
//! adapted transport (whose documents live outside the live state).

use chrono::Duration;

use super::context::{item_of, outcome_item, Ctx};
use crate::core::command::{CoreError, Outcome};
use crate::core::state::StateMut;
use crate::domain::{CaseRecord, Details, ItemId, Status};
use crate::events::{Event, TransportChange};

/// An entry in an item's case file. Only a call is categorised; a closed item takes only a
/// referral's acknowledgement, escalation or outcome, or a call's status, which can arrive
/// after it was closed.
pub(super) fn record(
    state: &mut impl StateMut,
    ctx: &mut Ctx<'_>,
    actor: &str,
    item_id: ItemId,
    record: CaseRecord,
) -> Result<Outcome, CoreError> {
    let item = item_of(state, &item_id)?;
    if let CaseRecord::Categorised { .. } = record {
        if !matches!(item.details, Details::Call { .. }) {
            return Err(CoreError::Validation {
                field: "category".into(),
                message: "only a call is categorised".into(),
            });
        }
    }
    if item.status == Status::Closed
        && !matches!(
            record,
            CaseRecord::ReferralAcknowledged { .. }
                | CaseRecord::ReferralOverdue { .. }
                | CaseRecord::ReferralOutcome { .. }
                | CaseRecord::CallStatus { .. }
        )
    {
        return Err(CoreError::Conflict {
            reason: "closed",
            message: format!("item {item_id} is closed"),
        });
    }
    if let CaseRecord::OnScene { .. } = record {
        if item.arrival.is_some_and(|c| c.arrived.is_some()) {
            return Err(CoreError::Conflict {
                reason: "already_on_scene",
                message: format!("the team is already on scene for item {item_id}"),
            });
        }
    }
    let categorised = matches!(record, CaseRecord::Categorised { .. });
    ctx.emit(state, actor, Event::CaseRecorded { item_id, record });
    if categorised {
        reprioritise(state, ctx, actor, item_id);
    }
    Ok(outcome_item(state, &item_id, false))
}

/// The retention purge's mark on an item whose events it rewrote: an `item_purged` event,
/// which every instance folds into a redacted copy. Only a closed item (409 `not_closed`); an
/// item already purged records nothing, so a purge run again after a crash is harmless.
pub(super) fn purge(
    state: &mut impl StateMut,
    ctx: &mut Ctx<'_>,
    actor: &str,
    item_id: ItemId,
) -> Result<Outcome, CoreError> {
    let item = item_of(state, &item_id)?;
    if item.status != Status::Closed {
        return Err(CoreError::Conflict {
            reason: "not_closed",
            message: format!("item {item_id} is not closed"),
        });
    }
    if !item.redacted {
        ctx.emit(state, actor, Event::ItemPurged { item_id });
    }
    Ok(Outcome::Done)
}

/// Runs the rules again on an item whose details changed (a call categorised): when the level
/// or the rule differs, a `reprioritised` event with the new priority and its deadline, counted
/// from the item's arrival like the first one. The level of an item raised after a breach never
/// drops while it is still waiting to be taken.
fn reprioritise(state: &mut impl StateMut, ctx: &mut Ctx<'_>, actor: &str, item_id: ItemId) {
    let Some(item) = state.item(&item_id) else {
        return;
    };
    let priority = ctx.rules.classify(&item.details, ctx.now);
    let raised = item.status == Status::New && item.breached;
    if raised && priority.level > item.priority.level {
        return;
    }
    if priority.level == item.priority.level && priority.rule == item.priority.rule {
        return;
    }
    let deadline = item.times.received + Duration::seconds(priority.respond_within_s);
    ctx.emit(
        state,
        actor,
        Event::Reprioritised {
            item_id,
            priority,
            deadline,
        },
    );
}

/// A change of adapted transport. A driver's action whose id is already in the log (or earlier
/// in this batch) is a replay and records nothing; it never refuses.
pub(super) fn transport(
    state: &mut impl StateMut,
    ctx: &mut Ctx<'_>,
    actor: &str,
    change: TransportChange,
) -> Result<Outcome, CoreError> {
    // Decided under the log lock against an up-to-date state, so a driver's action
    // replayed on this or another instance is recorded once.
    if let Some(id) = &change.action_id {
        if state.transport_action_seen(id) {
            return Ok(Outcome::Done);
        }
    }
    ctx.emit(state, actor, Event::TransportChanged { change });
    Ok(Outcome::Done)
}
