//! Who is calling, and what their role lets them do.
//!
//! Every request but the health probes carries a bearer token (`Authorization: Bearer …`, or
//! `?access_token=` for a browser websocket, which cannot set headers). Tokens are looked up by
//! their SHA-256 in the `credentials` table; positive answers are cached briefly so intake does
//! not pay a database round trip per alarm.

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
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
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
}

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

/// A new random token: `dsp_` and 64 hex digits (256 bits).
pub fn new_token() -> String {
    let bytes: [u8; 32] = rand::random();
    format!("dsp_{}", hex::encode(bytes))
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

    fn put(&self, hash: String, caller: Caller) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() > 10_000 {
                entries.retain(|_, (_, at)| at.elapsed() < CACHE_TTL);
            }
            entries.insert(hash, (caller, Instant::now()));
        }
    }
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
        let token = bearer(parts).ok_or(Error::Unauthorized)?;
        if token.len() > 200 {
            return Err(Error::Unauthorized);
        }
        let hash = token_hash(&token);
        if let Some(caller) = state.auth.get(&hash) {
            return Ok(caller);
        }
        let found = state
            .store
            .find_credential(&hash)
            .await
            .map_err(|_| Error::Unavailable("cannot check credentials; try again".into()))?;
        let (name, role) = found.ok_or(Error::Unauthorized)?;
        let role = Role::parse(&role).ok_or(Error::Unauthorized)?;
        let caller = Caller { name, role };
        state.auth.put(hash, caller.clone());
        Ok(caller)
    }
}
