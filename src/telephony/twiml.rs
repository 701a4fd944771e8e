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
    /// Rings several phones at once (one `<Number>` each); the first to answer takes the call
    /// and the outcome is posted to `action`.
    DialNumbers {
        numbers: Vec<Number<'a>>,
        timeout_s: u32,
        action: &'a str,
    },
    Hangup,
}

/// One phone of a [`Verb::DialNumbers`].
pub(crate) struct Number<'a> {
    pub number: &'a str,
    /// Tones sent once it answers (a PBX extension), as the provider's `sendDigits`.
    pub send_digits: Option<&'a str>,
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
            Verb::DialNumbers {
                numbers,
                timeout_s,
                action,
            } => {
                xml.push_str(&format!(
                    r#"<Dial timeout="{timeout_s}" action="{}" method="POST">"#,
                    esc(action)
                ));
                for n in numbers {
                    match n.send_digits {
                        Some(d) => xml.push_str(&format!(
                            r#"<Number sendDigits="{}">{}</Number>"#,
                            esc(d),
                            esc(n.number)
                        )),
                        None => xml.push_str(&format!("<Number>{}</Number>", esc(n.number))),
                    }
                }
                xml.push_str("</Dial>");
            }
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

    #[test]
    fn several_numbers_ring_in_one_dial_with_the_extension_as_tones() {
        let xml = response(&[Verb::DialNumbers {
            numbers: vec![
                Number {
                    number: "+40256000101",
                    send_digits: None,
                },
                Number {
                    number: "+40256000102",
                    send_digits: Some("ww104"),
                },
            ],
            timeout_s: 20,
            action: "/telephony/voice/next?tried=1&x=<",
        }]);
        assert!(
            xml.contains(r#"<Dial timeout="20" action="/telephony/voice/next?tried=1&amp;x=&lt;" method="POST"><Number>+40256000101</Number><Number sendDigits="ww104">+40256000102</Number></Dial>"#),
            "{xml}"
        );
    }
}
