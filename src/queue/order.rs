//! Queue order: level, then deadline, then arrival — and the explanation of a position.

use serde::Serialize;
use std::cmp::Ordering;

use crate::domain::{Item, Status};

/// The sort key of an open item. Lower sorts first.
pub fn compare(a: &Item, b: &Item) -> Ordering {
    a.priority
        .level
        .cmp(&b.priority.level)
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
}

/// Orders the open items and explains each position relative to the item ahead of it.
pub fn ordered<'a>(items: impl Iterator<Item = &'a Item>) -> Vec<QueueEntry<'a>> {
    let mut open: Vec<&Item> = items.filter(|i| is_open(i)).collect();
    open.sort_by(|a, b| compare(a, b));
    let mut out = Vec::with_capacity(open.len());
    for (i, item) in open.iter().enumerate() {
        let position_reason = match i.checked_sub(1).map(|p| open[p]) {
            None => "first in the queue".to_string(),
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
            },
            item,
        });
    }
    out
}

fn why_behind(item: &Item, ahead: &Item) -> String {
    if ahead.priority.level < item.priority.level {
        format!(
            "behind {}: higher level {} before {}",
            ahead.id, ahead.priority.level, item.priority.level
        )
    } else if ahead.deadline < item.deadline {
        format!(
            "behind {}: same level {}, earlier deadline {}",
            ahead.id,
            item.priority.level,
            ahead.deadline.format("%H:%M:%S")
        )
    } else {
        format!(
            "behind {}: same level and deadline, arrived earlier",
            ahead.id
        )
    }
}
