//! `dispecer retention purge [--dry-run]`: runs the retention purge now (see
//! `src/reports/retention.rs`), printing one line per kind of record.

use chrono::{DateTime, Utc};
use std::path::Path;
use tokio_util::sync::CancellationToken;

use crate::config::Config;
use crate::reports::Purge;
use crate::state::AppState;
use crate::store::PurgeLogRow;
use crate::{startup, telemetry};

/// Runs the purge as of `now` on a built state (the CLI passes the clock; the tests pass a
/// later one to see what a date in the future would purge).
pub async fn purge_at(
    state: &AppState,
    now: DateTime<Utc>,
    actor: &str,
    dry_run: bool,
) -> anyhow::Result<Vec<PurgeLogRow>> {
    let purge = Purge {
        core: &state.core,
        log: state.store.as_ref(),
        store: state.emergency.as_ref(),
        config: &state.config.retention,
    };
    purge.run(now, actor, dry_run).await
}

/// `dispecer retention purge [--dry-run]`.
pub async fn purge(config_file: Option<&Path>, dry_run: bool) -> anyhow::Result<()> {
    let mut config = Config::load(config_file)?;
    telemetry::init(&config.log);
    // This process runs the purge once itself; it does not also start the daily run.
    config.retention.enabled = false;
    let shutdown = CancellationToken::new();
    let state = startup::build(config, shutdown.clone()).await?;
    let actor = format!(
        "cli:{}",
        std::env::var("USER").unwrap_or_else(|_| "unknown".into())
    );
    let rows = purge_at(&state, Utc::now(), &actor, dry_run).await;
    shutdown.cancel();
    let rows = rows?;
    println!(
        "{}",
        if dry_run {
            "retention purge (dry run: nothing removed, nothing logged)"
        } else {
            "retention purge (logged in purge_log)"
        }
    );
    for r in rows {
        let day =
            |d: Option<DateTime<Utc>>| d.map(|d| d.date_naive().to_string()).unwrap_or("-".into());
        println!(
            "{:<16} {:>8}  oldest {}  newest {}",
            r.kind,
            r.removed,
            day(r.oldest),
            day(r.newest)
        );
    }
    Ok(())
}
