//! The adapted-transport vocabulary: riders, their places, vehicles with shifts, trips (bookings),
//! the stored day plan and driver actions. Plain data, stored as JSON documents.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use serde::{Deserialize, Serialize};

use crate::events::ActionKind;
pub use crate::transport::eligibility::Certificate;
use routing::darp::Load;
use routing::travel::LonLat;

/// How a rider travels; decides the vehicle place and the boarding time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Mobility {
    /// Stays in the wheelchair: needs a wheelchair place and a ramp or lift.
    Wheelchair,
    /// Walks with a frame; seated, but boards slowly.
    Walker,
    Seated,
}

impl Mobility {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "wheelchair" => Some(Self::Wheelchair),
            "walker" => Some(Self::Walker),
            "seated" => Some(Self::Seated),
            _ => None,
        }
    }

    /// Seconds to board or alight, door assistance not included.
    pub fn boarding_s(self) -> f64 {
        match self {
            Self::Wheelchair => 300.0,
            Self::Walker => 180.0,
            Self::Seated => 120.0,
        }
    }
}

/// Kinds of usual places.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PlaceKind {
    Home,
    DayCentre,
    Hospital,
    Dialysis,
    Other,
}

impl PlaceKind {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "home" => Some(Self::Home),
            "day_centre" => Some(Self::DayCentre),
            "hospital" => Some(Self::Hospital),
            "dialysis" => Some(Self::Dialysis),
            "other" => Some(Self::Other),
            _ => None,
        }
    }
}

/// A place with an address a driver can read and a position the router can use.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Spot {
    pub address: String,
    #[schema(value_type = crate::domain::geo::LonLat)]
    pub position: LonLat,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RiderPlace {
    pub kind: PlaceKind,
    #[serde(flatten)]
    pub spot: Spot,
}

/// A registered rider (a person with a disability) and their mobility profile.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Rider {
    /// Registry id, e.g. `R-001`.
    pub id: String,
    pub name: String,
    /// Where messages go; `None` when the rider has no mobile phone (the carer's is used).
    pub phone: Option<String>,
    pub carer_phone: Option<String>,
    pub mobility: Mobility,
    /// Help is needed from the door to the vehicle (adds time at both ends).
    pub door_assistance: bool,
    /// A companion may travel along (one more seat).
    pub companion: bool,
    /// Notes for the driver (e.g. "sună la interfon 12").
    #[serde(default)]
    pub notes: String,
    #[serde(default)]
    pub places: Vec<RiderPlace>,
    /// The disability certificate that makes the rider eligible (checked at booking).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate: Option<Certificate>,
}

impl Rider {
    /// What the rider occupies on board.
    pub fn load(&self) -> Load {
        let companion = Load::seated(u32::from(self.companion));
        match self.mobility {
            Mobility::Wheelchair => Load::wheelchair(1).plus(companion),
            _ => Load::seated(1).plus(companion),
        }
    }

    /// Seconds spent at each stop of this rider.
    pub fn service_s(&self) -> f64 {
        self.mobility.boarding_s() + if self.door_assistance { 120.0 } else { 0.0 }
    }

    /// The number messages go to: the rider's own, else the carer's.
    pub fn contact_phone(&self) -> Option<&str> {
        self.phone.as_deref().or(self.carer_phone.as_deref())
    }
}

/// A vehicle of the adapted fleet, its depot and its crew's shift.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Vehicle {
    /// The resource id, e.g. `VAN-01`.
    pub id: String,
    pub seats: u32,
    pub wheelchair_places: u32,
    /// A ramp or a lift: wheelchair places are usable only with one.
    pub ramp: bool,
    #[schema(value_type = crate::domain::geo::LonLat)]
    pub depot: LonLat,
    /// The driver resource working this vehicle (e.g. `SOFER-01`).
    pub driver: Option<String>,
    pub shift_start: NaiveTime,
    pub shift_end: NaiveTime,
}

impl Vehicle {
    /// Wheelchair places that can actually be used.
    pub fn usable_wheelchair_places(&self) -> u32 {
        if self.ramp {
            self.wheelchair_places
        } else {
            0
        }
    }

    pub fn can_carry(&self, load: Load) -> bool {
        let wc = self.usable_wheelchair_places();
        load.wheelchair <= wc && load.seated + load.wheelchair <= self.seats + wc
    }
}

/// Which end of the trip the time is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TimingKind {
    /// Pick the rider up from `time` (within the window after it).
    PickupAt,
    /// Drop the rider off by `time` (within the window before it).
    ArriveBy,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TripStatus {
    Booked,
    Cancelled,
    Arrived,
    PickedUp,
    NoShow,
    DroppedOff,
    /// A meal not delivered: nobody opened the door (a welfare check was raised).
    NotAtHome,
}

impl TripStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Booked => "booked",
            Self::Cancelled => "cancelled",
            Self::Arrived => "arrived",
            Self::PickedUp => "picked_up",
            Self::NoShow => "no_show",
            Self::DroppedOff => "dropped_off",
            Self::NotAtHome => "not_at_home",
        }
    }

    /// Still to be driven (in the plan).
    pub fn is_live(self) -> bool {
        matches!(self, Self::Booked | Self::Arrived | Self::PickedUp)
    }
}

/// What a trip is: a rider's trip, or a stop of one of the Mobilitate unit's runs. The solver
/// plans them all in one day; only what they occupy and how long they may ride differ.
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum TripKind {
    /// A rider's adapted-transport trip (every trip stored before the runs existed).
    #[default]
    Trip,
    /// A canteen meal delivered to a home or a centre: goods, no seat, no ride limit.
    Meal,
    /// A day-centre shuttle: a rider of the group, or the escorts' leg (no rider, seats).
    Shuttle,
    /// Supplies from a warehouse to a centre: goods, no seat, no ride limit.
    Supply,
}

impl TripKind {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "trip" => Some(Self::Trip),
            "meal" => Some(Self::Meal),
            "shuttle" => Some(Self::Shuttle),
            "supply" => Some(Self::Supply),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Trip => "trip",
            Self::Meal => "meal",
            Self::Shuttle => "shuttle",
            Self::Supply => "supply",
        }
    }

    /// Carries goods, not people: takes no seat and has no ride limit.
    pub fn is_goods(self) -> bool {
        matches!(self, Self::Meal | Self::Supply)
    }

    pub const ALL: [TripKind; 4] = [Self::Trip, Self::Meal, Self::Shuttle, Self::Supply];
}

/// What a Mobilitate run's stop adds to a trip.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RunDetails {
    /// The run this stop belongs to (`M-…`); its stops are listed together.
    pub run_id: String,
    /// Who or what is served, for a stop without a registered rider (e.g. "Centrul de zi …").
    #[serde(default)]
    pub label: String,
    /// Seats taken by escorts for the whole leg (the shuttle's escort leg only).
    #[serde(default)]
    pub escorts: u32,
    /// Earliest start of service at the timed end (an `arrive_by` stop's window is
    /// `window_from`–`time`); the configured window width when absent.
    #[serde(default)]
    pub window_from: Option<NaiveTime>,
    /// Earliest pick-up: when the meals are ready at the canteen or the supplies at the depot.
    #[serde(default)]
    pub ready_at: Option<NaiveTime>,
    /// The run's own name as the planner gave it (a stop's `label` may name the stop instead);
    /// empty for runs stored before it was kept.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub run_label: String,
}

/// One trip: a pick-up, a drop-off and the time the rider asked for.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Trip {
    pub id: String,
    /// The rider, or empty for a run's stop that serves no registered person (a centre's
    /// meals, supplies, the shuttle's escorts).
    pub rider_id: String,
    pub date: NaiveDate,
    /// Trips of one recurring booking share it.
    pub series_id: Option<String>,
    /// `true` for the return leg of a booking.
    pub is_return: bool,
    pub pickup: Spot,
    pub dropoff: Spot,
    pub timing: TimingKind,
    pub time: NaiveTime,
    pub status: TripStatus,
    pub booked_by: String,
    pub booked_at: DateTime<Utc>,
    /// When the driver reported each step (for the on-time report).
    #[serde(default)]
    pub arrived_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub picked_up_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub dropped_off_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub no_show_reason: Option<String>,
    /// `trip` for documents stored before the Mobilitate runs.
    #[serde(default)]
    pub kind: TripKind,
    /// A Mobilitate run's details; `None` for a rider's trip.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run: Option<RunDetails>,
    /// Why a cancelled trip was cancelled (absent for trips cancelled before reasons existed,
    /// or by a client that gave none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancellation: Option<Cancellation>,
    /// The rider's latest answer by SMS to the trip's confirmation or reminder (`DA`, `NU` /
    /// `ANULEZ`); absent while the rider has not answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sms_answer: Option<SmsAnswer>,
}

/// A rider's answer by SMS about a trip: what it said and when it arrived.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SmsAnswer {
    pub answer: SmsAnswerKind,
    pub at: DateTime<Utc>,
}

/// What a rider's SMS answer did to the trip.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SmsAnswerKind {
    /// `DA`: the rider confirmed the trip.
    Confirmed,
    /// `NU` / `ANULEZ`: the rider cancelled the trip.
    Cancelled,
}

/// Why a trip was cancelled: a code the console translates, free text for `other`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Cancellation {
    pub reason: CancelReason,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    pub by: String,
    pub at: DateTime<Utc>,
}

/// The codes of why a trip is cancelled.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CancelReason {
    /// The rider asked (in time).
    RiderRequest,
    /// The rider is ill.
    RiderIll,
    /// The rider cancelled late (counts for the no-show / late-cancel policy).
    LateCancel,
    /// The service cancelled (vehicle breakdown, weather, closure).
    ServiceCancel,
    /// A duplicate booking.
    Duplicate,
    /// Anything else: `note` says what.
    Other,
}

impl CancelReason {
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "rider_request" => Self::RiderRequest,
            "rider_ill" => Self::RiderIll,
            "late_cancel" => Self::LateCancel,
            "service_cancel" => Self::ServiceCancel,
            "duplicate" => Self::Duplicate,
            "other" => Self::Other,
            _ => return None,
        })
    }
}

/// One stop of a vehicle's planned route.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PlanStop {
    pub trip_id: String,
    pub pickup: bool,
    /// Planned start of service, seconds after local midnight.
    pub time_s: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct VehicleRoute {
    pub vehicle_id: String,
    pub stops: Vec<PlanStop>,
    /// Driven distance of the planned route, depot legs included.
    pub metres: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Unserved {
    pub trip_id: String,
    /// Why, in English (for logs and older clients); `code` is what consoles translate.
    pub reason: String,
    /// The code of why: `no_capable_vehicle`, `rider_unknown`, `time_window`, `ride_time`,
    /// `shift_end`, `route_duration`, `no_room`, `not_plannable` (empty in plans stored before
    /// codes existed: see [`Unserved::code_of`]).
    #[serde(default)]
    pub code: String,
}

impl Unserved {
    pub fn new(trip_id: impl Into<String>, code: &str, reason: impl Into<String>) -> Self {
        Unserved {
            trip_id: trip_id.into(),
            reason: reason.into(),
            code: code.to_owned(),
        }
    }

    /// The code of why, for plans stored before codes existed too (from their English text).
    pub fn code_of(&self) -> &str {
        if !self.code.is_empty() {
            return &self.code;
        }
        let r = self.reason.as_str();
        if r.contains("carry") {
            "no_capable_vehicle"
        } else if r.contains("not registered") {
            "rider_unknown"
        } else if r.contains("time windows") {
            "time_window"
        } else if r.contains("ride time") {
            "ride_time"
        } else if r.contains("shift") {
            "shift_end"
        } else if r.contains("duration") {
            "route_duration"
        } else if r.contains("busy") {
            "no_room"
        } else {
            "not_plannable"
        }
    }
}

/// The stored plan of a day.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DayPlan {
    pub date: NaiveDate,
    /// Bumped at every change; the tablet and the console compare it.
    pub version: i64,
    pub computed_at: DateTime<Utc>,
    pub routes: Vec<VehicleRoute>,
    pub unserved: Vec<Unserved>,
    /// Trips a dispatcher placed by hand: kept on their vehicle.
    #[serde(default)]
    pub pinned: Vec<String>,
    /// The independent checker's findings (empty when feasible).
    pub problems: Vec<String>,
    pub solve_ms: u64,
    /// Pick-up times promised to riders where the stops have moved since: a late vehicle
    /// shifts its remaining stops (the rider hears of it from the "arriving" SMS), but what the
    /// rider was told stays the promise the reminders and the on-time report use.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub promised: std::collections::BTreeMap<String, f64>,
}

impl DayPlan {
    /// The pick-up time promised to the rider, seconds after midnight: the planned stop time,
    /// unless a delay has moved the stop since.
    pub fn promised_s(&self, trip_id: &str) -> Option<f64> {
        self.promised
            .get(trip_id)
            .copied()
            .or_else(|| self.pickup_s(trip_id))
    }

    /// How far a route runs behind what its riders were promised, in whole minutes: the
    /// largest gap between a pick-up's current time and its promise (0 when none is late).
    pub fn delay_minutes(&self, route: &VehicleRoute) -> u32 {
        let late_s = route
            .stops
            .iter()
            .filter(|s| s.pickup)
            .filter_map(|s| Some(s.time_s - self.promised.get(&s.trip_id)?))
            .fold(0.0_f64, f64::max);
        (late_s / 60.0).round() as u32
    }

    /// The current planned pick-up time of a trip (delays included), seconds after midnight.
    pub fn pickup_s(&self, trip_id: &str) -> Option<f64> {
        self.routes
            .iter()
            .flat_map(|r| &r.stops)
            .find(|s| s.pickup && s.trip_id == trip_id)
            .map(|s| s.time_s)
    }

    /// The vehicle a trip is planned on.
    pub fn vehicle_of(&self, trip_id: &str) -> Option<&str> {
        self.routes
            .iter()
            .find(|r| r.stops.iter().any(|s| s.trip_id == trip_id))
            .map(|r| r.vehicle_id.as_str())
    }
}

/// A driver action as recorded (keyed by the tablet's action id).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ActionRecord {
    pub action_id: String,
    pub trip_id: Option<String>,
    pub vehicle_id: String,
    pub kind: ActionKind,
    pub at: DateTime<Utc>,
    pub by: String,
    #[serde(default)]
    pub reason: Option<String>,
    /// The queue item a no-show or incident opened.
    #[serde(default)]
    pub item_id: Option<String>,
}

/// What an idempotency key of a booking stands for: the trips that booking created.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct BookingKey {
    pub series_id: Option<String>,
    pub trip_ids: Vec<String>,
}

/// "HH:MM" of seconds after midnight.
pub fn clock(seconds: f64) -> String {
    let m = (seconds / 60.0).round() as i64;
    format!("{:02}:{:02}", m / 60, m % 60)
}

/// A GPS fix of a vehicle.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Fix {
    pub position: LonLat,
    pub at: DateTime<Utc>,
}

/// What one fix adds to the day's sums (see `transport::odometer`).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Step {
    pub metres: f64,
    pub seconds: f64,
    /// The fix becomes the day's last fix (false for a late, out-of-order fix).
    pub advance: bool,
}

/// A vehicle's measured day, as stored.
#[derive(Clone, Debug, PartialEq)]
pub struct VehicleDay {
    pub vehicle_id: String,
    pub date: NaiveDate,
    pub metres: f64,
    pub seconds: f64,
    pub fixes: i64,
}

/// Which way a tablet message went.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MessageDirection {
    /// From dispatch to the vehicle's driver; the driver acknowledges it.
    ToDriver,
    /// From the driver to dispatch; a dispatcher marks it read.
    FromDriver,
}

/// A message between dispatch and a vehicle's driver, kept in the vehicle's day (and the trip's,
/// when it names one). Personal data may be in `text`: read through the role-checked, audited
/// HTTP reads only, never in an event or a log.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DriverMessage {
    /// Chosen by the sender (a UUID), so a resend after a lost answer is the same message.
    pub id: String,
    pub vehicle_id: String,
    /// The local service day it belongs to.
    pub date: NaiveDate,
    #[serde(default)]
    pub trip_id: Option<String>,
    pub direction: MessageDirection,
    pub text: String,
    /// The canned message's code (`late_10`, `traffic`...), so a console can say it in its own
    /// language; absent for free text.
    #[serde(default)]
    pub canned: Option<String>,
    pub sent_at: DateTime<Utc>,
    pub sent_by: String,
    /// When the other side acknowledged it (the driver) or read it (dispatch).
    #[serde(default)]
    pub acked_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub acked_by: Option<String>,
}
