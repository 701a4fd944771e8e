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
//! - `ch`: our contraction hierarchy: preparation, point-to-point, bucket many-to-many.
//! - `snap`: R-tree snapping of any point to the nearest routable road.
//! - `route`: route description (geometry, streets).
//! - `road_network`: [`RoadNetwork`], loading with an on-disk cache, and its queries.
//! - `geo`: distances and the local projection.

mod ch;
mod geo;
mod graph;
mod osm;
mod profile;
mod road_network;
mod route;
mod snap;
mod turns;

pub use geo::haversine_m;
pub use profile::{Profile, ProfileId, ProfileSet, TimeOfDay};
pub use road_network::{BuildStats, RoadNetwork};
pub use route::{Route, StreetLeg};
pub use snap::Snapped;
