//! The assignment help, pure: where an item is, what it needs, which resources are busy (on a
//! transport run now, or committed), which van goes with which driver, and the ranking of every
//! resource by its travel time to the item on the road network.
//!
//! Ranking: suitable and free resources first, by ETA; then the rest, by ETA. ETAs come from
//! one many-to-many matrix per profile (`van` for vehicles, `emiu_car` for drivers and EMIU
//! teams) over the resources' positions and the item's, departing now (local second of the
//! day, for the time-of-day factor). Without the road network (still loading, or turned off),
//! or for a point off it, `eta_s` is null and `distance_m` is the straight-line distance, so the
//! list still orders by distance rather than failing.

use std::collections::{HashMap, HashSet};

use routing::network::{haversine_m, ProfileId, RoadNetwork};
use routing::travel::LonLat;
use serde::Serialize;

use crate::domain::{CallCategory, Details, Item, Resource, ResourceKind, ResourceStatus};
use crate::transport::model::{DayPlan, Trip, TripStatus, Vehicle};

/// A planned stop this close to now (seconds, either side) makes its vehicle busy.
pub(crate) const ACTIVE_STOP_S: f64 = 600.0;

/// What the item asks of a resource.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Need {
    /// A booking for a rider in a wheelchair: a vehicle needs wheelchair places.
    pub(crate) wheelchair: bool,
    /// A domestic-violence case: only an EMIU team goes.
    pub(crate) emiu: bool,
}

/// What `item` needs.
pub(crate) fn need(item: &Item) -> Need {
    Need {
        wheelchair: matches!(&item.details, Details::Booking { needs, .. } if needs.wheelchair),
        emiu: matches!(
            &item.details,
            Details::Call {
                category: CallCategory::DomesticViolence,
                ..
            }
        ) || item.dv_case.is_some(),
    }
}

/// Where the item is: the first known of the places it names, in this order: its subject's
/// position (the beneficiary's home, the geocoded address of a call), the place in its details,
/// then `registry`, the position the TeleAsistență device registry gives an alert's device now.
pub(crate) fn item_position(item: &Item, registry: Option<LonLat>) -> Option<LonLat> {
    let subject = item.subject.as_ref().and_then(|s| s.position);
    let named = match &item.details {
        Details::Call { location, .. } => location.as_ref().and_then(|p| p.position),
        Details::Booking { pickup, .. } => pickup.position,
        Details::Alert { .. } | Details::Callback { .. } | Details::Incident { .. } => None,
    };
    [subject, named, registry].into_iter().flatten().next()
}

/// The van each driver works and the driver of each van (`transport` vehicles' `driver`),
/// both ways: resource id to resource id.
pub(crate) fn pairs(vehicles: &[Vehicle]) -> HashMap<String, String> {
    let mut out = HashMap::new();
    for v in vehicles {
        if let Some(d) = &v.driver {
            out.insert(v.id.clone(), d.clone());
            out.insert(d.clone(), v.id.clone());
        }
    }
    out
}

/// Resources on a transport run now (`now_s`: seconds after local midnight): a vehicle of the
/// day's plan with a rider aboard (picked up, not yet dropped off), at a pick-up (arrived), or
/// with a live stop planned within [`ACTIVE_STOP_S`] of now; and the driver paired with it.
pub(crate) fn on_transport_run(
    plan: Option<&DayPlan>,
    trips: &[Trip],
    pairs: &HashMap<String, String>,
    now_s: f64,
) -> HashSet<String> {
    let Some(plan) = plan else {
        return HashSet::new();
    };
    let trips: HashMap<&str, &Trip> = trips.iter().map(|t| (t.id.as_str(), t)).collect();
    let mut busy = HashSet::new();
    for route in &plan.routes {
        let active = route.stops.iter().any(|stop| {
            let Some(trip) = trips.get(stop.trip_id.as_str()) else {
                return false;
            };
            match trip.status {
                TripStatus::PickedUp | TripStatus::Arrived => true,
                TripStatus::Booked => (stop.time_s - now_s).abs() <= ACTIVE_STOP_S,
                TripStatus::Cancelled
                | TripStatus::NoShow
                | TripStatus::DroppedOff
                | TripStatus::NotAtHome => false,
            }
        });
        if active {
            busy.insert(route.vehicle_id.clone());
            if let Some(driver) = pairs.get(&route.vehicle_id) {
                busy.insert(driver.clone());
            }
        }
    }
    busy
}

/// One resource as the assignment help shows it.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub(crate) struct ResourceCandidate {
    pub(crate) resource: Resource,
    /// Seconds to the item by road, departing now; null without a route (no road network, a
    /// position off it, or no position).
    pub(crate) eta_s: Option<u32>,
    /// Metres by road; the straight line when there is no route; null without positions.
    pub(crate) distance_m: Option<u32>,
    /// Capable of this item (wheelchair places, EMIU for domestic violence).
    pub(crate) suitable: bool,
    /// Not free now: committed to an item, on a transport run, off duty or not available.
    pub(crate) busy: bool,
    /// Codes: `busy_assigned`, `busy_transport`, `off_duty`, `no_position`, `no_wheelchair`,
    /// `not_emiu`.
    pub(crate) reasons: Vec<String>,
    /// The paired van of a driver, or the driver of a van.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) pair: Option<String>,
}

/// What the ranking is given besides the resources.
pub(crate) struct Situation<'a> {
    pub(crate) network: Option<&'a RoadNetwork>,
    /// The item's position; none: nothing is ranked by distance.
    pub(crate) at: Option<LonLat>,
    pub(crate) need: Need,
    pub(crate) on_transport_run: &'a HashSet<String>,
    pub(crate) pairs: &'a HashMap<String, String>,
    /// Local second of the day of departure.
    pub(crate) second_of_day: u32,
}

/// The profile a resource drives on.
fn profile(kind: ResourceKind) -> ProfileId {
    match kind {
        ResourceKind::Vehicle => ProfileId::Van,
        ResourceKind::Driver | ResourceKind::EmiuTeam => ProfileId::EmiuCar,
    }
}

/// Road seconds and metres from each of `resources` to `at`, for one profile: one matrix
/// over the positioned resources and the item (the item is the last place; its column is read).
fn road(
    net: &RoadNetwork,
    profile: ProfileId,
    resources: &[&Resource],
    at: LonLat,
    second_of_day: u32,
) -> HashMap<String, (f64, f64)> {
    let placed: Vec<&Resource> = resources
        .iter()
        .copied()
        .filter(|r| r.position.is_some())
        .collect();
    if placed.is_empty() {
        return HashMap::new();
    }
    let mut places: Vec<LonLat> = placed.iter().filter_map(|r| r.position).collect();
    places.push(at);
    let m = net.matrix(profile, &places, second_of_day);
    let to = places.len() - 1;
    let n = places.len();
    placed
        .iter()
        .enumerate()
        .filter_map(|(i, r)| {
            let s = m.seconds[i * n + to];
            let d = m.metres[i * n + to];
            (s.is_finite() && d.is_finite()).then(|| (r.id.0.clone(), (s, d)))
        })
        .collect()
}

/// Every resource, judged and ranked for the item.
pub(crate) fn rank(resources: &[Resource], s: &Situation<'_>) -> Vec<ResourceCandidate> {
    let mut by_road: HashMap<String, (f64, f64)> = HashMap::new();
    if let (Some(net), Some(at)) = (s.network, s.at) {
        for p in [ProfileId::Van, ProfileId::EmiuCar] {
            let group: Vec<&Resource> = resources.iter().filter(|r| profile(r.kind) == p).collect();
            by_road.extend(road(net, p, &group, at, s.second_of_day));
        }
    }
    let mut out: Vec<ResourceCandidate> = resources
        .iter()
        .map(|r| judge(r, s, by_road.get(&r.id.0).copied()))
        .collect();
    out.sort_by(|a, b| {
        // `false` (suitable and free) sorts first.
        let rest = |c: &ResourceCandidate| !c.suitable || c.busy;
        rest(a)
            .cmp(&rest(b))
            .then(a.eta_s.is_none().cmp(&b.eta_s.is_none()))
            .then(a.eta_s.cmp(&b.eta_s))
            .then(a.distance_m.is_none().cmp(&b.distance_m.is_none()))
            .then(a.distance_m.cmp(&b.distance_m))
            .then(a.resource.id.0.cmp(&b.resource.id.0))
    });
    out
}

/// One resource for the item: its reasons, and its ETA and distance.
fn judge(r: &Resource, s: &Situation<'_>, road: Option<(f64, f64)>) -> ResourceCandidate {
    let mut reasons = Vec::new();
    if r.current_item.is_some()
        || matches!(
            r.status,
            ResourceStatus::Assigned
                | ResourceStatus::EnRoute
                | ResourceStatus::OnScene
                | ResourceStatus::AtHospital
        )
    {
        reasons.push("busy_assigned");
    }
    if s.on_transport_run.contains(&r.id.0) {
        reasons.push("busy_transport");
    }
    if r.status == ResourceStatus::OffDuty {
        reasons.push("off_duty");
    }
    if r.position.is_none() {
        reasons.push("no_position");
    }
    if s.need.wheelchair && r.kind == ResourceKind::Vehicle && r.wheelchair_places == 0 {
        reasons.push("no_wheelchair");
    }
    if s.need.emiu && r.kind != ResourceKind::EmiuTeam {
        reasons.push("not_emiu");
    }
    let busy = r.status != ResourceStatus::Available
        || reasons
            .iter()
            .any(|c| matches!(*c, "busy_assigned" | "busy_transport" | "off_duty"));
    let suitable = !reasons
        .iter()
        .any(|c| matches!(*c, "no_wheelchair" | "not_emiu"));
    let (eta_s, distance_m) = match (road, r.position, s.at) {
        (Some((secs, metres)), _, _) => (Some(secs.round() as u32), Some(metres.round() as u32)),
        (None, Some(from), Some(to)) => (None, Some(haversine_m(from, to).round() as u32)),
        _ => (None, None),
    };
    ResourceCandidate {
        resource: r.clone(),
        eta_s,
        distance_m,
        suitable,
        busy,
        reasons: reasons.into_iter().map(str::to_owned).collect(),
        pair: s.pairs.get(&r.id.0).cloned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{ItemId, ResourceId};
    use crate::transport::model::{PlanStop, VehicleRoute};

    fn resource(id: &str, kind: ResourceKind, lon: f64) -> Resource {
        Resource {
            id: ResourceId(id.into()),
            kind,
            name: id.into(),
            seats: 4,
            wheelchair_places: 0,
            status: ResourceStatus::Available,
            current_item: None,
            position: Some(LonLat { lon, lat: 45.75 }),
            version: 0,
        }
    }

    fn situation<'a>(
        need: Need,
        busy: &'a HashSet<String>,
        pairs: &'a HashMap<String, String>,
    ) -> Situation<'a> {
        Situation {
            network: None,
            at: Some(LonLat {
                lon: 21.23,
                lat: 45.75,
            }),
            need,
            on_transport_run: busy,
            pairs,
            second_of_day: 36_000,
        }
    }

    #[test]
    fn without_the_road_network_the_free_suitable_resources_come_first_by_straight_line() {
        // Arrange
        let mut wc_far = resource("VAN-02", ResourceKind::Vehicle, 21.30);
        wc_far.wheelchair_places = 1;
        let mut wc_near_busy = resource("VAN-03", ResourceKind::Vehicle, 21.231);
        wc_near_busy.wheelchair_places = 1;
        wc_near_busy.current_item = Some(ItemId::new());
        wc_near_busy.status = ResourceStatus::Assigned;
        let near_no_wc = resource("VAN-01", ResourceKind::Vehicle, 21.232);
        let busy = HashSet::new();
        let pairs = HashMap::from([("VAN-02".to_owned(), "SOFER-02".to_owned())]);
        let need = Need {
            wheelchair: true,
            emiu: false,
        };

        // Act
        let ranked = rank(
            &[near_no_wc, wc_near_busy, wc_far],
            &situation(need, &busy, &pairs),
        );

        // Assert
        let ids: Vec<&str> = ranked.iter().map(|c| c.resource.id.0.as_str()).collect();
        assert_eq!(ids, ["VAN-02", "VAN-03", "VAN-01"]);
        assert!(ranked[0].suitable && !ranked[0].busy && ranked[0].eta_s.is_none());
        assert!(ranked[0].distance_m.unwrap() > 5000);
        assert_eq!(ranked[0].pair.as_deref(), Some("SOFER-02"));
        assert_eq!(ranked[1].reasons, ["busy_assigned"]);
        assert_eq!(ranked[2].reasons, ["no_wheelchair"]);
    }

    #[test]
    fn a_domestic_violence_case_needs_an_emiu_team() {
        let busy = HashSet::new();
        let pairs = HashMap::new();
        let need = Need {
            wheelchair: false,
            emiu: true,
        };
        let ranked = rank(
            &[
                resource("SOFER-01", ResourceKind::Driver, 21.23),
                resource("EMIU-1", ResourceKind::EmiuTeam, 21.40),
            ],
            &situation(need, &busy, &pairs),
        );
        assert_eq!(ranked[0].resource.id.0, "EMIU-1");
        assert_eq!(ranked[1].reasons, ["not_emiu"]);
        assert!(!ranked[1].suitable);
    }

    fn trip(id: &str, status: TripStatus) -> Trip {
        let spot = crate::transport::model::Spot {
            address: "x".into(),
            position: LonLat {
                lon: 21.2,
                lat: 45.7,
            },
        };
        Trip {
            id: id.into(),
            rider_id: "r".into(),
            date: chrono::NaiveDate::from_ymd_opt(2026, 12, 5).unwrap(),
            series_id: None,
            is_return: false,
            pickup: spot.clone(),
            dropoff: spot,
            timing: crate::transport::model::TimingKind::PickupAt,
            time: chrono::NaiveTime::from_hms_opt(10, 0, 0).unwrap(),
            status,
            booked_by: "d".into(),
            booked_at: chrono::Utc::now(),
            arrived_at: None,
            picked_up_at: None,
            dropped_off_at: None,
            no_show_reason: None,
            cancellation: None,
            sms_answer: None,
            kind: crate::transport::model::TripKind::Trip,
            run: None,
        }
    }

    fn route(vehicle: &str, trip: &str, time_s: f64) -> VehicleRoute {
        VehicleRoute {
            vehicle_id: vehicle.into(),
            stops: vec![PlanStop {
                trip_id: trip.into(),
                pickup: true,
                time_s,
            }],
            metres: 0.0,
        }
    }

    #[test]
    fn a_van_with_a_rider_aboard_or_a_stop_due_now_is_on_a_run_with_its_driver() {
        // Arrange: VAN-01 carries a rider; VAN-02 has a stop in 5 minutes; VAN-03 in 2 hours;
        // VAN-04's rider was dropped off.
        let plan = DayPlan {
            date: chrono::NaiveDate::from_ymd_opt(2026, 12, 5).unwrap(),
            version: 1,
            computed_at: chrono::Utc::now(),
            routes: vec![
                route("VAN-01", "t1", 30_000.0),
                route("VAN-02", "t2", 36_300.0),
                route("VAN-03", "t3", 43_200.0),
                route("VAN-04", "t4", 36_000.0),
            ],
            unserved: vec![],
            pinned: vec![],
            problems: vec![],
            solve_ms: 0,
            promised: Default::default(),
        };
        let trips = [
            trip("t1", TripStatus::PickedUp),
            trip("t2", TripStatus::Booked),
            trip("t3", TripStatus::Booked),
            trip("t4", TripStatus::DroppedOff),
        ];
        let pairs = HashMap::from([
            ("VAN-01".to_owned(), "SOFER-01".to_owned()),
            ("SOFER-01".to_owned(), "VAN-01".to_owned()),
        ]);

        // Act
        let busy = on_transport_run(Some(&plan), &trips, &pairs, 36_000.0);

        // Assert
        let mut busy: Vec<&str> = busy.iter().map(String::as_str).collect();
        busy.sort_unstable();
        assert_eq!(busy, ["SOFER-01", "VAN-01", "VAN-02"]);
    }
}
