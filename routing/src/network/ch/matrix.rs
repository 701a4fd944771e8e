//! Many-to-many with buckets: one backward search per target leaves `(target, time)` entries
//! at every node it settles; one forward search per source scans the buckets of the nodes it
//! settles. Each cell costs a few bucket scans instead of a whole query.

use super::search::{upward_all, with_scratch, Endpoint};
use super::Ch;
use rayon::prelude::*;

/// A bucket entry: target `target` is `time` away. The scan reads only these 8 bytes per
/// entry; the distance, needed only when a cell improves, sits in a parallel array.
#[derive(Clone, Copy)]
struct Entry {
    target: u32,
    time: i32,
}

/// Times (ms) and distances (dm) from every source to every target, row-major; `i32::MAX`
/// where no route exists or an endpoint set is empty.
pub(crate) fn many_to_many(
    ch: &Ch,
    sources: &[Vec<Endpoint>],
    targets: &[Vec<Endpoint>],
) -> (Vec<i32>, Vec<i32>) {
    let n = ch.num_nodes();
    let spaces: Vec<Vec<(u32, i32, i32)>> = targets
        .par_iter()
        .map(|t| {
            let mut space = Vec::new();
            if !t.is_empty() {
                with_scratch(|s, _| {
                    upward_all(ch, s, t, false, |v, time, dist| space.push((v, time, dist)))
                });
            }
            space
        })
        .collect();
    let mut start = vec![0u32; n + 1];
    for space in &spaces {
        for &(v, _, _) in space {
            start[v as usize + 1] += 1;
        }
    }
    for v in 0..n {
        start[v + 1] += start[v];
    }
    let mut fill = start.clone();
    let total = start[n] as usize;
    let mut buckets = vec![Entry { target: 0, time: 0 }; total];
    let mut bucket_dist = vec![0i32; total];
    for (j, space) in spaces.iter().enumerate() {
        for &(v, time, dist) in space {
            let slot = &mut fill[v as usize];
            buckets[*slot as usize] = Entry {
                target: j as u32,
                time,
            };
            bucket_dist[*slot as usize] = dist;
            *slot += 1;
        }
    }
    let m = targets.len();
    let mut times = vec![i32::MAX; sources.len() * m];
    let mut dists = vec![i32::MAX; sources.len() * m];
    times
        .par_chunks_mut(m.max(1))
        .zip(dists.par_chunks_mut(m.max(1)))
        .zip(sources.par_iter())
        .for_each(|((row_t, row_d), s)| {
            if s.is_empty() {
                return;
            }
            with_scratch(|sc, _| {
                upward_all(ch, sc, s, true, |v, time, dist| {
                    let range = start[v as usize] as usize..start[v as usize + 1] as usize;
                    let first = range.start;
                    for (k, e) in buckets[range].iter().enumerate() {
                        let total = time + e.time;
                        let j = e.target as usize;
                        if total >= 0 && total < row_t[j] {
                            row_t[j] = total;
                            row_d[j] = dist + bucket_dist[first + k];
                        }
                    }
                })
            });
        });
    (times, dists)
}
