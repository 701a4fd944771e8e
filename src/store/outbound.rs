//! The tables of outbound calls (`crate::outbound`, migration 0018): wellbeing-call schedules,
//! campaigns, call lists, the calls themselves, and the beneficiary's birth year and living
//! alone on the device registry. Both backends in `sql/outbound.rs`.

use async_trait::async_trait;
use serde::Serialize;

use super::StoreError;

/// A beneficiary's wellbeing-call schedule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScheduleRow {
    pub id: String,
    pub device_id: String,
    /// Comma-separated weekdays (`mon`..`sun`); empty when `every_days` is set.
    pub weekdays: String,
    pub every_days: Option<i32>,
    /// Local time `HH:MM`.
    pub at_time: String,
    pub reason: String,
    pub next_due_ms: i64,
    pub active: bool,
    pub created_by: String,
    pub created_ms: i64,
}

/// A campaign.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CampaignRow {
    pub id: String,
    pub name: String,
    pub reason: String,
    /// The filter as JSON.
    pub filter: String,
    pub window_start_ms: i64,
    pub window_end_ms: i64,
    /// `draft` or `started`.
    pub state: String,
    pub created_by: String,
    pub created_ms: i64,
    pub started_ms: Option<i64>,
}

/// A call list another service asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListRow {
    pub id: String,
    pub requested_by: String,
    pub service: String,
    pub reason: String,
    pub created_ms: i64,
}

/// One outbound call (or a skipped one, with why).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutboundCallRow {
    pub id: String,
    /// `schedule`, `list` or `campaign`.
    pub source: String,
    pub source_id: String,
    pub device_id: Option<String>,
    pub name: String,
    pub phone: String,
    pub reason: String,
    pub due_ms: i64,
    /// 1 for the first try.
    pub attempt: i32,
    pub retry_of: Option<String>,
    /// `planned`, `raised`, `done`, `retried`, `escalated`, `skipped`.
    pub state: String,
    pub skip_reason: Option<String>,
    pub item_id: Option<String>,
    pub raised_ms: Option<i64>,
    pub dialled_ms: Option<i64>,
    pub outcome: Option<String>,
    pub outcome_note: Option<String>,
    pub outcome_by: Option<String>,
    pub outcome_ms: Option<i64>,
    pub escalation_item: Option<String>,
    pub created_by: String,
    pub created_ms: i64,
}

/// What a campaign selects on, per registered beneficiary.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Profile {
    pub device_id: String,
    pub birth_year: Option<i32>,
    pub lives_alone: Option<bool>,
}

/// Counts of a campaign's or list's calls by state and by outcome.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    /// `(state, outcome or "", count)`.
    pub rows: Vec<(String, String, i64)>,
}

#[async_trait]
pub trait OutboundStore: Send + Sync {
    /// Sets a beneficiary's birth year and living alone; `false` for an unknown device.
    async fn set_profile(
        &self,
        device_id: &str,
        birth_year: Option<i32>,
        lives_alone: Option<bool>,
    ) -> Result<bool, StoreError>;
    /// Every registered device's profile.
    async fn profiles(&self) -> Result<Vec<Profile>, StoreError>;
    /// One registered device's profile; `None` for an unknown device.
    async fn profile(&self, device_id: &str) -> Result<Option<Profile>, StoreError>;

    async fn put_schedule(&self, s: &ScheduleRow) -> Result<(), StoreError>;
    async fn schedules(&self) -> Result<Vec<ScheduleRow>, StoreError>;
    async fn schedule(&self, id: &str) -> Result<Option<ScheduleRow>, StoreError>;
    /// Stops a schedule; `false` when unknown.
    async fn stop_schedule(&self, id: &str) -> Result<bool, StoreError>;
    /// Active schedules whose next occurrence is due at `now_ms`.
    async fn due_schedules(&self, now_ms: i64) -> Result<Vec<ScheduleRow>, StoreError>;
    /// Moves a schedule's next occurrence from `from_ms` to `to_ms`; `false` when another round
    /// or instance moved it first.
    async fn advance_schedule(
        &self,
        id: &str,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<bool, StoreError>;

    async fn put_campaign(&self, c: &CampaignRow) -> Result<(), StoreError>;
    async fn campaigns(&self) -> Result<Vec<CampaignRow>, StoreError>;
    async fn campaign(&self, id: &str) -> Result<Option<CampaignRow>, StoreError>;
    /// `draft` -> `started` (one conditional update); `false` when already started.
    async fn start_campaign(&self, id: &str, now_ms: i64) -> Result<bool, StoreError>;

    async fn put_list(&self, l: &ListRow) -> Result<(), StoreError>;
    async fn lists(&self) -> Result<Vec<ListRow>, StoreError>;

    /// Inserts a call unless one with its id exists; `true` when inserted.
    async fn insert_call(&self, c: &OutboundCallRow) -> Result<bool, StoreError>;
    async fn call(&self, id: &str) -> Result<Option<OutboundCallRow>, StoreError>;
    /// The call whose queue item is `item_id`.
    async fn call_by_item(&self, item_id: &str) -> Result<Option<OutboundCallRow>, StoreError>;
    /// Calls of a schedule, list or campaign (`source_id`), or every call still to make or
    /// made since `since_ms` when `source_id` is `None`; by due time, at most `limit`.
    async fn calls(
        &self,
        source_id: Option<&str>,
        since_ms: i64,
        limit: i64,
    ) -> Result<Vec<OutboundCallRow>, StoreError>;
    /// Planned calls due at `now_ms`, and raised calls without an item claimed before
    /// `stale_ms` (an instance stopped between the claim and the item).
    async fn due_calls(
        &self,
        now_ms: i64,
        stale_ms: i64,
    ) -> Result<Vec<OutboundCallRow>, StoreError>;
    /// Claims a call for raising: `planned` -> `raised` (or a stale raised one again); `false`
    /// when another instance has it.
    async fn claim_call(&self, id: &str, now_ms: i64, stale_ms: i64) -> Result<bool, StoreError>;
    async fn set_call_item(&self, id: &str, item_id: &str) -> Result<(), StoreError>;
    /// A call not to make: `skipped` with why (from `planned` or `raised`).
    async fn skip_call(&self, id: &str, reason: &str) -> Result<bool, StoreError>;
    async fn mark_dialled(&self, id: &str, now_ms: i64) -> Result<(), StoreError>;
    /// Records the outcome: `raised` -> `state` (done, retried, escalated); `false` when it
    /// was recorded already. `then` (the next try, or the follow-up call) is inserted in the
    /// same transaction, so an outcome recorded always has its next call, exactly once.
    #[allow(clippy::too_many_arguments)]
    async fn record_call_outcome(
        &self,
        id: &str,
        state: &str,
        outcome: &str,
        note: &str,
        by: &str,
        now_ms: i64,
        then: Option<&OutboundCallRow>,
    ) -> Result<bool, StoreError>;
    async fn set_escalation(&self, id: &str, item_id: &str) -> Result<(), StoreError>;
    /// Counts of the calls of `source_id` by state and outcome.
    async fn tally(&self, source_id: &str) -> Result<Tally, StoreError>;
}
