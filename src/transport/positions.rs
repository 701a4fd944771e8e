//! A vehicle's GPS fix, stored with what the [`super::odometer`] rule makes of it.

use chrono::{DateTime, NaiveDate, Utc};
use routing::travel::LonLat;

use super::model::Fix;
use super::odometer;
use crate::store::{StoreError, TransportStore};

impl dyn TransportStore {
    /// Stores a vehicle's last position and, in the same transaction, adds the fix to the
    /// vehicle's driven distance and time on `day` (its local date), as [`odometer::step`]
    /// measures it.
    pub async fn put_position(
        &self,
        vehicle: &str,
        position: LonLat,
        at: DateTime<Utc>,
        day: NaiveDate,
    ) -> Result<(), StoreError> {
        self.put_fix(vehicle, Fix { position, at }, day, &odometer::step)
            .await
    }
}
