//! Who an alarm is about: the beneficiary of the device, as the registry holds them, for the
//! item's `subject` (name, home address and position, phone, device).

use crate::domain::Subject;
use crate::error::Result;
use crate::store::emergency::DeviceRecord;
use crate::store::EmergencyStore;
use routing::travel::LonLat;

/// The beneficiary of a registered device, at home.
pub(crate) fn device_subject(d: &DeviceRecord) -> Subject {
    Subject {
        name: d.beneficiary.clone(),
        address: Some(d.address.clone()).filter(|a| !a.is_empty()),
        phone: Some(d.phone.clone()).filter(|p| !p.is_empty()),
        position: d.lon.zip(d.lat).map(|(lon, lat)| LonLat::new(lon, lat)),
        device_id: Some(d.device_id.clone()),
    }
}

/// The subject of an alarm from `device_id`: its beneficiary, or `None` for a device the
/// registry does not know (the alarm is queued all the same).
pub(crate) async fn of_device(
    emergency: &dyn EmergencyStore,
    device_id: &str,
) -> Result<Option<Subject>> {
    Ok(emergency
        .device(device_id)
        .await?
        .map(|d| device_subject(&d)))
}
