//! Preparing a [`RoadNetwork`] from the extract: parse, build the road and turn graphs, contract
//! one hierarchy per profile, index addresses and map layers; and writing the prepared cache.

use super::*;

impl RoadNetwork {
    pub(super) fn write_cache(dir: &Path, file: &Path, p: &Prepared) -> anyhow::Result<()> {
        std::fs::create_dir_all(dir)?;
        let tmp = file.with_extension("tmp");
        std::fs::write(&tmp, postcard::to_stdvec(p)?)?;
        std::fs::rename(&tmp, file)?;
        Ok(())
    }

    pub(super) fn prepare(pbf_path: &Path) -> anyhow::Result<Prepared> {
        let profiles = ProfileSet::builtin()?;
        let t = Instant::now();
        let osm = OsmData::read(pbf_path)?;
        let parse_ms = t.elapsed().as_secs_f64() * 1e3;
        let t = Instant::now();
        let via: Vec<i64> = osm.restrictions.iter().map(|r| r.via_node).collect();
        let graph = RoadGraph::build(&osm, &profiles, &via);
        let turns = TurnGraph::build(&graph, &osm.restrictions, &osm.via_way_restrictions);
        // Hierarchy input ids for the routable turn-graph nodes; road edges map to theirs,
        // copies (via-way restrictions) are listed per road edge for targets.
        let mut edge_node = vec![NONE; graph.edges.len()];
        let mut node_edge = Vec::new();
        let mut input_id = vec![NONE; turns.node_edge.len()];
        let mut edge_copies = Vec::new();
        for (x, _) in turns.routable.iter().enumerate().filter(|(_, r)| **r) {
            let id = node_edge.len() as u32;
            let e = turns.node_edge[x];
            input_id[x] = id;
            node_edge.push(e);
            if x < graph.edges.len() {
                edge_node[x] = id;
            } else {
                edge_copies.push((e, id));
            }
        }
        edge_copies.sort_unstable();
        let graph_ms = t.elapsed().as_secs_f64() * 1e3;
        // Where each node (a road edge) lies, for the hierarchy's memory layout.
        let keys: Vec<u64> = node_edge
            .iter()
            .map(|&e| {
                let g = &graph.segments[graph.edges[e as usize].seg as usize].geometry;
                let (a, b) = (
                    graph.projection.to_xy(g[0]),
                    graph.projection.to_xy(g[g.len() - 1]),
                );
                z_order_key([(a[0] + b[0]) / 2.0, (a[1] + b[1]) / 2.0])
            })
            .collect();
        let t = Instant::now();
        let per_profile: Vec<PreparedProfile> = {
            let build = |id: ProfileId| -> anyhow::Result<PreparedProfile> {
                let profile = profiles.get(id).context("profile missing")?;
                let weights_ms = graph.edge_weights_ms(profile);
                let arcs: Vec<InputArc> = turns
                    .turns
                    .iter()
                    .filter(|t| {
                        input_id[t.from as usize] != NONE && input_id[t.to as usize] != NONE
                    })
                    .map(|t| {
                        let to = turns.node_edge[t.to as usize];
                        InputArc {
                            from: input_id[t.from as usize],
                            to: input_id[t.to as usize],
                            weight: weights_ms[to as usize]
                                .saturating_add(TurnGraph::penalty_ms(t, profile)),
                            dist: (graph.edge_length_m(to) * 10.0)
                                .round()
                                .min(crate::network::graph::MAX_EDGE_DM)
                                as u32,
                        }
                    })
                    .collect();
                let ch = ch::contract(node_edge.len(), &arcs, &keys);
                Ok(PreparedProfile { weights_ms, ch })
            };
            let (a, b) = rayon::join(|| build(ProfileId::ALL[0]), || build(ProfileId::ALL[1]));
            vec![a?, b?]
        };
        let contract_ms = t.elapsed().as_secs_f64() * 1e3;
        let stats = BuildStats {
            from_cache: false,
            load_ms: 0.0,
            parse_ms,
            graph_ms,
            contract_ms,
            segments: graph.segments.len(),
            edges: graph.edges.len(),
            routable_edges: edge_node.iter().filter(|&&n| n != NONE).count(),
            turns: turns.turns.len(),
            shortcuts: per_profile.iter().map(|p| p.ch.shortcuts).sum(),
            label_entries: per_profile.iter().map(|p| p.ch.labels.len()).sum(),
            clipped_ways: graph.clipped_ways,
            restrictions_applied: turns.restrictions_applied,
            via_way_restrictions_applied: turns.via_way_applied,
            restrictions_skipped: osm.skipped_restrictions
                + (osm.restrictions.len() + osm.via_way_restrictions.len()
                    - turns.restrictions_applied),
            turns_banned: turns.turns_banned,
        };
        let geocoder = Geocoder::build(&osm);
        let map = MapData::build(&osm, graph.projection);
        Ok(Prepared {
            graph,
            edge_node,
            node_edge,
            edge_copies,
            via_way_paths: turns.via_way_paths,
            profiles,
            per_profile,
            geocoder,
            map,
            stats,
        })
    }
}
