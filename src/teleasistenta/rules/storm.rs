//! Storm mode: when many alarms arrive at once (a heatwave, a power cut), the queue groups
//! repeats from one device, keeps P1 first, and the console shows a storm banner. Nothing is
//! dropped: an alarm of a device whose open alert of the same type is still open is counted on
//! that item (`Item::repeats`, a `repeated` event in the log), any other alarm is its own item;
//! grouping by device is only how they are shown.

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
    /// Alarms: the open items and the repeats counted on them.
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
    /// Alarms on open items, repeats included.
    pub open_alarms: usize,
    /// Devices with more than one open alarm (items, or repeats on one), most urgent first.
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
        let alarms = 1 + item.repeats as usize;
        // An item's repeats are counted with it: the log keeps their own times, the live
        // state only the count.
        if item.times.received >= since {
            recent += alarms;
        }
        if item.status != Status::Closed {
            open += alarms;
            by_device.entry(device_id.as_str()).or_default().push(item);
        }
    }
    let alarms_of = |v: &[&Item]| v.iter().map(|i| 1 + i.repeats as usize).sum::<usize>();
    let mut repeats: Vec<DeviceGroup> = by_device
        .into_iter()
        .filter(|(_, v)| alarms_of(v) > 1)
        .map(|(device, mut v)| {
            v.sort_by(|a, b| crate::queue::order::compare(a, b));
            DeviceGroup {
                device_id: device.to_owned(),
                level: v
                    .iter()
                    .map(|i| i.priority.level)
                    .min()
                    .unwrap_or(v[0].priority.level),
                count: alarms_of(&v),
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
