//! A pool of good routes met during the search, for the set-partitioning step (see `spp`).
//!
//! Every route of a good candidate is feasible on its own, so any choice of pool routes that
//! serves each request exactly once, with no more routes of a kind than there are vehicles of
//! that kind, is a feasible plan. For each set of requests and kind of vehicle the pool keeps the
//! cheapest order found.

use std::collections::HashMap;

use crate::darp::model::StopId;
use crate::darp::tables::Tables;

use super::state::Solution;

/// One route in the pool.
#[derive(Clone, Debug)]
pub(crate) struct Column {
    /// The vehicle class (see [`classes`]): the first vehicle of the class.
    pub class: usize,
    pub cost: f64,
    pub stops: Vec<StopId>,
}

/// Routes keyed by (class, request set), cheapest order kept. Insertion order is kept too, so
/// that whatever is built from the pool is deterministic.
#[derive(Clone, Debug, Default)]
pub(crate) struct Pool {
    /// Words per request set.
    pub words: usize,
    pub columns: Vec<Column>,
    /// Request sets, `words` per column, in column order.
    pub bits: Vec<u64>,
    index: HashMap<(usize, Vec<u64>), usize>,
    /// Columns added or made cheaper since the pool was made (never decreases, even when
    /// [`Pool::keep_recent`] drops columns).
    pub changes: usize,
}

impl Pool {
    pub fn new(requests: usize) -> Self {
        Self {
            words: requests.div_ceil(64).max(1),
            ..Self::default()
        }
    }

    pub fn len(&self) -> usize {
        self.columns.len()
    }

    pub fn set(&self, c: usize) -> &[u64] {
        &self.bits[c * self.words..(c + 1) * self.words]
    }

    /// Adds a route of class `class`; returns whether the pool changed.
    pub fn add(&mut self, class: usize, cost: f64, stops: &[StopId]) -> bool {
        let mut key = vec![0u64; self.words];
        for s in stops.iter().filter(|s| s.is_pickup()) {
            let r = s.request();
            key[r / 64] |= 1 << (r % 64);
        }
        match self.index.get(&(class, key.clone())) {
            Some(&c) => {
                let col = &mut self.columns[c];
                // Ties keep the smaller order, so the pool does not depend on arrival order.
                let better = cost < col.cost - 1e-9
                    || (cost <= col.cost + 1e-9 && stops < col.stops.as_slice());
                if better {
                    col.cost = cost;
                    col.stops = stops.to_vec();
                    self.changes += 1;
                }
                better
            }
            None => {
                self.bits.extend_from_slice(&key);
                self.index.insert((class, key), self.columns.len());
                self.columns.push(Column {
                    class,
                    cost,
                    stops: stops.to_vec(),
                });
                self.changes += 1;
                true
            }
        }
    }

    /// Drops all but the `keep` most recently added columns, once the pool holds more than twice
    /// as many. The search drifts: routes met long ago belong to plans far worse than today's, and
    /// the set partitioning's cost grows with the pool (0.5–0.8 s per run at 20,000 columns on
    /// pr16, a quarter of a 20 s search, against 40 ms at 4,000).
    pub fn keep_recent(&mut self, keep: usize) {
        if self.columns.len() <= 2 * keep {
            return;
        }
        let drop = self.columns.len() - keep;
        self.columns.drain(..drop);
        self.bits.drain(..drop * self.words);
        self.index.clear();
        for (c, col) in self.columns.iter().enumerate() {
            let key = self.bits[c * self.words..(c + 1) * self.words].to_vec();
            self.index.insert((col.class, key), c);
        }
    }

    /// Adds every non-empty route of `sol` (classes from [`classes`]).
    pub fn add_solution(&mut self, sol: &Solution, class_of: &[usize]) {
        for (v, rs) in sol.routes.iter().enumerate() {
            if !rs.stops.is_empty() {
                self.add(class_of[v], rs.cost, &rs.stops);
            }
        }
    }

    /// Moves every column of `other` into this pool, in `other`'s order.
    pub fn absorb(&mut self, other: &mut Pool) {
        for col in other.columns.drain(..) {
            self.add(col.class, col.cost, &col.stops);
        }
        other.bits.clear();
        other.index.clear();
    }
}

/// Vehicle classes: vehicles that are interchangeable in every respect (same vehicle, no frozen
/// prefix, same release time) share the class of the first of them; a vehicle with a frozen
/// prefix is a class of its own. Returns the class of each vehicle.
pub(crate) fn classes(tb: &Tables, sol: &Solution) -> Vec<usize> {
    let mut out: Vec<usize> = Vec::with_capacity(sol.routes.len());
    for (v, rs) in sol.routes.iter().enumerate() {
        let twin = (0..v).find(|&u| {
            let ru = &sol.routes[u];
            rs.fixed.is_empty()
                && ru.fixed.is_empty()
                && ru.release == rs.release
                && tb.vehicle(u) == tb.vehicle(v)
        });
        out.push(twin.map_or(v, |u| out[u]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stops(requests: &[usize]) -> Vec<StopId> {
        requests
            .iter()
            .flat_map(|&r| [StopId::pickup(r), StopId::dropoff(r)])
            .collect()
    }

    #[test]
    fn the_pool_keeps_the_cheapest_order_of_each_request_set_per_class() {
        let mut pool = Pool::new(70);
        assert!(pool.add(0, 10.0, &stops(&[3, 65])));
        assert!(!pool.add(0, 11.0, &stops(&[65, 3])));
        assert!(pool.add(0, 9.0, &stops(&[65, 3])));
        assert!(pool.add(2, 12.0, &stops(&[3, 65])));
        assert_eq!(pool.len(), 2);
        assert_eq!(pool.columns[0].cost, 9.0);
        assert_eq!(pool.columns[0].stops, stops(&[65, 3]));
        assert_eq!(pool.set(0), &[1 << 3, 1 << 1]);
    }

    #[test]
    fn absorbing_a_pool_keeps_the_cheaper_of_two_equal_sets() {
        let mut a = Pool::new(4);
        a.add(0, 5.0, &stops(&[0, 1]));
        let mut b = Pool::new(4);
        b.add(0, 4.0, &stops(&[1, 0]));
        b.add(0, 7.0, &stops(&[2]));
        a.absorb(&mut b);
        assert_eq!(b.len(), 0);
        assert_eq!(a.len(), 2);
        assert_eq!(a.columns[0].cost, 4.0);
    }
}
