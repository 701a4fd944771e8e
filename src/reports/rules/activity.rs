//! The activity report of a month or quarter (issue 17, point 6), one pure function per
//! section, each over plain facts the service gathers. A new section (a wider bed registry, for
//! instance) is one more function here, one more field of [`ActivityReport`], one more block in
//! [`super::csv`] and in the console's `reports-activity.ts`.
//!
//! Aggregates only: counts and durations, never a name, number or address.

use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::BTreeMap;

use super::answer_times::percentiles;
use super::period::{contains_day, Period};
use crate::domain::{CaseRecord, Details, Item, ItemId};
use crate::transport::model::{Trip, TripStatus};

/// One count under a key (`fall`, `help_given`...), or under two (`category`, `outcome`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub(crate) struct Count {
    pub key: String,
    /// The second key of a two-way table (the outcome of a category), absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sub: Option<String>,
    pub count: u64,
}

/// Counts by key with their total.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub(crate) struct Counts {
    pub total: u64,
    /// Sorted by key (and sub-key).
    pub rows: Vec<Count>,
}

fn counts(map: BTreeMap<(String, Option<String>), u64>) -> Counts {
    Counts {
        total: map.values().sum(),
        rows: map
            .into_iter()
            .map(|((key, sub), count)| Count { key, sub, count })
            .collect(),
    }
}

/// A referral as the report needs it (from the `referrals` table).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct ReferralFact {
    pub service: String,
    pub created_at: DateTime<Utc>,
    pub acknowledged_at: Option<DateTime<Utc>>,
}

/// A case-file record with when it was written and whether its item belongs to a
/// domestic-violence case.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct RecordFact {
    pub item_id: ItemId,
    pub at: DateTime<Utc>,
    pub dv: bool,
    pub record: CaseRecord,
}

/// Referrals of one service: how many, how many acknowledged, and the time to acknowledge.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub(crate) struct ReferralLine {
    pub service: String,
    pub referred: u64,
    pub acknowledged: u64,
    /// Seconds from the referral to its acknowledgement, nearest-rank percentiles.
    pub ack_p50_s: Option<f64>,
    pub ack_p90_s: Option<f64>,
}

/// The EMIU's work: interventions (domestic-violence cases received), how they closed, and what
/// was done (measures, police requests, risk assessments by level, orders, legal steps).
#[derive(Clone, Debug, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub(crate) struct EmiuSection {
    pub interventions: u64,
    /// Interventions by outcome (`open` while not closed).
    pub outcomes: Counts,
    /// Records written in the period on domestic-violence cases: `measure` by its code,
    /// `risk_assessed` by level, `protection_order` by kind, the others by their tag.
    pub measures: Counts,
}

/// Adapted-transport trips of the period's days.
#[derive(Clone, Debug, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub(crate) struct TransportSection {
    pub trips: u64,
    /// Driven to the end (`dropped_off`; a meal delivered).
    pub served: u64,
    pub cancelled: u64,
    /// Cancelled trips by reason code (`unknown` for trips cancelled before reasons existed).
    pub cancelled_by_reason: Counts,
    pub no_shows: u64,
    /// Meals nobody opened the door for.
    pub not_at_home: u64,
    /// Still booked or under way (a period not yet over).
    pub open: u64,
    /// Kilometres driven: not stored per trip by the service, so absent.
    pub km: Option<f64>,
}

/// Shelter beds taken by EMIU placements (`shelter_placement` measures).
#[derive(Clone, Debug, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub(crate) struct BedsSection {
    pub placements: u64,
    /// Places taken (adults and children).
    pub places: u64,
    pub children: u64,
    /// Places by shelter id.
    pub by_shelter: Counts,
}

/// The whole report.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub(crate) struct ActivityReport {
    /// As asked: `2026-11` or `2026-Q4`.
    pub period: String,
    /// `Europe/Bucharest`: the period's bounds are its local midnights.
    pub zone: &'static str,
    pub from: DateTime<Utc>,
    pub until: DateTime<Utc>,
    pub generated_at: DateTime<Utc>,
    /// Calls by category and outcome (`open` while not closed).
    pub calls: Counts,
    /// TeleAsistență alarms by type.
    pub alarms: Counts,
    pub referrals: Vec<ReferralLine>,
    pub emiu: EmiuSection,
    pub transport: TransportSection,
    pub beds: BedsSection,
}

fn outcome(item: &Item) -> String {
    item.outcome.clone().unwrap_or_else(|| "open".into())
}

/// Section: calls received in the period, by category and outcome.
pub(crate) fn calls<'a>(items: impl Iterator<Item = &'a Item>, p: &Period) -> Counts {
    let mut map = BTreeMap::new();
    for i in items.filter(|i| p.contains(i.times.received)) {
        if let Details::Call { .. } = i.details {
            *map.entry((i.category.clone(), Some(outcome(i))))
                .or_default() += 1;
        }
    }
    counts(map)
}

/// Section: alarms received in the period, by type (repeats of an open alarm are one alarm).
pub(crate) fn alarms<'a>(items: impl Iterator<Item = &'a Item>, p: &Period) -> Counts {
    let mut map = BTreeMap::new();
    for i in items.filter(|i| p.contains(i.times.received)) {
        if let Details::Alert { alarm_type, .. } = &i.details {
            *map.entry((alarm_type.to_string(), None)).or_default() += 1;
        }
    }
    counts(map)
}

/// Section: referrals made in the period, by service, with the time each took to be
/// acknowledged.
pub(crate) fn referrals(facts: &[ReferralFact], p: &Period) -> Vec<ReferralLine> {
    let mut by: BTreeMap<&str, Vec<&ReferralFact>> = BTreeMap::new();
    for f in facts.iter().filter(|f| p.contains(f.created_at)) {
        by.entry(&f.service).or_default().push(f);
    }
    by.into_iter()
        .map(|(service, list)| {
            let times: Vec<f64> = list
                .iter()
                .filter_map(|f| {
                    f.acknowledged_at
                        .map(|a| (a - f.created_at).num_milliseconds() as f64 / 1000.0)
                })
                .collect();
            let acknowledged = times.len() as u64;
            let pc = percentiles(times);
            ReferralLine {
                service: service.to_owned(),
                referred: list.len() as u64,
                acknowledged,
                ack_p50_s: pc.p50,
                ack_p90_s: pc.p90,
            }
        })
        .collect()
}

/// Section: EMIU interventions (domestic-violence cases received in the period) and what was
/// recorded on such cases in the period.
pub(crate) fn emiu<'a>(
    items: impl Iterator<Item = &'a Item>,
    records: &[RecordFact],
    p: &Period,
) -> EmiuSection {
    let mut outcomes = BTreeMap::new();
    for i in items.filter(|i| p.contains(i.times.received) && i.dv_case == Some(i.id)) {
        *outcomes.entry((outcome(i), None)).or_default() += 1;
    }
    let mut measures = BTreeMap::new();
    for r in records.iter().filter(|r| r.dv && p.contains(r.at)) {
        let key = match &r.record {
            CaseRecord::Measure { measure, .. } => format!("measure:{measure}"),
            CaseRecord::RiskAssessed { level, .. } => format!("risk_assessed:{level}"),
            CaseRecord::ProtectionOrder { order, .. } => format!("protection_order:{order}"),
            CaseRecord::LegalStep { step, .. } => format!("legal_step:{step}"),
            CaseRecord::PoliceRequest { .. }
            | CaseRecord::OnScene { .. }
            | CaseRecord::AggressorAccommodated { .. }
            | CaseRecord::Report { .. } => r.record.tag().to_owned(),
            _ => continue,
        };
        *measures.entry((key, None)).or_default() += 1;
    }
    let outcomes = counts(outcomes);
    EmiuSection {
        interventions: outcomes.total,
        outcomes,
        measures: counts(measures),
    }
}

/// Section: the trips of the period's days (local dates), by how they ended.
pub(crate) fn transport(trips: &[Trip], p: &Period) -> TransportSection {
    let mut s = TransportSection::default();
    let mut reasons = BTreeMap::new();
    for t in trips.iter().filter(|t| contains_day(p, t.date)) {
        s.trips += 1;
        match t.status {
            TripStatus::DroppedOff => s.served += 1,
            TripStatus::Cancelled => {
                s.cancelled += 1;
                let reason = t
                    .cancellation
                    .as_ref()
                    .and_then(|c| serde_json::to_value(c.reason).ok())
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_else(|| "unknown".into());
                *reasons.entry((reason, None)).or_default() += 1;
            }
            TripStatus::NoShow => s.no_shows += 1,
            TripStatus::NotAtHome => s.not_at_home += 1,
            TripStatus::Booked | TripStatus::Arrived | TripStatus::PickedUp => s.open += 1,
        }
    }
    s.cancelled_by_reason = counts(reasons);
    s
}

/// Section: shelter beds taken by placements recorded in the period (the EMIU's
/// `shelter_placement` measures, with the places each took).
pub(crate) fn beds(records: &[RecordFact], p: &Period) -> BedsSection {
    let mut s = BedsSection::default();
    let mut by = BTreeMap::new();
    for r in records.iter().filter(|r| p.contains(r.at)) {
        if let CaseRecord::Measure {
            shelter_id: Some(shelter),
            places,
            children,
            ..
        } = &r.record
        {
            let places = u64::from(places.unwrap_or(1));
            s.placements += 1;
            s.places += places;
            s.children += u64::from(children.unwrap_or(0));
            *by.entry((shelter.clone(), None)).or_default() += places;
        }
    }
    s.by_shelter = counts(by);
    s
}

/// The facts the report is made of.
pub(crate) struct Facts<'a> {
    pub items: Vec<&'a Item>,
    pub referrals: Vec<ReferralFact>,
    pub records: Vec<RecordFact>,
    pub trips: Vec<Trip>,
}

/// Every section over the facts.
pub(crate) fn report(f: &Facts<'_>, p: &Period, now: DateTime<Utc>) -> ActivityReport {
    ActivityReport {
        period: p.label.clone(),
        zone: super::period::ZONE,
        from: p.from,
        until: p.until,
        generated_at: now,
        calls: calls(f.items.iter().copied(), p),
        alarms: alarms(f.items.iter().copied(), p),
        referrals: referrals(&f.referrals, p),
        emiu: emiu(f.items.iter().copied(), &f.records, p),
        transport: transport(&f.trips, p),
        beds: beds(&f.records, p),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reports::rules::period::parse;

    fn referral(service: &str, at: &str, ack_s: Option<i64>) -> ReferralFact {
        let created_at: DateTime<Utc> = at.parse().unwrap();
        ReferralFact {
            service: service.into(),
            created_at,
            acknowledged_at: ack_s.map(|s| created_at + chrono::Duration::seconds(s)),
        }
    }

    #[test]
    fn referrals_count_in_the_local_month_with_their_acknowledgement_times() {
        let p = parse(Some("2026-11"), None).unwrap();
        let facts = [
            // 00:30 on 1 November in Timișoara: November.
            referral("housing", "2026-10-31T22:30:00Z", Some(60)),
            referral("housing", "2026-11-10T10:00:00Z", Some(120)),
            referral("housing", "2026-11-11T10:00:00Z", None),
            // 23:59 on 31 October in Timișoara: October.
            referral("housing", "2026-10-31T21:59:00Z", Some(5)),
            // 00:10 on 1 December in Timișoara: December.
            referral("child", "2026-11-30T22:10:00Z", Some(5)),
        ];
        let lines = referrals(&facts, &p);
        assert_eq!(lines.len(), 1);
        assert_eq!(
            lines[0],
            ReferralLine {
                service: "housing".into(),
                referred: 3,
                acknowledged: 2,
                ack_p50_s: Some(60.0),
                ack_p90_s: Some(120.0),
            }
        );
    }

    #[test]
    fn placements_count_their_places_per_shelter() {
        let p = parse(None, Some("2026-Q4")).unwrap();
        let rec = |at: &str, shelter: &str, places: u32, children: u32| RecordFact {
            item_id: ItemId::new(),
            at: at.parse().unwrap(),
            dv: true,
            record: CaseRecord::Measure {
                measure: "shelter_placement".into(),
                shelter_id: Some(shelter.into()),
                note: String::new(),
                places: Some(places),
                children: Some(children),
            },
        };
        let records = [
            rec("2026-10-02T08:00:00Z", "ADP-1", 3, 2),
            rec("2026-12-20T08:00:00Z", "ADP-2", 1, 0),
            rec("2027-01-02T08:00:00Z", "ADP-2", 4, 0),
        ];
        let b = beds(&records, &p);
        assert_eq!((b.placements, b.places, b.children), (2, 4, 2));
        assert_eq!(b.by_shelter.rows[0].key, "ADP-1");
        assert_eq!(b.by_shelter.rows[0].count, 3);
        let m = emiu(std::iter::empty(), &records, &p);
        assert_eq!(m.measures.rows[0].key, "measure:shelter_placement");
        assert_eq!(m.measures.rows[0].count, 2);
    }
}
