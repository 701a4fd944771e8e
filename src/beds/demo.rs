//! Synthetic demo bed registry: invented providers, facilities, capacities, addresses and
//! phone numbers (a range no real subscriber has). Nothing here describes a real place.

use chrono::Utc;

use crate::store::beds::{FacilityRecord, ProviderRecord};
use crate::store::EmergencyStore;

/// Registers the demo providers and facilities that are missing.
pub(crate) async fn seed(store: &dyn EmergencyStore) -> anyhow::Result<()> {
    let now = Utc::now();
    for (id, name, kind) in [
        ("DAS", "DAS Timișoara", "das"),
        ("ONG-ACASA", "Asociația Acasă (fictiv)", "ngo"),
    ] {
        store
            .insert_provider(&ProviderRecord {
                id: id.into(),
                name: name.into(),
                kind: kind.into(),
                phone: "+40799000900".into(),
                created_at: now,
                updated_at: now,
            })
            .await?;
    }
    let facilities = [
        (
            "ADP-1",
            "DAS",
            "Adăpostul pentru victime — Casa Speranța",
            "dv_shelter",
            8,
            4,
            0,
            90,
            None,
        ),
        (
            "ADP-2",
            "DAS",
            "Centrul de primire în regim de urgență — Casa Liliacului",
            "dv_shelter",
            6,
            2,
            0,
            60,
            None,
        ),
        (
            "ADP-3",
            "ONG-ACASA",
            "Locuință protejată — Casa Teilor",
            "dv_shelter",
            4,
            2,
            0,
            180,
            None,
        ),
        (
            "NOAPTE-1",
            "DAS",
            "Adăpost de noapte Iosefin",
            "night_shelter",
            30,
            0,
            15,
            1,
            Some((21.2087, 45.7489, "Str. Demo 1, Timișoara (fictiv)")),
        ),
        (
            "NOAPTE-2",
            "ONG-ACASA",
            "Adăpost de noapte Fabric",
            "night_shelter",
            20,
            0,
            10,
            1,
            Some((21.2440, 45.7580, "Str. Demo 2, Timișoara (fictiv)")),
        ),
        (
            "CRIZA-1",
            "DAS",
            "Centrul de criză Timișoara",
            "crisis",
            10,
            4,
            0,
            30,
            Some((21.2270, 45.7530, "Str. Demo 3, Timișoara (fictiv)")),
        ),
        (
            "ADAPOST-1",
            "DAS",
            "Centrul social de urgență",
            "shelter",
            25,
            6,
            0,
            90,
            Some((21.2300, 45.7600, "Str. Demo 4, Timișoara (fictiv)")),
        ),
    ];
    for (id, provider, name, kind, adults, children, extra, days, place) in facilities {
        let (lon, lat, address) = match place {
            Some((lon, lat, a)) => (Some(lon), Some(lat), a.to_owned()),
            // The DV shelters' demo addresses are as invented as the rest, and as protected.
            None => (None, None, format!("Adresă protejată {id} (fictiv)")),
        };
        store
            .insert_facility(&FacilityRecord {
                id: id.into(),
                provider_id: provider.into(),
                name: name.into(),
                kind: kind.into(),
                adult_places: adults,
                child_places: children,
                cold_extra_places: extra,
                stay_limit_days: days,
                address,
                lon,
                lat,
                phone: "+40799000901".into(),
                version: 0,
                created_at: now,
                updated_at: now,
            })
            .await?;
    }
    Ok(())
}
