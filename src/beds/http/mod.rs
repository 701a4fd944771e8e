//! The bed registry's handlers: parse, check the caller, call the service, answer a typed
//! struct. Every change, and every answer that shows a DV shelter's address or occupants, is
//! written to `audit_log` first.
//!
//! - [`registry`]: providers and facilities (list, read, create, edit).
//! - [`admissions`]: admit, discharge, a facility's admissions, overstays.
//! - [`cold`]: the cold-weather mode, its switch and the posted temperature.
//! - [`outreach`]: an outreach item's nearest night shelters, and holding a bed.

pub(crate) mod admissions;
pub(crate) mod cold;
pub(crate) mod outreach;
pub(crate) mod registry;

use chrono::Utc;

use crate::access::Caller;
use crate::domain::ItemId;
use crate::error::Result;
use crate::state::AppState;
use crate::store::AuditRecord;

/// Records a change, or a read that showed a DV shelter's address or occupants, under `action`
/// (before the answer goes).
pub(crate) async fn audit(
    state: &AppState,
    caller: &Caller,
    action: &str,
    item: Option<ItemId>,
) -> Result<()> {
    state
        .store
        .audit(&AuditRecord {
            at: Utc::now(),
            actor: caller.name.clone(),
            role: caller.role.as_str().into(),
            action: action.into(),
            item_id: item,
            outcome: "allowed".into(),
        })
        .await?;
    Ok(())
}

/// Whether the cold-weather mode is on now.
pub(crate) async fn cold_on(state: &AppState) -> Result<bool> {
    crate::beds::cold::is_on(state.emergency.as_ref(), &state.config.beds.cold_weather).await
}
