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
