//! The bed registry's answers (`/api/v1/beds`). A DV shelter's address, position and occupants
//! leave only through `FacilityOut::shown` and `AdmissionOut::shown`, which ask the one
//! decision, `beds::rules::may_see_address`.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::access::{Role, WITHHELD};
use crate::beds::rules::{self, Free};
use crate::domain::{Item, ItemId};
use crate::store::beds::{AdmissionRecord, FacilityRecord, Occupancy, ProviderRecord};

/// A facility, its places and the free ones now.
#[derive(Serialize, ToSchema)]
pub(crate) struct FacilityOut {
    pub id: String,
    pub provider_id: String,
    pub name: String,
    /// `shelter`, `night_shelter`, `crisis`, `dv_shelter`.
    pub kind: String,
    pub adult_places: i64,
    pub child_places: i64,
    /// Extra adult places opened in the cold-weather mode (night shelters).
    pub cold_extra_places: i64,
    pub stay_limit_days: i64,
    /// `withheld` for a DV shelter unless the caller is EMIU or a supervisor.
    pub address: String,
    /// True when the address (and position) were withheld from this caller.
    pub address_withheld: bool,
    pub lon: Option<f64>,
    pub lat: Option<f64>,
    pub phone: String,
    pub version: i64,
    /// Adult places open now (the cold-weather extra included while the mode is on).
    pub adult_places_now: i64,
    pub taken_adults: i64,
    pub taken_children: i64,
    pub free_adults: i64,
    pub free_children: i64,
    pub updated_at: DateTime<Utc>,
}

impl FacilityOut {
    /// The facility as `role` may see it.
    pub(crate) fn shown(f: &FacilityRecord, taken: Occupancy, cold: bool, role: Role) -> Self {
        let Free {
            adult_places,
            adults,
            children,
        } = rules::free(f, taken, cold);
        let open = rules::may_see_address(role, &f.kind);
        FacilityOut {
            id: f.id.clone(),
            provider_id: f.provider_id.clone(),
            name: f.name.clone(),
            kind: f.kind.clone(),
            adult_places: f.adult_places,
            child_places: f.child_places,
            cold_extra_places: f.cold_extra_places,
            stay_limit_days: f.stay_limit_days,
            address: if open {
                f.address.clone()
            } else {
                WITHHELD.into()
            },
            address_withheld: !open,
            lon: f.lon.filter(|_| open),
            lat: f.lat.filter(|_| open),
            phone: f.phone.clone(),
            version: f.version,
            adult_places_now: adult_places,
            taken_adults: taken.adults,
            taken_children: taken.children,
            free_adults: adults,
            free_children: children,
            updated_at: f.updated_at,
        }
    }
}

/// The cold-weather mode now.
#[derive(Serialize, ToSchema)]
pub(crate) struct ColdWeatherOut {
    pub on: bool,
    /// What decided it: `switch` (a supervisor), `season`, `temperature`, or `rule` (nothing
    /// turns it on).
    pub source: String,
    /// The supervisor's switch: `auto` (the rule decides), `on` or `off`.
    pub mode: String,
    pub reason: Option<String>,
    pub set_by: Option<String>,
    pub set_at: Option<DateTime<Utc>>,
    /// The latest posted outdoor temperature (°C) and when.
    pub celsius: Option<f64>,
    pub measured_at: Option<DateTime<Utc>>,
    /// The rule: the season (`MM-DD`, empty without one) and the threshold.
    pub season_from: String,
    pub season_to: String,
    pub below_celsius: Option<f64>,
}

/// `GET /api/v1/beds/facilities`.
#[derive(Serialize, ToSchema)]
pub(crate) struct FacilityList {
    pub cold_weather: ColdWeatherOut,
    pub facilities: Vec<FacilityOut>,
}

/// `GET /api/v1/beds/providers`.
#[derive(Serialize, ToSchema)]
pub(crate) struct ProviderList {
    pub providers: Vec<ProviderRecord>,
}

/// An admission.
#[derive(Serialize, ToSchema)]
pub(crate) struct AdmissionOut {
    pub id: Uuid,
    pub facility_id: String,
    /// Initials or pseudonym; `withheld` in a DV shelter unless the caller is EMIU or a
    /// supervisor.
    pub person: String,
    pub item_id: Option<ItemId>,
    pub adults: i64,
    pub children: i64,
    pub admitted_at: DateTime<Utc>,
    /// Admission + the facility's stay limit.
    pub expected_leave: DateTime<Utc>,
    pub admitted_by: String,
    pub discharged_at: Option<DateTime<Utc>>,
    pub discharged_by: Option<String>,
    /// When the person was in (at admission for one admitted in person; later for a bed held
    /// for an outreach item, when the street team brought them).
    pub arrived_at: Option<DateTime<Utc>>,
    /// `held` (a bed held for an outreach item, the person not in yet), `admitted`, or
    /// `released` (discharged: the places are free again).
    pub state: String,
    /// Still in after the expected leave.
    pub overstay: bool,
}

impl AdmissionOut {
    /// The admission as `role` may see it in a facility of `kind`.
    pub(crate) fn shown(a: &AdmissionRecord, kind: &str, role: Role, now: DateTime<Utc>) -> Self {
        let open = rules::may_see_address(role, kind);
        AdmissionOut {
            id: a.id,
            facility_id: a.facility_id.clone(),
            person: if open {
                a.person.clone()
            } else {
                WITHHELD.into()
            },
            item_id: a.item_id.filter(|_| open),
            adults: a.adults,
            children: a.children,
            admitted_at: a.admitted_at,
            expected_leave: a.expected_leave,
            admitted_by: a.admitted_by.clone(),
            discharged_at: a.discharged_at,
            discharged_by: a.discharged_by.clone(),
            arrived_at: a.arrived_at,
            state: rules::admission_state(a.discharged_at.is_some(), a.arrived_at.is_some()).into(),
            overstay: a.discharged_at.is_none() && a.expected_leave < now,
        }
    }
}

/// A facility's open admissions.
#[derive(Serialize, ToSchema)]
pub(crate) struct AdmissionList {
    pub admissions: Vec<AdmissionOut>,
}

/// An admission and the facility after it.
#[derive(Serialize, ToSchema)]
pub(crate) struct AdmissionAnswer {
    pub admission: AdmissionOut,
    pub facility: FacilityOut,
}

/// A night shelter with a free bed, and how far from the person.
#[derive(Serialize, ToSchema)]
pub(crate) struct OutreachShelter {
    pub facility: FacilityOut,
    /// Straight-line metres from the person; absent without both positions.
    pub distance_m: Option<f64>,
}

/// An outreach item: where the person is, the night shelters with a free bed (nearest first),
/// and the beds held for it (given back ones too, `state` `released`).
#[derive(Serialize, ToSchema)]
pub(crate) struct OutreachOut {
    pub item_id: ItemId,
    pub cold_weather: bool,
    pub lon: Option<f64>,
    pub lat: Option<f64>,
    pub shelters: Vec<OutreachShelter>,
    pub held: Vec<AdmissionOut>,
}

/// A bed held for an outreach item and the item after it (assigned to the street team's
/// vehicle when one was named).
#[derive(Serialize, ToSchema)]
pub(crate) struct HoldAnswer {
    pub admission: AdmissionOut,
    pub facility: FacilityOut,
    pub item: Item,
}
