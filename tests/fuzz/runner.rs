//! Runs one fuzz target: generated inputs through a check, with proptest's shrinking when a
//! check fails or panics, for a number of cases or a time budget, and prints the count.
//!
//! - Normal test runs: `DISPECER_FUZZ_CASES` cases per target (default 200), so the suite
//!   stays quick.
//! - `scripts/fuzz`: `DISPECER_FUZZ_SECONDS` per target; batches of fresh random cases until
//!   the time is up.
//!
//! A watchdog ends the process when no input finishes for `HANG` (a hang is a failure too).

use proptest::strategy::Strategy;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use std::fmt::Debug;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// No single input may take this long.
const HANG: Duration = Duration::from_secs(60);

enum Budget {
    Cases(u32),
    Seconds(f64),
}

fn budget(default_cases: u32) -> Budget {
    if let Some(s) = std::env::var("DISPECER_FUZZ_SECONDS")
        .ok()
        .and_then(|v| v.parse::<f64>().ok())
    {
        return Budget::Seconds(s);
    }
    Budget::Cases(
        std::env::var("DISPECER_FUZZ_CASES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default_cases),
    )
}

/// Runs `check` on inputs from `strategy`; panics with the smallest failing input found.
pub fn fuzz<S>(name: &str, strategy: S, check: impl Fn(S::Value) -> Result<(), TestCaseError>)
where
    S: Strategy,
    S::Value: Debug,
{
    fuzz_with_default(name, 200, strategy, check)
}

/// [`fuzz`] with another default number of cases, for targets whose inputs are expensive.
pub fn fuzz_with_default<S>(
    name: &str,
    default_cases: u32,
    strategy: S,
    check: impl Fn(S::Value) -> Result<(), TestCaseError>,
) where
    S: Strategy,
    S::Value: Debug,
{
    let budget = budget(default_cases);
    let executions = AtomicU64::new(0);
    let done = AtomicBool::new(false);
    let started = Instant::now();
    std::thread::scope(|scope| {
        scope.spawn(|| watchdog(name, &executions, &done));
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| loop {
            let cases = match budget {
                Budget::Cases(n) => n,
                // Small batches, so a slow target overshoots its budget by little.
                Budget::Seconds(_) => 32,
            };
            let mut runner = TestRunner::new(Config {
                cases,
                failure_persistence: None,
                max_shrink_iters: 4096,
                ..Config::default()
            });
            let outcome = runner.run(&strategy, |input| {
                executions.fetch_add(1, Ordering::Relaxed);
                check(input)
            });
            if let Err(e) = outcome {
                panic!(
                    "fuzz {name}: failed after {} executions: {e}",
                    executions.load(Ordering::Relaxed)
                );
            }
            match budget {
                Budget::Seconds(s) if started.elapsed().as_secs_f64() < s => continue,
                _ => break,
            }
        }));
        done.store(true, Ordering::Relaxed);
        if let Err(panic) = result {
            std::panic::resume_unwind(panic);
        }
    });
    println!(
        "fuzz {name}: {} executions in {:.1} s, no failure",
        executions.load(Ordering::Relaxed),
        started.elapsed().as_secs_f64()
    );
}

fn watchdog(name: &str, executions: &AtomicU64, done: &AtomicBool) {
    let mut last = executions.load(Ordering::Relaxed);
    let mut since = Instant::now();
    while !done.load(Ordering::Relaxed) {
        std::thread::sleep(Duration::from_millis(200));
        let now = executions.load(Ordering::Relaxed);
        if now != last {
            last = now;
            since = Instant::now();
        } else if since.elapsed() > HANG {
            eprintln!(
                "fuzz {name}: no input finished for {} s after {now} executions: a hang",
                HANG.as_secs()
            );
            std::process::exit(101);
        }
    }
}
