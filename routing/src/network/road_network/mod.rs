//! [`RoadNetwork`]: everything prepared from the extract, loaded once and shared.

use super::ch::{self, Ch, Endpoint, InputArc};
use super::geo::z_order_key;
use super::geocode::{Address, Candidate, Geocoder, ReverseIndex};
use super::graph::{RoadGraph, NONE};
use super::map::{Bounds, Landmark, MapData, MapLayer};
use super::osm::OsmData;
use super::profile::{ProfileId, ProfileSet, PROFILES_TOML};
use super::route::{describe, drive_fraction, Route};
use super::snap::{Snapped, Snapper};
use super::turns::TurnGraph;
use crate::travel::{LonLat, TravelMatrix};
use anyhow::Context;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::Path;
use std::time::Instant;

mod build;

/// Bumped whenever the prepared format or the build changes, so old caches are ignored: it is
/// hashed into the cache file's name. 6: the file is postcard, no longer bincode.
const FORMAT_VERSION: u32 = 6;

/// How the network was obtained and what it holds; printed by the bench and the service logs.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct BuildStats {
    /// True when the prepared data came from the on-disk cache.
    pub from_cache: bool,
    /// Wall time of [`RoadNetwork::load`] (hashing, reading or building, indexing), ms.
    pub load_ms: f64,
    /// Parsing the PBF (0 when cached), ms.
    pub parse_ms: f64,
    /// Building the road and turn graphs (0 when cached), ms.
    pub graph_ms: f64,
    /// Contracting both profiles, in parallel (0 when cached), ms.
    pub contract_ms: f64,
    pub segments: usize,
    pub edges: usize,
    /// Road edges in the largest strongly connected component (the routable network).
    pub routable_edges: usize,
    pub turns: usize,
    pub shortcuts: usize,
    /// Hub label entries over both profiles and directions (8 bytes each, plus 4 for the
    /// distance): the memory that buys search-free travel times and matrices.
    pub label_entries: usize,
    pub clipped_ways: usize,
    /// Restrictions applied, via a node or via ways.
    pub restrictions_applied: usize,
    /// Of those, via ways (by copying the via edges).
    pub via_way_restrictions_applied: usize,
    /// Restrictions not applied: malformed, not for cars, or not matching the graph (a way
    /// outside the extract or not drivable).
    pub restrictions_skipped: usize,
    pub turns_banned: usize,
}

#[derive(Serialize, Deserialize)]
struct PreparedProfile {
    weights_ms: Vec<u32>,
    ch: Ch,
}

#[derive(Serialize, Deserialize)]
struct Prepared {
    graph: RoadGraph,
    /// Road edge -> edge-based node (NONE outside the routable component), and back.
    edge_node: Vec<u32>,
    node_edge: Vec<u32>,
    /// (road edge, node) for the copies of via edges made by via-way restrictions, sorted:
    /// a route may end on a copy (arriving the restricted way is legal, only leaving is not).
    edge_copies: Vec<(u32, u32)>,
    /// The via-way restrictions as placed on the graph (road edges), for tests and stats.
    via_way_paths: Vec<super::via_ways::ViaWayPath>,
    profiles: ProfileSet,
    per_profile: Vec<PreparedProfile>,
    geocoder: Geocoder,
    map: MapData,
    stats: BuildStats,
}

/// The Timișoara road network, prepared for routing every profile. Immutable after
/// [`RoadNetwork::load`], so it is `Send + Sync` and shared behind an `Arc`.
pub struct RoadNetwork {
    prepared: Prepared,
    snapper: Snapper,
    reverse: ReverseIndex,
    stats: BuildStats,
}

impl RoadNetwork {
    /// Reads the extract and prepares every profile, or loads the prepared data from
    /// `cache_dir` when a cache for the same file bytes and profiles exists. A missing,
    /// stale or unreadable cache is rebuilt and rewritten (a failed write is not an error:
    /// the service can run without a cache).
    pub fn load(pbf_path: &Path, cache_dir: Option<&Path>) -> anyhow::Result<Self> {
        let t0 = Instant::now();
        let bytes =
            std::fs::read(pbf_path).with_context(|| format!("reading {}", pbf_path.display()))?;
        let mut hasher = Sha256::new();
        hasher.update(&bytes);
        hasher.update(PROFILES_TOML.as_bytes());
        hasher.update(FORMAT_VERSION.to_le_bytes());
        let key: String = hasher.finalize()[..12]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        drop(bytes);
        let cache_file = cache_dir.map(|d| d.join(format!("roadnet-{key}.bin")));
        let cached = cache_file.as_ref().and_then(|f| {
            let data = std::fs::read(f).ok()?;
            postcard::from_bytes::<Prepared>(&data).ok()
        });
        let prepared = match cached {
            Some(mut p) => {
                p.stats.from_cache = true;
                p
            }
            None => {
                let p = Self::prepare(pbf_path)?;
                if let (Some(dir), Some(file)) = (cache_dir, &cache_file) {
                    let _ = Self::write_cache(dir, file, &p);
                }
                p
            }
        };
        Ok(Self::index(prepared, t0))
    }

    /// Builds from the extract without touching any cache.
    pub fn build(pbf_path: &Path) -> anyhow::Result<Self> {
        let t0 = Instant::now();
        let prepared = Self::prepare(pbf_path)?;
        Ok(Self::index(prepared, t0))
    }

    fn index(prepared: Prepared, t0: Instant) -> Self {
        let edge_node = &prepared.edge_node;
        let snapper = Snapper::build(&prepared.graph, |e| edge_node[e as usize] != NONE);
        let reverse = ReverseIndex::build(&prepared.geocoder, prepared.graph.projection);
        let mut stats = prepared.stats.clone();
        stats.load_ms = t0.elapsed().as_secs_f64() * 1e3;
        Self {
            prepared,
            snapper,
            reverse,
            stats,
        }
    }

    /// Build and load figures (see [`BuildStats`]).
    pub fn stats(&self) -> &BuildStats {
        &self.stats
    }

    /// The speeds, penalties and time-of-day table in use.
    pub fn profiles(&self) -> &ProfileSet {
        &self.prepared.profiles
    }

    #[cfg(test)]
    pub(crate) fn graph(&self) -> &RoadGraph {
        &self.prepared.graph
    }

    /// The nearest point on the routable network (the largest strongly connected part, so a
    /// route exists between any two snapped points).
    pub fn snap(&self, p: LonLat) -> Option<Snapped> {
        self.snapper.snap(&self.prepared.graph, p)
    }

    pub(crate) fn endpoints(
        &self,
        profile: ProfileId,
        s: &Snapped,
        as_target: bool,
    ) -> Vec<Endpoint> {
        let graph = &self.prepared.graph;
        let pp = &self.prepared.per_profile[profile.index()];
        let copies = &self.prepared.edge_copies;
        let mut out = Vec::with_capacity(2);
        for &e in &graph.seg_edges[s.seg as usize] {
            if e == NONE || self.prepared.edge_node[e as usize] == NONE {
                continue;
            }
            let f = drive_fraction(graph, e, s);
            let w = f64::from(pp.weights_ms[e as usize]);
            let len_dm = graph.edge_length_m(e) * 10.0;
            let (time, dist) = if as_target {
                (-((1.0 - f) * w), -((1.0 - f) * len_dm))
            } else {
                ((1.0 - f) * w, (1.0 - f) * len_dm)
            };
            let mut push = |input: u32| {
                out.push(Endpoint {
                    node: pp.ch.to_ch[input as usize],
                    time: time.round() as i32,
                    dist: dist.round() as i32,
                })
            };
            push(self.prepared.edge_node[e as usize]);
            if as_target {
                let first = copies.partition_point(|&(c, _)| c < e);
                for &(_, input) in copies[first..].iter().take_while(|&&(c, _)| c == e) {
                    push(input);
                }
            }
        }
        out
    }

    /// The fastest route for `profile` departing at `depart_second_of_day`, or `None` when a
    /// point cannot be snapped.
    pub fn route(
        &self,
        profile: ProfileId,
        from: LonLat,
        to: LonLat,
        depart_second_of_day: u32,
    ) -> Option<Route> {
        let (a, b) = (self.snap(from)?, self.snap(to)?);
        let pp = &self.prepared.per_profile[profile.index()];
        let path = ch::point_to_point(
            &pp.ch,
            &self.endpoints(profile, &a, false),
            &self.endpoints(profile, &b, true),
        )?;
        let edges: Vec<u32> = path
            .nodes
            .iter()
            .map(|&n| self.prepared.node_edge[n as usize])
            .collect();
        let (geometry, streets) = describe(&self.prepared.graph, &edges, &a, &b);
        let factor = self
            .prepared
            .profiles
            .time_of_day
            .factor(depart_second_of_day);
        Some(Route {
            duration_s: f64::from(path.time_ms.max(0)) / 1000.0 * factor,
            distance_m: f64::from(path.dist_dm.max(0)) / 10.0,
            geometry,
            streets,
            from: a,
            to: b,
        })
    }

    /// Travel time (s) only, without building the geometry: the cheap query for benchmarks.
    pub fn duration_s(
        &self,
        profile: ProfileId,
        from: &Snapped,
        to: &Snapped,
        depart_second_of_day: u32,
    ) -> Option<f64> {
        let pp = &self.prepared.per_profile[profile.index()];
        let time_ms = pp.ch.travel_time_only(
            &self.endpoints(profile, from, false),
            &self.endpoints(profile, to, true),
        )?;
        let factor = self
            .prepared
            .profiles
            .time_of_day
            .factor(depart_second_of_day);
        Some(f64::from(time_ms.max(0)) / 1000.0 * factor)
    }

    /// Travel times and distances between all `places` (many-to-many, on all cores). Places
    /// that cannot be snapped get unreachable rows and columns.
    pub fn matrix(
        &self,
        profile: ProfileId,
        places: &[LonLat],
        depart_second_of_day: u32,
    ) -> TravelMatrix {
        let snapped: Vec<Option<Snapped>> = places.iter().map(|p| self.snap(*p)).collect();
        self.matrix_snapped(profile, &snapped, depart_second_of_day)
    }

    /// [`RoadNetwork::matrix`] for points already snapped.
    pub fn matrix_snapped(
        &self,
        profile: ProfileId,
        snapped: &[Option<Snapped>],
        depart_second_of_day: u32,
    ) -> TravelMatrix {
        let pp = &self.prepared.per_profile[profile.index()];
        let ends = |target: bool| -> Vec<Vec<Endpoint>> {
            snapped
                .iter()
                .map(|s| {
                    s.as_ref()
                        .map_or_else(Vec::new, |s| self.endpoints(profile, s, target))
                })
                .collect()
        };
        let factor = self
            .prepared
            .profiles
            .time_of_day
            .factor(depart_second_of_day);
        let n = snapped.len();
        let mut m = TravelMatrix::unreachable(n);
        // Each row is written straight into the matrix, on the core that computed it.
        let rows = m
            .seconds
            .par_chunks_mut(n.max(1))
            .zip(m.metres.par_chunks_mut(n.max(1)));
        let write =
            |(seconds, metres): (&mut [f64], &mut [f64]), i: usize, t: &[i32], d: &[i32]| {
                for j in (0..n).filter(|&j| j != i && t[j] != i32::MAX) {
                    seconds[j] = f64::from(t[j]) / 1000.0 * factor;
                    metres[j] = f64::from(d[j]) / 10.0;
                }
            };
        pp.ch
            .labels
            .many_to_many(pp.ch.num_nodes(), &ends(false), &ends(true), rows, write);
        m
    }

    /// Ranked address, street, place and facility candidates for a typed query (see
    /// [`Geocoder::search`]).
    pub fn geocode(&self, query: &str, limit: usize) -> Vec<Candidate> {
        self.prepared.geocoder.search(query, limit)
    }

    /// The street and house number at a GPS position: the nearest address point within 60 m,
    /// else the name of the nearest road within 200 m, else the nearest address within 1 km.
    pub fn reverse(&self, p: LonLat) -> Option<Address> {
        let address = self.reverse.nearest(&self.prepared.geocoder, p);
        if let Some(a) = address
            .as_ref()
            .filter(|a| a.distance_m <= super::geocode::ADDRESS_RADIUS_M)
        {
            return Some(a.clone());
        }
        let road = self
            .snap(p)
            .filter(|s| s.distance_m <= 200.0)
            .and_then(|s| {
                let graph = &self.prepared.graph;
                let seg = &graph.segments[s.seg as usize];
                let name = graph.ways[seg.way as usize].name.clone()?;
                Some(Address {
                    street: name,
                    housenumber: None,
                    distance_m: s.distance_m,
                })
            });
        road.or(address.filter(|a| a.distance_m <= 1000.0))
    }

    /// The simplified road map, one layer per zoom level (city, district, street).
    pub fn map_layers(&self) -> &[MapLayer] {
        &self.prepared.map.layers
    }

    /// The GeoJSON of a zoom level (0 = city ... 2 = street; higher levels give the most
    /// detailed). Carries the attribution "© OpenStreetMap contributors".
    pub fn map_geojson(&self, level: u8) -> &str {
        let layers = &self.prepared.map.layers;
        let i = usize::from(level).min(layers.len().saturating_sub(1));
        layers.get(i).map_or("", |l| l.geojson.as_str())
    }

    /// The extent of the extract.
    pub fn bounds(&self) -> Bounds {
        self.prepared.map.bounds
    }

    /// Hospitals, to show on the map at every zoom level.
    pub fn landmarks(&self) -> &[Landmark] {
        &self.prepared.map.landmarks
    }

    #[cfg(test)]
    pub(crate) fn via_way_paths(&self) -> &[super::via_ways::ViaWayPath] {
        &self.prepared.via_way_paths
    }

    /// The road edges a route drives, first to last, and its distance (m).
    #[cfg(test)]
    pub(crate) fn route_edges(
        &self,
        profile: ProfileId,
        from: &Snapped,
        to: &Snapped,
    ) -> Option<(Vec<u32>, f64)> {
        let pp = &self.prepared.per_profile[profile.index()];
        let path = ch::point_to_point(
            &pp.ch,
            &self.endpoints(profile, from, false),
            &self.endpoints(profile, to, true),
        )?;
        let edges = path
            .nodes
            .iter()
            .map(|&n| self.prepared.node_edge[n as usize])
            .collect();
        Some((edges, f64::from(path.dist_dm) / 10.0))
    }

    #[cfg(test)]
    pub(crate) fn snap_routable(&self, e: u32) -> bool {
        self.prepared.edge_node[e as usize] != NONE
    }

    #[cfg(test)]
    pub(crate) fn ch_of(&self, profile: ProfileId) -> &Ch {
        &self.prepared.per_profile[profile.index()].ch
    }
}
