//! Editing a stored day plan: the day's instance built off the request path, the next version
//! stored under the version check, and the same-day edits every use case shares (a new trip
//! inserted, a cancelled or changed one taken out), each logged as a transport change.

use chrono::{NaiveDate, Utc};

use super::handle::Ctx;
use super::{live, messages};
use crate::error::{Error, Result};
use crate::events::TransportReason;
use crate::transport::model::{DayPlan, Trip, TripStatus, Unserved};
use crate::transport::rules::engine::{self, Built};
use crate::transport::rules::view::{view, TripView};

/// The trips the scheduler must consider on a day: every trip of the stored plan that was not
/// cancelled (done ones keep their place in the route), then every live trip not yet in it.
pub(crate) fn day_trips(trips: &[Trip], plan: Option<&DayPlan>) -> Vec<Trip> {
    let in_plan = |t: &Trip| plan.is_some_and(|p| p.vehicle_of(&t.id).is_some());
    trips
        .iter()
        .filter(|t| t.status != TripStatus::Cancelled && (in_plan(t) || t.status.is_live()))
        .cloned()
        .collect()
}

/// Builds the instance of a day off the request path (the matrix and the search take CPU).
pub(crate) async fn build_day(ctx: Ctx<'_>, date: NaiveDate, trips: Vec<Trip>) -> Result<Built> {
    let riders = ctx.transport.riders_by_id().await?;
    let vehicles = ctx.transport.store.vehicles().await?;
    if vehicles.is_empty() {
        return Err(Error::Conflict("no vehicles are registered".into()));
    }
    let config = ctx.config.transport.clone();
    let network = ctx.network();
    tokio::task::spawn_blocking(move || {
        let source = engine::travel_source(network);
        engine::build(
            &trips,
            &riders,
            &vehicles,
            &config,
            source.as_ref(),
            format!("day-{date}"),
        )
    })
    .await
    .map_err(|e| Error::Internal(anyhow::anyhow!("planning task: {e}")))
}

/// The stored plan `plan` over `built`, its started part frozen: in each route, every stop up to
/// the last one a driver reported done or under way (arrived at a pick-up, a rider on board, a
/// trip finished or a no-show), whatever the plan's times say, and, on the current day (`now`),
/// every stop that has started by the clock. Every change of a day's plan starts from this, so a
/// rider on board never leaves their vehicle.
pub(crate) fn freeze_started(
    built: &Built,
    plan: &DayPlan,
    trips: &[Trip],
    now: Option<f64>,
) -> Result<routing::darp::Plan> {
    let start = engine::to_darp(built, plan);
    let status = |id: &str| trips.iter().find(|t| t.id == id).map(|t| t.status);
    let done: Vec<usize> = start
        .routes
        .iter()
        .map(|route| {
            route
                .stops
                .iter()
                .rposition(|s| {
                    let trip = &built.trip_ids[s.request()];
                    status(trip).is_some_and(|st| started(st, s.is_pickup()))
                })
                .map_or(0, |i| i + 1)
        })
        .collect();
    routing::darp::freeze_started(&built.instance, &start, &done, now)
        .map_err(|e| Error::Internal(anyhow::anyhow!("freezing the plan: {e}")))
}

/// Whether a trip in `status` has its pick-up (or drop-off) stop done or under way.
fn started(status: TripStatus, pickup: bool) -> bool {
    match status {
        TripStatus::Booked | TripStatus::Cancelled => false,
        TripStatus::Arrived | TripStatus::PickedUp => pickup,
        TripStatus::NoShow | TripStatus::DroppedOff | TripStatus::NotAtHome => true,
    }
}

/// Confirms every promised time of a plan that the rider has not been told yet: the key holds
/// the time, so unchanged promises send nothing and a changed one sends a new confirmation.
pub(crate) async fn confirm_changes(ctx: Ctx<'_>, plan: &DayPlan) -> Result<()> {
    let transport = ctx.transport;
    let trips = transport.store.trips_on(plan.date).await?;
    let riders = transport.riders_by_id().await?;
    let late = ctx.config.transport.promise_late_minutes;
    let msgs = messages::confirmations(&transport.templates, plan, &trips, &riders, late);
    transport.sms.enqueue(&msgs).await?;
    Ok(())
}

/// Stores an edited plan as the next version.
pub(crate) async fn store_next(
    ctx: Ctx<'_>,
    mut plan: DayPlan,
    previous: &DayPlan,
) -> Result<DayPlan> {
    plan.version = previous.version + 1;
    plan.computed_at = Utc::now();
    if !ctx.transport.store.put_plan(&plan).await? {
        return Err(Error::Conflict(
            "the plan changed meanwhile; try again".into(),
        ));
    }
    Ok(plan)
}

/// A new (or changed) trip: inserted into its day's plan when the day is already planned,
/// logged as a transport change (`reason`, by `actor`) and confirmed to the rider; otherwise it
/// waits for the day's planning run.
pub(crate) async fn place_new_trip(
    ctx: Ctx<'_>,
    trip: Trip,
    actor: &str,
    reason: TransportReason,
) -> Result<TripView> {
    let transport = ctx.transport;
    let _guard = transport.plan_lock.lock().await;
    let Some(plan) = transport.store.plan(trip.date).await? else {
        return Ok(view(trip, None));
    };
    let all = transport.store.trips_on(trip.date).await?;
    let built = build_day(ctx, trip.date, day_trips(&all, Some(&plan))).await?;
    let (today, now_s) = ctx.local_now();
    let now = (trip.date == today).then_some(now_s);
    let start = freeze_started(&built, &plan, &all, now)?;
    let mut next = plan.clone();
    next.unserved.retain(|u| u.trip_id != trip.id);
    match built.request_of(&trip.id) {
        None => {
            let refused = built.refused.iter().find(|u| u.trip_id == trip.id);
            next.unserved.push(refused.cloned().unwrap_or_else(|| {
                Unserved::new(trip.id.clone(), "not_plannable", "not plannable")
            }));
        }
        Some(r) => match routing::darp::insert(&built.instance, &start, r) {
            Ok(p) => {
                // Only the route that received the trip changes; the others keep their stored
                // times (a late vehicle's shifted stops stay shifted).
                let fresh = engine::to_day_plan(&built, &p, trip.date, 0);
                if let Some(v) = fresh.vehicle_of(&trip.id) {
                    let route = fresh.routes.iter().find(|r| r.vehicle_id == v).cloned();
                    next.routes.retain(|r| r.vehicle_id != v);
                    next.routes.extend(route);
                    next.routes.sort_by(|a, b| a.vehicle_id.cmp(&b.vehicle_id));
                }
                next.problems = fresh.problems;
            }
            Err(why) => next.unserved.push(Unserved::new(
                trip.id.clone(),
                engine::unservable_code(&why),
                why.to_string(),
            )),
        },
    }
    let next = store_next(ctx, next, &plan).await?;
    let vehicles = next
        .vehicle_of(&trip.id)
        .map(str::to_owned)
        .into_iter()
        .collect();
    let at = (next.date, next.version);
    live::plan_changed(ctx, actor, reason, at, vehicles, vec![trip.id.clone()]).await?;
    confirm_changes(ctx, &next).await?;
    Ok(view(trip, Some(&next)))
}

/// Takes a cancelled (or changed) trip out of its day's plan (if planned) and logs the change.
pub(crate) async fn remove_trip(
    ctx: Ctx<'_>,
    date: NaiveDate,
    trip_id: &str,
    actor: &str,
    reason: TransportReason,
) -> Result<()> {
    let transport = ctx.transport;
    let _guard = transport.plan_lock.lock().await;
    let Some(plan) = transport.store.plan(date).await? else {
        return Ok(());
    };
    if plan.vehicle_of(trip_id).is_none() && !plan.unserved.iter().any(|u| u.trip_id == trip_id) {
        return Ok(());
    }
    let mut next = plan.clone();
    for route in &mut next.routes {
        route.stops.retain(|s| s.trip_id != trip_id);
    }
    next.unserved.retain(|u| u.trip_id != trip_id);
    next.pinned.retain(|p| p != trip_id);
    let next = store_next(ctx, next, &plan).await?;
    let vehicles = plan
        .vehicle_of(trip_id)
        .map(str::to_owned)
        .into_iter()
        .collect();
    let at = (next.date, next.version);
    live::plan_changed(ctx, actor, reason, at, vehicles, vec![trip_id.to_owned()]).await
}
