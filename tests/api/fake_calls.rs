//! A local fake of the Twilio Calls API: `POST /2010-04-01/Accounts/{sid}/Calls.json` with a
//! form body (`To`, `From`, `Url`) and HTTP basic auth records the call and answers its `sid`.
//! It can be told to fail the next N requests with a 500.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::post;
use axum::{Form, Json, Router};
use base64::Engine;
use serde::Deserialize;
use serde_json::json;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

pub const SID: &str = "ACcalls000000000000000000000000000";
pub const TOKEN: &str = "fake-calls-token";

#[derive(Clone, Debug)]
pub struct Placed {
    pub key: String,
    pub to: String,
    pub from: String,
    pub url: String,
    pub sid: String,
}

#[derive(Default)]
struct Inner {
    calls: Mutex<Vec<Placed>>,
    fail_next: AtomicUsize,
}

pub struct FakeCalls {
    pub base_url: String,
    inner: Arc<Inner>,
    stop: CancellationToken,
}

impl Drop for FakeCalls {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CallForm {
    to: String,
    from: String,
    url: String,
}

async fn create(
    State(inner): State<Arc<Inner>>,
    Path(sid): Path<String>,
    headers: HeaderMap,
    Form(form): Form<CallForm>,
) -> impl IntoResponse {
    let expected = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{SID}:{TOKEN}"))
    );
    let auth = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if sid != SID || auth != expected {
        return (StatusCode::UNAUTHORIZED, Json(json!({ "code": 20003 })));
    }
    if inner
        .fail_next
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok()
    {
        return (
            StatusCode::INTERNAL_SERVER_ERROR,
            Json(json!({ "code": 20500 })),
        );
    }
    let placed = Placed {
        key: headers
            .get("idempotency-key")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned(),
        to: form.to,
        from: form.from,
        url: form.url,
        sid: format!("CA{}", uuid::Uuid::now_v7().simple()),
    };
    let sid = placed.sid.clone();
    inner.calls.lock().unwrap().push(placed);
    (
        StatusCode::CREATED,
        Json(json!({ "sid": sid, "status": "queued" })),
    )
}

impl FakeCalls {
    pub async fn start() -> Self {
        let inner = Arc::new(Inner::default());
        let app = Router::new()
            .route("/2010-04-01/Accounts/{sid}/Calls.json", post(create))
            .with_state(inner.clone());
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base_url = format!("http://{}", listener.local_addr().unwrap());
        let stop = CancellationToken::new();
        let until = stop.clone();
        tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async move { until.cancelled().await })
                .await
                .ok();
        });
        Self {
            base_url,
            inner,
            stop,
        }
    }

    /// Fails the next `n` requests with a 500.
    pub fn fail_next(&self, n: usize) {
        self.inner.fail_next.store(n, Ordering::SeqCst);
    }

    pub fn calls(&self) -> Vec<Placed> {
        self.inner.calls.lock().unwrap().clone()
    }

    /// The calls once there are at least `n`, or what there is after `wait`.
    pub async fn wait_for(&self, n: usize, wait: Duration) -> Vec<Placed> {
        let deadline = Instant::now() + wait;
        loop {
            let calls = self.calls();
            if calls.len() >= n || Instant::now() > deadline {
                return calls;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}
