//! Queue order: items needing attention first (nobody has taken them, or alarms arrived on them
//! since they were taken), then level, deadline, arrival and id — and the explanation of a
//! position. The console's `state.ts` sorts the same way.

use serde::Serialize;
use std::cmp::Ordering;

use crate::domain::{Item, ItemId, Status};

/// The sort key of an open item. Lower sorts first.
pub fn compare(a: &Item, b: &Item) -> Ordering {
    b.needs_attention()
        .cmp(&a.needs_attention())
        .then(a.priority.level.cmp(&b.priority.level))
        .then(a.deadline.cmp(&b.deadline))
        .then(a.times.received.cmp(&b.times.received))
        .then(a.id.cmp(&b.id))
}

/// Whether the item still belongs in the dispatch queue.
pub fn is_open(item: &Item) -> bool {
    item.status != Status::Closed
}

/// An item with its place in the queue and why it is there.
#[derive(Clone, Debug, Serialize)]
pub struct QueueEntry<'a> {
    pub position: usize,
    pub explanation: Explanation,
    pub item: &'a Item,
}

/// Why an item has its level and its position.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Explanation {
    pub rule: String,
    pub level_reason: String,
    pub position_reason: String,
    /// Why the item is where it is, as a code a console translates: `first`; behind the item
    /// `ahead` because that one `needs_attention` (not taken, or unseen repeats) and this one
    /// does not, has a `higher_level`, an `earlier_deadline`, or `arrived_earlier`.
    pub position_code: &'static str,
    /// The item just ahead (absent for the first).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ahead: Option<ItemId>,
}

/// Orders the open items and explains each position relative to the item ahead of it.
pub fn ordered<'a>(items: impl Iterator<Item = &'a Item>) -> Vec<QueueEntry<'a>> {
    let mut open: Vec<&Item> = items.filter(|i| is_open(i)).collect();
    open.sort_by(|a, b| compare(a, b));
    let mut out = Vec::with_capacity(open.len());
    for (i, item) in open.iter().enumerate() {
        let ahead = i.checked_sub(1).map(|p| open[p]);
        let (position_code, position_reason) = match ahead {
            None => ("first", "first in the queue".to_string()),
            Some(ahead) => why_behind(item, ahead),
        };
        out.push(QueueEntry {
            position: i + 1,
            explanation: Explanation {
                rule: item.priority.rule.clone(),
                level_reason: format!(
                    "{} by rule '{}': {}",
                    item.priority.level, item.priority.rule, item.priority.reason
                ),
                position_reason,
                position_code,
                ahead: ahead.map(|a| a.id),
            },
            item,
        });
    }
    out
}

fn why_behind(item: &Item, ahead: &Item) -> (&'static str, String) {
    if ahead.needs_attention() && !item.needs_attention() {
        let why = if ahead.status == Status::New {
            "not yet acknowledged"
        } else {
            "new repeats not yet seen"
        };
        (
            "needs_attention",
            format!(
                "behind {}: needs attention ({why}), this one is taken",
                ahead.id
            ),
        )
    } else if ahead.priority.level < item.priority.level {
        (
            "higher_level",
            format!(
                "behind {}: higher level {} before {}",
                ahead.id, ahead.priority.level, item.priority.level
            ),
        )
    } else if ahead.deadline < item.deadline {
        (
            "earlier_deadline",
            format!(
                "behind {}: same level {}, earlier deadline {}",
                ahead.id,
                item.priority.level,
                ahead.deadline.format("%H:%M:%S")
            ),
        )
    } else {
        (
            "arrived_earlier",
            format!(
                "behind {}: same level and deadline, arrived earlier",
                ahead.id
            ),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Details, ItemKind, Level, Priority, Timestamps};
    use chrono::{Duration, TimeZone, Utc};
    use proptest::prelude::*;

    fn item(level: Level, status: Status, unseen: u32, deadline_s: i64, received_s: i64) -> Item {
        let t0 = Utc.with_ymd_and_hms(2026, 11, 27, 8, 0, 0).unwrap();
        Item {
            id: ItemId::new(),
            kind: ItemKind::Alert,
            category: "fall".into(),
            status,
            priority: Priority {
                level,
                rule: "r".into(),
                reason: "x".into(),
                respond_within_s: 60,
                facts: vec![],
            },
            deadline: t0 + Duration::seconds(deadline_s),
            breached: false,
            times: Timestamps {
                received: t0 + Duration::seconds(received_s),
                ..Timestamps::default()
            },
            details: Details::Incident {
                reported_by: "x".into(),
                description: "x".into(),
                related: None,
                code: None,
            },
            assigned_to: vec![],
            handler: None,
            outcome: None,
            notes: vec![],
            version: 1,
            redacted: false,
            rate_limited: false,
            dv_case: None,
            subject: None,
            repeats: unseen,
            repeats_unseen: unseen,
            arrival: None,
        }
    }

    #[test]
    fn a_new_p3_comes_before_a_taken_p1_and_unseen_repeats_bring_it_back() {
        let taken = item(Level::P1, Status::Acknowledged, 0, 10, 0);
        let fresh = item(Level::P3, Status::New, 0, 900, 5);
        let repeated = item(Level::P2, Status::Assigned, 3, 300, 1);
        let all = [taken.clone(), fresh.clone(), repeated.clone()];
        let q = ordered(all.iter());
        let ids: Vec<ItemId> = q.iter().map(|e| e.item.id).collect();
        assert_eq!(ids, [repeated.id, fresh.id, taken.id]);
        assert_eq!(q[0].explanation.position_code, "first");
        assert_eq!(q[1].explanation.position_code, "higher_level");
        assert_eq!(q[2].explanation.position_code, "needs_attention");
        assert_eq!(q[2].explanation.ahead, Some(fresh.id));
        assert!(q[2].explanation.position_reason.contains("needs attention"));
    }

    #[test]
    fn within_attention_the_level_then_deadline_then_arrival_decide() {
        let a = item(Level::P2, Status::New, 0, 100, 0);
        let b = item(Level::P2, Status::New, 0, 50, 10);
        let c = item(Level::P2, Status::New, 0, 50, 5);
        let all = [a.clone(), b.clone(), c.clone()];
        let q = ordered(all.iter());
        let ids: Vec<ItemId> = q.iter().map(|e| e.item.id).collect();
        assert_eq!(ids, [c.id, b.id, a.id]);
        assert_eq!(q[1].explanation.position_code, "arrived_earlier");
        assert_eq!(q[2].explanation.position_code, "earlier_deadline");
    }

    fn any_item() -> impl Strategy<Value = Item> {
        (
            prop::sample::select(Level::ALL.to_vec()),
            prop::sample::select(vec![
                Status::New,
                Status::Acknowledged,
                Status::Assigned,
                Status::InProgress,
            ]),
            0u32..3,
            0i64..1000,
            0i64..1000,
        )
            .prop_map(|(l, s, u, d, r)| item(l, s, u, d, r))
    }

    proptest! {
        #[test]
        fn nothing_needing_attention_is_ever_behind_something_that_does_not(
            items in prop::collection::vec(any_item(), 0..30)
        ) {
            let q = ordered(items.iter());
            prop_assert_eq!(q.len(), items.len());
            for w in q.windows(2) {
                let (a, b) = (w[0].item, w[1].item);
                prop_assert!(a.needs_attention() || !b.needs_attention());
                if a.needs_attention() == b.needs_attention() {
                    prop_assert!(a.priority.level <= b.priority.level);
                }
            }
        }
    }
}
