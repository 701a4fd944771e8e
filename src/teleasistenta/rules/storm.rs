//! Storm mode: when many alarms arrive at once (a heatwave, a power cut), the queue groups
//! repeats from one device, keeps P1 first, and the console shows a storm banner. Nothing is
//! dropped: every alarm is its own item in the log; grouping is only how they are shown.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use std::collections::HashMap;

use crate::domain::{Details, Item, ItemId, Level, Status};

/// Open alarms of one device.
#[derive(Debug, Serialize, PartialEq, utoipa::ToSchema)]
pub(crate) struct DeviceGroup {
    pub device_id: String,
    /// The highest level among them.
    pub level: Level,
    pub count: usize,
    /// In queue order: the one to open first is first.
    pub items: Vec<ItemId>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct StormStatus {
    pub active: bool,
    /// Alarms received within the window.
    pub recent: usize,
    pub threshold: usize,
    pub window_s: i64,
    pub open_alarms: usize,
    /// Devices with more than one open alarm, most urgent first.
    pub repeats: Vec<DeviceGroup>,
}

/// Storm state over the items (pure).
pub(crate) fn status<'a>(
    items: impl Iterator<Item = &'a Item>,
    now: DateTime<Utc>,
    threshold: usize,
    window_s: i64,
) -> StormStatus {
    let since = now - Duration::seconds(window_s);
    let mut recent = 0;
    let mut open = 0;
    let mut by_device: HashMap<&str, Vec<&Item>> = HashMap::new();
    for item in items {
        let Details::Alert { device_id, .. } = &item.details else {
            continue;
        };
        if item.times.received >= since {
            recent += 1;
        }
        if item.status != Status::Closed {
            open += 1;
            by_device.entry(device_id.as_str()).or_default().push(item);
        }
    }
    let mut repeats: Vec<DeviceGroup> = by_device
        .into_iter()
        .filter(|(_, v)| v.len() > 1)
        .map(|(device, mut v)| {
            v.sort_by(|a, b| crate::queue::order::compare(a, b));
            DeviceGroup {
                device_id: device.to_owned(),
                level: v[0].priority.level,
                count: v.len(),
                items: v.iter().map(|i| i.id).collect(),
            }
        })
        .collect();
    repeats.sort_by(|a, b| {
        a.level
            .cmp(&b.level)
            .then(b.count.cmp(&a.count))
            .then(a.device_id.cmp(&b.device_id))
    });
    StormStatus {
        active: recent >= threshold,
        recent,
        threshold,
        window_s,
        open_alarms: open,
        repeats,
    }
}
