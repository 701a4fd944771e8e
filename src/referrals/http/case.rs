//! What every handler of a case does first: check the caller may act on it, or read it with
//! the read in the audit.

use crate::access::{self, Caller, Visibility};
use crate::domain::{Item, ItemId};
use crate::error::{Error, Result};
use crate::referrals::rules::CASE_WORKERS;
use crate::state::AppState;
use crate::web::view::{audit, item_id, lookup};

/// Checks the caller may act on the item (a case worker who sees it in full: the handling
/// dispatcher, EMIU, supervisors) and returns its id.
pub(crate) fn acting_on(state: &AppState, caller: &Caller, raw: &str) -> Result<ItemId> {
    caller.require(CASE_WORKERS)?;
    let id = item_id(raw)?;
    let (item, _) = lookup(state, caller, id)?;
    if access::may_act(caller, &item) {
        Ok(id)
    } else {
        Err(Error::Forbidden(
            "only the dispatcher handling this case, EMIU or a supervisor may act on it".into(),
        ))
    }
}

/// The item and how the caller sees it, the read recorded in the audit under `action` (a
/// refused read too); 404 if unknown.
pub(crate) async fn audited_read(
    state: &AppState,
    caller: &Caller,
    id: ItemId,
    action: &str,
) -> Result<(Item, Visibility)> {
    let (item, visibility) = lookup(state, caller, id)?;
    audit(state.store.as_ref(), caller, action, id, visibility).await?;
    Ok((item, visibility))
}
