//! Which rider message each step causes. Every message has a key that names its cause, so that
//! queueing it again (a retry, a re-plan that keeps the time) sends nothing new; a changed
//! promised time is a new confirmation.

use crate::config::Templates;
use crate::sms::OutgoingSms;
use crate::transport::model::{clock, DayPlan, Rider, Trip};

fn message(key: String, rider: &Rider, body: String) -> Option<OutgoingSms> {
    Some(OutgoingSms {
        key,
        to: rider.contact_phone()?.to_owned(),
        body,
    })
}

fn date(trip: &Trip) -> String {
    trip.date.format("%d.%m").to_string()
}

/// "Your trip is confirmed, pick-up at HH:MM."
pub(crate) fn confirmation(
    t: &Templates,
    trip: &Trip,
    rider: &Rider,
    promised_s: f64,
    late_minutes: i64,
) -> Option<OutgoingSms> {
    // A meal or supplies: the rider (if any) travels nowhere, so no trip messages.
    if trip.kind.is_goods() {
        return None;
    }
    let time = clock(promised_s);
    let body = Templates::render(
        &t.confirmation,
        &[
            ("date", &date(trip)),
            ("address", &trip.pickup.address),
            ("time", &time),
            ("late", &late_minutes.to_string()),
        ],
    );
    message(format!("confirm:{}:{time}", trip.id), rider, body)
}

/// The evening-before reminder.
pub(crate) fn reminder(
    t: &Templates,
    trip: &Trip,
    rider: &Rider,
    promised_s: f64,
) -> Option<OutgoingSms> {
    // A meal or supplies: the rider (if any) travels nowhere, so no trip messages.
    if trip.kind.is_goods() {
        return None;
    }
    let body = Templates::render(
        &t.reminder,
        &[
            ("date", &date(trip)),
            ("address", &trip.pickup.address),
            ("time", &clock(promised_s)),
        ],
    );
    message(format!("remind:{}", trip.id), rider, body)
}

/// "The vehicle arrives in about N minutes", once per trip.
pub(crate) fn arriving(
    t: &Templates,
    trip: &Trip,
    rider: &Rider,
    vehicle: &str,
    minutes: u32,
) -> Option<OutgoingSms> {
    // A meal or supplies: the rider (if any) travels nowhere, so no trip messages.
    if trip.kind.is_goods() {
        return None;
    }
    let body = Templates::render(
        &t.arriving,
        &[
            ("vehicle", vehicle),
            ("minutes", &minutes.max(1).to_string()),
        ],
    );
    message(format!("arriving:{}", trip.id), rider, body)
}

/// "We did not find you; the trip is cancelled."
pub(crate) fn no_show(
    t: &Templates,
    trip: &Trip,
    rider: &Rider,
    promised_s: f64,
) -> Option<OutgoingSms> {
    // A meal or supplies: the rider (if any) travels nowhere, so no trip messages.
    if trip.kind.is_goods() {
        return None;
    }
    let body = Templates::render(
        &t.no_show,
        &[
            ("address", &trip.pickup.address),
            ("time", &clock(promised_s)),
        ],
    );
    message(format!("noshow:{}", trip.id), rider, body)
}

/// Confirmations of every planned trip of a plan, for the riders found.
pub(crate) fn confirmations(
    t: &Templates,
    plan: &DayPlan,
    trips: &[Trip],
    riders: &std::collections::HashMap<String, Rider>,
    late_minutes: i64,
) -> Vec<OutgoingSms> {
    trips
        .iter()
        .filter(|trip| trip.status.is_live())
        .filter_map(|trip| {
            let promised = plan.promised_s(&trip.id)?;
            confirmation(t, trip, riders.get(&trip.rider_id)?, promised, late_minutes)
        })
        .collect()
}
