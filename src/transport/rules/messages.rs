//! Messages between dispatch and a driver as rules: the canned answers a driver can send with
//! one tap, the text limits, and who acknowledges which message.

use crate::access::Role;
use crate::domain::parse;
use crate::error::{Error, Result};
use crate::transport::model::MessageDirection;

/// The longest message, in characters: a tablet screen, read at a stop.
pub(crate) const MAX_TEXT: usize = 500;

/// The driver's canned messages: code and the Romanian text stored with it (a console shows its
/// own words for the code).
pub(crate) const CANNED: &[(&str, &str)] = &[
    ("late_10", "Întârzii 10 min"),
    ("late_20", "Întârzii 20 min"),
    ("traffic", "Trafic blocat"),
    ("at_address", "Am ajuns la adresă"),
    ("rider_not_ready", "Beneficiarul nu este gata"),
    ("call_me", "Vă rog să mă sunați"),
];

/// The text of a message: the canned message's, or the free text (1..=MAX_TEXT characters,
/// trimmed). A canned code the service does not know is a 422 naming `canned`.
pub(crate) fn text_of(
    canned: Option<&str>,
    text: Option<&str>,
) -> Result<(String, Option<String>)> {
    if let Some(code) = canned {
        let (code, words) = CANNED
            .iter()
            .find(|(c, _)| *c == code)
            .ok_or_else(|| Error::validation("canned", "not a known canned message"))?;
        return Ok(((*words).to_owned(), Some((*code).to_owned())));
    }
    let text = parse::text("text", text.unwrap_or_default().trim(), MAX_TEXT)?;
    if text.is_empty() {
        return Err(Error::validation("text", "is required (or `canned`)"));
    }
    Ok((text, None))
}

/// The direction a message sent by `role` goes.
pub(crate) fn direction_of(role: Role) -> MessageDirection {
    if role == Role::Driver {
        MessageDirection::FromDriver
    } else {
        MessageDirection::ToDriver
    }
}

/// Whether `role` acknowledges messages that went `direction`: the driver those sent to them,
/// dispatch those the driver sent. (Which vehicle a driver may touch is checked by the service.)
pub(crate) fn acknowledges(role: Role, direction: MessageDirection) -> bool {
    match direction {
        MessageDirection::ToDriver => role == Role::Driver,
        MessageDirection::FromDriver => {
            matches!(role, Role::Dispatcher | Role::Supervisor | Role::Admin)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_canned_message_is_stored_with_its_code_and_words() {
        let (text, code) = text_of(Some("late_10"), None).unwrap();
        assert_eq!(
            (text.as_str(), code.as_deref()),
            ("Întârzii 10 min", Some("late_10"))
        );
        assert!(text_of(Some("nonsense"), None).is_err());
    }

    #[test]
    fn free_text_must_say_something_and_not_too_much() {
        assert!(text_of(None, Some("   ")).is_err());
        assert!(text_of(None, None).is_err());
        assert!(text_of(None, Some(&"x".repeat(MAX_TEXT + 1))).is_err());
        assert_eq!(text_of(None, Some(" Vin acum ")).unwrap().0, "Vin acum");
    }

    #[test]
    fn each_side_acknowledges_what_the_other_sent() {
        use MessageDirection::*;
        assert!(acknowledges(Role::Driver, ToDriver));
        assert!(!acknowledges(Role::Driver, FromDriver));
        assert!(acknowledges(Role::Dispatcher, FromDriver));
        assert!(!acknowledges(Role::Dispatcher, ToDriver));
        assert!(!acknowledges(Role::Emiu, FromDriver));
    }
}
