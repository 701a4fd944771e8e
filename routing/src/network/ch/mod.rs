//! A contraction hierarchy over the edge-based graph, written for this network: preparation,
//! point-to-point search with path unpacking, and a bucket-based many-to-many matrix.
//!
//! Nodes are renumbered so that the most important (last contracted) come first, which keeps
//! the top of the hierarchy, touched by every search, in a few cache lines.

mod contract;
mod matrix;
mod search;

pub(crate) use contract::{contract, InputArc};
pub(crate) use matrix::many_to_many;
pub(crate) use search::{point_to_point, travel_time, Endpoint};

use serde::{Deserialize, Serialize};

pub(crate) const NO_ARC: u32 = u32::MAX;

/// An arc of the hierarchy as seen from the node it is stored at: the other end, the time
/// (ms) and the driven distance (decimetres). Its index in [`Ch::arcs`], needed only to
/// unpack a path, lives apart in [`Ch::link_arc`] so that searches read 12 bytes per link.
#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
pub(crate) struct Link {
    pub node: u32,
    pub weight: u32,
    pub dist: u32,
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
    /// The [`Ch::arcs`] entry of each link, for unpacking.
    pub link_arc: Vec<u32>,
    pub arcs: Vec<ChArc>,
    pub shortcuts: usize,
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
