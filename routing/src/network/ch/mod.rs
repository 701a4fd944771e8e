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
pub(crate) use search::{point_to_point, Endpoint};

use serde::{Deserialize, Serialize};

pub(crate) const NO_ARC: u32 = u32::MAX;

/// An arc of the hierarchy as seen from the node it is stored at: the other end, the time
/// (ms), the driven distance (decimetres) and its index in [`Ch::arcs`] for unpacking.
#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
pub(crate) struct Link {
    pub node: u32,
    pub weight: u32,
    pub dist: u32,
    pub arc: u32,
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
    /// Arcs to more important nodes, stored at their tail (forward searches climb these).
    pub up_start: Vec<u32>,
    pub up: Vec<Link>,
    /// Arcs from more important nodes, stored at their head (backward searches climb these).
    pub down_start: Vec<u32>,
    pub down: Vec<Link>,
    pub arcs: Vec<ChArc>,
    pub shortcuts: usize,
}

impl Ch {
    pub(crate) fn num_nodes(&self) -> usize {
        self.to_ch.len()
    }

    #[cfg(test)]
    pub(crate) fn up_of(&self, v: u32) -> &[Link] {
        &self.up[self.up_start[v as usize] as usize..self.up_start[v as usize + 1] as usize]
    }

    #[cfg(test)]
    pub(crate) fn down_of(&self, v: u32) -> &[Link] {
        &self.down[self.down_start[v as usize] as usize..self.down_start[v as usize + 1] as usize]
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
