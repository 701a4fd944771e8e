//! The payload of a `transport_changed` event: what changed in adapted transport, as ids and
//! codes. It never carries a name, a phone number or an address — those stay behind the HTTP
//! reads of the plan and the manifest, which check the role and audit the read.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// Why a day's transport changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TransportReason {
    /// A new trip was inserted into a planned day.
    Booking,
    /// A trip was cancelled and taken out of the plan.
    Cancellation,
    /// A trip's time changed: taken out and inserted again.
    Change,
    /// The driver found nobody at the pick-up.
    NoShow,
    /// A dispatcher moved a trip to another vehicle (and pinned it there).
    Move,
    /// A late vehicle: its remaining stops were shifted, or a trip moved off it.
    Delay,
    /// The whole day was planned again.
    Replan,
    /// A driver reported a step (arrived, picked up, dropped off) or an incident.
    Action,
    /// A message between dispatch and a driver was sent or acknowledged (tablet messages).
    Message,
    /// A rider answered a trip's confirmation or reminder by SMS (`DA`, `NU`, `ANULEZ`).
    SmsReply,
}

/// One change of a day's transport.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TransportChange {
    pub date: NaiveDate,
    pub reason: TransportReason,
    /// Vehicles whose route or trips changed (a move touches two; for a delay, the late vehicle
    /// comes first, then those that took its trips).
    #[serde(default)]
    pub vehicles: Vec<String>,
    /// The driver resources of those vehicles when the change was made: the drivers the change
    /// is pushed to.
    #[serde(default)]
    pub drivers: Vec<String>,
    /// The trips concerned (empty for a whole-day re-plan).
    #[serde(default)]
    pub trips: Vec<String>,
    /// The driver's action, for `action` and `no_show`.
    #[serde(default)]
    pub action: Option<ActionKind>,
    /// The tablet's action id: a driver action is in the log once, however often it is sent.
    #[serde(default)]
    pub action_id: Option<String>,
    /// How late the vehicle runs against the plan it had, for `delay`.
    #[serde(default)]
    pub delay_minutes: Option<u32>,
    /// The plan version after the change, when the plan changed.
    #[serde(default)]
    pub plan_version: Option<i64>,
    /// When the driver recorded the action (it may reach us later than it happened).
    #[serde(default)]
    pub at: Option<DateTime<Utc>>,
    /// The message sent or acknowledged, for `message` (tablet messages).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
}

impl TransportChange {
    /// A change of `date` for `reason`, to be filled in.
    pub fn new(date: NaiveDate, reason: TransportReason) -> Self {
        Self {
            date,
            reason,
            vehicles: Vec::new(),
            drivers: Vec::new(),
            trips: Vec::new(),
            action: None,
            action_id: None,
            delay_minutes: None,
            plan_version: None,
            at: None,
            message_id: None,
        }
    }
}

/// What a driver reported.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ActionKind {
    Arrived,
    PickedUp,
    NoShow,
    DroppedOff,
    Incident,
    /// The driver's emergency button: a P1 item with the van's position (tablet).
    Emergency,
    /// A meal round's client did not open the door: raises a welfare check for dispatch.
    NotAtHome,
}

impl ActionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Arrived => "arrived",
            Self::PickedUp => "picked_up",
            Self::NoShow => "no_show",
            Self::DroppedOff => "dropped_off",
            Self::Incident => "incident",
            Self::Emergency => "emergency",
            Self::NotAtHome => "not_at_home",
        }
    }
}
