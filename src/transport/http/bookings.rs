//! Bookings over HTTP: `/api/v1/transport/bookings`. The use cases are in
//! [`crate::transport::service::bookings`].

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{NaiveDate, NaiveTime};
use serde::Deserialize;

use super::shared::{audit, ctx};
use crate::access::{Caller, Role, DISPATCH};
use crate::error::ErrorBody;
use crate::error::{Error, Result};
use crate::state::AppState;
use crate::transport::model::CancelReason;
use crate::transport::rules::view::{BookingAnswer, TripView};
use crate::transport::service::bookings::{self, BookingRequest, PlaceRef};
use crate::web::extract::{AppJson, AppQuery, PathParam};
use crate::web::schemas::common::{BodyRefusals, Refusals};
use crate::web::schemas::transport::{BookingList, CancelAnswer};

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/transport/bookings", get(list).post(create))
        .route("/api/v1/transport/bookings/{id}", get(one).patch(change))
        .route("/api/v1/transport/bookings/{id}/cancel", post(cancel))
}

/// A place: one of the rider's usual places by kind, or an address with its position.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct PlaceRefDto {
    #[serde(default)]
    place: Option<String>,
    #[serde(default)]
    address: Option<String>,
    #[serde(default)]
    lon: Option<f64>,
    #[serde(default)]
    lat: Option<f64>,
}

impl From<PlaceRefDto> for PlaceRef {
    fn from(d: PlaceRefDto) -> Self {
        PlaceRef {
            place: d.place,
            address: d.address,
            lon: d.lon,
            lat: d.lat,
        }
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RepeatDto {
    /// mon, tue, wed, thu, fri, sat, sun.
    weekdays: Vec<String>,
    #[serde(default)]
    until: Option<NaiveDate>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[schema(as = TransportBookingDto)]
#[serde(deny_unknown_fields)]
pub(crate) struct BookingDto {
    rider: String,
    date: NaiveDate,
    pickup: PlaceRefDto,
    dropoff: PlaceRefDto,
    /// `pickup_at` or `arrive_by`.
    timing: String,
    time: NaiveTime,
    /// A return trip picked up at the drop-off place at this time.
    #[serde(default)]
    return_time: Option<NaiveTime>,
    #[serde(default)]
    repeat: Option<RepeatDto>,
    /// Book although the policy refuses (expired or missing certificate, a suspension): for
    /// supervisors and admins only, recorded in the rider's history and audited.
    #[serde(default)]
    policy_override: bool,
}

impl From<BookingDto> for BookingRequest {
    fn from(d: BookingDto) -> Self {
        BookingRequest {
            rider: d.rider,
            date: d.date,
            pickup: d.pickup.into(),
            dropoff: d.dropoff.into(),
            timing: d.timing,
            time: d.time,
            return_time: d.return_time,
            repeat: d.repeat.map(|r| (r.weekdays, r.until)),
            override_by: None,
        }
    }
}

#[utoipa::path(
    post,
    path = "/api/v1/transport/bookings",
    tag = "transport",
    operation_id = "post_transport_booking",
    description = "Books a trip for a rider: one-off or recurring (`repeat`), optionally with a return. Checked at once: eligibility (a vehicle that can carry the rider), notice, and overlap with the rider's other trips (409); the rider's disability certificate on each day (409 `certificate_expired`, or `no_certificate` with `transport.policy.require_certificate`) and a suspension (409 `rider_suspended`), which a supervisor may book past with `policy_override` (recorded in the rider's history, audited). A trip on a day that already has a plan is inserted into it. With an `Idempotency-Key` header a repeat by the same caller answers 200 with the first booking's trips and books nothing. Roles: dispatcher, supervisor, admin.",
    params(("Idempotency-Key" = Option<String>, Header, description = "1-128 printable ASCII characters")),
    request_body = BookingDto,
    responses(
        (status = 201, description = "Booked", body = BookingAnswer, links(
            ("get_transport_booking" = (operation_id = "get_transport_booking", parameters(("id" = "$response.body#/trips/0/id")))),
            ("change_transport_booking" = (operation_id = "change_transport_booking", parameters(("id" = "$response.body#/trips/0/id")))),
            ("cancel_transport_booking" = (operation_id = "cancel_transport_booking", parameters(("id" = "$response.body#/trips/0/id"))))
        )),
        (status = 200, description = "A repeat of an Idempotency-Key: the first booking's trips", body = BookingAnswer),
        (status = 409, description = "The rider already has a live trip then (`reason`: `overlapping_trip`, the message names that trip), or the policy refuses (`reason`: `certificate_expired`, `no_certificate`, `rider_suspended`)", body = ErrorBody),
        BodyRefusals,
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn create(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    AppJson(dto): AppJson<BookingDto>,
) -> Result<(StatusCode, Json<BookingAnswer>)> {
    caller.require(DISPATCH)?;
    // Scoped by the caller: another dispatcher's key never answers this one's booking.
    let key = crate::web::extract::idempotency_key(&headers, "transport_booking", &caller.name)?;
    let policy_override = dto.policy_override;
    if policy_override && !matches!(caller.role, Role::Supervisor | Role::Admin) {
        return Err(Error::forbidden_because(
            "override_not_allowed",
            "only a supervisor may book against the eligibility policy",
        ));
    }
    let mut req: BookingRequest = dto.into();
    req.override_by = policy_override.then(|| caller.name.clone());
    let booked = bookings::book(ctx(&state), &caller.name, key, req).await?;
    if booked.overridden.is_some() {
        audit(&state, &caller, "transport_booking_policy_override").await?;
    }
    let status = if booked.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(booked.answer)))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct DateQuery {
    /// The service day, `YYYY-MM-DD`.
    date: NaiveDate,
}

#[utoipa::path(
    get,
    path = "/api/v1/transport/bookings",
    tag = "transport",
    operation_id = "list_transport_bookings",
    description = "Every trip of a day, cancelled ones included, with its promised pick-up once planned (personal data: the read is audited). Roles: dispatcher, supervisor, admin.",
    params(DateQuery),
    responses(
        (status = 200, body = crate::web::schemas::transport::BookingList),
        (status = 422, description = "`date` is missing or not a date", body = ErrorBody),
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn list(
    State(state): State<AppState>,
    caller: Caller,
    AppQuery(q): AppQuery<DateQuery>,
) -> Result<Json<BookingList>> {
    caller.require(DISPATCH)?;
    let trips = bookings::trips_on(&state.transport, q.date).await?;
    audit(&state, &caller, "view_bookings").await?;
    Ok(Json(BookingList {
        date: q.date,
        trips,
    }))
}

#[utoipa::path(
    get,
    path = "/api/v1/transport/bookings/{id}",
    tag = "transport",
    operation_id = "get_transport_booking",
    description = "One trip (personal data: the read is audited). Roles: dispatcher, supervisor, admin.",
    params(("id" = String, Path, description = "The trip id (`T-…`)")),
    responses(
        (status = 200, body = TripView),
        (status = 404, description = "No such trip", body = ErrorBody),
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn one(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(id): PathParam<String>,
) -> Result<Json<TripView>> {
    caller.require(DISPATCH)?;
    let trip = bookings::trip(&state.transport, &id).await?;
    audit(&state, &caller, "view_booking").await?;
    Ok(Json(trip))
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CancelDto {
    /// Cancel every later trip of the same recurring booking too.
    #[serde(default)]
    series: bool,
    /// Why: `rider_request`, `rider_ill`, `late_cancel`, `service_cancel`, `duplicate` or
    /// `other` (then `note` says what). Optional for older clients: the trip then records none.
    #[serde(default)]
    reason: Option<String>,
    /// Free text, required with `other` (1-300 characters).
    #[serde(default)]
    note: Option<String>,
}

impl CancelDto {
    /// The reason and note, checked: an unknown code or `other` without a note is a 422 naming
    /// the field.
    fn reason(&self) -> Result<Option<(CancelReason, Option<String>)>> {
        let Some(code) = &self.reason else {
            return Ok(None);
        };
        let reason = CancelReason::parse(code).ok_or_else(|| {
            Error::validation(
                "reason",
                "rider_request, rider_ill, late_cancel, service_cancel, duplicate or other",
            )
        })?;
        let note = super::shared::cancel_note(self.note.as_deref())?;
        if reason == CancelReason::Other && note.is_none() {
            return Err(Error::validation("note", "say why (required with other)"));
        }
        Ok(Some((reason, note)))
    }
}

#[utoipa::path(
    post,
    path = "/api/v1/transport/bookings/{id}/cancel",
    tag = "transport",
    operation_id = "cancel_transport_booking",
    description = "Cancels a trip until the cut-off, and with `\"series\": true` the later trips of its recurring booking still before theirs. `reason` (a code) and `note` (required with `other`) are stored on each trip cancelled. The body is optional. Roles: dispatcher, supervisor, admin.",
    params(("id" = String, Path, description = "The trip id (`T-…`)")),
    request_body(content = Option<CancelDto>, content_type = "application/json"),
    responses(
        (status = 200, body = crate::web::schemas::transport::CancelAnswer),
        (status = 404, description = "No such trip", body = ErrorBody),
        (status = 409, description = "Within the cut-off, or no longer booked", body = ErrorBody),
        BodyRefusals,
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn cancel(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(id): PathParam<String>,
    body: bytes::Bytes,
) -> Result<Json<CancelAnswer>> {
    caller.require(DISPATCH)?;
    let dto: CancelDto = if body.is_empty() {
        CancelDto::default()
    } else {
        crate::web::extract::parse(&body)?
    };
    let cancelled = match dto.reason()? {
        // An older client that gives no reason: the trip records none.
        None => bookings::cancel(ctx(&state), &caller.name, &id, dto.series).await?,
        reason => {
            bookings::cancel_because(ctx(&state), &caller.name, &id, dto.series, reason).await?
        }
    };
    Ok(Json(CancelAnswer { cancelled }))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ChangeDto {
    #[serde(default)]
    time: Option<NaiveTime>,
    #[serde(default)]
    timing: Option<String>,
    /// A new pick-up place: one of the rider's places, or an address with its position.
    #[serde(default)]
    pickup: Option<PlaceRefDto>,
    #[serde(default)]
    dropoff: Option<PlaceRefDto>,
}

#[utoipa::path(
    patch,
    path = "/api/v1/transport/bookings/{id}",
    tag = "transport",
    operation_id = "change_transport_booking",
    description = "Changes a trip's time, timing, pick-up or drop-off place until the cut-off (`transport.change_cutoff_minutes`); the trip is re-placed in the day's plan. Roles: dispatcher, supervisor, admin.",
    params(("id" = String, Path, description = "The trip id (`T-…`)")),
    request_body = ChangeDto,
    responses(
        (status = 200, description = "The changed trip", body = TripView),
        (status = 404, description = "No such trip", body = ErrorBody),
        (status = 409, description = "Within the cut-off, no longer booked, or overlapping another live trip of the rider (`reason`: `overlapping_trip`, the message names that trip)", body = ErrorBody),
        BodyRefusals,
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn change(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(id): PathParam<String>,
    AppJson(dto): AppJson<ChangeDto>,
) -> Result<Json<TripView>> {
    caller.require(DISPATCH)?;
    let places = (dto.pickup.map(Into::into), dto.dropoff.map(Into::into));
    let trip =
        bookings::change(ctx(&state), &caller.name, &id, dto.time, dto.timing, places).await?;
    Ok(Json(trip))
}
