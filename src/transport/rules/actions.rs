//! The driver's actions as rules: which step may follow a trip's status, what it records on
//! the trip, and the queue item a no-show or an incident opens.

use chrono::{DateTime, Utc};

use crate::error::{Error, Result};
use crate::events::ActionKind;
use crate::transport::model::{Trip, TripKind, TripStatus};

/// The incident codes the tablet offers, in its order.
pub(crate) const INCIDENT_CODES: &[&str] = &[
    "breakdown",
    "accident",
    "rider_unwell",
    "aggression",
    "road_blocked",
    "other",
];

/// The label of an incident kind (one of [`INCIDENT_CODES`]), for the queue item.
pub(crate) fn incident_label(kind: &str) -> Option<&'static str> {
    match kind {
        "breakdown" => Some("defecțiune vehicul"),
        "accident" => Some("accident"),
        "rider_unwell" => Some("pasager cu probleme de sănătate"),
        "aggression" => Some("agresiune"),
        "road_blocked" => Some("drum blocat"),
        "other" => Some("alt incident"),
        _ => None,
    }
}

/// Whether an incident of this code must say what happened: "other" says nothing by itself.
pub(crate) fn incident_needs_text(kind: &str) -> bool {
    kind == "other"
}

/// Applies an action to its trip: the next status (409 when the step does not follow the
/// trip's status) and the time or reason it records.
pub(crate) fn apply(
    t: &mut Trip,
    kind: ActionKind,
    at: DateTime<Utc>,
    reason: Option<&String>,
) -> Result<()> {
    use TripStatus::*;
    if kind == ActionKind::NotAtHome && t.kind != TripKind::Meal {
        return Err(Error::validation(
            "kind",
            "not_at_home is for a meal round's deliveries",
        ));
    }
    let next = match (kind, t.status) {
        (ActionKind::Arrived, Booked) => Some(Arrived),
        (ActionKind::PickedUp, Booked | Arrived) => Some(PickedUp),
        (ActionKind::NoShow, Booked | Arrived) => Some(NoShow),
        (ActionKind::DroppedOff, PickedUp) => Some(DroppedOff),
        (ActionKind::Incident | ActionKind::Emergency, _) => None,
        // The meal was collected at the canteen (or the driver skipped that step): either way
        // nobody took it at the door.
        (ActionKind::NotAtHome, Booked | Arrived | PickedUp) => Some(NotAtHome),
        (kind, status) => {
            return Err(Error::Conflict(format!(
                "trip {} is {}: {} is not possible",
                t.id,
                status.as_str(),
                kind.as_str()
            )))
        }
    };
    if let Some(s) = next {
        t.status = s;
    }
    match kind {
        ActionKind::Arrived => t.arrived_at = Some(at),
        ActionKind::PickedUp => t.picked_up_at = Some(at),
        ActionKind::DroppedOff => t.dropped_off_at = Some(at),
        ActionKind::NoShow | ActionKind::NotAtHome => t.no_show_reason = reason.cloned(),
        ActionKind::Incident | ActionKind::Emergency => {}
    }
    Ok(())
}

/// The description of the queue item a no-show, an incident or a meal's "not at home" (a
/// welfare check: the client may need help) opens; `None` for other steps.
pub(crate) fn queue_description(
    kind: ActionKind,
    vehicle: &str,
    trip_id: Option<&str>,
    incident: Option<&str>,
    reason: Option<&str>,
) -> Option<String> {
    let reason = reason.map(|r| format!(": {r}")).unwrap_or_default();
    match kind {
        ActionKind::NoShow => Some(format!(
            "Neprezentare: cursa {}, {vehicle}{reason}",
            trip_id.unwrap_or("-"),
        )),
        ActionKind::Incident => Some(format!(
            "Incident {vehicle}: {}{}{reason}",
            incident.unwrap_or("incident"),
            trip_id.map(|t| format!(", cursa {t}")).unwrap_or_default(),
        )),
        ActionKind::Emergency => Some(format!(
            "URGENȚĂ ȘOFER {vehicle}{}{reason}",
            trip_id.map(|t| format!(", cursa {t}")).unwrap_or_default(),
        )),
        ActionKind::NotAtHome => Some(format!(
            "Verificare bunăstare: beneficiarul nu a răspuns la livrarea mesei, cursa {}, {vehicle}{reason}",
            trip_id.unwrap_or("-"),
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_offered_incident_code_has_a_label_and_only_other_needs_text() {
        for code in INCIDENT_CODES {
            assert!(incident_label(code).is_some(), "{code}");
            assert_eq!(incident_needs_text(code), *code == "other");
        }
        assert!(incident_label("emergency").is_none());
    }
}
