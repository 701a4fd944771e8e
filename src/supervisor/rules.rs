//! The supervisor's figures, pure: answer times since a moment (local midnight), open items by
//! level, and each handler's open items.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::domain::{Item, ItemId, Level, Status};
use crate::reports::rules::percentiles;

/// Open items per level.
#[derive(Clone, Debug, Default, PartialEq, Serialize, utoipa::ToSchema)]
#[allow(non_snake_case)]
pub(crate) struct OpenByLevel {
    pub(crate) P1: usize,
    pub(crate) P2: usize,
    pub(crate) P3: usize,
    pub(crate) P4: usize,
}

/// The day's answer-time figures.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub(crate) struct Kpi {
    /// Local midnight: the figures count from here.
    pub(crate) since: DateTime<Utc>,
    /// Items received since.
    pub(crate) received: usize,
    /// Of those, how many were acknowledged.
    pub(crate) acknowledged: usize,
    /// Seconds from receipt to acknowledgement (nearest rank), of those acknowledged.
    pub(crate) median_ack_s: Option<f64>,
    pub(crate) p90_ack_s: Option<f64>,
    /// Items whose deadline passed unacknowledged since.
    pub(crate) breached: usize,
    /// Every open item, whenever received.
    pub(crate) open_by_level: OpenByLevel,
}

/// The figures over `items` since `since`.
pub(crate) fn kpi<'a>(items: impl Iterator<Item = &'a Item>, since: DateTime<Utc>) -> Kpi {
    let mut received = 0;
    let mut ack_s = Vec::new();
    let mut breached = 0;
    let mut open = OpenByLevel::default();
    for item in items {
        if item.times.received >= since {
            received += 1;
            if let Some(at) = item.times.acknowledged {
                ack_s.push((at - item.times.received).num_milliseconds() as f64 / 1000.0);
            }
        }
        if item.times.breached.is_some_and(|at| at >= since) {
            breached += 1;
        }
        if item.status != Status::Closed {
            match item.priority.level {
                Level::P1 => open.P1 += 1,
                Level::P2 => open.P2 += 1,
                Level::P3 => open.P3 += 1,
                Level::P4 => open.P4 += 1,
            }
        }
    }
    let p = percentiles(ack_s);
    Kpi {
        since,
        received,
        acknowledged: p.count,
        median_ack_s: p.p50,
        p90_ack_s: p.p90,
        breached,
        open_by_level: open,
    }
}

/// An open item as a dispatcher's load: codes only, no personal data.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub(crate) struct OpenItem {
    pub(crate) id: ItemId,
    pub(crate) level: Level,
    pub(crate) category: String,
    pub(crate) status: Status,
}

/// Each handler's open items, most urgent first (level, then received).
pub(crate) fn loads<'a>(items: impl Iterator<Item = &'a Item>) -> BTreeMap<String, Vec<OpenItem>> {
    let mut open: Vec<&Item> = items
        .filter(|i| i.status != Status::Closed && i.handler.is_some())
        .collect();
    open.sort_by(|a, b| {
        a.priority
            .level
            .cmp(&b.priority.level)
            .then(a.times.received.cmp(&b.times.received))
            .then(a.id.cmp(&b.id))
    });
    let mut out: BTreeMap<String, Vec<OpenItem>> = BTreeMap::new();
    for item in open {
        if let Some(handler) = &item.handler {
            out.entry(handler.clone()).or_default().push(OpenItem {
                id: item.id,
                level: item.priority.level,
                category: item.category.clone(),
                status: item.status,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{AlarmType, Details, Priority, Timestamps};
    use chrono::Duration;

    fn item(level: Level, received: DateTime<Utc>, ack_after_s: Option<i64>) -> Item {
        let details = Details::Alert {
            device_id: "TA-1".into(),
            alarm_type: AlarmType::Fall,
            device_time: received,
            receiver_alarm_id: "1".into(),
            receiver: "r".into(),
        };
        Item {
            id: ItemId::new(),
            kind: details.kind(),
            category: details.category(),
            status: if ack_after_s.is_some() {
                Status::Acknowledged
            } else {
                Status::New
            },
            priority: Priority {
                level,
                rule: "r".into(),
                reason: "r".into(),
                respond_within_s: 60,
                facts: vec![],
            },
            deadline: received,
            breached: false,
            times: Timestamps {
                received,
                acknowledged: ack_after_s.map(|s| received + Duration::seconds(s)),
                ..Timestamps::default()
            },
            details,
            assigned_to: vec![],
            handler: ack_after_s.map(|_| "ana".into()),
            outcome: None,
            notes: vec![],
            version: 1,
            redacted: false,
            rate_limited: false,
            dv_case: None,
            subject: None,
            repeats: 0,
            repeats_unseen: 0,
            arrival: None,
        }
    }

    #[test]
    fn the_figures_count_from_midnight_and_every_open_item_by_level() {
        // Arrange: yesterday's open P1, and today's four items acknowledged after 10, 20, 30 s
        // and not at all.
        let midnight = Utc::now() - Duration::hours(5);
        let items = [
            item(Level::P1, midnight - Duration::hours(1), None),
            item(Level::P1, midnight + Duration::hours(1), Some(10)),
            item(Level::P2, midnight + Duration::hours(1), Some(30)),
            item(Level::P2, midnight + Duration::hours(2), Some(20)),
            item(Level::P3, midnight + Duration::hours(3), None),
        ];

        // Act
        let k = kpi(items.iter(), midnight);
        let l = loads(items.iter());

        // Assert
        assert_eq!((k.received, k.acknowledged), (4, 3));
        assert_eq!((k.median_ack_s, k.p90_ack_s), (Some(20.0), Some(30.0)));
        assert_eq!(
            (k.open_by_level.P1, k.open_by_level.P2, k.open_by_level.P3),
            (2, 2, 1)
        );
        let ana: Vec<Level> = l["ana"].iter().map(|o| o.level).collect();
        assert_eq!(ana, [Level::P1, Level::P2, Level::P2]);
    }
}
