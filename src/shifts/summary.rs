//! The generated part of a handover note: the state of the queue at handover, in counts and
//! item references only. No names, numbers, addresses or free text of any item ever enter it,
//! so the note can be shown to the whole incoming shift (a domestic-violence case appears as
//! its id and level, as it does redacted in the queue).

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::{Item, ItemId, Level, Resource, ResourceKind, Status};

/// Open items per level.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub(crate) struct LevelCounts {
    #[serde(rename = "P1")]
    pub(crate) p1: u32,
    #[serde(rename = "P2")]
    pub(crate) p2: u32,
    #[serde(rename = "P3")]
    pub(crate) p3: u32,
    #[serde(rename = "P4")]
    pub(crate) p4: u32,
}

/// An item someone is working on, and whose it is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub(crate) struct InProgress {
    pub(crate) item_id: ItemId,
    #[schema(value_type = String, example = "P1")]
    pub(crate) level: Level,
    #[schema(value_type = String, example = "in_progress")]
    pub(crate) status: Status,
    /// The account handling it (staff, not a person in the case); absent when nobody took it.
    pub(crate) handler: Option<String>,
}

/// A follow-up call falling due soon.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub(crate) struct FollowUpDue {
    /// The case it was scheduled on.
    pub(crate) item_id: ItemId,
    pub(crate) due: DateTime<Utc>,
}

/// The state at handover.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub(crate) struct HandoverSummary {
    pub(crate) generated_at: DateTime<Utc>,
    /// Items not closed, per level.
    pub(crate) open_by_level: LevelCounts,
    /// Items acknowledged, assigned or in progress, most urgent first.
    pub(crate) in_progress: Vec<InProgress>,
    /// Scheduled follow-up calls due before `follow_ups_until`, soonest first.
    pub(crate) follow_ups_due: Vec<FollowUpDue>,
    pub(crate) follow_ups_until: DateTime<Utc>,
    /// Open items an EMIU team is assigned to: interventions under way.
    pub(crate) emiu_open: u32,
}

/// Builds the summary from the live items and resources and the scheduled follow-ups
/// (`(item, due)`, already limited to those due before `until`).
pub(crate) fn summarise<'a>(
    items: impl Iterator<Item = &'a Item>,
    resources: impl Iterator<Item = &'a Resource>,
    follow_ups: &[(ItemId, DateTime<Utc>)],
    now: DateTime<Utc>,
    until: DateTime<Utc>,
) -> HandoverSummary {
    let teams: HashSet<_> = resources
        .filter(|r| r.kind == ResourceKind::EmiuTeam)
        .map(|r| r.id.clone())
        .collect();
    let mut counts = LevelCounts::default();
    let mut in_progress = Vec::new();
    let mut emiu_open = 0;
    for item in items.filter(|i| i.status != Status::Closed) {
        match item.priority.level {
            Level::P1 => counts.p1 += 1,
            Level::P2 => counts.p2 += 1,
            Level::P3 => counts.p3 += 1,
            Level::P4 => counts.p4 += 1,
        }
        if matches!(
            item.status,
            Status::Acknowledged | Status::Assigned | Status::InProgress
        ) {
            in_progress.push(InProgress {
                item_id: item.id,
                level: item.priority.level,
                status: item.status,
                handler: item.handler.clone(),
            });
        }
        if item.assigned_to.iter().any(|r| teams.contains(r)) {
            emiu_open += 1;
        }
    }
    in_progress.sort_by_key(|p| (p.level, p.item_id.0));
    let mut follow_ups_due: Vec<FollowUpDue> = follow_ups
        .iter()
        .filter(|(_, due)| *due <= until)
        .map(|(item_id, due)| FollowUpDue {
            item_id: *item_id,
            due: *due,
        })
        .collect();
    follow_ups_due.sort_by_key(|f| (f.due, f.item_id.0));
    HandoverSummary {
        generated_at: now,
        open_by_level: counts,
        in_progress,
        follow_ups_due,
        follow_ups_until: until,
        emiu_open,
    }
}
