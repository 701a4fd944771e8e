//! The road geometry of a day's planned routes, for the planner's map: each vehicle's route
//! depot → stops → depot along the roads the van profile drives (the network's fastest path
//! leg by leg), or straight legs while the road network is loading. Computed off the request
//! path and kept per plan version: a plan changes a few times a day, the map asks every 20 s.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::NaiveDate;
use routing::network::{ProfileId, RoadNetwork};
use routing::travel::LonLat;

use super::planning;
use super::Ctx;
use crate::error::{Error, Result};
use crate::transport::model::{DayPlan, Trip, Vehicle};
use crate::transport::rules::engine::MATRIX_DEPARTURE_S;

/// One vehicle's planned route as a line, `[lon, lat]` points in driving order.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct RouteLine {
    pub vehicle_id: String,
    pub path: Vec<[f64; 2]>,
}

/// The lines of one plan version.
#[derive(Clone, Debug)]
pub(crate) struct DayLines {
    pub date: NaiveDate,
    pub version: i64,
    /// Along the roads (`false`: straight legs, the road network was not loaded).
    pub roads: bool,
    pub routes: Arc<Vec<RouteLine>>,
}

/// The last lines computed per day (one version each).
#[derive(Clone, Default)]
pub(crate) struct LinesCache(Arc<Mutex<HashMap<NaiveDate, DayLines>>>);

impl LinesCache {
    fn get(&self, date: NaiveDate, version: i64, roads: bool) -> Option<DayLines> {
        let map = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        map.get(&date)
            .filter(|d| d.version == version && d.roads == roads)
            .cloned()
    }

    fn put(&self, lines: DayLines) {
        let mut map = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // A handful of days are looked at; forget the others rather than grow.
        if map.len() >= 16 && !map.contains_key(&lines.date) {
            map.clear();
        }
        map.insert(lines.date, lines);
    }
}

/// The lines of the stored plan of `date` (404 without one).
pub(crate) async fn day_lines(ctx: Ctx<'_>, date: NaiveDate) -> Result<DayLines> {
    let view = planning::day_view(ctx.transport, date).await?;
    let network = ctx.network();
    let roads = network.is_some();
    if let Some(hit) = ctx
        .transport
        .route_lines
        .get(date, view.plan.version, roads)
    {
        return Ok(hit);
    }
    let vehicles = ctx.transport.store.vehicles().await?;
    let plan = view.plan;
    let trips = view.trips;
    let version = plan.version;
    let routes =
        tokio::task::spawn_blocking(move || lines_of(&plan, &trips, &vehicles, network.as_deref()))
            .await
            .map_err(|e| Error::Internal(anyhow::anyhow!("route lines: {e}")))?;
    let lines = DayLines {
        date,
        version,
        roads,
        routes: Arc::new(routes),
    };
    ctx.transport.route_lines.put(lines.clone());
    Ok(lines)
}

/// Each route's places in driving order, joined leg by leg (pure but for the network queries).
pub(crate) fn lines_of(
    plan: &DayPlan,
    trips: &HashMap<String, Trip>,
    vehicles: &[Vehicle],
    network: Option<&RoadNetwork>,
) -> Vec<RouteLine> {
    plan.routes
        .iter()
        .filter(|r| !r.stops.is_empty())
        .map(|route| {
            let depot = vehicles
                .iter()
                .find(|v| v.id == route.vehicle_id)
                .map(|v| v.depot);
            let stops = route.stops.iter().filter_map(|s| {
                let t = trips.get(&s.trip_id)?;
                Some(if s.pickup {
                    t.pickup.position
                } else {
                    t.dropoff.position
                })
            });
            let places: Vec<LonLat> = depot.into_iter().chain(stops).chain(depot).collect();
            let mut path: Vec<[f64; 2]> = Vec::new();
            for leg in places.windows(2) {
                let (a, b) = (leg[0], leg[1]);
                let drawn = network
                    .and_then(|n| n.route(ProfileId::Van, a, b, MATRIX_DEPARTURE_S))
                    .map(|r| r.geometry)
                    .filter(|g| g.len() >= 2)
                    .unwrap_or_else(|| vec![a, b]);
                for p in drawn {
                    let p = [p.lon, p.lat];
                    if path.last() != Some(&p) {
                        path.push(p);
                    }
                }
            }
            RouteLine {
                vehicle_id: route.vehicle_id.clone(),
                path,
            }
        })
        .collect()
}
