//! The application state every handler receives: cheap handles only.

use std::sync::{Arc, OnceLock};

use routing::network::RoadNetwork;

use crate::config::Config;
use crate::core::CoreHandle;
use crate::events::bus::Bus;
use crate::intake::limit::IntakeLimiter;
use crate::store::Store;
use crate::web::credential_cache::AuthCache;

#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub store: Arc<dyn Store>,
    /// Registries of the emergency workflows (devices, shelters, referrals, safe contact).
    pub emergency: Arc<dyn crate::store::EmergencyStore>,
    pub core: CoreHandle,
    pub bus: Arc<dyn Bus>,
    pub auth: Arc<AuthCache>,
    /// Intake token buckets, one per credential.
    pub intake_limiter: Arc<IntakeLimiter>,
    /// When each session's last-seen time was last written (`web::seen`).
    pub seen: Arc<crate::web::seen::SessionSeen>,
    /// Outbound calls a dispatcher asked for (`telephony::calls`).
    pub calls: crate::telephony::calls::Calls,
    /// Wrong-password counts per username (`http::throttle`).
    pub login_throttle: Arc<crate::web::throttle::LoginThrottle>,
    pub metrics: metrics_exporter_prometheus::PrometheusHandle,
    /// The road network, set once it has loaded (in the background, so start-up stays fast).
    pub network: Arc<OnceLock<Arc<RoadNetwork>>>,
    /// Adapted transport: its storage, the SMS outbox and the templates.
    pub transport: crate::transport::service::Transport,
    /// Cancelled when the server shuts down; long-lived tasks take a child.
    pub shutdown: tokio_util::sync::CancellationToken,
    /// The SIA DC-09 receiver's accounts (`receiver`).
    pub receiver_accounts: Arc<dyn crate::store::ReceiverStore>,
    /// Where the DC-09 receiver listens (TCP and UDP); `None` when it is off.
    pub receiver_addr: Option<std::net::SocketAddr>,
    /// The dispatchers' duty roster and handover notes (`shifts`).
    pub roster: Arc<dyn crate::store::RosterStore>,
}
