//! Tests on the real extract that need the network's internals: the hierarchy against plain
//! Dijkstra, and one-way segments.

use super::ch::{self, Endpoint, NO_ARC};
use super::graph::NONE;
use super::profile::ProfileId;
use super::road_network::RoadNetwork;
use super::route::drive_fraction;
use crate::travel::LonLat;
use rand::{Rng, SeedableRng};
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::path::Path;
use std::sync::OnceLock;

fn network() -> &'static RoadNetwork {
    static NET: OnceLock<RoadNetwork> = OnceLock::new();
    NET.get_or_init(|| {
        let pbf =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/osm/timisoara-2025-05-24.osm.pbf");
        let cache = std::env::temp_dir().join("dispecer-network-test-cache");
        RoadNetwork::load(&pbf, Some(&cache)).expect("the extract loads")
    })
}

/// The original arcs of the hierarchy (those that are not shortcuts), as adjacency lists.
fn original_graph(ch: &ch::Ch) -> Vec<Vec<(u32, u32)>> {
    let n = ch.num_nodes();
    let mut adj: Vec<Vec<(u32, u32)>> = vec![Vec::new(); n];
    let original = |i: usize| ch.arcs[ch.link_arc[i] as usize].children[0] == NO_ARC;
    for v in 0..n as u32 {
        for i in ch.up_range(v).filter(|&i| original(i)) {
            let l = ch.links[i];
            adj[v as usize].push((l.node, l.weight));
        }
        for i in ch.down_range(v).filter(|&i| original(i)) {
            let l = ch.links[i];
            adj[l.node as usize].push((v, l.weight));
        }
    }
    adj
}

/// Plain Dijkstra over the original graph, with the same endpoint offsets as the hierarchy.
fn dijkstra(adj: &[Vec<(u32, u32)>], from: &[Endpoint], to: &[Endpoint]) -> Option<i64> {
    let mut dist = vec![i64::MAX; adj.len()];
    let mut heap = BinaryHeap::new();
    for e in from {
        if i64::from(e.time) < dist[e.node as usize] {
            dist[e.node as usize] = i64::from(e.time);
            heap.push(Reverse((i64::from(e.time), e.node)));
        }
    }
    while let Some(Reverse((d, u))) = heap.pop() {
        if d > dist[u as usize] {
            continue;
        }
        for &(v, w) in &adj[u as usize] {
            let nd = d + i64::from(w);
            if nd < dist[v as usize] {
                dist[v as usize] = nd;
                heap.push(Reverse((nd, v)));
            }
        }
    }
    to.iter()
        .filter(|e| dist[e.node as usize] != i64::MAX)
        .map(|e| dist[e.node as usize] + i64::from(e.time))
        .filter(|t| *t >= 0)
        .min()
}

fn random_points(n: usize, seed: u64) -> Vec<LonLat> {
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    (0..n)
        .map(|_| {
            LonLat::new(
                rng.random_range(21.17..21.27),
                rng.random_range(45.72..45.79),
            )
        })
        .collect()
}

#[test]
fn hierarchy_answers_equal_plain_dijkstra_on_random_pairs() {
    let net = network();
    for profile in ProfileId::ALL {
        let ch = net.ch_of(profile);
        let adj = original_graph(ch);
        let points = random_points(20, 7);
        let snapped: Vec<_> = points
            .iter()
            .map(|p| net.snap(*p).expect("snaps"))
            .collect();
        let sources: Vec<Vec<Endpoint>> = snapped
            .iter()
            .map(|s| net.endpoints(profile, s, false))
            .collect();
        let targets: Vec<Vec<Endpoint>> = snapped
            .iter()
            .map(|s| net.endpoints(profile, s, true))
            .collect();
        let (matrix, _) = ch.many_to_many(&sources, &targets);
        for i in 0..points.len() {
            for j in 0..points.len() {
                if i == j {
                    continue;
                }
                let expected = dijkstra(&adj, &sources[i], &targets[j]);
                let p2p =
                    ch::point_to_point(ch, &sources[i], &targets[j]).map(|r| i64::from(r.time_ms));
                let cell = matrix[i * points.len() + j];
                let cell = (cell != i32::MAX).then_some(i64::from(cell));
                let time_only = ch.travel_time_only(&sources[i], &targets[j]).map(i64::from);
                assert_eq!(p2p, expected, "{profile:?} point-to-point {i}->{j}");
                assert_eq!(time_only, expected, "{profile:?} travel time {i}->{j}");
                assert_eq!(cell, expected, "{profile:?} matrix {i}->{j}");
            }
        }
    }
}

#[test]
fn a_one_way_street_is_not_driven_against_its_direction() {
    // Arrange: the longest named one-way segment of the routable network.
    let net = network();
    let graph = net.graph();
    let (seg, _) = graph
        .seg_edges
        .iter()
        .enumerate()
        .filter(|(s, ids)| {
            let one_way = (ids[0] == NONE) != (ids[1] == NONE);
            let seg = &graph.segments[*s];
            one_way && graph.ways[seg.way as usize].name.is_some() && seg.geometry.len() == 2
        })
        .filter(|(_, ids)| ids.iter().any(|&e| e != NONE && net.snap_routable(e)))
        .max_by(|a, b| {
            graph.segments[a.0]
                .length_m
                .total_cmp(&graph.segments[b.0].length_m)
        })
        .expect("the city has one-way streets");
    let s = &graph.segments[seg];
    let forward = graph.seg_edges[seg][0] != NONE;
    let at = |f: f64| {
        let (a, b) = (s.geometry[0], s.geometry[1]);
        LonLat::new(a.lon + f * (b.lon - a.lon), a.lat + f * (b.lat - a.lat))
    };
    let (p, q) = if forward {
        (at(0.2), at(0.8))
    } else {
        (at(0.8), at(0.2))
    };
    // Act
    let with = net.route(ProfileId::EmiuCar, p, q, 0).expect("route along");
    let against = net
        .route(ProfileId::EmiuCar, q, p, 0)
        .expect("route against");
    // Assert: along the street it is the straight piece; against it, a detour.
    let piece = 0.6 * s.length_m;
    assert!(
        (with.distance_m - piece).abs() < 5.0,
        "{} vs {piece}",
        with.distance_m
    );
    assert!(
        against.distance_m > piece + 50.0,
        "{} vs {piece}",
        against.distance_m
    );
}

#[test]
fn via_way_restrictions_of_the_extract_are_not_driven() {
    // Arrange: every `no_*` via-way restriction placed on the routable graph, with a point in
    // the middle of its `from` edge and one in the middle of its `to` edge.
    let net = network();
    let graph = net.graph();
    let middle = |e: u32| {
        let pts: Vec<LonLat> = graph.edge_points(e).collect();
        let (a, b) = (pts[0], pts[1]);
        net.snap(LonLat::new((a.lon + b.lon) / 2.0, (a.lat + b.lat) / 2.0))
            .filter(|s| s.seg == graph.edges[e as usize].seg && s.distance_m < 0.5)
    };
    let bans: Vec<_> = net
        .via_way_paths()
        .iter()
        .filter(|p| !p.only && p.edges.iter().all(|&e| net.snap_routable(e)))
        .collect();
    assert!(bans.len() >= 5, "{} via-way bans placed", bans.len());
    let mut checked = Vec::new();
    let mut detours = Vec::new();
    for ban in bans {
        let (first, last) = (ban.edges[0], ban.edges[ban.edges.len() - 1]);
        let (Some(a), Some(b)) = (middle(first), middle(last)) else {
            continue;
        };
        // The forbidden drive: the rest of the first edge, the via edges, the start of the last.
        let forbidden_m: f64 = ban.edges[1..ban.edges.len() - 1]
            .iter()
            .map(|&e| graph.edge_length_m(e))
            .sum::<f64>()
            + (1.0 - drive_fraction(graph, first, &a)) * graph.edge_length_m(first)
            + drive_fraction(graph, last, &b) * graph.edge_length_m(last);
        // Act
        let (edges, metres) = net
            .route_edges(ProfileId::EmiuCar, &a, &b)
            .expect("both ends are routable");
        // Assert: the banned sequence of edges never appears in the route.
        assert!(
            !edges.windows(ban.edges.len()).any(|w| w == ban.edges),
            "relation {} is driven: {edges:?}",
            ban.relation
        );
        checked.push(ban.relation);
        if metres > forbidden_m + 50.0 {
            detours.push(ban.relation);
        }
    }
    // Relation 9520169 bans a U-turn over two via ways; it and the others are checked, and
    // each route makes a real detour instead of the short forbidden drive.
    assert!(
        checked.len() >= 5 && checked.contains(&9520169),
        "{checked:?}"
    );
    assert_eq!(detours, checked);
}
