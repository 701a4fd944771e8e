//! The outcome codes an item is closed with, per kind of work. A closed item's outcome is one of
//! its kind's codes, so the answer-time and activity reports can count outcomes without reading
//! free text; anything worth saying beyond the code goes in a note.
//!
//! The console offers the same lists (`dispatch-console/src/types.ts`, `OUTCOMES`); a test below
//! fails when the two differ.

use super::ItemKind;

/// TeleAsistență alarms (the telecare outcome categories: a false or test alarm, help given by
/// phone, a carer or neighbour attended, taken to hospital, found deceased, nobody answered, a
/// device fault).
pub const ALERT: &[&str] = &[
    "false_alarm",
    "help_given",
    "carer_attended",
    "hospital",
    "deceased",
    "no_answer",
    "technical",
    "other",
];

/// Calls to the social-emergency line.
pub const CALL: &[&str] = &[
    "advice_given",
    "referred",
    "emiu_sent",
    "police_112",
    "ambulance_112",
    "no_action_needed",
    "prank",
    "other",
];

/// Transport bookings taken as queue items.
pub const BOOKING: &[&str] = &["trip_done", "cancelled", "not_served", "other"];

/// Callbacks (missed calls, keep-in-contact follow-ups).
pub const CALLBACK: &[&str] = &["reached", "no_answer", "referred", "other"];

/// Transport incidents and no-shows, missed check-ins and low batteries.
pub const INCIDENT: &[&str] = &[
    "resolved",
    "vehicle_replaced",
    "rider_transferred",
    "hospital",
    "technical",
    "other",
];

/// How the EMIU team closes its own case (a domestic-violence case, whatever the item's kind):
/// the victim placed in a shelter, a safety plan with the victim at home, referred to services,
/// the police took over, medical care, the victim declined help, nobody found, other.
pub const EMIU: &[&str] = &[
    "victim_placed",
    "safety_plan",
    "referred_services",
    "police_took_over",
    "medical_care",
    "victim_declined",
    "not_found",
    "other",
];

/// Outcomes the service closes an item with by itself, never offered in the console's close form
/// (which is why they are not in `OUTCOMES` of types.ts); the console translates them like the
/// others. `missed_call`: the caller hung up, or nobody answered, before a dispatcher took the
/// ringing call card; the card is settled and the callback item (or a note, for a number that
/// cannot be called back) carries the follow-up. `policy_suspended` / `policy_waived`: the
/// supervisor suspended or waived a rider the transport policy flagged; the flag item closes
/// itself with the decision. `action_refused`: a driver's no-show, "not at home" or incident
/// on a trip that was cancelled or changed meanwhile is refused (409 `trip_changed`), and the
/// queue item it had opened closes itself with a note saying why.
pub const SYSTEM: &[&str] = &[
    "missed_call",
    "policy_suspended",
    "policy_waived",
    "action_refused",
];

/// The codes an item of this kind may be closed with.
pub fn for_kind(kind: ItemKind) -> &'static [&'static str] {
    match kind {
        ItemKind::Alert => ALERT,
        ItemKind::Call => CALL,
        ItemKind::Booking => BOOKING,
        ItemKind::Callback => CALLBACK,
        ItemKind::Incident => INCIDENT,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The console's `OUTCOMES` object, kind by kind, as written in types.ts.
    fn console_lists() -> Vec<(String, Vec<String>)> {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/dispatch-console/src/types.ts");
        let text = std::fs::read_to_string(path).expect("read the console's types.ts");
        let start = text
            .find("export const OUTCOMES")
            .expect("types.ts declares OUTCOMES");
        let body = &text[start..];
        let body = &body[body.find('{').expect("an object") + 1..body.find("};").expect("closed")];
        body.split(']')
            .filter_map(|entry| {
                let (kind, codes) = entry.split_once(':')?;
                let kind = kind.trim().trim_matches(',').trim().to_owned();
                let codes = codes
                    .split(',')
                    .map(|c| c.trim().trim_matches(|ch| ch == '[' || ch == '\'').trim())
                    .filter(|c| !c.is_empty())
                    .map(str::to_owned)
                    .collect();
                Some((kind, codes))
            })
            .collect()
    }

    #[test]
    fn the_console_offers_exactly_the_codes_the_core_accepts() {
        let console = console_lists();
        let kinds = [
            ItemKind::Alert,
            ItemKind::Call,
            ItemKind::Booking,
            ItemKind::Callback,
            ItemKind::Incident,
        ];
        assert_eq!(console.len(), kinds.len(), "{console:?}");
        for kind in kinds {
            let (_, codes) = console
                .iter()
                .find(|(k, _)| k == kind.as_str())
                .unwrap_or_else(|| panic!("the console has no outcomes for {kind}"));
            assert_eq!(codes, for_kind(kind), "outcomes of {kind}");
        }
    }

    #[test]
    fn every_kind_has_a_fallback_code() {
        for codes in [ALERT, CALL, BOOKING, CALLBACK, INCIDENT] {
            assert!(codes.contains(&"other"));
        }
    }
}
