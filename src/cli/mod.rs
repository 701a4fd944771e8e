//! The commands behind `main.rs`: each takes its parsed arguments and does the work.
//!
//! - [`seed`]: synthetic Timișoara demo data and credentials.
//! - [`bench`]: `dispecer bench intake`, the alert-to-websocket latency benchmark.

pub mod bench;
pub mod seed;

use anyhow::Context;
use std::path::Path;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tracing::info;

use crate::config::Config;
use crate::http::auth::{new_token, token_hash, Role};
use crate::{startup, store, telemetry};

/// `dispecer serve [--demo]`.
pub async fn serve(config_file: Option<&Path>, demo: bool) -> anyhow::Result<()> {
    let config = Config::load(config_file)?;
    telemetry::init(&config.log);
    let shutdown = CancellationToken::new();
    let listener = TcpListener::bind(&config.server.listen)
        .await
        .with_context(|| format!("binding {}", config.server.listen))?;
    let state = startup::build(config, shutdown.clone()).await?;
    if demo {
        seed::seed(&state, true).await?;
    }
    let url = format!("http://{}", listener.local_addr()?);
    info!(%url, "dispatch console ready");
    println!("dispecer: console at {url}/");
    let signal = shutdown.clone();
    tokio::spawn(async move {
        let _ = tokio::signal::ctrl_c().await;
        info!("shutting down");
        signal.cancel();
    });
    startup::serve(state, listener, shutdown).await
}

/// `dispecer migrate`.
pub async fn migrate(config_file: Option<&Path>) -> anyhow::Result<()> {
    let config = Config::load(config_file)?;
    telemetry::init(&config.log);
    store::connect(&config.store).await?;
    println!("migrations applied");
    Ok(())
}

/// `dispecer seed-demo`.
pub async fn seed_demo(config_file: Option<&Path>) -> anyhow::Result<()> {
    let config = Config::load(config_file)?;
    telemetry::init(&config.log);
    let shutdown = CancellationToken::new();
    let state = startup::build(config, shutdown.clone()).await?;
    seed::seed(&state, false).await?;
    shutdown.cancel();
    Ok(())
}

/// `dispecer token add NAME ROLE`: a bearer credential for a machine or a tablet.
pub async fn token_add(config_file: Option<&Path>, name: &str, role: &str) -> anyhow::Result<()> {
    let role = Role::parse(role).with_context(|| {
        format!(
            "unknown role {role:?}; one of: {}",
            Role::ALL.map(|r| r.as_str()).join(", ")
        )
    })?;
    crate::intake::parse::identifier("name", name, 64).map_err(|e| anyhow::anyhow!("{e}"))?;
    let config = Config::load(config_file)?;
    let store = store::connect(&config.store).await?;
    let token = new_token();
    store
        .put_credential(name, role.as_str(), &token_hash(&token))
        .await?;
    println!("{token}");
    Ok(())
}
