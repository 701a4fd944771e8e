//! A work item as the live state holds it, and the details of each kind.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{
    AlarmType, CallCategory, CallChannel, ItemId, ItemKind, Level, Reporter, ResourceId, Status,
};
use routing::travel::LonLat;

/// Why an item has its level and deadline: the rule that matched and the facts it matched on.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Priority {
    pub level: Level,
    /// Id of the rule in `config/` that set the level.
    pub rule: String,
    /// Human-readable reason, e.g. "alarm type fall".
    pub reason: String,
    /// Seconds allowed between arrival and acknowledgement.
    pub respond_within_s: i64,
    /// The facts the rule matched on, as codes (`kind`/`alert`, `alarm_type`/`fall`,
    /// `breach_raised_from`/`P2`...), so a console can say them in its own language; `reason`
    /// says the same in English for the API and the logs. Empty in items logged before.
    #[serde(default)]
    pub facts: Vec<Fact>,
}

/// One fact a priority rule matched on: a code and its value, both codes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Fact {
    pub key: String,
    pub value: String,
}

impl Fact {
    pub fn new(key: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            key: key.into(),
            value: value.into(),
        }
    }
}

/// Who an item is about and where: the TeleAsistență beneficiary of an alarm, a known caller
/// and the place typed on a call, a rider and their pick-up. Personal data: dropped from
/// redacted copies (`access::redact`), never logged.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Subject {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<crate::domain::geo::LonLat>)]
    pub position: Option<LonLat>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_id: Option<String>,
}

/// A place as given at intake: free text, a position, or both.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Place {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<crate::domain::geo::LonLat>)]
    pub position: Option<LonLat>,
}

/// Mobility needs of a transport rider.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MobilityNeeds {
    #[serde(default)]
    pub wheelchair: bool,
    #[serde(default)]
    pub door_assistance: bool,
    #[serde(default)]
    pub companion: bool,
}

/// What each kind of item carries beyond the common lifecycle.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Details {
    Alert {
        device_id: String,
        alarm_type: AlarmType,
        device_time: DateTime<Utc>,
        receiver_alarm_id: String,
        /// Credential (alarm receiver) that delivered the alert.
        receiver: String,
    },
    Call {
        caller_number: String,
        category: CallCategory,
        immediate_danger: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        location: Option<Place>,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        notes: String,
        /// How the card reached the line (`phone` for cards logged before it was recorded).
        #[serde(default)]
        channel: CallChannel,
        /// Who reported it (`unknown` until asked, and for cards logged before).
        #[serde(default)]
        reporter: Reporter,
    },
    Booking {
        rider: String,
        pickup: Place,
        dropoff: Place,
        window_start: DateTime<Utc>,
        window_end: DateTime<Utc>,
        needs: MobilityNeeds,
    },
    Callback {
        phone: String,
        reason: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        related: Option<ItemId>,
    },
    Incident {
        reported_by: String,
        description: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        related: Option<ItemId>,
        /// What kind of incident, as a code (`emergency`, `breakdown`, `accident`...), for the
        /// priority rules (`incident_codes`) and the console's words; absent on items logged
        /// before it was recorded.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        code: Option<String>,
    },
}

impl Details {
    pub fn kind(&self) -> ItemKind {
        match self {
            Details::Alert { .. } => ItemKind::Alert,
            Details::Call { .. } => ItemKind::Call,
            Details::Booking { .. } => ItemKind::Booking,
            Details::Callback { .. } => ItemKind::Callback,
            Details::Incident { .. } => ItemKind::Incident,
        }
    }

    /// Short label for the queue line ("fall", "abuse", "booking", ...): never personal data.
    pub fn category(&self) -> String {
        match self {
            Details::Alert { alarm_type, .. } => alarm_type.to_string(),
            Details::Call { category, .. } => category.to_string(),
            Details::Booking { .. } => "booking".into(),
            Details::Callback { .. } => "callback".into(),
            Details::Incident { .. } => "incident".into(),
        }
    }
}

/// The answer-time clock of an item: when each step of its handling happened.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Timestamps {
    pub received: DateTime<Utc>,
    pub first_pushed: Option<DateTime<Utc>>,
    pub acknowledged: Option<DateTime<Utc>>,
    pub assigned: Option<DateTime<Utc>>,
    pub in_progress: Option<DateTime<Utc>>,
    pub closed: Option<DateTime<Utc>>,
    pub breached: Option<DateTime<Utc>>,
}

/// A note appended by a user.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Note {
    pub at: DateTime<Utc>,
    pub by: String,
    pub text: String,
}

/// A work item in the live state.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Item {
    pub id: ItemId,
    pub kind: ItemKind,
    pub category: String,
    pub status: Status,
    pub priority: Priority,
    /// Deadline to acknowledge (received + respond_within).
    pub deadline: DateTime<Utc>,
    pub breached: bool,
    pub times: Timestamps,
    pub details: Details,
    pub assigned_to: Vec<ResourceId>,
    /// User handling the item (the one who acknowledged it, or took it over).
    pub handler: Option<String>,
    pub outcome: Option<String>,
    pub notes: Vec<Note>,
    /// Sequence number of the last event that changed this item.
    pub version: i64,
    /// Set on copies shown to someone who may know the case exists but not who is in it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub redacted: bool,
    /// Accepted although its sender was over its intake rate limit, because it is P1: a sign
    /// that the sender (an alarm receiver, say) is misbehaving, shown to the dispatcher.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub rate_limited: bool,
    /// The domestic-violence case this item is (its own id) or derives from: a callback or
    /// follow-up of the case, or a call, missed call or SMS from one of the case's numbers. Such
    /// an item is as sensitive as the case (`crate::access`). Kept by the live state's fold
    /// (`core::state`), so it holds for the item as it is now, also when the case was
    /// categorised after the item was made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dv_case: Option<ItemId>,
    /// Who and where, filled at creation (`Subject`); absent on redacted copies and on items
    /// with nobody known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<Subject>,
    /// Further alarms of the same device and type attached to this open alert (storm repeats).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub repeats: u32,
    /// Of those, how many arrived since the item was acknowledged and are not yet seen: they
    /// put the item back among the ones needing attention (`queue::order`).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub repeats_unseen: u32,
    /// The EMIU team's clock to arrival on a police request (an OPP evicting the aggressor):
    /// it runs beside the response clock until the team records that it is on scene. Times
    /// only, no personal data: it stays on redacted copies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arrival: Option<ArrivalClock>,
}

/// The clock to arrival of a police request (`CaseRecord::PoliceRequest`): due by `due`,
/// stopped by `arrived` (`CaseRecord::OnScene`), breached once at `breached` (`arrival_breached`).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ArrivalClock {
    /// When the police were told the team would be there: the notice plus the configured time.
    pub notified: DateTime<Utc>,
    pub due: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arrived: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub breached: Option<DateTime<Utc>>,
}

impl ArrivalClock {
    /// Whether the clock still runs: the team is not there yet and the deadline not breached.
    pub fn running(&self) -> bool {
        self.arrived.is_none() && self.breached.is_none()
    }
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

impl Item {
    /// The number this item is about, if any: a call's caller or a callback's number.
    pub fn phone(&self) -> Option<&str> {
        match &self.details {
            Details::Call { caller_number, .. } => Some(caller_number),
            Details::Callback { phone, .. } => Some(phone),
            _ => None,
        }
    }

    /// The item this one was raised about (a callback's case, an incident's trip item).
    pub fn related(&self) -> Option<ItemId> {
        match &self.details {
            Details::Callback { related, .. } | Details::Incident { related, .. } => *related,
            _ => None,
        }
    }

    /// Whether the item needs a dispatcher's attention: nobody has taken it yet, or alarms
    /// arrived on it since it was taken.
    pub fn needs_attention(&self) -> bool {
        self.status == Status::New || self.repeats_unseen > 0
    }

    /// Whether the item is itself a call categorised domestic violence.
    pub fn is_dv_call(&self) -> bool {
        matches!(
            self.details,
            Details::Call {
                category: CallCategory::DomesticViolence,
                ..
            }
        )
    }
}
