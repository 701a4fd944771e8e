//! An item's way through its lifecycle (`queue::lifecycle` says which moves are allowed):
//! acknowledged, assigned resources, in progress, closed with an outcome; and escalated when
//! its response deadline passes unacknowledged.

use super::context::{item_of, outcome_item, transition, Ctx};
use crate::core::command::{CoreError, Outcome};
use crate::core::state::StateMut;
use crate::domain::{outcomes, ItemId, ResourceId, ResourceStatus, Status};
use crate::events::Event;

/// `actor` takes the item: it becomes acknowledged, with them as its handler.
pub(super) fn acknowledge(
    state: &mut impl StateMut,
    ctx: &mut Ctx<'_>,
    actor: &str,
    item_id: ItemId,
) -> Result<Outcome, CoreError> {
    transition(item_of(state, &item_id)?, Status::Acknowledged)?;
    ctx.emit(
        state,
        actor,
        Event::Acknowledged {
            item_id,
            by: actor.to_owned(),
        },
    );
    Ok(outcome_item(state, &item_id, false))
}

/// Commits one or more resources to the item. Refused as a whole when the list is empty, when
/// the item cannot be assigned now, or at the first resource in the list that is listed twice,
/// unknown, already committed to an item, or off duty.
pub(super) fn assign(
    state: &mut impl StateMut,
    ctx: &mut Ctx<'_>,
    actor: &str,
    item_id: ItemId,
    resources: Vec<ResourceId>,
) -> Result<Outcome, CoreError> {
    if resources.is_empty() {
        return Err(CoreError::Validation {
            field: "resources".into(),
            message: "at least one resource is required".into(),
        });
    }
    transition(item_of(state, &item_id)?, Status::Assigned)?;
    for (i, rid) in resources.iter().enumerate() {
        if resources[..i].contains(rid) {
            return Err(CoreError::Validation {
                field: "resources".into(),
                message: format!("{rid} is listed twice"),
            });
        }
        let r = state
            .resource(rid)
            .ok_or_else(|| CoreError::NotFound(format!("resource {rid}")))?;
        if let Some(other) = r.current_item {
            return Err(CoreError::Conflict(format!(
                "resource {rid} is already assigned to item {other}"
            )));
        }
        if r.status == ResourceStatus::OffDuty {
            return Err(CoreError::Conflict(format!("resource {rid} is off duty")));
        }
    }
    ctx.emit(
        state,
        actor,
        Event::Assigned {
            item_id,
            resources,
            by: actor.to_owned(),
        },
    );
    Ok(outcome_item(state, &item_id, false))
}

/// The item's work begins: it moves to in progress from the status it has now.
pub(super) fn start(
    state: &mut impl StateMut,
    ctx: &mut Ctx<'_>,
    actor: &str,
    item_id: ItemId,
) -> Result<Outcome, CoreError> {
    let item = item_of(state, &item_id)?;
    transition(item, Status::InProgress)?;
    let from = item.status;
    ctx.emit(
        state,
        actor,
        Event::StatusChanged {
            item_id,
            from,
            to: Status::InProgress,
        },
    );
    Ok(outcome_item(state, &item_id, false))
}

/// Closes the item with one of the outcome codes of its kind, releasing the resources
/// committed to it.
pub(super) fn close(
    state: &mut impl StateMut,
    ctx: &mut Ctx<'_>,
    actor: &str,
    item_id: ItemId,
    outcome: String,
) -> Result<Outcome, CoreError> {
    let outcome = outcome.trim().to_owned();
    if outcome.is_empty() || outcome.len() > 200 {
        return Err(CoreError::Validation {
            field: "outcome".into(),
            message: "must be 1-200 characters".into(),
        });
    }
    let item = item_of(state, &item_id)?;
    transition(item, Status::Closed)?;
    let codes = outcomes::for_kind(item.details.kind());
    if !codes.contains(&outcome.as_str()) {
        return Err(CoreError::Validation {
            field: "outcome".into(),
            message: format!("must be one of {}", codes.join(", ")),
        });
    }
    let released = item.assigned_to.clone();
    ctx.emit(
        state,
        actor,
        Event::Closed {
            item_id,
            outcome,
            released,
        },
    );
    Ok(outcome_item(state, &item_id, false))
}

/// Escalates every item in `due` that is still unacknowledged and not yet breached.
pub(crate) fn escalate(state: &mut impl StateMut, ctx: &mut Ctx<'_>, due: &[ItemId]) {
    for id in due {
        let Some(item) = state.item(id) else { continue };
        if item.status != Status::New || item.breached || item.deadline > ctx.now {
            continue;
        }
        let event = Event::Breached {
            item_id: *id,
            level: item.priority.level,
            deadline: item.deadline,
        };
        ctx.emit(state, "system", event);
    }
}
