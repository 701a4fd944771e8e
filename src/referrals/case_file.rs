//! The case file: every fact recorded on a case is a `case_recorded` event of its item.

use crate::core::{Command, CoreHandle, Outcome};
use crate::domain::{CaseRecord, ItemId};
use crate::error::Result;

/// Records one fact in the case file of `item_id`, as `actor`; the item after it.
pub(crate) async fn record(
    core: &CoreHandle,
    actor: &str,
    item_id: ItemId,
    record: CaseRecord,
) -> Result<Outcome> {
    Ok(core
        .execute(actor, Command::Record { item_id, record })
        .await?)
}
