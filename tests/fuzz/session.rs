//! Login bodies, and the credentials every request carries (bearer header, session cookie,
//! `access_token` query): never a 5xx, never a session for a wrong password, never a caller
//! from a token that was not issued.

use axum::body::Body;
use axum::http::{HeaderValue, Request};
use dispecer::access::Role;
use dispecer::http::session::hash_password;
use dispecer::store::UserRecord;
use proptest::prelude::*;
use serde_json::{json, Value};

use crate::app::{check_answer, content_type, post, App};
use crate::gen::{body, edge_string, Body as FuzzBody};
use crate::runner::{fuzz, fuzz_with_default};

const USER: &str = "dispecer-fuzz";
const PASSWORD: &str = "parola-corecta-123";

fn app_with_user() -> App {
    let app = App::start();
    app.rt.block_on(async {
        app.state
            .store
            .put_user(&UserRecord {
                username: USER.into(),
                display_name: "Fuzz".into(),
                role: "dispatcher".into(),
                password_hash: hash_password(PASSWORD).expect("hash"),
                resource_id: None,
            })
            .await
            .expect("user");
    });
    app
}

#[test]
fn fuzz_login_bodies() {
    let app = app_with_user();
    let template = json!({ "username": USER, "password": "parola-gresita", "token": true });
    // Each well-formed login verifies an argon2 hash (tens of milliseconds): fewer cases.
    fuzz_with_default(
        "session_login",
        64,
        (body(), content_type()),
        |(body, ctype): (FuzzBody, Option<&'static str>)| {
            let bytes = body.render(&template);
            let sent: Option<Value> = serde_json::from_slice(&bytes).ok();
            let (status, headers, answer) =
                app.call(post("/api/v1/session", None, ctype, bytes))?;
            check_answer(status, &answer)?;
            let right = sent
                .as_ref()
                .is_some_and(|v| v["username"] == USER && v["password"] == PASSWORD);
            if status.is_success() {
                prop_assert!(right, "a session for a wrong password: {sent:?}");
                let v: Value = serde_json::from_slice(&answer).unwrap_or_default();
                prop_assert!(v.get("token").is_some() || headers.contains_key("set-cookie"));
            }
            Ok(())
        },
    );
}

#[derive(Clone, Debug)]
enum Credential {
    Bearer(Vec<u8>),
    Cookie(Vec<u8>),
    Query(String),
}

fn credential() -> impl Strategy<Value = Credential> {
    let token = prop_oneof![
        edge_string(),
        "(dss|dsp)_[0-9a-f]{0,70}",
        "dss_[0-9a-f]{64}",
        "dsp_[0-9a-f]{64}",
        Just("x".repeat(201)),
    ];
    prop_oneof![
        (
            prop_oneof![
                Just("Bearer "),
                Just("bearer "),
                Just("Basic "),
                Just("Bearer"),
                Just("")
            ],
            token.clone()
        )
            .prop_map(|(p, t)| Credential::Bearer(format!("{p}{t}").into_bytes())),
        prop::collection::vec(any::<u8>(), 0..80).prop_map(Credential::Bearer),
        (token.clone(), edge_string()).prop_map(|(t, extra)| {
            Credential::Cookie(format!("a=b; dispecer_session={t}; {extra}").into_bytes())
        }),
        prop::collection::vec(any::<u8>(), 0..80).prop_map(Credential::Cookie),
        (token, "[&=%+a-z_0-9]{0,20}").prop_map(|(t, junk)| {
            Credential::Query(format!("access_token={}&{junk}", urlencode(&t)))
        }),
        "[&=%+a-z_0-9\\[\\]]{0,40}".prop_map(Credential::Query),
    ]
}

fn urlencode(s: &str) -> String {
    s.bytes().map(|b| format!("%{b:02X}")).collect()
}

#[test]
fn fuzz_credentials() {
    let app = App::start();
    let paths = ["/api/v1/me", "/api/v1/queue"];
    fuzz(
        "auth_credentials",
        (credential(), prop::sample::select(paths.to_vec())),
        |(cred, path)| {
            let mut uri = path.to_owned();
            let mut req = Request::get("/");
            match &cred {
                Credential::Bearer(b) => {
                    if let Ok(v) = HeaderValue::from_bytes(b) {
                        req = req.header("authorization", v);
                    }
                }
                Credential::Cookie(b) => {
                    if let Ok(v) = HeaderValue::from_bytes(b) {
                        req = req.header("cookie", v);
                    }
                }
                Credential::Query(q) => uri = format!("{path}?{q}"),
            }
            let Ok(req) = req.uri(uri.as_str()).body(Body::empty()) else {
                return Ok(()); // not a URI a client could send
            };
            let (status, _, body) = app.call(req)?;
            check_answer(status, &body)?;
            // None of these tokens was issued (the issued ones are 256-bit random).
            prop_assert_eq!(status.as_u16(), 401, "{}", String::from_utf8_lossy(&body));
            Ok(())
        },
    );
    // The issued tokens still work after all that.
    let req = Request::get("/api/v1/me")
        .header(
            "authorization",
            format!("Bearer {}", app.token(Role::Dispatcher)),
        )
        .body(Body::empty())
        .expect("request");
    let (status, _, _) = app.call(req).expect("answer");
    assert_eq!(status, 200);
}
