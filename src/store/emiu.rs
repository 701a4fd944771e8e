//! The tables of the EMIU procedure beside the event log: hazard notes kept by address (shown
//! to any team sent there) and protection orders waiting for their expiry reminder. (Shelter
//! places are the bed registry's, `super::beds`.)

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::StoreError;
use crate::domain::ItemId;

/// A hazard at an address, for any team sent there.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct HazardRecord {
    pub id: Uuid,
    /// The case it was noted on.
    pub item_id: ItemId,
    /// The address normalised (`emiu::hazards::address_key`); absent without an address.
    pub address_key: Option<String>,
    pub lon: Option<f64>,
    pub lat: Option<f64>,
    /// `dog`, `weapons`, `aggressive_relative`, `other`.
    pub hazard: String,
    pub note: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

/// A protection order waiting for its expiry reminder.
#[derive(Clone, Debug, PartialEq)]
pub struct OrderReminder {
    pub id: Uuid,
    pub item_id: ItemId,
    /// `opp` or `op`.
    pub order_kind: String,
    pub expires_on: NaiveDate,
    pub remind_on: NaiveDate,
}

#[async_trait]
pub trait EmiuStore: Send + Sync {
    async fn put_hazard(&self, h: &HazardRecord) -> Result<(), StoreError>;
    /// Hazards noted at `address_key`, or within the box `[lon ± d, lat ± d]` of `near`; the
    /// caller keeps those truly close.
    async fn hazards_at(
        &self,
        address_key: Option<&str>,
        near: Option<(f64, f64, f64)>,
    ) -> Result<Vec<HazardRecord>, StoreError>;

    async fn put_order_reminder(&self, o: &OrderReminder) -> Result<(), StoreError>;
    /// Orders whose reminder is due on or before `today` and not yet raised.
    async fn due_order_reminders(&self, today: NaiveDate)
        -> Result<Vec<OrderReminder>, StoreError>;
    /// Marks the reminder raised; `false` when another round or instance got there first.
    async fn mark_order_reminded(&self, id: Uuid, item: ItemId) -> Result<bool, StoreError>;
}
