//! The tables of the emergency workflows beside the event log: the TeleAsistență device
//! registry and its check-ins, shelters and their free places, referrals, scheduled follow-ups,
//! numbers that must never be contacted, and the telephony call ↔ item map. What a dispatcher
//! decides still goes through the core's event log; these hold registries and counters.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::StoreError;
use crate::domain::ItemId;

/// Someone to call when the beneficiary does not answer, in the order they are called.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Carer {
    pub name: String,
    pub phone: String,
    #[serde(default)]
    pub relation: String,
}

/// A TeleAsistență device and the person it protects.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DeviceRecord {
    pub device_id: String,
    pub beneficiary: String,
    pub address: String,
    pub lon: Option<f64>,
    pub lat: Option<f64>,
    pub phone: String,
    /// In the order they are called.
    pub carers: Vec<Carer>,
    pub medical_notes: String,
    pub access_notes: String,
    /// Where the key safe is and its code, for a team that must get in.
    pub key_safe: String,
    pub checkin_period_s: i64,
    /// The last check-in; the registration time until the first one.
    pub last_checkin_at: DateTime<Utc>,
    pub battery_pct: Option<i32>,
    /// The check-in a missed-check-in item was already raised for.
    pub missed_raised_for: Option<DateTime<Utc>>,
    /// A low-battery item is open for the current low reading.
    pub low_battery_raised: bool,
}

/// A DV shelter of the bed registry as the EMIU sees it (`beds::dv_shelters`): its places and
/// the free ones, adults' and children's added up (addresses are never in it).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ShelterRecord {
    pub id: String,
    pub name: String,
    pub capacity: i64,
    pub free_places: i64,
    /// Of the free places, those for adults and those for children (counted apart).
    pub free_adult_places: i64,
    pub free_child_places: i64,
}

/// A referral of a case to a DAS service.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ReferralRecord {
    pub id: Uuid,
    pub item_id: ItemId,
    pub service: String,
    pub note: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub acknowledged_by: Option<String>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    /// When the service must have acknowledged by (the referral's time plus the service's
    /// deadline); absent on referrals made before the directory.
    #[serde(default)]
    pub ack_due_at: Option<DateTime<Utc>>,
    /// When the missed acknowledgement was escalated to the supervisor.
    #[serde(default)]
    pub escalated_at: Option<DateTime<Utc>>,
    /// What the service reported: `accepted`, `declined` or `completed`.
    #[serde(default)]
    pub outcome: Option<String>,
    /// Why it declined, as a code (`not_eligible`, `no_capacity`, `outside_area`,
    /// `person_unreachable`, `other`).
    #[serde(default)]
    pub outcome_reason: Option<String>,
    #[serde(default)]
    pub outcome_note: String,
    #[serde(default)]
    pub outcome_by: Option<String>,
    #[serde(default)]
    pub outcome_at: Option<DateTime<Utc>>,
}

impl ReferralRecord {
    /// Removes the free text, for a viewer who may only know that the case exists.
    pub fn withhold(&mut self) {
        if !self.note.is_empty() {
            self.note = crate::access::WITHHELD.into();
        }
        if !self.outcome_note.is_empty() {
            self.outcome_note = crate::access::WITHHELD.into();
        }
    }
}

/// A keep-in-contact callback to put in the queue at `due`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FollowUpRecord {
    pub id: Uuid,
    pub item_id: ItemId,
    pub phone: String,
    pub reason: String,
    pub due: DateTime<Utc>,
    pub created_by: String,
    /// `scheduled`, `raised` (its callback item is in the queue) or `blocked` (safe contact).
    pub state: String,
    pub callback_item: Option<ItemId>,
}

/// The EMIU procedure's tables come with it (`super::emiu`), and so do outbound calls'
/// (`super::outbound`), so the same handle reaches them.
#[async_trait]
pub trait EmergencyStore:
    super::emiu::EmiuStore
    + super::services::ServiceDirectory
    + super::reports::ReportStore
    + super::outbound::OutboundStore
    + super::beds::BedsStore
    + Send
    + Sync
{
    /// Creates or replaces a device; keeps its check-in history when it exists.
    async fn put_device(&self, d: &DeviceRecord) -> Result<(), StoreError>;
    async fn device(&self, id: &str) -> Result<Option<DeviceRecord>, StoreError>;
    async fn devices(&self) -> Result<Vec<DeviceRecord>, StoreError>;
    /// Devices whose beneficiary or a carer has this number.
    async fn devices_by_phone(&self, phone: &str) -> Result<Vec<DeviceRecord>, StoreError>;
    /// Records a check-in; `None` for an unknown device.
    async fn record_checkin(
        &self,
        id: &str,
        at: DateTime<Utc>,
        battery_pct: Option<i32>,
    ) -> Result<Option<DeviceRecord>, StoreError>;
    async fn mark_missed_raised(
        &self,
        id: &str,
        for_checkin: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    async fn set_low_battery_raised(&self, id: &str, raised: bool) -> Result<(), StoreError>;
    /// Sets a device's check-in period (a DC-09 account's own supervision interval drives it).
    async fn set_checkin_period(&self, id: &str, period_s: i64) -> Result<(), StoreError>;

    async fn put_referral(&self, r: &ReferralRecord) -> Result<(), StoreError>;
    async fn referral(&self, id: Uuid) -> Result<Option<ReferralRecord>, StoreError>;
    /// Marks it acknowledged unless it already is; returns the referral as it now stands.
    async fn acknowledge_referral(
        &self,
        id: Uuid,
        by: &str,
        at: DateTime<Utc>,
    ) -> Result<Option<ReferralRecord>, StoreError>;
    async fn referrals_for(&self, item: ItemId) -> Result<Vec<ReferralRecord>, StoreError>;

    async fn put_follow_up(&self, f: &FollowUpRecord) -> Result<(), StoreError>;
    /// Scheduled follow-ups due at or before `now`.
    async fn due_follow_ups(&self, now: DateTime<Utc>) -> Result<Vec<FollowUpRecord>, StoreError>;
    async fn follow_ups_for(&self, item: ItemId) -> Result<Vec<FollowUpRecord>, StoreError>;
    /// Moves a scheduled follow-up to `state`; `false` when it was no longer scheduled (another
    /// instance, or an earlier round, got there first), and then nothing changes.
    async fn set_follow_up_state(
        &self,
        id: Uuid,
        state: &str,
        callback_item: Option<ItemId>,
    ) -> Result<bool, StoreError>;

    /// Marks a number 'do not call back / no SMS'.
    async fn block_contact(&self, phone: &str, item: ItemId, by: &str) -> Result<(), StoreError>;
    async fn is_contact_blocked(&self, phone: &str) -> Result<bool, StoreError>;

    /// Remembers which item a provider's call id belongs to.
    async fn put_call(&self, call_sid: &str, item: ItemId) -> Result<(), StoreError>;
    async fn call_item(&self, call_sid: &str) -> Result<Option<ItemId>, StoreError>;
}
