//! Upward searches: the building block of point-to-point queries and matrices.

use super::{Ch, Link, NO_ARC};
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

/// Reusable per-thread search state; `stamp` marks which entries belong to the current search.
pub(crate) struct Scratch {
    time: Vec<i32>,
    dist: Vec<i32>,
    parent: Vec<u32>,
    stamp: Vec<u32>,
    round: u32,
    heap: BinaryHeap<Reverse<(i32, u32)>>,
}

impl Scratch {
    pub(crate) fn new(n: usize) -> Self {
        Self {
            time: vec![0; n],
            dist: vec![0; n],
            parent: vec![NO_ARC; n],
            stamp: vec![0; n],
            round: 0,
            heap: BinaryHeap::new(),
        }
    }

    fn reset(&mut self, n: usize) {
        if self.stamp.len() != n {
            *self = Scratch::new(n);
        }
        self.round = self.round.wrapping_add(1);
        if self.round == 0 {
            self.stamp.iter_mut().for_each(|s| *s = 0);
            self.round = 1;
        }
        self.heap.clear();
    }

    fn seen(&self, v: u32) -> bool {
        self.stamp[v as usize] == self.round
    }

    fn time_of(&self, v: u32) -> i32 {
        if self.seen(v) {
            self.time[v as usize]
        } else {
            i32::MAX
        }
    }

    fn relax(&mut self, v: u32, time: i32, dist: i32, parent: u32) {
        let vi = v as usize;
        if !self.seen(v) || time < self.time[vi] {
            self.stamp[vi] = self.round;
            self.time[vi] = time;
            self.dist[vi] = dist;
            self.parent[vi] = parent;
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
    /// `stalled = true` and not expanded (stall-on-demand).
    fn step(
        &mut self,
        climb: &[u32],
        links: &[Link],
        stall: (&[u32], &[Link]),
    ) -> Option<(u32, bool)> {
        loop {
            let Reverse((t, v)) = self.heap.pop()?;
            let vi = v as usize;
            if t != self.time[vi] {
                continue;
            }
            let (s_start, s_links) = stall;
            let stalled = s_links[s_start[vi] as usize..s_start[vi + 1] as usize]
                .iter()
                .any(|l| {
                    let tw = self.time_of(l.node);
                    tw != i32::MAX && tw + (l.weight as i32) < t
                })
                && self.parent[vi] != NO_ARC;
            if !stalled {
                let d = self.dist[vi];
                for l in &links[climb[vi] as usize..climb[vi + 1] as usize] {
                    self.relax(l.node, t + l.weight as i32, d + l.dist as i32, l.arc);
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
    let (climb, links, stall) = if forward {
        (&ch.up_start, &ch.up, (&ch.down_start[..], &ch.down[..]))
    } else {
        (&ch.down_start, &ch.down, (&ch.up_start[..], &ch.up[..]))
    };
    scratch.start(ch.num_nodes(), from);
    while let Some((v, stalled)) = scratch.step(climb, links, stall) {
        if !stalled {
            visit(v, scratch.time[v as usize], scratch.dist[v as usize]);
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

/// Bidirectional query between endpoint sets (hierarchy ids). A meeting whose total is
/// negative is the degenerate "target behind the source on the same edge" case and is skipped.
pub(crate) fn point_to_point(ch: &Ch, from: &[Endpoint], to: &[Endpoint]) -> Option<PathResult> {
    with_scratch(|f, b| {
        let n = ch.num_nodes();
        f.start(n, from);
        b.start(n, to);
        let mut best = i32::MAX;
        let mut meet = None;
        let fwd = (&ch.up_start[..], &ch.up[..]);
        let bwd = (&ch.down_start[..], &ch.down[..]);
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
            let (me, other, climb, stall) = if go_forward {
                (&mut *f, &*b, fwd, bwd)
            } else {
                (&mut *b, &*f, bwd, fwd)
            };
            if let Some((v, stalled)) = me.step(climb.0, climb.1, stall) {
                if stalled || !other.seen(v) {
                    continue;
                }
                let total = me.time[v as usize] as i64 + other.time[v as usize] as i64;
                if total >= 0 && total < best as i64 {
                    best = total as i32;
                    meet = Some(v);
                }
            }
        }
        let m = meet?;
        let mut nodes = Vec::new();
        // Forward half: walk parents back to a source, then unpack in order.
        let mut arcs = Vec::new();
        let mut v = m;
        while f.parent[v as usize] != NO_ARC {
            let a = f.parent[v as usize];
            arcs.push(a);
            v = ch.arcs[a as usize].from;
        }
        nodes.push(ch.from_ch[v as usize]);
        for &a in arcs.iter().rev() {
            ch.unpack(a, &mut nodes);
        }
        let mut v = m;
        while b.parent[v as usize] != NO_ARC {
            let a = b.parent[v as usize];
            ch.unpack(a, &mut nodes);
            v = ch.arcs[a as usize].to;
        }
        Some(PathResult {
            time_ms: best,
            dist_dm: f.dist[m as usize] + b.dist[m as usize],
            nodes,
        })
    })
}
