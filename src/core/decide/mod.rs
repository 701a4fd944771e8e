//! Pure decisions: a command against the (overlaid) state gives events or a refusal.
//!
//! [`decide`] only dispatches; each command is decided by its own function, kept with the others
//! of its family:
//! - `context`: the batch's context ([`Ctx`]) and what every decision shares.
//! - `items`: new items, notes and first-push marks.
//! - `lifecycle`: acknowledge, assign, start and close an item; escalate missed deadlines.
//! - `resources`: register a resource, set its status, move it.
//! - `records`: case-file entries and adapted-transport changes.
//! - `handover`: a supervisor's reassignment of the handler, and resources taken off an item.

mod context;
mod handover;
mod items;
mod lifecycle;
mod records;
mod resources;

pub(crate) use context::Ctx;
pub(crate) use lifecycle::escalate;

use super::command::{Command, CoreError, Outcome};
use super::state::StateMut;
use crate::domain::ItemId;

/// Decides one command. `existing` is the item an idempotency key already points to.
pub(crate) fn decide(
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
        } => items::create(state, ctx, actor, details, rate_limited, existing),
        Command::AddNote { item_id, text } => items::add_note(state, ctx, actor, item_id, text),
        Command::AddNoteOnce { item_id, text, .. } => {
            items::add_note_once(state, ctx, actor, item_id, text, existing)
        }
        Command::MarkPushed { item_ids } => items::mark_pushed(state, ctx, actor, item_ids),
        Command::Acknowledge { item_id } => lifecycle::acknowledge(state, ctx, actor, item_id),
        Command::Assign { item_id, resources } => {
            lifecycle::assign(state, ctx, actor, item_id, resources)
        }
        Command::Start { item_id } => lifecycle::start(state, ctx, actor, item_id),
        Command::Close { item_id, outcome } => {
            lifecycle::close(state, ctx, actor, item_id, outcome)
        }
        Command::RegisterResource { resource } => resources::register(state, ctx, actor, resource),
        Command::SetResourceStatus {
            resource_id,
            status,
        } => resources::set_status(state, ctx, actor, resource_id, status),
        Command::MoveResource {
            resource_id,
            position,
        } => resources::move_to(state, ctx, actor, resource_id, position),
        Command::Record { item_id, record } => records::record(state, ctx, actor, item_id, record),
        Command::Transport { change } => records::transport(state, ctx, actor, change),
        // Escalation is decided for the whole batch by [`escalate`], with the due items.
        Command::EscalateDue => Ok(Outcome::Done),
        Command::Reassign { item_id, to } => handover::reassign(state, ctx, actor, item_id, to),
        Command::Unassign { item_id, resources } => {
            handover::unassign(state, ctx, actor, item_id, resources)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::core::state::{LiveState, Overlay};
    use crate::domain::Seq;
    use crate::events::{TransportChange, TransportReason};
    use chrono::NaiveDate;
    use chrono::Utc;

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
