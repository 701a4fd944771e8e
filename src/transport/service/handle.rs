//! What the transport use cases work with: the [`Transport`] handle (storage, the SMS choke
//! point, the templates, the plan lock) and the [`Ctx`] a request lends them (with the core,
//! the configuration and the road network).

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use chrono::NaiveDate;
use routing::network::RoadNetwork;

use crate::config::{Config, Templates, TransportConfig};
use crate::core::CoreHandle;
use crate::error::Result;
use crate::sms::Sms;
use crate::store::TransportStore;
use crate::transport::model::Rider;
use crate::transport::rules::clock;

/// What the transport handlers share: storage, the SMS choke point, the templates.
#[derive(Clone)]
pub struct Transport {
    pub store: Arc<dyn TransportStore>,
    pub sms: Sms,
    pub templates: Arc<Templates>,
    /// Serialises plan edits within this instance; the store's version check guards the rest.
    pub plan_lock: Arc<tokio::sync::Mutex<()>>,
    /// Serialises the overlap check and the storing of bookings and changes within this
    /// instance: two bookings racing for one rider cannot both pass the check.
    pub booking_lock: Arc<tokio::sync::Mutex<()>>,
    /// The road geometry of each day's planned routes, per plan version (the planner's map).
    pub(crate) route_lines: super::route_lines::LinesCache,
}

impl Transport {
    pub fn new(
        store: Arc<dyn TransportStore>,
        sms: Sms,
        config: &TransportConfig,
    ) -> anyhow::Result<Self> {
        Ok(Self {
            store,
            sms,
            templates: Arc::new(Templates::load(&config.templates_file)?),
            plan_lock: Arc::new(tokio::sync::Mutex::new(())),
            booking_lock: Arc::new(tokio::sync::Mutex::new(())),
            route_lines: Default::default(),
        })
    }

    /// Every rider by id.
    pub(crate) async fn riders_by_id(&self) -> Result<HashMap<String, Rider>> {
        Ok(self
            .store
            .riders()
            .await?
            .into_iter()
            .map(|r| (r.id.clone(), r))
            .collect())
    }
}

/// The handles a use case needs, lent by the caller (a handler, the CLI, a background task).
#[derive(Clone, Copy)]
pub(crate) struct Ctx<'a> {
    pub transport: &'a Transport,
    pub core: &'a CoreHandle,
    pub config: &'a Config,
    /// The road network once it has loaded.
    pub network: &'a OnceLock<Arc<RoadNetwork>>,
}

impl Ctx<'_> {
    pub(crate) fn zone(&self) -> chrono_tz::Tz {
        clock::zone(self.config)
    }

    /// The local date and second of the day now.
    pub(crate) fn local_now(&self) -> (NaiveDate, f64) {
        clock::local_now(self.zone())
    }

    pub(crate) fn network(&self) -> Option<Arc<RoadNetwork>> {
        self.network.get().cloned()
    }
}
