//! The activity report's use case: gathers the period's facts (items from the live state;
//! referrals, case-file records and trips from the store) and hands them to the pure sections
//! in [`super::rules::activity`].

use chrono::{DateTime, Utc};

use super::rules::activity::{report, ActivityReport, Facts, RecordFact, ReferralFact};
use super::rules::period::Period;
use crate::core::state::StateView;
use crate::core::CoreHandle;
use crate::events::Event;
use crate::store::{EmergencyStore, StoreError};

/// The report of `period` as of `now`.
pub(crate) async fn build(
    core: &CoreHandle,
    store: &dyn EmergencyStore,
    period: &Period,
    now: DateTime<Utc>,
) -> Result<ActivityReport, StoreError> {
    let referrals = store
        .referrals_between(period.from, period.until)
        .await?
        .into_iter()
        .map(|(service, created_at, acknowledged_at)| ReferralFact {
            service,
            created_at,
            acknowledged_at,
        })
        .collect();
    let records = store
        .case_records_between(period.from, period.until)
        .await?;
    let trips = store
        .trips_between(period.first_day, period.next_day)
        .await?;
    Ok(core.read(|s| {
        let records = records
            .into_iter()
            .filter_map(|e| match e.event {
                Event::CaseRecorded { item_id, record } => Some(RecordFact {
                    item_id,
                    at: e.at,
                    dv: s.item(&item_id).is_some_and(|i| i.dv_case.is_some()),
                    record,
                }),
                _ => None,
            })
            .collect();
        let facts = Facts {
            items: s.items().collect(),
            referrals,
            records,
            trips,
        };
        report(&facts, period, now)
    }))
}
