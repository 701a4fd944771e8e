//! Items coming in and what is added to them without moving them: a new item (or the one its
//! idempotency key already names), notes, and the first time a console showed an item.

use chrono::Duration;

use super::context::{item_of, outcome_item, Ctx};
use crate::core::command::{CoreError, Outcome};
use crate::core::state::{derived_case, StateMut, StateView};
use crate::domain::{Details, Item, ItemId, Note, Status, Subject, Timestamps};
use crate::events::Event;

/// A new item, classified by the queue rules, with its response deadline, the
/// domestic-violence case it belongs to and its subject (given, or derived: [`subject_of`]).
/// A retransmission (its key already names an item in `existing`) records nothing and answers
/// that first item with `created: false`. An alarm of a device that has an open alert of the
/// same type from the same receiver is a repeat: a `repeated` event on that item, which is the answer (`created:
/// false`, and the command's key then points to it).
pub(super) fn create(
    state: &mut impl StateMut,
    ctx: &mut Ctx<'_>,
    actor: &str,
    details: Details,
    subject: Option<Subject>,
    rate_limited: bool,
    existing: Option<ItemId>,
) -> Result<Outcome, CoreError> {
    if let Some(id) = existing {
        return Ok(outcome_item(state, &id, false));
    }
    if let Details::Alert {
        device_id,
        alarm_type,
        device_time,
        receiver,
        ..
    } = &details
    {
        if let Some(item_id) = state.open_alert(receiver, device_id, *alarm_type) {
            let event = Event::Repeated {
                item_id,
                alarm_type: *alarm_type,
                device_time: *device_time,
            };
            ctx.emit(state, actor, event);
            return Ok(outcome_item(state, &item_id, false));
        }
    }
    let subject = subject.or_else(|| subject_of(state, &details));
    let priority = ctx.rules.classify(&details, ctx.now);
    let mut item = Item {
        id: ItemId::new(),
        kind: details.kind(),
        category: details.category(),
        status: Status::New,
        deadline: ctx.now + Duration::seconds(priority.respond_within_s),
        priority,
        breached: false,
        times: Timestamps {
            received: ctx.now,
            ..Timestamps::default()
        },
        details,
        assigned_to: Vec::new(),
        handler: None,
        outcome: None,
        notes: Vec::new(),
        version: 0,
        redacted: false,
        rate_limited,
        dv_case: None,
        subject,
        repeats: 0,
        repeats_unseen: 0,
        arrival: None,
    };
    item.dv_case = derived_case(state, &item);
    let id = item.id;
    ctx.emit(
        state,
        actor,
        Event::ItemCreated {
            item: Box::new(item),
        },
    );
    Ok(outcome_item(state, &id, true))
}

/// The subject the details and the state hold, for an item created without one: a callback or
/// incident takes its related item's, a booking its rider and pick-up.
fn subject_of(state: &impl StateView, details: &Details) -> Option<Subject> {
    match details {
        Details::Callback {
            related: Some(r), ..
        }
        | Details::Incident {
            related: Some(r), ..
        } => state.item(r).and_then(|i| i.subject.clone()),
        Details::Booking { rider, pickup, .. } => Some(Subject {
            name: rider.clone(),
            address: pickup.address.clone(),
            position: pickup.position,
            ..Subject::default()
        }),
        _ => None,
    }
}

/// A note by `actor`, trimmed, of 1 to 4000 characters, on an item in any status.
pub(super) fn add_note(
    state: &mut impl StateMut,
    ctx: &mut Ctx<'_>,
    actor: &str,
    item_id: ItemId,
    text: String,
) -> Result<Outcome, CoreError> {
    let text = text.trim().to_owned();
    if text.is_empty() || text.chars().count() > 4000 {
        return Err(CoreError::Validation {
            field: "text".into(),
            message: "must be 1-4000 characters".into(),
        });
    }
    item_of(state, &item_id)?;
    let note = Note {
        at: ctx.now,
        by: actor.to_owned(),
        text,
    };
    ctx.emit(state, actor, Event::NoteAdded { item_id, note });
    Ok(outcome_item(state, &item_id, false))
}

/// A note recorded once per key (an inbound SMS the provider may post again): when the key
/// already names an item (`existing`), nothing is recorded and that item is the answer.
pub(super) fn add_note_once(
    state: &mut impl StateMut,
    ctx: &mut Ctx<'_>,
    actor: &str,
    item_id: ItemId,
    text: String,
    existing: Option<ItemId>,
) -> Result<Outcome, CoreError> {
    match existing {
        Some(id) => Ok(outcome_item(state, &id, false)),
        None => add_note(state, ctx, actor, item_id, text),
    }
}

/// The first time a console showed each item, for the answer-time stamp. Items already marked
/// and unknown items are skipped, so a mark replayed or raced by another console records
/// nothing; it never refuses.
pub(super) fn mark_pushed(
    state: &mut impl StateMut,
    ctx: &mut Ctx<'_>,
    actor: &str,
    item_ids: Vec<ItemId>,
) -> Result<Outcome, CoreError> {
    for item_id in item_ids {
        let first = matches!(state.item(&item_id), Some(i) if i.times.first_pushed.is_none());
        if first {
            ctx.emit(state, actor, Event::ItemPushed { item_id });
        }
    }
    Ok(Outcome::Done)
}
