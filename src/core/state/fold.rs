//! The fold: what each event does to a state (the live state, or a batch's overlay while it is
//! decided).

use super::view::StateMut;
use crate::domain::{ResourceStatus, Status};
use crate::events::{Event, StoredEvent};

/// What an event does to the state. Total: an event about an unknown item or resource (which a
/// correct log never holds) changes nothing rather than panicking.
pub(crate) fn apply(state: &mut impl StateMut, e: &StoredEvent) {
    let seq = e.seq.0;
    let at = e.at;
    match &e.event {
        Event::ItemCreated { item } => {
            let mut item = (**item).clone();
            item.version = seq;
            state.put_item(item);
        }
        Event::ItemPushed { item_id } => {
            if let Some(item) = state.item_mut(item_id) {
                item.times.first_pushed.get_or_insert(at);
                item.version = seq;
            }
        }
        Event::Acknowledged { item_id, by } => {
            if let Some(item) = state.item_mut(item_id) {
                item.status = Status::Acknowledged;
                item.times.acknowledged = Some(at);
                item.handler = Some(by.clone());
                item.version = seq;
            }
        }
        Event::Assigned {
            item_id, resources, ..
        } => {
            if let Some(item) = state.item_mut(item_id) {
                item.status = Status::Assigned;
                item.times.assigned.get_or_insert(at);
                for r in resources {
                    if !item.assigned_to.contains(r) {
                        item.assigned_to.push(r.clone());
                    }
                }
                item.version = seq;
            }
            for r in resources {
                if let Some(res) = state.resource_mut(r) {
                    res.current_item = Some(*item_id);
                    res.status = ResourceStatus::Assigned;
                    res.version = seq;
                }
            }
        }
        Event::StatusChanged { item_id, to, .. } => {
            if let Some(item) = state.item_mut(item_id) {
                item.status = *to;
                if *to == Status::InProgress {
                    item.times.in_progress.get_or_insert(at);
                }
                item.version = seq;
            }
        }
        Event::Closed {
            item_id,
            outcome,
            released,
        } => {
            if let Some(item) = state.item_mut(item_id) {
                item.status = Status::Closed;
                item.times.closed = Some(at);
                item.outcome = Some(outcome.clone());
                item.version = seq;
            }
            for r in released {
                if let Some(res) = state.resource_mut(r) {
                    if res.current_item == Some(*item_id) {
                        res.current_item = None;
                        res.status = ResourceStatus::Available;
                        res.version = seq;
                    }
                }
            }
        }
        Event::NoteAdded { item_id, note } => {
            if let Some(item) = state.item_mut(item_id) {
                item.notes.push(note.clone());
                item.version = seq;
            }
        }
        Event::Breached { item_id, .. } => {
            if let Some(item) = state.item_mut(item_id) {
                item.breached = true;
                item.times.breached = Some(at);
                item.version = seq;
            }
        }
        Event::ArrivalBreached { item_id, .. } => {
            if let Some(item) = state.item_mut(item_id) {
                if let Some(clock) = &mut item.arrival {
                    clock.breached.get_or_insert(at);
                }
                item.version = seq;
            }
        }
        Event::ResourceRegistered { resource } => {
            let mut r = (**resource).clone();
            r.version = seq;
            state.put_resource(r);
        }
        Event::ResourceStatusChanged {
            resource_id,
            status,
        } => {
            if let Some(r) = state.resource_mut(resource_id) {
                r.status = *status;
                r.version = seq;
            }
        }
        Event::ResourceMoved {
            resource_id,
            position,
        } => {
            if let Some(r) = state.resource_mut(resource_id) {
                r.position = Some(*position);
                r.version = seq;
            }
        }
        Event::CaseRecorded { item_id, record } => {
            if let Some(item) = state.item_mut(item_id) {
                // Only the category shows in the item itself; the rest of the file is read
                // from the item's history.
                match record {
                    crate::domain::CaseRecord::Categorised { category } => {
                        if let crate::domain::Details::Call { category: c, .. } = &mut item.details
                        {
                            *c = *category;
                            item.category = category.to_string();
                        }
                    }
                    // EMIU: a police request starts the clock to arrival (a later request
                    // starts a new one), being on scene stops it.
                    crate::domain::CaseRecord::PoliceRequest {
                        notified_at,
                        arrive_by,
                        ..
                    } => {
                        item.arrival = Some(crate::domain::ArrivalClock {
                            notified: *notified_at,
                            due: *arrive_by,
                            arrived: None,
                            breached: None,
                        });
                    }
                    crate::domain::CaseRecord::OnScene { at } => {
                        if let Some(clock) = &mut item.arrival {
                            clock.arrived.get_or_insert(*at);
                        }
                    }
                    _ => {}
                }
                item.version = seq;
            }
        }
        Event::Repeated { item_id, .. } => {
            if let Some(item) = state.item_mut(item_id) {
                item.repeats += 1;
                if item.status != Status::New {
                    item.repeats_unseen += 1;
                }
                item.version = seq;
            }
        }
        Event::RepeatsSeen { item_id, .. } => {
            if let Some(item) = state.item_mut(item_id) {
                item.repeats_unseen = 0;
                item.version = seq;
            }
        }
        Event::Reprioritised {
            item_id,
            priority,
            deadline,
        } => {
            if let Some(item) = state.item_mut(item_id) {
                item.priority = priority.clone();
                item.deadline = *deadline;
                item.version = seq;
            }
        }
        Event::HandlerChanged { item_id, to, .. } => {
            if let Some(item) = state.item_mut(item_id) {
                item.handler = to.clone();
                item.version = seq;
            }
        }
        Event::Unassigned {
            item_id, resources, ..
        } => {
            if let Some(item) = state.item_mut(item_id) {
                item.assigned_to.retain(|r| !resources.contains(r));
                if item.status == Status::Assigned && item.assigned_to.is_empty() {
                    item.status = Status::Acknowledged;
                }
                item.version = seq;
            }
            for r in resources {
                if let Some(res) = state.resource_mut(r) {
                    if res.current_item == Some(*item_id) {
                        res.current_item = None;
                        res.status = ResourceStatus::Available;
                        res.version = seq;
                    }
                }
            }
        }
        // Retention: the item keeps its kind, times, status and outcome; who and where, notes
        // and texts are withheld, exactly as the fold of its rewritten events gives them.
        Event::ItemPurged { item_id } => {
            if let Some(item) = state.item_mut(item_id) {
                *item = crate::access::redact(item);
                item.version = seq;
            }
        }
        // Transport lives in its own documents; the live state only remembers which driver
        // actions are logged.
        Event::TransportChanged { change } => {
            if let Some(id) = &change.action_id {
                state.note_transport_action(change.date, id.clone());
            }
        }
    }
}
