//! Upward searches: the building block of point-to-point queries and matrices.

use super::{Ch, NO_ARC};
use std::cell::RefCell;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Where a search starts (or ends): a hierarchy node and the time (ms) and distance (dm)
/// already spent. Offsets may be negative at targets: the part of the last edge not driven.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Endpoint {
    pub node: u32,
    pub time: i32,
    pub dist: i32,
}

/// What a search needs of every node it touches: 8 bytes, so that the labels of both
/// searches fit in a core's L2 cache and the stall checks (a handful of neighbour labels per
/// settled node, the bulk of a query's memory traffic) touch as few cache lines as possible.
#[derive(Clone, Copy)]
struct Label {
    /// The search that wrote this label; older labels count as unseen, so nothing is cleared.
    round: u32,
    time: i32,
}

/// How a node was reached, kept apart from [`Label`]: stall checks, which read the labels of
/// most neighbours, never need it.
#[derive(Clone, Copy)]
struct Trail {
    /// The index in [`Ch::links`] of the link this node was reached by; `NO_ARC` at a start.
    parent: u32,
    dist: i32,
}

/// Reusable per-thread search state: no allocation and no clearing per query.
pub(crate) struct Scratch {
    labels: Vec<Label>,
    trails: Vec<Trail>,
    round: u32,
    heap: BinaryHeap<Reverse<(i32, u32)>>,
}

impl Scratch {
    pub(crate) fn new(n: usize) -> Self {
        Self {
            labels: vec![Label { round: 0, time: 0 }; n],
            trails: vec![
                Trail {
                    parent: NO_ARC,
                    dist: 0
                };
                n
            ],
            round: 0,
            heap: BinaryHeap::with_capacity(256),
        }
    }

    fn reset(&mut self, n: usize) {
        if self.labels.len() != n {
            *self = Scratch::new(n);
        }
        self.round = self.round.wrapping_add(1);
        if self.round == 0 {
            self.labels.iter_mut().for_each(|l| l.round = 0);
            self.round = 1;
        }
        self.heap.clear();
    }

    fn seen(&self, v: u32) -> bool {
        self.labels[v as usize].round == self.round
    }

    fn time(&self, v: u32) -> i32 {
        self.labels[v as usize].time
    }

    fn time_of(&self, v: u32) -> i32 {
        let l = self.labels[v as usize];
        if l.round == self.round {
            l.time
        } else {
            i32::MAX
        }
    }

    fn relax(&mut self, v: u32, time: i32, dist: i32, parent: u32) {
        let round = self.round;
        let l = &mut self.labels[v as usize];
        if l.round != round || time < l.time {
            *l = Label { round, time };
            self.trails[v as usize] = Trail { parent, dist };
            self.heap.push(Reverse((time, v)));
        }
    }

    fn start(&mut self, n: usize, from: &[Endpoint]) {
        self.reset(n);
        for e in from {
            self.relax(e.node, e.time, e.dist, NO_ARC);
        }
    }

    /// Settles the next node; `None` when the queue is empty. Stalled nodes are returned with
    /// `stalled = true` and not expanded (stall-on-demand): a more important neighbour
    /// already reaches them faster, so no shortest path climbs through them. `FORWARD`
    /// searches climb upward links and stall on downward ones; backward searches the reverse.
    fn step<const FORWARD: bool>(&mut self, ch: &Ch) -> Option<(u32, bool)> {
        loop {
            let Reverse((t, v)) = self.heap.pop()?;
            if t != self.labels[v as usize].time {
                continue;
            }
            let (climb, stall) = if FORWARD {
                (ch.up_range(v), ch.down_range(v))
            } else {
                (ch.down_range(v), ch.up_range(v))
            };
            let stalled = ch.links[stall].iter().any(|l| {
                let tw = self.time_of(l.node);
                tw != i32::MAX && tw + (l.weight as i32) < t
            });
            if !stalled {
                let first = climb.start;
                let dist = self.trails[v as usize].dist;
                for (k, l) in ch.links[climb].iter().enumerate() {
                    let i = first + k;
                    let d = dist + ch.link_dist[i] as i32;
                    self.relax(l.node, t + l.weight as i32, d, i as u32);
                }
            }
            return Some((v, stalled));
        }
    }

    fn min_key(&self) -> i32 {
        self.heap.peek().map_or(i32::MAX, |Reverse((t, _))| *t)
    }
}

thread_local! {
    static SCRATCH: RefCell<(Scratch, Scratch)> = RefCell::new((Scratch::new(0), Scratch::new(0)));
}

/// Runs `f` with this thread's pair of scratch buffers.
pub(crate) fn with_scratch<R>(f: impl FnOnce(&mut Scratch, &mut Scratch) -> R) -> R {
    SCRATCH.with(|s| {
        let mut s = s.borrow_mut();
        let (a, b) = &mut *s;
        f(a, b)
    })
}

/// Settles the whole upward search space (forward if `forward`, else backward), calling
/// `visit(node, time, dist)` for every settled node that is not stalled.
pub(crate) fn upward_all(
    ch: &Ch,
    scratch: &mut Scratch,
    from: &[Endpoint],
    forward: bool,
    mut visit: impl FnMut(u32, i32, i32),
) {
    scratch.start(ch.num_nodes(), from);
    loop {
        let settled = if forward {
            scratch.step::<true>(ch)
        } else {
            scratch.step::<false>(ch)
        };
        let Some((v, stalled)) = settled else { break };
        if !stalled {
            visit(v, scratch.time(v), scratch.trails[v as usize].dist);
        }
    }
}

/// A shortest path in the original graph.
#[derive(Clone, Debug)]
pub(crate) struct PathResult {
    pub time_ms: i32,
    pub dist_dm: i32,
    /// The original nodes (road edges) driven, first to last.
    pub nodes: Vec<u32>,
}

/// The fastest route between endpoint sets (hierarchy ids): its time (ms), distance (dm) and
/// the original nodes driven, for drawing it.
pub(crate) fn point_to_point(ch: &Ch, from: &[Endpoint], to: &[Endpoint]) -> Option<PathResult> {
    with_scratch(|f, b| {
        let (best, m) = meet(ch, f, b, from, to)?;
        let mut nodes = Vec::new();
        // Forward half: walk parents back to a source, then unpack in order.
        let mut arcs = Vec::new();
        let mut v = m;
        while f.trails[v as usize].parent != NO_ARC {
            let a = ch.link_arc[f.trails[v as usize].parent as usize];
            arcs.push(a);
            v = ch.arcs[a as usize].from;
        }
        nodes.push(ch.from_ch[v as usize]);
        for &a in arcs.iter().rev() {
            ch.unpack(a, &mut nodes);
        }
        let mut v = m;
        while b.trails[v as usize].parent != NO_ARC {
            let a = ch.link_arc[b.trails[v as usize].parent as usize];
            ch.unpack(a, &mut nodes);
            v = ch.arcs[a as usize].to;
        }
        Some(PathResult {
            time_ms: best,
            dist_dm: f.trails[m as usize].dist + b.trails[m as usize].dist,
            nodes,
        })
    })
}

/// Runs the forward (`f`) and backward (`b`) searches, alternating, until neither can
/// improve the best meeting; returns its time and node. A meeting whose total is negative is
/// the degenerate "target behind the source on the same edge" case and is skipped.
fn meet(
    ch: &Ch,
    f: &mut Scratch,
    b: &mut Scratch,
    from: &[Endpoint],
    to: &[Endpoint],
) -> Option<(i32, u32)> {
    let n = ch.num_nodes();
    f.start(n, from);
    b.start(n, to);
    let mut best = i32::MAX;
    let mut meet = None;
    // Offsets may be negative, so a side is done only when no path through it can beat
    // `best` even with the most favourable offset on the other side.
    let lo_from = from.iter().map(|e| i64::from(e.time)).min().unwrap_or(0);
    let lo_to = to.iter().map(|e| i64::from(e.time)).min().unwrap_or(0);
    let mut forward_turn = true;
    loop {
        let (fmin, bmin) = (f.min_key(), b.min_key());
        let f_done = fmin == i32::MAX || i64::from(fmin) + lo_to >= i64::from(best);
        let b_done = bmin == i32::MAX || i64::from(bmin) + lo_from >= i64::from(best);
        if f_done && b_done {
            break;
        }
        let go_forward = if f_done {
            false
        } else if b_done {
            true
        } else {
            forward_turn
        };
        forward_turn = !forward_turn;
        let (me, other, settled) = if go_forward {
            let settled = f.step::<true>(ch);
            (&*f, &*b, settled)
        } else {
            let settled = b.step::<false>(ch);
            (&*b, &*f, settled)
        };
        if let Some((v, stalled)) = settled {
            if stalled || !other.seen(v) {
                continue;
            }
            let total = i64::from(me.time(v)) + i64::from(other.time(v));
            if total >= 0 && total < i64::from(best) {
                best = total as i32;
                meet = Some(v);
            }
        }
    }
    meet.map(|m| (best, m))
}
