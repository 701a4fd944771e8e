//! Set partitioning over the route pool: the cheapest choice of pool routes that serves every
//! request exactly once with at most as many routes of each vehicle class as it has vehicles.
//!
//! Solved exactly (within a node budget) by branch and bound:
//!
//! 1. A Lagrangian bound. With a price `π_i` on each request, the reduced cost of a route is
//!    `c_R − Σ_{i∈R} π_i`, and every plan costs `Σ_i π_i` plus the reduced costs of its routes,
//!    which is at least `Σ_i π_i` plus the most negative reduced costs a class could take (one
//!    per vehicle). Subgradient steps raise that bound towards the LP bound.
//! 2. Reduced-cost fixing: a route whose reduced cost exceeds the gap between the incumbent and
//!    the bound cannot be in a cheaper plan, and is dropped. With good prices only a few hundred
//!    routes survive out of tens of thousands.
//! 3. Depth-first search over the survivors: take the uncovered request with the fewest
//!    routes, try its routes by increasing reduced cost, and cut as soon as the bound (chosen
//!    cost + prices of the uncovered requests + the reduced cost of the candidate + the most
//!    negative reduced costs still possible) reaches the incumbent.
//!
//! Depth is at most the number of vehicles, and the search is deterministic for a given pool.

use std::time::Instant;

use super::local::past;
use super::pool::Pool;

/// Subgradient iterations at most.
const ROUNDS: usize = 300;
const EPS: f64 = 1e-7;

/// The columns of a plan cheaper than `ub`, if the search finds one within `nodes` nodes.
/// `count[c]` is the number of vehicles of class `c` (zero for indices that are not classes).
pub(crate) fn improve(
    pool: &Pool,
    requests: usize,
    count: &[usize],
    ub: f64,
    nodes: u64,
    deadline: Option<Instant>,
) -> Option<Vec<usize>> {
    if pool.len() == 0 || requests == 0 {
        return None;
    }
    let members = Members::new(pool, requests);
    if members.uncovered_request() {
        return None;
    }
    let (pi, lb) = lagrangian(pool, &members, requests, count, ub, deadline)?;
    if lb >= ub - EPS {
        return None;
    }
    let rc: Vec<f64> = (0..pool.len())
        .map(|c| reduced(pool, &members, &pi, c))
        .collect();
    let negk = negatives(pool, &rc, count);
    // Reduced-cost fixing: a plan with route R costs at least the bound plus the reduced cost of
    // R above the most negative one its class could otherwise have taken.
    let gap = ub - lb;
    let sigma: Vec<f64> = negk
        .iter()
        .zip(count)
        .map(|(p, &k)| p[k] - p[k.saturating_sub(1)])
        .collect();
    let mut by_request: Vec<Vec<usize>> = vec![Vec::new(); requests];
    for c in 0..pool.len() {
        if rc[c] - sigma[pool.columns[c].class] < gap - EPS {
            for &i in members.of(c) {
                by_request[i as usize].push(c);
            }
        }
    }
    for list in &mut by_request {
        list.sort_by(|a, b| rc[*a].total_cmp(&rc[*b]).then(a.cmp(b)));
    }
    let mut order: Vec<usize> = (0..requests).collect();
    order.sort_by_key(|&i| (by_request[i].len(), i));
    let mut search = Search {
        pool,
        rc: &rc,
        by_request: &by_request,
        order: &order,
        negk: &negk,
        ub,
        best: None,
        chosen: Vec::new(),
        covered: vec![0; pool.words],
        used: vec![0; count.len()],
        count,
        nodes: 0,
        budget: nodes,
        deadline,
        stopped: false,
    };
    let pi_all: f64 = pi.iter().sum();
    let rest: f64 = negk.iter().zip(count).map(|(p, &k)| p[k]).sum();
    search.dfs(0.0, pi_all, rest, &pi, &members);
    search.best
}

/// Requests of each column, flat.
struct Members {
    start: Vec<usize>,
    items: Vec<u32>,
    /// Columns per request.
    hits: Vec<u32>,
}

impl Members {
    fn new(pool: &Pool, requests: usize) -> Self {
        let mut m = Members {
            start: Vec::with_capacity(pool.len() + 1),
            items: Vec::new(),
            hits: vec![0; requests],
        };
        for col in &pool.columns {
            m.start.push(m.items.len());
            for s in col.stops.iter().filter(|s| s.is_pickup()) {
                let r = s.request();
                m.items.push(r as u32);
                m.hits[r] += 1;
            }
        }
        m.start.push(m.items.len());
        m
    }

    fn of(&self, c: usize) -> &[u32] {
        &self.items[self.start[c]..self.start[c + 1]]
    }

    fn uncovered_request(&self) -> bool {
        self.hits.contains(&0)
    }
}

fn reduced(pool: &Pool, m: &Members, pi: &[f64], c: usize) -> f64 {
    pool.columns[c].cost - m.of(c).iter().map(|&i| pi[i as usize]).sum::<f64>()
}

/// Per class, `p[j]`: the sum of the `j` most negative reduced costs of its routes (negative
/// ones only), for `j` up to the class's vehicle count.
fn negatives(pool: &Pool, rc: &[f64], count: &[usize]) -> Vec<Vec<f64>> {
    let mut worst: Vec<Vec<f64>> = vec![Vec::new(); count.len()];
    for (c, col) in pool.columns.iter().enumerate() {
        if rc[c] < 0.0 {
            keep_smallest(&mut worst[col.class], count[col.class], rc[c]);
        }
    }
    worst
        .iter()
        .zip(count)
        .map(|(w, &k)| {
            let mut p = vec![0.0; k + 1];
            for j in 1..=k {
                p[j] = p[j - 1] + w.get(j - 1).copied().unwrap_or(0.0);
            }
            p
        })
        .collect()
}

/// Keeps the `k` smallest values seen in `list` (sorted ascending).
fn keep_smallest(list: &mut Vec<f64>, k: usize, x: f64) {
    if k == 0 || (list.len() == k && x >= list[k - 1]) {
        return;
    }
    let at = list.partition_point(|y| *y <= x);
    list.insert(at, x);
    list.truncate(k);
}

/// Subgradient optimisation of the Lagrangian bound; returns the best prices and their bound,
/// or `None` at the deadline.
fn lagrangian(
    pool: &Pool,
    m: &Members,
    requests: usize,
    count: &[usize],
    ub: f64,
    deadline: Option<Instant>,
) -> Option<(Vec<f64>, f64)> {
    // Start from each request's cheapest share of a route: a feasible dual, so a valid bound.
    let mut pi = vec![f64::INFINITY; requests];
    for (c, col) in pool.columns.iter().enumerate() {
        let share = col.cost / m.of(c).len().max(1) as f64;
        for &i in m.of(c) {
            pi[i as usize] = pi[i as usize].min(share);
        }
    }
    let mut best = (pi.clone(), f64::NEG_INFINITY);
    let mut mu = 2.0;
    let mut stale = 0;
    let mut g = vec![0.0; requests];
    let mut picks: Vec<Vec<(f64, usize)>> = vec![Vec::new(); count.len()];
    for _ in 0..ROUNDS {
        if past(deadline) {
            return None;
        }
        for p in picks.iter_mut() {
            p.clear();
        }
        for (c, col) in pool.columns.iter().enumerate() {
            let r = reduced(pool, m, &pi, c);
            let k = count[col.class];
            let list = &mut picks[col.class];
            if r < 0.0 && k > 0 && (list.len() < k || r < list[k - 1].0) {
                let at = list.partition_point(|y| y.0 <= r);
                list.insert(at, (r, c));
                list.truncate(k);
            }
        }
        let value: f64 = pi.iter().sum::<f64>() + picks.iter().flatten().map(|x| x.0).sum::<f64>();
        if value > best.1 + 1e-9 {
            best = (pi.clone(), value);
            stale = 0;
        } else {
            stale += 1;
            if stale >= 15 {
                mu *= 0.5;
                stale = 0;
            }
        }
        if ub - best.1 < EPS || mu < 1e-3 {
            break;
        }
        g.iter_mut().for_each(|x| *x = 1.0);
        for &(_, c) in picks.iter().flatten() {
            for &i in m.of(c) {
                g[i as usize] -= 1.0;
            }
        }
        let norm: f64 = g.iter().map(|x| x * x).sum();
        if norm < 1e-12 {
            // The relaxation picked an exact partition: its bound is its cost.
            break;
        }
        let step = mu * (ub - value).max(1e-6) / norm;
        for (p, d) in pi.iter_mut().zip(&g) {
            *p += step * d;
        }
    }
    Some(best)
}

struct Search<'a> {
    pool: &'a Pool,
    rc: &'a [f64],
    by_request: &'a [Vec<usize>],
    order: &'a [usize],
    negk: &'a [Vec<f64>],
    ub: f64,
    best: Option<Vec<usize>>,
    chosen: Vec<usize>,
    covered: Vec<u64>,
    used: Vec<usize>,
    count: &'a [usize],
    nodes: u64,
    budget: u64,
    deadline: Option<Instant>,
    stopped: bool,
}

impl Search<'_> {
    /// `z`: cost of the chosen routes; `open`: prices of the uncovered requests; `rest`: the
    /// most negative reduced costs the vehicles still free could add.
    fn dfs(&mut self, z: f64, open: f64, rest: f64, pi: &[f64], m: &Members) {
        self.nodes += 1;
        if self.nodes > self.budget || (self.nodes.is_multiple_of(1024) && past(self.deadline)) {
            self.stopped = true;
        }
        if self.stopped {
            return;
        }
        let Some(&i) = self
            .order
            .iter()
            .find(|&&i| self.covered[i / 64] & (1 << (i % 64)) == 0)
        else {
            if z < self.ub - EPS {
                self.ub = z;
                self.best = Some(self.chosen.clone());
            }
            return;
        };
        let floor = z + open;
        for &c in &self.by_request[i] {
            // Taking a route frees one slot's worth of `rest`, so `rest` alone is a bound for
            // every class and, the list being sorted, ends the loop.
            if floor + self.rc[c] + rest >= self.ub - EPS {
                break;
            }
            let class = self.pool.columns[c].class;
            let free = self.count[class] - self.used[class];
            if free == 0 {
                continue;
            }
            let p = &self.negk[class];
            let rest_after = rest - (p[free] - p[free - 1]);
            if floor + self.rc[c] + rest_after >= self.ub - EPS {
                continue;
            }
            let set = self.pool.set(c);
            if set.iter().zip(&self.covered).any(|(a, b)| a & b != 0) {
                continue;
            }
            for (w, s) in self.covered.iter_mut().zip(set) {
                *w |= s;
            }
            self.used[class] += 1;
            self.chosen.push(c);
            let priced: f64 = m.of(c).iter().map(|&j| pi[j as usize]).sum();
            self.dfs(
                z + self.pool.columns[c].cost,
                open - priced,
                rest_after,
                pi,
                m,
            );
            self.chosen.pop();
            self.used[class] -= 1;
            for (w, s) in self.covered.iter_mut().zip(set) {
                *w &= !s;
            }
            if self.stopped {
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::darp::model::StopId;

    fn route(requests: &[usize]) -> Vec<StopId> {
        crate::darp::plan::Route::one_at_a_time(requests).stops
    }

    #[test]
    fn the_cheapest_exact_partition_within_the_vehicle_count_is_found() {
        // Arrange: four requests, two vehicles of one class.
        let mut pool = Pool::new(4);
        pool.add(0, 10.0, &route(&[0, 1])); // 0
        pool.add(0, 10.0, &route(&[2, 3])); // 1: {0,1} + {2,3} = 20
        pool.add(0, 8.0, &route(&[0, 2])); // 2
        pool.add(0, 9.0, &route(&[1, 3])); // 3: {0,2} + {1,3} = 17
        for r in 0..4 {
            pool.add(0, 3.0, &route(&[r])); // 4..8: 12, but four routes for two vehicles
        }
        pool.add(0, 12.0, &route(&[1, 2, 3])); // 8: {0} + {1,2,3} = 15
                                               // Act
        let best = improve(&pool, 4, &[2], 100.0, 1_000_000, None);
        // Assert
        let mut best = best.unwrap();
        best.sort_unstable();
        assert_eq!(best, vec![4, 8]);
    }

    #[test]
    fn nothing_is_returned_when_the_incumbent_is_already_optimal() {
        let mut pool = Pool::new(2);
        pool.add(0, 5.0, &route(&[0]));
        pool.add(0, 5.0, &route(&[1]));
        pool.add(0, 9.0, &route(&[0, 1]));
        assert_eq!(improve(&pool, 2, &[2], 9.0, 1_000_000, None), None);
        assert_eq!(improve(&pool, 2, &[2], 9.5, 1_000_000, None), Some(vec![2]));
    }

    #[test]
    fn a_class_without_enough_vehicles_cannot_take_more_routes() {
        let mut pool = Pool::new(3);
        pool.add(0, 1.0, &route(&[0]));
        pool.add(0, 1.0, &route(&[1]));
        pool.add(3, 1.0, &route(&[2]));
        pool.add(3, 50.0, &route(&[1, 2]));
        // Class 0 has one vehicle, class 3 one: {0} and {1, 2} is the only partition.
        let count = [1, 0, 0, 1];
        let mut best = improve(&pool, 3, &count, 100.0, 1_000_000, None).unwrap();
        best.sort_unstable();
        assert_eq!(best, vec![0, 3]);
    }
}
