//! `POST /api/v1/bookings`: adapted-transport bookings.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;

use super::{parse, respond};
use crate::core::Command;
use crate::domain::{Details, MobilityNeeds};
use crate::error::{Error, Result};
use crate::http::auth::{Caller, Role};
use crate::http::extract::AppJson;
use crate::state::AppState;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WindowDto {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BookingDto {
    /// The rider's registry id.
    pub rider: String,
    pub pickup: parse::PlaceDto,
    pub dropoff: parse::PlaceDto,
    /// Window for the pick-up.
    pub window: WindowDto,
    #[serde(default)]
    pub needs: MobilityNeeds,
}

impl BookingDto {
    fn parse(self, now: DateTime<Utc>) -> Result<Details> {
        let rider = parse::identifier("rider", &self.rider, 64)?;
        let pickup = self.pickup.parse("pickup")?;
        let dropoff = self.dropoff.parse("dropoff")?;
        if self.window.end <= self.window.start {
            return Err(Error::validation(
                "window.end",
                "must be after window.start",
            ));
        }
        if self.window.end - self.window.start > Duration::hours(12) {
            return Err(Error::validation(
                "window.end",
                "window may be at most 12 hours",
            ));
        }
        if self.window.end < now {
            return Err(Error::validation("window.end", "window is in the past"));
        }
        if self.window.start > now + Duration::days(366) {
            return Err(Error::validation(
                "window.start",
                "must be within a year from now",
            ));
        }
        Ok(Details::Booking {
            rider,
            pickup,
            dropoff,
            window_start: self.window.start,
            window_end: self.window.end,
            needs: self.needs,
        })
    }
}

pub async fn post(
    State(AppState { core, .. }): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    AppJson(dto): AppJson<BookingDto>,
) -> Result<Response> {
    caller.require(&[Role::Dispatcher, Role::Supervisor, Role::Admin])?;
    let key = parse::idempotency_key(&headers, "booking", &caller.name)?;
    let details = dto.parse(Utc::now())?;
    let outcome = core
        .execute(&caller.name, Command::Create { details, key })
        .await?;
    respond(outcome)
}
