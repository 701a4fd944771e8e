//! What the transport handlers share: the use cases' [`Ctx`] lent from the state, the audit of
//! personal-data reads.

use chrono::Utc;

use crate::access::Caller;
use crate::error::Result;
use crate::state::AppState;
use crate::store::AuditRecord;
use crate::transport::service::Ctx;

/// The handles the use cases take, from the state.
pub(crate) fn ctx(state: &AppState) -> Ctx<'_> {
    Ctx {
        transport: &state.transport,
        core: &state.core,
        config: &state.config,
        network: &state.network,
    }
}

/// Records a read of riders' personal data.
pub(crate) async fn audit(state: &AppState, caller: &Caller, action: &str) -> Result<()> {
    state
        .store
        .audit(&AuditRecord {
            at: Utc::now(),
            actor: caller.name.clone(),
            role: caller.role.as_str().into(),
            action: action.into(),
            item_id: None,
            outcome: "allowed".into(),
        })
        .await?;
    Ok(())
}

/// A cancel's optional `note`: checked text of at most 300 characters, `None` when absent or
/// empty (a 422 naming `note` otherwise).
pub(crate) fn cancel_note(note: Option<&str>) -> Result<Option<String>> {
    Ok(note
        .map(|n| crate::domain::parse::text("note", n, 300))
        .transpose()?
        .filter(|n| !n.is_empty()))
}
