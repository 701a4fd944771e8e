//! Via-way turn restrictions. A ban like "no U-turn from A across the median B into C" forbids
//! a sequence of three or more road edges, which a turn (a pair of edges) cannot express. The
//! edge-based graph gets copies of the via edges instead: entering the via from the `from`
//! edge leads onto the copies, which remember where the vehicle came from, and only the copy
//! of the last via edge lacks the banned turn (or, for `only_*`, has nothing but the
//! mandatory one). Every other way onto the via edges still uses the originals, so nothing
//! else changes. Restrictions that share a start share copies (a trie of via paths).
//!
//! Known limit: a restriction whose `from` edge is itself a via edge of another restriction
//! is not applied while driving along that other restriction's copies.

use super::graph::RoadGraph;
use super::osm::RawViaWayRestriction;
use super::turns::Turn;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// A via-way restriction placed on the graph: road edges `from, via..., to` in driving order.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct ViaWayPath {
    /// The OSM relation, to name it in tests and logs.
    pub relation: i64,
    pub edges: Vec<u32>,
    pub only: bool,
}

/// Via paths longer than this many road edges are not followed (the longest real one in the
/// extract has a handful; the bound only stops a malformed relation from wandering).
const MAX_PATH_EDGES: usize = 24;

/// Every drive `from edge, via edges..., to edge` that matches the restriction's ways in
/// order; usually one, none when a way is missing from the graph or the ways do not connect.
pub(crate) fn resolve(
    graph: &RoadGraph,
    way_of: &HashMap<i64, u32>,
    way_edges: &HashMap<u32, Vec<u32>>,
    r: &RawViaWayRestriction,
) -> Vec<ViaWayPath> {
    let mut ways = Vec::with_capacity(r.via_ways.len() + 2);
    for id in std::iter::once(&r.from_way)
        .chain(&r.via_ways)
        .chain(std::iter::once(&r.to_way))
    {
        match way_of.get(id) {
            Some(&w) => ways.push(w),
            None => return Vec::new(),
        }
    }
    let last = ways.len() - 1;
    let way = |e: u32| graph.segments[graph.edges[e as usize].seg as usize].way;
    let mut found = Vec::new();
    // Depth-first over (path, index in `ways` of the way its last edge is on).
    let mut stack: Vec<(Vec<u32>, usize)> = way_edges
        .get(&ways[0])
        .into_iter()
        .flatten()
        .map(|&e| (vec![e], 0))
        .collect();
    while let Some((path, k)) = stack.pop() {
        let e = path[path.len() - 1];
        if path.len() >= MAX_PATH_EDGES {
            continue;
        }
        let reverse = graph.reverse(e);
        for &e2 in graph.out_of(graph.head(e)) {
            if e2 == reverse || path.contains(&e2) {
                continue;
            }
            let w2 = way(e2);
            // Stay on the current via way (never on the from way: its last edge is the start).
            let next = if k > 0 && k < last && w2 == ways[k] {
                k
            } else if w2 == ways[k + 1] {
                k + 1
            } else {
                continue;
            };
            let mut longer = path.clone();
            longer.push(e2);
            if next == last {
                found.push(ViaWayPath {
                    relation: r.relation,
                    edges: longer,
                    only: r.only,
                });
            } else {
                stack.push((longer, next));
            }
        }
    }
    found
}

/// The turn graph with copies for `paths`: returns the turns between turn-graph nodes, the
/// road edge each node drives (nodes below `num_edges` are the road edges themselves), and
/// how many turns the restrictions removed.
pub(crate) fn expand(
    num_edges: usize,
    turns: &[Turn],
    paths: &[ViaWayPath],
) -> (Vec<Turn>, Vec<u32>, usize) {
    let mut node_edge: Vec<u32> = (0..num_edges as u32).collect();
    let mut copy_of: HashMap<(u32, u32), u32> = HashMap::new();
    let mut banned: HashMap<u32, Vec<u32>> = HashMap::new();
    let mut allowed: HashMap<u32, Vec<u32>> = HashMap::new();
    for p in paths {
        let (from, via, to) = match p.edges.as_slice() {
            [from, via @ .., to] if !via.is_empty() => (*from, via, *to),
            _ => continue,
        };
        if p.only {
            allowed.entry(from).or_default().push(via[0]);
        }
        let mut at = from;
        for (i, &v) in via.iter().enumerate() {
            at = *copy_of.entry((at, v)).or_insert_with(|| {
                node_edge.push(v);
                (node_edge.len() - 1) as u32
            });
            if p.only {
                let next = via.get(i + 1).copied().unwrap_or(to);
                allowed.entry(at).or_default().push(next);
            }
        }
        if !p.only {
            banned.entry(at).or_default().push(to);
        }
    }
    // The plain turns out of each road edge.
    let mut start = vec![0usize; num_edges + 1];
    for t in turns {
        start[t.from as usize + 1] += 1;
    }
    for e in 0..num_edges {
        start[e + 1] += start[e];
    }
    let mut by_from: Vec<&Turn> = turns.iter().collect();
    by_from.sort_by_key(|t| t.from);
    let mut out = Vec::with_capacity(turns.len());
    let mut removed = 0;
    for (x, &edge) in node_edge.iter().enumerate() {
        let x = x as u32;
        for t in &by_from[start[edge as usize]..start[edge as usize + 1]] {
            let ok_only = allowed.get(&x).is_none_or(|a| a.contains(&t.to));
            let ok_no = banned.get(&x).is_none_or(|b| !b.contains(&t.to));
            if !(ok_only && ok_no) {
                removed += 1;
                continue;
            }
            out.push(Turn {
                from: x,
                to: copy_of.get(&(x, t.to)).copied().unwrap_or(t.to),
                ..**t
            });
        }
    }
    (out, node_edge, removed)
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
            at_junction: true,
        }
    }

    fn reachable_pairs(turns: &[Turn], node_edge: &[u32], from: u32) -> Vec<Vec<u32>> {
        // Every edge sequence of length 4 starting at `from`, as road edges.
        let mut paths = vec![vec![from]];
        for _ in 0..3 {
            paths = paths
                .iter()
                .flat_map(|p| {
                    let last = p[p.len() - 1];
                    turns.iter().filter(move |t| t.from == last).map(|t| {
                        let mut q = p.clone();
                        q.push(t.to);
                        q
                    })
                })
                .collect();
        }
        paths
            .into_iter()
            .map(|p| p.iter().map(|&n| node_edge[n as usize]).collect())
            .collect()
    }

    #[test]
    fn a_banned_via_way_manoeuvre_disappears_and_the_rest_stays() {
        // Arrange: 0 -> 1 -> 2 -> {3, 4}, and 5 -> 1 as another way onto the via edges.
        let turns = [turn(0, 1), turn(1, 2), turn(2, 3), turn(2, 4), turn(5, 1)];
        let ban = ViaWayPath {
            relation: 1,
            edges: vec![0, 1, 2, 3],
            only: false,
        };
        // Act
        let (out, node_edge, removed) = expand(6, &turns, &[ban]);
        // Assert: from 0 only 0-1-2-4 remains; from 5 both exits remain.
        assert_eq!(removed, 1);
        assert_eq!(reachable_pairs(&out, &node_edge, 0), vec![vec![0, 1, 2, 4]]);
        let mut from5 = reachable_pairs(&out, &node_edge, 5);
        from5.sort();
        assert_eq!(from5, vec![vec![5, 1, 2, 3], vec![5, 1, 2, 4]]);
    }

    #[test]
    fn an_only_via_way_manoeuvre_is_the_single_way_on() {
        // Arrange: 0 -> {1, 6}, 1 -> 2 -> {3, 4}.
        let turns = [turn(0, 1), turn(0, 6), turn(1, 2), turn(2, 3), turn(2, 4)];
        let only = ViaWayPath {
            relation: 2,
            edges: vec![0, 1, 2, 4],
            only: true,
        };
        // Act
        let (out, node_edge, _) = expand(7, &turns, &[only]);
        // Assert
        assert_eq!(reachable_pairs(&out, &node_edge, 0), vec![vec![0, 1, 2, 4]]);
        assert!(!out.iter().any(|t| t.from == 0 && t.to == 6));
        assert!(out
            .iter()
            .any(|t| t.from == 1 && node_edge[t.to as usize] == 2));
    }
}
