//! The bed registry's vocabulary (`beds`): a facility and the places its open admissions take.
//! Here, below both the pure rules and the store, because both need them.

use chrono::{DateTime, Utc};

/// A facility and its places, as stored (the address in full: who may see it is decided when
/// it leaves, `beds::rules::may_see_address`).
#[derive(Clone, Debug, PartialEq)]
pub struct FacilityRecord {
    pub id: String,
    pub provider_id: String,
    pub name: String,
    /// `shelter`, `night_shelter`, `crisis` or `dv_shelter`.
    pub kind: String,
    pub adult_places: i64,
    pub child_places: i64,
    /// Extra adult places opened while the cold-weather mode is on (night shelters).
    pub cold_extra_places: i64,
    pub stay_limit_days: i64,
    pub address: String,
    pub lon: Option<f64>,
    pub lat: Option<f64>,
    pub phone: String,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Places taken by the open admissions of a facility.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Occupancy {
    pub adults: i64,
    pub children: i64,
}
