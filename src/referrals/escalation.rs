//! Closing the loop on a silent service: a referral its service has not acknowledged by its
//! deadline is escalated to the supervisor once — a `referral_overdue` incident in the queue
//! (the `referral-overdue` rule), related to the case so it is as protected as the case, and a
//! `referral_overdue` record in the case file.

use chrono::{DateTime, Utc};
use tokio_util::sync::CancellationToken;
use tracing::{info, warn};

use super::case_file;
use super::follow_up::Handles;
use super::inbox::case_ref;
use crate::core::{Command, Outcome};
use crate::domain::{CaseRecord, Details};

/// The incident code of an escalation (the queue rule's `incident_codes`).
pub const OVERDUE_CODE: &str = "referral_overdue";

/// Escalates every referral whose acknowledgement was due by `now`; how many this call
/// escalated. Exactly once per referral across rounds and instances: the queue item's key is
/// the referral's id (a second creation returns the first item), and only the round whose
/// conditional update claims the referral writes the case-file record.
pub async fn escalate_overdue<'a>(
    on: impl Into<Handles<'a>>,
    now: DateTime<Utc>,
) -> anyhow::Result<usize> {
    let Handles { emergency, core } = on.into();
    let mut escalated = 0;
    for r in emergency.overdue_referrals(now).await? {
        let Some(due) = r.ack_due_at else { continue };
        let out = core
            .execute(
                "system",
                Command::Create {
                    details: Details::Incident {
                        reported_by: "referrals".into(),
                        // No personal data: the service, the case reference and the deadline.
                        description: format!(
                            "{OVERDUE_CODE}:{}:{}:{}",
                            r.service,
                            case_ref(r.item_id),
                            due.to_rfc3339()
                        ),
                        related: Some(r.item_id),
                        code: Some(OVERDUE_CODE.into()),
                    },
                    subject: None,
                    key: Some(format!("referral-overdue:{}", r.id)),
                    rate_limited: false,
                },
            )
            .await?;
        let Outcome::Item { item, .. } = out else {
            continue;
        };
        if !emergency.claim_escalation(r.id, now, item.id).await? {
            continue;
        }
        let fact = CaseRecord::ReferralOverdue {
            referral_id: r.id,
            service: r.service.clone(),
            ack_due_at: due,
            item: item.id,
        };
        case_file::record(core, "system", r.item_id, fact).await?;
        escalated += 1;
    }
    Ok(escalated)
}

/// Starts the task that escalates overdue referrals every `every` until `shutdown`.
pub(crate) fn spawn(
    emergency: std::sync::Arc<dyn crate::store::EmergencyStore>,
    core: crate::core::CoreHandle,
    every: std::time::Duration,
    shutdown: CancellationToken,
) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            let on = Handles {
                emergency: emergency.as_ref(),
                core: &core,
            };
            tokio::select! {
                _ = shutdown.cancelled() => break,
                _ = tick.tick() => match escalate_overdue(on, Utc::now()).await {
                    Ok(0) => {}
                    Ok(n) => info!(escalated = n, "overdue referrals escalated"),
                    Err(e) => warn!(error = %e, "overdue referrals could not be escalated; will retry"),
                },
            }
        }
    });
}
