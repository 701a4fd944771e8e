//! The events a DC-09 message carries, and what each becomes in the service.
//!
//! - Contact ID (`ADM-CID`, SIA DC-05): `#acct|QEEE GG ZZZ`: `Q` the qualifier (1 a new event or
//!   opening, 3 a restore or closing, 6 a previously reported condition still present), `EEE`
//!   the event code (101 personal emergency, 100 medical, 602 periodic test …), `GG` the group
//!   or partition, `ZZZ` the zone or, for user events, the user number.
//! - SIA (`SIA-DCS`, SIA DC-03): `#acct|N` then `/`-separated fields; modifiers are two lowercase
//!   letters and a value (`ri1` area, `id12` user, `ti12:30` time), the event is two uppercase
//!   letters and its zone or user (`MA03`: medical alarm, zone 3; `MH03` its restore).
//!
//! The configured table (`[receiver.codes]`) maps `cid:EEE` and `sia:XX` to an alarm type, to
//! `checkin` (a periodic test counts as a sign of life), `cancel` (the user cancelled: noted on
//! the open alarm), or `restore:TYPE` (the condition ended: noted on the open alarm of TYPE).
//! A Contact ID with qualifier 3 restores the type its code maps to.

use std::collections::BTreeMap;

use crate::domain::AlarmType;

/// One event, as read from the data block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Event {
    ContactId {
        qualifier: char,
        code: String,
        group: String,
        zone: String,
    },
    Sia {
        code: String,
        zone: String,
    },
}

impl Event {
    /// The key of the configured table.
    pub(crate) fn table_key(&self) -> String {
        match self {
            Event::ContactId { code, .. } => format!("cid:{code}"),
            Event::Sia { code, .. } => format!("sia:{code}"),
        }
    }

    /// A short record of the event for the item (`cid:1101 g01 z003`): codes, no personal data.
    pub(crate) fn label(&self) -> String {
        match self {
            Event::ContactId {
                qualifier,
                code,
                group,
                zone,
            } => format!("cid:{qualifier}{code}-g{group}-z{zone}"),
            Event::Sia { code, zone } => format!("sia:{code}-z{zone}"),
        }
    }

    pub(crate) fn zone(&self) -> &str {
        match self {
            Event::ContactId { zone, .. } | Event::Sia { zone, .. } => zone,
        }
    }
}

fn strip_account(data: &str) -> &str {
    match data.strip_prefix('#') {
        Some(rest) => rest.split_once('|').map_or(rest, |(_, e)| e),
        None => data.strip_prefix('|').unwrap_or(data),
    }
}

/// Reads the event of an `ADM-CID` or `SIA-DCS` data block; `None` when it is not as the
/// standard writes it.
pub(crate) fn parse(id: &str, data: &str) -> Option<Event> {
    let e = strip_account(data);
    match id {
        "ADM-CID" => {
            let b = e.as_bytes();
            let ok = b.len() == 11
                && matches!(b[0], b'1' | b'3' | b'6')
                && b[1..4].iter().all(u8::is_ascii_hexdigit)
                && b[4] == b' '
                && b[5..7].iter().all(u8::is_ascii_hexdigit)
                && b[7] == b' '
                && b[8..11].iter().all(u8::is_ascii_hexdigit);
            ok.then(|| Event::ContactId {
                qualifier: char::from(b[0]),
                code: e[1..4].to_owned(),
                group: e[5..7].to_owned(),
                zone: e[8..11].to_owned(),
            })
        }
        "SIA-DCS" => {
            let e = e.strip_prefix(['N', 'O']).unwrap_or(e);
            e.split('/').find_map(|f| {
                // Modifiers (`ri1`, `id12`, `ti12:30`) may precede the code with or without
                // a `/` between them.
                let mut f = f;
                while f.len() >= 2 && f.as_bytes()[..2].iter().all(u8::is_ascii_lowercase) {
                    f = f[2..].trim_start_matches(|c: char| c.is_ascii_digit() || c == ':');
                }
                let b = f.as_bytes();
                (b.len() >= 2
                    && b[0].is_ascii_uppercase()
                    && b[1].is_ascii_uppercase()
                    && b[2..].iter().all(u8::is_ascii_alphanumeric))
                .then(|| Event::Sia {
                    code: f[..2].to_owned(),
                    zone: f[2..].to_owned(),
                })
            })
        }
        _ => None,
    }
}

/// What an event does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Action {
    Alarm(AlarmType),
    /// The condition of an alarm of this type ended: a note on the open item.
    Restore(AlarmType),
    /// The user cancelled: a note on the device's open alarm.
    Cancel,
    /// A sign of life (periodic test).
    CheckIn,
    /// Not in the table: an item for the supervisor all the same.
    Unknown,
}

/// The configured table, checked.
#[derive(Clone, Debug, Default)]
pub(crate) struct CodeTable(BTreeMap<String, Action>);

impl CodeTable {
    /// Reads `[receiver.codes]`; names the entry that is wrong.
    pub(crate) fn from_config(codes: &BTreeMap<String, String>) -> Result<Self, String> {
        let mut out = BTreeMap::new();
        for (k, v) in codes {
            if !(k.starts_with("cid:") || k.starts_with("sia:")) {
                return Err(format!(
                    "receiver.codes.\"{k}\": keys are cid:EEE or sia:XX"
                ));
            }
            let action = match v.as_str() {
                "checkin" => Action::CheckIn,
                "cancel" => Action::Cancel,
                other => match other.strip_prefix("restore:") {
                    Some(t) => Action::Restore(
                        AlarmType::parse(t).map_err(|e| format!("receiver.codes.\"{k}\": {e}"))?,
                    ),
                    None => Action::Alarm(
                        AlarmType::parse(other)
                            .map_err(|e| format!("receiver.codes.\"{k}\": {e}"))?,
                    ),
                },
            };
            out.insert(k.clone(), action);
        }
        Ok(CodeTable(out))
    }

    /// What `event` does.
    pub(crate) fn action(&self, event: &Event) -> Action {
        let Some(&mapped) = self.0.get(&event.table_key()) else {
            return Action::Unknown;
        };
        match (event, mapped) {
            (Event::ContactId { qualifier: '3', .. }, Action::Alarm(t)) => Action::Restore(t),
            // Only the opening of a test or cancel counts.
            (Event::ContactId { qualifier: '3', .. }, Action::CheckIn | Action::Cancel) => {
                Action::CheckIn
            }
            _ => mapped,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> CodeTable {
        let m: BTreeMap<String, String> = [
            ("cid:101", "button"),
            ("cid:602", "checkin"),
            ("cid:406", "cancel"),
            ("sia:MA", "button"),
            ("sia:MH", "restore:button"),
        ]
        .into_iter()
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
        .collect();
        CodeTable::from_config(&m).unwrap()
    }

    #[test]
    fn contact_id_events_read_and_map_with_restores() {
        let e = parse("ADM-CID", "#1234|1101 01 003").unwrap();
        assert_eq!(e.zone(), "003");
        assert_eq!(table().action(&e), Action::Alarm(AlarmType::Button));
        let r = parse("ADM-CID", "#1234|3101 01 003").unwrap();
        assert_eq!(table().action(&r), Action::Restore(AlarmType::Button));
        let t = parse("ADM-CID", "#1234|1602 00 000").unwrap();
        assert_eq!(table().action(&t), Action::CheckIn);
        let u = parse("ADM-CID", "#1234|1999 00 000").unwrap();
        assert_eq!(table().action(&u), Action::Unknown);
        assert_eq!(parse("ADM-CID", "#1234|9101 01 003"), None);
        assert_eq!(parse("ADM-CID", "#1234|1101 01"), None);
    }

    #[test]
    fn sia_events_read_past_their_modifiers() {
        let e = parse("SIA-DCS", "#1234|Nri1/id7/MA03").unwrap();
        assert_eq!(
            e,
            Event::Sia {
                code: "MA".into(),
                zone: "03".into()
            }
        );
        assert_eq!(
            table().action(&parse("SIA-DCS", "#1234|NMH03").unwrap()),
            Action::Restore(AlarmType::Button)
        );
        assert_eq!(parse("SIA-DCS", "#1234|Nri1"), None);
        // my-dc09-spt writes no `/` after the area.
        assert_eq!(
            parse("SIA-DCS", "#1001|Nri1FA07"),
            Some(Event::Sia {
                code: "FA".into(),
                zone: "07".into()
            })
        );
    }

    #[test]
    fn a_wrong_table_entry_is_named() {
        let m: BTreeMap<String, String> = [("cid:101".to_owned(), "panik".to_owned())]
            .into_iter()
            .collect();
        assert!(CodeTable::from_config(&m).unwrap_err().contains("cid:101"));
    }
}
