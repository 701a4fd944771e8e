//! Configuration: `config/default.toml` (embedded, so the binary always has every default), an
//! optional file, then `DISPECER_*` environment variables with `__` between sections.

use anyhow::Context;
use figment::providers::{Env, Format, Toml};
use figment::Figment;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use std::path::{Path, PathBuf};

mod beds;
mod features;
mod outbound;
mod queue;
mod receiver;
mod retention;
mod shifts;
mod templates;

pub use beds::{BedsConfig, ColdWeatherRule, MonthDay};
pub use features::{
    EmiuConfig, ReferralsConfig, Service, SmsConfig, TeleasistentaConfig, TelephonyConfig,
    TransportConfig, TransportPolicy,
};
pub use outbound::OutboundConfig;
pub use queue::{check_rules, LevelClocks, QueueConfig, Rule, MAX_RESPONSE_CLOCK_S};
pub use receiver::{ReceiverAccountConfig, ReceiverConfig};
pub use retention::RetentionConfig;
pub use shifts::{Ring, ShiftsConfig};
pub use templates::Templates;

/// The defaults, compiled in.
pub const DEFAULT_TOML: &str = include_str!("../../config/default.toml");

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub server: ServerConfig,
    pub store: StoreConfig,
    pub bus: BusConfig,
    pub core: CoreConfig,
    pub log: LogConfig,
    pub queue: QueueConfig,
    pub routing: RoutingConfig,
    pub telephony: TelephonyConfig,
    pub teleasistenta: TeleasistentaConfig,
    pub referrals: ReferralsConfig,
    /// The EMIU procedure (police requests, protection orders).
    pub emiu: EmiuConfig,
    pub transport: TransportConfig,
    pub sms: SmsConfig,
    pub limits: LimitsConfig,
    pub auth: AuthConfig,
    pub receiver: ReceiverConfig,
    /// How long records are kept, and the purge job.
    pub retention: RetentionConfig,
    /// Outbound calls: wellbeing schedules, call lists, campaigns.
    pub outbound: OutboundConfig,
    /// The bed registry and the cold-weather mode (`beds`).
    pub beds: BedsConfig,
    /// The dispatchers' duty roster: how incoming calls ring them, the handover note.
    pub shifts: ShiftsConfig,
}

/// Sessions and credentials (`src/http/auth.rs`, `src/http/session.rs`).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthConfig {
    /// How long a tablet's bearer session token (a login with `"token": true`) lasts, in hours.
    pub tablet_token_hours: u32,
    /// How long an instance trusts a machine token it has looked up, in milliseconds.
    pub credential_cache_ms: u64,
    /// How often an open websocket checks that its session still stands, in milliseconds.
    pub websocket_recheck_ms: u64,
}

/// What one client may ask of the service: intake rate per credential and websocket frames.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitsConfig {
    /// Sustained intake requests per minute per credential (token bucket refill rate).
    pub intake_per_minute: u32,
    /// Intake requests a credential may send at once (token bucket size).
    pub intake_burst: u32,
    /// Largest message a websocket client may send, in bytes.
    pub ws_max_message_bytes: usize,
    /// How long a websocket client may take to accept one frame before it is disconnected.
    pub ws_send_timeout_ms: u64,
    /// Wrong passwords in a row for one username before logins for it are slowed down.
    pub login_free_failures: u32,
    /// Longest wait imposed on a username after wrong passwords, in seconds.
    pub login_max_delay_s: u64,
    /// Passwords checked at once by this instance (each argon2 check takes ~19 MiB).
    pub login_hash_concurrency: usize,
    /// How long a login waits for a free check before it is answered 503, in milliseconds.
    pub login_hash_wait_ms: u64,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoutingConfig {
    pub enabled: bool,
    pub osm_file: PathBuf,
    pub cache_dir: PathBuf,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerConfig {
    pub listen: String,
    pub console_dir: PathBuf,
    pub max_body_bytes: usize,
    pub instance: String,
    /// Marks the session cookie `Secure`: on whenever a TLS proxy is in front (production).
    /// Also sends `Strict-Transport-Security` and accepts only `https` same-host origins.
    pub secure_cookie: bool,
    /// Origins whose pages may use the session cookie to change things and open the websocket
    /// (`src/http/origin.rs`); empty means the origin named by the request's Host header.
    pub allowed_origins: Vec<String>,
    /// Time a client has to send a request header; also the idle keep-alive limit.
    pub header_read_timeout_ms: u64,
    /// Time from a request's header to its answer (body included); websockets once open are
    /// not affected.
    pub request_timeout_ms: u64,
    /// Connections open at once, websockets included; one more is closed on accept.
    pub max_connections: usize,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoreConfig {
    /// Secret because a PostgreSQL URL may hold a password; `Debug` redacts it.
    pub url: SecretString,
    pub max_connections: u32,
    pub sqlite_synchronous: String,
}

impl StoreConfig {
    pub fn is_postgres(&self) -> bool {
        let url = self.url.expose_secret();
        url.starts_with("postgres://") || url.starts_with("postgresql://")
    }
}

/// Where committed events fan out to.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum BusBackend {
    Memory,
    Redis,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BusConfig {
    pub backend: BusBackend,
    pub redis_url: SecretString,
    pub channel: String,
    pub poll_interval_ms: u64,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CoreConfig {
    pub max_batch: usize,
    pub client_buffer: usize,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogConfig {
    pub level: String,
    pub json: bool,
}

impl Config {
    /// Loads the layers and validates the result; errors name the offending key.
    pub fn load(file: Option<&Path>) -> anyhow::Result<Self> {
        let mut figment = Figment::from(Toml::string(DEFAULT_TOML));
        if let Some(file) = file {
            anyhow::ensure!(
                file.exists(),
                "config file {} does not exist",
                file.display()
            );
            figment = figment.merge(Toml::file(file));
        }
        warn_unknown_env();
        figment = figment.merge(
            Env::prefixed("DISPECER_")
                .filter(|key| is_config_key(key.as_str()))
                .split("__"),
        );
        let config: Config = figment.extract().context("reading configuration")?;
        config.validate()?;
        Ok(config)
    }

    /// The compiled-in defaults only, for tests (which then adjust fields in code).
    pub fn default_for_tests() -> Self {
        Figment::from(Toml::string(DEFAULT_TOML))
            .extract()
            .expect("config/default.toml is valid")
    }

    pub fn validate(&self) -> anyhow::Result<()> {
        self.queue.zone().map_err(anyhow::Error::msg)?;
        check_rules(&self.queue.rules).map_err(anyhow::Error::msg)?;
        self.queue
            .level_clock_s
            .check()
            .map_err(anyhow::Error::msg)?;
        anyhow::ensure!(
            self.core.max_batch >= 1,
            "core.max_batch: must be at least 1"
        );
        anyhow::ensure!(
            self.core.client_buffer >= 16,
            "core.client_buffer: must be at least 16"
        );
        anyhow::ensure!(
            self.server.max_body_bytes >= 1024,
            "server.max_body_bytes: must be at least 1024"
        );
        anyhow::ensure!(
            self.server.header_read_timeout_ms >= 50,
            "server.header_read_timeout_ms: must be at least 50"
        );
        anyhow::ensure!(
            self.server.request_timeout_ms >= 50,
            "server.request_timeout_ms: must be at least 50"
        );
        anyhow::ensure!(
            self.server.max_connections >= 1,
            "server.max_connections: must be at least 1"
        );
        anyhow::ensure!(
            self.limits.intake_per_minute >= 1,
            "limits.intake_per_minute: must be at least 1"
        );
        anyhow::ensure!(
            self.limits.intake_burst >= 1,
            "limits.intake_burst: must be at least 1"
        );
        anyhow::ensure!(
            self.limits.ws_max_message_bytes >= 256,
            "limits.ws_max_message_bytes: must be at least 256"
        );
        anyhow::ensure!(
            self.limits.ws_send_timeout_ms >= 50,
            "limits.ws_send_timeout_ms: must be at least 50"
        );
        anyhow::ensure!(
            (1..=3600).contains(&self.limits.login_max_delay_s),
            "limits.login_max_delay_s: 1-3600"
        );
        anyhow::ensure!(
            (1..=256).contains(&self.limits.login_hash_concurrency),
            "limits.login_hash_concurrency: 1-256"
        );
        anyhow::ensure!(
            self.limits.login_hash_wait_ms <= 60_000,
            "limits.login_hash_wait_ms: at most 60000"
        );
        anyhow::ensure!(
            (1..=24 * 30).contains(&self.auth.tablet_token_hours),
            "auth.tablet_token_hours: 1-720"
        );
        anyhow::ensure!(
            self.auth.credential_cache_ms <= 60_000,
            "auth.credential_cache_ms: at most 60000"
        );
        anyhow::ensure!(
            (100..=60_000).contains(&self.auth.websocket_recheck_ms),
            "auth.websocket_recheck_ms: 100-60000"
        );
        let url = self.store.url.expose_secret();
        anyhow::ensure!(
            url.starts_with("sqlite:") || self.store.is_postgres(),
            "store.url: must start with sqlite: or postgres://"
        );
        anyhow::ensure!(
            ["OFF", "NORMAL", "FULL", "EXTRA"].contains(&self.store.sqlite_synchronous.as_str()),
            "store.sqlite_synchronous: must be OFF, NORMAL, FULL or EXTRA"
        );
        self.telephony.validate()?;
        self.teleasistenta.validate()?;
        self.referrals.validate()?;
        self.emiu.validate()?;
        self.transport.validate()?;
        self.sms.validate()?;
        self.receiver.validate()?;
        self.retention.validate()?;
        self.outbound.validate()?;
        self.beds.validate()?;
        self.shifts.validate()?;
        Ok(())
    }
}

/// Sections of the configuration; `DISPECER_<SECTION>__<KEY>` variables are configuration, other
/// `DISPECER_*` variables (`DISPECER_CONFIG`, the test suite's `DISPECER_TEST_*`) are not.
const SECTIONS: [&str; 20] = [
    "server",
    "store",
    "bus",
    "core",
    "log",
    "queue",
    "routing",
    "limits",
    "auth",
    "telephony",
    "teleasistenta",
    "referrals",
    "emiu",
    "transport",
    "sms",
    "receiver",
    "retention",
    "outbound",
    "beds",
    "shifts",
];

fn is_config_key(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    SECTIONS.iter().any(|s| key.starts_with(&format!("{s}__")))
}

/// Warns about `DISPECER_*` variables that name no key, so a typo does not silently leave a
/// default in force.
fn warn_unknown_env() {
    let known: toml::Table = match DEFAULT_TOML.parse() {
        Ok(t) => t,
        Err(_) => return,
    };
    for (name, _) in std::env::vars() {
        let Some(path) = name.strip_prefix("DISPECER_") else {
            continue;
        };
        if !SECTIONS
            .iter()
            .any(|s| path.to_ascii_lowercase().starts_with(&format!("{s}_")))
        {
            continue;
        }
        let mut table = &known;
        let parts: Vec<String> = path.split("__").map(|p| p.to_lowercase()).collect();
        let mut ok = true;
        for (i, part) in parts.iter().enumerate() {
            match table.get(part) {
                Some(toml::Value::Table(t)) if i + 1 < parts.len() => table = t,
                Some(_) if i + 1 == parts.len() => {}
                _ => {
                    ok = false;
                    break;
                }
            }
        }
        if !ok {
            eprintln!("warning: environment variable {name} names no configuration key; ignored");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_level_clock_out_of_range_is_refused_at_load() {
        let mut config = Config::default_for_tests();
        config
            .validate()
            .expect("the default configuration is valid");
        config.queue.level_clock_s.p1 = 0;
        let err = config.validate().expect_err("a zero clock is refused");
        assert!(err.to_string().contains("queue.level_clock_s.P1"), "{err}");
    }

    #[test]
    fn a_follow_up_delay_out_of_range_is_refused_at_load() {
        for bad in [0.0, -1.0, 721.0, f64::NAN] {
            let mut config = Config::default_for_tests();
            config.outbound.follow_up_hours = bad;
            let err = config.validate().expect_err("refused");
            assert!(
                err.to_string().contains("outbound.follow_up_hours"),
                "{bad}: {err}"
            );
        }
    }
}
