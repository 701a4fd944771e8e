//! The Mobilitate unit's runs as trips of other kinds: a meal round (canteen meals delivered to
//! homes and centres, each stop in its window), a day-centre shuttle (a group with escorts, to
//! the centre by its start and back at its end) and a supply run (a warehouse to a centre). Pure:
//! a checked request and the registry in, the trips to store out, or a 422 naming the field.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveTime};

use super::booking::spot;
use crate::domain::parse;
use crate::error::{Error, Result};
use crate::transport::model::{
    PlaceKind, Rider, RunDetails, Spot, TimingKind, Trip, TripKind, TripStatus, Vehicle,
};
use routing::darp::Load;

/// Stops of one meal round or supply run at most (a van's morning).
pub(crate) const MAX_STOPS: usize = 60;
/// Riders of one shuttle at most.
pub(crate) const MAX_GROUP: usize = 20;
/// How long before the centre opens the escorts may be collected for the morning run.
const ESCORT_LEAD_S: i64 = 2 * 3600;

/// A place as sent: an address with its position.
#[derive(Debug, Default)]
pub(crate) struct PlaceIn {
    pub address: Option<String>,
    pub lon: Option<f64>,
    pub lat: Option<f64>,
}

impl PlaceIn {
    fn parse(self, field: &str) -> Result<Spot> {
        match (self.address, self.lon, self.lat) {
            (Some(a), Some(lon), Some(lat)) => spot(field, &a, lon, lat),
            _ => Err(Error::validation(field, "needs address, lon and lat")),
        }
    }
}

/// One delivery of a meal round or supply run.
#[derive(Debug, Default)]
pub(crate) struct StopIn {
    /// The registered client the meal is for (their home unless `place` is given).
    pub rider: Option<String>,
    /// Who or what the stop serves when no rider is named (a centre).
    pub label: Option<String>,
    pub place: Option<PlaceIn>,
    /// The delivery window.
    pub from: NaiveTime,
    pub to: NaiveTime,
}

/// A run as asked for; which fields are needed depends on `kind`.
#[derive(Debug, Default)]
pub(crate) struct RunIn {
    pub kind: String,
    pub date: NaiveDate,
    pub label: Option<String>,
    /// Meal and supply: the canteen or the warehouse.
    pub origin: Option<PlaceIn>,
    /// Meal and supply: when the goods are ready there.
    pub ready_at: Option<NaiveTime>,
    pub stops: Vec<StopIn>,
    /// Shuttle: the day centre, its opening and closing times, the group and its escorts.
    pub centre: Option<PlaceIn>,
    pub starts_at: Option<NaiveTime>,
    pub ends_at: Option<NaiveTime>,
    pub riders: Vec<String>,
    pub escorts: u32,
    /// Shuttle: where the escorts join and leave (the fleet's depot when absent).
    pub escorts_from: Option<PlaceIn>,
}

/// What the rules need from the registry.
pub(crate) struct Registry<'a> {
    pub riders: &'a HashMap<String, Rider>,
    pub vehicles: &'a [Vehicle],
}

/// A checked run: its kind and id, and its trips (not stored yet).
#[derive(Debug)]
pub(crate) struct Run {
    pub kind: TripKind,
    pub run_id: String,
    pub trips: Vec<Trip>,
}

fn home(rider: &Rider) -> Option<Spot> {
    rider
        .places
        .iter()
        .find(|p| p.kind == PlaceKind::Home)
        .map(|p| p.spot.clone())
}

fn required<T>(value: Option<T>, field: &str, kind: &str) -> Result<T> {
    value.ok_or_else(|| Error::validation(field, format!("is required for a {kind} run")))
}

/// Checks a run and turns it into trips booked by `actor` (ids from `new_id`).
pub(crate) fn build(
    req: RunIn,
    reg: &Registry<'_>,
    actor: &str,
    now: chrono::DateTime<chrono::Utc>,
    new_id: &mut dyn FnMut(&str) -> String,
) -> Result<Run> {
    let kind = match TripKind::parse(&req.kind) {
        Some(k @ (TripKind::Meal | TripKind::Shuttle | TripKind::Supply)) => k,
        _ => return Err(Error::validation("kind", "must be meal, shuttle or supply")),
    };
    let label = parse::text("label", req.label.as_deref().unwrap_or(""), 120)?;
    let run_id = new_id("M");
    let details = |stop_label: String| RunDetails {
        run_id: run_id.clone(),
        label: stop_label,
        run_label: label.clone(),
        ..RunDetails::default()
    };
    let trip = |id: String, rider: &str, from: Spot, to: Spot, timing, time, run| Trip {
        id,
        rider_id: rider.to_owned(),
        date: req.date,
        series_id: None,
        is_return: false,
        pickup: from,
        dropoff: to,
        timing,
        time,
        status: TripStatus::Booked,
        booked_by: actor.to_owned(),
        booked_at: now,
        arrived_at: None,
        picked_up_at: None,
        dropped_off_at: None,
        no_show_reason: None,
        cancellation: None,
        sms_answer: None,
        kind,
        run: Some(run),
    };
    let mut trips = Vec::new();
    if kind.is_goods() {
        let origin = required(req.origin, "origin", kind.as_str())?.parse("origin")?;
        if req.stops.is_empty() || req.stops.len() > MAX_STOPS {
            return Err(Error::validation(
                "stops",
                format!("needs 1-{MAX_STOPS} stops"),
            ));
        }
        for (i, s) in req.stops.into_iter().enumerate() {
            let field = format!("stops[{i}]");
            if s.to <= s.from {
                return Err(Error::validation(
                    format!("{field}.to"),
                    "must be after from",
                ));
            }
            if req.ready_at.is_some_and(|r| r >= s.to) {
                return Err(Error::validation(
                    format!("{field}.to"),
                    "ends before the goods are ready (ready_at)",
                ));
            }
            let rider = match &s.rider {
                Some(id) => {
                    let id = parse::identifier(&format!("{field}.rider"), id, 32)?;
                    Some(reg.riders.get(&id).ok_or_else(|| {
                        Error::validation(format!("{field}.rider"), "no rider with this id")
                    })?)
                }
                None => None,
            };
            let stop_label = parse::text(
                &format!("{field}.label"),
                s.label.as_deref().unwrap_or(""),
                120,
            )?;
            if rider.is_none() && stop_label.is_empty() {
                return Err(Error::validation(
                    format!("{field}.label"),
                    "name the centre (or give a rider)",
                ));
            }
            let to = match (s.place, rider) {
                (Some(p), _) => p.parse(&format!("{field}.place"))?,
                (None, Some(r)) => home(r).ok_or_else(|| {
                    Error::validation(format!("{field}.place"), "the rider has no home place")
                })?,
                (None, None) => {
                    return Err(Error::validation(
                        format!("{field}.place"),
                        "is required without a rider",
                    ))
                }
            };
            let mut run = details(stop_label);
            run.window_from = Some(s.from);
            run.ready_at = req.ready_at;
            let rider_id = rider.map_or("", |r| r.id.as_str());
            let t = trip(
                new_id("T"),
                rider_id,
                origin.clone(),
                to,
                TimingKind::ArriveBy,
                s.to,
                run,
            );
            trips.push(t);
        }
        if !label.is_empty() {
            for t in &mut trips {
                if let Some(r) = t.run.as_mut().filter(|r| r.label.is_empty()) {
                    r.label = label.clone();
                }
            }
        }
    } else {
        let centre = required(req.centre, "centre", "shuttle")?.parse("centre")?;
        let starts = required(req.starts_at, "starts_at", "shuttle")?;
        let ends = required(req.ends_at, "ends_at", "shuttle")?;
        if ends <= starts {
            return Err(Error::validation("ends_at", "must be after starts_at"));
        }
        if req.riders.is_empty() || req.riders.len() > MAX_GROUP {
            return Err(Error::validation(
                "riders",
                format!("needs 1-{MAX_GROUP} riders"),
            ));
        }
        if req.escorts > 10 {
            return Err(Error::validation("escorts", "must be 0-10"));
        }
        let mut group = Load::seated(req.escorts);
        let mut seen = Vec::new();
        for (i, id) in req.riders.iter().enumerate() {
            let field = format!("riders[{i}]");
            let id = parse::identifier(&field, id, 32)?;
            if seen.contains(&id) {
                return Err(Error::validation(field, "is listed twice"));
            }
            let rider = reg
                .riders
                .get(&id)
                .ok_or_else(|| Error::validation(&field, "no rider with this id"))?;
            let home = home(rider)
                .ok_or_else(|| Error::validation(&field, "the rider has no home place"))?;
            group = group.plus(rider.load());
            let run = || details(label.clone());
            trips.push(trip(
                new_id("T"),
                &id,
                home.clone(),
                centre.clone(),
                TimingKind::ArriveBy,
                starts,
                run(),
            ));
            let mut back = trip(
                new_id("T"),
                &id,
                centre.clone(),
                home,
                TimingKind::PickupAt,
                ends,
                run(),
            );
            back.is_return = true;
            trips.push(back);
            seen.push(id);
        }
        // The whole group and its escorts travel together: one vehicle must hold them.
        if !reg.vehicles.iter().any(|v| v.can_carry(group)) {
            return Err(Error::validation(
                "escorts",
                "the group and its escorts fit in no vehicle of the fleet",
            ));
        }
        if req.escorts > 0 {
            let base = match req.escorts_from {
                Some(p) => p.parse("escorts_from")?,
                None => {
                    let depot = reg.vehicles.first().map(|v| v.depot).ok_or_else(|| {
                        Error::validation("escorts_from", "no vehicle (and depot) is registered")
                    })?;
                    Spot {
                        address: "Garaj (bază)".into(),
                        position: depot,
                    }
                }
            };
            let mut run = details(format!("Însoțitori ({})", req.escorts));
            run.escorts = req.escorts;
            run.ready_at = starts
                .overflowing_sub_signed(chrono::Duration::seconds(ESCORT_LEAD_S))
                .0
                .min(starts)
                .into();
            trips.push(trip(
                new_id("T"),
                "",
                base.clone(),
                centre.clone(),
                TimingKind::ArriveBy,
                starts,
                run.clone(),
            ));
            run.ready_at = None;
            let mut back = trip(
                new_id("T"),
                "",
                centre,
                base,
                TimingKind::PickupAt,
                ends,
                run,
            );
            back.is_return = true;
            trips.push(back);
        }
    }
    Ok(Run {
        kind,
        run_id,
        trips,
    })
}
