//! `POST /api/v1/{alerts,calls,bookings}`: mutated bodies, content types, idempotency keys and
//! roles through the real router. Never a 5xx; errors in the common shape, a 422 naming its
//! field; the unmutated body from an allowed role is accepted.

use axum::http::HeaderValue;
use chrono::{Duration, Utc};
use dispecer::access::Role;
use proptest::prelude::*;
use serde_json::{json, Value};

use crate::app::{check_answer, content_type, post, App};
use crate::gen::{body, edge_string, Body};
use crate::runner::fuzz;

#[derive(Debug, Clone)]
struct Input {
    body: Body,
    ctype: Option<&'static str>,
    key: Option<Vec<u8>>,
    role: Role,
}

fn input(roles: &'static [Role]) -> impl Strategy<Value = Input> {
    (
        body(),
        content_type(),
        prop_oneof![
            2 => Just(None),
            1 => edge_string().prop_map(|s| Some(s.into_bytes())),
            1 => prop::collection::vec(any::<u8>(), 0..140).prop_map(Some),
        ],
        prop_oneof![
            9 => prop::sample::select(roles),
            1 => prop::sample::select(Role::ALL.to_vec()),
        ],
    )
        .prop_map(|(body, ctype, key, role)| Input {
            body,
            ctype,
            key,
            role,
        })
}

fn run(name: &str, path: &'static str, template: Value, allowed: &'static [Role]) {
    let app = App::start();
    fuzz(name, input(allowed), |input| {
        let bytes = input.body.render(&template);
        let mut req = post(path, Some(app.token(input.role)), input.ctype, bytes);
        if let Some(v) = input
            .key
            .as_deref()
            .and_then(|k| HeaderValue::from_bytes(k).ok())
        {
            req.headers_mut().insert("idempotency-key", v);
        }
        let (status, _, body) = app.call(req)?;
        check_answer(status, &body)?;
        let untouched = matches!(&input.body, Body::Mutated { edits, bytes } if edits.is_empty() && bytes.is_empty());
        let json = input
            .ctype
            .is_some_and(|c| c.to_ascii_lowercase().contains("json"));
        let key_ok = input.key.as_deref().is_none_or(|k| {
            HeaderValue::from_bytes(k).is_err()
                || (!k.is_empty() && k.len() <= 128 && k.iter().all(|b| b.is_ascii_graphic()))
        });
        if untouched && json && key_ok && allowed.contains(&input.role) {
            prop_assert!(
                status == 200 || status == 201,
                "a valid body was refused: {status} {}",
                String::from_utf8_lossy(&body)
            );
        }
        Ok(())
    });
}

fn place() -> Value {
    json!({ "address": "Strada Exemplu 1, Timișoara", "lon": 21.2257, "lat": 45.7537 })
}

#[test]
fn fuzz_alert_bodies() {
    run(
        "intake_alerts",
        "/api/v1/alerts",
        json!({
            "device_id": "TA-0042",
            "alarm_type": "fall",
            "device_time": "2026-11-27T08:00:00Z",
            "alarm_id": "r-1",
        }),
        &[
            Role::Receiver,
            Role::Dispatcher,
            Role::Supervisor,
            Role::Admin,
        ],
    );
}

#[test]
fn fuzz_call_bodies() {
    run(
        "intake_calls",
        "/api/v1/calls",
        json!({
            "caller_number": "+40 256 123 456",
            "category": "abuse",
            "immediate_danger": true,
            "location": place(),
            "notes": "Vecinii aud țipete.",
        }),
        &[
            Role::Telephony,
            Role::Dispatcher,
            Role::Supervisor,
            Role::Admin,
        ],
    );
}

#[test]
fn fuzz_booking_bodies() {
    let start = Utc::now() + Duration::days(2);
    run(
        "intake_bookings",
        "/api/v1/bookings",
        json!({
            "rider": "R-0007",
            "pickup": place(),
            "dropoff": { "address": "Spitalul Județean" },
            "window": { "start": start, "end": start + Duration::minutes(30) },
            "needs": { "wheelchair": true, "door_assistance": false, "companion": true },
        }),
        &[Role::Dispatcher, Role::Supervisor, Role::Admin],
    );
}
