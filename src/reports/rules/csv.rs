//! The activity report as CSV for the directorate's Excel, set to Romanian: fields separated by
//! `;` (Romanian Excel uses the comma as its decimal mark, so it splits on `;`), decimals with a
//! comma, lines ending in CRLF, and UTF-8 with a byte-order mark so Excel reads the diacritics.
//! Each section is a block: a title line, a header line in Romanian, its rows, a blank line.
//! Values are the codes the API gives (`fall`, `help_given`): stable for a spreadsheet, and the
//! same as the JSON.

use std::fmt::Write;

use super::activity::{ActivityReport, Counts};

/// The byte-order mark Excel needs to read UTF-8.
const BOM: &str = "\u{feff}";

fn field(s: &str) -> String {
    if s.contains([';', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

fn line(out: &mut String, cells: &[String]) {
    let cells: Vec<String> = cells.iter().map(|c| field(c)).collect();
    out.push_str(&cells.join(";"));
    out.push_str("\r\n");
}

/// A decimal with a comma, one digit after it; empty when absent.
fn decimal(v: Option<f64>) -> String {
    v.map(|v| format!("{v:.1}").replace('.', ","))
        .unwrap_or_default()
}

fn block(out: &mut String, title: &str, header: &[&str], rows: Vec<Vec<String>>) {
    line(out, &[title.to_owned()]);
    line(
        out,
        &header.iter().map(|h| (*h).to_owned()).collect::<Vec<_>>(),
    );
    for r in rows {
        line(out, &r);
    }
    out.push_str("\r\n");
}

fn simple(c: &Counts) -> Vec<Vec<String>> {
    let mut rows: Vec<Vec<String>> = c
        .rows
        .iter()
        .map(|r| vec![r.key.clone(), r.count.to_string()])
        .collect();
    rows.push(vec!["total".into(), c.total.to_string()]);
    rows
}

/// The report as CSV text (with the byte-order mark).
pub(crate) fn to_csv(r: &ActivityReport) -> String {
    let mut out = String::from(BOM);
    line(
        &mut out,
        &[
            "Raport de activitate".into(),
            r.period.clone(),
            format!(
                "{} - {} ({})",
                r.from.to_rfc3339(),
                r.until.to_rfc3339(),
                r.zone
            ),
        ],
    );
    out.push_str("\r\n");
    let mut calls: Vec<Vec<String>> = r
        .calls
        .rows
        .iter()
        .map(|c| {
            vec![
                c.key.clone(),
                c.sub.clone().unwrap_or_default(),
                c.count.to_string(),
            ]
        })
        .collect();
    calls.push(vec![
        "total".into(),
        String::new(),
        r.calls.total.to_string(),
    ]);
    block(
        &mut out,
        "Apeluri",
        &["Categorie", "Rezultat", "Număr"],
        calls,
    );
    block(
        &mut out,
        "Alarme",
        &["Tip alarmă", "Număr"],
        simple(&r.alarms),
    );
    block(
        &mut out,
        "Referiri",
        &[
            "Serviciu",
            "Referiri",
            "Confirmate",
            "Confirmare p50 (s)",
            "Confirmare p90 (s)",
        ],
        r.referrals
            .iter()
            .map(|l| {
                vec![
                    l.service.clone(),
                    l.referred.to_string(),
                    l.acknowledged.to_string(),
                    decimal(l.ack_p50_s),
                    decimal(l.ack_p90_s),
                ]
            })
            .collect(),
    );
    let mut emiu = vec![vec![
        "intervenții".to_owned(),
        String::new(),
        r.emiu.interventions.to_string(),
    ]];
    emiu.extend(
        r.emiu
            .outcomes
            .rows
            .iter()
            .map(|c| vec!["rezultat".into(), c.key.clone(), c.count.to_string()]),
    );
    emiu.extend(
        r.emiu
            .measures
            .rows
            .iter()
            .map(|c| vec!["măsură".into(), c.key.clone(), c.count.to_string()]),
    );
    block(
        &mut out,
        "Intervenții EMIU",
        &["Indicator", "Cod", "Număr"],
        emiu,
    );
    let t = &r.transport;
    let mut transport = vec![
        vec!["curse".into(), String::new(), t.trips.to_string()],
        vec!["efectuate".into(), String::new(), t.served.to_string()],
        vec!["anulate".into(), String::new(), t.cancelled.to_string()],
    ];
    transport.extend(
        t.cancelled_by_reason
            .rows
            .iter()
            .map(|c| vec!["anulate, motiv".into(), c.key.clone(), c.count.to_string()]),
    );
    transport.push(vec![
        "neprezentări".into(),
        String::new(),
        t.no_shows.to_string(),
    ]);
    transport.push(vec![
        "absent la domiciliu".into(),
        String::new(),
        t.not_at_home.to_string(),
    ]);
    transport.push(vec![
        "în desfășurare".into(),
        String::new(),
        t.open.to_string(),
    ]);
    transport.push(vec!["km".into(), String::new(), decimal(t.km)]);
    block(
        &mut out,
        "Transport adaptat",
        &["Indicator", "Cod", "Număr"],
        transport,
    );
    let b = &r.beds;
    let mut beds = vec![
        vec!["plasamente".into(), String::new(), b.placements.to_string()],
        vec!["locuri".into(), String::new(), b.places.to_string()],
        vec![
            "din care copii".into(),
            String::new(),
            b.children.to_string(),
        ],
    ];
    beds.extend(
        b.by_shelter
            .rows
            .iter()
            .map(|c| vec!["locuri, adăpost".into(), c.key.clone(), c.count.to_string()]),
    );
    block(
        &mut out,
        "Paturi ocupate",
        &["Indicator", "Cod", "Număr"],
        beds,
    );
    let _ = write!(out, "Generat la;{}\r\n", r.generated_at.to_rfc3339());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_with_separators_or_quotes_are_quoted() {
        assert_eq!(field("a;b"), "\"a;b\"");
        assert_eq!(field("say \"x\""), "\"say \"\"x\"\"\"");
        assert_eq!(field("plain"), "plain");
        assert_eq!(decimal(Some(12.5)), "12,5");
        assert_eq!(decimal(None), "");
    }
}
