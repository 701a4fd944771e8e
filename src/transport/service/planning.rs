//! The day plan: computing it (the `dispecer plan` command and `POST /api/v1/transport/plans/
//! {date}`), reading it with what its manifests need, and the evening-before reminders (moving a
//! trip by hand is in [`super::placing`]).

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use chrono::NaiveDate;
use routing::darp::{started_only, StopId};
use tracing::info;

use super::handle::{Ctx, Transport};
use super::plan_edit::{build_day, day_trips, freeze_started};
use super::{live, messages};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::events::TransportReason;
use crate::transport::model::{DayPlan, Rider, Trip};
use crate::transport::rules::clock;
use crate::transport::rules::engine::{self, Built};
use crate::transport::rules::fits::{drop_trips, fit_on};

/// Plans a day anew and stores the plan (a new version), logs a `replan` change for `actor`,
/// then queues the confirmations. On a day under way, what has started stays where it is (see
/// [`freeze_started`]) and the rest is planned around it. `progress` receives one line per step.
pub(crate) async fn plan_day(
    ctx: Ctx<'_>,
    actor: &str,
    date: NaiveDate,
    seconds: f64,
    progress: &mut (dyn FnMut(&str) + Send),
) -> Result<DayPlan> {
    let transport = ctx.transport;
    let _guard = transport.plan_lock.lock().await;
    let all = transport.store.trips_on(date).await?;
    let previous = transport.store.plan(date).await?;
    let live = all.iter().filter(|t| t.status.is_live()).count();
    progress(&format!("{date}: {live} trips to plan"));
    let built = build_day(ctx, date, day_trips(&all, previous.as_ref())).await?;
    // What has started stays as it is: on a running day, the stops done or under way head their
    // vehicle's route; everything after them is planned anew.
    let (today, now_s) = ctx.local_now();
    let now = (date == today).then_some(now_s);
    let start = match &previous {
        Some(prev) => {
            let frozen = started_only(&freeze_started(&built, prev, &all, now)?);
            let kept: usize = frozen.routes.iter().map(|r| r.fixed.len()).sum();
            if kept > 0 {
                progress(&format!(
                    "{kept} stops done or under way stay where they are"
                ));
            }
            Some(frozen)
        }
        None => None,
    };
    let finished = finished_outside(&built, start.as_ref(), &all);
    progress(&format!(
        "travel matrix {}x{} ready ({})",
        built.instance.matrix.n,
        built.instance.matrix.n,
        if ctx.network.get().is_some() {
            "road network"
        } else {
            "straight-line estimate: road network not loaded"
        }
    ));
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<String>();
    let task = tokio::task::spawn_blocking(move || {
        let mut report = |line: &str| {
            let _ = tx.send(line.to_owned());
        };
        let plan =
            engine::solve(&built, start.as_ref(), date, seconds, &mut report).map(|mut plan| {
                // A trip done before the plan's stored start stays out of the new plan.
                drop_trips(&built, &mut plan, &finished);
                plan
            });
        (built, plan)
    });
    while let Some(line) = rx.recv().await {
        progress(&line);
    }
    let (built, plan) = task
        .await
        .map_err(|e| Error::Internal(anyhow::anyhow!("planning task: {e}")))?;
    let mut plan = plan.map_err(Error::Internal)?;
    if let Some(prev) = &previous {
        keep_pins(&built, &mut plan, prev, (&all, now), progress);
    }
    plan.version = previous.as_ref().map_or(1, |p| p.version + 1);
    if !transport.store.put_plan(&plan).await? {
        return Err(Error::Conflict(
            "the plan changed meanwhile; run again".into(),
        ));
    }
    info!(%date, version = plan.version, unserved = plan.unserved.len(), "day planned");
    let vehicles = plan.routes.iter().map(|r| r.vehicle_id.clone()).collect();
    let at = (plan.date, plan.version);
    live::plan_changed(ctx, actor, TransportReason::Replan, at, vehicles, vec![]).await?;
    let riders = transport.riders_by_id().await?;
    let late = ctx.config.transport.promise_late_minutes;
    let msgs = messages::confirmations(&transport.templates, &plan, &all, &riders, late);
    let new = transport.sms.enqueue(&msgs).await?;
    progress(&format!(
        "stored plan version {}; {new} new confirmations queued ({} promised times unchanged)",
        plan.version,
        msgs.len() - new
    ));
    Ok(plan)
}

/// A new run keeps the trips a dispatcher pinned on their vehicle: each is moved back there
/// (cheapest feasible place) and stays pinned; a pin that no longer fits is reported and dropped.
fn keep_pins(
    built: &Built,
    plan: &mut DayPlan,
    previous: &DayPlan,
    started: (&[Trip], Option<f64>),
    progress: &mut (dyn FnMut(&str) + Send),
) {
    // The new plan, its started part frozen again: no pin goes before it.
    let Ok(mut current) = freeze_started(built, plan, started.0, started.1) else {
        progress("pins not re-applied: the new plan could not be frozen");
        return;
    };
    let mut kept = Vec::new();
    for trip in &previous.pinned {
        let (Some(vehicle), Some(r)) = (previous.vehicle_of(trip), built.request_of(trip)) else {
            continue;
        };
        let Some(v) = built.vehicle_ids.iter().position(|id| id == vehicle) else {
            continue;
        };
        match current.locate(StopId::pickup(r)) {
            Some((u, _)) if u == v => {
                kept.push(trip.clone());
                continue;
            }
            // Started on another vehicle (frozen there): the pin no longer holds.
            Some((u, at)) if at < current.routes[u].fixed.len() => {
                progress(&format!(
                    "pin of {trip} on {vehicle}: started on another vehicle, dropped"
                ));
                continue;
            }
            _ => {}
        }
        match fit_on(built, &current, r, v) {
            Ok((p, _)) => {
                current = p;
                kept.push(trip.clone());
            }
            Err(code) => progress(&format!(
                "pin of {trip} on {vehicle} no longer fits ({code}): dropped"
            )),
        }
    }
    if kept.is_empty() {
        return;
    }
    let fresh = engine::to_day_plan(built, &current, plan.date, plan.version);
    if fresh.problems.is_empty() {
        plan.routes = fresh.routes;
        plan.unserved.retain(|u| !kept.contains(&u.trip_id));
        plan.pinned = kept;
        progress(&format!(
            "{} pinned trips kept on their vehicles",
            plan.pinned.len()
        ));
    }
}

/// The trips of `built` that are not live any more and not in a frozen prefix of `start`: done
/// trips the stored plan held where nothing could be frozen (a vehicle gone, a route no longer
/// feasible as stored). They are not planned again.
fn finished_outside(
    built: &Built,
    start: Option<&routing::darp::Plan>,
    trips: &[Trip],
) -> HashSet<String> {
    let frozen: HashSet<&str> = start
        .into_iter()
        .flat_map(|p| &p.routes)
        .flat_map(|r| &r.stops)
        .map(|s| built.trip_ids[s.request()].as_str())
        .collect();
    trips
        .iter()
        .filter(|t| !t.status.is_live() && !frozen.contains(t.id.as_str()))
        .filter(|t| built.request_of(&t.id).is_some())
        .map(|t| t.id.clone())
        .collect()
}

/// A stored plan with the trips of its day and the riders, by id (what its manifests show).
pub(crate) struct DayView {
    pub plan: DayPlan,
    pub trips: HashMap<String, Trip>,
    pub riders: HashMap<String, Rider>,
}

/// The stored plan of a day (404 without one), with its trips and the riders.
pub(crate) async fn day_view(transport: &Transport, date: NaiveDate) -> Result<DayView> {
    let plan = transport
        .store
        .plan(date)
        .await?
        .ok_or_else(|| Error::NotFound("plan".into()))?;
    let trips: HashMap<String, Trip> = transport
        .store
        .trips_on(date)
        .await?
        .into_iter()
        .map(|t| (t.id.clone(), t))
        .collect();
    let riders = transport.riders_by_id().await?;
    Ok(DayView {
        plan,
        trips,
        riders,
    })
}

/// Queues the evening-before reminders of a planned day's live trips; returns how many were new.
pub(crate) async fn queue_reminders(transport: &Transport, date: NaiveDate) -> Result<usize> {
    let Some(plan) = transport.store.plan(date).await? else {
        return Ok(0);
    };
    let riders = transport.riders_by_id().await?;
    let msgs: Vec<_> = transport
        .store
        .trips_on(date)
        .await?
        .iter()
        .filter(|t| t.status.is_live())
        .filter_map(|t| {
            messages::reminder(
                &transport.templates,
                t,
                riders.get(&t.rider_id)?,
                plan.promised_s(&t.id)?,
            )
        })
        .collect();
    Ok(transport.sms.enqueue(&msgs).await?)
}

/// Queues tomorrow's reminders from `transport.reminder_time` (local) on, checking every minute
/// so that a plan made later in the evening is reminded too. Idempotent keys make the repeats, a
/// restart or a second instance harmless.
pub(crate) fn start_reminder_task(
    transport: Transport,
    config: Arc<Config>,
    shutdown: tokio_util::sync::CancellationToken,
) {
    tokio::spawn(async move {
        loop {
            let (today, now_s) = clock::local_now(clock::zone(&config));
            let due = engine::seconds_of(config.transport.reminder_time);
            if let (true, Some(tomorrow)) = (now_s >= due, today.succ_opt()) {
                match queue_reminders(&transport, tomorrow).await {
                    Ok(0) => {}
                    Ok(n) => info!(date = %tomorrow, queued = n, "reminders queued"),
                    Err(e) => tracing::warn!(error = %e, "queueing reminders failed"),
                }
            }
            tokio::select! {
                _ = shutdown.cancelled() => break,
                _ = tokio::time::sleep(std::time::Duration::from_secs(60)) => {}
            }
        }
    });
}
