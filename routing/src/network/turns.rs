//! The edge-based graph: its nodes are directed road edges, its arcs the turns a vehicle may
//! make between them. Turn restrictions remove arcs and turn penalties weight them, which a
//! node-based graph cannot express.

use super::graph::{RoadGraph, NONE};
use super::osm::{RawRestriction, RawViaWayRestriction};
use super::profile::Profile;
use super::via_ways::{self, ViaWayPath};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// A permitted turn from edge `from` into edge `to`.
#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
pub(crate) struct Turn {
    pub from: u32,
    pub to: u32,
    /// 0 when going straight, 1 when turning back: `(1 - cos angle) / 2`.
    pub sharpness: f32,
    /// Crossing the oncoming lane (right-hand traffic).
    pub left: bool,
    pub u_turn: bool,
    /// The junction joins three or more segments; passing a plain bend costs no turn penalty.
    pub at_junction: bool,
}

/// All permitted turns and which nodes form the routable (strongly connected) network. The
/// nodes are the road edges, plus copies of via edges for via-way restrictions (see
/// [`via_ways`]); turns run between nodes.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct TurnGraph {
    pub turns: Vec<Turn>,
    /// The road edge each node drives: itself below the number of road edges, the original
    /// of a copy above.
    pub node_edge: Vec<u32>,
    /// `true` for nodes in the largest strongly connected component; only those are routed
    /// and snapped to, so every pair of snapped points has a route.
    pub routable: Vec<bool>,
    /// Restrictions found on the graph and applied (via node or via way).
    pub restrictions_applied: usize,
    /// Of those, restrictions via ways.
    pub via_way_applied: usize,
    /// Turns removed by them.
    pub turns_banned: usize,
    /// The via-way restrictions as placed on the graph.
    pub via_way_paths: Vec<ViaWayPath>,
}

impl TurnGraph {
    pub(crate) fn build(
        graph: &RoadGraph,
        restrictions: &[RawRestriction],
        via_way: &[RawViaWayRestriction],
    ) -> Self {
        let way_of: HashMap<i64, u32> = graph
            .ways
            .iter()
            .enumerate()
            .map(|(i, w)| (w.osm_id, i as u32))
            .collect();
        let vertex_of: HashMap<i64, u32> = graph
            .vertex_osm
            .iter()
            .enumerate()
            .map(|(i, &n)| (n, i as u32))
            .collect();
        // (via vertex) -> list of (from way, to way, only)
        let mut at: HashMap<u32, Vec<(u32, u32, bool)>> = HashMap::new();
        let mut restrictions_applied = 0;
        for r in restrictions {
            if let (Some(&f), Some(&v), Some(&t)) = (
                way_of.get(&r.from_way),
                vertex_of.get(&r.via_node),
                way_of.get(&r.to_way),
            ) {
                at.entry(v).or_default().push((f, t, r.only));
                restrictions_applied += 1;
            }
        }
        let way = |e: u32| graph.segments[graph.edges[e as usize].seg as usize].way;
        let proj = graph.projection;
        let mut turns = Vec::new();
        let mut turns_banned = 0;
        for e1 in 0..graph.edges.len() as u32 {
            let b = graph.head(e1);
            let out = graph.out_of(b);
            let reverse = graph.reverse(e1);
            let dead_end = out.iter().all(|&e| e == reverse);
            let degree = {
                let mut segs: Vec<u32> = out.iter().map(|&e| graph.edges[e as usize].seg).collect();
                segs.push(graph.edges[e1 as usize].seg);
                segs.sort_unstable();
                segs.dedup();
                segs.len()
            };
            let mut last2 = graph.edge_points(e1).rev().take(2);
            let (p1, p0) = (last2.next(), last2.next());
            let rules = at.get(&b);
            for &e2 in out {
                let u_turn = e2 == reverse && reverse != NONE;
                if u_turn && !dead_end {
                    continue;
                }
                if let Some(rules) = rules {
                    let (wf, wt) = (way(e1), way(e2));
                    let banned = rules
                        .iter()
                        .any(|&(f, t, only)| f == wf && if only { t != wt } else { t == wt });
                    if banned {
                        turns_banned += 1;
                        continue;
                    }
                }
                let mut first2 = graph.edge_points(e2).take(2);
                let (q0, q1) = (first2.next(), first2.next());
                let (sharpness, left) = match (p0, p1, q0, q1) {
                    (Some(p0), Some(p1), Some(q0), Some(q1)) => {
                        let (a, b2) = (proj.to_xy(p0), proj.to_xy(p1));
                        let (c, d) = (proj.to_xy(q0), proj.to_xy(q1));
                        let (ix, iy) = (b2[0] - a[0], b2[1] - a[1]);
                        let (ox, oy) = (d[0] - c[0], d[1] - c[1]);
                        let norm = (ix.hypot(iy) * ox.hypot(oy)).max(1e-9);
                        let cos = ((ix * ox + iy * oy) / norm).clamp(-1.0, 1.0);
                        (((1.0 - cos) / 2.0) as f32, ix * oy - iy * ox > 0.0)
                    }
                    _ => (0.0, false),
                };
                turns.push(Turn {
                    from: e1,
                    to: e2,
                    sharpness,
                    left,
                    u_turn,
                    at_junction: degree >= 3,
                });
            }
        }
        let mut way_edges: HashMap<u32, Vec<u32>> = HashMap::new();
        for e in 0..graph.edges.len() as u32 {
            way_edges.entry(way(e)).or_default().push(e);
        }
        let mut via_way_paths = Vec::new();
        let mut via_way_applied = 0;
        for r in via_way {
            let paths = via_ways::resolve(graph, &way_of, &way_edges, r);
            via_way_applied += usize::from(!paths.is_empty());
            via_way_paths.extend(paths);
        }
        let (turns, node_edge, removed) =
            via_ways::expand(graph.edges.len(), &turns, &via_way_paths);
        let routable = largest_scc(node_edge.len(), &turns);
        TurnGraph {
            turns,
            node_edge,
            routable,
            restrictions_applied: restrictions_applied + via_way_applied,
            via_way_applied,
            turns_banned: turns_banned + removed,
            via_way_paths,
        }
    }

    /// The time a turn adds for `profile`, in milliseconds.
    pub(crate) fn penalty_ms(turn: &Turn, profile: &Profile) -> u32 {
        let s = if turn.u_turn {
            profile.u_turn_penalty_s
        } else if turn.at_junction {
            let bias = if turn.left {
                profile.left_turn_bias
            } else {
                1.0
            };
            profile.turn_penalty_s * f64::from(turn.sharpness).powi(2) * bias
        } else {
            0.0
        };
        (s * 1000.0).round() as u32
    }
}

/// Marks the nodes of the largest strongly connected component (iterative Tarjan).
fn largest_scc(n: usize, turns: &[Turn]) -> Vec<bool> {
    let mut start = vec![0usize; n + 1];
    for t in turns {
        start[t.from as usize + 1] += 1;
    }
    for i in 0..n {
        start[i + 1] += start[i];
    }
    let mut adj = vec![0u32; turns.len()];
    let mut fill = start.clone();
    for t in turns {
        adj[fill[t.from as usize]] = t.to;
        fill[t.from as usize] += 1;
    }
    const UNSEEN: u32 = u32::MAX;
    let mut index = vec![UNSEEN; n];
    let mut low = vec![0u32; n];
    let mut on_stack = vec![false; n];
    let mut stack: Vec<u32> = Vec::new();
    let mut comp = vec![UNSEEN; n];
    let mut comp_sizes: Vec<usize> = Vec::new();
    let mut next = 0u32;
    let mut call: Vec<(u32, usize)> = Vec::new();
    for root in 0..n as u32 {
        if index[root as usize] != UNSEEN {
            continue;
        }
        call.push((root, start[root as usize]));
        index[root as usize] = next;
        low[root as usize] = next;
        next += 1;
        stack.push(root);
        on_stack[root as usize] = true;
        while let Some(&mut (v, ref mut pos)) = call.last_mut() {
            let vi = v as usize;
            if *pos < start[vi + 1] {
                let w = adj[*pos] as usize;
                *pos += 1;
                if index[w] == UNSEEN {
                    index[w] = next;
                    low[w] = next;
                    next += 1;
                    stack.push(w as u32);
                    on_stack[w] = true;
                    call.push((w as u32, start[w]));
                } else if on_stack[w] {
                    low[vi] = low[vi].min(index[w]);
                }
            } else {
                call.pop();
                if let Some(&(parent, _)) = call.last() {
                    low[parent as usize] = low[parent as usize].min(low[vi]);
                }
                if low[vi] == index[vi] {
                    let c = comp_sizes.len() as u32;
                    let mut size = 0;
                    while let Some(w) = stack.pop() {
                        on_stack[w as usize] = false;
                        comp[w as usize] = c;
                        size += 1;
                        if w == v {
                            break;
                        }
                    }
                    comp_sizes.push(size);
                }
            }
        }
    }
    let best = comp_sizes
        .iter()
        .enumerate()
        .max_by_key(|(_, s)| **s)
        .map(|(i, _)| i as u32);
    comp.iter().map(|&c| Some(c) == best).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn turn(from: u32, to: u32) -> Turn {
        Turn {
            from,
            to,
            sharpness: 0.0,
            left: false,
            u_turn: false,
            at_junction: false,
        }
    }

    #[test]
    fn largest_scc_keeps_the_cycle_and_drops_the_dangling_node() {
        // 0 -> 1 -> 2 -> 0 is a cycle; 3 only leads into it; 4 <-> 5 is a smaller cycle.
        let turns = [
            turn(0, 1),
            turn(1, 2),
            turn(2, 0),
            turn(3, 0),
            turn(4, 5),
            turn(5, 4),
        ];
        let keep = largest_scc(6, &turns);
        assert_eq!(keep, vec![true, true, true, false, false, false]);
    }
}
