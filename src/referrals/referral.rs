//! Referring a case to a DAS service, and the service's acknowledgement.

use chrono::Utc;
use uuid::Uuid;

use super::case_file;
use crate::config::Service;
use crate::core::CoreHandle;
use crate::domain::CaseRecord;
use crate::error::{Error, Result};
use crate::store::emergency::ReferralRecord;
use crate::store::EmergencyStore;

/// The configured service `id`, or a 422 listing the known ones.
pub(crate) fn service<'a>(services: &'a [Service], id: &str) -> Result<&'a Service> {
    services.iter().find(|s| s.id == id).ok_or_else(|| {
        let ids: Vec<&str> = services.iter().map(|s| s.id.as_str()).collect();
        Error::validation(
            "service",
            format!("unknown service; expected one of: {}", ids.join(", ")),
        )
    })
}

/// Stores the referral and records it in the case file.
pub(crate) async fn refer(
    emergency: &dyn EmergencyStore,
    core: &CoreHandle,
    record: &ReferralRecord,
) -> Result<()> {
    emergency.put_referral(record).await?;
    let fact = CaseRecord::Referred {
        referral_id: record.id,
        service: record.service.clone(),
    };
    case_file::record(core, &record.created_by, record.item_id, fact).await?;
    Ok(())
}

/// The referral `id`, or 404.
pub(crate) async fn find(emergency: &dyn EmergencyStore, id: Uuid) -> Result<ReferralRecord> {
    emergency
        .referral(id)
        .await?
        .ok_or_else(|| Error::NotFound(format!("referral {id}")))
}

/// Records that the service took the case, as `actor`; acknowledging twice keeps the first
/// acknowledgement (and records it once). The referral after it.
pub(crate) async fn acknowledge(
    emergency: &dyn EmergencyStore,
    core: &CoreHandle,
    actor: &str,
    before: &ReferralRecord,
) -> Result<ReferralRecord> {
    let rid = before.id;
    let after = emergency
        .acknowledge_referral(rid, actor, Utc::now())
        .await?
        .ok_or_else(|| Error::NotFound(format!("referral {rid}")))?;
    if before.acknowledged_at.is_none() {
        let fact = CaseRecord::ReferralAcknowledged {
            referral_id: rid,
            service: after.service.clone(),
        };
        case_file::record(core, actor, after.item_id, fact).await?;
    }
    Ok(after)
}
