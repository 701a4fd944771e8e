//! Shapes of the eligibility and policy answers (`src/transport/http/policy.rs`).

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use crate::transport::eligibility::{Certificate, PolicyStatus, RiderEvent};

/// A rider the no-show / late-cancel policy flags, or who is suspended.
#[derive(Serialize, ToSchema)]
pub struct FlaggedRider {
    pub rider_id: String,
    pub name: String,
    pub status: PolicyStatus,
}

/// The riders waiting for the supervisor's decision (flagged) and those suspended.
#[derive(Serialize, ToSchema)]
pub struct FlaggedList {
    /// The policy in force: this many events in `window_days` flag a rider.
    pub max_events: u32,
    pub window_days: u32,
    pub riders: Vec<FlaggedRider>,
}

/// A certificate that expires soon (or has expired).
#[derive(Serialize, ToSchema)]
pub struct ExpiringCertificate {
    pub rider_id: String,
    pub name: String,
    pub certificate: Certificate,
    pub valid_until: NaiveDate,
    /// Days from today to the last valid day (negative once expired).
    pub days_left: i64,
}

#[derive(Serialize, ToSchema)]
pub struct ExpiringList {
    /// How far ahead the list looks.
    pub days: u32,
    pub certificates: Vec<ExpiringCertificate>,
}

/// A rider's policy history (oldest first) and the verdict now.
#[derive(Serialize, ToSchema)]
pub struct RiderHistory {
    pub rider_id: String,
    pub status: PolicyStatus,
    pub events: Vec<RiderEvent>,
}

/// How many reminders a run queued.
#[derive(Serialize, ToSchema)]
pub struct QueuedAnswer {
    pub queued: usize,
}
