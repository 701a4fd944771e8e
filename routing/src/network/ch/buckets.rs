//! The buckets of a many-to-many matrix: for every hub, the targets whose backward labels
//! hold it, with their times. Scanning them is nearly all of a matrix's work, so they come in
//! two layouts. A hub in the labels of a quarter or more of the targets (the top of the
//! hierarchy, met by almost every pair) gets a dense row over all targets, scanned as one
//! branch-free loop the compiler turns into vector instructions; the others keep a short
//! list of (target, time) entries.

/// "No value yet" in a dense row or a matrix row: far above any real time (a real time is
/// under 2^29 ms, six days), and far enough below `i32::MAX` that adding a time to it
/// cannot overflow. Anything at or above half of it means "not reached".
pub(super) const UNREACHED: i32 = i32::MAX / 2;

/// Marks a hub without a dense row.
const SPARSE: u32 = u32::MAX;

/// A sparse entry: target `target` is `time` away from the hub. The scan reads only these 8
/// bytes; the distance, needed only when a cell improves, sits in a parallel array.
#[derive(Clone, Copy)]
struct Entry {
    target: u32,
    time: i32,
}

pub(super) struct Buckets {
    /// Sparse entries of hub `h`: `entries[start[h]..start[h + 1]]`.
    start: Vec<u32>,
    entries: Vec<Entry>,
    dists: Vec<i32>,
    /// Per hub, its dense row index or [`SPARSE`].
    dense_of: Vec<u32>,
    /// Dense rows, `targets` wide: times ([`UNREACHED`] where absent) and distances.
    dense_times: Vec<i32>,
    dense_dists: Vec<i32>,
    targets: usize,
}

impl Buckets {
    /// Files every target's label (`(hub, time, dist)` entries, one per hub) under its hubs.
    pub(super) fn build(num_nodes: usize, labels: &[Vec<(u32, i32, i32)>]) -> Self {
        let targets = labels.len();
        let mut count = vec![0u32; num_nodes];
        for label in labels {
            for &(hub, _, _) in label {
                count[hub as usize] += 1;
            }
        }
        let mut dense_of = vec![SPARSE; num_nodes];
        let mut dense = 0u32;
        if targets >= 32 {
            for (h, &c) in count.iter().enumerate() {
                if c as usize * 4 >= targets {
                    dense_of[h] = dense;
                    dense += 1;
                }
            }
        }
        let mut start = vec![0u32; num_nodes + 1];
        for h in 0..num_nodes {
            let sparse = if dense_of[h] == SPARSE { count[h] } else { 0 };
            start[h + 1] = start[h] + sparse;
        }
        let mut fill = start.clone();
        let total = start[num_nodes] as usize;
        let mut entries = vec![Entry { target: 0, time: 0 }; total];
        let mut dists = vec![0i32; total];
        let mut dense_times = vec![UNREACHED; dense as usize * targets];
        let mut dense_dists = vec![0i32; dense as usize * targets];
        for (j, label) in labels.iter().enumerate() {
            for &(hub, time, dist) in label {
                let d = dense_of[hub as usize];
                if d != SPARSE {
                    let k = d as usize * targets + j;
                    dense_times[k] = time;
                    dense_dists[k] = dist;
                    continue;
                }
                let slot = &mut fill[hub as usize];
                entries[*slot as usize] = Entry {
                    target: j as u32,
                    time,
                };
                dists[*slot as usize] = dist;
                *slot += 1;
            }
        }
        Self {
            start,
            entries,
            dists,
            dense_of,
            dense_times,
            dense_dists,
            targets,
        }
    }

    /// Improves a source's row with hub `hub`, reached in `time` ms over `dist` dm. Row
    /// cells start at [`UNREACHED`]; a total below zero (a target behind the source on the
    /// same edge) is not a route.
    pub(super) fn scan(
        &self,
        hub: u32,
        time: i32,
        dist: i32,
        row_t: &mut [i32],
        row_d: &mut [i32],
    ) {
        let d = self.dense_of[hub as usize];
        if d != SPARSE {
            let r = d as usize * self.targets..(d as usize + 1) * self.targets;
            scan_dense(
                time,
                dist,
                &self.dense_times[r.clone()],
                &self.dense_dists[r],
                row_t,
                row_d,
            );
            return;
        }
        let range = self.start[hub as usize] as usize..self.start[hub as usize + 1] as usize;
        let first = range.start;
        for (k, e) in self.entries[range].iter().enumerate() {
            let total = time + e.time;
            let j = e.target as usize;
            if total >= 0 && total < row_t[j] {
                row_t[j] = total;
                row_d[j] = dist + self.dists[first + k];
            }
        }
    }
}

/// One dense row against a source's row, in lanes of 8 cells with no branch, which the
/// compiler turns into vector compares and selects. Absent entries hold [`UNREACHED`], and
/// `time + UNREACHED` is never below a cell's value, so they change nothing.
fn scan_dense(
    time: i32,
    dist: i32,
    times: &[i32],
    dists: &[i32],
    row_t: &mut [i32],
    row_d: &mut [i32],
) {
    const LANES: usize = 8;
    let n = row_t
        .len()
        .min(row_d.len())
        .min(times.len())
        .min(dists.len());
    let whole = n - n % LANES;
    for (((rt, rd), bt), bd) in row_t[..whole]
        .chunks_exact_mut(LANES)
        .zip(row_d[..whole].chunks_exact_mut(LANES))
        .zip(times[..whole].chunks_exact(LANES))
        .zip(dists[..whole].chunks_exact(LANES))
    {
        // Whole lanes in, whole lanes out, merged with masks: a plain `if` here becomes a
        // conditional store, a branch per cell that mispredicts.
        let mut t = [0i32; LANES];
        let mut d = [0i32; LANES];
        for i in 0..LANES {
            let total = time.wrapping_add(bt[i]);
            let mask = -i32::from((total >= 0) & (total < rt[i]));
            t[i] = (total & mask) | (rt[i] & !mask);
            d[i] = (dist.wrapping_add(bd[i]) & mask) | (rd[i] & !mask);
        }
        rt.copy_from_slice(&t);
        rd.copy_from_slice(&d);
    }
    for i in whole..n {
        let total = time + times[i];
        if total >= 0 && total < row_t[i] {
            row_t[i] = total;
            row_d[i] = dist + dists[i];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dense_and_sparse_buckets_give_the_brute_force_minimum() {
        // Arrange: 43 targets (five lanes and a tail); hub 0 is in every label and hub 1 in every third (both dense),
        // hub 2 in two labels (sparse). Times differ per hub, some negative (target offsets).
        let targets = 43;
        let labels: Vec<Vec<(u32, i32, i32)>> = (0..targets as i32)
            .map(|j| {
                let mut label = vec![(0, 1_000 + 37 * j, 10 * j)];
                if j % 3 == 0 {
                    label.push((1, 400 + 53 * (j % 7) - 300, 20 * j));
                }
                if j == 5 || j == 6 {
                    label.push((2, -50, 1));
                }
                label
            })
            .collect();
        let source = [(0u32, 200, 7), (1, 900, 8), (2, 30, 9)];
        let buckets = Buckets::build(3, &labels);
        assert_eq!(buckets.dense_of[..2], [0, 1]);
        assert_eq!(buckets.dense_of[2], SPARSE);
        // Act
        let mut row_t = vec![UNREACHED; targets];
        let mut row_d = vec![0; targets];
        for &(hub, time, dist) in &source {
            buckets.scan(hub, time, dist, &mut row_t, &mut row_d);
        }
        // Assert
        for (j, label) in labels.iter().enumerate() {
            let best = label
                .iter()
                .filter_map(|&(hub, t, d)| {
                    let &(_, st, sd) = source.iter().find(|s| s.0 == hub)?;
                    (st + t >= 0).then_some((st + t, sd + d))
                })
                .min();
            assert_eq!(Some((row_t[j], row_d[j])), best, "target {j}");
        }
    }
}
