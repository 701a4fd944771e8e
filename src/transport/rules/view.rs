//! A trip as answered: the trip with its promised pick-up, its vehicle, or why it is not
//! planned.

use serde::Serialize;

use crate::transport::model::{clock, DayPlan, Trip};

/// A trip as answered: the trip, its promised pick-up, or why it is not planned.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TripView {
    #[serde(flatten)]
    pub trip: Trip,
    /// The planned pick-up, `HH:MM`, once the day is planned.
    pub promised: Option<String>,
    pub vehicle_id: Option<String>,
    pub unserved_reason: Option<String>,
}

/// What a booking answers: its trips (two per day with a return), and the series they share.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct BookingAnswer {
    /// Set for a recurring booking: `POST .../cancel` with `"series": true` cancels them all.
    pub series_id: Option<String>,
    pub trips: Vec<TripView>,
}

/// A trip with what the day's plan (if any) says of it.
pub(crate) fn view(trip: Trip, plan: Option<&DayPlan>) -> TripView {
    let promised = plan.and_then(|p| p.promised_s(&trip.id)).map(clock);
    let vehicle_id = plan.and_then(|p| p.vehicle_of(&trip.id)).map(str::to_owned);
    let unserved_reason = plan.and_then(|p| {
        p.unserved
            .iter()
            .find(|u| u.trip_id == trip.id)
            .map(|u| u.reason.clone())
    });
    TripView {
        trip,
        promised,
        vehicle_id,
        unserved_reason,
    }
}
