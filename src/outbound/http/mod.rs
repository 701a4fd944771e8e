//! The HTTP face of outbound calls.
//!
//! - [`calls`]: the calls to make and made (the dispatcher's list), dial, outcome; a
//!   beneficiary's birth year and living alone.
//! - [`plans`]: wellbeing schedules, call lists, campaigns (preview, start, progress).

pub(crate) mod calls;
pub(crate) mod plans;

use chrono::{DateTime, TimeZone, Utc};

use super::service::Handles;
use crate::state::AppState;

pub(crate) fn handles(state: &AppState) -> Handles<'_> {
    Handles {
        emergency: state.emergency.as_ref(),
        core: &state.core,
        config: &state.config.outbound,
    }
}

pub(crate) fn at(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms).single().unwrap_or_default()
}

/// Records a read of outbound-call data (names of beneficiaries) in the audit log.
pub(crate) async fn audit_read(
    state: &AppState,
    caller: &crate::access::Caller,
    action: &str,
) -> crate::error::Result<()> {
    state
        .store
        .audit(&crate::store::AuditRecord {
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
