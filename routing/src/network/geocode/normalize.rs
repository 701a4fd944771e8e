//! Folding what dispatchers type and what OSM says into comparable tokens: lower case, no
//! diacritics (ș/ş, ț/ţ, ă, â, î), abbreviations of street types expanded, punctuation dropped.

use unicode_normalization::UnicodeNormalization;

/// Street-type words and their abbreviations, mapped to one spelling. `None` drops the word:
/// "strada" is what every street is, so it never helps to tell two apart.
const STREET_TYPES: [(&str, Option<&str>); 24] = [
    ("strada", None),
    ("str", None),
    ("nr", None),
    ("numarul", None),
    ("bulevardul", Some("bulevardul")),
    ("bulevard", Some("bulevardul")),
    ("bd", Some("bulevardul")),
    ("bdul", Some("bulevardul")),
    ("blvd", Some("bulevardul")),
    ("calea", Some("calea")),
    ("cal", Some("calea")),
    ("piata", Some("piata")),
    ("pta", Some("piata")),
    ("pt", Some("piata")),
    ("splaiul", Some("splaiul")),
    ("spl", Some("splaiul")),
    ("intrarea", Some("intrarea")),
    ("intr", Some("intrarea")),
    ("aleea", Some("aleea")),
    ("al", Some("aleea")),
    ("soseaua", Some("soseaua")),
    ("sos", Some("soseaua")),
    ("pasajul", Some("pasajul")),
    ("piateta", Some("piateta")),
];

/// Words that name the kind of street; a query may leave them out.
pub(crate) fn is_street_type(token: &str) -> bool {
    STREET_TYPES.iter().any(|(_, canon)| *canon == Some(token))
}

/// Lower case without diacritics: "Piața Victoriei" -> "piata victoriei".
pub(crate) fn fold(text: &str) -> String {
    text.nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

/// The comparable tokens of a name or query, street types canonical, "strada" dropped.
pub(crate) fn tokens(text: &str) -> Vec<String> {
    let folded = fold(text)
        .replace("b-dul", "bulevardul")
        .replace("p-ta", "piata");
    folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
        .filter_map(|t| match STREET_TYPES.iter().find(|(abbr, _)| *abbr == t) {
            Some((_, canon)) => canon.map(str::to_string),
            None => Some(t.to_string()),
        })
        .collect()
}

/// A house number in comparable form: "24 A" -> "24a".
pub(crate) fn house_number(text: &str) -> String {
    fold(text)
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == '-' || *c == '/')
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diacritics_and_cedilla_variants_fold_to_plain_letters() {
        assert_eq!(
            fold("Ștefan Țiței Lazăr Câmpina Înșir"),
            "stefan titei lazar campina insir"
        );
        assert_eq!(fold("Şcoala Ţara"), "scoala tara");
    }

    #[test]
    fn street_type_abbreviations_are_expanded_and_strada_dropped() {
        assert_eq!(
            tokens("Str. Gheorghe Lazăr 24"),
            ["gheorghe", "lazar", "24"]
        );
        assert_eq!(tokens("Bd. Revoluției"), ["bulevardul", "revolutiei"]);
        assert_eq!(
            tokens("B-dul Take Ionescu"),
            ["bulevardul", "take", "ionescu"]
        );
        assert_eq!(tokens("P-ța Victoriei"), ["piata", "victoriei"]);
        assert_eq!(tokens("Cal. Aradului nr. 5"), ["calea", "aradului", "5"]);
    }
}
