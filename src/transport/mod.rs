//! Adapted transport: riders, vehicles and shifts, bookings (recurring, with cut-off rules), the
//! day plan, same-day changes, the driver tablet's actions and positions, and reports.
//!
//! - [`model`]: the vocabulary (plain data, stored as JSON documents).
//! - [`engine`]: trips to the dial-a-ride scheduler and back (no I/O).
//! - [`riders`]: `/api/v1/transport/riders` and vehicles.
//! - [`bookings`]: `/api/v1/transport/bookings`: booking, recurrence, eligibility, conflicts,
//!   cancellation and change under the cut-off rule.
//! - [`planning`]: the day plan (`dispecer plan` and `/api/v1/transport/plans/{date}`), moving a
//!   trip by hand, same-day insertion and removal.
//! - [`driver`]: the tablet's manifest, actions (exactly once by client action id) and GPS.
//! - [`odometer`]: driven kilometres and hours per vehicle and day from the GPS fixes.
//! - [`positions`]: a GPS fix stored with what the odometer makes of it.
//! - [`live`]: each change as a `transport_changed` event through the core (pushed live).
//! - [`delay`]: a late vehicle shifts its remaining stops; trips it can no longer serve in their
//!   window move to another vehicle or become a queue item.
//! - [`messages`]: which rider SMS each step causes, through [`crate::sms::Sms::enqueue`].
//! - [`reports`]: trips, on-time percentage, no-shows, km and hours per vehicle; CSV.
//! - [`demo`] and [`sim`]: synthetic riders and bookings; the simulated run of a planned day.

pub mod bookings;
pub mod delay;
pub mod demo;
pub mod driver;
pub mod engine;
pub mod live;
pub mod messages;
pub mod model;
pub mod odometer;
pub mod planning;
pub mod positions;
pub mod reports;
pub mod riders;
pub mod sim;

use std::sync::Arc;

use axum::Router;

use crate::config::{Templates, TransportConfig};
use crate::sms::Sms;
use crate::state::AppState;
use crate::store::TransportStore;
use routing::network::{
    NetworkWithFallback, ProfileId, ProfileSet, RoadNetwork, StraightLineFallback,
};
use routing::travel::TravelTimeSource;

/// What the transport handlers share: storage, the SMS choke point, the templates.
#[derive(Clone)]
pub struct Transport {
    pub store: Arc<dyn TransportStore>,
    pub sms: Sms,
    pub templates: Arc<Templates>,
    /// Serialises plan edits within this instance; the store's version check guards the rest.
    pub plan_lock: Arc<tokio::sync::Mutex<()>>,
}

impl Transport {
    pub fn new(
        store: Arc<dyn TransportStore>,
        sms: Sms,
        config: &TransportConfig,
    ) -> anyhow::Result<Self> {
        Ok(Self {
            store,
            sms,
            templates: Arc::new(Templates::load(&config.templates_file)?),
            plan_lock: Arc::new(tokio::sync::Mutex::new(())),
        })
    }
}

/// Travel times for the scheduler: the van profile on the road network when it has loaded, the
/// measured straight-line fallback otherwise (tests, or the first minute after start-up).
pub fn travel_source(network: Option<Arc<RoadNetwork>>) -> Box<dyn TravelTimeSource> {
    match network {
        Some(net) => Box::new(NetworkWithFallback::new(net, ProfileId::Van)),
        None => {
            let tod = ProfileSet::builtin().map(|p| p.time_of_day).unwrap_or(
                routing::network::TimeOfDay {
                    factors: vec![1.0; 24],
                },
            );
            Box::new(StraightLineFallback::measured(tod))
        }
    }
}

/// The local date and second of the day now.
pub fn local_now(state: &AppState) -> (chrono::NaiveDate, f64) {
    let zone = state
        .config
        .queue
        .zone()
        .unwrap_or(chrono_tz::Europe::Bucharest);
    let now = chrono::Utc::now().with_timezone(&zone);
    (now.date_naive(), engine::seconds_of(now.time()))
}

/// The local date of an instant (the service day it belongs to).
pub fn local_date(state: &AppState, at: chrono::DateTime<chrono::Utc>) -> chrono::NaiveDate {
    let zone = state
        .config
        .queue
        .zone()
        .unwrap_or(chrono_tz::Europe::Bucharest);
    at.with_timezone(&zone).date_naive()
}

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(riders::router())
        .merge(bookings::router())
        .merge(planning::router())
        .merge(driver::router())
        .merge(reports::router())
}
