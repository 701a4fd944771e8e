//! Logs and metrics. Logs carry ids and codes, never names, phone numbers or addresses.

use std::sync::OnceLock;
use tracing_subscriber::{fmt, prelude::*, EnvFilter};

use crate::config::LogConfig;

/// Installs the tracing subscriber (`RUST_LOG` beats the configured level).
pub fn init(config: &LogConfig) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(&config.level));
    let registry = tracing_subscriber::registry().with(filter);
    let result = if config.json {
        registry
            .with(fmt::layer().json().with_current_span(false))
            .try_init()
    } else {
        registry.with(fmt::layer()).try_init()
    };
    // A second init (tests start several servers in one process) keeps the first.
    let _ = result;
}

/// The process-wide Prometheus recorder, installed on first use.
pub fn metrics_handle() -> metrics_exporter_prometheus::PrometheusHandle {
    static HANDLE: OnceLock<metrics_exporter_prometheus::PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let recorder = metrics_exporter_prometheus::PrometheusBuilder::new().build_recorder();
            let handle = recorder.handle();
            let _ = metrics::set_global_recorder(recorder);
            handle
        })
        .clone()
}
