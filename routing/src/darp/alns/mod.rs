//! The day-before solver: adaptive large neighbourhood search on two threads.
//!
//! # Layout
//! - `state`: the working solution with cached schedules per route.
//! - `insertion`: cheapest feasible insertion of one request into one route.
//! - `repair` / `destroy`: the ALNS operators.
//! - `local`: relocate and pair descents on new and near-best solutions.
//! - `tails`: tail exchange (2-opt*) between routes where both vehicles are empty, on every
//!   candidate.
//! - `search`: one search thread (operator wheels, annealing in cycles that restart from the
//!   best, early once frozen).
//! - `pool` / `spp`: good routes collected by the threads (the most recent few thousand), and
//!   the set partitioning that recombines them into cheaper plans: it runs on a thread of its
//!   own beside the workers, over the pool as it was when they last met, and its plan is taken
//!   at a later meeting if it is the best.
//! - `regional`: the same set partitioning over the requests of a few neighbouring routes of
//!   the best plan, many regions per job, on the same thread (it finishes where the search over
//!   the whole pool runs out of nodes).
//! - `resolve`: a few neighbouring routes of the best plan cut out as an instance of their own
//!   and searched by this solver (one worker, a fixed number of iterations), a few regions per
//!   job, on the same thread; a cheaper answer replaces those routes.
//!
//! # Determinism
//! Each thread has its own random generator seeded from the seed and its index; threads meet
//! every [`EPOCH`] iterations, and a thread whose best is worse than the overall best adopts it.
//! Stopped by an iteration budget, a run is therefore fully reproducible for a given seed,
//! whatever the machine load: the threads run exactly [`EPOCH`] iterations each between
//! meetings, and the set partitioning (with a node budget, not a time budget) is awaited at the
//! meeting after the one it started at. Stopped by a time limit alone, a run is not reproducible:
//! no thread waits for another, so the first worker's epoch ends the others' and the set
//! partitioning's plan is taken at whichever meeting finds it ready (the threads kept 1.66
//! of two cores busy on pr16 when they waited for each other, 1.81 since).

mod destroy;
mod insertion;
mod local;
mod pool;
mod regional;
mod repair;
mod resolve;
mod search;
mod spp;
mod state;
mod tails;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use super::model::{Instance, ModelError};
use super::plan::Plan;
use super::schedule::Scratch;
use super::tables::Tables;

pub(crate) use insertion::{best_insertion, splice, InsertScratch, Spot};
pub(crate) use repair::active_routes;
pub(crate) use state::{RouteState, Solution};

use pool::Pool;
use search::{objective, Worker};

/// Iterations each thread runs between two meetings.
pub const EPOCH: u64 = 200;

/// How long and how the solver searches.
#[derive(Clone, Debug)]
pub struct SolveOptions {
    pub seed: u64,
    /// Wall-clock budget; `None` for none.
    pub time_limit: Option<Duration>,
    /// Iteration budget per thread; `None` for none. With neither limit set the solver stops after
    /// a default budget of 5 000 iterations per thread.
    pub max_iterations: Option<u64>,
    /// Search threads (the machine has two cores; more only helps on bigger machines).
    pub threads: usize,
}

impl Default for SolveOptions {
    fn default() -> Self {
        Self {
            seed: 1,
            time_limit: None,
            max_iterations: None,
            threads: 2,
        }
    }
}

/// What the solver returns.
#[derive(Clone, Debug)]
pub struct Solved {
    pub plan: Plan,
    /// The objective: total routing cost.
    pub cost: f64,
    /// Requests that could not be placed in any route.
    pub unassigned: Vec<usize>,
    /// Iterations summed over threads.
    pub iterations: u64,
}

/// Plans every request of `instance`, starting from `start` if given (its frozen prefixes are
/// kept), within the limits of `options`.
pub fn solve(
    instance: &Instance,
    start: Option<&Plan>,
    options: &SolveOptions,
) -> Result<Solved, ModelError> {
    solve_at(instance, start, options, false)
}

/// [`solve`] for a region's sub-instance (see `resolve`): it re-solves no regions itself.
fn solve_nested(
    instance: &Instance,
    start: Option<&Plan>,
    options: &SolveOptions,
) -> Result<Solved, ModelError> {
    solve_at(instance, start, options, true)
}

fn solve_at(
    instance: &Instance,
    start: Option<&Plan>,
    options: &SolveOptions,
    nested: bool,
) -> Result<Solved, ModelError> {
    let began = Instant::now();
    // Work stops a little before the limit: joining a thread that the scheduler has parked, and
    // handing the plan back, must fit in the limit too, even on a loaded machine.
    let limit = options.time_limit.map(|l| l.saturating_sub(stop_margin(l)));
    let deadline = limit.map(|l| began + l);
    instance.validate()?;
    let tb = Tables::new(instance);
    let mut sc = Scratch::default();
    let plan = start.cloned().unwrap_or_else(|| Plan::empty(instance));
    let mut initial = Solution::from_plan(&tb, &plan, &mut sc);
    let mut xs = InsertScratch::default();
    let mut rng = <rand::rngs::SmallRng as rand::SeedableRng>::seed_from_u64(options.seed);
    repair::repair(
        &tb,
        &mut initial,
        repair::Repair::Regret(2),
        0.0,
        &mut rng,
        &mut xs,
        deadline,
    );
    local::relocate_descent(&tb, &mut initial, &mut xs, deadline);
    let penalty = unassigned_penalty(&tb);
    let class_of = pool::classes(&tb, &initial);
    let mut count = vec![0; tb.vehicles()];
    for &c in &class_of {
        count[c] += 1;
    }
    let threads = options.threads.max(1);
    let budget = match (options.max_iterations, options.time_limit) {
        (Some(n), _) => n,
        (None, Some(_)) => u64::MAX,
        (None, None) => 5_000,
    };
    let progress = move |it: u64| -> Option<f64> {
        let by_iter = if budget == u64::MAX {
            0.0
        } else {
            it as f64 / budget as f64
        };
        let by_time = match limit {
            Some(l) => {
                let f = began.elapsed().as_secs_f64() / l.as_secs_f64().max(1e-9);
                if f >= 1.0 {
                    return None;
                }
                f
            }
            None => 0.0,
        };
        if it >= budget {
            return None;
        }
        Some(by_iter.max(by_time))
    };
    // A region's sub-solve (nested) runs its iterations whatever time is left.
    let long = nested || options.time_limit.is_none_or(|l| l >= LONG_SEARCH);
    // The historical removal learns which arcs belong to cheap plans, and learns it from
    // thousands of candidates: in one-second runs it only took turns from the operators that
    // work at once (pr01–pr20 at 1 s, seeds 1–4: mean gap 3.42 % with it, 3.25 % without).
    let mut workers: Vec<Worker> = (0..threads)
        .map(|i| {
            let seed = options
                .seed
                .wrapping_mul(0x9E37_79B9_7F4A_7C15)
                .wrapping_add(i as u64);
            Worker::new(&tb, &initial, seed, penalty, i, &class_of, long)
        })
        .collect();
    let mut pool = Pool::new(tb.requests());
    let mut changes_at_last_spp = 0;
    // With only a time limit the set partitioning runs beside the epochs, not in step with them
    // (see `Recombiner`); with an iteration budget its answer is awaited at the end of the epoch
    // it started in, so that the run stays reproducible.
    let asynchronous = options.max_iterations.is_none() && options.time_limit.is_some();
    std::thread::scope(|outer| {
        // Re-solving regions is for a search with time to settle: in one-second runs it took the
        // workers' time while they still improved quickly (pr01–pr20 at 1 s, seeds 1 and 2:
        // mean gap 3.47 % and 3.05 % with it, 3.04 % and 2.61 % without).
        let resolving = !nested && long;
        let recombiner = Recombiner::start(outer, &tb, &count, &class_of, deadline, resolving);
        // The plan the set partitioning is to improve on, if it is due.
        let mut spp_job: Option<Solution> = None;
        loop {
            let before: u64 = workers.iter().map(|w| w.iterations).sum();
            if let Some(job) = spp_job.take() {
                recombiner.submit(&pool, job);
            }
            // The calling thread runs the first worker itself: on a loaded machine every thread
            // that has to be woken up adds latency, and at the deadline that latency is
            // overshoot (spawning both workers ran 2 s limits to 2.17 s at load 8.5).
            // With a time limit the others stop when the first has run its epoch, so that no
            // thread waits at the meeting for another to finish its share.
            let (first, rest) = workers.split_at_mut(1);
            let meet = AtomicBool::new(false);
            std::thread::scope(|s| {
                for w in rest.iter_mut() {
                    let (tb, progress, meet) = (&tb, &progress, &meet);
                    let meet = asynchronous.then_some(meet);
                    s.spawn(move || w.run(tb, EPOCH, progress, deadline, meet));
                }
                first[0].run(&tb, EPOCH, &progress, deadline, None);
                meet.store(true, Ordering::Relaxed);
            });
            let recombined = recombiner.answer(!asynchronous);
            let after: u64 = workers.iter().map(|w| w.iterations).sum();
            for w in workers.iter_mut() {
                pool.absorb(&mut w.pool);
            }
            let best = best_index(&workers);
            let mut global = workers[best].best.clone();
            if let Some(r) = recombined {
                if r.cost < global.cost - 1e-9 && r.unassigned.is_empty() {
                    global = r;
                }
            }
            pool.keep_recent(POOL_KEEP);
            if global.unassigned.is_empty() {
                pool.add_solution(&global, &class_of);
                if !recombiner.busy()
                    && pool.changes >= changes_at_last_spp + SPP_GROWTH.max(pool.len() / 10)
                {
                    changes_at_last_spp = pool.changes;
                    spp_job = Some(global.clone());
                }
            }
            for w in workers.iter_mut() {
                if w.objective(&w.best) > w.objective(&global) + 1e-9 {
                    w.adopt(&global);
                }
            }
            if after == before || workers.iter().all(|w| progress(w.iterations).is_none()) {
                break;
            }
        }
        recombiner.stop();
    });
    let best = workers[best_index(&workers)].best.clone();
    let iterations = workers.iter().map(|w| w.iterations).sum();
    debug_assert!(objective(&best, penalty).is_finite());
    Ok(Solved {
        plan: best.to_plan(),
        cost: best.cost,
        unassigned: best.unassigned.clone(),
        iterations,
    })
}

/// Time kept in hand before the limit: 3 %, at most 250 ms. At load 12–15 on two cores the
/// second thread was seen to take up to 50 ms to notice the deadline and be joined (once a
/// whole run ended 0.29 s late with a 2 % margin on a 2 s limit).
fn stop_margin(limit: Duration) -> Duration {
    (limit * 3 / 100).min(Duration::from_millis(250))
}

/// New or cheaper columns needed in the pool before the set partitioning runs again (and at least
/// a tenth of the pool).
const SPP_GROWTH: usize = 200;
/// Columns kept in the pool when it is trimmed (see [`Pool::keep_recent`]).
const POOL_KEEP: usize = 4_000;
/// Shortest time limit with which the search uses what pays only over many iterations: regions
/// re-solved (see `resolve`) and the historical removal (see `destroy::ArcMemory`).
const LONG_SEARCH: Duration = Duration::from_secs(10);
/// Branch-and-bound nodes per set-partitioning run.
const SPP_NODES: u64 = 200_000;

/// The set partitioning on a thread of its own, fed one job at a time: the pool as it was at a
/// meeting and the best plan then. Run in step with the epochs (started at one meeting, awaited
/// at the next), it held both workers at every meeting until it was done: two threads on
/// pr16 kept 1.66 of the two cores busy. Run beside them, its answer is taken at the first
/// meeting after it is ready, and no new job is sent while one is under way.
struct Recombiner<'scope> {
    jobs: Option<mpsc::Sender<(Pool, Solution)>>,
    answers: mpsc::Receiver<Solution>,
    busy: std::cell::Cell<bool>,
    thread: std::thread::ScopedJoinHandle<'scope, ()>,
}

impl<'scope> Recombiner<'scope> {
    fn start<'env>(
        scope: &'scope std::thread::Scope<'scope, 'env>,
        tb: &'scope Tables<'env>,
        count: &'scope [usize],
        class_of: &'scope [usize],
        deadline: Option<Instant>,
        resolving: bool,
    ) -> Self {
        let (jobs, inbox) = mpsc::channel::<(Pool, Solution)>();
        let (reply, answers) = mpsc::channel();
        let thread = scope.spawn(move || {
            let mut xs = InsertScratch::default();
            for (pool, mut global) in inbox {
                recombine(tb, &pool, count, class_of, &mut global, &mut xs, deadline);
                if resolving {
                    let seed = pool.changes as u64;
                    resolve_best(tb, &mut global, &mut xs, seed, deadline);
                }
                if reply.send(global).is_err() {
                    return;
                }
            }
        });
        Self {
            jobs: Some(jobs),
            answers,
            busy: std::cell::Cell::new(false),
            thread,
        }
    }

    fn busy(&self) -> bool {
        self.busy.get()
    }

    fn submit(&self, pool: &Pool, global: Solution) {
        if let Some(jobs) = &self.jobs {
            // A send fails only if the thread is gone, i.e. panicked: `stop` raises that.
            self.busy.set(jobs.send((pool.clone(), global)).is_ok());
        }
    }

    /// The answer to the job under way, if it is ready (or, with `wait`, once it is).
    fn answer(&self, wait: bool) -> Option<Solution> {
        if !self.busy.get() {
            return None;
        }
        let got = if wait {
            self.answers.recv().ok()
        } else {
            self.answers.try_recv().ok()
        };
        if got.is_some() || wait {
            self.busy.set(false);
        }
        got
    }

    /// Ends the thread once its job is done (it stops at the deadline too). A panic in the set
    /// partitioning is a bug: it surfaces, as a worker's would.
    fn stop(mut self) {
        self.jobs = None;
        self.thread
            .join()
            .unwrap_or_else(|e| std::panic::resume_unwind(e));
    }
}

/// Runs the set partitioning over `pool` and then over regions; each cheaper plan found is
/// polished with the local searches and put in `global`.
fn recombine(
    tb: &Tables,
    pool: &Pool,
    count: &[usize],
    class_of: &[usize],
    global: &mut Solution,
    xs: &mut InsertScratch,
    deadline: Option<Instant>,
) {
    let found = spp::improve(pool, tb.requests(), count, global.cost, SPP_NODES, deadline);
    if let Some(cols) = found {
        if let Some(mut sol) = from_columns(tb, global, pool, &cols, class_of, &mut xs.sched) {
            polish(tb, &mut sol, xs, deadline);
            if sol.cost < global.cost - 1e-9 {
                *global = sol;
            }
        }
    }
    let mut sol = global.clone();
    let seed = pool.changes as u64;
    if regional::recombine_regions(tb, pool, class_of, &mut sol, &mut xs.sched, seed, deadline) {
        polish(tb, &mut sol, xs, deadline);
        if sol.cost < global.cost - 1e-9 {
            *global = sol;
        }
    }
}

/// Re-solves a few regions of `global` (see `resolve`) and, if that made it cheaper, polishes it.
fn resolve_best(
    tb: &Tables,
    global: &mut Solution,
    xs: &mut InsertScratch,
    seed: u64,
    deadline: Option<Instant>,
) {
    let mut sol = global.clone();
    if resolve::resolve_regions(tb, &mut sol, &mut xs.sched, seed, deadline) {
        polish(tb, &mut sol, xs, deadline);
        if sol.cost < global.cost - 1e-9 {
            *global = sol;
        }
    }
}

/// The local searches a new best gets.
fn polish(tb: &Tables, sol: &mut Solution, xs: &mut InsertScratch, deadline: Option<Instant>) {
    local::pair_descent(tb, sol, xs, deadline);
    tails::tail_descent(tb, sol, xs, deadline);
    local::relocate_descent(tb, sol, xs, deadline);
}

/// The plan made of pool columns `cols` (vehicles of a class take its columns in order), if
/// every route checks out and every request is served.
fn from_columns(
    tb: &Tables,
    base: &Solution,
    pool: &Pool,
    cols: &[usize],
    class_of: &[usize],
    sc: &mut Scratch,
) -> Option<Solution> {
    let mut sol = base.clone();
    let mut taken = vec![false; sol.routes.len()];
    for rs in sol.routes.iter_mut() {
        rs.stops.clear();
    }
    for &c in cols {
        let col = &pool.columns[c];
        let v = (0..taken.len()).find(|&v| !taken[v] && class_of[v] == col.class)?;
        taken[v] = true;
        sol.routes[v].stops.clone_from(&col.stops);
    }
    let mut served = vec![false; tb.requests()];
    for (v, rs) in sol.routes.iter_mut().enumerate() {
        if rs.stops.len() < rs.fixed.len() {
            return None;
        }
        rs.refresh(tb, v, sc).ok()?;
        for s in rs.stops.iter().filter(|s| s.is_pickup()) {
            if std::mem::replace(&mut served[s.request()], true) {
                return None;
            }
        }
    }
    if served.contains(&false) || !sol.groups_whole(tb) {
        return None;
    }
    sol.unassigned.clear();
    sol.recost();
    Some(sol)
}

fn best_index(workers: &[Worker]) -> usize {
    let mut best = 0;
    for (i, w) in workers.iter().enumerate() {
        if w.objective(&w.best) < workers[best].objective(&workers[best].best) - 1e-9 {
            best = i;
        }
    }
    best
}

/// Cost of leaving a request unplanned: more than serving it alone from any depot could cost, so
/// the search always prefers serving one more request.
fn unassigned_penalty(tb: &Tables) -> f64 {
    let mut worst: f64 = 1.0;
    for r in 0..tb.requests() {
        let (p, d) = (tb.loc[2 * r], tb.loc[2 * r + 1]);
        for v in 0..tb.vehicles() {
            let veh = tb.vehicle(v);
            let alone = tb.cost(veh.start, p) + tb.cost(p, d) + tb.cost(d, veh.end);
            if alone.is_finite() {
                worst = worst.max(alone);
            }
        }
    }
    10.0 * worst
}
