//! TwiML answers: the XML the provider executes on the call.

/// Escapes text for an XML element or attribute.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// One TwiML verb.
pub(crate) enum Verb<'a> {
    /// Spoken in Romanian.
    Say(&'a str),
    Play(&'a str),
    /// Rings `number`; the outcome is posted to `action`.
    Dial {
        number: &'a str,
        timeout_s: u32,
        action: &'a str,
    },
    /// Holds the caller in a queue; `wait_url` is played while waiting, `action` gets the
    /// result when they leave it.
    Enqueue {
        queue: &'a str,
        wait_url: &'a str,
        action: &'a str,
    },
    Hangup,
}

/// A `<Response>` document.
pub(crate) fn response(verbs: &[Verb<'_>]) -> String {
    let mut xml = String::from(r#"<?xml version="1.0" encoding="UTF-8"?><Response>"#);
    for verb in verbs {
        match verb {
            Verb::Say(text) => {
                xml.push_str(&format!(r#"<Say language="ro-RO">{}</Say>"#, esc(text)))
            }
            Verb::Play(url) => xml.push_str(&format!("<Play>{}</Play>", esc(url))),
            Verb::Dial {
                number,
                timeout_s,
                action,
            } => xml.push_str(&format!(
                r#"<Dial timeout="{timeout_s}" action="{}" method="POST"><Number>{}</Number></Dial>"#,
                esc(action),
                esc(number)
            )),
            Verb::Enqueue {
                queue,
                wait_url,
                action,
            } => xml.push_str(&format!(
                r#"<Enqueue waitUrl="{}" waitUrlMethod="POST" action="{}" method="POST">{}</Enqueue>"#,
                esc(wait_url),
                esc(action),
                esc(queue)
            )),
            Verb::Hangup => xml.push_str("<Hangup/>"),
        }
    }
    xml.push_str("</Response>");
    xml
}

#[cfg(test)]
mod tests {
    use crate::telephony::twiml::*;

    #[test]
    fn text_is_escaped_and_spoken_in_romanian() {
        let xml = response(&[Verb::Say("Așteptați <puțin> & \"rămâneți\"")]);
        assert!(
            xml.contains(
                r#"<Say language="ro-RO">Așteptați &lt;puțin&gt; &amp; &quot;rămâneți&quot;</Say>"#
            ),
            "{xml}"
        );
        assert!(xml.starts_with("<?xml") && xml.ends_with("</Response>"));
    }
}
