//! A device's heartbeat, relayed by the alarm receiver. A battery reading under the configured
//! level raises one low-battery item until the battery is above it again.

use chrono::{DateTime, Utc};

use super::rules::checkin::{battery, low_battery_item, Battery};
use crate::core::{Command, CoreHandle, Outcome};
use crate::domain::ItemId;
use crate::error::{Error, Result};
use crate::store::emergency::DeviceRecord;
use crate::store::EmergencyStore;

/// Records a check-in of `device_id` at `now` with its battery reading, as `actor`: the device
/// after it, and the low-battery item a reading under `threshold` raised; 404 for an unknown
/// device.
pub(crate) async fn record(
    emergency: &dyn EmergencyStore,
    core: &CoreHandle,
    actor: &str,
    device_id: &str,
    now: DateTime<Utc>,
    battery_pct: Option<i32>,
    threshold: i32,
) -> Result<(DeviceRecord, Option<ItemId>)> {
    let device = emergency
        .record_checkin(device_id, now, battery_pct)
        .await?
        .ok_or_else(|| Error::NotFound(format!("device {device_id}")))?;
    let mut raised = None;
    match battery(battery_pct, threshold, device.low_battery_raised) {
        Battery::Raise => {
            let (details, key) = low_battery_item(device_id, now, actor);
            let out = core
                .execute(
                    actor,
                    Command::Create {
                        details,
                        subject: Some(super::subject::device_subject(&device)),
                        key: Some(key),
                        rate_limited: false,
                    },
                )
                .await?;
            emergency.set_low_battery_raised(device_id, true).await?;
            if let Outcome::Item { item, .. } = out {
                raised = Some(item.id);
            }
        }
        Battery::Clear => emergency.set_low_battery_raised(device_id, false).await?,
        Battery::Keep => {}
    }
    Ok((device, raised))
}
