//! Who is calling, and what their role lets them do.
//!
//! Every request but the health probes and the login carries either the browser session cookie
//! (`dispecer_session`, HttpOnly, SameSite=Strict) or a bearer token (`Authorization: Bearer …`;
//! on `GET /ws` only, also `?access_token=`, for a websocket client that cannot set headers: a
//! token in a URL ends up in proxy logs and browser history, so no other path takes it).
//! Session tokens (`dss_…`, from a login) are looked up in `sessions`, machine tokens (`dsp_…`:
//! alarm receivers, telephony, benchmarks) in `credentials`, both by their SHA-256.
//!
//! Session tokens are looked up on every request, so a session ended, expired or of a disabled
//! account is refused on its next request, on every instance; an open websocket rechecks its
//! session every `auth.websocket_recheck_ms` ([`LiveSession`]). Machine tokens are cached for
//! `auth.credential_cache_ms`, so intake does not pay a database round trip per alarm.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use sha2::{Digest, Sha256};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

use crate::access::{Caller, Role};
use crate::error::Error;
use crate::state::AppState;

/// Name of the browser session cookie.
pub const SESSION_COOKIE: &str = "dispecer_session";

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

/// The only path that takes `?access_token=`.
const WEBSOCKET_PATH: &str = "/ws";

fn bearer(parts: &Parts) -> Option<String> {
    if let Some(v) = parts.headers.get(axum::http::header::AUTHORIZATION) {
        let v = v.to_str().ok()?;
        return v
            .strip_prefix("Bearer ")
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty());
    }
    if parts.uri.path() != WEBSOCKET_PATH {
        return None;
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

/// The token a request carries, if any (bearer header, then `?access_token=` on `/ws`, then
/// the session cookie).
fn request_token(parts: &Parts) -> Option<String> {
    bearer(parts).or_else(|| session_cookie(&parts.headers))
}

fn unavailable(_: crate::store::StoreError) -> Error {
    Error::Unavailable("cannot check credentials; try again".into())
}

/// The caller of a live session token, looked up now (never cached).
async fn session_caller(state: &AppState, hash: &str) -> Result<Option<Caller>, Error> {
    let Some(user) = state
        .store
        .find_session(hash, chrono::Utc::now())
        .await
        .map_err(unavailable)?
    else {
        return Ok(None);
    };
    Ok(Some(Caller {
        role: Role::parse(&user.role).ok_or(Error::Unauthorized)?,
        name: user.username,
        resource: user.resource_id,
    }))
}

/// The console page a request says is open: the `X-Console-Page` header, or `?page=` on the
/// websocket (`queue`, `supervisor`, `transport` ...; at most 40 plain characters).
fn console_page(parts: &Parts) -> Option<String> {
    let header = parts
        .headers
        .get("x-console-page")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let query = || {
        (parts.uri.path() == WEBSOCKET_PATH)
            .then(|| parts.uri.query())
            .flatten()
            .and_then(|q| {
                form_urlencoded_pairs(q)
                    .into_iter()
                    .find(|(k, _)| k == "page")
                    .map(|(_, v)| v)
            })
    };
    header.or_else(query).filter(|p| {
        !p.is_empty()
            && p.len() <= 40
            && p.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'/'))
    })
}

/// Where a request came from: the first `X-Forwarded-For` address (the TLS proxy in front
/// sets it), else the peer of the connection.
fn remote_address(parts: &Parts) -> Option<String> {
    let forwarded = parts
        .headers
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty() && v.len() <= 64);
    forwarded.or_else(|| {
        parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|c| c.0.ip().to_string())
    })
}

/// Writes a session's last-seen time in the background: the request does not wait for it, and
/// a failed write only leaves the supervisor's view a minute older.
fn touch(state: &AppState, hash: String, from: Option<String>, page: Option<String>) {
    let store = state.store.clone();
    tokio::spawn(async move {
        let now = chrono::Utc::now();
        if let Err(e) = store
            .touch_session(&hash, now, from.as_deref(), page.as_deref())
            .await
        {
            tracing::debug!(error = %e, "session last-seen not recorded");
        }
    });
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Error> {
        let token = request_token(parts).ok_or(Error::Unauthorized)?;
        if token.len() > 200 {
            return Err(Error::Unauthorized);
        }
        let hash = token_hash(&token);
        if token.starts_with("dss_") {
            let caller = session_caller(state, &hash)
                .await?
                .ok_or(Error::Unauthorized)?;
            let page = console_page(parts);
            if state.seen.due(&hash, page.as_deref()) {
                touch(state, hash, remote_address(parts), page);
            }
            return Ok(caller);
        }
        let ttl = Duration::from_millis(state.config.auth.credential_cache_ms);
        if let Some(caller) = state.auth.get(&hash, ttl) {
            return Ok(caller);
        }
        let (name, role) = state
            .store
            .find_credential(&hash)
            .await
            .map_err(unavailable)?
            .ok_or(Error::Unauthorized)?;
        let caller = Caller {
            name,
            role: Role::parse(&role).ok_or(Error::Unauthorized)?,
            resource: None,
        };
        state.auth.put(hash, caller.clone(), ttl);
        Ok(caller)
    }
}

/// The session behind a request, for a connection that outlives it (the websocket): extracted
/// beside [`Caller`], it closes the connection once the session no longer stands.
pub struct LiveSession(Option<String>);

impl FromRequestParts<AppState> for LiveSession {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        _: &AppState,
    ) -> Result<Self, std::convert::Infallible> {
        Ok(LiveSession(
            request_token(parts)
                .filter(|t| t.starts_with("dss_") && t.len() <= 200)
                .map(|t| token_hash(&t)),
        ))
    }
}

impl LiveSession {
    /// Checks the session every `auth.websocket_recheck_ms` and cancels `connection` once the
    /// session was ended, expired or its account disabled. A store that cannot answer is asked
    /// again at the next check. Machine tokens are not watched. The watch stops when the
    /// returned guard is dropped (hold it for as long as the connection is served).
    pub fn watch(self, state: &AppState, connection: CancellationToken) -> SessionWatch {
        let Some(hash) = self.0 else {
            return SessionWatch(None);
        };
        let state = state.clone();
        let every = Duration::from_millis(state.config.auth.websocket_recheck_ms);
        let task = tokio::spawn(async move {
            loop {
                tokio::select! {
                    _ = connection.cancelled() => return,
                    _ = tokio::time::sleep(every) => {}
                }
                match session_caller(&state, &hash).await {
                    Ok(Some(_)) => {
                        // An open console is a console in use, even when it sends nothing.
                        if state.seen.due(&hash, None) {
                            touch(&state, hash.clone(), None, None);
                        }
                    }
                    Err(Error::Unavailable(_)) => {}
                    Ok(None) | Err(_) => {
                        metrics::counter!("dispecer_ws_sessions_ended_total").increment(1);
                        connection.cancel();
                        return;
                    }
                }
            }
        });
        SessionWatch(Some(task.abort_handle()))
    }
}

/// Stops a [`LiveSession::watch`] when dropped.
pub struct SessionWatch(Option<tokio::task::AbortHandle>);

impl Drop for SessionWatch {
    fn drop(&mut self) {
        if let Some(task) = &self.0 {
            task.abort();
        }
    }
}
