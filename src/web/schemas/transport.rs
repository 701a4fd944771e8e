//! Shapes of the adapted-transport answers (`src/transport/http/`), described for the document
//! and sent as they are; schemathesis checks the running service's answers against them too
//! (`scripts/schemathesis`).

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Timelike, Utc};
use serde::ser::SerializeStruct;
use serde::Serialize;
use utoipa::ToSchema;

use crate::transport::model::{
    clock, ActionRecord, DayPlan, Mobility, Rider, TimingKind, Trip, TripKind, TripStatus,
    Unserved, Vehicle, VehicleRoute,
};
use crate::transport::rules::view::TripView;

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
    /// Minutes the planned time runs past what was promised (a pick-up moved by a delay) or
    /// past the trip's window (in the plan view); 0 when on time.
    pub late_minutes: u32,
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
    /// `trip` for a rider's trip; `meal` and `supply` stops are deliveries (the tablet offers
    /// "Livrat", and for a meal "Nu este acasă"), `shuttle` a day-centre shuttle's stop.
    pub kind: TripKind,
    /// Who or what a run's stop serves when no rider is named (a centre, the escorts).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// The Mobilitate run this stop belongs to (`M-…`): the tablet collects a meal round's
    /// boxes at the canteen on one card ("Preluate toate").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub run_id: Option<String>,
    /// Seats the shuttle's escorts take on this leg (0 otherwise).
    #[serde(skip_serializing_if = "is_zero")]
    pub escorts: u32,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
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
    /// The code of why (see `Unserved.code`), for the console to translate.
    pub code: String,
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
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plan_version: Option<i64>,
    pub stops: Vec<ManifestStop>,
    /// When the day shown has no work left (and no `date` was asked for): the next day with work
    /// and its first stop, so that the driver knows when to start.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<NextWork>,
    /// Whether the day's stops take their steps now. False for a day after today (outside a
    /// training installation): the tablet shows it to read, and the API refuses its steps.
    pub steps_open: bool,
}

/// The next day a vehicle has work: the date and the planned time of its first stop (`HH:MM`).
#[derive(Serialize, ToSchema)]
pub struct NextWork {
    pub date: NaiveDate,
    pub first_stop: String,
}

impl NextWork {
    pub fn new(date: NaiveDate, time_s: f64) -> Self {
        Self {
            date,
            first_stop: clock(time_s),
        }
    }
}

/// A recorded driver action; `replay` is true when the action id was already recorded (then
/// nothing changed and `action` is the first record).
#[derive(ToSchema)]
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

/// A replay answers `action` and `replay` only; a new action adds `trip_status` (`null` for an
/// incident without a trip).
impl Serialize for ActionAnswer {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("ActionAnswer", 3)?;
        s.serialize_field("action", &self.action)?;
        s.serialize_field("replay", &self.replay)?;
        if self.replay {
            s.skip_field("trip_status")?;
        } else {
            s.serialize_field("trip_status", &self.trip_status)?;
        }
        s.end()
    }
}

/// Whole minutes `time_s` runs past `limit_s` (0 when not past it).
fn minutes_over(time_s: f64, limit_s: f64) -> u32 {
    ((time_s - limit_s) / 60.0).round().max(0.0) as u32
}

impl PlanSummary {
    /// The plan without personal data: routes with trip ids and times, unserved with reasons.
    pub fn of(plan: &DayPlan) -> Self {
        PlanSummary {
            date: plan.date,
            version: plan.version,
            computed_at: plan.computed_at,
            solve_ms: plan.solve_ms,
            feasible: plan.problems.is_empty(),
            problems: plan.problems.clone(),
            pinned: plan.pinned.clone(),
            unserved: plan.unserved.clone(),
            routes: plan
                .routes
                .iter()
                .map(|r| RouteSummary {
                    vehicle_id: r.vehicle_id.clone(),
                    km: (r.metres / 100.0).round() / 10.0,
                    delay_minutes: plan.delay_minutes(r),
                    stops: r
                        .stops
                        .iter()
                        .map(|s| StopSummary {
                            trip_id: s.trip_id.clone(),
                            pickup: s.pickup,
                            time: clock(s.time_s),
                            late_minutes: match (s.pickup, plan.promised.get(&s.trip_id)) {
                                (true, Some(p)) => minutes_over(s.time_s, *p),
                                _ => 0,
                            },
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

impl ManifestStop {
    /// The stops of one route as a driver needs them: in order, with address, rider, mobility
    /// notes, the number to call and the status.
    pub fn of_route(
        route: &VehicleRoute,
        trips: &HashMap<String, Trip>,
        riders: &HashMap<String, Rider>,
    ) -> Vec<Self> {
        route
            .stops
            .iter()
            .filter_map(|s| {
                let t = trips.get(&s.trip_id)?;
                let rider = riders.get(&t.rider_id);
                let spot = if s.pickup { &t.pickup } else { &t.dropoff };
                let done = match t.status {
                    TripStatus::Booked | TripStatus::Arrived => false,
                    TripStatus::PickedUp => s.pickup,
                    _ => true,
                };
                Some(ManifestStop {
                    trip_id: t.id.clone(),
                    pickup: s.pickup,
                    time: clock(s.time_s),
                    address: spot.address.clone(),
                    lon: spot.position.lon,
                    lat: spot.position.lat,
                    rider: rider.map(|r| r.name.clone()),
                    mobility: rider.map(|r| r.mobility),
                    door_assistance: rider.is_some_and(|r| r.door_assistance),
                    companion: rider.is_some_and(|r| r.companion),
                    notes: rider.map(|r| r.notes.clone()).unwrap_or_default(),
                    phone: rider.and_then(|r| r.contact_phone().map(str::to_owned)),
                    status: t.status,
                    done,
                    kind: t.kind,
                    label: t
                        .run
                        .as_ref()
                        .map(|r| r.label.clone())
                        .filter(|l| !l.is_empty()),
                    run_id: t.run.as_ref().map(|r| r.run_id.clone()),
                    escorts: t.run.as_ref().map_or(0, |r| r.escorts),
                })
            })
            .collect()
    }
}

impl PlanView {
    /// The plan with each vehicle's manifest and the unserved trips as the dispatcher sees them.
    /// `window_s` is the width of a trip's time window (`transport.window_minutes`): a stop
    /// planned past it is late.
    pub fn of(
        plan: &DayPlan,
        trips: &HashMap<String, Trip>,
        riders: &HashMap<String, Rider>,
        window_s: f64,
    ) -> Self {
        let mut summary = PlanSummary::of(plan);
        for (route, stored) in summary.routes.iter_mut().zip(&plan.routes) {
            for (stop, s) in route.stops.iter_mut().zip(&stored.stops) {
                let Some(t) = trips.get(&s.trip_id) else {
                    continue;
                };
                let at = f64::from(t.time.num_seconds_from_midnight());
                let over = match (s.pickup, t.timing) {
                    (true, TimingKind::PickupAt) => minutes_over(s.time_s, at + window_s),
                    (false, TimingKind::ArriveBy) => minutes_over(s.time_s, at),
                    _ => 0,
                };
                stop.late_minutes = stop.late_minutes.max(over);
            }
        }
        PlanView {
            date: summary.date,
            version: summary.version,
            computed_at: summary.computed_at,
            solve_ms: summary.solve_ms,
            feasible: summary.feasible,
            problems: summary.problems,
            pinned: summary.pinned,
            unserved: plan
                .unserved
                .iter()
                .map(|u| {
                    let t = trips.get(&u.trip_id);
                    UnservedView {
                        trip_id: u.trip_id.clone(),
                        reason: u.reason.clone(),
                        code: u.code_of().to_owned(),
                        rider: t
                            .and_then(|t| riders.get(&t.rider_id))
                            .map(|r| r.name.clone()),
                        time: t.map(|t| t.time.format("%H:%M").to_string()),
                    }
                })
                .collect(),
            routes: summary.routes,
            manifests: plan
                .routes
                .iter()
                .map(|r| VehicleManifest {
                    vehicle_id: r.vehicle_id.clone(),
                    stops: ManifestStop::of_route(r, trips, riders),
                })
                .collect(),
        }
    }
}

/// The messages between dispatch and drivers of a day (personal data may be in the texts: the
/// read is audited), oldest first.
#[derive(Serialize, ToSchema)]
pub struct DriverMessageList {
    pub date: NaiveDate,
    pub messages: Vec<crate::transport::model::DriverMessage>,
}

/// Whether a trip fits one vehicle (the transport planner's "place" list).
#[derive(Serialize, ToSchema)]
pub struct VehicleFit {
    pub vehicle_id: String,
    /// The trip is planned on this vehicle now.
    pub current: bool,
    pub fits: bool,
    /// Why it does not fit, a code the console translates: `capacity`, `time_window`,
    /// `ride_time`, `shift_end`, `route_duration`, `no_room`, `group`; `null` when it fits.
    pub reason: Option<String>,
    /// Kilometres added to the vehicle's route (when it fits).
    pub added_km: Option<f64>,
    /// Driving minutes added to the vehicle's route (when it fits).
    pub added_minutes: Option<f64>,
    /// The trip's pick-up on this vehicle, `HH:MM` (when it fits).
    pub pickup: Option<String>,
}

/// Where a trip fits: every vehicle, the cheapest first, then those where it does not fit.
#[derive(Serialize, ToSchema)]
pub struct TripFits {
    pub date: NaiveDate,
    pub trip_id: String,
    pub vehicles: Vec<VehicleFit>,
}

/// A vehicle's last GPS fix.
#[derive(Serialize, ToSchema)]
pub struct VehiclePosition {
    pub vehicle_id: String,
    pub lon: f64,
    pub lat: f64,
    pub at: DateTime<Utc>,
}

/// The last GPS fix of every vehicle that has sent one.
#[derive(Serialize, ToSchema)]
pub struct VehiclePositions {
    pub positions: Vec<VehiclePosition>,
}

/// The road geometry of a day's planned routes (the planner's map).
#[derive(Serialize, ToSchema)]
pub struct PlanRoutes {
    pub date: NaiveDate,
    /// The plan version the lines belong to.
    pub version: i64,
    /// `true`: along the roads the van profile drives; `false`: straight legs between the stops
    /// (the road network has not loaded).
    pub roads: bool,
    /// Vehicles with at least one stop.
    pub routes: Vec<PlanRouteLine>,
}

/// One vehicle's planned route, depot to depot, as `[lon, lat]` points in driving order.
#[derive(Serialize, ToSchema)]
pub struct PlanRouteLine {
    pub vehicle_id: String,
    pub path: Vec<[f64; 2]>,
}

impl PlanRoutes {
    pub(crate) fn of(lines: &crate::transport::service::route_lines::DayLines) -> Self {
        Self {
            date: lines.date,
            version: lines.version,
            roads: lines.roads,
            routes: lines
                .routes
                .iter()
                .map(|r| PlanRouteLine {
                    vehicle_id: r.vehicle_id.clone(),
                    path: r.path.clone(),
                })
                .collect(),
        }
    }
}
