//! Who is calling: a number matched against the TeleAsistență beneficiaries and carers.

use crate::domain::{Place, Subject};
use crate::error::Result;
use crate::store::EmergencyStore;
use crate::teleasistenta::subject::device_subject;

/// What the registry knows of a number.
#[derive(Debug, Default)]
pub(crate) struct KnownCaller {
    /// A line for the call card ("Număr cunoscut: …"), empty for an unknown number.
    pub line: String,
    /// The beneficiary's home, when the caller is a beneficiary.
    pub home: Option<Place>,
    /// The person: the beneficiary (name, home, phone, device) or the carer (name, phone).
    pub subject: Option<Subject>,
}

/// Who the number belongs to among the TeleAsistență beneficiaries and carers: a line for the
/// call card, the beneficiary's home when the caller is the beneficiary, and the person.
pub(crate) async fn known_caller(
    emergency: &dyn EmergencyStore,
    number: &str,
) -> Result<KnownCaller> {
    if number == "withheld" {
        return Ok(KnownCaller::default());
    }
    let devices = emergency.devices_by_phone(number).await?;
    let mut lines = Vec::new();
    let mut known = KnownCaller::default();
    for d in &devices {
        if d.phone == number {
            lines.push(format!(
                "Număr cunoscut: beneficiar TeleAsistență {} (dispozitiv {}).",
                d.beneficiary, d.device_id
            ));
            let subject = device_subject(d);
            known.home.get_or_insert(Place {
                address: subject.address.clone(),
                position: subject.position,
            });
            known.subject.get_or_insert(subject);
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
                known.subject.get_or_insert(Subject {
                    name: c.name.clone(),
                    phone: Some(c.phone.clone()),
                    ..Subject::default()
                });
            }
        }
    }
    known.line = lines.join(" ");
    Ok(known)
}

/// The subject of a call card: the known person (a beneficiary at home, a carer), at the place
/// typed on the card when there is one; an unknown caller with a place typed is a subject with
/// an empty name (nobody known, somewhere known); `None` when neither is known.
pub(crate) fn call_subject(
    known: Option<Subject>,
    number: &str,
    location: Option<&Place>,
) -> Option<Subject> {
    let typed = location.filter(|l| l.address.is_some() || l.position.is_some());
    let mut subject = match (known, typed) {
        (Some(s), _) => s,
        (None, Some(_)) => Subject::default(),
        (None, None) => return None,
    };
    if let Some(place) = typed {
        subject.address = place.address.clone();
        subject.position = place.position;
    }
    if subject.phone.is_none() && number != "withheld" {
        subject.phone = Some(number.to_owned());
    }
    Some(subject)
}

#[cfg(test)]
mod tests {
    use super::*;
    use routing::travel::LonLat;

    #[test]
    fn a_typed_place_wins_over_the_known_home_and_an_unknown_caller_has_no_name() {
        let home = Subject {
            name: "Ana Pop".into(),
            address: Some("Str. Exemplu 1".into()),
            position: Some(LonLat::new(26.1, 44.4)),
            device_id: Some("TA-1".into()),
            phone: Some("+40700000001".into()),
        };
        let typed = Place {
            address: Some("Str. Alta 2".into()),
            position: None,
        };
        let s = call_subject(Some(home.clone()), "+40700000001", Some(&typed)).unwrap();
        assert_eq!(
            (s.name.as_str(), s.address.as_deref(), s.position),
            ("Ana Pop", Some("Str. Alta 2"), None)
        );
        let s = call_subject(Some(home), "+40700000001", None).unwrap();
        assert_eq!(s.address.as_deref(), Some("Str. Exemplu 1"));
        let s = call_subject(None, "+40700000009", Some(&typed)).unwrap();
        assert_eq!(
            (s.name.as_str(), s.phone.as_deref()),
            ("", Some("+40700000009"))
        );
        assert_eq!(call_subject(None, "withheld", None), None);
    }
}
