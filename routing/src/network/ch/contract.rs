//! Node contraction with witness searches and lazily updated priorities.

use super::{Ch, ChArc, HubLabels, Link, NodeLinks, NO_ARC};
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// An arc of the graph to contract: time in ms and driven distance in decimetres.
#[derive(Clone, Copy, Debug)]
pub(crate) struct InputArc {
    pub from: u32,
    pub to: u32,
    pub weight: u32,
    pub dist: u32,
}

#[derive(Clone, Copy)]
struct Adj {
    node: u32,
    weight: u32,
    dist: u32,
    arc: u32,
    /// How many original arcs this arc stands for (1 unless it is a shortcut).
    orig: u32,
}

struct Contractor {
    out: Vec<Vec<Adj>>,
    inn: Vec<Vec<Adj>>,
    contracted: Vec<bool>,
    arcs: Vec<ChArc>,
    // Witness search scratch.
    dist: Vec<u32>,
    /// Out-neighbours of the node being contracted: witness searches stop once all are settled.
    is_target: Vec<bool>,
    touched: Vec<u32>,
    heap: BinaryHeap<Reverse<(u32, u32)>>,
}

const SIMULATE_LIMIT: usize = 60;
const CONTRACT_LIMIT: usize = 400;

impl Contractor {
    /// Distances from `source` avoiding `skip`, settling at most `limit` nodes or up to `max`,
    /// and stopping early once the `targets` marked in `is_target` are all settled.
    fn witness(&mut self, source: u32, skip: u32, max: u32, limit: usize, targets: usize) {
        for &t in &self.touched {
            self.dist[t as usize] = u32::MAX;
        }
        self.touched.clear();
        self.heap.clear();
        self.dist[source as usize] = 0;
        self.touched.push(source);
        self.heap.push(Reverse((0, source)));
        let mut settled = 0;
        let mut remaining = targets;
        while let Some(Reverse((d, u))) = self.heap.pop() {
            if d > self.dist[u as usize] {
                continue;
            }
            settled += 1;
            if d > max || settled > limit {
                break;
            }
            if self.is_target[u as usize] {
                remaining -= 1;
                if remaining == 0 {
                    break;
                }
            }
            for a in &self.out[u as usize] {
                if a.node == skip || self.contracted[a.node as usize] {
                    continue;
                }
                let nd = d + a.weight;
                let slot = &mut self.dist[a.node as usize];
                if nd < *slot {
                    if *slot == u32::MAX {
                        self.touched.push(a.node);
                    }
                    *slot = nd;
                    self.heap.push(Reverse((nd, a.node)));
                }
            }
        }
    }

    /// The shortcuts contracting `v` needs: (in index, out index) pairs.
    fn shortcuts(&mut self, v: u32, limit: usize, found: &mut Vec<(usize, usize)>) {
        found.clear();
        let vi = v as usize;
        let max_out = self.out[vi].iter().map(|a| a.weight).max().unwrap_or(0);
        let mut targets = 0;
        for x in &self.out[vi] {
            if x.node != v && !self.is_target[x.node as usize] {
                self.is_target[x.node as usize] = true;
                targets += 1;
            }
        }
        for i in 0..self.inn[vi].len() {
            let u = self.inn[vi][i];
            if u.node == v {
                continue;
            }
            // The source itself needs no witness (it would be a loop); count it as found.
            let own = usize::from(self.is_target[u.node as usize]);
            if targets == own {
                continue;
            }
            self.witness(u.node, v, u.weight + max_out, limit, targets);
            for (j, x) in self.out[vi].iter().enumerate() {
                if x.node == u.node || x.node == v {
                    continue;
                }
                if self.dist[x.node as usize] > u.weight + x.weight {
                    found.push((i, j));
                }
            }
        }
        for x in &self.out[vi] {
            self.is_target[x.node as usize] = false;
        }
    }

    /// Lower is contracted sooner: few shortcuts per removed arc, shortcuts that stand for
    /// few original arcs, and a shallow hierarchy (the weighting OSRM uses).
    fn priority(&mut self, v: u32, levels: &[i32], scratch: &mut Vec<(usize, usize)>) -> i32 {
        self.shortcuts(v, SIMULATE_LIMIT, scratch);
        let vi = v as usize;
        let removed = (self.inn[vi].len() + self.out[vi].len()).max(1) as f64;
        let removed_orig: u32 = self.inn[vi]
            .iter()
            .chain(&self.out[vi])
            .map(|a| a.orig)
            .sum();
        let added_orig: u32 = scratch
            .iter()
            .map(|&(i, j)| self.inn[vi][i].orig + self.out[vi][j].orig)
            .sum();
        let edge_quotient = scratch.len() as f64 / removed;
        let orig_quotient = f64::from(added_orig) / f64::from(removed_orig.max(1));
        ((2.0 * edge_quotient + orig_quotient + f64::from(levels[vi])) * 1000.0) as i32
    }

    fn add_arc(
        &mut self,
        from: u32,
        to: u32,
        weight: u32,
        dist: u32,
        orig: u32,
        children: [u32; 2],
    ) {
        if let Some(a) = self.out[from as usize].iter_mut().find(|a| a.node == to) {
            if a.weight <= weight {
                return;
            }
            let arc = self.arcs.len() as u32;
            *a = Adj {
                node: to,
                weight,
                dist,
                arc,
                orig,
            };
            if let Some(b) = self.inn[to as usize].iter_mut().find(|b| b.node == from) {
                *b = Adj {
                    node: from,
                    weight,
                    dist,
                    arc,
                    orig,
                };
            }
        } else {
            let arc = self.arcs.len() as u32;
            self.out[from as usize].push(Adj {
                node: to,
                weight,
                dist,
                arc,
                orig,
            });
            self.inn[to as usize].push(Adj {
                node: from,
                weight,
                dist,
                arc,
                orig,
            });
        }
        self.arcs.push(ChArc { from, to, children });
    }
}

/// Prepares a hierarchy over `n` nodes. Parallel arcs keep the fastest; self-loops are
/// dropped (they never shorten a path). `keys` orders the less important nodes in memory
/// (see [`numbering`]); nodes close on the map should have close keys.
pub(crate) fn contract(n: usize, input: &[InputArc], keys: &[u64]) -> Ch {
    let mut c = Contractor {
        out: vec![Vec::new(); n],
        inn: vec![Vec::new(); n],
        contracted: vec![false; n],
        arcs: Vec::with_capacity(input.len() * 2),
        dist: vec![u32::MAX; n],
        is_target: vec![false; n],
        touched: Vec::new(),
        heap: BinaryHeap::new(),
    };
    for a in input.iter().filter(|a| a.from != a.to) {
        c.add_arc(a.from, a.to, a.weight, a.dist, 1, [NO_ARC, NO_ARC]);
    }
    let original = c.arcs.len();
    let mut levels = vec![0i32; n];
    let mut scratch = Vec::new();
    let mut prio: Vec<i32> = (0..n as u32)
        .map(|v| c.priority(v, &levels, &mut scratch))
        .collect();
    let mut queue: BinaryHeap<Reverse<(i32, u32)>> = (0..n as u32)
        .map(|v| Reverse((prio[v as usize], v)))
        .collect();
    let mut rank = vec![0u32; n];
    let mut ups: Vec<Vec<Adj>> = vec![Vec::new(); n];
    let mut downs: Vec<Vec<Adj>> = vec![Vec::new(); n];
    let mut next_rank = 0u32;
    while let Some(Reverse((p, v))) = queue.pop() {
        let vi = v as usize;
        if c.contracted[vi] || p != prio[vi] {
            continue;
        }
        let fresh = c.priority(v, &levels, &mut scratch);
        if let Some(Reverse((top, _))) = queue.peek() {
            if fresh > *top {
                prio[vi] = fresh;
                queue.push(Reverse((fresh, v)));
                continue;
            }
        }
        // Contract v.
        c.shortcuts(v, CONTRACT_LIMIT, &mut scratch);
        let needed: Vec<(Adj, Adj)> = scratch
            .iter()
            .map(|&(i, j)| (c.inn[vi][i], c.out[vi][j]))
            .collect();
        for (u, x) in needed {
            c.add_arc(
                u.node,
                x.node,
                u.weight + x.weight,
                u.dist + x.dist,
                u.orig + x.orig,
                [u.arc, x.arc],
            );
        }
        c.contracted[vi] = true;
        rank[vi] = next_rank;
        next_rank += 1;
        let outs = std::mem::take(&mut c.out[vi]);
        let ins = std::mem::take(&mut c.inn[vi]);
        let mut neighbours: Vec<u32> = Vec::with_capacity(outs.len() + ins.len());
        for a in &outs {
            c.inn[a.node as usize].retain(|b| b.node != v);
            neighbours.push(a.node);
        }
        for a in &ins {
            c.out[a.node as usize].retain(|b| b.node != v);
            neighbours.push(a.node);
        }
        neighbours.sort_unstable();
        neighbours.dedup();
        for &w in &neighbours {
            levels[w as usize] = levels[w as usize].max(levels[vi] + 1);
            let np = c.priority(w, &levels, &mut scratch);
            if np != prio[w as usize] {
                prio[w as usize] = np;
                queue.push(Reverse((np, w)));
            }
        }
        ups[vi] = outs;
        downs[vi] = ins;
    }
    let (to_ch, from_ch) = numbering(&rank, keys);
    // One array for both directions: a node's upward links, then its downward ones, so a
    // search reads the links it climbs and those it stalls on from the same cache lines.
    let mut index = Vec::with_capacity(n + 1);
    let mut links = Vec::with_capacity(c.arcs.len());
    let mut link_dist = Vec::with_capacity(c.arcs.len());
    let mut link_arc = Vec::with_capacity(c.arcs.len());
    for &v in &from_ch {
        let up = links.len() as u32;
        let down = up + ups[v as usize].len() as u32;
        let mut push = |a: &Adj| {
            links.push(Link {
                node: to_ch[a.node as usize],
                weight: a.weight,
            });
            link_dist.push(a.dist);
            link_arc.push(a.arc);
        };
        ups[v as usize].iter().for_each(&mut push);
        downs[v as usize].iter().for_each(&mut push);
        index.push(NodeLinks { up, down });
    }
    let end = links.len() as u32;
    index.push(NodeLinks { up: end, down: end });
    let arcs = c
        .arcs
        .iter()
        .map(|a| ChArc {
            from: to_ch[a.from as usize],
            to: to_ch[a.to as usize],
            children: a.children,
        })
        .collect::<Vec<_>>();
    let mut ch = Ch {
        shortcuts: arcs.len() - original,
        to_ch,
        from_ch,
        index,
        links,
        link_dist,
        link_arc,
        arcs,
        labels: HubLabels::default(),
    };
    ch.labels = HubLabels::build(&ch);
    ch
}

/// How many of the most important nodes are numbered first, by importance. Every search
/// ends among them, so they share a few kilobytes that stay cached between queries.
const TOP_NODES: usize = 1024;

/// Hierarchy ids (`to_ch`, and its inverse `from_ch`): the [`TOP_NODES`] most important
/// nodes first, then the rest in the order of their `keys` (a space-filling curve over the
/// map). A search's lower part stays near its start, so with neighbours on the map stored
/// side by side its labels and links share cache lines instead of each costing a miss.
fn numbering(rank: &[u32], keys: &[u64]) -> (Vec<u32>, Vec<u32>) {
    let n = rank.len();
    let mut from_ch: Vec<u32> = (0..n as u32).collect();
    from_ch.sort_unstable_by_key(|&v| std::cmp::Reverse(rank[v as usize]));
    let top = TOP_NODES.min(n);
    from_ch[top..].sort_by_key(|&v| keys.get(v as usize).copied().unwrap_or(0));
    let mut to_ch = vec![0u32; n];
    for (id, &v) in from_ch.iter().enumerate() {
        to_ch[v as usize] = id as u32;
    }
    (to_ch, from_ch)
}
