//! The telephony webhooks (`/telephony/voice`, `/telephony/voice/status`, `/telephony/sms`):
//! mutated form bodies, content types and `X-Twilio-Signature` headers through the real router.
//! Never a 5xx; a request whose signature does not match is never a 2xx and changes nothing;
//! a correctly signed request is answered with TwiML (always, when unmutated) or a 4xx in the
//! common error shape.

use axum::http::HeaderValue;
use base64::Engine;
use hmac::{Hmac, Mac};
use proptest::prelude::*;
use serde_json::Value;

use crate::app::{post, App, TELEPHONY_AUTH_TOKEN};
use crate::gen::{apply_bytes, byte_edit, edge_string, ByteEdit};
use crate::runner::fuzz;

const HOST: &str = "fuzz.test";

/// The signature as the provider documents it: URL + parameters sorted by name, name + value,
/// HMAC-SHA1 with the auth token, base64.
fn sign(url: &str, params: &[(String, String)]) -> String {
    let mut sorted = params.to_vec();
    sorted.sort();
    let mut data = url.to_owned();
    for (k, v) in sorted {
        data.push_str(&k);
        data.push_str(&v);
    }
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(TELEPHONY_AUTH_TOKEN.as_bytes()).unwrap();
    mac.update(data.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

#[derive(Debug, Clone)]
enum Signature {
    /// Signed over the body as sent.
    Right,
    None,
    Garbage(Vec<u8>),
    /// Signed over the body before the byte edits.
    Stale,
}

#[derive(Debug, Clone)]
struct Input {
    path: &'static str,
    extra: Vec<(String, String)>,
    drop: Vec<usize>,
    edits: Vec<ByteEdit>,
    signature: Signature,
    form: bool,
}

fn template(path: &str, n: usize) -> Vec<(String, String)> {
    let p = |k: &str, v: String| (k.to_owned(), v);
    match path {
        "/telephony/sms" => vec![
            p("MessageSid", format!("SM{n:06}")),
            p("From", "+40722000001".into()),
            p("Body", "ajutor".into()),
        ],
        "/telephony/voice/status" => vec![
            p("CallSid", format!("CA{n:06}")),
            p("DialCallStatus", "no-answer".into()),
            p("From", "+40722000001".into()),
        ],
        _ => vec![
            p("CallSid", format!("CA{n:06}")),
            p("From", "+40722000001".into()),
            p("To", "+40256000112".into()),
            p("CallStatus", "ringing".into()),
        ],
    }
}

fn input() -> impl Strategy<Value = Input> {
    (
        prop::sample::select(vec![
            "/telephony/voice",
            "/telephony/voice/status",
            "/telephony/sms",
        ]),
        prop::collection::vec((edge_string(), edge_string()), 0..4),
        prop::collection::vec(0usize..4, 0..3),
        prop_oneof![3 => Just(vec![]), 1 => prop::collection::vec(byte_edit(), 1..4)],
        prop_oneof![
            6 => Just(Signature::Right),
            1 => Just(Signature::None),
            1 => prop::collection::vec(any::<u8>(), 0..40).prop_map(Signature::Garbage),
            1 => Just(Signature::Stale),
        ],
        prop_oneof![9 => Just(true), 1 => Just(false)],
    )
        .prop_map(|(path, extra, drop, edits, signature, form)| Input {
            path,
            extra,
            drop,
            edits,
            signature,
            form,
        })
}

#[test]
fn telephony_webhooks() {
    let app = App::start();
    let counter = std::sync::atomic::AtomicUsize::new(0);
    fuzz("telephony_webhooks", input(), |input| {
        let n = counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let mut params = template(input.path, n);
        for i in &input.drop {
            if *i < params.len() {
                params.remove(*i);
            }
        }
        params.extend(input.extra.iter().cloned());
        let original = serde_urlencoded::to_string(&params).unwrap().into_bytes();
        let bytes = apply_bytes(original.clone(), &input.edits);
        let url = format!("http://{HOST}{}", input.path);
        let sent: Option<Vec<(String, String)>> = serde_urlencoded::from_bytes(&bytes).ok();
        let header = match &input.signature {
            Signature::Right => Some(sign(&url, sent.as_deref().unwrap_or(&params)).into_bytes()),
            Signature::Stale => Some(sign(&url, &params).into_bytes()),
            Signature::None => None,
            Signature::Garbage(g) => Some(g.clone()),
        };
        // Whether the request really carries the signature of what it sends.
        let valid = input.form
            && sent.as_ref().is_some_and(|s| {
                header
                    .as_deref()
                    .is_some_and(|h| h == sign(&url, s).as_bytes())
            });
        let ctype = if input.form {
            Some("application/x-www-form-urlencoded")
        } else {
            Some("application/json")
        };
        let mut req = post(input.path, None, ctype, bytes);
        req.headers_mut()
            .insert("host", HeaderValue::from_static(HOST));
        if let Some(h) = header
            .as_deref()
            .and_then(|h| HeaderValue::from_bytes(h).ok())
        {
            req.headers_mut().insert("x-twilio-signature", h);
        }
        let before = app.state.core.read(|s| s.seq);
        let (status, _, body) = app.call(req)?;
        let after = app.state.core.read(|s| s.seq);
        prop_assert!(
            status.as_u16() < 500,
            "{status}: {}",
            String::from_utf8_lossy(&body)
        );
        if status.is_success() {
            prop_assert!(
                valid,
                "a request without a matching signature was accepted: {status}"
            );
            prop_assert!(body.starts_with(b"<?xml"), "{status}: not TwiML");
        } else {
            let v: Value = serde_json::from_slice(&body)
                .map_err(|e| TestCaseError::fail(format!("{status}: body is not JSON ({e})")))?;
            prop_assert!(v["error"]["code"].is_string(), "{status}: {v}");
            if status == 422 {
                prop_assert!(
                    v["error"]["field"].as_str().is_some_and(|f| !f.is_empty()),
                    "{v}"
                );
            }
        }
        let pristine = input.edits.is_empty() && input.drop.is_empty() && input.extra.is_empty();
        if valid && pristine {
            prop_assert!(
                status.is_success(),
                "a correctly signed webhook was refused: {status} {}",
                String::from_utf8_lossy(&body)
            );
        }
        if !valid {
            prop_assert!(!status.is_success(), "{status}");
            prop_assert_eq!(before, after, "a badly signed request changed the log");
        }
        Ok(())
    });
}
