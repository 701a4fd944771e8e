//! An item's way through its lifecycle (`queue::lifecycle` says which moves are allowed):
//! acknowledged, assigned resources, in progress, closed with an outcome; and escalated when
//! its response deadline passes unacknowledged.

use super::context::{item_of, outcome_item, transition, Ctx};
use crate::core::command::{CoreError, Outcome};
use crate::core::state::{arrival_running, deadline_running, StateMut};
use crate::domain::{outcomes, ItemId, ResourceId, ResourceStatus, Status};
use crate::events::Event;

/// `actor` takes the item: it becomes acknowledged, with them as its handler. An item already
/// taken on which repeats arrived since is acknowledged again in the sense that matters: the
/// repeats are marked seen (`repeats_seen`), and the handler stays.
pub(super) fn acknowledge(
    state: &mut impl StateMut,
    ctx: &mut Ctx<'_>,
    actor: &str,
    item_id: ItemId,
) -> Result<Outcome, CoreError> {
    let item = item_of(state, &item_id)?;
    if item.status != Status::New && item.status != Status::Closed && item.repeats_unseen > 0 {
        ctx.emit(
            state,
            actor,
            Event::RepeatsSeen {
                item_id,
                by: actor.to_owned(),
            },
        );
        return Ok(outcome_item(state, &item_id, false));
    }
    transition(item, Status::Acknowledged)?;
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
            return Err(CoreError::Conflict {
                reason: "resource_busy",
                message: format!("resource {rid} is already assigned to item {other}"),
            });
        }
        if r.status == ResourceStatus::OffDuty {
            return Err(CoreError::Conflict {
                reason: "resource_off_duty",
                message: format!("resource {rid} is off duty"),
            });
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
    // A domestic-violence case may also be closed with the EMIU team's own outcomes.
    let emiu = item.dv_case.is_some() && outcomes::EMIU.contains(&outcome.as_str());
    if !codes.contains(&outcome.as_str()) && !emiu {
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

/// Closes an open item, from any open status, with one of the service's own outcomes
/// (`outcomes::SYSTEM`): a ringing call card the caller hung up on. An item already closed
/// stays as it is (a status callback posted twice settles once).
pub(super) fn settle(
    state: &mut impl StateMut,
    ctx: &mut Ctx<'_>,
    actor: &str,
    item_id: ItemId,
    outcome: &str,
) -> Result<Outcome, CoreError> {
    if !outcomes::SYSTEM.contains(&outcome) {
        return Err(CoreError::Validation {
            field: "outcome".into(),
            message: format!("must be one of {}", outcomes::SYSTEM.join(", ")),
        });
    }
    let item = item_of(state, &item_id)?;
    if item.status != Status::Closed {
        let released = item.assigned_to.clone();
        ctx.emit(
            state,
            actor,
            Event::Closed {
                item_id,
                outcome: outcome.to_owned(),
                released,
            },
        );
    }
    Ok(outcome_item(state, &item_id, false))
}

/// Escalates every item in `due` that is still unacknowledged and whose deadline has passed
/// and not yet been breached. When breaches raise the level (`queue.breach_raise`), an item
/// below P1 is raised one level in the same batch (`reprioritised`, with its new deadline).
///
/// An EMIU police request whose team is not on scene by its arrival deadline gets one
/// `arrival_breached` event (its clock then stops), whatever the response clock is doing.
pub(crate) fn escalate(state: &mut impl StateMut, ctx: &mut Ctx<'_>, due: &[ItemId]) {
    for id in due {
        let Some(item) = state.item(id) else { continue };
        if let Some(clock) = item.arrival {
            if arrival_running(item) && clock.due <= ctx.now {
                let event = Event::ArrivalBreached {
                    item_id: *id,
                    due: clock.due,
                };
                ctx.emit(state, "system", event);
            }
        }
        let Some(item) = state.item(id) else { continue };
        if !deadline_running(item) || item.deadline > ctx.now {
            continue;
        }
        let raised = ctx.rules.raised_after_breach(item, ctx.now);
        let event = Event::Breached {
            item_id: *id,
            level: item.priority.level,
            deadline: item.deadline,
        };
        ctx.emit(state, "system", event);
        if let Some((priority, deadline)) = raised {
            let event = Event::Reprioritised {
                item_id: *id,
                priority,
                deadline,
            };
            ctx.emit(state, "system", event);
        }
    }
}
