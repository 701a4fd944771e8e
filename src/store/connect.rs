//! Opening the store named by the configured URL.

use std::sync::Arc;

use super::calls::CallOutbox;
use super::emergency::EmergencyStore;
use super::log::Store;
use super::outbox::Outbox;
use super::postgres::PgStore;
use super::receiver::ReceiverStore;
use super::roster::RosterStore;
use super::sqlite::SqliteStore;
use super::transport::TransportStore;
use crate::config::StoreConfig;

/// Opens the store named by the configured URL and runs its migrations.
pub async fn connect(config: &StoreConfig) -> anyhow::Result<Arc<dyn Store>> {
    Ok(connect_all(config).await?.store)
}

/// One database seen through each module's storage trait (same pools, same connections).
pub struct Stores {
    pub store: Arc<dyn Store>,
    pub transport: Arc<dyn TransportStore>,
    pub outbox: Arc<dyn Outbox>,
    /// Outbound calls a dispatcher asked for.
    pub calls: Arc<dyn CallOutbox>,
    /// Registries of the emergency workflows.
    pub emergency: Arc<dyn EmergencyStore>,
    /// The DC-09 receiver's accounts.
    pub receiver: Arc<dyn ReceiverStore>,
    /// The dispatchers' duty roster and handover notes (`shifts`).
    pub roster: Arc<dyn RosterStore>,
}

/// Opens the store named by the configured URL, runs its migrations, and hands out its views.
pub async fn connect_all(config: &StoreConfig) -> anyhow::Result<Stores> {
    use anyhow::Context;
    let stores = if config.is_postgres() {
        let s = Arc::new(
            PgStore::connect(config)
                .await
                .context("connecting to PostgreSQL")?,
        );
        Stores {
            store: s.clone(),
            transport: s.clone(),
            emergency: s.clone(),
            receiver: s.clone(),
            roster: s.clone(),
            calls: s.clone(),
            outbox: s,
        }
    } else {
        let s = Arc::new(
            SqliteStore::connect(config)
                .await
                .context("opening SQLite")?,
        );
        Stores {
            store: s.clone(),
            transport: s.clone(),
            emergency: s.clone(),
            receiver: s.clone(),
            roster: s.clone(),
            calls: s.clone(),
            outbox: s,
        }
    };
    stores.store.migrate().await.context("running migrations")?;
    Ok(stores)
}
