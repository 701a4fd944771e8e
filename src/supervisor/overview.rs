//! The supervisor's overview, gathered: live sessions (store), dispatch accounts (store), and
//! the loads and figures over the live state ([`super::rules`]).

use chrono::{DateTime, TimeZone, Utc};
use serde::Serialize;

use super::rules::{self, Kpi, OpenItem};
use crate::core::CoreHandle;
use crate::store::{Store, StoreError};

/// A logged-in session.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct SessionOut {
    pub(crate) username: String,
    /// Display name.
    pub(crate) name: String,
    pub(crate) role: String,
    /// When the session was opened (login).
    pub(crate) since: DateTime<Utc>,
    /// Last request or open websocket seen (at most a minute old while the console is open).
    pub(crate) last_seen: DateTime<Utc>,
    /// The remote address last seen (`X-Forwarded-For` of the proxy, else the peer).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) from: Option<String>,
    /// The console page it last said it has open (`X-Console-Page`, or `?page=` on `/ws`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) page: Option<String>,
}

/// A dispatcher (or supervisor) and the open items they handle.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct DispatcherOut {
    pub(crate) username: String,
    pub(crate) name: String,
    pub(crate) open_items: Vec<OpenItem>,
}

/// `GET /api/v1/supervisor/overview`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct Overview {
    pub(crate) sessions: Vec<SessionOut>,
    pub(crate) dispatchers: Vec<DispatcherOut>,
    pub(crate) kpi: Kpi,
}

/// Roles that handle items, listed among the dispatchers even with nothing open.
pub(crate) const HANDLER_ROLES: &[&str] = &["dispatcher", "supervisor"];

/// The overview now; the figures count from local midnight in `zone`.
pub(crate) async fn overview(
    store: &dyn Store,
    core: &CoreHandle,
    zone: chrono_tz::Tz,
) -> Result<Overview, StoreError> {
    let now = Utc::now();
    let sessions = store
        .live_sessions(now)
        .await?
        .into_iter()
        .map(|s| SessionOut {
            last_seen: s.last_seen.unwrap_or(s.since),
            username: s.username,
            name: s.display_name,
            role: s.role,
            since: s.since,
            from: s.from,
            page: s.page,
        })
        .collect();
    let users = store.users_with_roles(HANDLER_ROLES).await?;
    let local = now.with_timezone(&zone).date_naive();
    let since = zone
        .from_local_datetime(&local.and_hms_opt(0, 0, 0).unwrap_or_default())
        .earliest()
        .map_or(now, |t| t.with_timezone(&Utc));
    let (mut loads, kpi) = core.read(|s| (rules::loads(s.items()), rules::kpi(s.items(), since)));
    let mut dispatchers: Vec<DispatcherOut> = users
        .into_iter()
        .map(|u| DispatcherOut {
            open_items: loads.remove(&u.username).unwrap_or_default(),
            username: u.username,
            name: u.display_name,
        })
        .collect();
    // Handlers with no dispatch account any more (an admin, a disabled account) still show.
    dispatchers.extend(
        loads
            .into_iter()
            .map(|(username, open_items)| DispatcherOut {
                name: username.clone(),
                username,
                open_items,
            }),
    );
    Ok(Overview {
        sessions,
        dispatchers,
        kpi,
    })
}
