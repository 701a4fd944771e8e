//! Referring a case to a DAS service, and the service's acknowledgement.

use chrono::Utc;
use uuid::Uuid;

use super::case_file;
use super::inbox::check_outcome;
use crate::core::CoreHandle;
use crate::domain::CaseRecord;
use crate::error::{Error, Result};
use crate::store::emergency::ReferralRecord;
use crate::store::services::OutcomeReport;
use crate::store::EmergencyStore;

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

/// What a service reports: the outcome code, why it declined, and a short note.
pub(crate) struct Report<'a> {
    pub outcome: &'a str,
    pub reason: Option<&'a str>,
    pub note: &'a str,
}

/// Records the outcome the service reports, as `actor`, in the referral and the case file:
/// 409 before the referral is acknowledged, after a final outcome, or when another report won
/// the race. The referral after it.
pub(crate) async fn report_outcome(
    emergency: &dyn EmergencyStore,
    core: &CoreHandle,
    actor: &str,
    before: &ReferralRecord,
    report: Report<'_>,
) -> Result<ReferralRecord> {
    if before.acknowledged_at.is_none() {
        return Err(Error::Conflict(
            "acknowledge the referral before reporting its outcome".into(),
        ));
    }
    let previous = before.outcome.as_deref();
    check_outcome(previous, report.outcome, report.reason, report.note)?;
    let after = emergency
        .record_outcome(
            before.id,
            &OutcomeReport {
                previous,
                outcome: report.outcome,
                reason: report.reason,
                note: report.note,
                by: actor,
                at: Utc::now(),
            },
        )
        .await?
        .ok_or_else(|| {
            Error::Conflict("the referral changed meanwhile; reload it and report again".into())
        })?;
    let fact = CaseRecord::ReferralOutcome {
        referral_id: after.id,
        service: after.service.clone(),
        outcome: report.outcome.to_owned(),
        reason: report.reason.map(str::to_owned),
        note: report.note.to_owned(),
    };
    case_file::record(core, actor, after.item_id, fact).await?;
    Ok(after)
}
