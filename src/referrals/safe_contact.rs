//! Safe contact: 'do not call back / no SMS'. In a domestic-violence case the aggressor may hold
//! the phone, so once a case is marked, its numbers are stored and every outbound path — the
//! missed-call callback, scheduled follow-ups, the SMS outbox — asks [`is_contact_blocked`]
//! first and sends nothing to them.

use super::case_file;
use super::rules::case_number;
use crate::core::state::StateView;
use crate::core::CoreHandle;
use crate::domain::parse;
use crate::domain::{CaseRecord, ItemId};
use crate::error::{Error, Result};
use crate::store::{EmergencyStore, StoreError};

/// Whether no automatic message or callback may go to `phone`. Numbers are compared in the
/// normalised form of `domain::parse::phone`; one that does not parse is not a number we can
/// call, so it is reported blocked.
pub async fn is_contact_blocked(
    store: &dyn EmergencyStore,
    phone: &str,
) -> Result<bool, StoreError> {
    match parse::phone("phone", phone) {
        Ok(normalised) => store.is_contact_blocked(&normalised).await,
        Err(_) => Ok(true),
    }
}

/// Marks the case's own number and `phones` (already parsed) 'do not call back / no SMS', as
/// `actor`; the numbers marked.
pub(crate) async fn mark(
    emergency: &dyn EmergencyStore,
    core: &CoreHandle,
    actor: &str,
    item_id: ItemId,
    mut phones: Vec<String>,
) -> Result<Vec<String>> {
    let own = core.read(|s| {
        s.item(&item_id)
            .and_then(|i| case_number(&i.details))
            .map(str::to_owned)
    });
    if let Some(n) = own.filter(|n| n != "withheld" && n != "***") {
        if let Ok(n) = parse::phone("phone", &n) {
            phones.insert(0, n);
        }
    }
    phones.dedup();
    if phones.is_empty() {
        return Err(Error::validation(
            "phones",
            "the case has no number; give the numbers to protect",
        ));
    }
    // Stored before the event: once the dispatcher sees the mark, nothing can go out.
    for p in &phones {
        emergency.block_contact(p, item_id, actor).await?;
    }
    let record = CaseRecord::SafeContact {
        phones: phones.clone(),
    };
    case_file::record(core, actor, item_id, record).await?;
    Ok(phones)
}
