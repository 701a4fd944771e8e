//! Configuration files: `config/default.toml` with keys replaced, removed or added, sometimes
//! with bytes flipped, loaded through `Config::load`. Loading answers a configuration or an error;
//! an accepted configuration's rules classify every kind of item with a response clock the core
//! can add to any time of this century (its deadline is `now + respond_within_s`).

use chrono::{DateTime, Duration, Utc};
use dispecer::config::{Config, DEFAULT_TOML};
use dispecer::domain::Details;
use proptest::prelude::*;
use serde_json::json;
use toml::Value;

use crate::gen::{apply_bytes, ByteEdit};
use crate::runner::fuzz_with_default;

fn any_toml() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        any::<i64>().prop_map(Value::Integer),
        prop::sample::select(vec![
            0i64,
            -1,
            1,
            15,
            16,
            1023,
            1024,
            i64::MAX,
            i64::MIN,
            9_223_372_036_854_775,
            86_400 * 366
        ])
        .prop_map(Value::Integer),
        any::<f64>().prop_map(Value::Float),
        any::<bool>().prop_map(Value::Boolean),
        crate::gen::edge_string().prop_map(Value::String),
        prop::sample::select(vec![
            "P1",
            "P5",
            "alert",
            "call",
            "booking",
            "fall",
            "abuse",
            "UTC",
            "Mars/Olympus",
            "sqlite://x",
            "postgres://h/db",
            "mysql://h/db",
            "FULL",
            "full",
            "redis",
            "memory",
        ])
        .prop_map(|s| Value::String(s.to_owned())),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec(("[a-z_]{1,12}", inner), 0..4)
                .prop_map(|kv| Value::Table(kv.into_iter().collect())),
        ]
    })
}

#[derive(Clone, Debug)]
enum Edit {
    Replace(usize, Value),
    Remove(usize),
    Add(usize, String, Value),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        4 => (any::<usize>(), any_toml()).prop_map(|(i, v)| Edit::Replace(i, v)),
        1 => any::<usize>().prop_map(Edit::Remove),
        1 => (any::<usize>(), "[a-z_]{1,12}", any_toml()).prop_map(|(i, k, v)| Edit::Add(i, k, v)),
    ]
}

/// Every node as a path of keys and array indices.
fn paths(v: &Value, prefix: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    out.push(prefix.clone());
    match v {
        Value::Table(t) => {
            for (k, child) in t {
                prefix.push(k.clone());
                paths(child, prefix, out);
                prefix.pop();
            }
        }
        Value::Array(a) => {
            for (i, child) in a.iter().enumerate() {
                prefix.push(format!("#{i}"));
                paths(child, prefix, out);
                prefix.pop();
            }
        }
        _ => {}
    }
}

fn node<'a>(mut v: &'a mut Value, path: &[String]) -> Option<&'a mut Value> {
    for step in path {
        v = match (step.strip_prefix('#'), v) {
            (Some(i), Value::Array(a)) => a.get_mut(i.parse::<usize>().ok()?)?,
            (None, Value::Table(t)) => t.get_mut(step)?,
            _ => return None,
        };
    }
    Some(v)
}

fn apply(base: &Value, edits: &[Edit]) -> Value {
    let mut v = base.clone();
    for e in edits {
        let mut all = Vec::new();
        paths(&v, &mut Vec::new(), &mut all);
        let pick = |i: usize| all[i % all.len()].clone();
        match e {
            Edit::Replace(i, new) => {
                let path = pick(*i);
                if path.is_empty() {
                    continue; // the root must stay a table to be a TOML document
                }
                if let Some(n) = node(&mut v, &path) {
                    *n = new.clone();
                }
            }
            Edit::Remove(i) => {
                let path = pick(*i);
                if let Some((last, parent)) = path.split_last() {
                    match (node(&mut v, parent), last.strip_prefix('#')) {
                        (Some(Value::Table(t)), None) => {
                            t.remove(last);
                        }
                        (Some(Value::Array(a)), Some(i)) => {
                            if let Ok(i) = i.parse::<usize>() {
                                if i < a.len() {
                                    a.remove(i);
                                }
                            }
                        }
                        _ => {}
                    }
                }
            }
            Edit::Add(i, k, new) => {
                if let Some(Value::Table(t)) = node(&mut v, &pick(*i)) {
                    t.insert(k.clone(), new.clone());
                }
            }
        }
    }
    v
}

fn samples(now: DateTime<Utc>) -> Vec<Details> {
    let place = json!({ "address": "Strada Exemplu 1" });
    [
        json!({ "kind": "alert", "device_id": "TA-1", "alarm_type": "fall",
                "device_time": now, "receiver_alarm_id": "1", "receiver": "r" }),
        json!({ "kind": "alert", "device_id": "TA-1", "alarm_type": "low_battery",
                "device_time": now, "receiver_alarm_id": "2", "receiver": "r" }),
        json!({ "kind": "call", "caller_number": "112", "category": "domestic_violence",
                "immediate_danger": true }),
        json!({ "kind": "call", "caller_number": "112", "category": "information",
                "immediate_danger": false }),
        json!({ "kind": "booking", "rider": "R-1", "pickup": place, "dropoff": place,
                "window_start": now, "window_end": now + Duration::hours(1),
                "needs": { "wheelchair": true } }),
    ]
    .into_iter()
    .map(|v| serde_json::from_value(v).expect("sample details"))
    .collect()
}

#[test]
fn fuzz_configuration_files() {
    let base: Value = toml::from_str(DEFAULT_TOML).expect("the default configuration parses");
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("fuzz.toml");
    let strategy = (
        prop::collection::vec(edit(), 1..4),
        prop_oneof![4 => Just(Vec::<ByteEdit>::new()), 1 => prop::collection::vec(crate::gen::byte_edit(), 1..4)],
    );
    // Loading runs figment and the rule checks (tens of milliseconds unoptimised): fewer cases.
    fuzz_with_default("config_files", 64, strategy, |(edits, bytes)| {
        let text = toml::to_string(&apply(&base, &edits)).unwrap_or_default();
        std::fs::write(&file, apply_bytes(text.into_bytes(), &bytes)).expect("write");
        let Ok(config) = Config::load(Some(&file)) else {
            return Ok(());
        };
        let rules = dispecer::queue::Rules::from_config(&config.queue);
        prop_assert!(rules.is_ok(), "validated rules refused: {:?}", rules.err());
        let rules = rules.expect("checked");
        for now in [
            "2000-01-01T00:00:00Z",
            "2026-11-27T08:00:00Z",
            "2099-12-31T23:59:59Z",
        ] {
            let now: DateTime<Utc> = now.parse().expect("time");
            for details in samples(now) {
                let p = rules.classify(&details, now);
                let deadline = Duration::try_seconds(p.respond_within_s)
                    .and_then(|d| now.checked_add_signed(d));
                prop_assert!(
                    deadline.is_some(),
                    "rule {} gives a clock of {} s, past what a deadline can hold",
                    p.rule,
                    p.respond_within_s
                );
            }
        }
        Ok(())
    });
}
