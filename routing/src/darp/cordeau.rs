//! Reading Cordeau-format instances and writing solutions with their node ids.
//!
//! The format (see `data/darp/README` in shared benchmarks): a header `K n T Q L`, then `2n + 2`
//! node lines `id x y d q e l`. Node `0` is the start depot, `2n + 1` the end depot, request `i`
//! (1-based) is the pair `(i, n + i)`. Fields are whitespace separated; columns are not relied on.
//! Parsing takes text, not a path, so the core stays free of I/O.

use super::euclid::EuclideanPlane;
use super::load::{Capacity, Load};
use super::model::{CostBasis, Endpoint, Instance, Request, StopId, Vehicle, Window};
use super::plan::Plan;
use crate::travel::{LonLat, TravelTimeSource};

/// Why a file is not a usable Cordeau instance.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ParseError {
    #[error("the header needs five numbers `K n T Q L`")]
    Header,
    #[error("line {line}: expected seven numbers `id x y d q e l`")]
    NodeLine { line: usize },
    #[error("expected {expected} node lines, found {found}")]
    NodeCount { expected: usize, found: usize },
    #[error("node {id}: {why}")]
    Node { id: usize, why: &'static str },
}

/// Why a `.sol` file does not fit its instance.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum SolutionError {
    #[error("{routes} routes for {vehicles} vehicles")]
    Routes { routes: usize, vehicles: usize },
    #[error("line {line}: `{token}` is not a stop of this instance (ids 1 to {last})")]
    Stop {
        line: usize,
        token: String,
        last: usize,
    },
}

struct Node {
    xy: LonLat,
    service: f64,
    load: f64,
    window: Window,
}

/// Most requests and vehicles a file may declare. The header's numbers size the reader's work
/// and memory, so a damaged or hostile header must not ask for more than any real instance
/// (the Cordeau set has at most 96 requests and 13 vehicles).
pub const MAX_REQUESTS: usize = 100_000;
pub const MAX_VEHICLES: usize = 1_000;

fn numbers(line: &str) -> Option<Vec<f64>> {
    line.split_whitespace()
        .map(|t| t.parse::<f64>().ok().filter(|x| x.is_finite()))
        .collect()
}

/// Parses one instance; `name` is what the benchmark prints.
pub fn parse(name: &str, text: &str) -> Result<Instance, ParseError> {
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    let header = lines
        .next()
        .and_then(|(_, l)| numbers(l))
        .filter(|h| h.len() >= 5 && h[..2].iter().all(|x| *x >= 0.0 && x.fract() == 0.0))
        .filter(|h| h[0] <= MAX_VEHICLES as f64 && h[1] <= MAX_REQUESTS as f64)
        .ok_or(ParseError::Header)?;
    let (k, n) = (header[0] as usize, header[1] as usize);
    let (max_duration, capacity, max_ride) = (header[2], header[3], header[4]);
    if capacity < 0.0 || max_duration < 0.0 || max_ride < 0.0 {
        return Err(ParseError::Header);
    }
    let expected = 2 * n + 2;
    // Grown as lines are read, not reserved from the header's claim.
    let mut nodes = Vec::new();
    for (index, line) in lines.take(expected) {
        let f = numbers(line)
            .filter(|f| f.len() >= 7)
            .ok_or(ParseError::NodeLine { line: index + 1 })?;
        let id = nodes.len();
        if f[0] != id as f64 {
            return Err(ParseError::Node {
                id,
                why: "node ids must run 0, 1, 2, … in order",
            });
        }
        if f[3] < 0.0 || f[5] > f[6] {
            return Err(ParseError::Node {
                id,
                why: "negative service time or empty window",
            });
        }
        nodes.push(Node {
            xy: LonLat::new(f[1], f[2]),
            service: f[3],
            load: f[4],
            window: Window::new(f[5], f[6]),
        });
    }
    if nodes.len() != expected {
        return Err(ParseError::NodeCount {
            expected,
            found: nodes.len(),
        });
    }
    let places: Vec<LonLat> = nodes.iter().map(|n| n.xy).collect();
    let matrix = EuclideanPlane.matrix(&places, 0);
    let endpoint = |id: usize| Endpoint {
        location: id,
        service: nodes[id].service,
        window: nodes[id].window,
    };
    let mut requests = Vec::with_capacity(n);
    for i in 1..=n {
        let q = nodes[i].load;
        if q < 0.0 || q.fract() != 0.0 || nodes[n + i].load != -q {
            return Err(ParseError::Node {
                id: i,
                why: "a pick-up needs a whole load q ≥ 0 and its drop-off −q",
            });
        }
        requests.push(Request {
            pickup: endpoint(i),
            dropoff: endpoint(n + i),
            load: Load::seated(q as u32),
            max_ride,
            group: None,
        });
    }
    let shift = Window::new(nodes[0].window.earliest, nodes[2 * n + 1].window.latest);
    let vehicle = Vehicle {
        capacity: Capacity::seats(capacity as u32),
        start: 0,
        end: 2 * n + 1,
        shift,
        max_duration,
    };
    Ok(Instance {
        name: name.to_string(),
        requests,
        vehicles: vec![vehicle; k],
        matrix,
        cost_basis: CostBasis::Time,
    })
}

/// The Cordeau node id of a stop in an instance with `n` requests.
pub fn node_id(n: usize, stop: StopId) -> usize {
    if stop.is_pickup() {
        stop.request() + 1
    } else {
        n + stop.request() + 1
    }
}

/// The stop with Cordeau node id `id` in an instance with `n` requests (the inverse of
/// [`node_id`]); `None` for a depot or an id out of range.
pub fn stop_of(n: usize, id: usize) -> Option<StopId> {
    match id {
        0 => None,
        i if i <= n => Some(StopId::pickup(i - 1)),
        i if i <= 2 * n => Some(StopId::dropoff(i - n - 1)),
        _ => None,
    }
}

/// Reads a plan written by [`format_solution`]: line `k` becomes vehicle `k`'s route (blank
/// lines are skipped) and the vehicles left over stay at the depot. The plan is not checked
/// here; that is the checker's work.
pub fn parse_solution(instance: &Instance, text: &str) -> Result<Plan, SolutionError> {
    let n = instance.requests.len();
    let mut plan = Plan::empty(instance);
    let lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    for (used, (i, line)) in lines.enumerate() {
        let stops =
            line.split_whitespace()
                .map(|t| {
                    t.parse().ok().and_then(|id| stop_of(n, id)).ok_or_else(|| {
                        SolutionError::Stop {
                            line: i + 1,
                            token: t.chars().take(20).collect(),
                            last: 2 * n,
                        }
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
        let Some(route) = plan.routes.get_mut(used) else {
            return Err(SolutionError::Routes {
                routes: used + 1,
                vehicles: instance.vehicles.len(),
            });
        };
        route.stops = stops;
    }
    Ok(plan)
}

/// One line per used vehicle, node ids in visiting order without the depots (the `.sol` format of
/// `darp-bench`).
pub fn format_solution(instance: &Instance, plan: &Plan) -> String {
    let n = instance.requests.len();
    let mut out = String::new();
    for route in plan.routes.iter().filter(|r| !r.stops.is_empty()) {
        let ids: Vec<String> = route
            .stops
            .iter()
            .map(|s| node_id(n, *s).to_string())
            .collect();
        out.push_str(&ids.join(" "));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const TINY: &str =
        "1 1 100 3 30\n0 0 0 0 0 0 100\n1 3 4 2 1 0 50\n2 0 4 2 -1 10 60\n3 0 0 0 0 0 100\n";

    #[test]
    fn a_tiny_file_becomes_one_request_with_euclidean_times() {
        let inst = parse("tiny", TINY).unwrap();
        assert_eq!(inst.requests.len(), 1);
        assert_eq!(inst.vehicles.len(), 1);
        assert_eq!(inst.time(0, 1), 5.0);
        assert_eq!(inst.requests[0].dropoff.window, Window::new(10.0, 60.0));
        assert_eq!(inst.vehicles[0].max_duration, 100.0);
    }

    #[test]
    fn a_truncated_file_is_an_error_not_a_panic() {
        let cut = &TINY[..TINY.len() - 20];
        assert!(matches!(
            parse("cut", cut),
            Err(ParseError::NodeCount { .. } | ParseError::NodeLine { .. })
        ));
        assert_eq!(parse("empty", ""), Err(ParseError::Header));
        assert_eq!(parse("junk", "a b c d e"), Err(ParseError::Header));
    }

    #[test]
    fn a_header_asking_for_absurd_sizes_is_an_error_not_an_allocation() {
        // Found by the fuzz target `cordeau_reader`: the reader reserved memory for the
        // header's node count (here 412 GB) before reading a single node line.
        assert_eq!(parse("huge", "1 1e20 100 3 30\n"), Err(ParseError::Header));
        assert_eq!(parse("huge", "1e20 1 100 3 30\n"), Err(ParseError::Header));
        let many = format!("{} 1 100 3 30\n", MAX_VEHICLES + 1);
        assert_eq!(parse("many", &many), Err(ParseError::Header));
        assert!(matches!(
            parse(
                "claims",
                &format!("1 {MAX_REQUESTS} 100 3 30\n0 0 0 0 0 0 100\n")
            ),
            Err(ParseError::NodeCount { .. })
        ));
    }

    #[test]
    fn node_ids_follow_the_cordeau_numbering() {
        assert_eq!(node_id(16, StopId::pickup(0)), 1);
        assert_eq!(node_id(16, StopId::dropoff(0)), 17);
        assert_eq!(node_id(16, StopId::dropoff(15)), 32);
        for id in 1..=32 {
            assert_eq!(stop_of(16, id).map(|s| node_id(16, s)), Some(id));
        }
        assert_eq!(stop_of(16, 0), None);
        assert_eq!(stop_of(16, 33), None);
    }

    #[test]
    fn a_written_plan_reads_back_as_the_same_routes() {
        let inst = parse("tiny", TINY).unwrap();
        let mut plan = Plan::empty(&inst);
        plan.routes[0].stops = vec![StopId::pickup(0), StopId::dropoff(0)];
        let text = format_solution(&inst, &plan);
        assert_eq!(text, "1 2\n");
        assert_eq!(parse_solution(&inst, &text), Ok(plan));
    }

    #[test]
    fn a_solution_naming_a_depot_or_too_many_routes_is_an_error() {
        let inst = parse("tiny", TINY).unwrap();
        assert_eq!(
            parse_solution(&inst, "1 3\n"),
            Err(SolutionError::Stop {
                line: 1,
                token: "3".into(),
                last: 2
            })
        );
        assert!(matches!(
            parse_solution(&inst, "1 x"),
            Err(SolutionError::Stop { .. })
        ));
        assert_eq!(
            parse_solution(&inst, "1 2\n\n2 1\n"),
            Err(SolutionError::Routes {
                routes: 2,
                vehicles: 1
            })
        );
    }
}
