//! Outreach in cold weather: while the mode is on, each open call about a person sleeping rough
//! becomes one outreach item for the street team (rule `beds-outreach`), naming the nearest
//! night shelter with a free bed; holding that bed admits the person there at once and assigns
//! the street team's vehicle to the item, so the place and the ride are both real.

use routing::travel::LonLat;
use tokio_util::sync::CancellationToken;
use tracing::{info, warn};

use crate::beds::registry::{self, Admission};
use crate::beds::rules::{self, Free};
use crate::config::BedsConfig;
use crate::core::state::StateView;
use crate::core::{Command, CoreHandle, Outcome};
use crate::domain::{CallCategory, Details, Item, ItemId, ResourceId, Status};
use crate::error::{Error, Result};
use crate::store::beds::{AdmissionRecord, FacilityRecord};
use crate::store::EmergencyStore;

/// The incident code of an outreach item (the rule `beds-outreach` matches it).
pub(crate) const CODE: &str = "outreach";

/// The key of the outreach item of a call: one per call, whichever instance raises it.
pub(crate) fn key(call: ItemId) -> String {
    format!("beds-outreach:{call}")
}

/// The open calls about a person sleeping rough.
fn sleeping_rough_calls(core: &CoreHandle) -> Vec<ItemId> {
    core.read(|s| {
        s.items()
            .filter(|i| i.status != Status::Closed)
            .filter(|i| {
                matches!(
                    i.details,
                    Details::Call {
                        category: CallCategory::SleepingRough,
                        ..
                    }
                )
            })
            .map(|i| i.id)
            .collect()
    })
}

/// Where the person is: the item's subject, else the call's own location, else the related
/// call's.
pub(crate) fn position(core: &CoreHandle, item: &Item) -> Option<LonLat> {
    let own = |i: &Item| {
        i.subject
            .as_ref()
            .and_then(|s| s.position)
            .or(match &i.details {
                Details::Call { location, .. } => location.as_ref().and_then(|l| l.position),
                _ => None,
            })
    };
    own(item).or_else(|| match &item.details {
        Details::Incident {
            related: Some(r), ..
        } => core.read(|s| s.item(r).and_then(own)),
        _ => None,
    })
}

/// The night shelters with a free bed, nearest to `from` first.
pub(crate) async fn nearest(
    store: &dyn EmergencyStore,
    config: &BedsConfig,
    from: Option<LonLat>,
) -> Result<Vec<(FacilityRecord, Free, Option<f64>)>> {
    let cold = crate::beds::cold::is_on(store, &config.cold_weather).await?;
    let all = store.facilities().await?;
    Ok(rules::nearest_night_shelters(
        from.map(|p| (p.lon, p.lat)),
        &all,
        cold,
    ))
}

/// The outreach item's description: the nearest night shelter with a free bed (a name and a
/// count, no personal data), or that none has one.
fn description(best: Option<&(FacilityRecord, Free, Option<f64>)>) -> String {
    match best {
        Some((f, free, d)) => format!(
            "Echipa stradală: adăpost de noapte cel mai apropiat cu loc liber: {} ({} locuri{})",
            f.name,
            free.adults,
            d.map(|m| format!(", {:.1} km", m / 1000.0))
                .unwrap_or_default()
        ),
        None => "Echipa stradală: niciun adăpost de noapte cu loc liber".into(),
    }
}

/// Raises the outreach item of every open sleeping-rough call that has none, if the mode is on.
/// Idempotent across instances: the item's key is the call's.
pub(crate) async fn raise_outreach(
    store: &dyn EmergencyStore,
    core: &CoreHandle,
    config: &BedsConfig,
) -> anyhow::Result<usize> {
    if !crate::beds::cold::is_on(store, &config.cold_weather).await? {
        return Ok(0);
    }
    let mut raised = 0;
    for call in sleeping_rough_calls(core) {
        let Some(item) = core.read(|s| s.item(&call).cloned()) else {
            continue;
        };
        let best = nearest(store, config, position(core, &item)).await?;
        let out = core
            .execute(
                "system",
                Command::Create {
                    details: Details::Incident {
                        reported_by: "beds".into(),
                        description: description(best.first()),
                        related: Some(call),
                        code: Some(CODE.into()),
                    },
                    subject: None,
                    key: Some(key(call)),
                    rate_limited: false,
                },
            )
            .await?;
        if let Outcome::Item { created: true, .. } = out {
            raised += 1;
        }
    }
    Ok(raised)
}

/// Starts the task that raises outreach items every `outreach_interval_ms` until `shutdown`.
pub(crate) fn spawn(
    store: std::sync::Arc<dyn EmergencyStore>,
    core: CoreHandle,
    config: BedsConfig,
    shutdown: CancellationToken,
) {
    tokio::spawn(async move {
        let every = std::time::Duration::from_millis(config.outreach_interval_ms);
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = shutdown.cancelled() => break,
                _ = tick.tick() => match raise_outreach(store.as_ref(), &core, &config).await {
                    Ok(0) => {}
                    Ok(n) => info!(raised = n, "outreach items raised"),
                    Err(e) => warn!(error = %e, "outreach items could not be raised; will retry"),
                },
            }
        }
    });
}

/// Whether the item is an outreach item.
pub(crate) fn is_outreach(item: &Item) -> bool {
    matches!(&item.details, Details::Incident { code: Some(c), .. } if c == CODE)
}

/// Holds a bed in the night shelter for the person of the outreach item (an admission linked to
/// the item, counted like any other) and assigns the street team's vehicle to the item to take
/// them there. If the assignment is refused (the vehicle is busy) the bed is given back.
pub(crate) async fn hold(
    store: &dyn EmergencyStore,
    core: &CoreHandle,
    config: &BedsConfig,
    actor: &str,
    item: &Item,
    facility_id: String,
    vehicle: Option<ResourceId>,
) -> Result<(AdmissionRecord, FacilityRecord, Outcome)> {
    if !is_outreach(item) {
        return Err(Error::validation("id", "is not an outreach item"));
    }
    let facility = store
        .facility(&facility_id)
        .await?
        .ok_or_else(|| Error::validation("facility_id", "unknown facility"))?;
    if facility.kind != "night_shelter" {
        return Err(Error::validation("facility_id", "must be a night shelter"));
    }
    let person = format!("stradal {}", &item.id.to_string()[..8]);
    let cold = crate::beds::cold::is_on(store, &config.cold_weather).await?;
    let (admission, facility) = registry::admit(
        store,
        cold,
        actor,
        Admission {
            facility_id,
            person,
            item_id: Some(item.id),
            adults: 1,
            children: 0,
            held: true,
        },
    )
    .await?;
    // The ride: the street team's vehicle assigned to the item (a 409 if it is busy). Sending
    // it is taking the item: a new one is acknowledged by whoever holds the bed.
    if vehicle.is_some() && item.status == Status::New {
        if let Err(e) = core
            .execute(actor, Command::Acknowledge { item_id: item.id })
            .await
        {
            registry::discharge(store, actor, admission.id).await?;
            return Err(e.into());
        }
    }
    let assigned = match vehicle {
        Some(v) => core
            .execute(
                actor,
                Command::Assign {
                    item_id: item.id,
                    resources: vec![v],
                },
            )
            .await
            .map(Some),
        None => Ok(None),
    };
    if let Err(e) = assigned {
        registry::discharge(store, actor, admission.id).await?;
        return Err(e.into());
    }
    // Where the bed is, on the item (a shelter's name, no personal data); once per hold.
    let noted = core
        .execute(
            actor,
            Command::AddNoteOnce {
                item_id: item.id,
                text: format!("Pat rezervat: {}", facility.name),
                key: format!("beds-hold:{}", admission.id),
            },
        )
        .await?;
    Ok((admission, facility, noted))
}
