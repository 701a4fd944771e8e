//! Providers, facilities, admissions and discharges: the use cases of the bed registry.

use chrono::Utc;
use uuid::Uuid;

use crate::beds::rules;
use crate::domain::ItemId;
use crate::error::{Error, Result};
use crate::store::beds::{AdmissionRecord, Admitted, FacilityRecord, Occupancy};
use crate::store::emergency::ShelterRecord;
use crate::store::EmergencyStore;

/// An admission asked for, its fields already parsed.
pub(crate) struct Admission {
    pub facility_id: String,
    pub person: String,
    pub item_id: Option<ItemId>,
    pub adults: i64,
    pub children: i64,
    /// A bed held for someone on the way (outreach): counted now, the person not in yet.
    pub held: bool,
}

/// Admits the person and the children with them if they fit: free places are counted from the
/// open admissions in the admitting transaction (the cold-weather extra counted if the mode is
/// on: `cold`), so two admissions cannot both take the last place. 404 for an unknown
/// facility, 409 `no_free_place` when it has fewer free places than asked for.
pub(crate) async fn admit(
    store: &dyn EmergencyStore,
    cold: bool,
    actor: &str,
    a: Admission,
) -> Result<(AdmissionRecord, FacilityRecord)> {
    let facility = store
        .facility(&a.facility_id)
        .await?
        .ok_or_else(|| Error::NotFound(format!("no facility {}", a.facility_id)))?;
    let now = Utc::now();
    let record = AdmissionRecord {
        id: Uuid::now_v7(),
        facility_id: a.facility_id.clone(),
        person: a.person,
        item_id: a.item_id,
        adults: a.adults,
        children: a.children,
        admitted_at: now,
        expected_leave: rules::expected_leave(now, facility.stay_limit_days),
        admitted_by: actor.to_owned(),
        discharged_at: None,
        discharged_by: None,
        arrived_at: (!a.held).then_some(now),
        arrived_by: (!a.held).then(|| actor.to_owned()),
    };
    let (adults, children) = (a.adults, a.children);
    let fits = move |f: &FacilityRecord, taken| rules::fits(f, taken, cold, adults, children);
    match store.admit(&record, &fits).await? {
        Admitted::Done(r) => Ok((*r, facility)),
        Admitted::UnknownFacility => Err(Error::NotFound(format!(
            "no facility {}",
            a.facility_id
        ))),
        Admitted::Full => Err(Error::ConflictBecause {
            reason: "no_free_place",
            message: format!(
                "facility {} has fewer free places than {adults} adult(s) and {children} child(ren)",
                a.facility_id
            ),
        }),
    }
}

/// Discharges an admission (its places are free at once); a second discharge answers the
/// first one unchanged. 404 when unknown.
pub(crate) async fn discharge(
    store: &dyn EmergencyStore,
    actor: &str,
    id: Uuid,
) -> Result<AdmissionRecord> {
    store
        .discharge(id, actor, Utc::now())
        .await?
        .ok_or_else(|| Error::NotFound(format!("no admission {id}")))
}

/// Records that the person of a held bed is in (the street team brought them). Recording it
/// again answers the admission unchanged; 404 for an unknown admission, 409 `released` when the
/// bed was given back first.
pub(crate) async fn arrive(
    store: &dyn EmergencyStore,
    actor: &str,
    id: Uuid,
) -> Result<AdmissionRecord> {
    let a = store
        .mark_arrived(id, actor, Utc::now())
        .await?
        .ok_or_else(|| Error::NotFound(format!("no admission {id}")))?;
    if a.arrived_at.is_none() {
        return Err(Error::ConflictBecause {
            reason: "released",
            message: "the bed was given back before the person arrived".into(),
        });
    }
    Ok(a)
}

/// The DV shelters as the EMIU sees them (`ShelterRecord`: places and free places, adults' and
/// children's added up; never the address). Cold weather opens no place in them.
pub(crate) async fn dv_shelters(store: &dyn EmergencyStore) -> Result<Vec<ShelterRecord>> {
    Ok(store
        .facilities()
        .await?
        .iter()
        .filter(|(f, _)| f.kind == "dv_shelter")
        .map(|(f, taken)| shelter_record(f, *taken))
        .collect())
}

/// A DV shelter as the EMIU sees it.
pub(crate) fn shelter_record(f: &FacilityRecord, taken: Occupancy) -> ShelterRecord {
    let free = rules::free(f, taken, false);
    ShelterRecord {
        id: f.id.clone(),
        name: f.name.clone(),
        capacity: f.adult_places + f.child_places,
        free_places: free.adults + free.children,
        free_adult_places: free.adults,
        free_child_places: free.children,
    }
}

/// The DV shelter as it is now (after a placement).
pub(crate) async fn dv_shelter(store: &dyn EmergencyStore, id: &str) -> Result<ShelterRecord> {
    store
        .facilities()
        .await?
        .iter()
        .find(|(f, _)| f.id == id)
        .map(|(f, taken)| shelter_record(f, *taken))
        .ok_or_else(|| Error::NotFound(format!("no facility {id}")))
}
