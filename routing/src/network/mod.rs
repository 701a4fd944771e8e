//! The Timișoara road network, built from the OpenStreetMap extract: routing with turn
//! restrictions and penalties, many-to-many travel-time matrices, snapping, geocoding and the
//! simplified map served to the console. Map data © OpenStreetMap contributors (ODbL).
//!
//! # Layout
//! - `osm`: reading the `.osm.pbf` into plain records.
//! - `profile` (+ `profiles.toml`): vehicle speeds, penalties and the time-of-day table, as data.
//! - `graph`: ways clipped at the box edge, cut into segments and directed edges.
//! - `turns`: the edge-based graph (turns, restrictions, penalties, largest strongly
//!   connected component).
//! - `via_ways`: via-way restrictions, by copying the via edges.
//! - `ch`: our contraction hierarchy: preparation, point-to-point, bucket many-to-many.
//! - `snap`: R-tree snapping of any point to the nearest routable road.
//! - `route`: route description (geometry, streets).
//! - `road_network`: [`RoadNetwork`], loading with an on-disk cache, and its queries.
//! - `geocode`: address search and reverse geocoding.
//! - `map`: the simplified road map by zoom level, GeoJSON with attribution.
//! - `fallback`: straight-line travel times and the [`crate::travel::TravelTimeSource`]
//!   adapters ([`NetworkSource`], [`NetworkWithFallback`]).
//! - `geo`: distances and the local projection.

mod ch;
mod fallback;
mod geo;
mod geocode;
mod graph;
mod map;
mod osm;
mod profile;
mod road_network;
mod route;
mod snap;
#[cfg(test)]
mod tests;
mod turns;
mod via_ways;

pub use fallback::{
    measure_detour, DetourMeasurement, NetworkSource, NetworkWithFallback, StraightLineFallback,
    MEASURED_DETOUR_FACTOR, MEASURED_SPEED_KMH,
};
pub use geo::haversine_m;
pub use geocode::{Address, Candidate, CandidateKind, Geocoder};
pub use map::{Bounds, Landmark, MapData, MapLayer, ATTRIBUTION, ATTRIBUTION_URL};
pub use profile::{Profile, ProfileId, ProfileSet, TimeOfDay};
pub use road_network::{BuildStats, RoadNetwork};
pub use route::{Route, StreetLeg};
pub use snap::Snapped;
