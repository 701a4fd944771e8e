//! Shelters and their free places. A placement takes one place in one conditional update, so
//! the last place cannot be given twice (`emiu::cases::record_measure`).

use crate::store::emergency::ShelterRecord;

/// Synthetic demo shelters (invented names and capacities).
pub(crate) fn demo() -> Vec<ShelterRecord> {
    [
        ("ADP-1", "Adăpostul pentru victime — Casa Speranța", 12, 4),
        (
            "ADP-2",
            "Centrul de primire în regim de urgență — Casa Liliacului",
            8,
            2,
        ),
        ("ADP-3", "Locuință protejată — Casa Teilor", 6, 1),
    ]
    .into_iter()
    .map(|(id, name, capacity, free)| ShelterRecord {
        id: id.into(),
        name: name.into(),
        capacity,
        free_places: free,
    })
    .collect()
}
