//! The retention purge's use case: what is past its schedule goes, and every run says what it
//! removed in `purge_log`. Items are anonymised in the event log (see
//! [`super::rules::retention`] for why they are not deleted), after an `item_purged` event has
//! made every instance's live state drop their personal data; the other kinds are deleted from
//! their tables. The daily run is claimed once per local day across instances
//! (`retention_claims`), and `dispecer retention purge [--dry-run]` runs it by hand.

use chrono::{DateTime, Utc};
use std::collections::HashSet;
use std::time::Duration;
use tokio_util::sync::CancellationToken;
use tracing::{info, warn};

use super::rules::period::local_day;
use super::rules::retention::{anonymise, cutoff, due_items, DueItem};
use crate::config::RetentionConfig;
use crate::core::{Command, CoreHandle};
use crate::store::{EmergencyStore, PurgeCount, PurgeLogRow, Store, StoreError, TableKind};

/// One run of the purge.
pub(crate) struct Purge<'a> {
    pub core: &'a CoreHandle,
    pub log: &'a dyn Store,
    pub store: &'a dyn EmergencyStore,
    pub config: &'a RetentionConfig,
}

fn row(run_id: &str, now: DateTime<Utc>, kind: &str, c: PurgeCount, actor: &str) -> PurgeLogRow {
    PurgeLogRow {
        run_id: run_id.to_owned(),
        run_at: now,
        kind: kind.to_owned(),
        removed: c.count,
        oldest: c.oldest,
        newest: c.newest,
        actor: actor.to_owned(),
    }
}

fn summary(items: &[&DueItem]) -> PurgeCount {
    PurgeCount {
        count: items.len() as i64,
        oldest: items.iter().map(|d| d.closed).min(),
        newest: items.iter().map(|d| d.closed).max(),
    }
}

impl Purge<'_> {
    /// Purges what is past its schedule at `now` (or only counts it, with `dry_run`) and, unless
    /// a dry run, writes one `purge_log` row per kind. Returns the rows.
    pub(crate) async fn run(
        &self,
        now: DateTime<Utc>,
        actor: &str,
        dry_run: bool,
    ) -> anyhow::Result<Vec<PurgeLogRow>> {
        let cfg = self.config;
        let run_id = uuid::Uuid::new_v4().to_string();
        let done: HashSet<_> = self.store.purged_items().await?.into_iter().collect();
        let due = self.core.read(|s| due_items(s.items(), now, cfg, &done));
        if !dry_run {
            for d in &due {
                // The live state first: every instance drops the item's personal data from
                // memory (an `item_purged` event, committed before the log is rewritten; a run
                // stopped in between is run again, and the item is not marked twice).
                self.core
                    .execute(actor, Command::Purge { item_id: d.id })
                    .await?;
                let events = self.log.item_events(d.id).await?;
                let mut payloads = Vec::new();
                for e in events {
                    if let Some(new) = anonymise(&e.event) {
                        let text =
                            serde_json::to_string(&new).map_err(|err| StoreError::Corrupt {
                                seq: e.seq.0,
                                message: err.to_string(),
                            })?;
                        payloads.push((e.seq.0, text));
                    }
                }
                self.store.anonymise_item(d.id, &payloads, now).await?;
            }
        }
        let plain: Vec<&DueItem> = due.iter().filter(|d| !d.dv).collect();
        let dv: Vec<&DueItem> = due.iter().filter(|d| d.dv).collect();
        let mut rows = vec![
            row(&run_id, now, "closed_items", summary(&plain), actor),
            row(&run_id, now, "dv_case_files", summary(&dv), actor),
        ];
        for (kind, table, days) in [
            ("audit_log", TableKind::AuditLog, cfg.audit_log_days),
            (
                "gps_positions",
                TableKind::GpsPositions,
                cfg.gps_positions_days,
            ),
            (
                "call_records",
                TableKind::CallRecords,
                cfg.call_records_days,
            ),
            ("sms", TableKind::Sms, cfg.sms_days),
        ] {
            let c = self
                .store
                .purge_table(table, cutoff(now, days), dry_run)
                .await?;
            rows.push(row(&run_id, now, kind, c, actor));
        }
        let trips_before = local_day(cutoff(now, cfg.transport_trips_days));
        let c = self.store.purge_trips(trips_before, dry_run).await?;
        rows.push(row(&run_id, now, "transport_trips", c, actor));
        if !dry_run {
            self.store.log_purge(&rows).await?;
        }
        Ok(rows)
    }
}

/// The daily run: every 10 minutes (the first a minute after start-up), once the local hour has reached `daily_hour`, claims the
/// day's run (`daily:YYYY-MM-DD`, Bucharest date) and runs it; the instance that does not get
/// the claim does nothing. A run that fails is not retried that day (everything it left is
/// still past its schedule tomorrow).
pub(crate) fn spawn_daily(
    core: CoreHandle,
    log: std::sync::Arc<dyn Store>,
    store: std::sync::Arc<dyn EmergencyStore>,
    config: RetentionConfig,
    holder: String,
    shutdown: CancellationToken,
) {
    if !config.enabled {
        return;
    }
    tokio::spawn(async move {
        // The first look a minute after start-up, not during it.
        let first = tokio::time::Instant::now() + Duration::from_secs(60);
        let mut tick = tokio::time::interval_at(first, Duration::from_secs(600));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = shutdown.cancelled() => break,
                _ = tick.tick() => {}
            }
            let now = Utc::now();
            let local = now.with_timezone(&chrono_tz::Europe::Bucharest);
            if chrono::Timelike::hour(&local) < config.daily_hour {
                continue;
            }
            let key = format!("daily:{}", local.date_naive());
            match store.claim_run(&key, &holder, now).await {
                Ok(true) => {}
                Ok(false) => continue,
                Err(e) => {
                    warn!(error = %e, "the retention run could not be claimed; will retry");
                    continue;
                }
            }
            let purge = Purge {
                core: &core,
                log: log.as_ref(),
                store: store.as_ref(),
                config: &config,
            };
            match purge.run(now, "job:daily", false).await {
                Ok(rows) => {
                    for r in rows.iter().filter(|r| r.removed > 0) {
                        info!(kind = %r.kind, removed = r.removed, "retention purge");
                    }
                }
                Err(e) => warn!(error = %e, "the retention purge failed"),
            }
        }
    });
}
