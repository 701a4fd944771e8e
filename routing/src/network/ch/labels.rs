//! Hub labels: every node's upward search space, computed once at preparation and stored
//! sorted by hub. A travel time is then a merge of two short sorted lists instead of a
//! search, and a matrix fills its buckets without running any search at all.
//!
//! Why: a bidirectional search settles about 150 nodes and reads about 1,800 links, a few
//! microseconds of pointer chasing that every query repeats and that doubles as soon as other
//! processes share the cache. The labels of one query are four contiguous runs of about 60
//! entries, read front to back, the same work whether the engine is hot or not.
//!
//! Correctness is the hierarchy's: the labels are exactly the non-stalled nodes an upward
//! search settles, so the best meeting of a bidirectional search is a hub both labels share
//! and every shared hub gives a real (if longer) route.

use super::buckets::{Buckets, UNREACHED};
use super::search::{upward_all, with_scratch, Endpoint};
use super::Ch;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// One label entry: the hub (a hierarchy node) and the time (ms) between it and the node.
#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
pub(crate) struct Hub {
    pub node: u32,
    pub time: i32,
}

/// The labels of one direction: node `v`'s entries are `hubs[start[v]..start[v + 1]]`,
/// sorted by hub, with their driven distances (dm) in `dists` at the same positions (read only
/// when a matrix cell improves).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct Side {
    start: Vec<u32>,
    hubs: Vec<Hub>,
    dists: Vec<i32>,
}

impl Side {
    fn build(ch: &Ch, forward: bool) -> Self {
        let spaces: Vec<Vec<(Hub, i32)>> = (0..ch.num_nodes() as u32)
            .into_par_iter()
            .map(|v| {
                let mut space = Vec::new();
                let from = [Endpoint {
                    node: v,
                    time: 0,
                    dist: 0,
                }];
                with_scratch(|s, _| {
                    upward_all(ch, s, &from, forward, |node, time, dist| {
                        space.push((Hub { node, time }, dist))
                    })
                });
                space.sort_unstable_by_key(|(h, _)| h.node);
                space
            })
            .collect();
        Side::from_spaces(spaces)
    }

    /// Drops the entries whose time is not the shortest: an entry (h, t) of node v goes when
    /// v reaches h faster through another hub, as the labels themselves show (v's label
    /// against `other`, the opposite labels, of h). Every query's best meeting uses exact
    /// entries only, so answers do not change; the labels shrink, and so do the cache file,
    /// its load time and every matrix's bucket scans.
    fn pruned(&self, other: &Side) -> Side {
        let kept: Vec<Vec<(Hub, i32)>> = (0..self.start.len() as u32 - 1)
            .into_par_iter()
            .map(|v| {
                let r = self.range(v);
                let own = &self.hubs[r.clone()];
                own.iter()
                    .zip(&self.dists[r])
                    .filter(|(h, _)| {
                        let theirs = &other.hubs[other.range(h.node)];
                        shortest_meeting(own, theirs) >= i64::from(h.time)
                    })
                    .map(|(h, d)| (*h, *d))
                    .collect()
            })
            .collect();
        Side::from_spaces(kept)
    }

    fn from_spaces(spaces: Vec<Vec<(Hub, i32)>>) -> Side {
        let total = spaces.iter().map(Vec::len).sum();
        let mut side = Side {
            start: Vec::with_capacity(spaces.len() + 1),
            hubs: Vec::with_capacity(total),
            dists: Vec::with_capacity(total),
        };
        side.start.push(0);
        for space in spaces {
            for (hub, dist) in space {
                side.hubs.push(hub);
                side.dists.push(dist);
            }
            side.start.push(side.hubs.len() as u32);
        }
        side
    }

    fn range(&self, v: u32) -> std::ops::Range<usize> {
        self.start[v as usize] as usize..self.start[v as usize + 1] as usize
    }

    /// The label of a set of endpoints: the union of their nodes' labels with the endpoint
    /// offsets added, the best entry per hub, sorted by hub. Appends `(hub, time, dist)`.
    fn merged(&self, ends: &[Endpoint], out: &mut Vec<(u32, i32, i32)>) {
        out.clear();
        for e in ends {
            let r = self.range(e.node);
            for (h, d) in self.hubs[r.clone()].iter().zip(&self.dists[r]) {
                out.push((h.node, h.time + e.time, d + e.dist));
            }
        }
        if ends.len() > 1 {
            out.sort_unstable_by_key(|&(h, t, _)| (h, t));
            out.dedup_by_key(|&mut (h, _, _)| h);
        }
    }
}

/// Forward and backward labels of every node.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct HubLabels {
    forward: Side,
    backward: Side,
}

impl HubLabels {
    /// Runs one upward search per node and direction, then prunes, on all cores.
    pub(crate) fn build(ch: &Ch) -> Self {
        let (forward, backward) = rayon::join(|| Side::build(ch, true), || Side::build(ch, false));
        let (pruned_forward, pruned_backward) =
            rayon::join(|| forward.pruned(&backward), || backward.pruned(&forward));
        Self {
            forward: pruned_forward,
            backward: pruned_backward,
        }
    }

    /// Entries over both directions, for the build statistics.
    pub(crate) fn len(&self) -> usize {
        self.forward.hubs.len() + self.backward.hubs.len()
    }

    /// The time (ms) of the fastest route between endpoint sets, as the bidirectional search
    /// would find it: the best total over shared hubs, skipping negative totals (a target
    /// behind the source on the same edge).
    pub(crate) fn travel_time(&self, from: &[Endpoint], to: &[Endpoint]) -> Option<i32> {
        let mut best = i64::MAX;
        for s in from {
            let a = &self.forward.hubs[self.forward.range(s.node)];
            for t in to {
                let b = &self.backward.hubs[self.backward.range(t.node)];
                let offset = i64::from(s.time) + i64::from(t.time);
                let (mut i, mut j) = (0, 0);
                while i < a.len() && j < b.len() {
                    let (x, y) = (a[i], b[j]);
                    if x.node < y.node {
                        i += 1;
                    } else if x.node > y.node {
                        j += 1;
                    } else {
                        let total = offset + i64::from(x.time) + i64::from(y.time);
                        if total >= 0 && total < best {
                            best = total;
                        }
                        i += 1;
                        j += 1;
                    }
                }
            }
        }
        (best != i64::MAX).then_some(best as i32)
    }

    /// Times (ms) and distances (dm) from every source to every target: `write(row, i,
    /// times, dists)` receives source `i`'s row (`i32::MAX` where no route exists or an
    /// endpoint set is empty) together with the matching item of `rows`, so that callers fill
    /// their own matrix in place. Buckets: each target's backward label is filed under its
    /// hubs; each source then scans the buckets of the hubs in its forward label (see
    /// [`Buckets`]). Rows are filled on all cores.
    pub(crate) fn many_to_many<R: Send>(
        &self,
        num_nodes: usize,
        sources: &[Vec<Endpoint>],
        targets: &[Vec<Endpoint>],
        rows: impl IndexedParallelIterator<Item = R>,
        write: impl Fn(R, usize, &[i32], &[i32]) + Sync,
    ) {
        let labels: Vec<Vec<(u32, i32, i32)>> = targets
            .iter()
            .map(|t| {
                let mut out = Vec::new();
                self.backward.merged(t, &mut out);
                out
            })
            .collect();
        let buckets = Buckets::build(num_nodes, &labels);
        let m = targets.len();
        rows.zip(sources.par_iter().enumerate()).for_each_init(
            || (Vec::new(), vec![UNREACHED; m], vec![0; m]),
            |(label, row_t, row_d), (row, (i, s))| {
                row_t.fill(UNREACHED);
                self.forward.merged(s, label);
                for &(hub, time, dist) in label.iter() {
                    buckets.scan(hub, time, dist, row_t, row_d);
                }
                for (t, d) in row_t.iter_mut().zip(row_d.iter_mut()) {
                    if *t >= UNREACHED / 2 {
                        (*t, *d) = (i32::MAX, i32::MAX);
                    }
                }
                write(row, i, row_t, row_d);
            },
        );
    }
}

/// The best total time over the hubs two sorted labels share (`i64::MAX` if none).
fn shortest_meeting(a: &[Hub], b: &[Hub]) -> i64 {
    let mut best = i64::MAX;
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        let (x, y) = (a[i], b[j]);
        if x.node < y.node {
            i += 1;
        } else if x.node > y.node {
            j += 1;
        } else {
            best = best.min(i64::from(x.time) + i64::from(y.time));
            i += 1;
            j += 1;
        }
    }
    best
}
