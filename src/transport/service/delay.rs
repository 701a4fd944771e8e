//! A late vehicle updates the plan. Each GPS position of a tablet is compared with the vehicle's
//! plan for today: the travel time from where it is to its next unfinished stop (the same
//! travel times as the "arriving in N minutes" message) against that stop's planned time. Late
//! by more than `transport.delay_threshold_minutes`, the remaining stops are shifted (travel and
//! service times between them, never earlier than planned), the plan is stored and a `delay`
//! change is pushed. A trip that no longer fits its window is moved to another vehicle with the
//! same-day insertion; if none can take it, it becomes a queue item for the dispatchers (keyed,
//! so it is raised once).
//!
//! The shifted plan is the new reference: the next positions compare against it, so a vehicle
//! that stays late by the same amount raises nothing more, and one that keeps losing time raises
//! a change each time it falls another threshold behind (hysteresis by construction; a stream of
//! positions makes at most one change per threshold of delay).

use std::collections::HashMap;

use tracing::info;

use super::handle::Ctx;
use super::{live, plan_edit};
use crate::core::Command;
use crate::domain::Details;
use crate::error::{Error, Result};
use crate::events::{TransportChange, TransportReason};
use crate::transport::model::{DayPlan, Rider, Trip, TripStatus, Vehicle};
use crate::transport::rules::delay::{latest, pending_stops, position_of, shifted};
use crate::transport::rules::engine;
use routing::travel::LonLat;

/// Travel seconds along `points` (from each point to the next), departing now.
async fn legs(ctx: Ctx<'_>, points: Vec<LonLat>, now_s: f64) -> Result<Vec<f64>> {
    let network = ctx.network();
    tokio::task::spawn_blocking(move || {
        let source = engine::travel_source(network);
        let m = source.matrix(&points, now_s as u32);
        (1..points.len())
            .map(|i| m.seconds(i - 1, i))
            .collect::<Vec<f64>>()
    })
    .await
    .map_err(|e| Error::Internal(anyhow::anyhow!("travel time task: {e}")))
}

/// Checks a vehicle's new position against its plan for today; returns the delay in minutes
/// when the plan was shifted.
pub(crate) async fn check(
    ctx: Ctx<'_>,
    vehicle: &Vehicle,
    here: LonLat,
    actor: &str,
) -> Result<Option<u32>> {
    let store = &ctx.transport.store;
    let threshold = f64::from(ctx.config.transport.delay_threshold_minutes) * 60.0;
    let (today, now_s) = ctx.local_now();
    // The common case, every few seconds per tablet: one travel time, no lock.
    let Some(plan) = store.plan(today).await? else {
        return Ok(None);
    };
    let trips: HashMap<String, Trip> = store
        .trips_on(today)
        .await?
        .into_iter()
        .map(|t| (t.id.clone(), t))
        .collect();
    let Some(late) = lateness(ctx, &plan, &trips, vehicle, here, now_s).await? else {
        return Ok(None);
    };
    if late < threshold {
        return Ok(None);
    }
    // Late: decide again under the plan lock on the stored plan, which another position or a
    // dispatcher may have changed meanwhile.
    let _guard = ctx.transport.plan_lock.lock().await;
    let Some(plan) = store.plan(today).await? else {
        return Ok(None);
    };
    let Some(route) = plan.routes.iter().find(|r| r.vehicle_id == vehicle.id) else {
        return Ok(None);
    };
    let ks = pending_stops(route, &trips);
    let mut points = vec![here];
    points.extend(ks.iter().filter_map(|&k| position_of(route, k, &trips)));
    if points.len() != ks.len() + 1 || ks.is_empty() {
        return Ok(None);
    }
    let legs = legs(ctx, points, now_s).await?;
    let planned: Vec<f64> = ks.iter().map(|&k| route.stops[k].time_s).collect();
    let late = now_s + legs[0] - planned[0];
    if !late.is_finite() || late < threshold {
        return Ok(None);
    }
    let riders: HashMap<String, Rider> = store
        .riders()
        .await?
        .into_iter()
        .map(|r| (r.id.clone(), r))
        .collect();
    let service: Vec<f64> = ks
        .iter()
        .map(|&k| {
            trips
                .get(&route.stops[k].trip_id)
                .and_then(|t| riders.get(&t.rider_id))
                .map_or(0.0, Rider::service_s)
        })
        .collect();
    let times = shifted(&planned, &service, &legs, now_s);
    let mut next = plan.clone();
    let width = f64::from(ctx.config.transport.window_minutes) * 60.0;
    let mut out_of_window = Vec::new();
    if let Some(r) = next.routes.iter_mut().find(|r| r.vehicle_id == vehicle.id) {
        for (&k, &t) in ks.iter().zip(&times) {
            let stop = &mut r.stops[k];
            if stop.pickup {
                // What the rider was told stays the promise (the first one, over several delays).
                next.promised
                    .entry(stop.trip_id.clone())
                    .or_insert(stop.time_s);
            }
            stop.time_s = t;
            let Some(trip) = trips.get(&stop.trip_id) else {
                continue;
            };
            let missed = latest(trip, stop.pickup, width).is_some_and(|l| t > l + 1.0);
            // Only a rider still waiting can go with another vehicle.
            if missed && trip.status == TripStatus::Booked && !out_of_window.contains(&trip.id) {
                out_of_window.push(trip.id.clone());
            }
        }
    }
    let (next, moved, stranded) =
        move_away(ctx, next, &vehicle.id, &out_of_window, now_s + legs[0]).await?;
    let next = plan_edit::store_next(ctx, next, &plan).await?;
    let minutes = (late / 60.0).round() as u32;
    info!(vehicle = %vehicle.id, minutes, moved = moved.len(), stranded = stranded.len(),
        version = next.version, "late vehicle: plan shifted");
    let mut change = TransportChange::new(today, TransportReason::Delay);
    change.delay_minutes = Some(minutes);
    change.plan_version = Some(next.version);
    // The late vehicle first, then those that took its trips.
    change.vehicles = vec![vehicle.id.clone()];
    for (_, v) in &moved {
        if !change.vehicles.contains(v) {
            change.vehicles.push(v.clone());
        }
    }
    change.trips = out_of_window.clone();
    live::publish(ctx, actor, change).await?;
    for trip in &stranded {
        let description = format!(
            "Întârziere {}: cursa {trip} nu mai poate fi preluată la timp (~{minutes} min) \
             și niciun alt vehicul nu o poate prelua",
            vehicle.id
        );
        ctx.core
            .execute(
                actor,
                Command::Create {
                    details: Details::Incident {
                        reported_by: vehicle.id.clone(),
                        description,
                        related: None,
                        code: Some("delay".into()),
                    },
                    key: Some(format!("transport-late:{today}:{trip}")),
                    subject: None,
                    rate_limited: false,
                },
            )
            .await?;
    }
    Ok(Some(minutes))
}

/// Seconds the vehicle is behind the planned time of its next unfinished stop (negative when
/// early); `None` when it has nothing left today.
async fn lateness(
    ctx: Ctx<'_>,
    plan: &DayPlan,
    trips: &HashMap<String, Trip>,
    vehicle: &Vehicle,
    here: LonLat,
    now_s: f64,
) -> Result<Option<f64>> {
    let Some(route) = plan.routes.iter().find(|r| r.vehicle_id == vehicle.id) else {
        return Ok(None);
    };
    let Some(&k) = pending_stops(route, trips).first() else {
        return Ok(None);
    };
    let Some(target) = position_of(route, k, trips) else {
        return Ok(None);
    };
    let eta = legs(ctx, vec![here, target], now_s).await?[0];
    let late = now_s + eta - route.stops[k].time_s;
    Ok(late.is_finite().then_some(late))
}

/// Moves each trip of `trips` off the late vehicle with the same-day insertion (the late
/// vehicle may only take it back where it still fits given that it reaches its next stop at
/// `ready_s`). Returns the plan, the trips moved with their new vehicle, and the trips nobody
/// can take (they stay where they are).
async fn move_away(
    ctx: Ctx<'_>,
    mut plan: DayPlan,
    late_vehicle: &str,
    trips: &[String],
    ready_s: f64,
) -> Result<(DayPlan, Vec<(String, String)>, Vec<String>)> {
    let (mut moved, mut stranded) = (Vec::new(), Vec::new());
    if trips.is_empty() {
        return Ok((plan, moved, stranded));
    }
    let (_, now_s) = ctx.local_now();
    let all = ctx.transport.store.trips_on(plan.date).await?;
    let trips_of_day = plan_edit::day_trips(&all, Some(&plan));
    let built = plan_edit::build_day(ctx, plan.date, trips_of_day).await?;
    let late_v = built.vehicle_ids.iter().position(|v| v == late_vehicle);
    for trip in trips {
        let Some(r) = built.request_of(trip) else {
            stranded.push(trip.clone());
            continue;
        };
        let mut without = plan.clone();
        for route in &mut without.routes {
            route.stops.retain(|s| s.trip_id != *trip);
        }
        let mut start = plan_edit::freeze_started(&built, &without, &all, Some(now_s))?;
        if let Some(v) = late_v {
            start.routes[v].release = Some(ready_s);
        }
        let placed = routing::darp::insert(&built.instance, &start, r).ok();
        let fresh = placed.map(|p| engine::to_day_plan(&built, &p, plan.date, 0));
        let target = fresh.as_ref().and_then(|f| {
            let v = f.vehicle_of(trip)?;
            f.routes.iter().find(|route| route.vehicle_id == v).cloned()
        });
        match target {
            Some(route) => {
                // Only the receiving route takes the scheduler's times; the late one keeps its
                // shifted times.
                without.routes.retain(|x| x.vehicle_id != route.vehicle_id);
                moved.push((trip.clone(), route.vehicle_id.clone()));
                without.routes.push(route);
                without
                    .routes
                    .sort_by(|a, b| a.vehicle_id.cmp(&b.vehicle_id));
                without.pinned.retain(|p| p != trip);
                plan = without;
            }
            None => stranded.push(trip.clone()),
        }
    }
    Ok((plan, moved, stranded))
}
