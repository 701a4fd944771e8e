//! The application state every handler receives: cheap handles only.

use std::sync::Arc;

use crate::config::Config;
use crate::core::CoreHandle;
use crate::events::bus::Bus;
use crate::http::auth::AuthCache;
use crate::store::Store;

#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub store: Arc<dyn Store>,
    pub core: CoreHandle,
    pub bus: Arc<dyn Bus>,
    pub auth: Arc<AuthCache>,
    pub metrics: metrics_exporter_prometheus::PrometheusHandle,
    /// Cancelled when the server shuts down; long-lived tasks take a child.
    pub shutdown: tokio_util::sync::CancellationToken,
}
