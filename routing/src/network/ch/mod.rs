//! A contraction hierarchy over the edge-based graph, written for this network: preparation,
//! point-to-point search with path unpacking, and hub labels (the upward search spaces,
//! stored) for time-only queries and the bucket-based many-to-many matrix.
//!
//! Nodes are renumbered for the cache: the most important (last contracted) come first, which
//! keeps the top of the hierarchy, touched by every search, in a few cache lines; the rest
//! follow a space-filling curve over the map, so that the lower part of a search, which stays
//! near its start, reads neighbouring memory.

mod buckets;
mod contract;
mod labels;
mod search;

pub(crate) use contract::{contract, InputArc};
pub(crate) use labels::HubLabels;
pub(crate) use search::{point_to_point, Endpoint};

use serde::{Deserialize, Serialize};

pub(crate) const NO_ARC: u32 = u32::MAX;

/// An arc of the hierarchy as seen from the node it is stored at: the other end and the time
/// (ms). Its driven distance and its index in [`Ch::arcs`] live apart ([`Ch::link_dist`],
/// [`Ch::link_arc`]) so that searches read 8 bytes per link, and stall checks, which read
/// most links, nothing they do not use.
#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
pub(crate) struct Link {
    pub node: u32,
    pub weight: u32,
}

/// Where a node's links start in [`Ch::links`]: upward ones from `up`, downward ones from
/// `down` up to the next node's `up`.
#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
pub(crate) struct NodeLinks {
    pub up: u32,
    pub down: u32,
}

/// An arc for path unpacking: a shortcut stands for its two `children`.
#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
pub(crate) struct ChArc {
    pub from: u32,
    pub to: u32,
    pub children: [u32; 2],
}

/// The prepared hierarchy. Node ids here are hierarchy ids; `to_ch`/`from_ch` translate.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Ch {
    pub to_ch: Vec<u32>,
    pub from_ch: Vec<u32>,
    /// Per node plus a sentinel: where its links start (see [`NodeLinks`]). Upward links go to
    /// more important nodes (forward searches climb them); downward links come from more
    /// important nodes (backward searches climb them).
    pub index: Vec<NodeLinks>,
    pub links: Vec<Link>,
    /// The driven distance (dm) of each link.
    pub link_dist: Vec<u32>,
    /// The [`Ch::arcs`] entry of each link, for unpacking.
    pub link_arc: Vec<u32>,
    pub arcs: Vec<ChArc>,
    pub shortcuts: usize,
    /// Every node's upward search spaces, for time-only queries and matrices.
    pub labels: HubLabels,
}

impl Ch {
    pub(crate) fn num_nodes(&self) -> usize {
        self.to_ch.len()
    }

    /// Indices in [`Ch::links`] of the links from `v` to more important nodes.
    pub(crate) fn up_range(&self, v: u32) -> std::ops::Range<usize> {
        let i = &self.index[v as usize];
        i.up as usize..i.down as usize
    }

    /// Indices in [`Ch::links`] of the links into `v` from more important nodes.
    pub(crate) fn down_range(&self, v: u32) -> std::ops::Range<usize> {
        let vi = v as usize;
        self.index[vi].down as usize..self.index[vi + 1].up as usize
    }

    /// The time (ms) of the fastest route between endpoint sets, from the hub labels.
    pub(crate) fn travel_time_only(&self, from: &[Endpoint], to: &[Endpoint]) -> Option<i32> {
        self.labels.travel_time(from, to)
    }

    /// Times (ms) and distances (dm) from every source to every target, row-major
    /// (`i32::MAX`: no route), from the hub labels (see [`HubLabels::many_to_many`]).
    #[cfg(test)]
    pub(crate) fn many_to_many(
        &self,
        sources: &[Vec<Endpoint>],
        targets: &[Vec<Endpoint>],
    ) -> (Vec<i32>, Vec<i32>) {
        use rayon::prelude::*;
        let m = targets.len().max(1);
        let mut times = vec![i32::MAX; sources.len() * targets.len()];
        let mut dists = times.clone();
        let rows = times.par_chunks_mut(m).zip(dists.par_chunks_mut(m));
        self.labels.many_to_many(
            self.num_nodes(),
            sources,
            targets,
            rows,
            |(rt, rd), _, t, d| {
                rt.copy_from_slice(t);
                rd.copy_from_slice(d);
            },
        );
        (times, dists)
    }

    /// Expands an arc into the original-graph nodes it enters, in order.
    pub(crate) fn unpack(&self, arc: u32, out: &mut Vec<u32>) {
        let mut stack = vec![arc];
        while let Some(a) = stack.pop() {
            let ch_arc = self.arcs[a as usize];
            if ch_arc.children[0] == NO_ARC {
                out.push(self.from_ch[ch_arc.to as usize]);
            } else {
                stack.push(ch_arc.children[1]);
                stack.push(ch_arc.children[0]);
            }
        }
    }
}
