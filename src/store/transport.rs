//! The storage the transport module needs (both backends in `sql/transport.rs`). Riders,
//! vehicles, trips, plans and actions are stored as JSON documents beside a few key columns.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};

use super::StoreError;
use crate::transport::eligibility::{RiderEvent, RiderEventKind};
use crate::transport::model::{
    ActionRecord, BookingKey, DayPlan, Fix, Rider, Step, Trip, TripStatus, Vehicle, VehicleDay,
};
use routing::travel::LonLat;

/// What a GPS fix (the second argument) adds to its vehicle's day, given the day's last fix
/// (none for the day's first): the caller's rule (`transport::odometer::step`).
pub type MeasureFn = dyn Fn(Option<&Fix>, &Fix) -> Step + Send + Sync;

#[async_trait]
/// Messages with the drivers are part of it ([`super::DriverMessageStore`]).
pub trait TransportStore: super::DriverMessageStore + Send + Sync {
    /// Creates or replaces a rider.
    async fn put_rider(&self, rider: &Rider) -> Result<(), StoreError>;
    async fn rider(&self, id: &str) -> Result<Option<Rider>, StoreError>;
    async fn riders(&self) -> Result<Vec<Rider>, StoreError>;

    /// Creates or replaces a vehicle.
    async fn put_vehicle(&self, vehicle: &Vehicle) -> Result<(), StoreError>;
    async fn vehicles(&self) -> Result<Vec<Vehicle>, StoreError>;

    /// Inserts new trips in one transaction (all or none).
    async fn insert_trips(&self, trips: &[Trip]) -> Result<(), StoreError>;
    /// Inserts a booking's trips and, in the same transaction, the idempotency key it was made
    /// with, so the key is durable before the 2xx. When the key is already taken (a repeat that
    /// raced the first), inserts nothing and returns what the key stands for.
    async fn insert_keyed_trips(
        &self,
        key: &str,
        booking: &BookingKey,
        trips: &[Trip],
    ) -> Result<Option<BookingKey>, StoreError>;
    /// The booking an idempotency key stands for, if it was used.
    async fn booking_key(&self, key: &str) -> Result<Option<BookingKey>, StoreError>;
    /// Replaces existing trips in one transaction, each only if its stored status is still
    /// `from` (the status the caller read): a driver's action and a cancel racing for one trip
    /// cannot overwrite each other. [`StoreError::TripChanged`] (and nothing written) otherwise.
    async fn update_trips(&self, trips: &[Trip], from: TripStatus) -> Result<(), StoreError>;
    async fn trip(&self, id: &str) -> Result<Option<Trip>, StoreError>;
    /// Every trip of a day, cancelled ones included, in booking order.
    async fn trips_on(&self, date: NaiveDate) -> Result<Vec<Trip>, StoreError>;
    /// The trips of a rider on a day.
    async fn rider_trips_on(&self, rider: &str, date: NaiveDate) -> Result<Vec<Trip>, StoreError>;
    async fn series_trips(&self, series: &str) -> Result<Vec<Trip>, StoreError>;
    /// Trips in a date range, inclusive (reports).
    async fn trips_between(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<Trip>, StoreError>;

    async fn plan(&self, date: NaiveDate) -> Result<Option<DayPlan>, StoreError>;
    /// Stores a plan if its version is one more than the stored one (or it is the first), so two
    /// dispatchers editing at once cannot overwrite each other: `false` when it lost.
    async fn put_plan(&self, plan: &DayPlan) -> Result<bool, StoreError>;
    /// Dates from `from` on that have a plan, ascending.
    async fn plan_dates_from(&self, from: NaiveDate) -> Result<Vec<NaiveDate>, StoreError>;

    /// Records a driver action and, in the same transaction, the trip it changed, if the trip's
    /// stored status is still the one given (the one read before the action was applied; else
    /// [`StoreError::TripChanged`] and nothing written). Returns the action already recorded
    /// under the same id instead when there is one (then nothing changes).
    async fn record_action(
        &self,
        action: &ActionRecord,
        trip: Option<(&Trip, TripStatus)>,
    ) -> Result<Option<ActionRecord>, StoreError>;
    async fn action(&self, action_id: &str) -> Result<Option<ActionRecord>, StoreError>;

    /// Stores a vehicle's last position and, in the same transaction, adds what `measure` makes
    /// of the fix to the vehicle's driven distance and time on `day` (its local date).
    async fn put_fix(
        &self,
        vehicle: &str,
        fix: Fix,
        day: NaiveDate,
        measure: &MeasureFn,
    ) -> Result<(), StoreError>;
    /// The measured days of every vehicle in a date range, inclusive (reports).
    async fn vehicle_days(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<VehicleDay>, StoreError>;
    async fn position(&self, vehicle: &str) -> Result<Option<(LonLat, DateTime<Utc>)>, StoreError>;

    /// Records an entry of a rider's history under its key; `false` (and nothing changes) when
    /// the key was recorded before.
    async fn add_rider_event(&self, event: &RiderEvent) -> Result<bool, StoreError>;
    async fn rider_event(&self, key: &str) -> Result<Option<RiderEvent>, StoreError>;
    /// A rider's history, oldest first.
    async fn rider_events(&self, rider: &str) -> Result<Vec<RiderEvent>, StoreError>;
    /// Every rider's entries of the given kinds, oldest first (the policy's lists).
    async fn rider_events_of(
        &self,
        kinds: &[RiderEventKind],
    ) -> Result<Vec<RiderEvent>, StoreError>;
}

pub(crate) fn encode_doc<T: serde::Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Corrupt {
        seq: 0,
        message: format!("encoding a transport document: {e}"),
    })
}

pub(crate) fn decode_doc<T: serde::de::DeserializeOwned>(data: &str) -> Result<T, StoreError> {
    serde_json::from_str(data).map_err(|e| StoreError::Corrupt {
        seq: 0,
        message: format!("decoding a transport document: {e}"),
    })
}
