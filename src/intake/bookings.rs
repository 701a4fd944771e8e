//! `POST /api/v1/bookings`: adapted-transport bookings.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;

use super::respond;
use crate::access::{Caller, Role};
use crate::core::Command;
use crate::domain::parse;
use crate::domain::{Details, Item, MobilityNeeds};
use crate::error::ErrorBody;
use crate::error::{Error, Result};
use crate::state::AppState;
use crate::web::extract::AppJson;
use crate::web::schemas::common::{BodyRefusals, Refusals};

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct WindowDto {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct BookingDto {
    /// The rider's registry id.
    #[schema(pattern = r"^[A-Za-z0-9._:/-]{1,64}$")]
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

/// Accepts an adapted-transport booking.
#[utoipa::path(
    post,
    path = "/api/v1/bookings",
    tag = "intake",
    operation_id = "post_booking",
    description = "An adapted-transport booking (dispatch). With an `Idempotency-Key` header a \
        repeat answers 200 with the first item.",
    request_body = BookingDto,
    params(("Idempotency-Key" = Option<String>, Header, description = "1-128 printable ASCII characters")),
    responses(
        (status = 201, description = "Stored and queued", body = Item, headers(("location" = String))),
        (status = 200, description = "A repeat of an Idempotency-Key: the first item", body = Item, headers(("location" = String))),
        (status = 429, description = "The credential's rate limit is spent (`limits.intake_*`); nothing was stored. P1 items are never refused: they are accepted and flagged `rate_limited`.", body = ErrorBody, headers(("retry-after" = u64, description = "Seconds to wait"))),
        BodyRefusals,
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn post(
    State(AppState {
        core,
        intake_limiter,
        ..
    }): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    AppJson(dto): AppJson<BookingDto>,
) -> Result<Response> {
    caller.require(&[Role::Dispatcher, Role::Supervisor, Role::Admin])?;
    let key = crate::web::extract::idempotency_key(&headers, "booking", &caller.name)?;
    let details = dto.parse(Utc::now())?;
    let rate_limited = intake_limiter.admit(&caller.name, &details)?.flagged();
    let outcome = core
        .execute(
            &caller.name,
            Command::Create {
                details,
                subject: None,
                key,
                rate_limited,
            },
        )
        .await?;
    respond(outcome)
}
