//! A case as the EMIU team works it: where it is, the team's route there, and the measures it
//! records (a shelter placement takes one of the shelter's free places).

use routing::network::{ProfileId, RoadNetwork, Route};
use routing::travel::LonLat;

use crate::access::Caller;
use crate::core::state::StateView;
use crate::core::CoreHandle;
use crate::domain::{CaseRecord, Details, Item, ItemId, ResourceId, ResourceKind};
use crate::error::{Error, Result};
use crate::referrals::case_file;
use crate::store::emergency::ShelterRecord;
use crate::store::EmergencyStore;

/// Where the team goes: the item's subject (the geocoded address of a call, the beneficiary's
/// home), else the call's location, or the home of the alarm's beneficiary in the registry.
pub(crate) async fn destination(
    emergency: &dyn EmergencyStore,
    item: &Item,
) -> Result<Option<LonLat>> {
    if let Some(p) = item.subject.as_ref().and_then(|s| s.position) {
        return Ok(Some(p));
    }
    Ok(match &item.details {
        Details::Call { location, .. } => location.as_ref().and_then(|l| l.position),
        Details::Alert { device_id, .. } => emergency
            .device(device_id)
            .await?
            .and_then(|d| d.lon.zip(d.lat))
            .map(|(lon, lat)| LonLat::new(lon, lat)),
        _ => None,
    })
}

/// The team the route starts from: the caller's own, else the first EMIU team on the case.
pub(crate) fn team_position(
    core: &CoreHandle,
    caller: &Caller,
    item: &Item,
) -> Option<(String, LonLat)> {
    core.read(|s| {
        let own = caller.resource.as_ref().map(|r| ResourceId(r.clone()));
        own.iter()
            .chain(item.assigned_to.iter())
            .filter_map(|id| s.resource(id))
            .find(|r| r.kind == ResourceKind::EmiuTeam)
            .and_then(|r| r.position.map(|p| (r.id.0.clone(), p)))
    })
}

/// A team's route to the case, departing now.
pub(crate) struct TeamRoute {
    pub team: String,
    pub from: LonLat,
    pub to: LonLat,
    pub route: Route,
}

/// The route from the team at `from` to `to` over `network`, or the code of why there is none
/// (`no_route`, `no_case_position`, `no_team_position`, `network_loading`: the console
/// translates it).
pub(crate) fn route(
    from: Option<(String, LonLat)>,
    to: Option<LonLat>,
    network: Option<&RoadNetwork>,
) -> Result<TeamRoute, &'static str> {
    match (from, to, network) {
        (Some((team, from)), Some(to), Some(net)) => {
            let now = chrono::Utc::now().with_timezone(&chrono_tz::Europe::Bucharest);
            let second = chrono::Timelike::num_seconds_from_midnight(&now);
            net.route(ProfileId::EmiuCar, from, to, second)
                .map(|route| TeamRoute {
                    team,
                    from,
                    to,
                    route,
                })
                .ok_or("no_route")
        }
        (_, None, _) => Err("no_case_position"),
        (None, _, _) => Err("no_team_position"),
        (_, _, None) => Err("network_loading"),
    }
}

/// Where a placement goes and how many it places.
pub(crate) struct Placement {
    pub shelter: String,
    pub adults: u32,
    pub children: u32,
}

/// Records a measure on the case as `actor`. A placement admits the adults and the children
/// with them to the DV shelter of the bed registry at once (adults against adult places,
/// children against child places; 409 `shelter_full` when it has fewer free), discharged again
/// if the record fails; the shelter after it. One count of places: the registry's.
pub(crate) async fn record_measure(
    emergency: &dyn EmergencyStore,
    core: &CoreHandle,
    actor: &str,
    item_id: ItemId,
    measure: String,
    placement: Option<Placement>,
    note: String,
) -> Result<Option<ShelterRecord>> {
    let mut taken = None;
    let mut counts = None;
    if let Some(p) = placement {
        let sid = p.shelter;
        let places = crate::emiu::rules::places_needed(p.adults, p.children)?;
        let known = emergency.facility(&sid).await?;
        if known.is_none_or(|f| f.kind != "dv_shelter") {
            return Err(Error::validation("shelter_id", "unknown shelter"));
        }
        let admitted = crate::beds::registry::admit(
            emergency,
            false,
            actor,
            crate::beds::registry::Admission {
                facility_id: sid.clone(),
                person: format!("EMIU {}", &item_id.to_string()[..8]),
                item_id: Some(item_id),
                adults: i64::from(p.adults),
                children: i64::from(p.children),
                held: false,
            },
        )
        .await;
        let (admission, _) = match admitted {
            Err(Error::ConflictBecause { .. }) => {
                return Err(Error::ConflictBecause {
                    reason: "shelter_full",
                    message: format!("shelter {sid} has fewer than {places} free places"),
                })
            }
            other => other?,
        };
        taken = Some(admission);
        counts = Some((places as u32, p.children));
    }
    let record = CaseRecord::Measure {
        measure,
        shelter_id: taken.as_ref().map(|a| a.facility_id.clone()),
        note,
        places: counts.map(|c| c.0),
        children: counts.map(|c| c.1),
    };
    if let Err(e) = case_file::record(core, actor, item_id, record).await {
        // The placement was not recorded: give the places back.
        if let Some(a) = &taken {
            crate::beds::registry::discharge(emergency, actor, a.id).await?;
        }
        return Err(e);
    }
    match taken {
        Some(a) => Ok(Some(
            crate::beds::registry::dv_shelter(emergency, &a.facility_id).await?,
        )),
        None => Ok(None),
    }
}
