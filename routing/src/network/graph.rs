//! The node-level road graph: ways clipped at the box edge and cut into segments between
//! junctions, and the directed edges a vehicle may drive along them.

use super::geo::Projection;
use super::osm::{Oneway, OsmData};
use super::profile::{Profile, ProfileSet};
use crate::travel::LonLat;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Marks a missing directed edge (one-way segment) or an edge outside the routable component.
pub(crate) const NONE: u32 = u32::MAX;

/// The tags of a drivable way that weights, names and the map need.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct WayInfo {
    pub osm_id: i64,
    pub highway: String,
    pub name: Option<String>,
    pub maxspeed: Option<f64>,
    pub service: Option<String>,
}

/// A piece of one way between two junctions (or ends), drivable in one or both directions.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Segment {
    pub way: u32,
    pub from: u32,
    pub to: u32,
    pub geometry: Vec<LonLat>,
    pub length_m: f64,
    /// Traffic signals passed when driving along / against the node order (the start vertex
    /// is not counted, so a signal at a junction is paid once, entering it).
    pub signals: [u16; 2],
}

/// A segment driven in one direction: the unit that the edge-based graph turns between.
#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
pub(crate) struct Edge {
    pub seg: u32,
    pub forward: bool,
}

/// The drivable road network at node level.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct RoadGraph {
    pub projection: Projection,
    pub ways: Vec<WayInfo>,
    pub segments: Vec<Segment>,
    pub edges: Vec<Edge>,
    /// For each segment, its forward and backward edge ids (or [`NONE`]).
    pub seg_edges: Vec<[u32; 2]>,
    /// OSM node id of each vertex (junctions and way ends).
    pub vertex_osm: Vec<i64>,
    /// CSR: the edges leaving vertex `v` are `out_edges[out_start[v]..out_start[v + 1]]`.
    pub out_start: Vec<u32>,
    pub out_edges: Vec<u32>,
    /// How many ways' pieces were cut because they referenced nodes missing from the extract.
    pub clipped_ways: usize,
}

/// Longest time one edge may take, in ms (30 min). Routing sums weights in 32 bits, which
/// holds any route through a real road network many times over; an absurd extract (a way
/// jumping across a continent, found by the fuzz target `osm_reader`) made single edges so
/// long that a turn penalty or a two-edge path overflowed. Capped edges keep the sums in range.
pub(crate) const MAX_EDGE_MS: f64 = 30.0 * 60.0 * 1000.0;
/// Longest distance one edge may count, in decimetres (100 km), for the same reason.
pub(crate) const MAX_EDGE_DM: f64 = 100_000.0 * 10.0;

impl RoadGraph {
    /// Builds the graph from the ways any profile may drive. Ways cut at the box edge are split
    /// into the runs of nodes present in the file; `extra_vertices` (via nodes of restrictions)
    /// always become vertices so that turns can be banned there.
    pub(crate) fn build(osm: &OsmData, profiles: &ProfileSet, extra_vertices: &[i64]) -> Self {
        let drivable = |w: &&super::osm::RawWay| {
            w.car_access
                && profiles
                    .profiles
                    .iter()
                    .any(|p| p.speeds.contains_key(&w.highway))
        };
        // Clip: keep runs of consecutive nodes that exist in the extract.
        let mut pieces: Vec<(usize, Vec<i64>, Oneway)> = Vec::new();
        let mut clipped_ways = 0;
        for (wi, w) in osm.ways.iter().enumerate().filter(|(_, w)| drivable(w)) {
            let mut run: Vec<i64> = Vec::new();
            let mut clipped = false;
            for &r in &w.refs {
                if osm.nodes.contains_key(&r) {
                    if run.last() != Some(&r) {
                        run.push(r);
                    }
                } else {
                    clipped = true;
                    if run.len() >= 2 {
                        pieces.push((wi, std::mem::take(&mut run), w.oneway));
                    }
                    run.clear();
                }
            }
            if run.len() >= 2 {
                pieces.push((wi, run, w.oneway));
            }
            clipped_ways += usize::from(clipped);
        }
        // A node is a vertex when it ends a piece, is shared or repeated, or is a via node.
        let mut uses: HashMap<i64, u32> = HashMap::new();
        for (_, refs, _) in &pieces {
            for &r in refs {
                *uses.entry(r).or_default() += 1;
            }
            for end in [refs[0], refs[refs.len() - 1]] {
                *uses.entry(end).or_default() += 2;
            }
        }
        for v in extra_vertices {
            if let Some(u) = uses.get_mut(v) {
                *u += 2;
            }
        }
        let mut vertex_of: HashMap<i64, u32> = HashMap::new();
        let mut vertex_osm = Vec::new();
        let mut vertex = |id: i64, vertex_osm: &mut Vec<i64>| {
            *vertex_of.entry(id).or_insert_with(|| {
                vertex_osm.push(id);
                (vertex_osm.len() - 1) as u32
            })
        };
        let mut way_index: HashMap<usize, u32> = HashMap::new();
        let mut ways = Vec::new();
        let mut segments = Vec::new();
        let mut seg_edges = Vec::new();
        let mut edges = Vec::new();
        for (wi, refs, oneway) in &pieces {
            let w = &osm.ways[*wi];
            let way = *way_index.entry(*wi).or_insert_with(|| {
                ways.push(WayInfo {
                    osm_id: w.id,
                    highway: w.highway.clone(),
                    name: w.name.clone(),
                    maxspeed: w.maxspeed,
                    service: w.service.clone(),
                });
                (ways.len() - 1) as u32
            });
            let mut start = 0;
            for i in 1..refs.len() {
                if uses.get(&refs[i]).copied().unwrap_or(0) < 2 {
                    continue;
                }
                let nodes = &refs[start..=i];
                let geometry: Vec<LonLat> = nodes
                    .iter()
                    .filter_map(|r| osm.nodes.get(r).copied())
                    .collect();
                let length_m = geometry
                    .windows(2)
                    .map(|p| super::geo::haversine_m(p[0], p[1]))
                    .sum();
                let count =
                    |ns: &[i64]| ns.iter().filter(|n| osm.signals.contains(n)).count() as u16;
                let seg = segments.len() as u32;
                segments.push(Segment {
                    way,
                    from: vertex(nodes[0], &mut vertex_osm),
                    to: vertex(nodes[nodes.len() - 1], &mut vertex_osm),
                    geometry,
                    length_m,
                    signals: [count(&nodes[1..]), count(&nodes[..nodes.len() - 1])],
                });
                let mut ids = [NONE, NONE];
                if *oneway != Oneway::Backward {
                    ids[0] = edges.len() as u32;
                    edges.push(Edge { seg, forward: true });
                }
                if *oneway != Oneway::Forward {
                    ids[1] = edges.len() as u32;
                    edges.push(Edge {
                        seg,
                        forward: false,
                    });
                }
                seg_edges.push(ids);
                start = i;
            }
        }
        let mut graph = RoadGraph {
            projection: Projection::around(centre(osm)),
            ways,
            segments,
            edges,
            seg_edges,
            vertex_osm,
            out_start: Vec::new(),
            out_edges: Vec::new(),
            clipped_ways,
        };
        graph.index_out_edges();
        graph
    }

    fn index_out_edges(&mut self) {
        let n = self.vertex_osm.len();
        let mut start = vec![0u32; n + 1];
        for e in 0..self.edges.len() {
            start[self.tail(e as u32) as usize + 1] += 1;
        }
        for v in 0..n {
            start[v + 1] += start[v];
        }
        let mut fill = start.clone();
        let mut out = vec![0u32; self.edges.len()];
        for e in 0..self.edges.len() {
            let t = self.tail(e as u32) as usize;
            out[fill[t] as usize] = e as u32;
            fill[t] += 1;
        }
        self.out_start = start;
        self.out_edges = out;
    }

    /// The vertex an edge starts from.
    pub(crate) fn tail(&self, e: u32) -> u32 {
        let edge = self.edges[e as usize];
        let s = &self.segments[edge.seg as usize];
        if edge.forward {
            s.from
        } else {
            s.to
        }
    }

    /// The vertex an edge leads to.
    pub(crate) fn head(&self, e: u32) -> u32 {
        let edge = self.edges[e as usize];
        let s = &self.segments[edge.seg as usize];
        if edge.forward {
            s.to
        } else {
            s.from
        }
    }

    pub(crate) fn out_of(&self, v: u32) -> &[u32] {
        &self.out_edges
            [self.out_start[v as usize] as usize..self.out_start[v as usize + 1] as usize]
    }

    /// The edge driving the same segment the other way, if it exists.
    pub(crate) fn reverse(&self, e: u32) -> u32 {
        let edge = self.edges[e as usize];
        self.seg_edges[edge.seg as usize][usize::from(edge.forward)]
    }

    /// The points of an edge in driving order.
    pub(crate) fn edge_points(&self, e: u32) -> impl DoubleEndedIterator<Item = LonLat> + '_ {
        let edge = self.edges[e as usize];
        let g = &self.segments[edge.seg as usize].geometry;
        let (fwd, bwd) = if edge.forward {
            (Some(g.iter().copied()), None)
        } else {
            (None, Some(g.iter().rev().copied()))
        };
        fwd.into_iter().flatten().chain(bwd.into_iter().flatten())
    }

    /// Travel time of every edge for `profile`, in milliseconds.
    pub(crate) fn edge_weights_ms(&self, profile: &Profile) -> Vec<u32> {
        self.edges
            .iter()
            .map(|edge| {
                let s = &self.segments[edge.seg as usize];
                let w = &self.ways[s.way as usize];
                let kmh = profile
                    .speed_kmh(&w.highway, w.service.as_deref(), w.maxspeed)
                    .unwrap_or(5.0);
                let signals = f64::from(s.signals[usize::from(!edge.forward)]);
                let seconds = s.length_m / (kmh / 3.6) + signals * profile.traffic_signal_s;
                (seconds * 1000.0).round().clamp(1.0, MAX_EDGE_MS) as u32
            })
            .collect()
    }

    pub(crate) fn edge_length_m(&self, e: u32) -> f64 {
        self.segments[self.edges[e as usize].seg as usize].length_m
    }

    pub(crate) fn edge_name(&self, e: u32) -> Option<&str> {
        let s = &self.segments[self.edges[e as usize].seg as usize];
        self.ways[s.way as usize].name.as_deref()
    }
}

fn centre(osm: &OsmData) -> LonLat {
    let (mut lo, mut hi) = (LonLat::new(180.0, 90.0), LonLat::new(-180.0, -90.0));
    for p in osm.nodes.values() {
        lo = LonLat::new(lo.lon.min(p.lon), lo.lat.min(p.lat));
        hi = LonLat::new(hi.lon.max(p.lon), hi.lat.max(p.lat));
    }
    if osm.nodes.is_empty() {
        return LonLat::new(0.0, 0.0);
    }
    LonLat::new((lo.lon + hi.lon) / 2.0, (lo.lat + hi.lat) / 2.0)
}
