//! Random instances in the spirit of Cordeau's generator, with wheelchair riders: for the
//! insertion benchmark and for tests that need more than the academic set offers.

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

use super::euclid::EuclideanPlane;
use super::load::{Capacity, Load};
use super::model::{CostBasis, Endpoint, Instance, Request, Vehicle, Window};
use crate::travel::{LonLat, TravelTimeSource};

/// `vehicles` vehicles (every second one with a wheelchair place besides 3 seats) and `requests`
/// requests on the square [-10, 10]², a day of `horizon` minutes, 15-minute windows, 3-minute
/// stops, a 30-minute ride limit, a fifth of the riders in wheelchairs. Same seed, same instance.
pub fn synthetic(seed: u64, vehicles: usize, requests: usize, horizon: f64) -> Instance {
    let mut rng = SmallRng::seed_from_u64(seed);
    let mut places = vec![LonLat::new(0.0, 0.0)];
    let mut reqs = Vec::with_capacity(requests);
    let open = Window::new(0.0, horizon);
    for i in 0..requests {
        let p = LonLat::new(rng.random_range(-10.0..10.0), rng.random_range(-10.0..10.0));
        let d = LonLat::new(rng.random_range(-10.0..10.0), rng.random_range(-10.0..10.0));
        places.push(p);
        places.push(d);
        let start = rng.random_range(60.0..(horizon - 60.0).max(61.0));
        let tight = Window::new(start, start + 15.0);
        let outbound = i % 2 == 0;
        let wheelchair = rng.random_bool(0.2);
        reqs.push(Request {
            pickup: Endpoint {
                location: 2 * i + 1,
                service: 3.0,
                window: if outbound { open } else { tight },
            },
            dropoff: Endpoint {
                location: 2 * i + 2,
                service: 3.0,
                window: if outbound { tight } else { open },
            },
            load: if wheelchair {
                Load::wheelchair(1)
            } else {
                Load::seated(1)
            },
            max_ride: 30.0,
            group: None,
        });
    }
    let fleet = (0..vehicles)
        .map(|v| Vehicle {
            capacity: Capacity {
                seats: 3,
                wheelchair_places: u32::from(v % 2 == 0),
            },
            start: 0,
            end: 0,
            shift: open,
            max_duration: horizon,
        })
        .collect();
    Instance {
        name: format!("synthetic-{vehicles}-{requests}-{seed}"),
        requests: reqs,
        vehicles: fleet,
        matrix: EuclideanPlane.matrix(&places, 0),
        cost_basis: CostBasis::Time,
    }
}
