//! Pure decisions: a command against the (overlaid) state gives events or a refusal.

use chrono::{DateTime, Duration, Utc};

use super::command::{Command, CoreError, Outcome};
use super::state::{apply, StateMut, StateView};
use crate::domain::{
    outcomes, CaseRecord, Item, ItemId, Note, ResourceStatus, Seq, Status, Timestamps,
};
use crate::events::{Event, StoredEvent};
use crate::queue::{lifecycle, Rules};

/// Context of one batch.
pub struct Ctx<'a> {
    pub now: DateTime<Utc>,
    pub rules: &'a Rules,
    /// Next sequence number to hand out; advanced for every event decided.
    pub next_seq: Seq,
    /// Pending events of this batch, in order.
    pub events: Vec<StoredEvent>,
}

impl Ctx<'_> {
    fn emit(&mut self, state: &mut impl StateMut, actor: &str, event: Event) {
        let e = StoredEvent {
            seq: self.next_seq,
            at: self.now,
            actor: actor.to_owned(),
            event,
        };
        self.next_seq = self.next_seq.next();
        apply(state, &e);
        self.events.push(e);
    }
}

fn item_of<'s>(state: &'s impl StateView, id: &ItemId) -> Result<&'s Item, CoreError> {
    state
        .item(id)
        .ok_or_else(|| CoreError::NotFound(format!("item {id}")))
}

fn transition(item: &Item, to: Status) -> Result<(), CoreError> {
    if lifecycle::can_move(item.status, to) {
        Ok(())
    } else {
        Err(CoreError::Conflict(format!(
            "item {} is {} and cannot become {}",
            item.id, item.status, to
        )))
    }
}

fn outcome_item(state: &impl StateView, id: &ItemId, created: bool) -> Outcome {
    match state.item(id) {
        Some(item) => Outcome::Item {
            item: Box::new(item.clone()),
            created,
        },
        None => Outcome::Done,
    }
}

/// Decides one command. `existing` is the item an idempotency key already points to.
pub fn decide(
    state: &mut impl StateMut,
    ctx: &mut Ctx<'_>,
    actor: &str,
    cmd: Command,
    existing: Option<ItemId>,
) -> Result<Outcome, CoreError> {
    match cmd {
        Command::Create {
            details,
            rate_limited,
            ..
        } => {
            if let Some(id) = existing {
                return Ok(outcome_item(state, &id, false));
            }
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
            };
            item.dv_case = super::state::derived_case(state, &item);
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
        Command::Acknowledge { item_id } => {
            transition(item_of(state, &item_id)?, Status::Acknowledged)?;
            ctx.emit(
                state,
                actor,
                Event::Acknowledged {
                    item_id,
                    by: actor.to_owned(),
                },
            );
            Ok(outcome_item(state, &item_id, false))
        }
        Command::Assign { item_id, resources } => {
            if resources.is_empty() {
                return Err(CoreError::Validation {
                    field: "resources".into(),
                    message: "at least one resource is required".into(),
                });
            }
            transition(item_of(state, &item_id)?, Status::Assigned)?;
            for (i, rid) in resources.iter().enumerate() {
                if resources[..i].contains(rid) {
                    return Err(CoreError::Validation {
                        field: "resources".into(),
                        message: format!("{rid} is listed twice"),
                    });
                }
                let r = state
                    .resource(rid)
                    .ok_or_else(|| CoreError::NotFound(format!("resource {rid}")))?;
                if let Some(other) = r.current_item {
                    return Err(CoreError::Conflict(format!(
                        "resource {rid} is already assigned to item {other}"
                    )));
                }
                if r.status == ResourceStatus::OffDuty {
                    return Err(CoreError::Conflict(format!("resource {rid} is off duty")));
                }
            }
            ctx.emit(
                state,
                actor,
                Event::Assigned {
                    item_id,
                    resources,
                    by: actor.to_owned(),
                },
            );
            Ok(outcome_item(state, &item_id, false))
        }
        Command::Start { item_id } => {
            let item = item_of(state, &item_id)?;
            transition(item, Status::InProgress)?;
            let from = item.status;
            ctx.emit(
                state,
                actor,
                Event::StatusChanged {
                    item_id,
                    from,
                    to: Status::InProgress,
                },
            );
            Ok(outcome_item(state, &item_id, false))
        }
        Command::Close { item_id, outcome } => {
            let outcome = outcome.trim().to_owned();
            if outcome.is_empty() || outcome.len() > 200 {
                return Err(CoreError::Validation {
                    field: "outcome".into(),
                    message: "must be 1-200 characters".into(),
                });
            }
            let item = item_of(state, &item_id)?;
            transition(item, Status::Closed)?;
            let codes = outcomes::for_kind(item.details.kind());
            if !codes.contains(&outcome.as_str()) {
                return Err(CoreError::Validation {
                    field: "outcome".into(),
                    message: format!("must be one of {}", codes.join(", ")),
                });
            }
            let released = item.assigned_to.clone();
            ctx.emit(
                state,
                actor,
                Event::Closed {
                    item_id,
                    outcome,
                    released,
                },
            );
            Ok(outcome_item(state, &item_id, false))
        }
        Command::AddNote { item_id, text } => {
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
        Command::AddNoteOnce { item_id, text, .. } => match existing {
            Some(id) => Ok(outcome_item(state, &id, false)),
            None => decide(state, ctx, actor, Command::AddNote { item_id, text }, None),
        },
        Command::MarkPushed { item_ids } => {
            for item_id in item_ids {
                let first =
                    matches!(state.item(&item_id), Some(i) if i.times.first_pushed.is_none());
                if first {
                    ctx.emit(state, actor, Event::ItemPushed { item_id });
                }
            }
            Ok(Outcome::Done)
        }
        Command::RegisterResource { resource } => {
            let id = resource.id.clone();
            if state.resource(&id).is_some() {
                return Err(CoreError::Conflict(format!("resource {id} already exists")));
            }
            ctx.emit(
                state,
                actor,
                Event::ResourceRegistered {
                    resource: Box::new(resource),
                },
            );
            Ok(resource_outcome(state, &id))
        }
        Command::SetResourceStatus {
            resource_id,
            status,
        } => {
            let r = state
                .resource(&resource_id)
                .ok_or_else(|| CoreError::NotFound(format!("resource {resource_id}")))?;
            if status == ResourceStatus::Available && r.current_item.is_some() {
                return Err(CoreError::Conflict(format!(
                    "resource {resource_id} is committed to an open item; close the item to free it"
                )));
            }
            ctx.emit(
                state,
                actor,
                Event::ResourceStatusChanged {
                    resource_id: resource_id.clone(),
                    status,
                },
            );
            Ok(resource_outcome(state, &resource_id))
        }
        Command::MoveResource {
            resource_id,
            position,
        } => {
            if state.resource(&resource_id).is_none() {
                return Err(CoreError::NotFound(format!("resource {resource_id}")));
            }
            ctx.emit(
                state,
                actor,
                Event::ResourceMoved {
                    resource_id: resource_id.clone(),
                    position,
                },
            );
            Ok(resource_outcome(state, &resource_id))
        }
        Command::Record { item_id, record } => {
            let item = item_of(state, &item_id)?;
            if let CaseRecord::Categorised { .. } = record {
                if !matches!(item.details, crate::domain::Details::Call { .. }) {
                    return Err(CoreError::Validation {
                        field: "category".into(),
                        message: "only a call is categorised".into(),
                    });
                }
            }
            if item.status == Status::Closed
                && !matches!(
                    record,
                    CaseRecord::ReferralAcknowledged { .. } | CaseRecord::CallStatus { .. }
                )
            {
                return Err(CoreError::Conflict(format!("item {item_id} is closed")));
            }
            ctx.emit(state, actor, Event::CaseRecorded { item_id, record });
            Ok(outcome_item(state, &item_id, false))
        }
        Command::Transport { change } => {
            // Decided under the log lock against an up-to-date state, so a driver's action
            // replayed on this or another instance is recorded once.
            if let Some(id) = &change.action_id {
                if state.transport_action_seen(id) {
                    return Ok(Outcome::Done);
                }
            }
            ctx.emit(state, actor, Event::TransportChanged { change });
            Ok(Outcome::Done)
        }
        Command::EscalateDue => Ok(Outcome::Done),
    }
}

/// Escalates every item in `due` that is still unacknowledged and not yet breached.
pub fn escalate(state: &mut impl StateMut, ctx: &mut Ctx<'_>, due: &[ItemId]) {
    for id in due {
        let Some(item) = state.item(id) else { continue };
        if item.status != Status::New || item.breached || item.deadline > ctx.now {
            continue;
        }
        let event = Event::Breached {
            item_id: *id,
            level: item.priority.level,
            deadline: item.deadline,
        };
        ctx.emit(state, "system", event);
    }
}

fn resource_outcome(state: &impl StateView, id: &crate::domain::ResourceId) -> Outcome {
    match state.resource(id) {
        Some(r) => Outcome::Resource(Box::new(r.clone())),
        None => Outcome::Done,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::core::state::{LiveState, Overlay};
    use crate::events::{TransportChange, TransportReason};
    use chrono::NaiveDate;

    fn action(id: &str) -> Command {
        let mut change = TransportChange::new(
            NaiveDate::from_ymd_opt(2026, 11, 27).unwrap(),
            TransportReason::Action,
        );
        change.action_id = Some(id.into());
        Command::Transport { change }
    }

    #[test]
    fn a_driver_action_is_logged_once_in_a_batch_and_after_it() {
        // Arrange
        let rules = crate::queue::Rules::from_config(&Config::default_for_tests().queue).unwrap();
        let mut live = LiveState::default();
        let mut ctx = Ctx {
            now: Utc::now(),
            rules: &rules,
            next_seq: Seq(1),
            events: Vec::new(),
        };

        // Act: the same action twice in one batch, and a different one.
        {
            let mut overlay = Overlay::new(&live);
            for cmd in [action("a1"), action("a1"), action("a2")] {
                decide(&mut overlay, &mut ctx, "sofer", cmd, None).unwrap();
            }
        }
        for e in &ctx.events {
            live.apply_committed(e);
        }
        // A later batch replays a1 again.
        let mut later = Ctx {
            next_seq: live.seq.next(),
            events: Vec::new(),
            ..ctx
        };
        let mut overlay = Overlay::new(&live);
        decide(&mut overlay, &mut later, "sofer", action("a1"), None).unwrap();

        // Assert
        assert_eq!(live.seq, Seq(2));
        assert!(later.events.is_empty());
    }
}
