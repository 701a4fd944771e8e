//! What a supervisor (or the handler) changes about who works an item: its handler, and the
//! resources committed to it.

use super::context::{item_of, outcome_item, Ctx};
use crate::core::command::{CoreError, Outcome};
use crate::core::state::StateMut;
use crate::domain::{ItemId, ResourceId, Status};
use crate::events::Event;

/// Gives the item to `to` (`None`: to nobody). Refused on a closed item; giving it to the
/// handler it already has records nothing.
pub(super) fn reassign(
    state: &mut impl StateMut,
    ctx: &mut Ctx<'_>,
    actor: &str,
    item_id: ItemId,
    to: Option<String>,
) -> Result<Outcome, CoreError> {
    let item = item_of(state, &item_id)?;
    if item.status == Status::Closed {
        return Err(CoreError::Conflict {
            reason: "closed",
            message: format!("item {item_id} is closed"),
        });
    }
    if item.handler == to {
        return Ok(outcome_item(state, &item_id, false));
    }
    let from = item.handler.clone();
    ctx.emit(
        state,
        actor,
        Event::HandlerChanged {
            item_id,
            from,
            to,
            by: actor.to_owned(),
        },
    );
    Ok(outcome_item(state, &item_id, false))
}

/// Takes `resources` off the item. Refused as a whole when the list is empty, the item is
/// closed, or a resource is listed twice or is not assigned to this item.
pub(super) fn unassign(
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
    let item = item_of(state, &item_id)?;
    if item.status == Status::Closed {
        return Err(CoreError::Conflict {
            reason: "closed",
            message: format!("item {item_id} is closed"),
        });
    }
    for (i, rid) in resources.iter().enumerate() {
        if resources[..i].contains(rid) || !item.assigned_to.contains(rid) {
            return Err(CoreError::Validation {
                field: format!("resources[{i}]"),
                message: format!("{rid} is not assigned to this item"),
            });
        }
    }
    ctx.emit(
        state,
        actor,
        Event::Unassigned {
            item_id,
            resources,
            by: actor.to_owned(),
        },
    );
    Ok(outcome_item(state, &item_id, false))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::core::state::{LiveState, Overlay, StateView};
    use crate::domain::Seq;
    use chrono::Utc;

    #[test]
    fn an_unknown_item_or_an_empty_list_of_resources_records_nothing() {
        // Arrange
        let rules = crate::queue::Rules::from_config(&Config::default_for_tests().queue).unwrap();
        let live = LiveState::default();
        let mut ctx = Ctx {
            now: Utc::now(),
            rules: &rules,
            next_seq: Seq(1),
            events: Vec::new(),
        };
        let mut overlay = Overlay::new(&live);
        let id = ItemId::new();

        // Act
        let unknown = reassign(&mut overlay, &mut ctx, "sup", id, Some("ana".into()));
        let empty = unassign(&mut overlay, &mut ctx, "sup", id, vec![]);

        // Assert
        assert!(matches!(unknown, Err(CoreError::NotFound(_))));
        assert!(matches!(empty, Err(CoreError::Validation { field, .. }) if field == "resources"));
        assert!(ctx.events.is_empty());
        assert!(overlay.item(&id).is_none());
    }
}
