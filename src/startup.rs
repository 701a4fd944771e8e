//! Wiring: open the store, start the bus and the core, serve until shutdown.

use anyhow::Context;
use secrecy::ExposeSecret;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tracing::info;

use crate::config::{BusBackend, Config};
use crate::core::{self, CoreSettings};
use crate::events::bus::{Bus, MemoryBus, RedisBus};
use crate::intake::limit::IntakeLimiter;
use crate::state::AppState;
use crate::store;
use crate::web::credential_cache::AuthCache;

/// Builds the application state: store (migrated), bus, core (state rebuilt from the log).
pub async fn build(mut config: Config, shutdown: CancellationToken) -> anyhow::Result<AppState> {
    let rules = crate::queue::Rules::from_config(&config.queue).map_err(anyhow::Error::msg)?;
    crate::http::origin::OriginPolicy::new(&config.server)?;
    fit_connections_to_file_limit(&mut config);
    let stores = store::connect_all(&config.store).await?;
    let store = stores.store.clone();
    let sms = crate::sms::Sms::new(stores.outbox.clone(), stores.emergency.clone());
    let transport =
        crate::transport::Transport::new(stores.transport.clone(), sms.clone(), &config.transport)?;
    crate::sms::worker::start(&sms, config.sms.clone(), shutdown.child_token())?;
    let emergency = stores.emergency.clone();
    let calls = crate::telephony::calls::Calls::new(stores.calls.clone());
    crate::telephony::calls::start(
        &calls,
        emergency.clone(),
        config.sms.clone(),
        &config.telephony,
        shutdown.child_token(),
    )?;
    let instance = if config.server.instance.is_empty() {
        format!("{}-{}", hostname(), std::process::id())
    } else {
        config.server.instance.clone()
    };
    let (bus, poll): (Arc<dyn Bus>, _) = match config.bus.backend {
        BusBackend::Memory => (Arc::new(MemoryBus), None),
        BusBackend::Redis => (
            Arc::new(
                RedisBus::start(
                    config.bus.redis_url.expose_secret(),
                    config.bus.channel.clone(),
                    instance.clone(),
                    shutdown.clone(),
                )
                .context("starting the Redis bus")?,
            ),
            Some(Duration::from_millis(config.bus.poll_interval_ms.max(50))),
        ),
    };
    let settings = CoreSettings {
        max_batch: config.core.max_batch,
        client_buffer: config.core.client_buffer,
        poll_interval: poll,
    };
    let intake_limiter = Arc::new(IntakeLimiter::new(&config.limits, rules.clone()));
    let login_throttle = Arc::new(crate::web::throttle::LoginThrottle::new(&config.limits));
    let (core, _task) = core::start(
        store.clone(),
        bus.clone(),
        rules,
        settings,
        shutdown.clone(),
    )
    .await?;
    info!(instance, store = store.backend(), "core started");
    let network = Arc::new(std::sync::OnceLock::new());
    if config.routing.enabled {
        let slot = network.clone();
        let routing = config.routing.clone();
        tokio::task::spawn_blocking(move || {
            match routing::network::RoadNetwork::load(&routing.osm_file, Some(&routing.cache_dir)) {
                Ok(net) => {
                    info!(
                        ms = net.stats().load_ms,
                        from_cache = net.stats().from_cache,
                        "road network ready"
                    );
                    let _ = slot.set(Arc::new(net));
                }
                Err(e) => tracing::error!(error = %e, "road network unavailable"),
            }
        });
    }
    let receiver_addr = crate::receiver::start::start(
        &config.receiver,
        &config.teleasistenta,
        stores.receiver.clone(),
        emergency.clone(),
        core.clone(),
        shutdown.child_token(),
    )
    .await?;
    let state = AppState {
        network,
        config: Arc::new(config),
        store,
        emergency,
        core,
        bus,
        auth: Arc::new(AuthCache::default()),
        seen: Arc::new(crate::web::seen::SessionSeen::default()),
        calls,
        intake_limiter,
        login_throttle,
        metrics: crate::telemetry::metrics_handle(),
        transport,
        shutdown,
        receiver_accounts: stores.receiver.clone(),
        roster: stores.roster.clone(),
        receiver_addr,
    };
    crate::teleasistenta::spawn_monitor(state.clone());
    crate::referrals::seed_directory(state.emergency.as_ref(), &state.config.referrals)
        .await
        .context("seeding the directory of services")?;
    crate::referrals::spawn_follow_ups(state.clone());
    crate::referrals::spawn_escalations(state.clone());
    crate::emiu::spawn_reminders(&state);
    crate::reports::spawn_retention(&state);
    crate::outbound::spawn(&state);
    crate::beds::spawn_outreach(&state);
    crate::transport::start_reminder_task(&state, state.shutdown.child_token());
    crate::transport::start_certificate_task(&state, state.shutdown.child_token());
    Ok(state)
}

/// Serves on `listener` until `shutdown` is cancelled.
pub async fn run(
    config: Config,
    listener: TcpListener,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    let state = build(config, shutdown.clone()).await?;
    serve(state, listener, shutdown).await
}

/// Serves an already built state.
pub async fn serve(
    state: AppState,
    listener: TcpListener,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    let addr = listener.local_addr()?;
    info!(%addr, "listening");
    let limits = crate::http::server::Limits::from_config(&state.config.server);
    let app = crate::http::router(state);
    crate::http::server::serve(listener, app, limits, shutdown)
        .await
        .context("serving HTTP")
}

/// Lowers `server.max_connections` below the process's open-file limit, where it can be read
/// (`/proc/self/limits`), keeping 64 descriptors and the store's connections for everything
/// else: past the limit, `accept` fails and so does opening the database.
fn fit_connections_to_file_limit(config: &mut Config) {
    let Some(limit) = open_file_limit() else {
        return;
    };
    let reserve = 64 + u64::from(config.store.max_connections);
    let fits = usize::try_from(limit.saturating_sub(reserve).max(16)).unwrap_or(usize::MAX);
    if config.server.max_connections > fits {
        tracing::warn!(
            configured = config.server.max_connections,
            open_file_limit = limit,
            used = fits,
            "server.max_connections lowered to fit the open-file limit (ulimit -n)"
        );
        config.server.max_connections = fits;
    }
}

/// The soft limit on open files, from `/proc/self/limits` (Linux).
fn open_file_limit() -> Option<u64> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    line.split_whitespace().nth(3)?.parse().ok()
}

fn hostname() -> String {
    std::fs::read_to_string("/etc/hostname")
        .map(|s| s.trim().to_owned())
        .unwrap_or_else(|_| "dispecer".into())
}
