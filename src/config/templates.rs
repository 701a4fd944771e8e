//! Message texts: Romanian templates from `config/sms-templates.ro.toml` (built in) or the file
//! named by `transport.templates_file`.

use serde::Deserialize;
use std::path::Path;

const BUILTIN: &str = include_str!("../../config/sms-templates.ro.toml");

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Templates {
    pub confirmation: String,
    pub reminder: String,
    pub arriving: String,
    pub no_show: String,
    /// The certificate expires soon (`{until}`, `{days}`).
    pub certificate_expiry: String,
    /// Answers to a rider's SMS reply about a trip (`{date}`, `{time}`, `{minutes}`).
    pub reply_confirmed: String,
    pub reply_cancelled: String,
    pub reply_eta: String,
    /// UNDE when no vehicle position or route gives an ETA yet.
    pub reply_planned: String,
    /// NU / ANULEZ for a trip already under way or done.
    pub reply_not_cancellable: String,
}

impl Templates {
    /// The built-in templates, or those of `file` when it is not empty.
    pub fn load(file: &Path) -> anyhow::Result<Self> {
        use anyhow::Context;
        let text = if file.as_os_str().is_empty() {
            BUILTIN.to_owned()
        } else {
            std::fs::read_to_string(file)
                .with_context(|| format!("transport.templates_file: reading {}", file.display()))?
        };
        toml::from_str(&text).context("transport.templates_file: not valid templates")
    }

    /// Fills `{name}` placeholders.
    pub fn render(template: &str, values: &[(&str, &str)]) -> String {
        let mut out = template.to_owned();
        for (name, value) in values {
            out = out.replace(&format!("{{{name}}}"), value);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_templates_parse_and_fill_their_placeholders() {
        let t = Templates::load(Path::new("")).unwrap();
        let s = Templates::render(&t.arriving, &[("vehicle", "VAN-01"), ("minutes", "7")]);
        assert!(s.contains("VAN-01") && s.contains('7') && !s.contains('{'));
    }
}
