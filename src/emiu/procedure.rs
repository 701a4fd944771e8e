//! The EMIU procedure's use cases beyond one record: hazard notes kept by address and found for
//! any case sent there, protection orders with their expiry reminders (a background task), the
//! latest risk assessment of a case, and the team closing its own case.

use chrono::{NaiveDate, Utc};
use tokio_util::sync::CancellationToken;
use tracing::{info, warn};
use uuid::Uuid;

use super::cases;
use super::rules::{self, address_key, metres_between, HAZARD_RADIUS_M};
use crate::core::{Command, CoreHandle, Outcome};
use crate::domain::{CaseRecord, Details, Item, ItemId};
use crate::error::{Error, Result};
use crate::events::{Event, StoredEvent};
use crate::referrals::case_file;
use crate::store::emiu::{HazardRecord, OrderReminder};
use crate::store::EmergencyStore;

/// The address a team is sent to: the item's subject, else the address typed on the call.
pub(crate) fn address_of(item: &Item) -> Option<String> {
    item.subject
        .as_ref()
        .and_then(|s| s.address.clone())
        .or_else(|| match &item.details {
            Details::Call { location, .. } => location.as_ref().and_then(|l| l.address.clone()),
            _ => None,
        })
}

/// Notes a hazard at the case's address (and position) for any team sent there later, and
/// records it in the case file. Refused (422 `hazard`) when the case has neither an address nor
/// a position to keep it by.
pub(crate) async fn note_hazard(
    emergency: &dyn EmergencyStore,
    core: &CoreHandle,
    actor: &str,
    item: &Item,
    hazard: String,
    note: String,
) -> Result<HazardRecord> {
    let key = address_of(item).as_deref().and_then(address_key);
    let position = cases::destination(emergency, item).await?;
    if key.is_none() && position.is_none() {
        return Err(Error::validation(
            "hazard",
            "the case has no address or position to keep the hazard by",
        ));
    }
    let record = HazardRecord {
        id: Uuid::now_v7(),
        item_id: item.id,
        address_key: key,
        lon: position.map(|p| p.lon),
        lat: position.map(|p| p.lat),
        hazard: hazard.clone(),
        note: note.clone(),
        created_by: actor.to_owned(),
        created_at: Utc::now(),
    };
    // The row first: a hazard the file does not show yet still warns the next team.
    emergency.put_hazard(&record).await?;
    case_file::record(
        core,
        actor,
        item.id,
        CaseRecord::HazardNoted { hazard, note },
    )
    .await?;
    Ok(record)
}

/// The hazards noted at the item's address, or within [`HAZARD_RADIUS_M`] of its position, on
/// this case or any other, newest first.
pub(crate) async fn hazards_for(
    emergency: &dyn EmergencyStore,
    item: &Item,
) -> Result<Vec<HazardRecord>> {
    let key = address_of(item).as_deref().and_then(address_key);
    let position = cases::destination(emergency, item).await?;
    if key.is_none() && position.is_none() {
        return Ok(Vec::new());
    }
    // About 55 m of latitude, and less of longitude: a box around the radius.
    let near = position.map(|p| (p.lon, p.lat, 0.0005));
    let found = emergency.hazards_at(key.as_deref(), near).await?;
    Ok(found
        .into_iter()
        .filter(|h| {
            (key.is_some() && h.address_key == key)
                || match (position, h.lon.zip(h.lat)) {
                    (Some(p), Some(q)) => metres_between((p.lon, p.lat), q) <= HAZARD_RADIUS_M,
                    _ => false,
                }
        })
        .collect())
}

/// A protection order to record: what the handler parsed.
pub(crate) struct Order {
    pub order: String,
    pub number: String,
    pub issued_on: NaiveDate,
    pub expires_on: NaiveDate,
    pub people_covered: Vec<String>,
    pub minors: u32,
}

/// Records a protection order in the case file and schedules its expiry reminder
/// `reminder_days` before it expires.
pub(crate) async fn record_order(
    emergency: &dyn EmergencyStore,
    core: &CoreHandle,
    actor: &str,
    item_id: ItemId,
    o: Order,
    reminder_days: u32,
) -> Result<Outcome> {
    let remind_on = rules::reminder_day(o.issued_on, o.expires_on, reminder_days)?;
    let record = CaseRecord::ProtectionOrder {
        order: o.order.clone(),
        number: o.number,
        issued_on: o.issued_on,
        expires_on: o.expires_on,
        remind_on,
        people_covered: o.people_covered,
        minors: o.minors,
    };
    let out = case_file::record(core, actor, item_id, record).await?;
    // After the record: an order the file does not hold is never reminded of.
    emergency
        .put_order_reminder(&OrderReminder {
            id: Uuid::now_v7(),
            item_id,
            order_kind: o.order,
            expires_on: o.expires_on,
            remind_on,
        })
        .await?;
    Ok(out)
}

/// The code an order's reminder item carries (no personal data: the kind and the expiry day).
pub(crate) fn reminder_description(o: &OrderReminder) -> String {
    format!("protection_order_expiry:{}:{}", o.order_kind, o.expires_on)
}

/// Raises a reminder item for every protection order whose reminder day has come: an incident
/// related to the case (so it belongs to the DV case and is as protected). Idempotent across
/// instances: the item's key is the order's id.
pub(crate) async fn raise_due_reminders(
    emergency: &dyn EmergencyStore,
    core: &CoreHandle,
) -> anyhow::Result<usize> {
    let today = Utc::now()
        .with_timezone(&chrono_tz::Europe::Bucharest)
        .date_naive();
    let mut raised = 0;
    for o in emergency.due_order_reminders(today).await? {
        let out = core
            .execute(
                "system",
                Command::Create {
                    details: Details::Incident {
                        reported_by: "emiu".into(),
                        description: reminder_description(&o),
                        related: Some(o.item_id),
                        code: Some("protection_order_expiry".into()),
                    },
                    subject: None,
                    key: Some(format!("order-reminder:{}", o.id)),
                    rate_limited: false,
                },
            )
            .await?;
        if let Outcome::Item { item, .. } = out {
            if emergency.mark_order_reminded(o.id, item.id).await? {
                raised += 1;
            }
        }
    }
    Ok(raised)
}

/// Starts the task that raises due protection-order reminders every `every` until `shutdown`.
pub(crate) fn spawn_reminders(
    emergency: std::sync::Arc<dyn EmergencyStore>,
    core: CoreHandle,
    every: std::time::Duration,
    shutdown: CancellationToken,
) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = shutdown.cancelled() => break,
                _ = tick.tick() => match raise_due_reminders(emergency.as_ref(), &core).await {
                    Ok(0) => {}
                    Ok(n) => info!(raised = n, "protection-order reminders raised"),
                    Err(e) => warn!(error = %e, "protection-order reminders could not be raised; will retry"),
                },
            }
        }
    });
}

/// The latest risk assessment in a case's history (the file keeps every one).
pub(crate) fn latest_risk(history: &[StoredEvent]) -> Option<CaseRecord> {
    history.iter().rev().find_map(|e| match &e.event {
        Event::CaseRecorded {
            record: r @ CaseRecord::RiskAssessed { .. },
            ..
        } => Some(r.clone()),
        _ => None,
    })
}

/// How many children the case file says are present (the latest count; 0 when none recorded).
pub(crate) fn children_present(history: &[StoredEvent]) -> u32 {
    history
        .iter()
        .rev()
        .find_map(|e| match &e.event {
            Event::CaseRecorded {
                record: CaseRecord::ChildrenPresent { count },
                ..
            } => Some(*count),
            _ => None,
        })
        .unwrap_or(0)
}

/// The team closes its case: the report (when given) goes into the file, then the item is
/// closed with one of the EMIU outcomes, releasing the team.
pub(crate) async fn close_case(
    core: &CoreHandle,
    actor: &str,
    item_id: ItemId,
    outcome: String,
    report: String,
) -> Result<Outcome> {
    if !crate::domain::outcomes::EMIU.contains(&outcome.as_str()) {
        return Err(Error::validation(
            "outcome",
            format!(
                "must be one of: {}",
                crate::domain::outcomes::EMIU.join(", ")
            ),
        ));
    }
    if !report.is_empty() {
        case_file::record(core, actor, item_id, CaseRecord::Report { text: report }).await?;
    }
    Ok(core
        .execute(actor, Command::Close { item_id, outcome })
        .await?)
}
