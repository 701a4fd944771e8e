//! Resources (vehicles, drivers, the EMIU team): registered once, then their status and
//! position change. Committing them to items is `lifecycle::assign`.

use routing::travel::LonLat;

use super::context::{resource_outcome, Ctx};
use crate::core::command::{CoreError, Outcome};
use crate::core::state::StateMut;
use crate::domain::{Resource, ResourceId, ResourceStatus};
use crate::events::Event;

/// A new resource; its id must not be taken.
pub(super) fn register(
    state: &mut impl StateMut,
    ctx: &mut Ctx<'_>,
    actor: &str,
    resource: Resource,
) -> Result<Outcome, CoreError> {
    let id = resource.id.clone();
    if state.resource(&id).is_some() {
        return Err(CoreError::Conflict {
            reason: "resource_exists",
            message: format!("resource {id} already exists"),
        });
    }
    ctx.emit(
        state,
        actor,
        Event::ResourceRegistered {
            resource: Box::new(resource),
        },
    );
    Ok(resource_outcome(state, &id))
}

/// A resource's new status. A resource committed to an open item cannot be made available by
/// hand: closing the item frees it, so the two never disagree.
pub(super) fn set_status(
    state: &mut impl StateMut,
    ctx: &mut Ctx<'_>,
    actor: &str,
    resource_id: ResourceId,
    status: ResourceStatus,
) -> Result<Outcome, CoreError> {
    let r = state
        .resource(&resource_id)
        .ok_or_else(|| CoreError::NotFound(format!("resource {resource_id}")))?;
    if status == ResourceStatus::Available && r.current_item.is_some() {
        return Err(CoreError::Conflict {
            reason: "resource_committed",
            message: format!(
                "resource {resource_id} is committed to an open item; close the item to free it"
            ),
        });
    }
    ctx.emit(
        state,
        actor,
        Event::ResourceStatusChanged {
            resource_id: resource_id.clone(),
            status,
        },
    );
    Ok(resource_outcome(state, &resource_id))
}

/// A resource's new position.
pub(super) fn move_to(
    state: &mut impl StateMut,
    ctx: &mut Ctx<'_>,
    actor: &str,
    resource_id: ResourceId,
    position: LonLat,
) -> Result<Outcome, CoreError> {
    if state.resource(&resource_id).is_none() {
        return Err(CoreError::NotFound(format!("resource {resource_id}")));
    }
    ctx.emit(
        state,
        actor,
        Event::ResourceMoved {
            resource_id: resource_id.clone(),
            position,
        },
    );
    Ok(resource_outcome(state, &resource_id))
}
