//! Snapping WGS84 points to the nearest routable road with an R-tree over road pieces.

use super::geo::{dist_xy, project_on_segment, Projection};
use super::graph::{RoadGraph, NONE};
use crate::travel::LonLat;
use rstar::primitives::{GeomWithData, Line};
use rstar::RTree;
use serde::{Deserialize, Serialize};

/// A point placed on the road network.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Snapped {
    /// The nearest point on a routable road.
    pub position: LonLat,
    /// How far the query point was from it, in metres (large values mean "off the map").
    pub distance_m: f64,
    pub(crate) seg: u32,
    /// Position along the segment's node order, 0 at its first node and 1 at its last.
    pub(crate) fraction: f64,
}

type Piece = GeomWithData<Line<[f64; 2]>, (u32, u32)>;

/// R-tree over every straight piece of every segment that has a routable direction.
pub(crate) struct Snapper {
    tree: RTree<Piece>,
    projection: Projection,
}

impl Snapper {
    pub(crate) fn build(graph: &RoadGraph, routable_edge: impl Fn(u32) -> bool) -> Self {
        let proj = graph.projection;
        let mut pieces = Vec::new();
        for (s, seg) in graph.segments.iter().enumerate() {
            let usable = graph.seg_edges[s]
                .iter()
                .any(|&e| e != NONE && routable_edge(e));
            if !usable {
                continue;
            }
            for (i, w) in seg.geometry.windows(2).enumerate() {
                let line = Line::new(proj.to_xy(w[0]), proj.to_xy(w[1]));
                pieces.push(GeomWithData::new(line, (s as u32, i as u32)));
            }
        }
        Self {
            tree: RTree::bulk_load(pieces),
            projection: proj,
        }
    }

    pub(crate) fn snap(&self, graph: &RoadGraph, p: LonLat) -> Option<Snapped> {
        let xy = self.projection.to_xy(p);
        let piece = self.tree.nearest_neighbor(xy)?;
        let (seg, idx) = piece.data;
        let line = piece.geom();
        let (t, d2) = project_on_segment(xy, line.from, line.to);
        let geometry = &graph.segments[seg as usize].geometry;
        let mut before = 0.0;
        let mut total = 0.0;
        for (i, w) in geometry.windows(2).enumerate() {
            let len = dist_xy(self.projection.to_xy(w[0]), self.projection.to_xy(w[1]));
            if (i as u32) < idx {
                before += len;
            } else if i as u32 == idx {
                before += t * len;
            }
            total += len;
        }
        let fraction = if total > 0.0 { before / total } else { 0.0 };
        let q = [
            line.from[0] + t * (line.to[0] - line.from[0]),
            line.from[1] + t * (line.to[1] - line.from[1]),
        ];
        Some(Snapped {
            position: self.projection.to_lonlat(q),
            distance_m: d2.sqrt(),
            seg,
            fraction,
        })
    }
}

/// The points of segment `seg` between two fractions of its length, in the order given (a
/// reversed range walks the segment backwards).
pub(crate) fn slice(graph: &RoadGraph, seg: u32, from: f64, to: f64) -> Vec<LonLat> {
    let proj = graph.projection;
    let g = &graph.segments[seg as usize].geometry;
    let xy: Vec<[f64; 2]> = g.iter().map(|p| proj.to_xy(*p)).collect();
    let mut cum = vec![0.0];
    for w in xy.windows(2) {
        let last = cum.last().copied().unwrap_or(0.0);
        cum.push(last + dist_xy(w[0], w[1]));
    }
    let total = cum.last().copied().unwrap_or(0.0).max(1e-9);
    let at = |f: f64| {
        let target = f.clamp(0.0, 1.0) * total;
        let i = cum.partition_point(|&c| c < target).clamp(1, xy.len() - 1);
        let span = (cum[i] - cum[i - 1]).max(1e-9);
        let t = ((target - cum[i - 1]) / span).clamp(0.0, 1.0);
        let (a, b) = (xy[i - 1], xy[i]);
        (
            i,
            proj.to_lonlat([a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])]),
        )
    };
    let (lo, hi) = (from.min(to), from.max(to));
    let (i_lo, p_lo) = at(lo);
    let (i_hi, p_hi) = at(hi);
    let mut pts = vec![p_lo];
    pts.extend(g[i_lo..i_hi].iter().copied());
    pts.push(p_hi);
    if from > to {
        pts.reverse();
    }
    pts
}
