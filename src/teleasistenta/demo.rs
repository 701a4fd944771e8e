//! Synthetic demo data for the emergency workflows: TeleAsistență devices with invented
//! beneficiaries and carers (phone numbers in a range no real subscriber has), shelters with
//! their capacities. No real person is described.

use chrono::Utc;

use crate::store::emergency::{Carer, DeviceRecord};
use crate::store::EmergencyStore;

const FIRST: &[&str] = &[
    "Maria", "Ion", "Elena", "Gheorghe", "Ana", "Vasile", "Ioana", "Nicolae", "Floarea", "Petru",
];
const LAST: &[&str] = &[
    "Popescu-Test",
    "Ionescu-Demo",
    "Stan-Fictiv",
    "Dumitru-Exemplu",
    "Marin-Demo",
];
/// Real streets of Timișoara with invented numbers, positioned near the street.
const STREETS: &[(&str, f64, f64)] = &[
    ("Strada Lazăr", 21.2215, 45.7592),
    ("Bulevardul Revoluției din 1989", 21.2300, 45.7560),
    ("Strada Alba Iulia", 21.2270, 45.7530),
    ("Calea Aradului", 21.2290, 45.7760),
    ("Strada Ion Creangă", 21.2380, 45.7460),
    ("Calea Șagului", 21.2050, 45.7370),
    ("Strada Gheorghe Lazăr", 21.2190, 45.7600),
    ("Bulevardul Cetății", 21.2320, 45.7700),
];

/// The demo devices: `TA-DEMO-001` … `TA-DEMO-020`.
pub(crate) fn devices() -> Vec<DeviceRecord> {
    (1..=20usize)
        .map(|i| {
            let (street, lon, lat) = STREETS[i % STREETS.len()];
            let name = format!("{} {}", FIRST[i % FIRST.len()], LAST[i % LAST.len()]);
            DeviceRecord {
                device_id: format!("TA-DEMO-{i:03}"),
                beneficiary: name,
                address: format!("{street} {}, Timișoara", 2 + i * 3),
                lon: Some(lon + (i as f64) * 0.0004),
                lat: Some(lat - (i as f64) * 0.0003),
                phone: format!("+40799000{i:03}"),
                carers: vec![
                    Carer {
                        name: format!("Aparținător {i}A (demo)"),
                        phone: format!("+40799100{i:03}"),
                        relation: "fiică".into(),
                    },
                    Carer {
                        name: format!("Aparținător {i}B (demo)"),
                        phone: format!("+40799200{i:03}"),
                        relation: "vecin".into(),
                    },
                ],
                medical_notes: if i % 3 == 0 {
                    "diabet, insuficiență cardiacă (date fictive)".into()
                } else {
                    "hipertensiune (date fictive)".into()
                },
                access_notes: "interfon 12, etaj 2 (date fictive)".into(),
                key_safe: format!(
                    "cutie de chei la ușa blocului, cod {:04} (fictiv)",
                    1000 + i
                ),
                checkin_period_s: 86_400,
                last_checkin_at: Utc::now(),
                battery_pct: Some(80),
                missed_raised_for: None,
                low_battery_raised: false,
            }
        })
        .collect()
}

/// Registers the demo devices that are missing and the demo bed registry.
pub(crate) async fn seed(emergency: &dyn EmergencyStore) -> anyhow::Result<()> {
    for d in devices() {
        if emergency.device(&d.device_id).await?.is_none() {
            emergency.put_device(&d).await?;
        }
    }
    crate::beds::demo::seed(emergency).await?;
    Ok(())
}
