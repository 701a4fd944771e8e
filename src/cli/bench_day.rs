//! The second half of `dispecer bench transport-day`: same-day insertions into the planned
//! day. Candidates are new riders' trips and meal deliveries on the same day (not stored: only
//! timed); each is inserted into the planned day as it was stored (not cumulatively), the way a
//! booking made during the day meets the plan. The time is that of the solver's insertion
//! (`routing::darp::insert`, which validates the instance, tries every position of every route
//! and checks the schedule); the service adds the day's matrix and storing around it.

use std::time::Instant;

use anyhow::Context;
use hdrhistogram::Histogram;

use super::plan::DayBench;
use crate::state::AppState;
use crate::transport::demo;
use crate::transport::model::{DayPlan, Trip};
use crate::transport::rules::engine;

/// Distinct candidate trips (a fifth of them meals); the insertions cycle over them.
const CANDIDATES: usize = 200;

/// Times `args.insertions` same-day insertions into `plan` and prints p50/p99/max.
pub(super) async fn insertions(
    state: &AppState,
    args: &DayBench,
    plan: &DayPlan,
    day_trips: &[Trip],
) -> anyhow::Result<()> {
    if args.insertions == 0 {
        return Ok(());
    }
    let network = state.network.get().cloned();
    let n = CANDIDATES.min(args.insertions);
    let meals = n / 5;
    let (extra_riders, mut candidates) =
        demo::day(n - meals, plan.date, args.seed + 1, network.as_deref());
    // New riders: their ids must not collide with the day's.
    for t in &mut candidates {
        t.rider_id = format!("X-{}", t.rider_id);
    }
    candidates.extend(demo::meal_round(
        plan.date,
        meals,
        args.seed + 77,
        network.as_deref(),
    ));
    let mut riders = state.transport.riders_by_id().await?;
    for mut r in extra_riders {
        r.id = format!("X-{}", r.id);
        riders.insert(r.id.clone(), r);
    }
    let vehicles = state.transport.store.vehicles().await?;
    let config = state.config.transport.clone();
    let mut all = day_trips.to_vec();
    all.extend(candidates.iter().cloned());
    let plan = plan.clone();
    let count = args.insertions;
    tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
        let source = engine::travel_source(network);
        let built = engine::build(
            &all,
            &riders,
            &vehicles,
            &config,
            source.as_ref(),
            "insertions".into(),
        );
        let base = engine::to_darp(&built, &plan);
        let base_ok = routing::darp::verify(&built.instance, &base).feasible();
        let requests: Vec<usize> = candidates
            .iter()
            .filter_map(|t| built.request_of(&t.id))
            .collect();
        anyhow::ensure!(!requests.is_empty(), "no candidate trip could be built");
        let mut hist = Histogram::<u64>::new(3).context("histogram")?;
        let (mut placed, mut refused, mut checked, mut rejected) = (0, 0, 0, 0);
        for k in 0..count {
            let r = requests[k % requests.len()];
            let t0 = Instant::now();
            let out = routing::darp::insert(&built.instance, &base, r);
            hist.record(t0.elapsed().as_micros().max(1) as u64)?;
            match out {
                Ok(p) => {
                    placed += 1;
                    // Each distinct result once through the independent checker (not timed).
                    if k < requests.len() {
                        checked += 1;
                        if !routing::darp::verify(&built.instance, &p).feasible() {
                            rejected += 1;
                        }
                    }
                }
                Err(_) => refused += 1,
            }
        }
        let ms = |q: f64| hist.value_at_quantile(q) as f64 / 1000.0;
        println!(
            "same-day insertion into the planned day ({} candidates, {} of them meals; base plan {}): {count} insertions, p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms; {placed} placed, {refused} refused (no room); checker: {}/{checked} results feasible",
            requests.len(),
            meals,
            if base_ok { "feasible" } else { "INFEASIBLE" },
            ms(0.5),
            ms(0.99),
            hist.max() as f64 / 1000.0,
            checked - rejected,
        );
        Ok(())
    })
    .await??;
    Ok(())
}
