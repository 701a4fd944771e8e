//! Shapes of the adapted-transport answers that handlers build with `json!` (`src/transport/`),
//! described for the document. Never constructed: schemathesis checks the running service's
//! answers against them (`scripts/schemathesis`).

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::transport::bookings::TripView;
use crate::transport::model::{ActionRecord, Mobility, Rider, TripStatus, Unserved, Vehicle};

/// Every registered rider (personal data: the read is audited).
#[derive(Serialize, ToSchema)]
pub struct RiderList {
    pub riders: Vec<Rider>,
}

/// The fleet.
#[derive(Serialize, ToSchema)]
pub struct VehicleList {
    pub vehicles: Vec<Vehicle>,
}

/// Every trip of a day, cancelled ones included, in booking order.
#[derive(Serialize, ToSchema)]
pub struct BookingList {
    pub date: NaiveDate,
    pub trips: Vec<TripView>,
}

/// The trips a cancellation took out (one, or the rest of its series).
#[derive(Serialize, ToSchema)]
pub struct CancelAnswer {
    pub cancelled: Vec<String>,
}

/// One stop of a planned route, without personal data.
#[derive(Serialize, ToSchema)]
pub struct StopSummary {
    pub trip_id: String,
    /// `true` for the pick-up, `false` for the drop-off.
    pub pickup: bool,
    /// Planned start of service, `HH:MM` local.
    pub time: String,
}

#[derive(Serialize, ToSchema)]
pub struct RouteSummary {
    pub vehicle_id: String,
    pub km: f64,
    /// Minutes the vehicle runs behind what its riders were promised (0 when on time).
    pub delay_minutes: u32,
    pub stops: Vec<StopSummary>,
}

/// A day plan without personal data: routes with trip ids and times, unserved trips with
/// reasons.
#[derive(Serialize, ToSchema)]
pub struct PlanSummary {
    pub date: NaiveDate,
    /// Bumped at every change; the tablet and the console compare it.
    pub version: i64,
    pub computed_at: DateTime<Utc>,
    pub solve_ms: u64,
    /// The independent checker found nothing.
    pub feasible: bool,
    pub problems: Vec<String>,
    /// Trips placed by hand, kept on their vehicle.
    pub pinned: Vec<String>,
    pub unserved: Vec<Unserved>,
    pub routes: Vec<RouteSummary>,
}

/// A computed plan and the solver's progress lines.
#[derive(Serialize, ToSchema)]
pub struct ComputedPlan {
    pub plan: PlanSummary,
    pub progress: Vec<String>,
}

/// The plan after a trip was moved by hand.
#[derive(Serialize, ToSchema)]
pub struct MovedPlan {
    pub plan: PlanSummary,
}

/// One stop of a manifest: what a driver needs (personal data).
#[derive(Serialize, ToSchema)]
pub struct ManifestStop {
    pub trip_id: String,
    pub pickup: bool,
    /// `HH:MM` local.
    pub time: String,
    pub address: String,
    pub lon: f64,
    pub lat: f64,
    /// The rider's name; `null` if the rider was removed.
    pub rider: Option<String>,
    pub mobility: Option<Mobility>,
    pub door_assistance: bool,
    pub companion: bool,
    pub notes: String,
    /// The number to call: the rider's, else the carer's.
    pub phone: Option<String>,
    pub status: TripStatus,
    /// This stop needs nothing more.
    pub done: bool,
}

#[derive(Serialize, ToSchema)]
pub struct VehicleManifest {
    pub vehicle_id: String,
    pub stops: Vec<ManifestStop>,
}

/// A trip the plan could not serve, as the dispatcher sees it.
#[derive(Serialize, ToSchema)]
pub struct UnservedView {
    pub trip_id: String,
    pub reason: String,
    /// The rider's name.
    pub rider: Option<String>,
    /// The requested time, `HH:MM`.
    pub time: Option<String>,
}

/// The plan of a day with each vehicle's manifest (personal data: the read is audited).
#[derive(Serialize, ToSchema)]
pub struct PlanView {
    pub date: NaiveDate,
    pub version: i64,
    pub computed_at: DateTime<Utc>,
    pub solve_ms: u64,
    pub feasible: bool,
    pub problems: Vec<String>,
    pub pinned: Vec<String>,
    pub unserved: Vec<UnservedView>,
    pub routes: Vec<RouteSummary>,
    pub manifests: Vec<VehicleManifest>,
}

/// A vehicle's manifest for one day: `date` is `null` and `stops` empty when it has no work.
#[derive(Serialize, ToSchema)]
pub struct Manifest {
    pub vehicle_id: String,
    pub date: Option<NaiveDate>,
    /// Absent when there is no plan.
    pub plan_version: Option<i64>,
    pub stops: Vec<ManifestStop>,
}

/// A recorded driver action; `replay` is true when the action id was already recorded (then
/// nothing changed and `action` is the first record).
#[derive(Serialize, ToSchema)]
pub struct ActionAnswer {
    pub action: ActionRecord,
    pub replay: bool,
    /// The trip's status after a new action.
    pub trip_status: Option<TripStatus>,
}

/// A stored GPS fix.
#[derive(Serialize, ToSchema)]
pub struct PositionAnswer {
    pub vehicle_id: String,
    /// The trip an "arriving in about N minutes" SMS was queued for, if this fix caused one.
    pub arriving_notice: Option<String>,
    /// Minutes late when this fix shifted the vehicle's remaining stops (a `delay` transport
    /// change); absent or null otherwise.
    pub delay_minutes: Option<u32>,
}

/// Reminders queued for a day.
#[derive(Serialize, ToSchema)]
pub struct RemindersAnswer {
    pub date: NaiveDate,
    /// New messages in the outbox (repeats are not counted).
    pub queued: usize,
}
