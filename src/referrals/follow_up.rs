//! 'Keep in contact': follow-ups scheduled on a case put a callback item in the queue when they
//! fall due — never for a number marked safe-contact, which is checked when scheduling and again
//! when the callback would be raised.

use chrono::Utc;
use tokio_util::sync::CancellationToken;
use tracing::{info, warn};

use super::case_file;
use super::safe_contact::is_contact_blocked;
use crate::core::{Command, CoreHandle, Outcome};
use crate::domain::{CaseRecord, Details};
use crate::error::{Error, Result};
use crate::store::emergency::FollowUpRecord;
use crate::store::EmergencyStore;

/// What the follow-ups work with: the registry they are kept in and the core that queues their
/// callbacks.
#[derive(Clone, Copy)]
pub struct Handles<'a> {
    pub emergency: &'a dyn EmergencyStore,
    pub core: &'a CoreHandle,
}

/// Stores a follow-up and records it in the case file; 409 for a number marked safe-contact.
pub(crate) async fn schedule(on: Handles<'_>, record: &FollowUpRecord) -> Result<()> {
    if is_contact_blocked(on.emergency, &record.phone).await? {
        return Err(Error::Conflict(
            "this number is marked 'do not call back / no SMS'; no follow-up call may be scheduled"
                .into(),
        ));
    }
    on.emergency.put_follow_up(record).await?;
    let fact = CaseRecord::FollowUpScheduled {
        follow_up_id: record.id,
        due: record.due,
        phone: record.phone.clone(),
    };
    case_file::record(on.core, &record.created_by, record.item_id, fact).await?;
    Ok(())
}

/// Raises the callbacks of every follow-up due now. Idempotent across instances: the callback's
/// key is the follow-up's id.
pub async fn raise_due<'a>(on: impl Into<Handles<'a>>) -> anyhow::Result<usize> {
    let Handles { emergency, core } = on.into();
    let due = emergency.due_follow_ups(Utc::now()).await?;
    let mut raised = 0;
    for f in due {
        if is_contact_blocked(emergency, &f.phone).await? {
            // Only the round (or instance) that moves it out of 'scheduled' writes the note.
            if !emergency.set_follow_up_state(f.id, "blocked", None).await? {
                continue;
            }
            let _ = core
                .execute(
                    "system",
                    Command::AddNote {
                        item_id: f.item_id,
                        text: "Apel de urmărire anulat: numărul este marcat „nu sunați înapoi / fără SMS”."
                            .into(),
                    },
                )
                .await;
            continue;
        }
        let out = core
            .execute(
                "system",
                Command::Create {
                    details: Details::Callback {
                        phone: f.phone.clone(),
                        reason: "follow_up".into(),
                        related: Some(f.item_id),
                    },
                    key: Some(format!("follow-up:{}", f.id)),
                    subject: None,
                    rate_limited: false,
                },
            )
            .await?;
        if let Outcome::Item { item, .. } = out {
            emergency
                .set_follow_up_state(f.id, "raised", Some(item.id))
                .await?;
            raised += 1;
        }
    }
    Ok(raised)
}

/// Starts the task that raises due follow-ups every `every` until `shutdown`.
pub(crate) fn spawn(
    emergency: std::sync::Arc<dyn EmergencyStore>,
    core: CoreHandle,
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
                _ = tick.tick() => match raise_due(on).await {
                    Ok(0) => {}
                    Ok(n) => info!(raised = n, "follow-up callbacks raised"),
                    Err(e) => warn!(error = %e, "follow-ups could not be raised; will retry"),
                },
            }
        }
    });
}
