//! Reports over a range of days: the stored trips, plans and driven figures, summed by
//! [`crate::transport::rules::reports::compute`].

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate};

use super::handle::Ctx;
use crate::error::{Error, Result};
use crate::transport::model::Trip;
use crate::transport::rules::reports::{compute, Report};

/// The report over `from`..`to` (at most 366 days).
pub(crate) async fn report(ctx: Ctx<'_>, from: NaiveDate, to: NaiveDate) -> Result<Report> {
    if to < from || to - from > Duration::days(366) {
        return Err(Error::validation("to", "must be 0-366 days after from"));
    }
    let store = &ctx.transport.store;
    let mut by_day: BTreeMap<NaiveDate, Vec<Trip>> = BTreeMap::new();
    for t in store.trips_between(from, to).await? {
        by_day.entry(t.date).or_default().push(t);
    }
    let mut days = Vec::new();
    for (date, trips) in by_day {
        days.push((date, trips, store.plan(date).await?));
    }
    let c = &ctx.config.transport;
    let driven = store.vehicle_days(from, to).await?;
    let mut report = compute(
        &days,
        &driven,
        ctx.zone(),
        c.promise_early_minutes,
        c.promise_late_minutes,
    );
    report.from = Some(from);
    report.to = Some(to);
    Ok(report)
}
