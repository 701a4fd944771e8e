//! The closed vocabularies of intake: alarm types, call categories, priority levels, statuses.
//! Every enum serialises in snake_case, which is also the form used in `config/` rules and the
//! API, so one spelling travels from the alarm receiver to the console.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! vocabulary {
    ($(#[$m:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum $name { $(#[serde(rename = $text)] $variant),+ }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// Parses the snake_case form; the error lists the accepted values.
            pub fn parse(s: &str) -> Result<Self, String> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err(format!(
                        "unknown value {:?}; expected one of: {}",
                        s.chars().take(40).collect::<String>(),
                        [$($text),+].join(", ")
                    )),
                }
            }
        }

        // By hand, not derived: the derive does not see `rename` through the macro's literal,
        // and the document must list the snake_case spellings the API really uses.
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .enum_values(Some([$($text),+]))
                    .into()
            }
        }

        impl utoipa::ToSchema for $name {
            fn name() -> std::borrow::Cow<'static, str> {
                std::borrow::Cow::Borrowed(stringify!($name))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

vocabulary!(
    /// What a TeleAsistență device reported.
    AlarmType {
        Button => "button",
        Fall => "fall",
        Smoke => "smoke",
        Gas => "gas",
        Flood => "flood",
        Inactivity => "inactivity",
        Temperature => "temperature",
        DoorOpen => "door_open",
        LowBattery => "low_battery",
        PowerFailure => "power_failure",
        MissedCheckin => "missed_checkin",
        Test => "test",
    }
);

vocabulary!(
    /// Category of a call to the social-emergency line (`unclassified`: an incoming call
    /// before the dispatcher has said what it is about; `sleeping_rough`: a person sleeping
    /// outdoors, the street team's work, and in the cold-weather mode an outreach item).
    CallCategory {
        Abuse => "abuse",
        Neglect => "neglect",
        Exploitation => "exploitation",
        DomesticViolence => "domestic_violence",
        CrisisInfo => "crisis_info",
        Information => "information",
        Transport => "transport",
        Other => "other",
        Unclassified => "unclassified",
        SleepingRough => "sleeping_rough",
    }
);

vocabulary!(
    /// How a call card reached the line: a phone call on the emergency number, an SMS, someone
    /// at the desk, a call on another line, an e-mail, or an institution (police, hospital).
    CallChannel {
        Phone => "phone",
        Sms => "sms",
        WalkIn => "walk_in",
        OtherLine => "other_line",
        Email => "email",
        Institution => "institution",
    }
);

impl Default for CallChannel {
    /// Cards logged before the channel was recorded came from the telephone line.
    fn default() -> Self {
        CallChannel::Phone
    }
}

vocabulary!(
    /// Who reported what a call card is about.
    Reporter {
        Victim => "victim",
        Relative => "relative",
        Neighbour => "neighbour",
        Institution => "institution",
        Anonymous => "anonymous",
        Beneficiary => "beneficiary",
        Other => "other",
        Unknown => "unknown",
    }
);

impl Default for Reporter {
    /// Not asked yet (a ringing call), or a card logged before the reporter was recorded.
    fn default() -> Self {
        Reporter::Unknown
    }
}

vocabulary!(
    /// The kind of work an item is.
    ItemKind {
        Alert => "alert",
        Call => "call",
        Booking => "booking",
        Callback => "callback",
        Incident => "incident",
    }
);

vocabulary!(
    /// Priority level: P1 is immediate danger to life, P4 routine.
    Level {
        P1 => "P1",
        P2 => "P2",
        P3 => "P3",
        P4 => "P4",
    }
);

vocabulary!(
    /// Lifecycle of an item. Transitions are checked in `queue::lifecycle`.
    Status {
        New => "new",
        Acknowledged => "acknowledged",
        Assigned => "assigned",
        InProgress => "in_progress",
        Closed => "closed",
    }
);

vocabulary!(
    /// Kind of resource the core can assign.
    ResourceKind {
        Vehicle => "vehicle",
        Driver => "driver",
        EmiuTeam => "emiu_team",
    }
);

vocabulary!(
    /// Availability of a resource.
    ResourceStatus {
        Available => "available",
        Assigned => "assigned",
        EnRoute => "en_route",
        OnScene => "on_scene",
        AtHospital => "at_hospital",
        OffDuty => "off_duty",
    }
);
