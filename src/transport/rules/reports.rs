//! Reports: trips per day, on-time percentage (picked up within the promised window), no-shows,
//! kilometres and hours per vehicle; JSON for the console's chart and CSV for spreadsheets.
//! Aggregates only: no names, phone numbers or addresses.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use super::clock::local_seconds;
use crate::transport::model::{DayPlan, Trip, TripKind, TripStatus, VehicleDay};

#[derive(Debug, Default, Serialize, PartialEq, utoipa::ToSchema)]
pub(crate) struct DayRow {
    pub date: NaiveDate,
    pub booked: usize,
    pub cancelled: usize,
    pub planned: usize,
    pub unserved: usize,
    pub done: usize,
    pub no_shows: usize,
    /// Picked up within [promised − early, promised + late].
    pub on_time: usize,
    /// Picked up and with a promised time (the on-time denominator).
    pub measured: usize,
    pub on_time_pct: Option<f64>,
    /// Meals not delivered because nobody opened the door (each raised a welfare check).
    pub not_at_home: usize,
    /// The same counts per kind of trip (`trip`, `meal`, `shuttle`, `supply`): the Mobilitate
    /// unit's runs reported with the rest. Kinds without a trip that day are left out.
    pub kinds: BTreeMap<TripKind, KindRow>,
}

/// One kind's trips on a day.
#[derive(Debug, Default, Serialize, PartialEq, utoipa::ToSchema)]
pub(crate) struct KindRow {
    pub booked: usize,
    pub cancelled: usize,
    pub done: usize,
    pub no_shows: usize,
    pub not_at_home: usize,
}

#[derive(Debug, Default, Serialize, PartialEq, utoipa::ToSchema)]
pub(crate) struct VehicleRow {
    pub vehicle_id: String,
    pub trips: usize,
    /// Planned: the length of the planned routes.
    pub km: f64,
    /// Planned: from the first to the last planned stop, summed over the days.
    pub hours: f64,
    /// Driven, from the tablet's GPS fixes ([`super::odometer`]).
    pub driven_km: f64,
    /// In service, from the tablet's GPS fixes: time between fixes at most 10 min apart.
    pub driven_hours: f64,
}

#[derive(Debug, Default, Serialize, utoipa::ToSchema)]
pub(crate) struct Report {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub days: Vec<DayRow>,
    pub vehicles: Vec<VehicleRow>,
}

/// The report over some days (pure: trips and plans in, figures out).
pub(crate) fn compute(
    days: &[(NaiveDate, Vec<Trip>, Option<DayPlan>)],
    driven: &[VehicleDay],
    zone: chrono_tz::Tz,
    early_min: i64,
    late_min: i64,
) -> Report {
    let mut report = Report::default();
    let mut vehicles: BTreeMap<String, VehicleRow> = BTreeMap::new();
    for d in driven {
        let v = vehicles
            .entry(d.vehicle_id.clone())
            .or_insert_with(|| VehicleRow {
                vehicle_id: d.vehicle_id.clone(),
                ..VehicleRow::default()
            });
        v.driven_km += d.metres / 1000.0;
        v.driven_hours += d.seconds / 3600.0;
    }
    for (date, trips, plan) in days {
        let mut row = DayRow {
            date: *date,
            ..DayRow::default()
        };
        for t in trips {
            row.booked += 1;
            let promised = plan.as_ref().and_then(|p| p.promised_s(&t.id));
            let kind = row.kinds.entry(t.kind).or_default();
            kind.booked += 1;
            match t.status {
                TripStatus::Cancelled => {
                    row.cancelled += 1;
                    kind.cancelled += 1;
                }
                TripStatus::NoShow => {
                    row.no_shows += 1;
                    kind.no_shows += 1;
                }
                TripStatus::DroppedOff => {
                    row.done += 1;
                    kind.done += 1;
                }
                TripStatus::NotAtHome => {
                    row.not_at_home += 1;
                    kind.not_at_home += 1;
                }
                _ => {}
            }
            if t.status != TripStatus::Cancelled && promised.is_some() {
                row.planned += 1;
            }
            if let (Some(p), Some(at)) = (promised, t.picked_up_at) {
                row.measured += 1;
                let s = local_seconds(zone, at);
                if s >= p - early_min as f64 * 60.0 && s <= p + late_min as f64 * 60.0 {
                    row.on_time += 1;
                }
            }
        }
        if let Some(plan) = plan {
            row.unserved = plan.unserved.len();
            for r in &plan.routes {
                let v = vehicles
                    .entry(r.vehicle_id.clone())
                    .or_insert_with(|| VehicleRow {
                        vehicle_id: r.vehicle_id.clone(),
                        ..VehicleRow::default()
                    });
                v.trips += r.stops.iter().filter(|s| s.pickup).count();
                v.km += r.metres / 1000.0;
                if let (Some(first), Some(last)) = (r.stops.first(), r.stops.last()) {
                    v.hours += (last.time_s - first.time_s).max(0.0) / 3600.0;
                }
            }
        }
        row.on_time_pct = (row.measured > 0)
            .then(|| (1000.0 * row.on_time as f64 / row.measured as f64).round() / 10.0);
        report.days.push(row);
    }
    for v in vehicles.values_mut() {
        v.km = (v.km * 10.0).round() / 10.0;
        v.hours = (v.hours * 10.0).round() / 10.0;
        v.driven_km = (v.driven_km * 10.0).round() / 10.0;
        v.driven_hours = (v.driven_hours * 10.0).round() / 10.0;
    }
    report.vehicles = vehicles.into_values().collect();
    report
}

/// Two tables in one file: days, a blank line, then vehicles.
pub(crate) fn to_csv(report: &Report) -> String {
    let mut out = String::from(
        "date,booked,cancelled,planned,unserved,done,no_shows,on_time,measured,on_time_pct\n",
    );
    for d in &report.days {
        out.push_str(&format!(
            "{},{},{},{},{},{},{},{},{},{}\n",
            d.date,
            d.booked,
            d.cancelled,
            d.planned,
            d.unserved,
            d.done,
            d.no_shows,
            d.on_time,
            d.measured,
            d.on_time_pct.map(|p| p.to_string()).unwrap_or_default()
        ));
    }
    out.push_str("\nvehicle,trips,planned_km,planned_hours,driven_km,driven_hours\n");
    for v in &report.vehicles {
        out.push_str(&format!(
            "{},{},{},{},{},{}\n",
            v.vehicle_id, v.trips, v.km, v.hours, v.driven_km, v.driven_hours
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::model::{PlanStop, Spot, TimingKind, VehicleRoute};
    use chrono::{NaiveTime, TimeZone, Utc};
    use routing::travel::LonLat;

    fn trip(id: &str, status: TripStatus, picked_up_utc: Option<(u32, u32)>) -> Trip {
        let spot = Spot {
            address: "x".into(),
            position: LonLat::new(21.2, 45.75),
        };
        Trip {
            id: id.into(),
            rider_id: "R".into(),
            date: NaiveDate::from_ymd_opt(2026, 7, 1).unwrap(),
            series_id: None,
            is_return: false,
            pickup: spot.clone(),
            dropoff: spot,
            timing: TimingKind::PickupAt,
            time: NaiveTime::from_hms_opt(8, 0, 0).unwrap(),
            status,
            booked_by: "t".into(),
            booked_at: Utc::now(),
            arrived_at: None,
            picked_up_at: picked_up_utc
                .map(|(h, m)| Utc.with_ymd_and_hms(2026, 7, 1, h, m, 0).unwrap()),
            dropped_off_at: None,
            no_show_reason: None,
            cancellation: None,
            sms_answer: None,
            kind: crate::transport::model::TripKind::Trip,
            run: None,
        }
    }

    #[test]
    fn on_time_means_picked_up_inside_the_promised_window_in_local_time() {
        // Promised 08:00 local (05:00 UTC in summer, Bucharest UTC+3); margins -5/+15 min.
        let stop = |id: &str| PlanStop {
            trip_id: id.into(),
            pickup: true,
            time_s: 8.0 * 3600.0,
        };
        let plan = DayPlan {
            date: NaiveDate::from_ymd_opt(2026, 7, 1).unwrap(),
            version: 1,
            computed_at: Utc::now(),
            routes: vec![VehicleRoute {
                vehicle_id: "VAN-01".into(),
                stops: vec![stop("a"), stop("b"), stop("c"), stop("d")],
                metres: 12_345.0,
            }],
            unserved: vec![],
            pinned: vec![],
            problems: vec![],
            solve_ms: 0,
            promised: Default::default(),
        };
        let trips = vec![
            trip("a", TripStatus::DroppedOff, Some((5, 10))),
            trip("b", TripStatus::DroppedOff, Some((5, 16))),
            trip("c", TripStatus::DroppedOff, Some((4, 54))),
            trip("d", TripStatus::NoShow, None),
        ];
        let driven = [VehicleDay {
            vehicle_id: "VAN-01".into(),
            date: plan.date,
            metres: 15_049.0,
            seconds: 5.5 * 3600.0,
            fixes: 3960,
        }];
        let r = compute(
            &[(plan.date, trips, Some(plan))],
            &driven,
            chrono_tz::Europe::Bucharest,
            5,
            15,
        );
        let d = &r.days[0];
        assert_eq!((d.measured, d.on_time, d.no_shows, d.done), (3, 1, 1, 3));
        assert_eq!(d.on_time_pct, Some(33.3));
        assert_eq!(r.vehicles[0].km, 12.3);
        assert_eq!(
            (r.vehicles[0].driven_km, r.vehicles[0].driven_hours),
            (15.0, 5.5)
        );
    }
}
