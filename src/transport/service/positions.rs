//! A vehicle's GPS fix: stored with what the [`odometer`] rule makes of it, shown on the
//! dispatchers' map, checked against the next pick-up for the "arriving in about N minutes"
//! message, and against the plan (a late vehicle shifts its remaining stops, `super::delay`).

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use routing::travel::LonLat;

use super::handle::Ctx;
use super::{delay, driver, messages};
use crate::access::Caller;
use crate::core::Command;
use crate::domain::ResourceId;
use crate::error::{Error, Result};
use crate::store::{StoreError, TransportStore};
use crate::transport::model::{Fix, Trip, TripStatus, Vehicle};
use crate::transport::rules::{clock, engine, odometer};

impl dyn TransportStore {
    /// Stores a vehicle's last position and, in the same transaction, adds the fix to the
    /// vehicle's driven distance and time on `day` (its local date), as `odometer::step`
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

/// What a fix caused.
pub(crate) struct Fixed {
    pub vehicle_id: String,
    /// The trip an "arriving" SMS was queued for.
    pub arriving_notice: Option<String>,
    /// Minutes late when the fix shifted the vehicle's remaining stops.
    pub delay_minutes: Option<u32>,
}

/// The driver's vehicle is `here` now.
pub(crate) async fn position(ctx: Ctx<'_>, caller: &Caller, here: LonLat) -> Result<Fixed> {
    let vehicle = driver::own_vehicle(ctx.transport, caller).await?;
    let store = &ctx.transport.store;
    let now = Utc::now();
    let day = clock::local_date(ctx.zone(), now);
    store.put_position(&vehicle.id, here, now, day).await?;
    // The map shows it when the vehicle is a registered resource; otherwise only stored.
    let _ = ctx
        .core
        .execute(
            &caller.name,
            Command::MoveResource {
                resource_id: ResourceId(vehicle.id.clone()),
                position: here,
            },
        )
        .await;
    let arriving_notice = check_arriving(ctx, &vehicle, here).await?;
    let delay_minutes = delay::check(ctx, &vehicle, here, &caller.name).await?;
    Ok(Fixed {
        vehicle_id: vehicle.id,
        arriving_notice,
        delay_minutes,
    })
}
/// Queues "arriving in about N minutes" for the next pick-up of today when the vehicle is that
/// close; returns the trip it was queued for.
async fn check_arriving(ctx: Ctx<'_>, vehicle: &Vehicle, here: LonLat) -> Result<Option<String>> {
    let store = &ctx.transport.store;
    let (today, now_s) = ctx.local_now();
    let Some(plan) = store.plan(today).await? else {
        return Ok(None);
    };
    let Some(route) = plan.routes.iter().find(|r| r.vehicle_id == vehicle.id) else {
        return Ok(None);
    };
    let trips: HashMap<String, Trip> = store
        .trips_on(today)
        .await?
        .into_iter()
        .map(|t| (t.id.clone(), t))
        .collect();
    // The next stop not yet done; only a pick-up gets a notice.
    let next = route.stops.iter().find(|s| {
        trips.get(&s.trip_id).is_some_and(|t| match t.status {
            TripStatus::Booked | TripStatus::Arrived => true,
            TripStatus::PickedUp => !s.pickup,
            _ => false,
        })
    });
    let Some(stop) = next.filter(|s| s.pickup) else {
        return Ok(None);
    };
    let Some(trip) = trips
        .get(&stop.trip_id)
        .filter(|t| t.status == TripStatus::Booked)
    else {
        return Ok(None);
    };
    let network = ctx.network();
    let target = trip.pickup.position;
    let depart = now_s as u32;
    let seconds = tokio::task::spawn_blocking(move || {
        let source = engine::travel_source(network);
        source.matrix(&[here, target], depart).seconds(0, 1)
    })
    .await
    .map_err(|e| Error::Internal(anyhow::anyhow!("travel time task: {e}")))?;
    let limit = ctx.config.transport.arriving_minutes * 60.0;
    if !seconds.is_finite() || seconds > limit {
        return Ok(None);
    }
    let Some(rider) = store.rider(&trip.rider_id).await? else {
        return Ok(None);
    };
    let minutes = (seconds / 60.0).ceil() as u32;
    let msg = messages::arriving(&ctx.transport.templates, trip, &rider, &vehicle.id, minutes);
    ctx.transport
        .sms
        .enqueue(&msg.into_iter().collect::<Vec<_>>())
        .await?;
    Ok(Some(trip.id.clone()))
}
