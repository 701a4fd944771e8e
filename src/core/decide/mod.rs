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
            subject,
            rate_limited,
            ..
        } => items::create(state, ctx, actor, details, subject, rate_limited, existing),
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
        Command::Settle { item_id, outcome } => {
            lifecycle::settle(state, ctx, actor, item_id, outcome)
        }
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
        Command::RecordOnce {
            item_id, record, ..
        } => match existing {
            Some(id) => Ok(context::outcome_item(state, &id, false)),
            None => records::record(state, ctx, actor, item_id, record),
        },
        Command::Purge { item_id } => records::purge(state, ctx, actor, item_id),
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
    use crate::core::state::{LiveState, Overlay, StateView};
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

    // --- The shift's queue: repeats, breach raise, re-categorisation --------------------------

    use crate::domain::{AlarmType, CallCategory, CaseRecord, Details, Item, Level, Status};
    use crate::events::{Event, StoredEvent};
    use chrono::{DateTime, Duration};

    fn rules(raise: bool) -> crate::queue::Rules {
        let mut q = Config::default_for_tests().queue;
        q.breach_raise = raise;
        crate::queue::Rules::from_config(&q).unwrap()
    }

    /// Decides `cmds` as one batch at `now`, commits the events to `live`; the outcomes and
    /// the events.
    fn batch(
        live: &mut LiveState,
        rules: &crate::queue::Rules,
        now: DateTime<Utc>,
        cmds: Vec<Command>,
    ) -> (Vec<Result<Outcome, CoreError>>, Vec<StoredEvent>) {
        let mut ctx = Ctx {
            now,
            rules,
            next_seq: live.seq.next(),
            events: Vec::new(),
        };
        let mut out = Vec::new();
        {
            let mut overlay = Overlay::new(live);
            for cmd in cmds {
                if matches!(cmd, Command::EscalateDue) {
                    let due = live.due(now);
                    escalate(&mut overlay, &mut ctx, &due);
                    out.push(Ok(Outcome::Done));
                } else {
                    out.push(decide(&mut overlay, &mut ctx, "d1", cmd, None));
                }
            }
        }
        for e in &ctx.events {
            live.apply_committed(e);
        }
        (out, ctx.events)
    }

    fn alarm(device: &str, t: AlarmType) -> Command {
        Command::Create {
            details: Details::Alert {
                device_id: device.into(),
                alarm_type: t,
                device_time: Utc::now(),
                receiver_alarm_id: ItemId::new().to_string(),
                receiver: "r1".into(),
            },
            subject: None,
            key: None,
            rate_limited: false,
        }
    }

    fn item_of(out: &Result<Outcome, CoreError>) -> Item {
        match out {
            Ok(Outcome::Item { item, .. }) => (**item).clone(),
            other => panic!("not an item: {other:?}"),
        }
    }

    fn kinds(events: &[StoredEvent]) -> Vec<&'static str> {
        events.iter().map(|e| e.event.kind()).collect()
    }

    #[test]
    fn a_repeat_in_the_same_batch_attaches_to_the_item_the_batch_created() {
        let rules = rules(true);
        let mut live = LiveState::default();
        let (out, events) = batch(
            &mut live,
            &rules,
            Utc::now(),
            vec![
                alarm("TA-1", AlarmType::Fall),
                alarm("TA-1", AlarmType::Fall),
                alarm("TA-1", AlarmType::Smoke),
                alarm("TA-2", AlarmType::Fall),
            ],
        );
        assert_eq!(
            kinds(&events),
            ["item_created", "repeated", "item_created", "item_created"]
        );
        let first = item_of(&out[0]);
        assert_eq!(item_of(&out[1]).id, first.id);
        assert_eq!(live.item(&first.id).unwrap().repeats, 1);
        assert_eq!(live.item(&first.id).unwrap().repeats_unseen, 0);
    }

    #[test]
    fn repeats_after_acknowledgement_are_unseen_until_the_item_is_acknowledged_again() {
        let rules = rules(true);
        let mut live = LiveState::default();
        let now = Utc::now();
        let (out, _) = batch(
            &mut live,
            &rules,
            now,
            vec![alarm("TA-1", AlarmType::Button)],
        );
        let id = item_of(&out[0]).id;
        batch(
            &mut live,
            &rules,
            now,
            vec![Command::Acknowledge { item_id: id }],
        );

        let (_, events) = batch(
            &mut live,
            &rules,
            now,
            vec![
                alarm("TA-1", AlarmType::Button),
                alarm("TA-1", AlarmType::Button),
            ],
        );
        assert_eq!(kinds(&events), ["repeated", "repeated"]);
        let it = live.item(&id).unwrap();
        assert_eq!((it.repeats, it.repeats_unseen), (2, 2));
        assert!(it.needs_attention());

        let (out, events) = batch(
            &mut live,
            &rules,
            now,
            vec![Command::Acknowledge { item_id: id }],
        );
        assert_eq!(kinds(&events), ["repeats_seen"]);
        assert_eq!(item_of(&out[0]).repeats_unseen, 0);
        assert_eq!(live.item(&id).unwrap().status, Status::Acknowledged);
        let (out, _) = batch(
            &mut live,
            &rules,
            now,
            vec![Command::Acknowledge { item_id: id }],
        );
        assert!(matches!(
            &out[0],
            Err(CoreError::Conflict {
                reason: "not_new",
                ..
            })
        ));
    }

    #[test]
    fn a_breach_raises_one_level_per_breach_and_never_above_p1() {
        let rules = rules(true);
        let mut live = LiveState::default();
        let t0 = Utc::now();
        // An inactivity alarm: P2, 300 s.
        let (out, _) = batch(
            &mut live,
            &rules,
            t0,
            vec![alarm("TA-1", AlarmType::Inactivity)],
        );
        let id = item_of(&out[0]).id;
        assert_eq!(live.item(&id).unwrap().priority.level, Level::P2);

        // First breach: P2 → P1 with the P1 clock (60 s) from the breach.
        let t1 = t0 + Duration::seconds(301);
        let (_, events) = batch(&mut live, &rules, t1, vec![Command::EscalateDue]);
        assert_eq!(kinds(&events), ["breached", "reprioritised"]);
        let it = live.item(&id).unwrap();
        assert_eq!(it.priority.level, Level::P1);
        assert_eq!(it.deadline, t1 + Duration::seconds(60));
        assert!(it
            .priority
            .facts
            .iter()
            .any(|f| f.key == "breach_raised_from" && f.value == "P2"));
        assert_eq!(
            live.next_deadline(),
            Some(it.deadline),
            "its clock runs again"
        );

        // Nothing more before the new deadline; at it, a breach that raises no further.
        let (_, events) = batch(
            &mut live,
            &rules,
            t1 + Duration::seconds(30),
            vec![Command::EscalateDue],
        );
        assert!(events.is_empty());
        let t2 = t1 + Duration::seconds(61);
        let (_, events) = batch(&mut live, &rules, t2, vec![Command::EscalateDue]);
        assert_eq!(kinds(&events), ["breached"]);
        assert_eq!(live.item(&id).unwrap().priority.level, Level::P1);
        assert_eq!(live.next_deadline(), None, "a P1 breach is the last");
        let (_, events) = batch(
            &mut live,
            &rules,
            t2 + Duration::seconds(600),
            vec![Command::EscalateDue],
        );
        assert!(events.is_empty());
    }

    #[test]
    fn without_breach_raise_a_breach_keeps_the_level() {
        let rules = rules(false);
        let mut live = LiveState::default();
        let t0 = Utc::now();
        let (out, _) = batch(
            &mut live,
            &rules,
            t0,
            vec![alarm("TA-1", AlarmType::Inactivity)],
        );
        let id = item_of(&out[0]).id;
        let (_, events) = batch(
            &mut live,
            &rules,
            t0 + Duration::seconds(301),
            vec![Command::EscalateDue],
        );
        assert_eq!(kinds(&events), ["breached"]);
        assert_eq!(live.item(&id).unwrap().priority.level, Level::P2);
        assert_eq!(live.next_deadline(), None);
    }

    #[test]
    fn categorising_a_call_re_runs_the_rules_once_per_change() {
        let rules = rules(true);
        let mut live = LiveState::default();
        let now = Utc::now();
        let call = Command::Create {
            details: Details::Call {
                caller_number: "+40700000001".into(),
                category: CallCategory::Unclassified,
                immediate_danger: false,
                location: None,
                notes: String::new(),
                channel: Default::default(),
                reporter: Default::default(),
            },
            subject: None,
            key: None,
            rate_limited: false,
        };
        let (out, _) = batch(&mut live, &rules, now, vec![call]);
        let id = item_of(&out[0]).id;
        assert_eq!(live.item(&id).unwrap().priority.rule, "call-incoming");
        let categorise = |c| Command::Record {
            item_id: id,
            record: CaseRecord::Categorised { category: c },
        };

        let (_, events) = batch(
            &mut live,
            &rules,
            now,
            vec![categorise(CallCategory::DomesticViolence)],
        );
        assert_eq!(kinds(&events), ["case_recorded", "reprioritised"]);
        let it = live.item(&id).unwrap();
        assert_eq!(
            (it.priority.level, it.priority.rule.as_str()),
            (Level::P2, "call-protection-report")
        );
        assert_eq!(it.deadline, it.times.received + Duration::seconds(300));
        // Same rule, same level: nothing to re-explain.
        let (_, events) = batch(
            &mut live,
            &rules,
            now,
            vec![categorise(CallCategory::Abuse)],
        );
        assert_eq!(kinds(&events), ["case_recorded"]);
        // A lower level: re-explained too.
        let (_, events) = batch(
            &mut live,
            &rules,
            now,
            vec![categorise(CallCategory::Information)],
        );
        assert_eq!(kinds(&events), ["case_recorded", "reprioritised"]);
        assert_eq!(live.item(&id).unwrap().priority.level, Level::P4);
    }

    #[test]
    fn settling_a_ringing_card_closes_it_once_and_only_with_a_system_outcome() {
        let rules = rules(true);
        let mut live = LiveState::default();
        let now = Utc::now();
        let (out, _) = batch(&mut live, &rules, now, vec![alarm("TA-1", AlarmType::Fall)]);
        let id = item_of(&out[0]).id;
        let settle = |o| Command::Settle {
            item_id: id,
            outcome: o,
        };
        let (out, _) = batch(&mut live, &rules, now, vec![settle("help_given")]);
        assert!(matches!(&out[0], Err(CoreError::Validation { .. })));
        let (_, events) = batch(
            &mut live,
            &rules,
            now,
            vec![settle("missed_call"), settle("missed_call")],
        );
        assert_eq!(kinds(&events), ["closed"]);
        match &events[0].event {
            Event::Closed { outcome, .. } => assert_eq!(outcome, "missed_call"),
            e => panic!("{e:?}"),
        }
        assert_eq!(live.item(&id).unwrap().status, Status::Closed);
        // The device's next fall is a new item: the closed one no longer takes repeats.
        let (out, events) = batch(&mut live, &rules, now, vec![alarm("TA-1", AlarmType::Fall)]);
        assert_eq!(kinds(&events), ["item_created"]);
        assert_ne!(item_of(&out[0]).id, id);
    }

    #[test]
    fn old_logs_without_the_new_fields_still_fold() {
        // An item_created event as logged before issue 15: no facts, subject, repeats,
        // channel or reporter.
        let old = serde_json::json!({
            "type": "item_created",
            "item": {
                "id": "0190f0f0-0000-7000-8000-000000000001", "kind": "call",
                "category": "abuse", "status": "new",
                "priority": {"level": "P2", "rule": "r", "reason": "x", "respond_within_s": 300},
                "deadline": "2026-11-27T08:05:00Z", "breached": false,
                "times": {"received": "2026-11-27T08:00:00Z", "first_pushed": null,
                          "acknowledged": null, "assigned": null, "in_progress": null,
                          "closed": null, "breached": null},
                "details": {"kind": "call", "caller_number": "+40700000001",
                            "category": "abuse", "immediate_danger": false},
                "assigned_to": [], "handler": null, "outcome": null, "notes": [], "version": 1
            }
        });
        let event: Event = serde_json::from_value(old).unwrap();
        let Event::ItemCreated { item } = event else {
            unreachable!()
        };
        assert!(item.priority.facts.is_empty());
        assert_eq!((item.subject.as_ref(), item.repeats), (None, 0));
        match item.details {
            Details::Call {
                channel, reporter, ..
            } => {
                assert_eq!(channel, crate::domain::CallChannel::Phone);
                assert_eq!(reporter, crate::domain::Reporter::Unknown);
            }
            _ => unreachable!(),
        }
    }
}
