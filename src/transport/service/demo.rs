//! Synthetic adapted-transport data: the fleet's vehicles with their drivers and shifts, and
//! invented riders (no real persons: names are "Beneficiar NNN", phone numbers are in the
//! reserved-for-tests style +4070000xxxx) with home points spread over Timișoara and recurring
//! trips to a handful of facilities.

use chrono::{NaiveDate, NaiveTime, Utc};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

use crate::config::TransportConfig;
use crate::store::{StoreError, TransportStore};
use crate::transport::eligibility::{Certificate, DisabilityDegree, DisabilityKind};
use crate::transport::model::{
    Mobility, PlaceKind, Rider, RiderPlace, RunDetails, Spot, TimingKind, Trip, TripKind,
    TripStatus, Vehicle,
};
use routing::network::RoadNetwork;
use routing::travel::LonLat;

/// The depot of the fleet (beside the DAS offices).
pub const DEPOT: LonLat = LonLat {
    lon: 21.2087,
    lat: 45.7537,
};

/// Facilities riders travel to (approximate public positions, labelled as demo).
const FACILITIES: [(PlaceKind, &str, f64, f64); 6] = [
    (
        PlaceKind::Dialysis,
        "Centru de dializă (demo), Bd. Iosif Bulbuca",
        21.2419,
        45.7386,
    ),
    (
        PlaceKind::Hospital,
        "Spitalul Județean (demo), Bd. Liviu Rebreanu",
        21.2396,
        45.7402,
    ),
    (
        PlaceKind::Hospital,
        "Spitalul Municipal (demo), Str. Gheorghe Dima",
        21.2303,
        45.7512,
    ),
    (
        PlaceKind::DayCentre,
        "Centru de zi (demo), Str. Lidia",
        21.2001,
        45.7622,
    ),
    (
        PlaceKind::DayCentre,
        "Centru de zi (demo), Calea Șagului",
        21.2139,
        45.7365,
    ),
    (
        PlaceKind::Other,
        "Policlinică (demo), Str. Paris",
        21.2198,
        45.7486,
    ),
];

/// The eight vehicles of the demo fleet: VAN-01..05 with a ramp and two wheelchair places,
/// VAN-06..08 with seven seats; each driven by SOFER-0N.
pub fn fleet(config: &TransportConfig) -> Vec<Vehicle> {
    fleet_of(8, config)
}

/// `n` vehicles in the demo fleet's proportions: five in eight with a ramp and two wheelchair
/// places besides four seats, the others with seven seats; each driven by SOFER-NN.
pub fn fleet_of(n: u32, config: &TransportConfig) -> Vec<Vehicle> {
    (1..=n)
        .map(|i| Vehicle {
            id: format!("VAN-{i:02}"),
            seats: if (i - 1) % 8 < 5 { 4 } else { 7 },
            wheelchair_places: if (i - 1) % 8 < 5 { 2 } else { 0 },
            ramp: (i - 1) % 8 < 5,
            depot: DEPOT,
            driver: Some(format!("SOFER-{i:02}")),
            shift_start: config.default_shift_start,
            shift_end: config.default_shift_end,
        })
        .collect()
}

/// Registers the demo fleet's vehicles (idempotent).
pub async fn seed_fleet(
    store: &dyn TransportStore,
    config: &TransportConfig,
) -> Result<(), StoreError> {
    for v in fleet(config) {
        store.put_vehicle(&v).await?;
    }
    Ok(())
}

/// `n` synthetic riders, deterministic for `seed`. With the road network, homes are real
/// address points (street and number from the map); without it, invented street names.
pub fn riders(n: usize, seed: u64, network: Option<&RoadNetwork>) -> Vec<Rider> {
    let mut rng = SmallRng::seed_from_u64(seed);
    let mut out = Vec::with_capacity(n);
    for i in 1..=n {
        let home = random_home(&mut rng, network, i);
        let mobility = match rng.random_range(0..20) {
            0..=6 => Mobility::Wheelchair,
            7..=9 => Mobility::Walker,
            _ => Mobility::Seated,
        };
        let (kind, label, lon, lat) = FACILITIES[rng.random_range(0..FACILITIES.len())];
        out.push(Rider {
            id: format!("R-{i:03}"),
            name: format!("Beneficiar {i:03}"),
            phone: Some(format!("+4070000{i:04}")),
            carer_phone: None,
            mobility,
            door_assistance: rng.random_bool(0.2),
            companion: mobility != Mobility::Wheelchair && rng.random_bool(0.2),
            notes: if rng.random_bool(0.3) {
                "Sunați înainte de sosire.".into()
            } else {
                String::new()
            },
            places: vec![
                RiderPlace {
                    kind: PlaceKind::Home,
                    spot: home,
                },
                RiderPlace {
                    kind,
                    spot: Spot {
                        address: label.into(),
                        position: LonLat::new(lon, lat),
                    },
                },
            ],
            certificate: Some(demo_certificate(i)),
        });
    }
    out
}

/// A synthetic certificate, from the rider's number only (the rider draws stay as they were):
/// about one in ten expires within the next 60 days, some are permanent.
fn demo_certificate(i: usize) -> Certificate {
    let today = Utc::now().date_naive();
    let degrees = [
        DisabilityDegree::Grav,
        DisabilityDegree::Accentuat,
        DisabilityDegree::Mediu,
    ];
    let kinds = [
        DisabilityKind::Fizic,
        DisabilityKind::Vizual,
        DisabilityKind::Asociat,
        DisabilityKind::Somatic,
    ];
    let valid_until = match i % 10 {
        3 => Some(today + chrono::Duration::days(10 + (i % 45) as i64)),
        0 | 5 => None,
        _ => Some(today + chrono::Duration::days(200 + (i * 37 % 700) as i64)),
    };
    Certificate {
        degree: degrees[i % degrees.len()],
        kind: kinds[i % kinds.len()],
        number: format!("{}/{}", 1000 + i, 2024 + (i % 3)),
        issued_by: "Comisia de evaluare a persoanelor adulte cu handicap Timiș (demo)".into(),
        valid_from: today - chrono::Duration::days(300 + (i % 200) as i64),
        valid_until,
    }
}

/// The social canteen the meal rounds start from (approximate public position, demo label).
pub const CANTEEN: (&str, f64, f64) = (
    "Cantina socială (demo), Str. Ion Ionescu de la Brad",
    21.2260,
    45.7530,
);

/// A meal round on `date`: `n` canteen meals (ready at 10:30) to synthetic homes, each in a
/// one-hour window between 11:00 and 13:30; no registered rider, a "Beneficiar masă" label.
pub fn meal_round(
    date: NaiveDate,
    n: usize,
    seed: u64,
    network: Option<&RoadNetwork>,
) -> Vec<Trip> {
    let mut rng = SmallRng::seed_from_u64(seed);
    let run_id = format!("M-{}", uuid::Uuid::now_v7().simple());
    let canteen = Spot {
        address: CANTEEN.0.into(),
        position: LonLat::new(CANTEEN.1, CANTEEN.2),
    };
    (0..n)
        .map(|i| {
            let home = random_home(&mut rng, network, 900 + i);
            let start = 660 + 10 * rng.random_range(0..=9u32);
            let end = start + 60;
            Trip {
                id: format!("T-{}", uuid::Uuid::now_v7().simple()),
                rider_id: String::new(),
                date,
                series_id: None,
                is_return: false,
                pickup: canteen.clone(),
                dropoff: home,
                timing: TimingKind::ArriveBy,
                time: hm(end / 60, end % 60),
                status: TripStatus::Booked,
                booked_by: "seed-demo".into(),
                booked_at: Utc::now(),
                arrived_at: None,
                picked_up_at: None,
                dropped_off_at: None,
                no_show_reason: None,
                cancellation: None,
                sms_answer: None,
                kind: TripKind::Meal,
                run: Some(RunDetails {
                    run_id: run_id.clone(),
                    label: format!("Beneficiar masă {:03}", seed % 100 * 100 + i as u64),
                    escorts: 0,
                    window_from: Some(hm(start / 60, start % 60)),
                    ready_at: Some(hm(10, 30)),
                    run_label: String::new(),
                }),
            }
        })
        .collect()
}

/// The day-centre shuttle of `date`: `group` to the centre in Str. Lidia by 09:00 and back at
/// 15:00, with one escort; checked like one created over the API.
fn shuttle(date: NaiveDate, group: &[Rider], vehicles: &[Vehicle]) -> Vec<Trip> {
    use crate::transport::rules::runs::{build, PlaceIn, Registry, RunIn};
    let (_, label, lon, lat) = FACILITIES[3];
    let by_id = group.iter().map(|r| (r.id.clone(), r.clone())).collect();
    let req = RunIn {
        kind: "shuttle".into(),
        date,
        label: Some("Navetă centru de zi (demo)".into()),
        centre: Some(PlaceIn {
            address: Some(label.into()),
            lon: Some(lon),
            lat: Some(lat),
        }),
        starts_at: Some(hm(9, 0)),
        ends_at: Some(hm(15, 0)),
        riders: group.iter().map(|r| r.id.clone()).collect(),
        escorts: 1,
        ..RunIn::default()
    };
    let reg = Registry {
        riders: &by_id,
        vehicles,
    };
    let mut new_id = |prefix: &str| format!("{prefix}-{}", uuid::Uuid::now_v7().simple());
    build(req, &reg, "seed-demo", Utc::now(), &mut new_id).map_or_else(|_| Vec::new(), |r| r.trips)
}

fn random_home(rng: &mut SmallRng, network: Option<&RoadNetwork>, i: usize) -> Spot {
    for _ in 0..200 {
        let p = LonLat::new(
            rng.random_range(21.18..21.26),
            rng.random_range(45.73..45.78),
        );
        let Some(net) = network else {
            return Spot {
                address: format!("Str. Exemplu nr. {i}"),
                position: p,
            };
        };
        let near_road = net.snap(p).is_some_and(|s| s.distance_m <= 50.0);
        if let (true, Some(a)) = (near_road, net.reverse(p).filter(|a| a.distance_m <= 60.0)) {
            if let Some(number) = a.housenumber {
                return Spot {
                    address: format!("{} {number}", a.street),
                    position: p,
                };
            }
        }
    }
    Spot {
        address: format!("Str. Exemplu nr. {i}"),
        position: LonLat::new(21.2087, 45.7537),
    }
}

fn hm(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap_or(NaiveTime::MIN)
}

/// The two trips of a rider on `date`: to their facility arriving by an appointment time (07:30
/// to 10:00 in 5-min steps) and back, picked up 3-5 hours later.
pub fn day_trips(
    rider: &Rider,
    date: NaiveDate,
    rng: &mut SmallRng,
    series: Option<String>,
) -> Vec<Trip> {
    let (Some(home), Some(dest)) = (rider.places.first(), rider.places.get(1)) else {
        return Vec::new();
    };
    let appt = 450 + 5 * rng.random_range(0..=30u32);
    let back = appt + 180 + 5 * rng.random_range(0..=24u32);
    let trip = |is_return: bool, timing, minutes: u32| Trip {
        id: format!("T-{}", uuid::Uuid::now_v7().simple()),
        rider_id: rider.id.clone(),
        date,
        series_id: series.clone(),
        is_return,
        pickup: if is_return {
            dest.spot.clone()
        } else {
            home.spot.clone()
        },
        dropoff: if is_return {
            home.spot.clone()
        } else {
            dest.spot.clone()
        },
        timing,
        time: hm(minutes / 60, minutes % 60),
        status: TripStatus::Booked,
        booked_by: "seed-demo".into(),
        booked_at: Utc::now(),
        arrived_at: None,
        picked_up_at: None,
        dropped_off_at: None,
        no_show_reason: None,
        cancellation: None,
        sms_answer: None,
        kind: crate::transport::model::TripKind::Trip,
        run: None,
    };
    vec![
        trip(false, TimingKind::ArriveBy, appt),
        trip(true, TimingKind::PickupAt, back),
    ]
}

/// Riders and their trips for one day: `trips` trips (pairs, the last rider may only go out).
pub fn day(
    trips: usize,
    date: NaiveDate,
    seed: u64,
    network: Option<&RoadNetwork>,
) -> (Vec<Rider>, Vec<Trip>) {
    let riders = riders(trips.div_ceil(2), seed, network);
    let mut rng = SmallRng::seed_from_u64(seed ^ 0x5eed);
    let mut out = Vec::new();
    for r in &riders {
        for t in day_trips(r, date, &mut rng, None) {
            if out.len() < trips {
                out.push(t);
            }
        }
    }
    (riders, out)
}

/// Demo riders with recurring bookings over the next `weeks` weeks from `from`: dialysis riders
/// Monday, Wednesday and Friday, the others every weekday. Skipped when riders exist already.
pub async fn seed_riders(
    store: &dyn TransportStore,
    from: NaiveDate,
    weeks: u32,
    network: Option<&RoadNetwork>,
) -> Result<usize, StoreError> {
    use chrono::Datelike;
    if !store.riders().await?.is_empty() {
        return Ok(0);
    }
    // Riders 41-44 go to the day centre on the Mobilitate shuttle, not on trips of their own.
    let everyone = riders(44, 7, network);
    let (riders, group) = everyone.split_at(40);
    // Seated, so that the group and its escort always fit one van.
    let group: Vec<Rider> = group
        .iter()
        .cloned()
        .map(|mut r| {
            r.mobility = Mobility::Seated;
            r.companion = false;
            r
        })
        .collect();
    let group = group.as_slice();
    let mut rng = SmallRng::seed_from_u64(11);
    let mut trips = Vec::new();
    for r in group {
        store.put_rider(r).await?;
    }
    let vehicles = store.vehicles().await?;
    for date in from.iter_days().take(7 * weeks as usize) {
        if date.weekday().num_days_from_monday() < 5 {
            trips.extend(meal_round(date, 8, 13, network));
            trips.extend(shuttle(date, group, &vehicles));
        }
    }
    for r in riders {
        store.put_rider(r).await?;
        let series = Some(format!("S-{}", uuid::Uuid::now_v7().simple()));
        let dialysis = r
            .places
            .get(1)
            .is_some_and(|p| p.kind == PlaceKind::Dialysis);
        let template = day_trips(r, from, &mut rng, series.clone());
        for date in from.iter_days().take(7 * weeks as usize) {
            let wd = date.weekday().num_days_from_monday();
            let goes = if dialysis {
                wd % 2 == 0 && wd < 5
            } else {
                wd < 5
            };
            if !goes {
                continue;
            }
            for t in &template {
                let mut t = t.clone();
                t.id = format!("T-{}", uuid::Uuid::now_v7().simple());
                t.date = date;
                trips.push(t);
            }
        }
    }
    store.insert_trips(&trips).await?;
    Ok(trips.len())
}
