//! The commands behind `main.rs`: each takes its parsed arguments and does the work.
//!
//! - [`seed`]: synthetic Timișoara demo data and credentials.
//! - [`bench`](mod@bench): `dispecer bench intake`, the alert-to-websocket latency benchmark;
//!   `dispecer bench assign`, the assignment help's ranking; `dispecer bench restart`, the
//!   rebuild of the live state from a synthetic year of events.
//! - [`plan`]: `dispecer plan --date` and `dispecer bench transport-day`.
//! - [`users`]: `dispecer user add | disable | enable | sessions end`.
//! - [`receiver`](mod@receiver): `dispecer receiver account add | list | remove` (DC-09).
//! - [`retention`]: `dispecer retention purge [--dry-run]`.

pub mod bench;
mod bench_day;
pub mod bench_receiver;
pub mod plan;
pub mod receiver;
pub mod retention;
pub mod seed;
pub mod users;

use anyhow::Context;
use std::path::Path;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tracing::info;

use crate::access::Role;
use crate::config::Config;
use crate::web::auth::{new_token, token_hash};
use crate::{startup, store, telemetry};

/// `dispecer serve [--demo]`.
pub async fn serve(config_file: Option<&Path>, demo: bool) -> anyhow::Result<()> {
    let config = Config::load(config_file)?;
    telemetry::init(&config.log);
    build_console_if_missing(&config.server.console_dir)?;
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

/// Builds the console with npm when its `index.html` is missing and its sources are beside it
/// (a fresh clone), so the README's one run command gives a working console.
fn build_console_if_missing(console_dir: &Path) -> anyhow::Result<()> {
    if console_dir.join("index.html").exists() {
        return Ok(());
    }
    let Some(source) = console_dir
        .parent()
        .filter(|p| p.join("package.json").exists())
    else {
        tracing::warn!(dir = %console_dir.display(), "no console build and no sources: serving the API only");
        return Ok(());
    };
    println!(
        "dispecer: building the console in {} (npm ci && npm run build)",
        source.display()
    );
    let npm = |args: &[&str]| -> anyhow::Result<()> {
        let status = std::process::Command::new("npm")
            .args(args)
            .current_dir(source)
            .status()
            .context("running npm (install Node.js 20 and npm)")?;
        anyhow::ensure!(status.success(), "npm {} failed", args.join(" "));
        Ok(())
    };
    npm(&["ci", "--no-audit", "--no-fund"])?;
    npm(&["run", "build"])
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
    crate::domain::parse::identifier("name", name, 64).map_err(|e| anyhow::anyhow!("{e}"))?;
    let config = Config::load(config_file)?;
    let store = store::connect(&config.store).await?;
    let token = new_token();
    store
        .put_credential(name, role.as_str(), &token_hash(&token))
        .await?;
    println!("{token}");
    Ok(())
}

/// `dispecer route FROM TO`: time, distance and the streets taken. FROM and TO are `lon,lat` or
/// an address (the best geocoding candidate is used, and printed).
pub fn route(config_file: Option<&Path>, from: &str, to: &str, van: bool) -> anyhow::Result<()> {
    use routing::network::{ProfileId, RoadNetwork, ATTRIBUTION};
    let config = Config::load(config_file)?;
    let net = RoadNetwork::load(&config.routing.osm_file, Some(&config.routing.cache_dir))?;
    let place = |text: &str| -> anyhow::Result<routing::travel::LonLat> {
        if let Ok(p) = crate::http::map::parse_lonlat("place", text) {
            return Ok(p);
        }
        let best = net
            .geocode(text, 1)
            .into_iter()
            .next()
            .with_context(|| format!("no address matches {text:?}"))?;
        println!(
            "{text:?} → {} ({:.5}, {:.5})",
            best.label, best.position.lon, best.position.lat
        );
        Ok(best.position)
    };
    let (a, b) = (place(from)?, place(to)?);
    let profile = if van {
        ProfileId::Van
    } else {
        ProfileId::EmiuCar
    };
    let now = chrono::Utc::now().with_timezone(&chrono_tz::Europe::Bucharest);
    let second = chrono::Timelike::num_seconds_from_midnight(&now);
    let r = net
        .route(profile, a, b, second)
        .context("no route: a place is off the road network")?;
    println!(
        "time {:.0} min {:02.0} s, distance {:.2} km ({:?}, departing now)",
        (r.duration_s / 60.0).floor(),
        r.duration_s % 60.0,
        r.distance_m / 1000.0,
        profile
    );
    for leg in &r.streets {
        println!(
            "  {:<40} {:>6.0} m",
            leg.name.as_deref().unwrap_or("(drum fără nume)"),
            leg.metres
        );
    }
    println!("{ATTRIBUTION}");
    Ok(())
}
