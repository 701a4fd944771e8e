//! A local fake of the Twilio Messages API: `POST /2010-04-01/Accounts/{sid}/Messages.json`
//! with a form body and HTTP basic auth, and `GET` on the same resource (the message list,
//! newest first, filtered by `To` and `From`). Like Twilio it ignores `Idempotency-Key`: every
//! accepted POST is a message to a phone, and a second message with the same number and text
//! counts as a duplicate (what the rider would receive twice). It can be told to fail the next
//! N POSTs with a 500, or to accept the next N POSTs and then drop the connection without
//! answering (as a crash or a timeout after the provider accepted them would look).

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::post;
use axum::{Form, Json, Router};
use base64::Engine;
use serde::Deserialize;
use serde_json::json;
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
    pub sid: String,
    pub at: chrono::DateTime<chrono::Utc>,
}

#[derive(Default)]
pub struct Inner {
    pub messages: Mutex<Vec<Received>>,
    pub duplicates: AtomicUsize,
    pub fail_next: AtomicUsize,
    /// Accept the next N messages but answer nothing (the client sees an error).
    pub lose_answer_next: AtomicUsize,
    /// POSTs received.
    pub requests: AtomicUsize,
    /// List requests received.
    pub lookups: AtomicUsize,
    /// Milliseconds each POST takes (a slow provider).
    pub post_delay_ms: std::sync::atomic::AtomicU64,
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
    let delay = inner.post_delay_ms.load(Ordering::SeqCst);
    if delay > 0 {
        tokio::time::sleep(std::time::Duration::from_millis(delay)).await;
    }
    if sid != SID || !authorised(&headers) {
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
    let message_sid = format!("SM{}", uuid::Uuid::now_v7().simple());
    {
        let mut messages = inner.messages.lock().unwrap();
        if messages
            .iter()
            .any(|m| m.to == form.to && m.from == form.from && m.body == form.body)
        {
            inner.duplicates.fetch_add(1, Ordering::SeqCst);
        }
        messages.push(Received {
            key,
            to: form.to,
            from: form.from,
            body: form.body,
            sid: message_sid.clone(),
            at: chrono::Utc::now(),
        });
    }
    if inner
        .lose_answer_next
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok()
    {
        // Accepted, but the answer is lost: a status the client cannot read as success.
        return (StatusCode::GATEWAY_TIMEOUT, Json(json!({"code": 20504}))).into_response();
    }
    (
        StatusCode::CREATED,
        Json(json!({ "sid": message_sid, "status": "queued" })),
    )
        .into_response()
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListQuery {
    to: Option<String>,
    from: Option<String>,
    page_size: Option<usize>,
}

async fn list(
    State(inner): State<Arc<Inner>>,
    Path(sid): Path<String>,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> impl IntoResponse {
    inner.lookups.fetch_add(1, Ordering::SeqCst);
    if sid != SID || !authorised(&headers) {
        return (StatusCode::UNAUTHORIZED, Json(json!({"code": 20003}))).into_response();
    }
    let messages = inner.messages.lock().unwrap();
    let page: Vec<_> = messages
        .iter()
        .rev()
        .filter(|m| q.to.as_ref().is_none_or(|t| &m.to == t))
        .filter(|m| q.from.as_ref().is_none_or(|f| &m.from == f))
        .take(q.page_size.unwrap_or(50))
        .map(|m| {
            json!({
                "sid": m.sid, "to": m.to, "from": m.from, "body": m.body, "status": "sent",
                "date_created": m.at.to_rfc2822(),
            })
        })
        .collect();
    Json(json!({ "messages": page, "next_page_uri": null })).into_response()
}

fn authorised(headers: &HeaderMap) -> bool {
    let expected = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{SID}:{TOKEN}"))
    );
    headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a == expected)
}

impl FakeTwilio {
    pub async fn start() -> Self {
        let inner = Arc::new(Inner::default());
        let app = Router::new()
            .route(
                "/2010-04-01/Accounts/{sid}/Messages.json",
                post(create).get(list),
            )
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
