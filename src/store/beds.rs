//! The bed registry beside the event log (`beds`): providers, facilities and their places, the
//! admissions that fill them, the cold-weather switch and the temperatures staff post.
//!
//! Free places are counted from the open admissions inside the transaction that admits, with
//! the facility locked, so the last place cannot be given twice; whether a request fits is the
//! caller's rule, handed in as a closure (the store runs no rule).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::StoreError;
use crate::domain::ItemId;

/// An organisation that runs facilities: the public service (`das`) or an NGO (`ngo`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ProviderRecord {
    pub id: String,
    pub name: String,
    /// `das` or `ngo`.
    pub kind: String,
    pub phone: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

pub use crate::domain::beds::{FacilityRecord, Occupancy};

/// A person (initials or pseudonym) and the children with them in a facility.
#[derive(Clone, Debug, PartialEq)]
pub struct AdmissionRecord {
    pub id: Uuid,
    pub facility_id: String,
    pub person: String,
    pub item_id: Option<ItemId>,
    pub adults: i64,
    pub children: i64,
    pub admitted_at: DateTime<Utc>,
    pub expected_leave: DateTime<Utc>,
    pub admitted_by: String,
    pub discharged_at: Option<DateTime<Utc>>,
    pub discharged_by: Option<String>,
    /// When the person was in: at admission for one admitted in person; `None` while a bed held
    /// for an outreach item waits for the street team to bring them.
    pub arrived_at: Option<DateTime<Utc>>,
    pub arrived_by: Option<String>,
}

/// The supervisor's cold-weather switch (`auto`, `on`, `off`) and who set it, why, when.
#[derive(Clone, Debug, PartialEq)]
pub struct ColdSwitch {
    pub mode: String,
    pub reason: String,
    pub set_by: String,
    pub set_at: DateTime<Utc>,
}

/// An outdoor temperature posted by staff.
#[derive(Clone, Debug, PartialEq)]
pub struct TemperatureReading {
    pub celsius: f64,
    pub recorded_by: String,
    pub recorded_at: DateTime<Utc>,
}

/// Whether an admission fits a facility as it is now: the caller's rule, run by the store
/// inside the admitting transaction with the facility locked.
pub type FitsFn = dyn Fn(&FacilityRecord, Occupancy) -> bool + Send + Sync;

/// What an admission attempt came to.
#[derive(Clone, Debug, PartialEq)]
pub enum Admitted {
    Done(Box<AdmissionRecord>),
    UnknownFacility,
    /// The facility has fewer free places than asked for.
    Full,
}

#[async_trait]
pub trait BedsStore: Send + Sync {
    /// Creates the provider (`false` when the id is taken).
    async fn insert_provider(&self, p: &ProviderRecord) -> Result<bool, StoreError>;
    /// Replaces name, kind and phone (`false` when unknown).
    async fn update_provider(&self, p: &ProviderRecord) -> Result<bool, StoreError>;
    async fn providers(&self) -> Result<Vec<ProviderRecord>, StoreError>;

    /// Creates the facility (`false` when the id is taken).
    async fn insert_facility(&self, f: &FacilityRecord) -> Result<bool, StoreError>;
    /// Replaces its fields (`false` when unknown); bumps `version`.
    async fn update_facility(&self, f: &FacilityRecord) -> Result<bool, StoreError>;
    async fn facility(&self, id: &str) -> Result<Option<FacilityRecord>, StoreError>;
    /// Every facility with the places its open admissions take.
    async fn facilities(&self) -> Result<Vec<(FacilityRecord, Occupancy)>, StoreError>;

    /// Admits `a` if `fits` says it fits the facility with its open admissions counted in the
    /// same transaction, the facility locked, so two admissions cannot both take the last place.
    async fn admit(&self, a: &AdmissionRecord, fits: &FitsFn) -> Result<Admitted, StoreError>;
    /// Discharges the admission unless it already is; the admission as it now stands (`None`
    /// when unknown). A second discharge changes nothing.
    async fn discharge(
        &self,
        id: Uuid,
        by: &str,
        at: DateTime<Utc>,
    ) -> Result<Option<AdmissionRecord>, StoreError>;
    async fn admission(&self, id: Uuid) -> Result<Option<AdmissionRecord>, StoreError>;
    /// Records that the person of a held bed is in, unless already recorded or discharged; the
    /// admission as it now stands (`None` when unknown).
    async fn mark_arrived(
        &self,
        id: Uuid,
        by: &str,
        at: DateTime<Utc>,
    ) -> Result<Option<AdmissionRecord>, StoreError>;
    /// Open admissions, of one facility or of all, oldest first.
    async fn open_admissions(
        &self,
        facility: Option<&str>,
    ) -> Result<Vec<AdmissionRecord>, StoreError>;
    /// Open admissions expected to have left before `now`.
    async fn overstays(&self, now: DateTime<Utc>) -> Result<Vec<AdmissionRecord>, StoreError>;
    /// Admissions linked to an item (a hold for an outreach item, an EMIU placement), the
    /// discharged ones too, oldest first.
    async fn admissions_for_item(&self, item: ItemId) -> Result<Vec<AdmissionRecord>, StoreError>;

    async fn cold_switch(&self) -> Result<Option<ColdSwitch>, StoreError>;
    /// Sets the switch and logs the change (one transaction).
    async fn set_cold_switch(&self, s: &ColdSwitch) -> Result<(), StoreError>;
    async fn put_temperature(&self, t: &TemperatureReading) -> Result<(), StoreError>;
    async fn latest_temperature(&self) -> Result<Option<TemperatureReading>, StoreError>;
}
