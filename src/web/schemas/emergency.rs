//! Shapes of the emergency-workflow answers (TeleAsistență, EMIU, referrals, answer-time
//! reports): the handlers return them, so the document describes what is sent.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Schema, Type};
use utoipa::ToSchema;

use super::common::StreetLeg;
use crate::domain::geo::LonLat;
use crate::domain::{CaseRecord, Item, ItemId, Level, Resource, Seq, Status};
use crate::emiu::risk::RiskItem;
use crate::reports::rules::ChannelReport;
use crate::store::emergency::{DeviceRecord, FollowUpRecord, ReferralRecord, ShelterRecord};

/// A device without personal data.
#[derive(Serialize, ToSchema)]
pub struct DeviceSummary {
    pub device_id: String,
    pub checkin_period_s: i64,
    pub last_checkin_at: DateTime<Utc>,
    pub battery_pct: Option<i32>,
}

#[derive(Serialize, ToSchema)]
pub struct DeviceList {
    pub devices: Vec<DeviceSummary>,
}

/// An open alarm of a device.
#[derive(Serialize, ToSchema)]
pub struct OpenAlarm {
    pub id: ItemId,
    pub category: String,
    pub status: Status,
    pub level: Level,
}

/// A device, its beneficiary and carers (personal data: the read is audited), and its open
/// alarms.
#[derive(Serialize, ToSchema)]
pub struct DeviceView {
    pub device: DeviceRecord,
    pub open_items: Vec<OpenAlarm>,
}

/// Whose number it is, and the latest 50 items from it that the caller may see.
#[derive(Serialize, ToSchema)]
pub struct LookupAnswer {
    /// The number, normalised.
    pub phone: String,
    pub devices: Vec<DeviceRecord>,
    pub history: Vec<Item>,
}

/// A recorded check-in.
#[derive(Serialize, ToSchema)]
pub struct CheckinAnswer {
    pub device_id: String,
    pub last_checkin_at: DateTime<Utc>,
    /// When silence becomes a `missed_checkin` item.
    pub missed_after: DateTime<Utc>,
    /// The low-battery item this check-in raised, if any.
    pub low_battery_item: Option<ItemId>,
}

/// The TeleAsistență steps and closing outcome codes, in the order the console offers them.
#[derive(Serialize, ToSchema)]
pub struct Workflow {
    pub steps: Vec<String>,
    pub outcomes: Vec<String>,
}

/// The EMIU teams.
#[derive(Serialize, ToSchema)]
pub struct Roster {
    pub teams: Vec<Resource>,
}

/// The risk-assessment form: score at least `medium_from` is medium, `high_from` high.
#[derive(Serialize, ToSchema)]
pub struct RiskForm {
    pub items: Vec<RiskItem>,
    pub medium_from: u32,
    pub high_from: u32,
    /// The items that set the level high whatever the score.
    pub red_flags: Vec<String>,
}

/// One entry of a case file, redacted unless the caller sees the case in full.
#[derive(Serialize, ToSchema)]
pub struct CaseFileEntry {
    pub seq: Seq,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub record: CaseRecord,
}

/// The route from the EMIU team to the case.
#[derive(Serialize, ToSchema)]
pub struct TeamRoute {
    pub from_team: String,
    pub from: LonLat,
    pub to: LonLat,
    pub duration_s: f64,
    pub distance_m: f64,
    pub geometry: Vec<LonLat>,
    pub streets: Vec<StreetLeg>,
    pub attribution: String,
}

/// Why there is no route, as a code the console translates.
#[derive(Serialize, ToSchema)]
pub struct RouteUnavailable {
    #[schema(example = "no_case_position")]
    pub unavailable: String,
}

#[derive(Serialize, ToSchema)]
#[serde(untagged)]
pub enum CaseRoute {
    Route(TeamRoute),
    Unavailable(RouteUnavailable),
}

/// An EMIU case: the item, its file, the route from the team (`null` unless the caller sees
/// the case in full) and the shelters' free places.
#[derive(Serialize, ToSchema)]
pub struct EmiuCase {
    pub item: Item,
    pub case_file: Vec<CaseFileEntry>,
    pub route: Option<CaseRoute>,
    pub shelters: Vec<ShelterRecord>,
    /// Hazards noted at this address or next to it, on this case or any other (empty unless
    /// the caller sees the case in full).
    pub hazards: Vec<crate::store::emiu::HazardRecord>,
    /// The latest risk assessment (the file keeps them all), redacted like the file.
    pub latest_risk: Option<CaseRecord>,
    /// The latest count of children present (0 when none recorded; hidden when redacted).
    pub children_present: Option<u32>,
}

/// A recorded risk assessment (`record` is `risk_assessed`).
#[derive(Serialize, ToSchema)]
pub struct RiskAnswer {
    pub item_id: ItemId,
    pub assessment: CaseRecord,
}

/// A recorded measure; `shelter` is the shelter after a placement took one of its places.
#[derive(Serialize, ToSchema)]
pub struct MeasureAnswer {
    pub item_id: ItemId,
    pub shelter: Option<ShelterRecord>,
}

/// Shelters and their free places (addresses are never served).
#[derive(Serialize, ToSchema)]
pub struct ShelterList {
    pub shelters: Vec<ShelterRecord>,
}

/// The services cases are referred to.
#[derive(Serialize, ToSchema)]
pub struct ServiceList {
    pub services: Vec<crate::store::ServiceEntry>,
}

#[derive(Serialize, ToSchema)]
pub struct ReferralList {
    pub item_id: ItemId,
    pub referrals: Vec<ReferralRecord>,
}

#[derive(Serialize, ToSchema)]
pub struct FollowUpList {
    pub item_id: ItemId,
    pub follow_ups: Vec<FollowUpRecord>,
}

/// The numbers now marked 'do not call back / no SMS'.
#[derive(Serialize, ToSchema)]
pub struct SafeContactAnswer {
    pub item_id: ItemId,
    pub blocked: Vec<String>,
}

/// Answer times per channel over a period.
#[derive(Serialize, ToSchema)]
pub struct AnswerTimes {
    pub since: DateTime<Utc>,
    pub until: DateTime<Utc>,
    /// Width of a histogram bucket, seconds.
    pub bucket_s: f64,
    pub channels: Vec<ChannelReport>,
}

/// A phone number as the API parses it (spaces, dashes, dots and brackets aside).
pub const PHONE_PATTERN: &str = r"^\+?[0-9]{3,15}$";

/// A string that is one of `values`: the vocabularies kept as constants beside their handlers,
/// so the document cannot drift from them.
fn one_of<'a>(values: impl IntoIterator<Item = &'a str>) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(values))
}

/// `yes` of the risk form: ids of its questions.
pub fn risk_answers() -> Schema {
    let ids = crate::emiu::risk::ITEMS.iter().map(|i| i.id);
    ArrayBuilder::new()
        .items(one_of(ids))
        .max_items(Some(crate::emiu::risk::ITEMS.len() * 2))
        .into()
}

/// The measures an EMIU team records.
pub fn measures() -> Schema {
    one_of(crate::emiu::rules::MEASURES.iter().copied()).into()
}

/// The steps of the TeleAsistență workflow.
pub fn steps() -> Schema {
    one_of(crate::teleasistenta::rules::steps::STEPS.iter().copied()).into()
}

/// At most 5 further numbers to protect.
pub fn phones() -> Schema {
    ArrayBuilder::new()
        .items(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .pattern(Some(PHONE_PATTERN)),
        )
        .max_items(Some(5))
        .into()
}
