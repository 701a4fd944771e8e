//! How items leave over HTTP: the one place an action's answer or a read is shaped by the
//! caller's view of the item and, for a sensitive item, recorded in the read audit.

use axum::Json;
use chrono::Utc;
use serde_json::{json, Value};

use crate::access::{self, Caller, Role, Visibility};
use crate::core::state::StateView;
use crate::domain::{Item, ItemId};
use crate::error::{Error, Result};
use crate::state::AppState;
use crate::store::{AuditRecord, Store};

/// Roles that read the queue (each sees only what `access` lets them).
pub const STAFF: &[Role] = &[
    Role::Dispatcher,
    Role::Supervisor,
    Role::Admin,
    Role::Driver,
    Role::Emiu,
];

/// Parses an item id from the path.
pub fn item_id(raw: &str) -> Result<ItemId> {
    uuid::Uuid::parse_str(raw)
        .map(ItemId)
        .map_err(|_| Error::validation("id", "must be an item id (UUID)"))
}

/// Records a read; a read that cannot be recorded is not answered.
pub async fn audit(
    store: &dyn Store,
    caller: &Caller,
    action: &str,
    item: ItemId,
    visibility: Visibility,
) -> Result<()> {
    store
        .audit(&AuditRecord {
            at: Utc::now(),
            actor: caller.name.clone(),
            role: caller.role.as_str().into(),
            action: action.into(),
            item_id: Some(item),
            outcome: visibility.as_str().into(),
        })
        .await?;
    Ok(())
}

/// An item as it leaves in an answer to this caller: the one way an item goes out over HTTP
/// after an action (reads go through [`access::view`] the same way). A sensitive item shown in
/// any form is in the read audit under `action` before the answer goes; an item the caller may
/// not see at all is answered by its id and status only.
pub async fn shown(state: &AppState, caller: &Caller, action: &str, item: &Item) -> Result<Value> {
    let visibility = access::visibility(caller, item);
    if access::is_sensitive(item) {
        audit(state.store.as_ref(), caller, action, item.id, visibility).await?;
    }
    Ok(match access::view(caller, item) {
        Some(view) => json!(view),
        None => json!({ "id": item.id, "status": item.status }),
    })
}

/// The answer of a core command: the item as the caller may see it ([`shown`]), a resource, or
/// an empty object.
pub async fn answer(
    state: &AppState,
    caller: &Caller,
    action: &str,
    out: crate::core::Outcome,
) -> Result<Json<Value>> {
    Ok(Json(match out {
        crate::core::Outcome::Item { item, .. } => shown(state, caller, action, &item).await?,
        crate::core::Outcome::Resource(r) => json!(r),
        crate::core::Outcome::Done => json!({}),
    }))
}

/// The item and how the caller may see it; 404 if unknown.
pub fn lookup(state: &AppState, caller: &Caller, id: ItemId) -> Result<(Item, Visibility)> {
    state
        .core
        .read(|s| s.item(&id).cloned())
        .map(|item| {
            let v = access::visibility(caller, &item);
            (item, v)
        })
        .ok_or_else(|| Error::NotFound(format!("item {id}")))
}
