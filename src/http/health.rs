//! Probes and metrics: `/healthz` (the process answers), `/readyz` (storage answers),
//! `/metrics` (Prometheus text).

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::Json;
use axum::Router;

use crate::state::AppState;
use crate::web::schemas::common::Readiness;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
}

/// The process answers.
#[utoipa::path(
    get,
    path = "/healthz",
    tag = "operations",
    responses((status = 200, description = "`ok`", content_type = "text/plain", body = String)),
    security(())
)]
pub(crate) async fn healthz() -> &'static str {
    "ok"
}

/// Storage answers (200), or not (503); also the bus and the road network.
#[utoipa::path(
    get,
    path = "/readyz",
    tag = "operations",
    responses(
        (status = 200, description = "Ready", body = Readiness),
        (status = 503, description = "Storage is down", body = Readiness),
    ),
    security(())
)]
pub(crate) async fn readyz(State(state): State<AppState>) -> (StatusCode, Json<Readiness>) {
    let store_ok = state.store.ping().await.is_ok();
    let bus_ok = state.bus.connected();
    let seq = state.core.read(|s| s.seq);
    let network = if state.network.get().is_some() {
        "ready"
    } else if state.config.routing.enabled {
        "loading"
    } else {
        "disabled"
    };
    let status = if store_ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        status,
        Json(Readiness {
            store: if store_ok { "ok" } else { "down" }.into(),
            bus: if bus_ok { "ok" } else { "degraded" }.into(),
            network: network.into(),
            seq,
        }),
    )
}

/// Prometheus metrics (counts and timings; no personal data).
#[utoipa::path(
    get,
    path = "/metrics",
    tag = "operations",
    responses((status = 200, description = "Prometheus text format", content_type = "text/plain", body = String)),
    security(())
)]
pub(crate) async fn metrics(State(state): State<AppState>) -> String {
    let (open, breached) = state.core.read(|s| {
        let open = s
            .items()
            .filter(|i| i.status != crate::domain::Status::Closed)
            .count();
        let breached = s
            .items()
            .filter(|i| i.breached && i.status == crate::domain::Status::New)
            .count();
        (open, breached)
    });
    metrics::gauge!("dispecer_queue_open_items").set(open as f64);
    metrics::gauge!("dispecer_queue_breached_unacknowledged").set(breached as f64);
    state.metrics.render()
}
