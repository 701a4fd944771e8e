//! The arithmetic of a late vehicle: which stops of a route are still to be served, when they
//! start once the vehicle runs late, and the latest start each trip's promise allows.

use std::collections::HashMap;

use routing::travel::LonLat;

use super::engine::seconds_of;
use crate::transport::model::{TimingKind, Trip, TripStatus, VehicleRoute};

/// Whether a stop of a route is still to be served, by its trip's status.
pub(crate) fn pending(stop_pickup: bool, trip: Option<&Trip>) -> bool {
    trip.is_some_and(|t| match t.status {
        TripStatus::Booked | TripStatus::Arrived => true,
        TripStatus::PickedUp => !stop_pickup,
        _ => false,
    })
}

/// Indices of the unfinished stops of a route, in order.
pub(crate) fn pending_stops(route: &VehicleRoute, trips: &HashMap<String, Trip>) -> Vec<usize> {
    (0..route.stops.len())
        .filter(|&k| pending(route.stops[k].pickup, trips.get(&route.stops[k].trip_id)))
        .collect()
}

/// Where stop `k` of a route is.
pub(crate) fn position_of(
    route: &VehicleRoute,
    k: usize,
    trips: &HashMap<String, Trip>,
) -> Option<LonLat> {
    let s = &route.stops[k];
    let t = trips.get(&s.trip_id)?;
    Some(if s.pickup {
        t.pickup.position
    } else {
        t.dropoff.position
    })
}

/// Start times of the remaining stops when the vehicle reaches the first after `legs[0]`
/// seconds from `now_s`: each stop starts after the previous one's service and the drive
/// between them, and never before its planned time (a plan's wait for a window is kept).
pub(crate) fn shifted(planned: &[f64], service: &[f64], legs: &[f64], now_s: f64) -> Vec<f64> {
    let mut out: Vec<f64> = Vec::with_capacity(planned.len());
    for (i, &p) in planned.iter().enumerate() {
        let ready = match i {
            0 => now_s + legs[0],
            _ => out[i - 1] + service[i - 1] + legs[i],
        };
        out.push(p.max(ready));
    }
    out
}

/// The latest start the trip's promise allows at this stop (its booking window), if bounded.
pub(crate) fn latest(trip: &Trip, pickup: bool, width_s: f64) -> Option<f64> {
    let t = seconds_of(trip.time);
    match (trip.timing, pickup) {
        (TimingKind::PickupAt, true) => Some(t + width_s),
        (TimingKind::ArriveBy, false) => Some(t),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::shifted;

    #[test]
    fn a_late_arrival_pushes_every_later_stop_by_travel_and_service() {
        // Planned 600, 1200, 1800; the vehicle is 900 s from the first stop at 0.
        let t = shifted(
            &[600.0, 1200.0, 1800.0],
            &[120.0, 120.0, 0.0],
            &[900.0, 300.0, 300.0],
            0.0,
        );
        assert_eq!(t, vec![900.0, 1320.0, 1800.0]);
    }

    #[test]
    fn a_stop_never_moves_earlier_than_planned() {
        let t = shifted(&[600.0, 5000.0], &[120.0, 0.0], &[60.0, 60.0], 0.0);
        assert_eq!(t, vec![600.0, 5000.0]);
    }
}
