//! The Cordeau benchmark reader (`routing::darp::parse_cordeau`): headers and node lines built
//! from edge numbers, then bytes flipped, cut or inserted, and text of anything. It answers an
//! instance or an error, never a panic or an allocation the file's numbers ask for blindly.

use proptest::prelude::*;
use routing::darp::{parse_cordeau, MAX_VEHICLES};

use crate::gen::{apply_bytes, byte_edit, ByteEdit};
use crate::runner::fuzz;

fn number() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => (0u32..40).prop_map(|n| n.to_string()),
        2 => (-1000.0f64..1000.0).prop_map(|f| format!("{f:.3}")),
        1 => prop::sample::select(vec![
            "-1", "0", "-0", "1e20", "1e308", "-1e308", "18446744073709551616", "9223372036854775807",
            "4294967296", "2147483648", "0.5", "nan", "inf", "-inf", "1e-320", "x", "",
        ])
        .prop_map(str::to_owned),
    ]
}

fn line(len: std::ops::Range<usize>) -> impl Strategy<Value = String> {
    prop::collection::vec(number(), len).prop_map(|v| v.join(" "))
}

#[derive(Clone, Debug)]
enum Text {
    Built {
        header: String,
        nodes: Vec<String>,
        sequential_ids: bool,
        bytes: Vec<ByteEdit>,
    },
    Any(String),
}

fn text() -> impl Strategy<Value = Text> {
    prop_oneof![
        6 => (
            line(4..7),
            prop::collection::vec(line(6..9), 0..14),
            any::<bool>(),
            prop_oneof![3 => Just(Vec::new()), 1 => prop::collection::vec(byte_edit(), 1..4)],
        )
            .prop_map(|(header, nodes, sequential_ids, bytes)| Text::Built { header, nodes, sequential_ids, bytes }),
        1 => "\\PC{0,200}".prop_map(Text::Any),
    ]
}

fn render(t: &Text) -> String {
    match t {
        Text::Built {
            header,
            nodes,
            sequential_ids,
            bytes,
        } => {
            let mut s = format!("{header}\n");
            for (i, n) in nodes.iter().enumerate() {
                if *sequential_ids {
                    let rest = n.split_once(' ').map(|(_, r)| r).unwrap_or("");
                    s.push_str(&format!("{i} {rest}\n"));
                } else {
                    s.push_str(n);
                    s.push('\n');
                }
            }
            String::from_utf8_lossy(&apply_bytes(s.into_bytes(), bytes)).into_owned()
        }
        Text::Any(s) => s.clone(),
    }
}

#[test]
fn fuzz_cordeau_files() {
    fuzz("cordeau_reader", text(), |t| {
        let text = render(&t);
        if let Ok(instance) = parse_cordeau("fuzz", &text) {
            let n = instance.requests.len();
            let lines = text.lines().filter(|l| !l.trim().is_empty()).count();
            prop_assert!(2 * n + 2 < lines, "{n} requests from {lines} lines");
            prop_assert!(
                instance.vehicles.len() <= MAX_VEHICLES,
                "{} vehicles",
                instance.vehicles.len()
            );
        }
        Ok(())
    });
}
