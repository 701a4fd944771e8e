//! The solver on the Cordeau instances (repository copies), with small iteration budgets so the
//! suite stays fast: every plan it reports must pass the independent checker.

use std::path::PathBuf;

use routing::darp::{
    format_solution, parse_cordeau, parse_solution, solve, verify, Instance, SolveOptions, Verdict,
};

const NAMES: [&str; 15] = [
    "a2-16", "a2-20", "a2-24", "a3-18", "a3-24", "a3-30", "a3-36", "a4-16", "a4-24", "a4-32",
    "a4-40", "a4-48", "a5-40", "a5-50", "a5-60",
];

fn load(name: &str) -> Instance {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../data/darp/cordeau")
        .join(format!("{name}.txt"));
    let text = std::fs::read_to_string(&path).unwrap();
    parse_cordeau(name, &text).unwrap()
}

fn best_known(name: &str) -> f64 {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../data/darp/best_known.csv");
    let text = std::fs::read_to_string(path).unwrap();
    text.lines()
        .find_map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[0] == name).then(|| f[3].parse().unwrap())
        })
        .unwrap()
}

fn budget(iterations: u64, seed: u64) -> SolveOptions {
    SolveOptions {
        seed,
        time_limit: None,
        max_iterations: Some(iterations),
        threads: 2,
    }
}

#[test]
fn every_cordeau_instance_gets_a_complete_plan_that_passes_the_checker() {
    for name in NAMES {
        // Arrange
        let inst = load(name);
        // Act
        let solved = solve(&inst, None, &budget(150, 7)).unwrap();
        let verdict: Verdict = verify(&inst, &solved.plan);
        // Assert
        assert!(verdict.complete(), "{name}: {:?}", verdict.problems);
        assert!((verdict.cost - solved.cost).abs() < 1e-6, "{name}");
        let used = solved
            .plan
            .routes
            .iter()
            .filter(|r| !r.stops.is_empty())
            .count();
        assert!(used <= inst.vehicles.len());
        // A proven optimum cannot be beaten: if it were, checker and solver would share a bug.
        assert!(
            verdict.cost >= best_known(name) - 1e-3,
            "{name}: {}",
            verdict.cost
        );
    }
}

#[test]
fn the_smallest_instance_is_solved_to_its_optimum_within_a_small_budget() {
    let inst = load("a2-16");
    // Before the tail exchange, 10 000 iterations left seeds 1 and 4 at the deep local optimum
    // 295.19; with it, 1 000 reach the optimum for seeds 1 to 4.
    for seed in [1, 4] {
        let solved = solve(&inst, None, &budget(3_000, seed)).unwrap();
        assert!(verify(&inst, &solved.plan).complete());
        assert!(
            (solved.cost - best_known("a2-16")).abs() < 1e-3,
            "seed {seed}: {}",
            solved.cost
        );
    }
}

#[test]
fn the_same_seed_and_iteration_budget_give_the_same_plan() {
    let inst = load("a3-24");
    let a = solve(&inst, None, &budget(600, 42)).unwrap();
    let b = solve(&inst, None, &budget(600, 42)).unwrap();
    assert_eq!(a.plan, b.plan);
    assert_eq!(a.iterations, b.iterations);
}

#[test]
fn the_solution_file_lists_node_ids_of_each_used_vehicle_without_depots() {
    let inst = load("a2-16");
    let solved = solve(&inst, None, &budget(50, 3)).unwrap();
    let text = format_solution(&inst, &solved.plan);
    let mut ids: Vec<usize> = text
        .split_whitespace()
        .map(|t| t.parse().unwrap())
        .collect();
    ids.sort_unstable();
    assert_eq!(ids, (1..=32).collect::<Vec<_>>());
    assert!(text.lines().count() <= 2);
}

#[test]
fn routes_for_pr10_cheaper_than_its_literature_value_pass_the_checker() {
    // Arrange: routes this solver found in a 60 s run (2026-12-07), in the `.sol` format.
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../data/darp/pr");
    let inst = parse_cordeau(
        "pr10",
        &std::fs::read_to_string(dir.join("pr10.txt")).unwrap(),
    )
    .unwrap();
    let text = std::fs::read_to_string(dir.join("pr10-848.6442.sol")).unwrap();
    let plan = parse_solution(&inst, &text).unwrap();
    // Act
    let verdict = verify(&inst, &plan);
    // Assert: complete and feasible, 3.18 under the 851.82 quoted since Parragh & Schmid (2013).
    assert!(verdict.complete(), "{:?}", verdict.problems);
    assert!((verdict.cost - 848.6442).abs() < 1e-3, "{}", verdict.cost);
}
