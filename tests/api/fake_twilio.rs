//! A local fake of the Twilio Messages API: `POST /2010-04-01/Accounts/{sid}/Messages.json`
//! with a form body and HTTP basic auth. It records every message it accepts, counts repeats
//! of an `Idempotency-Key` it has already accepted (answering them with the first SID, as an
//! idempotent provider would), and can be told to fail the next N requests with a 500.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::post;
use axum::{Form, Json, Router};
use base64::Engine;
use serde::Deserialize;
use serde_json::json;
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

pub const SID: &str = "ACtest0000000000000000000000000000";
pub const TOKEN: &str = "fake-auth-token";

#[derive(Clone, Debug)]
pub struct Received {
    pub key: String,
    pub to: String,
    pub from: String,
    pub body: String,
}

#[derive(Default)]
pub struct Inner {
    pub messages: Mutex<Vec<Received>>,
    /// SIDs by idempotency key.
    pub by_key: Mutex<HashMap<String, String>>,
    pub duplicates: AtomicUsize,
    pub fail_next: AtomicUsize,
    pub requests: AtomicUsize,
}

#[derive(Clone)]
pub struct FakeTwilio {
    pub base_url: String,
    pub inner: Arc<Inner>,
    stop: CancellationToken,
}

impl Drop for FakeTwilio {
    fn drop(&mut self) {
        if Arc::strong_count(&self.inner) <= 2 {
            self.stop.cancel();
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct MessageForm {
    to: String,
    from: String,
    body: String,
}

async fn create(
    State(inner): State<Arc<Inner>>,
    Path(sid): Path<String>,
    headers: HeaderMap,
    Form(form): Form<MessageForm>,
) -> impl IntoResponse {
    inner.requests.fetch_add(1, Ordering::SeqCst);
    let expected = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{SID}:{TOKEN}"))
    );
    let auth = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if sid != SID || auth != expected {
        return (StatusCode::UNAUTHORIZED, Json(json!({"code": 20003}))).into_response();
    }
    if inner
        .fail_next
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok()
    {
        return (
            StatusCode::INTERNAL_SERVER_ERROR,
            Json(json!({"code": 20500})),
        )
            .into_response();
    }
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let mut by_key = inner.by_key.lock().unwrap();
    if let Some(first) = by_key.get(&key) {
        inner.duplicates.fetch_add(1, Ordering::SeqCst);
        return (StatusCode::CREATED, Json(json!({ "sid": first }))).into_response();
    }
    let message_sid = format!("SM{}", uuid::Uuid::now_v7().simple());
    by_key.insert(key.clone(), message_sid.clone());
    inner.messages.lock().unwrap().push(Received {
        key,
        to: form.to,
        from: form.from,
        body: form.body,
    });
    (
        StatusCode::CREATED,
        Json(json!({ "sid": message_sid, "status": "queued" })),
    )
        .into_response()
}

impl FakeTwilio {
    pub async fn start() -> Self {
        let inner = Arc::new(Inner::default());
        let app = Router::new()
            .route("/2010-04-01/Accounts/{sid}/Messages.json", post(create))
            .with_state(inner.clone());
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base_url = format!("http://{}", listener.local_addr().unwrap());
        let stop = CancellationToken::new();
        let s = stop.clone();
        tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async move { s.cancelled().await })
                .await
                .ok();
        });
        Self {
            base_url,
            inner,
            stop,
        }
    }

    /// Points a configuration at this fake, with quick retries.
    pub fn configure(&self, config: &mut dispecer::config::Config) {
        config.sms.base_url = self.base_url.clone();
        config.sms.account_sid = SID.into();
        config.sms.auth_token = TOKEN.to_owned().into();
        config.sms.backoff_initial_ms = 20;
        config.sms.backoff_max_ms = 200;
        config.sms.poll_ms = 20;
    }

    pub fn messages(&self) -> Vec<Received> {
        self.inner.messages.lock().unwrap().clone()
    }

    pub fn duplicates(&self) -> usize {
        self.inner.duplicates.load(Ordering::SeqCst)
    }

    /// Waits (up to 10 s, polling) until `n` messages were received; returns them.
    pub async fn wait_for(&self, n: usize) -> Vec<Received> {
        for _ in 0..500 {
            if self.messages().len() >= n {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        self.messages()
    }
}
