//! Who is calling, and what their role lets them do.
//!
//! Every request but the health probes and the login carries either the browser session cookie
//! (`dispecer_session`, HttpOnly, SameSite=Strict) or a bearer token (`Authorization: Bearer …`,
//! or `?access_token=` for a websocket client that cannot set headers). Session tokens (`dss_…`,
//! from a login) are looked up in `sessions`, machine tokens (`dsp_…`: alarm receivers,
//! telephony, benchmarks) in `credentials`, both by their SHA-256. Positive answers are cached
//! briefly so intake does not pay a database round trip per alarm.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::error::Error;
use crate::state::AppState;

/// What a caller is allowed to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Dispatcher,
    Supervisor,
    Driver,
    Emiu,
    Admin,
    /// A TeleAsistență alarm receiver (a machine).
    Receiver,
    /// The telephony provider's webhooks (a machine).
    Telephony,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::Dispatcher,
        Role::Supervisor,
        Role::Driver,
        Role::Emiu,
        Role::Admin,
        Role::Receiver,
        Role::Telephony,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Dispatcher => "dispatcher",
            Role::Supervisor => "supervisor",
            Role::Driver => "driver",
            Role::Emiu => "emiu",
            Role::Admin => "admin",
            Role::Receiver => "receiver",
            Role::Telephony => "telephony",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// The authenticated caller.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller {
    /// Account or credential name; recorded as the actor of every event they cause.
    pub name: String,
    pub role: Role,
    /// The resource a driver or EMIU member works as; limits what they see.
    pub resource: Option<String>,
}

/// Name of the browser session cookie.
pub const SESSION_COOKIE: &str = "dispecer_session";

impl Caller {
    /// Refuses with 403 unless the caller has one of `roles`.
    pub fn require(&self, roles: &[Role]) -> Result<(), Error> {
        if roles.contains(&self.role) {
            Ok(())
        } else {
            Err(Error::Forbidden(format!(
                "role {} may not do this",
                self.role.as_str()
            )))
        }
    }
}

/// Roles that work the dispatch queue.
pub const DISPATCH: &[Role] = &[Role::Dispatcher, Role::Supervisor, Role::Admin];

/// SHA-256 of a token, hex.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A new random machine token: `dsp_` and 64 hex digits (256 bits).
pub fn new_token() -> String {
    let bytes: [u8; 32] = rand::random();
    format!("dsp_{}", hex::encode(bytes))
}

/// A new random session token: `dss_` and 64 hex digits.
pub fn new_session_token() -> String {
    let bytes: [u8; 32] = rand::random();
    format!("dss_{}", hex::encode(bytes))
}

/// Short-lived cache of token lookups.
#[derive(Default)]
pub struct AuthCache {
    entries: Mutex<HashMap<String, (Caller, Instant)>>,
}

const CACHE_TTL: Duration = Duration::from_secs(30);

impl AuthCache {
    fn get(&self, hash: &str) -> Option<Caller> {
        let entries = self.entries.lock().ok()?;
        let (caller, at) = entries.get(hash)?;
        (at.elapsed() < CACHE_TTL).then(|| caller.clone())
    }

    /// Forgets a token at once (logout).
    pub fn forget(&self, hash: &str) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.remove(hash);
        }
    }

    fn put(&self, hash: String, caller: Caller) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() > 10_000 {
                entries.retain(|_, (_, at)| at.elapsed() < CACHE_TTL);
            }
            entries.insert(hash, (caller, Instant::now()));
        }
    }
}

/// The session cookie's value, if any.
pub fn session_cookie(headers: &axum::http::HeaderMap) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == SESSION_COOKIE)
        .map(|(_, v)| v.to_owned())
        .filter(|v| !v.is_empty())
}

fn bearer(parts: &Parts) -> Option<String> {
    if let Some(v) = parts.headers.get(axum::http::header::AUTHORIZATION) {
        let v = v.to_str().ok()?;
        return v
            .strip_prefix("Bearer ")
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty());
    }
    let query = parts.uri.query()?;
    form_urlencoded_pairs(query)
        .into_iter()
        .find(|(k, _)| k == "access_token")
        .map(|(_, v)| v)
}

fn form_urlencoded_pairs(query: &str) -> Vec<(String, String)> {
    serde_urlencoded::from_str::<Vec<(String, String)>>(query).unwrap_or_default()
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Error> {
        let token = bearer(parts)
            .or_else(|| session_cookie(&parts.headers))
            .ok_or(Error::Unauthorized)?;
        if token.len() > 200 {
            return Err(Error::Unauthorized);
        }
        let hash = token_hash(&token);
        if let Some(caller) = state.auth.get(&hash) {
            return Ok(caller);
        }
        let unavailable = |_| Error::Unavailable("cannot check credentials; try again".into());
        let caller = if token.starts_with("dss_") {
            let user = state
                .store
                .find_session(&hash, chrono::Utc::now())
                .await
                .map_err(unavailable)?
                .ok_or(Error::Unauthorized)?;
            Caller {
                role: Role::parse(&user.role).ok_or(Error::Unauthorized)?,
                name: user.username,
                resource: user.resource_id,
            }
        } else {
            let (name, role) = state
                .store
                .find_credential(&hash)
                .await
                .map_err(unavailable)?
                .ok_or(Error::Unauthorized)?;
            Caller {
                name,
                role: Role::parse(&role).ok_or(Error::Unauthorized)?,
                resource: None,
            }
        };
        state.auth.put(hash, caller.clone());
        Ok(caller)
    }
}
