//! The Mobilitate unit's runs: checked by [`crate::transport::rules::runs`], stored as trips of
//! their kind, and placed in the day's plan at once when the day is already planned (otherwise
//! the day's planning run plans them with the rest).

use std::collections::BTreeMap;

use chrono::{NaiveDate, Utc};

use super::handle::{Ctx, Transport};
use super::plan_edit;
use crate::error::{Error, Result};
use crate::events::TransportReason;
use crate::transport::model::{CancelReason, Cancellation, TripKind, TripStatus};
use crate::transport::rules::booking;
use crate::transport::rules::runs::{self, Registry, RunIn};
use crate::transport::rules::view::{view, TripView};

/// A run with its trips as the day's plan sees them.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub(crate) struct RunView {
    pub run_id: String,
    pub kind: TripKind,
    pub label: String,
    pub date: NaiveDate,
    pub trips: Vec<TripView>,
}

/// A run's name: the planner's, else (a run stored before it was kept, or given none) the
/// first stop's label.
fn run_name(details: &crate::transport::model::RunDetails) -> String {
    if details.run_label.is_empty() {
        details.label.clone()
    } else {
        details.run_label.clone()
    }
}

/// Checks and stores a run for `actor`; its trips go into the day's plan if there is one.
pub(crate) async fn create(ctx: Ctx<'_>, actor: &str, req: RunIn) -> Result<RunView> {
    let transport = ctx.transport;
    let riders = transport.riders_by_id().await?;
    let vehicles = transport.store.vehicles().await?;
    let reg = Registry {
        riders: &riders,
        vehicles: &vehicles,
    };
    let date = req.date;
    let mut new_id = |prefix: &str| format!("{prefix}-{}", uuid::Uuid::now_v7().simple());
    let run = runs::build(req, &reg, actor, Utc::now(), &mut new_id)?;
    transport.store.insert_trips(&run.trips).await?;
    let label = run
        .trips
        .iter()
        .find_map(|t| t.run.as_ref().map(run_name))
        .unwrap_or_default();
    let mut trips = Vec::new();
    for t in run.trips {
        trips.push(plan_edit::place_new_trip(ctx, t, actor, TransportReason::Booking).await?);
    }
    Ok(RunView {
        run_id: run.run_id,
        kind: run.kind,
        label,
        date,
        trips,
    })
}

/// The runs of a day (every trip that belongs to one), grouped by run.
pub(crate) async fn list(transport: &Transport, date: NaiveDate) -> Result<Vec<RunView>> {
    let plan = transport.store.plan(date).await?;
    let mut runs: BTreeMap<String, RunView> = BTreeMap::new();
    for t in transport.store.trips_on(date).await? {
        let Some(details) = t.run.clone() else {
            continue;
        };
        let entry = runs
            .entry(details.run_id.clone())
            .or_insert_with(|| RunView {
                run_id: details.run_id.clone(),
                kind: t.kind,
                label: String::new(),
                date,
                trips: Vec::new(),
            });
        if entry.label.is_empty() && details.escorts == 0 {
            entry.label = run_name(&details);
        }
        entry.trips.push(view(t, plan.as_ref()));
    }
    Ok(runs.into_values().collect())
}

/// What cancelling a run did.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub(crate) struct RunCancelled {
    pub run_id: String,
    /// The trips cancelled now.
    pub cancelled: Vec<String>,
    /// The trips it could not cancel, with why: the driver has to be called for those.
    pub kept: Vec<KeptTrip>,
}

/// A trip of a cancelled run that stays: `within_cutoff` (too close to its time: call the
/// driver) or `trip_not_booked` (already collected, delivered or aboard).
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub(crate) struct KeptTrip {
    pub trip_id: String,
    pub reason: String,
    pub status: TripStatus,
}

/// Cancels run `run_id` of `date` for the service (a closed canteen, a centre shut for the
/// day): every trip still booked and before the cut-off is cancelled with `service_cancel` and
/// `note`, in one write, and taken out of the plan; the others are returned as kept. Trips
/// already cancelled are left out of both. The service's decision does not count as a late
/// cancel against the clients. `NotFound` if the day has no trip of that run.
pub(crate) async fn cancel(
    ctx: Ctx<'_>,
    actor: &str,
    date: NaiveDate,
    run_id: &str,
    note: Option<String>,
) -> Result<RunCancelled> {
    let (transport, config, zone) = (ctx.transport, &ctx.config.transport, ctx.zone());
    let trips: Vec<_> = transport
        .store
        .trips_on(date)
        .await?
        .into_iter()
        .filter(|t| t.run.as_ref().is_some_and(|r| r.run_id == run_id))
        .collect();
    if trips.is_empty() {
        return Err(Error::NotFound("run".into()));
    }
    let now = Utc::now();
    let (mut targets, mut kept) = (Vec::new(), Vec::new());
    for mut t in trips {
        if t.status == TripStatus::Cancelled {
            continue;
        }
        match booking::before_cutoff(zone, config, &t) {
            Ok(()) => {
                t.status = TripStatus::Cancelled;
                t.cancellation = Some(Cancellation {
                    reason: CancelReason::ServiceCancel,
                    note: note.clone(),
                    by: actor.to_owned(),
                    at: now,
                });
                targets.push(t);
            }
            Err(e) => kept.push(KeptTrip {
                trip_id: t.id.clone(),
                reason: e.reason().unwrap_or("trip_not_booked").to_owned(),
                status: t.status,
            }),
        }
    }
    if !targets.is_empty() {
        // Every target was read booked: a driver's action in between wins (409, nothing written).
        transport
            .store
            .update_trips(&targets, TripStatus::Booked)
            .await?;
    }
    for t in &targets {
        plan_edit::remove_trip(ctx, date, &t.id, actor, TransportReason::Cancellation).await?;
    }
    Ok(RunCancelled {
        run_id: run_id.to_owned(),
        cancelled: targets.into_iter().map(|t| t.id).collect(),
        kept,
    })
}
