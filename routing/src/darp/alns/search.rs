//! One search thread: adaptive large neighbourhood search with simulated-annealing acceptance
//! (Ropke & Pisinger 2006), local search on each new best.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

use crate::darp::tables::Tables;

use super::destroy::{destroy, ArcMemory, Destroy};
use super::insertion::InsertScratch;
use super::local::{pair_descent, relocate_descent};
use super::pool::Pool;
use super::repair::{repair, Order, Repair};
use super::state::Solution;
use super::tails::tail_descent;

/// The last, [`Destroy::History`], only in searches long enough to learn (see `Worker::new`).
const DESTROYS: [Destroy; 5] = [
    Destroy::Random,
    Destroy::Worst,
    Destroy::Related,
    Destroy::Route,
    Destroy::History,
];
const REPAIRS: [Repair; 7] = [
    Repair::Greedy,
    Repair::Regret(2),
    Repair::Regret(3),
    Repair::Regret(4),
    Repair::Sequential(Order::Random),
    Repair::Sequential(Order::Earliest),
    Repair::Sequential(Order::Tightest),
];
/// Scores for a new global best, a better current, an accepted worse solution.
const SCORES: [f64; 3] = [33.0, 9.0, 13.0];
const SEGMENT: u64 = 100;
/// Candidates within this fraction of the best get the relocate descent.
const NEAR_BEST: f64 = 0.003;
const REACTION: f64 = 0.1;
/// Routes of complete candidates within this fraction of the best go to the route pool.
const POOL_WINDOW: f64 = 0.05;
/// Iterations without a better `current` after which a cycle in its colder half ends early.
/// A cycle's last stretch is frozen: on pr16 (60 s) `current` sat unchanged for 3–5 s at the
/// end of most cycles, a third of the time. Ending such a cycle early starts more cycles from
/// the best: over pr05/06/09/10/15/16/19/20 at 30 s and seeds 1–3, a mean gap of 1.53 % with
/// fixed cycles, 1.39 % with this (runs of one configuration vary by ±0.2 % in that mean).
const STALL: u64 = 2_000;

/// Operator weights with their scores in the current segment.
#[derive(Clone)]
struct Wheel {
    weight: Vec<f64>,
    score: Vec<f64>,
    used: Vec<u32>,
}

impl Wheel {
    fn new(n: usize) -> Self {
        Self {
            weight: vec![1.0; n],
            score: vec![0.0; n],
            used: vec![0; n],
        }
    }

    fn spin<R: Rng>(&self, rng: &mut R) -> usize {
        let total: f64 = self.weight.iter().sum();
        let mut x = rng.random::<f64>() * total;
        for (i, w) in self.weight.iter().enumerate() {
            if x < *w {
                return i;
            }
            x -= w;
        }
        self.weight.len() - 1
    }

    fn reward(&mut self, i: usize, s: f64) {
        self.score[i] += s;
        self.used[i] += 1;
    }

    fn update(&mut self) {
        for i in 0..self.weight.len() {
            if self.used[i] > 0 {
                let avg = self.score[i] / f64::from(self.used[i]);
                self.weight[i] = (1.0 - REACTION) * self.weight[i] + REACTION * avg;
                self.weight[i] = self.weight[i].max(0.05);
            }
            self.score[i] = 0.0;
            self.used[i] = 0;
        }
    }
}

/// The state of one search thread; survives across synchronisation epochs.
pub(crate) struct Worker {
    rng: SmallRng,
    pub current: Solution,
    pub best: Solution,
    /// A solution whose buffers the next candidate reuses.
    spare: Solution,
    destroys: Wheel,
    repairs: Wheel,
    noises: Wheel,
    pub iterations: u64,
    penalty: f64,
    t_start: f64,
    /// Annealing runs this many times over the budget, each run starting again from the best
    /// (more often if a run freezes: see [`STALL`]).
    cycles: f64,
    /// Progress at which the current cycle began, and its length in progress.
    cycle_start: f64,
    cycle_len: f64,
    /// The lowest objective `current` has had in this cycle, and the iteration it was reached.
    cycle_low: f64,
    improved_at: u64,
    noise_unit: f64,
    xs: InsertScratch,
    /// Good routes met since the last meeting (see [`Pool`]).
    pub pool: Pool,
    class_of: Vec<usize>,
    /// The cheapest plan each arc was seen in, for [`Destroy::History`]; `None` when the search
    /// is too short to learn from it (the operator is then left out).
    memory: Option<ArcMemory>,
}

impl Worker {
    /// Thread `index` gets its own profile so that the two threads search differently: thread 0
    /// anneals six times over the budget, thread 1 three times from a cooler start, each cycle
    /// from the best known solution (a restart that intensifies).
    pub fn new(
        tb: &Tables,
        start: &Solution,
        seed: u64,
        penalty: f64,
        index: usize,
        class_of: &[usize],
        history: bool,
    ) -> Self {
        // Temperatures are set by how much worse a candidate may be and still be accepted with
        // probability one half at the start of a cycle. The typical move changes a few requests,
        // so that amount should follow the cost of a request, not of the whole plan, yet small
        // instances need it hotter than their request cost suggests (on a2-16, thread 0 got stuck
        // at 295.19 in half the seeds from 1.5 % of the plan, in none from 3 %). The cost over
        // √n meets both: 12 % of it is 3 % of the plan on a2-16 (16 requests) and 1.5 requests'
        // cost on pr16 (144 requests), where 3 % of the plan (4.3 requests' cost) left the first
        // third of each search wandering without a new best. Thread 0 anneals six times, each
        // cycle starting again from the best known plan; thread 1 intensifies from half that
        // temperature, three times. Restarts paid off on the large instances (20 s, one thread,
        // pr06, pr08 and pr16, seeds 1 and 2: mean gap 2.6 % with one anneal from 3 % of the
        // plan, 2.0 % with three cycles from 1.5 requests' cost, 1.8 % with six).
        let (scale, cycles) = if index.is_multiple_of(2) {
            (0.12, 6.0)
        } else {
            (0.06, 3.0)
        };
        let per_request = start.cost.max(1e-9) / (tb.requests().max(1) as f64).sqrt();
        let t_start = scale * per_request / std::f64::consts::LN_2;
        Self {
            rng: SmallRng::seed_from_u64(seed),
            current: start.clone(),
            best: start.clone(),
            spare: Solution::default(),
            destroys: Wheel::new(if history {
                DESTROYS.len()
            } else {
                DESTROYS.len() - 1
            }),
            repairs: Wheel::new(REPAIRS.len()),
            noises: Wheel::new(2),
            iterations: 0,
            penalty,
            t_start,
            cycles,
            cycle_start: 0.0,
            cycle_len: 1.0 / cycles,
            cycle_low: f64::INFINITY,
            improved_at: 0,
            noise_unit: 0.025 * max_leg(tb),
            xs: InsertScratch::default(),
            pool: Pool::new(tb.requests()),
            class_of: class_of.to_vec(),
            memory: history.then(|| ArcMemory::new(tb.requests())),
        }
    }

    pub fn objective(&self, s: &Solution) -> f64 {
        objective(s, self.penalty)
    }

    /// Takes over `s` as current and best (after a synchronisation found it better).
    /// Only the best is replaced: the walk of `current` goes on, so the two threads do not
    /// collapse into one basin (the second thread restarts from the adopted best anyway).
    pub fn adopt(&mut self, s: &Solution) {
        self.best = s.clone();
    }

    /// Runs up to `count` iterations; `progress(iterations)` in [0, 1] drives the temperature and
    /// returning `None` stops the thread (time is up), as does `meet` once set.
    pub fn run(
        &mut self,
        tb: &Tables,
        count: u64,
        progress: &dyn Fn(u64) -> Option<f64>,
        deadline: Option<Instant>,
        meet: Option<&AtomicBool>,
    ) {
        let n = tb.requests();
        let q_max = ((0.35 * n as f64) as usize).clamp(2, 40);
        for _ in 0..count {
            if meet.is_some_and(|m| m.load(Ordering::Relaxed)) {
                return;
            }
            let Some(p) = progress(self.iterations) else {
                return;
            };
            // Where the cycle is, from 0 (hot) to 1 (cold). A cycle ends at its end or, once in
            // its colder half, when `current` has not improved for `STALL` iterations; the next
            // one starts from the best (a cycle too close to the end to cool is not started).
            let p = p.clamp(0.0, 1.0);
            let mut f = (p - self.cycle_start) / self.cycle_len;
            let stalled = f >= 0.5 && self.iterations - self.improved_at > STALL;
            let span = 1.0 / self.cycles;
            if (f >= 1.0 || stalled) && 1.0 - p > span / 4.0 {
                self.cycle_start = p;
                self.cycle_len = span.min(1.0 - p);
                self.cycle_low = f64::INFINITY;
                self.improved_at = self.iterations;
                self.current.clone_from(&self.best);
                f = 0.0;
            }
            let temperature = self.t_start * (0.002f64).powf(f.min(1.0));
            self.iterations += 1;
            let d = self.destroys.spin(&mut self.rng);
            let r = self.repairs.spin(&mut self.rng);
            let z = self.noises.spin(&mut self.rng);
            let q = self.rng.random_range(2..=q_max);
            let mut cand = std::mem::take(&mut self.spare);
            cand.clone_from(&self.current);
            destroy(
                tb,
                &mut cand,
                DESTROYS[d],
                q,
                &mut self.rng,
                &mut self.xs.sched,
                self.memory.as_ref(),
            );
            let noise = if z == 1 { self.noise_unit } else { 0.0 };
            repair(
                tb,
                &mut cand,
                REPAIRS[r],
                noise,
                &mut self.rng,
                &mut self.xs,
                deadline,
            );
            // Every candidate gets the tail exchange: it costs about as much as the repair and
            // moves whole chains of riders that the repair would have to place one by one
            // (a4-40 … a5-60 reached their optima in 2–4 s with it, against 0.3–0.8 % without,
            // at load 12–15).
            tail_descent(tb, &mut cand, &mut self.xs, deadline);
            let (mut oc, ocur, obest) = (
                self.objective(&cand),
                self.objective(&self.current),
                self.objective(&self.best),
            );
            // Polish candidates close to the best, not only new bests: a relocation often turns
            // a near miss into a new best, and costs only a few iterations' worth of insertions.
            if cand.unassigned.is_empty() && oc < obest * (1.0 + NEAR_BEST) {
                relocate_descent(tb, &mut cand, &mut self.xs, deadline);
                oc = self.objective(&cand);
            }
            // Every candidate teaches the arc memory, rejected or not: Ropke & Pisinger (2006)
            // update it with each solution the search visits.
            if let Some(memory) = &mut self.memory {
                memory.record(&cand, oc);
            }
            if cand.unassigned.is_empty() && oc < obest * (1.0 + POOL_WINDOW) {
                self.pool.add_solution(&cand, &self.class_of);
            }
            let mut score = None;
            if oc < obest - 1e-9 {
                pair_descent(tb, &mut cand, &mut self.xs, deadline);
                tail_descent(tb, &mut cand, &mut self.xs, deadline);
                relocate_descent(tb, &mut cand, &mut self.xs, deadline);
                self.pool.add_solution(&cand, &self.class_of);
                self.best.clone_from(&cand);
                std::mem::swap(&mut self.current, &mut cand);
                score = Some(SCORES[0]);
            } else if oc < ocur - 1e-9 {
                std::mem::swap(&mut self.current, &mut cand);
                score = Some(SCORES[1]);
            } else if oc > ocur + 1e-9
                && self.rng.random::<f64>() < (-(oc - ocur) / temperature.max(1e-12)).exp()
            {
                std::mem::swap(&mut self.current, &mut cand);
                score = Some(SCORES[2]);
            }
            // What is left in `cand` (the rejected candidate or the old current) lends its
            // buffers to the next one.
            self.spare = cand;
            let now = self.objective(&self.current);
            if now < self.cycle_low - 1e-9 {
                self.cycle_low = now;
                self.improved_at = self.iterations;
            }
            let s = score.unwrap_or(0.0);
            self.destroys.reward(d, s);
            self.repairs.reward(r, s);
            self.noises.reward(z, s);
            if self.iterations.is_multiple_of(SEGMENT) {
                self.destroys.update();
                self.repairs.update();
                self.noises.update();
            }
        }
    }
}

pub(crate) fn objective(s: &Solution, penalty: f64) -> f64 {
    s.cost + penalty * s.unassigned.len() as f64
}

fn max_leg(tb: &Tables) -> f64 {
    let m = &tb.inst.matrix;
    m.seconds
        .iter()
        .copied()
        .filter(|x| x.is_finite())
        .fold(0.0, f64::max)
        .min(1e7)
}
