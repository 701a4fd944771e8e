//! The Mobilitate unit's runs: checked by [`crate::transport::rules::runs`], stored as trips of
//! their kind, and placed in the day's plan at once when the day is already planned (otherwise
//! the day's planning run plans them with the rest).

use std::collections::BTreeMap;

use chrono::{NaiveDate, Utc};

use super::handle::{Ctx, Transport};
use super::plan_edit;
use crate::error::Result;
use crate::events::TransportReason;
use crate::transport::model::TripKind;
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
