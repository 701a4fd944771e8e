//! Transport changes into the core's log: every change of a day's plan or trips that a console
//! or a tablet must see becomes one `transport_changed` event (ids and codes only), committed
//! before the HTTP action that caused it answers. The websocket pushes it to dispatchers and to
//! the drivers of the vehicles it names (`crate::push::filter::sees_transport`); they refetch
//! the plan or the manifest over HTTP.

use chrono::NaiveDate;

use super::handle::Ctx;
use crate::core::Command;
use crate::error::Result;
use crate::events::ActionKind;
use crate::events::{TransportChange, TransportReason};
use crate::transport::model::ActionRecord;

/// Commits `change` through the core, naming the drivers of its vehicles as they are now.
pub(crate) async fn publish(ctx: Ctx<'_>, actor: &str, mut change: TransportChange) -> Result<()> {
    let vehicles = ctx.transport.store.vehicles().await?;
    change.drivers = vehicles
        .iter()
        .filter(|v| change.vehicles.contains(&v.id))
        .filter_map(|v| v.driver.clone())
        .collect();
    change.drivers.sort();
    change.drivers.dedup();
    ctx.core
        .execute(actor, Command::Transport { change })
        .await?;
    Ok(())
}

/// A change of a stored plan version touching `vehicles` and `trips`.
pub(crate) async fn plan_changed(
    ctx: Ctx<'_>,
    actor: &str,
    reason: TransportReason,
    plan: (NaiveDate, i64),
    vehicles: Vec<String>,
    trips: Vec<String>,
) -> Result<()> {
    let mut change = TransportChange::new(plan.0, reason);
    change.plan_version = Some(plan.1);
    change.vehicles = vehicles;
    change.vehicles.sort();
    change.vehicles.dedup();
    change.trips = trips;
    publish(ctx, actor, change).await
}

/// A driver's action, keyed by its client action id: sending it again (a replay of the HTTP
/// request, or after a crash between recording the action and this) logs nothing new.
pub(crate) async fn action_recorded(ctx: Ctx<'_>, record: &ActionRecord) -> Result<()> {
    let store = &ctx.transport.store;
    let date = match &record.trip_id {
        Some(id) => store.trip(id).await?.map(|t| t.date),
        None => None,
    };
    let date = date.unwrap_or_else(|| ctx.local_now().0);
    let reason = if record.kind == ActionKind::NoShow {
        TransportReason::NoShow
    } else {
        TransportReason::Action
    };
    let mut change = TransportChange::new(date, reason);
    change.vehicles = vec![record.vehicle_id.clone()];
    change.trips = record.trip_id.iter().cloned().collect();
    change.action = Some(record.kind);
    change.action_id = Some(record.action_id.clone());
    change.at = Some(record.at);
    publish(ctx, &record.by, change).await
}
