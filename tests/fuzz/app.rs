//! The real router in-process, on a temporary SQLite file, called without a socket (or over one
//! for websockets), and the check every API answer must pass.

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use dispecer::access::Role;
use dispecer::config::{BusBackend, Config};
use dispecer::state::AppState;
use dispecer::web::auth::{new_token, token_hash};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use serde_json::Value;
use std::collections::HashMap;
use std::time::Duration;
use tokio_util::sync::CancellationToken;
use tower::ServiceExt;

/// The key the app verifies telephony webhook signatures with.
pub const TELEPHONY_AUTH_TOKEN: &str = "fuzz-telephony-auth-token";

pub struct App {
    pub rt: tokio::runtime::Runtime,
    pub router: axum::Router,
    pub state: AppState,
    pub tokens: HashMap<Role, String>,
    /// `127.0.0.1:port` where the same app also listens (for websockets).
    pub address: String,
    shutdown: CancellationToken,
    _dir: tempfile::TempDir,
}

impl Drop for App {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

impl App {
    /// A fresh app with one credential per role.
    pub fn start() -> Self {
        Self::start_with(|_| {})
    }

    /// [`App::start`] with the configuration changed by `edit` first.
    pub fn start_with(edit: impl FnOnce(&mut Config)) -> Self {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let dir = tempfile::tempdir().expect("temp dir");
        let mut config = Config::default_for_tests();
        config.store.url = format!("sqlite://{}", dir.path().join("fuzz.sqlite").display()).into();
        config.store.sqlite_synchronous = "OFF".into();
        config.bus.backend = BusBackend::Memory;
        config.routing.enabled = false;
        config.server.console_dir = dir.path().join("no-console");
        config.telephony.auth_token = TELEPHONY_AUTH_TOKEN.to_owned().into();
        edit(&mut config);
        let shutdown = CancellationToken::new();
        let (state, tokens, address) = rt.block_on(async {
            let state = dispecer::startup::build(config, shutdown.clone())
                .await
                .expect("build the app");
            let mut tokens = HashMap::new();
            for role in Role::ALL {
                let token = new_token();
                state
                    .store
                    .put_credential(
                        &format!("fuzz-{}", role.as_str()),
                        role.as_str(),
                        &token_hash(&token),
                    )
                    .await
                    .expect("credential");
                tokens.insert(role, token);
            }
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("bind");
            let address = listener.local_addr().expect("address").to_string();
            tokio::spawn(dispecer::startup::serve(
                state.clone(),
                listener,
                shutdown.clone(),
            ));
            (state, tokens, address)
        });
        let router = dispecer::http::router(state.clone());
        Self {
            rt,
            router,
            state,
            tokens,
            address,
            shutdown,
            _dir: dir,
        }
    }

    pub fn token(&self, role: Role) -> &str {
        &self.tokens[&role]
    }

    /// Sends one request through the router; a request that takes 30 s is a hang.
    pub fn call(
        &self,
        req: Request<Body>,
    ) -> Result<(StatusCode, HeaderMap, Vec<u8>), TestCaseError> {
        self.rt.block_on(async {
            let answer = tokio::time::timeout(Duration::from_secs(30), async {
                let resp = self.router.clone().oneshot(req).await.expect("infallible");
                let status = resp.status();
                let headers = resp.headers().clone();
                let body = axum::body::to_bytes(resp.into_body(), usize::MAX)
                    .await
                    .map(|b| b.to_vec())
                    .unwrap_or_default();
                (status, headers, body)
            })
            .await;
            answer.map_err(|_| TestCaseError::fail("no answer within 30 s"))
        })
    }
}

/// What every API answer to bad or good input must be: never a 5xx; an error has the common
/// body, and a 422 names its field; a success is JSON.
pub fn check_answer(status: StatusCode, body: &[u8]) -> Result<(), TestCaseError> {
    prop_assert!(
        status.as_u16() < 500,
        "status {status}: {}",
        String::from_utf8_lossy(body)
    );
    if status == StatusCode::NO_CONTENT {
        return Ok(());
    }
    let v: Value = serde_json::from_slice(body)
        .map_err(|e| TestCaseError::fail(format!("{status}: body is not JSON ({e})")))?;
    if status.is_client_error() {
        prop_assert!(v["error"]["code"].is_string(), "{status}: {v}");
        prop_assert!(v["error"]["message"].is_string(), "{status}: {v}");
        if status == StatusCode::UNPROCESSABLE_ENTITY {
            let field = v["error"]["field"].as_str().unwrap_or("");
            prop_assert!(!field.is_empty(), "a 422 must name its field: {v}");
        }
    }
    Ok(())
}

/// How a body is labelled: right, missing, wrong, or in odd case.
pub fn content_type() -> impl Strategy<Value = Option<&'static str>> {
    prop_oneof![
        12 => Just(Some("application/json")),
        1 => Just(Some("application/json; charset=utf-8")),
        1 => Just(Some("APPLICATION/JSON")),
        1 => Just(Some("application/problem+json")),
        1 => Just(Some("text/plain")),
        1 => Just(Some("multipart/form-data; boundary=x")),
        1 => Just(None),
    ]
}

/// A POST with a body, a content type and a bearer token.
pub fn post(path: &str, token: Option<&str>, ctype: Option<&str>, body: Vec<u8>) -> Request<Body> {
    let mut req = Request::post(path);
    if let Some(t) = token {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    if let Some(c) = ctype {
        req = req.header("content-type", c);
    }
    req.body(Body::from(body)).expect("request")
}
