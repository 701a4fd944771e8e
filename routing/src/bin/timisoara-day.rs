//! A realistic synthetic adapted-transport day in Timișoara, planned with the service's
//! dial-a-ride solver and printed per vehicle.
//!
//! ```text
//! timisoara-day [--trips 150] [--seconds 20] [--seed 1] [--date 2026-11-30]
//! ```
//!
//! Assumptions (all demo data, nothing personal):
//! - Fleet: eight vans at one depot by the DAS offices: VAN-01..05 with 4 seats and 2 wheelchair
//!   places, VAN-06..08 with 7 seats; every shift is 06:30–18:30 and may last all of it.
//! - Riders live at real address points of the OpenStreetMap extract: random points in the
//!   built-up box 21.17–21.27 E / 45.72–45.79 N, kept only when a numbered address lies within
//!   60 m and the road network is within 50 m.
//! - Each rider goes to one facility found by the geocoder (dialysis or hospital, day centre
//!   or inclusive-education school, clinic) and back, so trips come in pairs. The morning trip
//!   is arrive-by (drop-off window of 15 min ending at the appointment), the afternoon return
//!   is picked up in a 15–20 min window between 12:00 and 16:00; the other end of each trip is
//!   open over the shift, as in the Cordeau set.
//! - 35 % ride in a wheelchair (5 min to board), the others are seated (2 min), a quarter of them
//!   with a companion (two seats). Maximum ride: max(30 min, 1.5 × direct + boarding).
//! - Travel times come from the van profile at 07:30, so the morning rush factor applies all
//!   day: plans err on the safe side in the quieter hours.
//! - The objective is kilometres driven ([`CostBasis::Distance`]): windows and ride limits
//!   already bound the riders' time, and the crews are paid for the whole shift, so distance is
//!   what a better plan saves.
//!
//! Same seed, same day (`--date` only labels the output). Map data © OpenStreetMap contributors.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Context};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use routing::darp::{
    self, Capacity, CostBasis, Endpoint, Instance, Load, Plan, Request, SolveOptions, Vehicle,
    Window,
};
use routing::network::{CandidateKind, ProfileId, RoadNetwork, ATTRIBUTION};
use routing::travel::LonLat;

/// The DAS offices; the vans park next door.
const DEPOT: LonLat = LonLat {
    lon: 21.2087,
    lat: 45.7537,
};
const SHIFT: (f64, f64) = (hm(6, 30), hm(18, 30));
/// Departure time used for the whole matrix (morning rush).
const MATRIX_DEPARTURE_S: u32 = 7 * 3600 + 30 * 60;
const HOME_BOX: ((f64, f64), (f64, f64)) = ((21.17, 21.27), (45.72, 45.79));
const WHEELCHAIR_SHARE: f64 = 0.35;
const COMPANION_SHARE: f64 = 0.25;
const BOARDING_SEATED_S: f64 = 120.0;
const BOARDING_WHEELCHAIR_S: f64 = 300.0;
/// Facilities kept per category, so that several riders share a destination.
const FACILITIES_PER_CATEGORY: usize = 4;

const fn hm(h: u32, m: u32) -> f64 {
    (h * 3600 + m * 60) as f64
}

struct Args {
    trips: usize,
    seconds: f64,
    seed: u64,
    date: String,
}

fn parse_args() -> anyhow::Result<Args> {
    let mut a = Args {
        trips: 150,
        seconds: 20.0,
        seed: 1,
        date: "2026-11-30".into(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = |name: &str| it.next().with_context(|| format!("{name} needs a value"));
        match arg.as_str() {
            "--trips" => a.trips = value("--trips")?.parse().context("--trips")?,
            "--seconds" => a.seconds = value("--seconds")?.parse().context("--seconds")?,
            "--seed" => a.seed = value("--seed")?.parse().context("--seed")?,
            "--date" => a.date = value("--date")?,
            "-h" | "--help" => {
                println!(
                    "timisoara-day [--trips 150] [--seconds 20] [--seed 1] [--date YYYY-MM-DD]"
                );
                std::process::exit(0);
            }
            s => bail!("unknown argument {s}"),
        }
    }
    let parts: Vec<&str> = a.date.split('-').collect();
    let valid = parts.len() == 3
        && parts.iter().all(|p| p.chars().all(|c| c.is_ascii_digit()))
        && parts.iter().map(|p| p.len()).eq([4, 2, 2]);
    ensure!(valid, "--date must look like 2026-11-30, got {}", a.date);
    ensure!(a.seconds > 0.0, "--seconds must be positive");
    Ok(a)
}

/// A kind of destination: what the geocoder is asked, and the hours riders keep there.
struct Destination {
    name: &'static str,
    /// Geocoder queries, best first, each with the OSM tags (`amenity=*` and the like) it
    /// accepts: "spital" also finds the hospital chapel.
    queries: &'static [(&'static str, &'static [&'static str])],
    /// Range of appointments (the end of the 15-min drop-off window).
    appointments: (f64, f64),
    /// Range of starts of the return pick-up window: dialysis takes about four hours, day
    /// centres and schools close mid-afternoon.
    returns: (f64, f64),
}

const DESTINATIONS: [Destination; 3] = [
    Destination {
        name: "dialysis/hospital",
        queries: &[
            ("dializa", &["clinic", "hospital"]),
            ("spitalul", &["hospital"]),
        ],
        appointments: (hm(7, 15), hm(8, 30)),
        returns: (hm(12, 0), hm(13, 30)),
    },
    Destination {
        name: "day centre/school",
        queries: &[
            ("centru de zi", &["social_facility"]),
            ("educatie incluziva", &["school"]),
        ],
        appointments: (hm(8, 0), hm(9, 30)),
        returns: (hm(14, 0), hm(15, 40)),
    },
    Destination {
        name: "clinic",
        queries: &[("policlinica", &["clinic", "hospital"])],
        appointments: (hm(8, 0), hm(10, 30)),
        returns: (hm(12, 0), hm(14, 30)),
    },
];

/// A row of the travel matrix.
struct Place {
    label: String,
    position: LonLat,
}

struct Rider {
    /// Index into [`DESTINATIONS`].
    category: usize,
    home: usize,
    facility: usize,
    wheelchair: bool,
    companion: bool,
}

impl Rider {
    fn boarding_s(&self) -> f64 {
        if self.wheelchair {
            BOARDING_WHEELCHAIR_S
        } else {
            BOARDING_SEATED_S
        }
    }

    fn load(&self) -> Load {
        match (self.wheelchair, self.companion) {
            (true, _) => Load::wheelchair(1),
            (false, true) => Load::seated(2),
            (false, false) => Load::seated(1),
        }
    }

    fn mark(&self) -> &'static str {
        match (self.wheelchair, self.companion) {
            (true, _) => "WC",
            (false, true) => "+1",
            (false, false) => "",
        }
    }
}

/// One request as the dispatcher sees it: request `r` of the instance is `trips[r]`.
struct Trip {
    rider: usize,
    outbound: bool,
}

impl Trip {
    fn describe(&self) -> String {
        let leg = if self.outbound { "outbound" } else { "return" };
        format!("R-{:03}  {leg:<8}", self.rider + 1)
    }
}

/// The generated day: the instance and what its indices mean.
struct Day {
    places: Vec<Place>,
    /// Matrix rows of the facilities of each destination kind.
    facilities: Vec<Vec<usize>>,
    riders: Vec<Rider>,
    trips: Vec<Trip>,
    instance: Instance,
}

fn main() -> anyhow::Result<()> {
    let args = parse_args()?;
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let pbf = root.join("data/osm/timisoara-2025-05-24.osm.pbf");
    let t0 = Instant::now();
    let network = RoadNetwork::load(&pbf, Some(&root.join("var/cache")))
        .with_context(|| format!("loading the road network from {}", pbf.display()))?;
    let load_s = t0.elapsed().as_secs_f64();
    let t1 = Instant::now();
    let day = build_day(&network, &args)?;
    let build_s = t1.elapsed().as_secs_f64();

    let t2 = Instant::now();
    let options = SolveOptions {
        seed: args.seed,
        time_limit: Some(Duration::from_secs_f64(args.seconds)),
        max_iterations: None,
        threads: 2,
    };
    let instance = &day.instance;
    let solved = darp::solve(instance, None, &options).context("solving the day")?;
    // The search may leave out a request that still fits: try each once more, and keep the
    // dispatcher-facing reason for the rest.
    let mut plan: Plan = solved.plan;
    let mut unserved = Vec::new();
    for &r in &solved.unassigned {
        match darp::insert(instance, &plan, r) {
            Ok(p) => plan = p,
            Err(why) => unserved.push((r, why)),
        }
    }
    let solve_s = t2.elapsed().as_secs_f64();
    let verdict = darp::verify(instance, &plan);
    ensure!(
        verdict.feasible(),
        "the checker rejected the plan: {}",
        verdict.problems.join("; ")
    );

    let count = |f: fn(&Rider) -> bool| day.riders.iter().filter(|r| f(r)).count();
    println!(
        "Timișoara adapted transport, {} (seed {})",
        args.date, args.seed
    );
    println!(
        "{} trips by {} riders ({} in a wheelchair, {} with a companion), {} places, \
         8 vans from the depot at {:.4} E {:.4} N",
        day.trips.len(),
        day.riders.len(),
        count(|r| r.wheelchair),
        count(|r| r.companion),
        day.places.len(),
        DEPOT.lon,
        DEPOT.lat
    );
    for (category, places) in day.facilities.iter().enumerate() {
        let names: Vec<&str> = places
            .iter()
            .map(|&p| day.places[p].label.as_str())
            .collect();
        let n = day.riders.iter().filter(|r| r.category == category).count();
        let name = DESTINATIONS[category].name;
        println!("  {name:<18} {n:>3} riders: {}", names.join(" | "));
    }
    let source = if network.stats().from_cache {
        "cache"
    } else {
        "built"
    };
    println!(
        "network {load_s:.1} s ({source}), day + {n}×{n} matrix {build_s:.1} s, \
         solve {solve_s:.1} s ({} iterations, 2 threads)",
        solved.iterations,
        n = instance.matrix.n,
    );
    println!(
        "cost {:.1} km driven; served {} of {}; checker: feasible",
        verdict.cost / 1000.0,
        verdict.served,
        day.trips.len()
    );
    for (r, why) in &unserved {
        let trip = &day.trips[*r];
        let mark = day.riders[trip.rider].mark();
        println!("  unserved {} {mark:<2}: {why}", trip.describe());
    }
    for v in 0..plan.routes.len() {
        print_vehicle(&day, &plan, v)?;
    }
    println!("\nMap data {ATTRIBUTION}");
    Ok(())
}

/// Riders, trips and the instance for `args`, deterministic for a seed.
fn build_day(network: &RoadNetwork, args: &Args) -> anyhow::Result<Day> {
    let mut rng = SmallRng::seed_from_u64(args.seed);
    let mut places = vec![Place {
        label: "Depot (DAS)".into(),
        position: DEPOT,
    }];
    let facilities = find_facilities(network, &mut places)?;
    let mut riders = Vec::new();
    for _ in 0..args.trips.div_ceil(2) {
        let category = rng.random_range(0..DESTINATIONS.len());
        let options = &facilities[category];
        let wheelchair = rng.random_bool(WHEELCHAIR_SHARE);
        riders.push(Rider {
            category,
            home: random_home(network, &mut rng, &mut places)?,
            facility: options[rng.random_range(0..options.len())],
            wheelchair,
            companion: !wheelchair && rng.random_bool(COMPANION_SHARE),
        });
    }
    let positions: Vec<LonLat> = places.iter().map(|p| p.position).collect();
    let matrix = network.matrix(ProfileId::Van, &positions, MATRIX_DEPARTURE_S);
    if let Some(k) = matrix.seconds.iter().position(|s| !s.is_finite()) {
        let (a, b) = (&places[k / matrix.n].label, &places[k % matrix.n].label);
        bail!("no route from {a} to {b}");
    }
    let open = Window::new(SHIFT.0, SHIFT.1);
    let (mut trips, mut requests) = (Vec::new(), Vec::new());
    for (r, rider) in riders.iter().enumerate() {
        let Destination {
            appointments: (appt_lo, appt_hi),
            returns: (ret_lo, ret_hi),
            ..
        } = DESTINATIONS[rider.category];
        let appointment = round5(rng.random_range(appt_lo..=appt_hi));
        let width = if rng.random_bool(0.5) { 900.0 } else { 1200.0 };
        let ret = round5(rng.random_range(ret_lo..=ret_hi));
        let legs = [
            (true, Window::new(appointment - 900.0, appointment)),
            (false, Window::new(ret, ret + width)),
        ];
        // With an odd number of trips the last rider only goes out.
        for (outbound, window) in legs.into_iter().take(args.trips - 2 * r) {
            let (from, to) = if outbound {
                (rider.home, rider.facility)
            } else {
                (rider.facility, rider.home)
            };
            let service = rider.boarding_s();
            let endpoint = |location, window| Endpoint {
                location,
                service,
                window,
            };
            requests.push(Request {
                pickup: endpoint(from, if outbound { open } else { window }),
                dropoff: endpoint(to, if outbound { window } else { open }),
                load: rider.load(),
                max_ride: 1800f64.max(1.5 * matrix.seconds(from, to) + service),
                group: None,
            });
            trips.push(Trip { rider: r, outbound });
        }
    }
    let vehicles = (0..8)
        .map(|v| Vehicle {
            capacity: if v < 5 {
                Capacity {
                    seats: 4,
                    wheelchair_places: 2,
                }
            } else {
                Capacity::seats(7)
            },
            start: 0,
            end: 0,
            shift: open,
            max_duration: SHIFT.1 - SHIFT.0,
        })
        .collect();
    let instance = Instance {
        name: format!("timisoara-{}-seed{}", args.date, args.seed),
        requests,
        vehicles,
        matrix,
        cost_basis: CostBasis::Distance,
    };
    Ok(Day {
        places,
        facilities,
        riders,
        trips,
        instance,
    })
}

/// One vehicle's stops with their earliest feasible times, then its totals.
fn print_vehicle(day: &Day, plan: &Plan, v: usize) -> anyhow::Result<()> {
    let (instance, route) = (&day.instance, &plan.routes[v]);
    let veh = &instance.vehicles[v];
    let cap = veh.capacity;
    println!(
        "\nVAN-{:02}  {} seats + {} wheelchair places",
        v + 1,
        cap.seats,
        cap.wheelchair_places
    );
    if route.stops.is_empty() {
        println!("  stays at the depot");
        return Ok(());
    }
    let starts = darp::earliest_schedule(instance, v, route)
        .map_err(|e| anyhow::anyhow!("VAN-{:02} has no schedule: {e:?}", v + 1))?;
    let (mut at, mut metres) = (veh.start, 0.0);
    let mut riders = Vec::new();
    for (stop, start) in route.stops.iter().zip(&starts) {
        let req = &instance.requests[stop.request()];
        let end = if stop.is_pickup() {
            req.pickup
        } else {
            req.dropoff
        };
        metres += instance.matrix.metres(at, end.location);
        at = end.location;
        let trip = &day.trips[stop.request()];
        riders.push(trip.rider);
        let action = if stop.is_pickup() {
            "pick-up"
        } else {
            "drop-off"
        };
        println!(
            "  {}  {action:<8} {}  {:<2}  {}",
            clock(*start),
            trip.describe(),
            day.riders[trip.rider].mark(),
            day.places[end.location].label
        );
    }
    metres += instance.matrix.metres(at, veh.end);
    // Out from leaving the depot just in time for the first stop until back after the last.
    let first = route.stops[0];
    let leave = starts[0]
        - instance.time(
            veh.start,
            instance.requests[first.request()].pickup.location,
        );
    let last = instance.requests[route.stops[route.stops.len() - 1].request()].dropoff;
    let back = starts[starts.len() - 1] + last.service + instance.time(last.location, veh.end);
    riders.sort_unstable();
    riders.dedup();
    println!(
        "  total: {:.1} km, {:.1} h out ({}–{}), {} trips, {} riders",
        metres / 1000.0,
        (back - leave) / 3600.0,
        clock(leave),
        clock(back),
        route.stops.len() / 2,
        riders.len()
    );
    Ok(())
}

/// Up to [`FACILITIES_PER_CATEGORY`] named facilities per destination kind, appended to `places`;
/// falls back on the hospitals the map shows when the geocoder finds nothing.
fn find_facilities(
    network: &RoadNetwork,
    places: &mut Vec<Place>,
) -> anyhow::Result<Vec<Vec<usize>>> {
    let mut out = Vec::new();
    for destination in &DESTINATIONS {
        let mut found: Vec<usize> = Vec::new();
        for (query, tags) in destination.queries {
            for c in network.geocode(query, 40) {
                let known = places.iter().any(|p| p.label == c.label);
                let tagged = c.category.as_deref().is_some_and(|t| tags.contains(&t));
                if c.kind != CandidateKind::Poi || !tagged || known || !in_box(c.position) {
                    continue;
                }
                if found.len() < FACILITIES_PER_CATEGORY {
                    places.push(Place {
                        label: c.label,
                        position: c.position,
                    });
                    found.push(places.len() - 1);
                }
            }
        }
        if found.is_empty() {
            for l in network.landmarks().iter().take(FACILITIES_PER_CATEGORY) {
                places.push(Place {
                    label: l.name.clone(),
                    position: l.position,
                });
                found.push(places.len() - 1);
            }
        }
        ensure!(!found.is_empty(), "no {} in the extract", destination.name);
        out.push(found);
    }
    Ok(out)
}

/// A random real address in the built-up box, appended to `places`.
fn random_home(
    network: &RoadNetwork,
    rng: &mut SmallRng,
    places: &mut Vec<Place>,
) -> anyhow::Result<usize> {
    let ((lon_lo, lon_hi), (lat_lo, lat_hi)) = HOME_BOX;
    for _ in 0..1000 {
        let p = LonLat::new(
            rng.random_range(lon_lo..lon_hi),
            rng.random_range(lat_lo..lat_hi),
        );
        let near_road = network.snap(p).is_some_and(|s| s.distance_m <= 50.0);
        let Some(address) = network.reverse(p).filter(|a| a.distance_m <= 60.0) else {
            continue;
        };
        if let (true, Some(number)) = (near_road, address.housenumber) {
            places.push(Place {
                label: format!("{} {number}", address.street),
                position: p,
            });
            return Ok(places.len() - 1);
        }
    }
    bail!("no address found in 1000 random points of the built-up box")
}

fn in_box(p: LonLat) -> bool {
    let ((lon_lo, lon_hi), (lat_lo, lat_hi)) = HOME_BOX;
    (lon_lo..=lon_hi).contains(&p.lon) && (lat_lo..=lat_hi).contains(&p.lat)
}

fn round5(seconds: f64) -> f64 {
    (seconds / 300.0).round() * 300.0
}

fn clock(seconds: f64) -> String {
    let m = (seconds / 60.0).round() as i64;
    format!("{:02}:{:02}", m / 60, m % 60)
}
