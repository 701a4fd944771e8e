//! Placing a trip by hand: where it fits (every vehicle, with the cost of each, or the code of
//! why not), and the move that puts it there and pins it, refused with the same codes.

use chrono::NaiveDate;

use super::handle::Ctx;
use super::live;
use super::plan_edit::{build_day, confirm_changes, day_trips, freeze_started, store_next};
use crate::error::{Error, Result};
use crate::events::TransportReason;
use crate::transport::model::{DayPlan, Trip, TripStatus};
use crate::transport::rules::engine::{self, Built};
use crate::transport::rules::fits::{fit_on, Added};

/// Whether a trip fits one vehicle: what it adds there, or the code of why not.
pub(crate) struct VehicleFit {
    pub vehicle_id: String,
    /// The vehicle the trip is planned on now.
    pub current: bool,
    pub fit: std::result::Result<Added, &'static str>,
}

/// The trip of a day that a dispatcher places: booked, known to the day's instance.
fn placeable<'a>(all: &'a [Trip], built: &Built, trip_id: &str) -> Result<(&'a Trip, usize)> {
    let trip = all
        .iter()
        .find(|t| t.id == trip_id)
        .ok_or_else(|| Error::NotFound("trip".into()))?;
    if trip.status != TripStatus::Booked {
        return Err(Error::conflict_because(
            "trip_not_booked",
            format!("trip is {}", trip.status.as_str()),
        ));
    }
    let r = built.request_of(&trip.id).ok_or_else(|| {
        let code = built.refused.iter().find(|u| u.trip_id == trip.id).map_or(
            "not_plannable",
            |u| match u.code.as_str() {
                "rider_unknown" => "rider_unknown",
                _ => "no_capable_vehicle",
            },
        );
        Error::conflict_because(code, "this trip cannot be planned")
    })?;
    Ok((trip, r))
}

async fn stored_plan(ctx: Ctx<'_>, date: NaiveDate) -> Result<DayPlan> {
    ctx.transport
        .store
        .plan(date)
        .await?
        .ok_or_else(|| Error::NotFound("plan".into()))
}

/// Every vehicle with whether the trip fits it and at what added cost, the cheapest first, then
/// those where it does not fit with the code of why.
pub(crate) async fn fits(ctx: Ctx<'_>, date: NaiveDate, trip_id: &str) -> Result<Vec<VehicleFit>> {
    let plan = stored_plan(ctx, date).await?;
    let all = ctx.transport.store.trips_on(date).await?;
    let built = build_day(ctx, date, day_trips(&all, Some(&plan))).await?;
    let (trip, r) = placeable(&all, &built, trip_id)?;
    let (today, now_s) = ctx.local_now();
    let current = freeze_started(&built, &plan, &all, (date == today).then_some(now_s))?;
    let now_on = plan.vehicle_of(&trip.id).map(str::to_owned);
    let mut out: Vec<VehicleFit> = built
        .vehicle_ids
        .iter()
        .enumerate()
        .map(|(v, id)| VehicleFit {
            vehicle_id: id.clone(),
            current: now_on.as_deref() == Some(id.as_str()),
            fit: fit_on(&built, &current, r, v).map(|(_, added)| added),
        })
        .collect();
    out.sort_by(|a, b| match (&a.fit, &b.fit) {
        (Ok(x), Ok(y)) => x.metres.total_cmp(&y.metres),
        (Ok(_), Err(_)) => std::cmp::Ordering::Less,
        (Err(_), Ok(_)) => std::cmp::Ordering::Greater,
        (Err(_), Err(_)) => a.vehicle_id.cmp(&b.vehicle_id),
    });
    Ok(out)
}

/// Moves a trip (planned, or unserved) to a vehicle by hand and pins it there; refused (409,
/// with the code of why) when it does not fit or the checker finds the result infeasible.
/// Returns the stored plan.
pub(crate) async fn move_trip(
    ctx: Ctx<'_>,
    actor: &str,
    date: NaiveDate,
    trip_id: &str,
    vehicle_id: &str,
) -> Result<DayPlan> {
    let transport = ctx.transport;
    let _guard = transport.plan_lock.lock().await;
    let plan = stored_plan(ctx, date).await?;
    let all = transport.store.trips_on(date).await?;
    if !all.iter().any(|t| t.id == trip_id) {
        return Err(Error::validation("trip_id", "no such trip on this day"));
    }
    let built = build_day(ctx, date, day_trips(&all, Some(&plan))).await?;
    let v = built
        .vehicle_ids
        .iter()
        .position(|id| *id == vehicle_id)
        .ok_or_else(|| Error::validation("vehicle_id", "no such vehicle"))?;
    let (trip, r) = placeable(&all, &built, trip_id)?;
    let (today, now_s) = ctx.local_now();
    let current = freeze_started(&built, &plan, &all, (date == today).then_some(now_s))?;
    let (moved, _) = fit_on(&built, &current, r, v).map_err(|code| {
        Error::conflict_because(
            code,
            format!("trip {} does not fit on {vehicle_id} ({code})", trip.id),
        )
    })?;
    let fresh = engine::to_day_plan(&built, &moved, date, 0);
    if !fresh.problems.is_empty() {
        return Err(Error::conflict_because(
            "checker_refused",
            format!(
                "the checker refused the change: {}",
                fresh.problems.join("; ")
            ),
        ));
    }
    let mut next = plan.clone();
    next.routes = fresh.routes;
    next.problems = fresh.problems;
    next.unserved.retain(|u| u.trip_id != trip.id);
    // Moved by hand: the new time is the promise (and the rider is told it again).
    next.promised.remove(&trip.id);
    if !next.pinned.contains(&trip.id) {
        next.pinned.push(trip.id.clone());
    }
    let next = store_next(ctx, next, &plan).await?;
    let vehicles = plan
        .vehicle_of(&trip.id)
        .map(str::to_owned)
        .into_iter()
        .chain([vehicle_id.to_owned()])
        .collect();
    let at = (next.date, next.version);
    let trips = vec![trip.id.clone()];
    live::plan_changed(ctx, actor, TransportReason::Move, at, vehicles, trips).await?;
    confirm_changes(ctx, &next).await?;
    Ok(next)
}
