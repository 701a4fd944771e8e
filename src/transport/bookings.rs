//! Bookings over HTTP: one-off or recurring trips, with a return, checked at booking time
//! (eligibility, notice, overlapping trips of the same rider); cancellation and change until the
//! cut-off. A booking for a day that already has a plan is inserted into it at once.

use std::collections::HashSet;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::model::{clock, BookingKey, Rider, Spot, TimingKind, Trip, TripStatus};
use super::planning;
use super::riders::SpotDto;
use crate::access::{Caller, DISPATCH};
use crate::config::TransportConfig;
use crate::domain::parse;
use crate::error::{Error, Result};
use crate::events::TransportReason;
use crate::state::AppState;
use crate::web::extract::{AppJson, AppQuery, PathParam};
use crate::web::schemas::common::{BodyRefusals, ErrorBody, Refusals};
use routing::network::haversine_m;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/transport/bookings", get(list).post(create))
        .route("/api/v1/transport/bookings/{id}", get(one).patch(change))
        .route("/api/v1/transport/bookings/{id}/cancel", post(cancel))
}

/// A place: one of the rider's usual places by kind, or an address with its position.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlaceRefDto {
    #[serde(default)]
    pub place: Option<String>,
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub lon: Option<f64>,
    #[serde(default)]
    pub lat: Option<f64>,
}

impl PlaceRefDto {
    fn parse(self, field: &str, rider: &Rider) -> Result<Spot> {
        if let Some(kind) = self.place {
            let found = rider
                .places
                .iter()
                .find(|p| serde_json::to_value(p.kind).ok() == Some(Value::String(kind.clone())));
            return found.map(|p| p.spot.clone()).ok_or_else(|| {
                Error::validation(format!("{field}.place"), "the rider has no such place")
            });
        }
        match (self.address, self.lon, self.lat) {
            (Some(address), Some(lon), Some(lat)) => SpotDto { address, lon, lat }.parse(field),
            _ => Err(Error::validation(
                field,
                "needs place (home, day_centre, ...) or address, lon and lat",
            )),
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
pub struct BookingDto {
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
}

fn weekday(s: &str) -> Option<Weekday> {
    Some(match s {
        "mon" => Weekday::Mon,
        "tue" => Weekday::Tue,
        "wed" => Weekday::Wed,
        "thu" => Weekday::Thu,
        "fri" => Weekday::Fri,
        "sat" => Weekday::Sat,
        "sun" => Weekday::Sun,
        _ => return None,
    })
}

/// When a trip happens, in UTC.
pub fn trip_instant(state: &AppState, date: NaiveDate, time: NaiveTime) -> chrono::DateTime<Utc> {
    let zone = state
        .config
        .queue
        .zone()
        .unwrap_or(chrono_tz::Europe::Bucharest);
    zone.from_local_datetime(&date.and_time(time))
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| Utc.from_utc_datetime(&date.and_time(time)))
}

/// The stretch of the day a trip may occupy the rider (window plus a straight-line estimate
/// of the ride), in seconds after midnight: two trips of one rider must not overlap.
fn span(trip: &Trip, config: &TransportConfig) -> (f64, f64) {
    let width = f64::from(config.window_minutes) * 60.0;
    let ride = haversine_m(trip.pickup.position, trip.dropoff.position) * 1.4 / (30.0 / 3.6);
    let t = super::engine::seconds_of(trip.time);
    match trip.timing {
        TimingKind::PickupAt => (t, t + width + ride),
        TimingKind::ArriveBy => (t - width - ride, t),
    }
}

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
pub struct BookingAnswer {
    /// Set for a recurring booking: `POST .../cancel` with `"series": true` cancels them all.
    pub series_id: Option<String>,
    pub trips: Vec<TripView>,
}

/// The answer to a repeat of an idempotency key: the first booking's trips as they are now.
async fn repeat(
    state: &AppState,
    booking: BookingKey,
) -> Result<(StatusCode, Json<BookingAnswer>)> {
    let mut trips = Vec::new();
    for id in &booking.trip_ids {
        let trip = load_trip(state, id).await?;
        let plan = state.transport.store.plan(trip.date).await?;
        trips.push(view(trip, plan.as_ref()));
    }
    Ok((
        StatusCode::OK,
        Json(BookingAnswer {
            series_id: booking.series_id,
            trips,
        }),
    ))
}

#[utoipa::path(
    post,
    path = "/api/v1/transport/bookings",
    tag = "transport",
    operation_id = "post_transport_booking",
    description = "Books a trip for a rider: one-off or recurring (`repeat`), optionally with a return. Checked at once: eligibility (a vehicle that can carry the rider), notice, and overlap with the rider's other trips (409). A trip on a day that already has a plan is inserted into it. With an `Idempotency-Key` header a repeat by the same caller answers 200 with the first booking's trips and books nothing. Roles: dispatcher, supervisor, admin.",
    params(("Idempotency-Key" = Option<String>, Header, description = "1-128 printable ASCII characters")),
    request_body = BookingDto,
    responses(
        (status = 201, description = "Booked", body = BookingAnswer, links(
            ("get_transport_booking" = (operation_id = "get_transport_booking", parameters(("id" = "$response.body#/trips/0/id")))),
            ("change_transport_booking" = (operation_id = "change_transport_booking", parameters(("id" = "$response.body#/trips/0/id")))),
            ("cancel_transport_booking" = (operation_id = "cancel_transport_booking", parameters(("id" = "$response.body#/trips/0/id"))))
        )),
        (status = 200, description = "A repeat of an Idempotency-Key: the first booking's trips", body = BookingAnswer),
        (status = 409, description = "The rider already has a trip then", body = ErrorBody),
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
    if let Some(k) = &key {
        if let Some(first) = state.transport.store.booking_key(k).await? {
            return repeat(&state, first).await;
        }
    }
    let config = &state.config.transport;
    let store = &state.transport.store;
    let rider_id = parse::identifier("rider", &dto.rider, 32)?;
    let rider = store
        .rider(&rider_id)
        .await?
        .ok_or_else(|| Error::validation("rider", "no rider with this id"))?;
    let vehicles = store.vehicles().await?;
    if !vehicles.iter().any(|v| v.can_carry(rider.load())) {
        return Err(Error::validation(
            "rider",
            "no vehicle of the fleet can carry this rider",
        ));
    }
    let timing = match dto.timing.as_str() {
        "pickup_at" => TimingKind::PickupAt,
        "arrive_by" => TimingKind::ArriveBy,
        _ => return Err(Error::validation("timing", "pickup_at or arrive_by")),
    };
    let pickup = dto.pickup.parse("pickup", &rider)?;
    let dropoff = dto.dropoff.parse("dropoff", &rider)?;
    if let Some(r) = dto.return_time {
        if r <= dto.time {
            return Err(Error::validation("return_time", "must be after time"));
        }
    }
    let now = Utc::now();
    if trip_instant(&state, dto.date, dto.time) < now + Duration::minutes(config.min_notice_minutes)
    {
        return Err(Error::validation(
            "time",
            format!(
                "trips must be booked at least {} minutes ahead",
                config.min_notice_minutes
            ),
        ));
    }
    let horizon = dto.date + Duration::weeks(i64::from(config.recurrence_weeks));
    let (dates, series_id) = match dto.repeat {
        None => (vec![dto.date], None),
        Some(rep) => {
            let mut days = HashSet::new();
            for (i, d) in rep.weekdays.iter().enumerate() {
                days.insert(weekday(d).ok_or_else(|| {
                    Error::validation(format!("repeat.weekdays[{i}]"), "mon, tue, ... sun")
                })?);
            }
            if days.is_empty() {
                return Err(Error::validation("repeat.weekdays", "is empty"));
            }
            let until = rep.until.unwrap_or(horizon).min(horizon);
            if until < dto.date {
                return Err(Error::validation("repeat.until", "is before date"));
            }
            let dates: Vec<NaiveDate> = dto
                .date
                .iter_days()
                .take_while(|d| *d <= until)
                .filter(|d| days.contains(&d.weekday()))
                .collect();
            if dates.is_empty() {
                return Err(Error::validation("repeat.weekdays", "no day in the range"));
            }
            (dates, Some(format!("S-{}", uuid::Uuid::now_v7().simple())))
        }
    };
    let mut trips = Vec::new();
    for date in &dates {
        let mut legs = vec![(false, pickup.clone(), dropoff.clone(), timing, dto.time)];
        if let Some(r) = dto.return_time {
            legs.push((
                true,
                dropoff.clone(),
                pickup.clone(),
                TimingKind::PickupAt,
                r,
            ));
        }
        for (is_return, from, to, timing, time) in legs {
            trips.push(Trip {
                id: format!("T-{}", uuid::Uuid::now_v7().simple()),
                rider_id: rider.id.clone(),
                date: *date,
                series_id: series_id.clone(),
                is_return,
                pickup: from,
                dropoff: to,
                timing,
                time,
                status: TripStatus::Booked,
                booked_by: caller.name.clone(),
                booked_at: now,
                arrived_at: None,
                picked_up_at: None,
                dropped_off_at: None,
                no_show_reason: None,
            });
        }
    }
    // No two overlapping trips for one rider (the new ones included).
    for (i, t) in trips.iter().enumerate() {
        let (a0, a1) = span(t, config);
        for other in &trips[..i] {
            let (b0, b1) = span(other, config);
            if other.date == t.date && a0 < b1 && b0 < a1 {
                return Err(Error::validation(
                    "return_time",
                    "the return overlaps the outbound trip",
                ));
            }
        }
        for other in store.rider_trips_on(&rider.id, t.date).await? {
            let (b0, b1) = span(&other, config);
            if other.status.is_live() && a0 < b1 && b0 < a1 {
                return Err(Error::Conflict(format!(
                    "the rider already has trip {} on {} at {}",
                    other.id,
                    other.date,
                    other.time.format("%H:%M")
                )));
            }
        }
    }
    match &key {
        Some(k) => {
            let booking = BookingKey {
                series_id: series_id.clone(),
                trip_ids: trips.iter().map(|t| t.id.clone()).collect(),
            };
            // A repeat that raced this one stored its trips first: answer those.
            if let Some(first) = store.insert_keyed_trips(k, &booking, &trips).await? {
                return repeat(&state, first).await;
            }
        }
        None => store.insert_trips(&trips).await?,
    }
    let mut views = Vec::new();
    for t in trips {
        views.push(
            planning::place_new_trip(&state, t, &caller.name, TransportReason::Booking).await?,
        );
    }
    Ok((
        StatusCode::CREATED,
        Json(BookingAnswer {
            series_id,
            trips: views,
        }),
    ))
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
) -> Result<Json<Value>> {
    caller.require(DISPATCH)?;
    let trips = state.transport.store.trips_on(q.date).await?;
    let plan = state.transport.store.plan(q.date).await?;
    super::riders::audit(&state, &caller, "view_bookings").await?;
    let views: Vec<TripView> = trips.into_iter().map(|t| view(t, plan.as_ref())).collect();
    Ok(Json(json!({ "date": q.date, "trips": views })))
}

pub fn view(trip: Trip, plan: Option<&super::model::DayPlan>) -> TripView {
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

async fn load_trip(state: &AppState, id: &str) -> Result<Trip> {
    state
        .transport
        .store
        .trip(id)
        .await?
        .ok_or_else(|| Error::NotFound("trip".into()))
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
    let trip = load_trip(&state, &id).await?;
    let plan = state.transport.store.plan(trip.date).await?;
    super::riders::audit(&state, &caller, "view_booking").await?;
    Ok(Json(view(trip, plan.as_ref())))
}

fn before_cutoff(state: &AppState, trip: &Trip) -> Result<()> {
    let cutoff = Duration::minutes(state.config.transport.change_cutoff_minutes);
    if trip_instant(state, trip.date, trip.time) - cutoff < Utc::now() {
        return Err(Error::Conflict(format!(
            "trip {} is less than {} minutes away: call the driver",
            trip.id, state.config.transport.change_cutoff_minutes
        )));
    }
    if trip.status != TripStatus::Booked {
        return Err(Error::Conflict(format!(
            "trip {} is {}",
            trip.id,
            trip.status.as_str()
        )));
    }
    Ok(())
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CancelDto {
    /// Cancel every later trip of the same recurring booking too.
    #[serde(default)]
    series: bool,
}

#[utoipa::path(
    post,
    path = "/api/v1/transport/bookings/{id}/cancel",
    tag = "transport",
    operation_id = "cancel_transport_booking",
    description = "Cancels a trip until the cut-off, and with `\"series\": true` the later trips of its recurring booking still before theirs. The body is optional. Roles: dispatcher, supervisor, admin.",
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
) -> Result<Json<Value>> {
    caller.require(DISPATCH)?;
    let dto: CancelDto = if body.is_empty() {
        CancelDto::default()
    } else {
        crate::web::extract::parse(&body)?
    };
    let trip = load_trip(&state, &id).await?;
    before_cutoff(&state, &trip)?;
    let mut targets = vec![trip.clone()];
    if let (true, Some(series)) = (dto.series, &trip.series_id) {
        for t in state.transport.store.series_trips(series).await? {
            if t.id != trip.id && t.date >= trip.date && before_cutoff(&state, &t).is_ok() {
                targets.push(t);
            }
        }
    }
    for t in &mut targets {
        t.status = TripStatus::Cancelled;
    }
    state.transport.store.update_trips(&targets).await?;
    for t in &targets {
        planning::remove_trip(
            &state,
            t.date,
            &t.id,
            &caller.name,
            TransportReason::Cancellation,
        )
        .await?;
    }
    let ids: Vec<&str> = targets.iter().map(|t| t.id.as_str()).collect();
    Ok(Json(json!({ "cancelled": ids })))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ChangeDto {
    #[serde(default)]
    time: Option<NaiveTime>,
    #[serde(default)]
    timing: Option<String>,
}

#[utoipa::path(
    patch,
    path = "/api/v1/transport/bookings/{id}",
    tag = "transport",
    operation_id = "change_transport_booking",
    description = "Changes a trip's time or timing until the cut-off (`transport.change_cutoff_minutes`); the trip is re-placed in the day's plan. Roles: dispatcher, supervisor, admin.",
    params(("id" = String, Path, description = "The trip id (`T-…`)")),
    request_body = ChangeDto,
    responses(
        (status = 200, description = "The changed trip", body = TripView),
        (status = 404, description = "No such trip", body = ErrorBody),
        (status = 409, description = "Within the cut-off, no longer booked, or overlapping another trip of the rider", body = ErrorBody),
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
    let mut trip = load_trip(&state, &id).await?;
    before_cutoff(&state, &trip)?;
    if let Some(t) = dto.time {
        trip.time = t;
    }
    if let Some(k) = dto.timing {
        trip.timing = match k.as_str() {
            "pickup_at" => TimingKind::PickupAt,
            "arrive_by" => TimingKind::ArriveBy,
            _ => return Err(Error::validation("timing", "pickup_at or arrive_by")),
        };
    }
    before_cutoff(&state, &trip)
        .map_err(|_| Error::validation("time", "the new time is within the cut-off"))?;
    let config = &state.config.transport;
    let (a0, a1) = span(&trip, config);
    for other in state
        .transport
        .store
        .rider_trips_on(&trip.rider_id, trip.date)
        .await?
    {
        let (b0, b1) = span(&other, config);
        if other.id != trip.id && other.status.is_live() && a0 < b1 && b0 < a1 {
            return Err(Error::Conflict(format!(
                "the rider already has trip {} at {}",
                other.id,
                other.time.format("%H:%M")
            )));
        }
    }
    state
        .transport
        .store
        .update_trips(std::slice::from_ref(&trip))
        .await?;
    let reason = TransportReason::Change;
    planning::remove_trip(&state, trip.date, &trip.id, &caller.name, reason).await?;
    Ok(Json(
        planning::place_new_trip(&state, trip, &caller.name, reason).await?,
    ))
}
