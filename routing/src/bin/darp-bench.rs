//! Dial-a-ride benchmark: solves Cordeau-format instances, verifies every solution with the
//! independent checker, and prints `name cost best_known gap_percent seconds feasible`.
//!
//! ```text
//! darp-bench [--seconds N] [--iterations N] [--seed S] [--threads T] [--solutions DIR] FILE...
//! darp-bench --insertion [--samples N]
//! darp-bench --check INSTANCE SOLUTION
//! ```
//!
//! `--check` reads a `.sol` file (as `--solutions` writes them) and prints the checker's verdict
//! on it in the same columns, with the problems it found.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use routing::darp::{
    format_solution, insert, parse_cordeau, parse_solution, solve, synthetic, verify, SolveOptions,
};

/// Best known (proven optimal) costs, embedded so the binary works from any directory.
const BEST_KNOWN: &str = include_str!("../../../data/darp/best_known.csv");

struct Args {
    seconds: f64,
    iterations: Option<u64>,
    seed: u64,
    threads: usize,
    solutions: Option<PathBuf>,
    insertion: bool,
    check: bool,
    samples: usize,
    files: Vec<PathBuf>,
}

fn parse_args() -> anyhow::Result<Args> {
    let mut a = Args {
        seconds: 10.0,
        iterations: None,
        seed: 1,
        threads: 2,
        solutions: None,
        insertion: false,
        check: false,
        samples: 2000,
        files: Vec::new(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = |name: &str| it.next().with_context(|| format!("{name} needs a value"));
        match arg.as_str() {
            "--seconds" => a.seconds = value("--seconds")?.parse()?,
            "--iterations" => a.iterations = Some(value("--iterations")?.parse()?),
            "--seed" => a.seed = value("--seed")?.parse()?,
            "--threads" => a.threads = value("--threads")?.parse()?,
            "--solutions" => a.solutions = Some(value("--solutions")?.into()),
            "--samples" => a.samples = value("--samples")?.parse()?,
            "--insertion" => a.insertion = true,
            "--check" => a.check = true,
            "-h" | "--help" => {
                println!("darp-bench [--seconds N] [--iterations N] [--seed S] [--threads T] [--solutions DIR] FILE...\ndarp-bench --insertion [--samples N]\ndarp-bench --check INSTANCE SOLUTION");
                std::process::exit(0);
            }
            s if s.starts_with("--") => bail!("unknown option {s}"),
            _ => a.files.push(arg.into()),
        }
    }
    Ok(a)
}

fn best_known(name: &str) -> Option<f64> {
    BEST_KNOWN.lines().skip(1).find_map(|line| {
        let mut f = line.split(',');
        (f.next()? == name).then_some(())?;
        f.nth(2)?.trim().parse().ok()
    })
}

/// The `best_known` and `gap_percent` columns for `cost` on the instance `name` ("-" for an
/// instance without a best known cost), and the gap itself for the mean.
fn gap_columns(name: &str, cost: f64) -> (String, String, Option<f64>) {
    let Some(b) = best_known(name) else {
        return ("-".to_string(), "-".to_string(), None);
    };
    let g = 100.0 * (cost - b) / b;
    // Print 0.000 rather than -0.000 for a match to rounding.
    let g = if g.abs() < 5e-5 { 0.0 } else { g };
    (format!("{b:.4}"), format!("{g:.3}"), Some(g))
}

fn main() -> anyhow::Result<()> {
    let args = parse_args()?;
    if args.insertion {
        if args.samples == 0 {
            bail!("--samples must be positive");
        }
        return insertion_bench(args.samples, args.seed);
    }
    if args.check {
        let [instance, solution] = args.files.as_slice() else {
            bail!("--check needs an instance file and a solution file");
        };
        return check(instance, solution);
    }
    if args.files.is_empty() {
        bail!("no instance files given (try --help)");
    }
    if let Some(dir) = &args.solutions {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let mut gaps = Vec::new();
    let mut all_feasible = true;
    let mut slowest: f64 = 0.0;
    for file in &args.files {
        let (name, instance) = read_instance(file)?;
        let options = SolveOptions {
            seed: args.seed,
            time_limit: Some(Duration::from_secs_f64(args.seconds)),
            max_iterations: args.iterations,
            threads: args.threads,
        };
        let began = Instant::now();
        let solved = solve(&instance, None, &options)?;
        let seconds = began.elapsed().as_secs_f64();
        slowest = slowest.max(seconds);
        let verdict = verify(&instance, &solved.plan);
        let feasible = verdict.complete();
        all_feasible &= feasible;
        eprintln!("{name}: {} iterations", solved.iterations);
        if !feasible {
            eprintln!(
                "{name}: {:?} unserved {:?}",
                verdict.problems, verdict.unserved
            );
        }
        let (bk, gap, g) = gap_columns(&name, verdict.cost);
        gaps.extend(g);
        println!(
            "{name} {:.4} {bk} {gap} {seconds:.2} {}",
            verdict.cost,
            if feasible { "yes" } else { "no" }
        );
        if let Some(dir) = &args.solutions {
            write_solution(dir, &name, &format_solution(&instance, &solved.plan))?;
        }
    }
    if !gaps.is_empty() {
        let mean = gaps.iter().sum::<f64>() / gaps.len() as f64;
        eprintln!(
            "mean gap {mean:.3} % over {} instances with a best known cost; all feasible: {all_feasible}",
            gaps.len()
        );
    }
    eprintln!("longest solve {slowest:.3} s (limit {:.3} s)", args.seconds);
    Ok(())
}

/// The instance named by `file`'s stem, parsed.
fn read_instance(file: &Path) -> anyhow::Result<(String, routing::darp::Instance)> {
    let name = file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| file.display().to_string());
    let text =
        std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    let instance = parse_cordeau(&name, &text).with_context(|| format!("parsing {name}"))?;
    Ok((name, instance))
}

/// Prints the checker's verdict on a `.sol` file: `name cost best_known gap_percent - feasible`.
/// An infeasible or incomplete plan is an error, so scripts can rely on the exit status.
fn check(instance: &Path, solution: &Path) -> anyhow::Result<()> {
    let (name, instance) = read_instance(instance)?;
    let text = std::fs::read_to_string(solution)
        .with_context(|| format!("reading {}", solution.display()))?;
    let plan = parse_solution(&instance, &text)
        .with_context(|| format!("reading {}", solution.display()))?;
    let verdict = verify(&instance, &plan);
    let (bk, gap, _) = gap_columns(&name, verdict.cost);
    let feasible = verdict.complete();
    println!(
        "{name} {:.4} {bk} {gap} - {}",
        verdict.cost,
        if feasible { "yes" } else { "no" }
    );
    if !feasible {
        for problem in verdict.problems.iter().take(10) {
            eprintln!("{name}: {problem}");
        }
        bail!(
            "{name}: {} problems, {} requests unserved",
            verdict.problems.len(),
            verdict.unserved.len()
        );
    }
    Ok(())
}

fn write_solution(dir: &Path, name: &str, text: &str) -> anyhow::Result<()> {
    let path = dir.join(format!("{name}.sol"));
    std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))
}

/// Times same-day insertion of one new request into a plan of 20 vehicles and 200 requests.
fn insertion_bench(samples: usize, seed: u64) -> anyhow::Result<()> {
    let full = synthetic(seed, 20, 200 + samples, 720.0);
    let mut base = full.clone();
    base.requests.truncate(200);
    let options = SolveOptions {
        seed,
        time_limit: Some(Duration::from_secs(5)),
        max_iterations: Some(2_000),
        threads: 2,
    };
    let plan = solve(&base, None, &options)?.plan;
    let verdict = verify(&base, &plan);
    eprintln!(
        "base plan: {} of 200 requests, cost {:.1}, feasible {}",
        verdict.served,
        verdict.cost,
        verdict.feasible()
    );
    let mut micros = Vec::with_capacity(samples);
    let (mut ok, mut refused) = (0usize, 0usize);
    for r in 200..200 + samples {
        let began = Instant::now();
        let result = insert(&full, &plan, r);
        micros.push(began.elapsed().as_secs_f64() * 1e6);
        match result {
            Ok(next) => {
                ok += 1;
                if r % 50 == 0 && !verify(&full, &next).feasible() {
                    bail!("insertion of request {r} produced an infeasible plan");
                }
            }
            Err(_) => refused += 1,
        }
    }
    micros.sort_by(f64::total_cmp);
    let at = |q: f64| micros[((q * micros.len() as f64) as usize).min(micros.len() - 1)];
    println!(
        "insertion 20 vehicles 200 requests: samples {samples} inserted {ok} refused {refused} p50 {:.3} ms p99 {:.3} ms max {:.3} ms",
        at(0.50) / 1e3,
        at(0.99) / 1e3,
        micros[micros.len() - 1] / 1e3
    );
    Ok(())
}
