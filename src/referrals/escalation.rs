//! Closing the loop on a silent service: a referral its service has not acknowledged by its
//! deadline is escalated to the supervisor once — a `referral_overdue` incident in the queue
//! (the `referral-overdue` rule), related to the case so it is as protected as the case, and a
//! `referral_overdue` record in the case file.

use chrono::{DateTime, Utc};
use tokio_util::sync::CancellationToken;
use tracing::{info, warn};

use super::follow_up::Handles;
use super::inbox::case_ref;
use crate::core::{Command, Outcome};
use crate::domain::{CaseRecord, Details};

/// The incident code of an escalation (the queue rule's `incident_codes`).
pub const OVERDUE_CODE: &str = "referral_overdue";

/// Escalates every referral whose acknowledgement was due by `now`; how many this call
/// escalated (claimed). Exactly once per referral across rounds, instances and crashes: the
/// queue item's key is the referral's id (a second creation returns the first item), the
/// case-file record is written once under its own key (`referral-overdue-record:{id}`), and
/// only then is the referral claimed by one conditional update. Each step can be run again, so
/// a round stopped at any point leaves either nothing or steps the next round finds done, and
/// the referral stays unclaimed (found again) until its record is in the file.
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
        let fact = CaseRecord::ReferralOverdue {
            referral_id: r.id,
            service: r.service.clone(),
            ack_due_at: due,
            item: item.id,
        };
        core.execute(
            "system",
            Command::RecordOnce {
                item_id: r.item_id,
                record: fact,
                key: record_key(r.id),
            },
        )
        .await?;
        if emergency.claim_escalation(r.id, now, item.id).await? {
            escalated += 1;
        }
    }
    Ok(escalated)
}

/// The key of a referral's `referral_overdue` case-file record.
fn record_key(referral: uuid::Uuid) -> String {
    format!("referral-overdue-record:{referral}")
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
