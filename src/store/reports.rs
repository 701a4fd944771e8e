//! What the activity report reads beside the live state, and what the retention purge changes
//! (`src/reports/`): referrals and case-file records of a period, trips of a range of days; the
//! purge's counts and deletions per kind of record, the anonymising of an item's events, the
//! daily run's claim and the purge log (migration 0020).

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use super::StoreError;
use crate::domain::ItemId;
use crate::events::StoredEvent;
use crate::transport::model::Trip;

/// How many records of a kind a purge removes (or would remove), and the oldest and newest of
/// their dates.
#[derive(Clone, Debug, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct PurgeCount {
    pub count: i64,
    pub oldest: Option<DateTime<Utc>>,
    pub newest: Option<DateTime<Utc>>,
}

/// One row of the purge log.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct PurgeLogRow {
    pub run_id: String,
    pub run_at: DateTime<Utc>,
    /// `closed_items`, `dv_case_files`, `audit_log`, `transport_trips`, `gps_positions`,
    /// `call_records`, `sms`.
    pub kind: String,
    pub removed: i64,
    pub oldest: Option<DateTime<Utc>>,
    pub newest: Option<DateTime<Utc>>,
    /// `job:daily` or `cli:<user>`.
    pub actor: String,
}

/// A table-level kind of record the purge removes by date.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TableKind {
    /// `audit_log` rows read before the cutoff.
    AuditLog,
    /// Vehicles' last positions reported before the cutoff.
    GpsPositions,
    /// Provider call ids, and outbound calls no longer pending, created before the cutoff.
    CallRecords,
    /// SMS rows no longer pending, written before the cutoff.
    Sms,
}

#[async_trait]
pub trait ReportStore: Send + Sync {
    /// Referrals created in `[from, until)`: service, created, acknowledged.
    async fn referrals_between(
        &self,
        from: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<Vec<(String, DateTime<Utc>, Option<DateTime<Utc>>)>, StoreError>;
    /// `case_recorded` events committed in `[from, until)`.
    async fn case_records_between(
        &self,
        from: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<Vec<StoredEvent>, StoreError>;
    /// Trips of the days `[first, next)`.
    async fn trips_between(
        &self,
        first: NaiveDate,
        next: NaiveDate,
    ) -> Result<Vec<Trip>, StoreError>;

    /// Records of `kind` past `before`; removed unless `dry_run`.
    async fn purge_table(
        &self,
        kind: TableKind,
        before: DateTime<Utc>,
        dry_run: bool,
    ) -> Result<PurgeCount, StoreError>;
    /// Trips of days before `before` that are over (not booked or under way), with their driver
    /// actions, plus the plans and vehicle days of those days; removed unless `dry_run`. The
    /// count is of trips; its dates are the trips' days at midnight UTC.
    async fn purge_trips(&self, before: NaiveDate, dry_run: bool)
        -> Result<PurgeCount, StoreError>;

    /// Items already anonymised.
    async fn purged_items(&self) -> Result<Vec<ItemId>, StoreError>;
    /// Rewrites the given events of `item` (sequence number and new payload, as JSON text) and
    /// blanks what the tables beside the log keep of it (referral notes, follow-up numbers,
    /// safe-contact numbers, hazard notes, order reminders), in one transaction, and remembers
    /// the item as purged.
    async fn anonymise_item(
        &self,
        item: ItemId,
        payloads: &[(i64, String)],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// Claims the run `run_key` for `holder`; `false` when another instance (or an earlier
    /// round) already has it.
    async fn claim_run(
        &self,
        run_key: &str,
        holder: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;
    async fn log_purge(&self, rows: &[PurgeLogRow]) -> Result<(), StoreError>;
    /// The newest rows of the purge log, newest first.
    async fn purge_log(&self, limit: i64) -> Result<Vec<PurgeLogRow>, StoreError>;
}
