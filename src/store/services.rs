//! The directory of services (DAS units and NGO partners) cases are referred to, and what the
//! loop of a referral needs beside its row: the referrals to one service (its inbox), those
//! whose acknowledgement is overdue, the claim of their escalation and the reported outcome.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::emergency::ReferralRecord;
use super::StoreError;
use crate::domain::ItemId;

/// One service of the directory.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ServiceEntry {
    pub id: String,
    pub name: String,
    /// `das_unit` or `ngo`.
    pub kind: String,
    pub address: String,
    pub opening_hours: String,
    pub phone: String,
    pub email: String,
    /// Who the service is for.
    pub eligibility: String,
    pub how_to_apply: String,
    /// The call categories it serves.
    pub categories: Vec<String>,
    /// Minutes the service has to acknowledge a referral before it is escalated.
    pub ack_deadline_minutes: i64,
    pub active: bool,
    pub updated_by: String,
    pub updated_at: DateTime<Utc>,
}

/// The outcome a service reports on a referral.
#[derive(Clone, Debug, PartialEq)]
pub struct OutcomeReport<'a> {
    /// The outcome it replaces (`None` when none was reported yet): the update is conditional
    /// on it, so two reports at once cannot both win.
    pub previous: Option<&'a str>,
    pub outcome: &'a str,
    pub reason: Option<&'a str>,
    pub note: &'a str,
    pub by: &'a str,
    pub at: DateTime<Utc>,
}

#[async_trait]
pub trait ServiceDirectory: Send + Sync {
    /// Adds a service; `false` when one with its id exists (nothing changes).
    async fn add_service(&self, s: &ServiceEntry, search: &str) -> Result<bool, StoreError>;
    /// Replaces a service; `false` when there is none with its id.
    async fn update_service(&self, s: &ServiceEntry, search: &str) -> Result<bool, StoreError>;
    async fn service_entry(&self, id: &str) -> Result<Option<ServiceEntry>, StoreError>;
    /// Services whose search text holds every word of `words` (all of them for none), active
    /// ones only unless `inactive`, by name.
    async fn search_services(
        &self,
        words: &[String],
        inactive: bool,
    ) -> Result<Vec<ServiceEntry>, StoreError>;

    /// The latest `limit` referrals to a service, newest first.
    async fn referrals_to(
        &self,
        service: &str,
        limit: i64,
    ) -> Result<Vec<ReferralRecord>, StoreError>;
    /// Referrals neither acknowledged nor escalated whose acknowledgement was due by `now`.
    async fn overdue_referrals(
        &self,
        now: DateTime<Utc>,
    ) -> Result<Vec<ReferralRecord>, StoreError>;
    /// Claims the escalation of a referral still unacknowledged and unescalated: `false` when
    /// another round or instance got there first, or the service acknowledged meanwhile.
    async fn claim_escalation(
        &self,
        id: Uuid,
        at: DateTime<Utc>,
        item: ItemId,
    ) -> Result<bool, StoreError>;
    /// Records an outcome if the referral is acknowledged and its outcome is still
    /// `report.previous`; the referral as it now stands when it was recorded.
    async fn record_outcome(
        &self,
        id: Uuid,
        report: &OutcomeReport<'_>,
    ) -> Result<Option<ReferralRecord>, StoreError>;
}
