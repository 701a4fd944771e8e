//! Bookings: one-off or recurring trips, with a return, checked at booking time (eligibility,
//! notice, overlapping trips of the same rider); cancellation and change until the cut-off. A
//! booking for a day that already has a plan is inserted into it at once.

use chrono::{Duration, NaiveDate, NaiveTime, Utc};

use super::handle::{Ctx, Transport};
use super::plan_edit;
use crate::domain::parse;
use crate::error::{Error, Result};
use crate::events::TransportReason;
use crate::transport::model::{
    BookingKey, CancelReason, Cancellation, Rider, Spot, TimingKind, Trip, TripStatus,
};
use crate::transport::rules::booking;
use crate::transport::rules::clock::trip_instant;
use crate::transport::rules::view::{view, BookingAnswer, TripView};

/// A place as asked for: one of the rider's usual places by kind, or an address with its
/// position.
#[derive(Debug, Default)]
pub(crate) struct PlaceRef {
    pub place: Option<String>,
    pub address: Option<String>,
    pub lon: Option<f64>,
    pub lat: Option<f64>,
}

impl PlaceRef {
    fn parse(self, field: &str, rider: &Rider) -> Result<Spot> {
        if let Some(kind) = self.place {
            let found = rider.places.iter().find(|p| {
                serde_json::to_value(p.kind).ok() == Some(serde_json::Value::String(kind.clone()))
            });
            return found.map(|p| p.spot.clone()).ok_or_else(|| {
                Error::validation(format!("{field}.place"), "the rider has no such place")
            });
        }
        match (self.address, self.lon, self.lat) {
            (Some(address), Some(lon), Some(lat)) => booking::spot(field, &address, lon, lat),
            _ => Err(Error::validation(
                field,
                "needs place (home, day_centre, ...) or address, lon and lat",
            )),
        }
    }
}

/// A booking as asked for, checked by [`book`] in the order the answers name the fields.
#[derive(Debug)]
pub(crate) struct BookingRequest {
    pub rider: String,
    pub date: NaiveDate,
    pub pickup: PlaceRef,
    pub dropoff: PlaceRef,
    pub timing: String,
    pub time: NaiveTime,
    pub return_time: Option<NaiveTime>,
    /// The weekdays (`mon` ... `sun`) and the last day of a recurring booking.
    pub repeat: Option<(Vec<String>, Option<NaiveDate>)>,
    /// The supervisor who books against the policy (expired or missing certificate, a
    /// suspension): recorded in the rider's history (the HTTP face checks the role and audits).
    pub override_by: Option<String>,
}

/// What booking did: `created` is false when an idempotency key answered the first booking.
pub(crate) struct Booked {
    pub created: bool,
    /// The policy refusal a supervisor's override went past (`certificate_expired`...).
    pub overridden: Option<&'static str>,
    pub answer: BookingAnswer,
}

/// The answer to a repeat of an idempotency key: the first booking's trips as they are now.
async fn repeat(transport: &Transport, booking: BookingKey) -> Result<Booked> {
    let mut trips = Vec::new();
    for id in &booking.trip_ids {
        let trip = load_trip(transport, id).await?;
        let plan = transport.store.plan(trip.date).await?;
        trips.push(view(trip, plan.as_ref()));
    }
    Ok(Booked {
        created: false,
        overridden: None,
        answer: BookingAnswer {
            series_id: booking.series_id,
            trips,
        },
    })
}

/// Books the trips of a request for `actor`; with an idempotency `key`, a repeat answers the
/// first booking's trips and books nothing.
pub(crate) async fn book(
    ctx: Ctx<'_>,
    actor: &str,
    key: Option<String>,
    req: BookingRequest,
) -> Result<Booked> {
    let transport = ctx.transport;
    let store = &transport.store;
    if let Some(k) = &key {
        if let Some(first) = store.booking_key(k).await? {
            return repeat(transport, first).await;
        }
    }
    let config = &ctx.config.transport;
    let rider_id = parse::identifier("rider", &req.rider, 32)?;
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
    let timing = booking::timing(&req.timing)?;
    let pickup = req.pickup.parse("pickup", &rider)?;
    let dropoff = req.dropoff.parse("dropoff", &rider)?;
    if let Some(r) = req.return_time {
        if r <= req.time {
            return Err(Error::validation("return_time", "must be after time"));
        }
    }
    let now = Utc::now();
    let notice = Duration::minutes(config.min_notice_minutes);
    if trip_instant(ctx.zone(), req.date, req.time) < now + notice {
        return Err(Error::validation(
            "time",
            format!(
                "trips must be booked at least {} minutes ahead",
                config.min_notice_minutes
            ),
        ));
    }
    let (dates, series_id) = match req.repeat {
        None => (vec![req.date], None),
        Some((weekdays, until)) => (
            booking::repeat_dates(req.date, &weekdays, until, config.recurrence_weeks)?,
            Some(format!("S-{}", uuid::Uuid::now_v7().simple())),
        ),
    };
    // Eligibility: the certificate on each day, a suspension (409 with its reason).
    let overridden =
        super::policy::check_booking(ctx, &rider, &dates, req.override_by.as_deref()).await?;
    let mut trips = Vec::new();
    for date in &dates {
        let mut legs = vec![(false, pickup.clone(), dropoff.clone(), timing, req.time)];
        if let Some(r) = req.return_time {
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
                booked_by: actor.to_owned(),
                booked_at: now,
                arrived_at: None,
                picked_up_at: None,
                dropped_off_at: None,
                no_show_reason: None,
                cancellation: None,
                sms_answer: None,
                kind: crate::transport::model::TripKind::Trip,
                run: None,
            });
        }
    }
    // No two overlapping trips for one rider (the new ones included). Checked and stored under
    // the booking lock, so two bookings racing for one rider cannot both pass the check.
    let _booking = transport.booking_lock.lock().await;
    for (i, t) in trips.iter().enumerate() {
        for other in &trips[..i] {
            if other.date == t.date && booking::overlap(t, other, config) {
                return Err(Error::validation(
                    "return_time",
                    "the return overlaps the outbound trip",
                ));
            }
        }
        for other in store.rider_trips_on(&rider.id, t.date).await? {
            // A meal delivered to the rider's home is not a ride: it overlaps nothing.
            if other.status.is_live()
                && !other.kind.is_goods()
                && booking::overlap(t, &other, config)
            {
                return Err(overlapping(&other));
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
                return repeat(transport, first).await;
            }
        }
        None => store.insert_trips(&trips).await?,
    }
    drop(_booking);
    let mut views = Vec::new();
    for t in trips {
        let reason = TransportReason::Booking;
        views.push(plan_edit::place_new_trip(ctx, t, actor, reason).await?);
    }
    Ok(Booked {
        created: true,
        overridden,
        answer: BookingAnswer {
            series_id,
            trips: views,
        },
    })
}

/// The 409 of a booking or change that overlaps another live trip of the rider: names that trip.
fn overlapping(other: &Trip) -> Error {
    Error::conflict_because(
        "overlapping_trip",
        format!(
            "the rider already has trip {} on {} at {}",
            other.id,
            other.date,
            other.time.format("%H:%M")
        ),
    )
}

async fn load_trip(transport: &Transport, id: &str) -> Result<Trip> {
    transport
        .store
        .trip(id)
        .await?
        .ok_or_else(|| Error::NotFound("trip".into()))
}

/// Every trip of a day with what its plan says of it.
pub(crate) async fn trips_on(transport: &Transport, date: NaiveDate) -> Result<Vec<TripView>> {
    let trips = transport.store.trips_on(date).await?;
    let plan = transport.store.plan(date).await?;
    Ok(trips.into_iter().map(|t| view(t, plan.as_ref())).collect())
}

/// One trip (404 without it) with what its plan says of it.
pub(crate) async fn trip(transport: &Transport, id: &str) -> Result<TripView> {
    let trip = load_trip(transport, id).await?;
    let plan = transport.store.plan(trip.date).await?;
    Ok(view(trip, plan.as_ref()))
}

/// Cancels a trip until the cut-off, and with `series` the later trips of its recurring
/// booking still before theirs; returns the ids cancelled.
pub(crate) async fn cancel(
    ctx: Ctx<'_>,
    actor: &str,
    id: &str,
    series: bool,
) -> Result<Vec<String>> {
    cancel_because(ctx, actor, id, series, None).await
}

/// [`cancel`] recording why (`reason`, with a note for `other`) on each trip it cancels.
pub(crate) async fn cancel_because(
    ctx: Ctx<'_>,
    actor: &str,
    id: &str,
    series: bool,
    reason: Option<(CancelReason, Option<String>)>,
) -> Result<Vec<String>> {
    let (transport, config, zone) = (ctx.transport, &ctx.config.transport, ctx.zone());
    let trip = load_trip(transport, id).await?;
    booking::before_cutoff(zone, config, &trip)?;
    let mut targets = vec![trip.clone()];
    if let (true, Some(series)) = (series, &trip.series_id) {
        for t in transport.store.series_trips(series).await? {
            if t.id != trip.id
                && t.date >= trip.date
                && booking::before_cutoff(zone, config, &t).is_ok()
            {
                targets.push(t);
            }
        }
    }
    let now = Utc::now();
    for t in &mut targets {
        t.status = TripStatus::Cancelled;
        t.cancellation = reason.as_ref().map(|(code, note)| Cancellation {
            reason: *code,
            note: note.clone(),
            by: actor.to_owned(),
            at: now,
        });
    }
    // Every target was read booked (`before_cutoff`): a driver's action in between wins.
    transport
        .store
        .update_trips(&targets, TripStatus::Booked)
        .await?;
    // Late before the pick-up counts against the rider, whatever the reason code.
    super::policy::after_cancel(ctx, &targets, actor, Utc::now()).await?;
    for t in &targets {
        let reason = TransportReason::Cancellation;
        plan_edit::remove_trip(ctx, t.date, &t.id, actor, reason).await?;
    }
    Ok(targets.into_iter().map(|t| t.id).collect())
}

/// Changes a trip's time, timing or places (pick-up, drop-off) until the cut-off and re-places it in the day's plan.
pub(crate) async fn change(
    ctx: Ctx<'_>,
    actor: &str,
    id: &str,
    time: Option<NaiveTime>,
    timing: Option<String>,
    places: (Option<PlaceRef>, Option<PlaceRef>),
) -> Result<TripView> {
    let (transport, config, zone) = (ctx.transport, &ctx.config.transport, ctx.zone());
    let mut trip = load_trip(transport, id).await?;
    booking::before_cutoff(zone, config, &trip)?;
    if let Some(t) = time {
        trip.time = t;
    }
    if let Some(k) = timing {
        trip.timing = booking::timing(&k)?;
    }
    if places.0.is_some() || places.1.is_some() {
        let rider = transport
            .store
            .rider(&trip.rider_id)
            .await?
            .ok_or_else(|| Error::conflict_because("rider_unknown", "rider not registered"))?;
        if let Some(p) = places.0 {
            trip.pickup = p.parse("pickup", &rider)?;
        }
        if let Some(p) = places.1 {
            trip.dropoff = p.parse("dropoff", &rider)?;
        }
    }
    booking::before_cutoff(zone, config, &trip)
        .map_err(|_| Error::validation("time", "the new time is within the cut-off"))?;
    let booking_guard = transport.booking_lock.lock().await;
    for other in transport
        .store
        .rider_trips_on(&trip.rider_id, trip.date)
        .await?
    {
        if other.id != trip.id
            && other.status.is_live()
            && !other.kind.is_goods()
            && booking::overlap(&trip, &other, config)
        {
            return Err(overlapping(&other));
        }
    }
    transport
        .store
        .update_trips(std::slice::from_ref(&trip), TripStatus::Booked)
        .await?;
    drop(booking_guard);
    let reason = TransportReason::Change;
    plan_edit::remove_trip(ctx, trip.date, &trip.id, actor, reason).await?;
    plan_edit::place_new_trip(ctx, trip, actor, reason).await
}
