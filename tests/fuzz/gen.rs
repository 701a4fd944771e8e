//! Input generators: arbitrary JSON, strings that sit on the edges of our field rules, and
//! mutations of a valid body (a field replaced, removed or added, then bytes flipped, cut or
//! inserted), so that inputs reach past the JSON syntax into the field rules.

use proptest::prelude::*;
use serde_json::{Map, Value};

/// Strings chosen to hit field rules: empty, blank, at and past length limits, control and
/// bidirectional characters, edge timestamps, numbers as text, vocabulary words.
pub fn edge_string() -> impl Strategy<Value = String> {
    prop_oneof![
        ".{0,40}",
        "[A-Za-z0-9_.:/-]{60,70}",
        "[ \t\n\r\u{0}-\u{1f}\u{7f}\u{202e}\u{feff}a]{0,8}",
        "\\PC{0,30}",
        prop_oneof![
            Just(String::new()),
            Just(" ".to_owned()),
            Just("x".repeat(4001)),
            Just("é".repeat(4000)),
            Just("9999-12-31T23:59:59Z".to_owned()),
            Just("+262142-12-31T23:59:59Z".to_owned()),
            Just("-262143-01-01T00:00:00Z".to_owned()),
            Just("2026-02-30T00:00:00Z".to_owned()),
            Just("2026-11-27T08:00:00+23:59".to_owned()),
            Just("2026-11-27T08:00:00.1234567891234Z".to_owned()),
            Just("1970-01-01T00:00:00Z".to_owned()),
            Just("NaN".to_owned()),
            Just("1e400".to_owned()),
            Just("+40712345678".to_owned()),
            Just("+".to_owned()),
        ],
        "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,12})?(Z|[+-][0-9]{2}:[0-9]{2})",
        "\\+?[0-9 ().-]{0,20}",
        prop::sample::select(VOCABULARY).prop_map(str::to_owned),
    ]
}

/// Words of our vocabularies (and near misses), so enums are sometimes right.
const VOCABULARY: &[&str] = &[
    "button",
    "fall",
    "smoke",
    "gas",
    "flood",
    "inactivity",
    "temperature",
    "door_open",
    "low_battery",
    "power_failure",
    "missed_checkin",
    "test",
    "Button",
    "FALL",
    "abuse",
    "neglect",
    "exploitation",
    "domestic_violence",
    "crisis_info",
    "information",
    "transport",
    "other",
    "ping",
    "Ping",
    "pong",
    "snapshot",
    "P1",
    "P4",
    "p1",
    "alert",
    "call",
    "booking",
    "vehicle",
    "driver",
    "emiu_team",
    "available",
    "en_route",
    "closed",
    "true",
    "null",
    "dispatcher",
    "admin",
];

/// A JSON number at an edge: zero, negative zero, huge, tiny, integer limits, fractions.
pub fn edge_number() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_filter_map("finite", |f| serde_json::Number::from_f64(f)
            .map(Value::Number)),
        prop::sample::select(vec![
            0.0, -0.0, 0.5, -1.0, 180.0, 180.000001, -90.0, 90.5, 1e308, -1e308, 5e-324
        ])
        .prop_filter_map("finite", |f| serde_json::Number::from_f64(f)
            .map(Value::Number)),
    ]
}

/// Any JSON value, nested a few levels.
pub fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        edge_number(),
        edge_string().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((edge_string(), inner), 0..6)
                .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// One change to a JSON tree: at the `at`-th node (modulo the node count), do `what`.
#[derive(Clone, Debug)]
pub struct Edit {
    at: usize,
    what: EditKind,
}

#[derive(Clone, Debug)]
enum EditKind {
    Replace(Value),
    Remove,
    AddKey(String, Value),
}

fn edit() -> impl Strategy<Value = Edit> {
    (
        any::<usize>(),
        prop_oneof![
            4 => any_json().prop_map(EditKind::Replace),
            1 => Just(EditKind::Remove),
            1 => (edge_string(), any_json()).prop_map(|(k, v)| EditKind::AddKey(k, v)),
        ],
    )
        .prop_map(|(at, what)| Edit { at, what })
}

/// One change to the serialised bytes.
#[derive(Clone, Debug)]
pub enum ByteEdit {
    Flip(usize, u8),
    Insert(usize, u8),
    Delete(usize),
    Truncate(usize),
    /// Repeats a span, as a confused sender might.
    Duplicate(usize, usize),
}

pub fn byte_edit() -> impl Strategy<Value = ByteEdit> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| ByteEdit::Flip(i, b)),
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| ByteEdit::Insert(i, b)),
        any::<usize>().prop_map(ByteEdit::Delete),
        any::<usize>().prop_map(ByteEdit::Truncate),
        (any::<usize>(), 1usize..64).prop_map(|(i, n)| ByteEdit::Duplicate(i, n)),
    ]
}

/// Applies byte edits (positions taken modulo the length).
pub fn apply_bytes(mut bytes: Vec<u8>, edits: &[ByteEdit]) -> Vec<u8> {
    for e in edits {
        let len = bytes.len();
        match *e {
            ByteEdit::Flip(i, b) if len > 0 => bytes[i % len] ^= b | 1,
            ByteEdit::Insert(i, b) => bytes.insert(i % (len + 1), b),
            ByteEdit::Delete(i) if len > 0 => {
                bytes.remove(i % len);
            }
            ByteEdit::Truncate(i) => bytes.truncate(i % (len + 1)),
            ByteEdit::Duplicate(i, n) if len > 0 => {
                let start = i % len;
                let end = (start + n).min(len);
                let span = bytes[start..end].to_vec();
                bytes.splice(end..end, span);
            }
            _ => {}
        }
    }
    bytes
}

/// Paths to every node of a tree, parents before children (the root is the empty path).
fn paths(v: &Value, prefix: &mut Vec<PathStep>, out: &mut Vec<Vec<PathStep>>) {
    out.push(prefix.clone());
    match v {
        Value::Object(m) => {
            for (k, child) in m {
                prefix.push(PathStep::Key(k.clone()));
                paths(child, prefix, out);
                prefix.pop();
            }
        }
        Value::Array(a) => {
            for (i, child) in a.iter().enumerate() {
                prefix.push(PathStep::Index(i));
                paths(child, prefix, out);
                prefix.pop();
            }
        }
        _ => {}
    }
}

#[derive(Clone, Debug)]
enum PathStep {
    Key(String),
    Index(usize),
}

fn node_mut<'a>(mut v: &'a mut Value, path: &[PathStep]) -> Option<&'a mut Value> {
    for step in path {
        v = match (step, v) {
            (PathStep::Key(k), Value::Object(m)) => m.get_mut(k)?,
            (PathStep::Index(i), Value::Array(a)) => a.get_mut(*i)?,
            _ => return None,
        };
    }
    Some(v)
}

/// Applies tree edits to a copy of `template`.
pub fn apply_edits(template: &Value, edits: &[Edit]) -> Value {
    let mut v = template.clone();
    for e in edits {
        let mut all = Vec::new();
        paths(&v, &mut Vec::new(), &mut all);
        let path = &all[e.at % all.len()];
        match &e.what {
            EditKind::Replace(new) => {
                if let Some(node) = node_mut(&mut v, path) {
                    *node = new.clone();
                }
            }
            EditKind::Remove => {
                let Some((last, parent)) = path.split_last() else {
                    v = Value::Null;
                    continue;
                };
                match (node_mut(&mut v, parent), last) {
                    (Some(Value::Object(m)), PathStep::Key(k)) => {
                        m.remove(k);
                    }
                    (Some(Value::Array(a)), PathStep::Index(i)) if *i < a.len() => {
                        a.remove(*i);
                    }
                    _ => {}
                }
            }
            EditKind::AddKey(k, new) => {
                if let Some(Value::Object(m)) = node_mut(&mut v, path) {
                    m.insert(k.clone(), new.clone());
                }
            }
        }
    }
    v
}

/// A body derived from a valid `template`: a few tree edits, sometimes byte edits on top, and
/// now and then something that is not derived from it at all.
#[derive(Clone, Debug)]
pub enum Body {
    Mutated {
        edits: Vec<Edit>,
        bytes: Vec<ByteEdit>,
    },
    Json(Value),
    Raw(Vec<u8>),
}

pub fn body() -> impl Strategy<Value = Body> {
    prop_oneof![
        8 => (
            prop::collection::vec(edit(), 0..4),
            prop_oneof![3 => Just(Vec::new()), 1 => prop::collection::vec(byte_edit(), 1..4)],
        )
            .prop_map(|(edits, bytes)| Body::Mutated { edits, bytes }),
        1 => any_json().prop_map(Body::Json),
        1 => prop::collection::vec(any::<u8>(), 0..200).prop_map(Body::Raw),
    ]
}

impl Body {
    /// The bytes to send.
    pub fn render(&self, template: &Value) -> Vec<u8> {
        match self {
            Body::Mutated { edits, bytes } => {
                let v = apply_edits(template, edits);
                apply_bytes(serde_json::to_vec(&v).unwrap_or_default(), bytes)
            }
            Body::Json(v) => serde_json::to_vec(v).unwrap_or_default(),
            Body::Raw(b) => b.clone(),
        }
    }
}
