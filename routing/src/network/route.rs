//! Routes as the dispatcher sees them: time, distance, the line to draw and the streets taken.

use super::graph::RoadGraph;
use super::snap::{slice, Snapped};
use crate::travel::LonLat;
use serde::{Deserialize, Serialize};

/// One street of a route, in driving order; consecutive pieces of the same street are merged.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StreetLeg {
    /// The `name` of the road, or `None` for unnamed service roads and links.
    pub name: Option<String>,
    pub metres: f64,
}

/// A driven route between two snapped points.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Route {
    /// Travel time including turn penalties, signals and the time-of-day factor.
    pub duration_s: f64,
    pub distance_m: f64,
    /// From the snapped origin to the snapped destination, WGS84.
    pub geometry: Vec<LonLat>,
    /// Streets in driving order, so the CLI can print "Calea Aradului 1.2 km, ...".
    pub streets: Vec<StreetLeg>,
    /// Where the origin and destination were placed on the network.
    pub from: Snapped,
    pub to: Snapped,
}

/// Where along its driving direction edge `e` a snapped point lies (0 = start of the edge).
pub(crate) fn drive_fraction(graph: &RoadGraph, e: u32, s: &Snapped) -> f64 {
    if graph.edges[e as usize].forward {
        s.fraction
    } else {
        1.0 - s.fraction
    }
}

/// Builds the geometry and street list of the path over `edges` (road edges in order).
pub(crate) fn describe(
    graph: &RoadGraph,
    edges: &[u32],
    from: &Snapped,
    to: &Snapped,
) -> (Vec<LonLat>, Vec<StreetLeg>) {
    let mut geometry: Vec<LonLat> = Vec::new();
    let mut streets: Vec<StreetLeg> = Vec::new();
    let last = edges.len().saturating_sub(1);
    for (i, &e) in edges.iter().enumerate() {
        let a = if i == 0 {
            drive_fraction(graph, e, from)
        } else {
            0.0
        };
        let b = if i == last {
            drive_fraction(graph, e, to)
        } else {
            1.0
        };
        let seg = graph.edges[e as usize].seg;
        let forward = graph.edges[e as usize].forward;
        let (sa, sb) = if forward { (a, b) } else { (1.0 - a, 1.0 - b) };
        let pts = slice(graph, seg, sa, sb);
        let skip = usize::from(!geometry.is_empty());
        geometry.extend(pts.into_iter().skip(skip));
        let metres = (b - a).max(0.0) * graph.edge_length_m(e);
        let name = graph.edge_name(e).map(str::to_string);
        match streets.last_mut() {
            Some(leg) if leg.name == name => leg.metres += metres,
            _ => streets.push(StreetLeg { name, metres }),
        }
    }
    streets.retain(|l| l.metres > 0.5);
    (geometry, streets)
}
