//! Who is calling: a number matched against the TeleAsistență beneficiaries and carers.

use crate::domain::Place;
use crate::error::Result;
use crate::store::EmergencyStore;
use routing::travel::LonLat;

/// Who the number belongs to among the TeleAsistență beneficiaries and carers: a line for the
/// call card, and the beneficiary's home when the caller is the beneficiary.
pub(crate) async fn known_caller(
    emergency: &dyn EmergencyStore,
    number: &str,
) -> Result<(String, Option<Place>)> {
    if number == "withheld" {
        return Ok((String::new(), None));
    }
    let devices = emergency.devices_by_phone(number).await?;
    let mut lines = Vec::new();
    let mut home = None;
    for d in &devices {
        if d.phone == number {
            lines.push(format!(
                "Număr cunoscut: beneficiar TeleAsistență {} (dispozitiv {}).",
                d.beneficiary, d.device_id
            ));
            home.get_or_insert(Place {
                address: Some(d.address.clone()),
                position: d.lon.zip(d.lat).map(|(lon, lat)| LonLat::new(lon, lat)),
            });
        }
        for (i, c) in d.carers.iter().enumerate() {
            if c.phone == number {
                lines.push(format!(
                    "Număr cunoscut: aparținător nr. {} ({}) al beneficiarului {} (dispozitiv {}).",
                    i + 1,
                    c.name,
                    d.beneficiary,
                    d.device_id
                ));
            }
        }
    }
    Ok((lines.join(" "), home))
}
