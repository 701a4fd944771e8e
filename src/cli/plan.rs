//! `dispecer plan --date YYYY-MM-DD` (the day plan, printed per vehicle) and
//! `dispecer bench transport-day` (a synthetic ≈150-trip day planned through the same path,
//! then driven in a simulation to check the on-time promise).

use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::NaiveDate;
use tokio_util::sync::CancellationToken;

use crate::config::Config;
use crate::state::AppState;
use crate::transport::http::shared::ctx;
use crate::transport::model::{clock, DayPlan};
use crate::transport::rules::{engine, sim};
use crate::transport::service::{demo, planning};
use crate::{startup, telemetry};

/// Waits for the road network when routing is enabled (the CLI has nothing else to do).
async fn wait_for_network(state: &AppState) {
    if !state.config.routing.enabled {
        println!("road network disabled: straight-line travel estimates");
        return;
    }
    let t0 = Instant::now();
    println!("loading the road network…");
    while state.network.get().is_none() && t0.elapsed() < Duration::from_secs(900) {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    match state.network.get() {
        Some(_) => println!("road network ready ({:.1} s)", t0.elapsed().as_secs_f64()),
        None => println!("road network unavailable: straight-line travel estimates"),
    }
}

/// Prints a plan per vehicle (ids and times; the manifests with names are in the console).
pub fn print_plan(plan: &DayPlan) {
    for r in &plan.routes {
        let pickups = r.stops.iter().filter(|s| s.pickup).count();
        println!(
            "{}: {} trips, {:.1} km",
            r.vehicle_id,
            pickups,
            r.metres / 1000.0
        );
        for s in &r.stops {
            let what = if s.pickup { "pick-up " } else { "drop-off" };
            println!("  {}  {what}  {}", clock(s.time_s), s.trip_id);
        }
    }
    for u in &plan.unserved {
        println!("unserved {}: {}", u.trip_id, u.reason);
    }
    println!(
        "checker: {}",
        if plan.problems.is_empty() {
            "feasible".to_owned()
        } else {
            plan.problems.join("; ")
        }
    );
}

/// `dispecer plan --date D [--seconds S]`.
pub async fn plan(
    config_file: Option<&Path>,
    date: &str,
    seconds: Option<f64>,
) -> anyhow::Result<()> {
    let date: NaiveDate = date
        .parse()
        .with_context(|| format!("--date must look like 2026-11-30, got {date}"))?;
    let config = Config::load(config_file)?;
    telemetry::init(&config.log);
    let seconds = seconds.unwrap_or(config.transport.plan_seconds);
    let shutdown = CancellationToken::new();
    let state = startup::build(config, shutdown.clone()).await?;
    wait_for_network(&state).await;
    let result = planning::plan_day(ctx(&state), "system", date, seconds, &mut |line: &str| {
        println!("{line}")
    })
    .await;
    let plan = result.map_err(|e| anyhow::anyhow!("planning {date}: {e}"))?;
    print_plan(&plan);
    shutdown.cancel();
    Ok(())
}

/// What `dispecer bench transport-day` plans and times.
#[derive(Clone, Copy, Debug)]
pub struct DayBench {
    /// Trips of the day, meal deliveries included.
    pub trips: usize,
    pub vehicles: u32,
    /// Meal deliveries among `trips`, in rounds of at most 15 from the social canteen.
    pub meals: usize,
    /// Same-day insertions timed after planning.
    pub insertions: usize,
    pub seconds: f64,
    pub seed: u64,
}

/// `dispecer bench transport-day`.
pub async fn bench_day(args: DayBench) -> anyhow::Result<()> {
    let DayBench {
        trips,
        vehicles: fleet_size,
        meals,
        seconds,
        seed,
        ..
    } = args;
    anyhow::ensure!(meals <= trips, "--meals must be at most --trips");
    anyhow::ensure!(fleet_size >= 1, "--vehicles must be at least 1");
    let dir = tempfile::tempdir()?;
    let mut config = Config::load(None)?;
    config.store.url = format!("sqlite://{}", dir.path().join("bench.sqlite").display()).into();
    config.store.sqlite_synchronous = "NORMAL".into();
    config.sms.account_sid.clear();
    let shutdown = CancellationToken::new();
    let state = startup::build(config, shutdown.clone()).await?;
    wait_for_network(&state).await;
    let store = &state.transport.store;
    for v in demo::fleet_of(fleet_size, &state.config.transport) {
        store.put_vehicle(&v).await?;
    }
    let (today, _) = crate::transport::local_now(&state);
    let date = today + chrono::Duration::days(1);
    let network = state.network.get().cloned();
    let (riders, mut day_trips) = demo::day(trips - meals, date, seed, network.as_deref());
    let rounds = meals.div_ceil(15);
    for k in 0..rounds {
        let n = meals / rounds + usize::from(k < meals % rounds);
        day_trips.extend(demo::meal_round(
            date,
            n,
            seed * 100 + k as u64,
            network.as_deref(),
        ));
    }
    for r in &riders {
        store.put_rider(r).await?;
    }
    store.insert_trips(&day_trips).await?;
    let wheelchairs = day_trips
        .iter()
        .filter(|t| {
            riders.iter().any(|r| {
                r.id == t.rider_id && r.mobility == crate::transport::model::Mobility::Wheelchair
            })
        })
        .count();
    println!(
        "synthetic day {date}: {} trips: {} rider trips by {} riders ({wheelchairs} wheelchair trips) and {meals} meal deliveries in {rounds} rounds; {fleet_size} vehicles",
        day_trips.len(),
        day_trips.len() - meals,
        riders.len()
    );
    let t0 = Instant::now();
    let plan = planning::plan_day(ctx(&state), "system", date, seconds, &mut |l: &str| {
        println!("  {l}")
    })
    .await
    .map_err(|e| anyhow::anyhow!("planning: {e}"))?;
    let plan_s = t0.elapsed().as_secs_f64();
    let km: f64 = plan.routes.iter().map(|r| r.metres).sum::<f64>() / 1000.0;
    let served = plan
        .routes
        .iter()
        .flat_map(|r| &r.stops)
        .filter(|s| s.pickup)
        .count();
    let meal_ids: std::collections::HashSet<&str> = day_trips
        .iter()
        .filter(|t| t.kind.is_goods())
        .map(|t| t.id.as_str())
        .collect();
    let meals_served = plan
        .routes
        .iter()
        .flat_map(|r| &r.stops)
        .filter(|s| s.pickup && meal_ids.contains(s.trip_id.as_str()))
        .count();
    println!(
        "plan: {:.1} s end to end (matrix + search {} ms + checks + storing), served {served}/{} trips (meals {meals_served}/{meals}), {} unserved, {km:.1} km, checker {}",
        plan_s,
        plan.solve_ms,
        day_trips.len(),
        plan.unserved.len(),
        if plan.problems.is_empty() { "feasible" } else { "INFEASIBLE" }
    );
    super::bench_day::insertions(&state, &args, &plan, &day_trips).await?;
    // The simulation drives the same instance the plan was made on.
    let riders_by_id: HashMap<_, _> = riders.iter().map(|r| (r.id.clone(), r.clone())).collect();
    let vehicles = store.vehicles().await?;
    let config = state.config.transport.clone();
    let built = tokio::task::spawn_blocking(move || {
        let source = engine::travel_source(network);
        engine::build(
            &day_trips,
            &riders_by_id,
            &vehicles,
            &config,
            source.as_ref(),
            "sim".into(),
        )
    })
    .await?;
    let late_s = state.config.transport.promise_late_minutes as f64 * 60.0;
    for (low, high) in [(0.8, 1.1), (0.9, 1.25), (1.0, 1.4)] {
        let r = sim::simulate(&built, &plan, late_s, low, high, seed);
        println!(
            "simulated day, legs x{low}-{high}: {}/{} pick-ups on time ({:.1} %), mean late {:.1} min, max late {:.1} min (promise: +{} min)",
            r.on_time,
            r.pickups,
            r.on_time_pct(),
            r.mean_late_s / 60.0,
            r.max_late_s / 60.0,
            state.config.transport.promise_late_minutes
        );
    }
    shutdown.cancel();
    Ok(())
}
