//! Login and logout: `POST /api/v1/session` checks an argon2 password and opens a session (a
//! cookie for the browser, or a bearer token for a tablet when asked); `GET /api/v1/me`;
//! `DELETE /api/v1/session`.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{Duration, Utc};
use serde::Deserialize;
use serde_json::json;

use crate::error::{Error, Result};
use crate::http::auth::{new_session_token, session_cookie, token_hash, Caller, SESSION_COOKIE};
use crate::http::extract::AppJson;
use crate::http::openapi::schemas::{BodyRefusals, ErrorBody, LoginAnswer, Me, Refusals};
use crate::state::AppState;

/// How long a session lasts: one long dispatch shift.
const SESSION_HOURS: i64 = 14;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/session", post(login).delete(logout))
        .route("/api/v1/me", get(me))
}

/// Hashes a password with argon2id and a random salt.
pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::encode_b64(&rand::random::<[u8; 16]>())
        .map_err(|e| anyhow::anyhow!("salt: {e}"))?;
    Ok(Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| anyhow::anyhow!("hashing: {e}"))?
        .to_string())
}

fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A hash of a password nobody has, verified when the user does not exist so that the answer
/// takes as long either way (no user enumeration by timing).
fn dummy_hash() -> &'static str {
    use std::sync::OnceLock;
    static H: OnceLock<String> = OnceLock::new();
    H.get_or_init(|| hash_password("no-such-user").unwrap_or_default())
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct LoginDto {
    username: String,
    password: String,
    /// A tablet asks for a bearer token instead of a cookie.
    #[serde(default)]
    token: bool,
}

/// `; Secure` when the service is reached over HTTPS (`server.secure_cookie`), so the browser
/// never sends the session over plain HTTP.
fn secure_attribute(config: &crate::config::Config) -> &'static str {
    if config.server.secure_cookie {
        "; Secure"
    } else {
        ""
    }
}

/// Opens a session: a cookie for the browser, or a bearer token for a tablet.
#[utoipa::path(
    post,
    path = "/api/v1/session",
    tag = "session",
    request_body = LoginDto,
    responses(
        (status = 200, description = "Logged in: the session is in the `dispecer_session` cookie, or in `token` when asked", body = LoginAnswer),
        (status = 401, description = "Unknown user or wrong password (the same answer, in the same time)", body = ErrorBody),
        (status = 429, description = "Too many wrong passwords for this username in a row (`limits.login_free_failures`): wait `Retry-After` seconds (doubling, at most `limits.login_max_delay_s`); no password was checked", body = ErrorBody, headers(("retry-after" = u64, description = "Seconds to wait"))),
        (status = 503, description = "Storage is down", body = ErrorBody),
        BodyRefusals,
    ),
    security(())
)]
pub(crate) async fn login(
    State(AppState {
        store,
        config,
        login_throttle,
        ..
    }): State<AppState>,
    AppJson(dto): AppJson<LoginDto>,
) -> Result<Response> {
    if dto.username.len() > 64 || dto.password.len() > 256 {
        return Err(Error::Unauthorized);
    }
    if let Err(retry_after_s) = login_throttle.check(&dto.username, std::time::Instant::now()) {
        metrics::counter!("dispecer_login_throttled_total").increment(1);
        return Err(Error::RateLimited { retry_after_s });
    }
    let user = store.find_user(&dto.username).await?;
    let phc = user
        .as_ref()
        .map(|u| u.password_hash.clone())
        .unwrap_or_else(|| dummy_hash().to_owned());
    let password = dto.password.clone();
    let ok = tokio::task::spawn_blocking(move || verify_password(&password, &phc))
        .await
        .unwrap_or(false);
    let user = match (ok, user) {
        (true, Some(u)) => u,
        _ => {
            metrics::counter!("dispecer_login_failures_total").increment(1);
            login_throttle.failed(&dto.username, std::time::Instant::now());
            return Err(Error::Unauthorized);
        }
    };
    login_throttle.succeeded(&dto.username);
    let token = new_session_token();
    store
        .create_session(
            &token_hash(&token),
            &user.username,
            Utc::now() + Duration::hours(SESSION_HOURS),
        )
        .await?;
    let mut body = json!({
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role,
        "resource_id": user.resource_id,
    });
    if dto.token {
        body["token"] = json!(token);
        return Ok((StatusCode::OK, Json(body)).into_response());
    }
    let cookie = format!(
        "{SESSION_COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/; Max-Age={}{}",
        SESSION_HOURS * 3600,
        secure_attribute(&config)
    );
    Ok((StatusCode::OK, [(header::SET_COOKIE, cookie)], Json(body)).into_response())
}

/// The caller.
#[utoipa::path(
    get,
    path = "/api/v1/me",
    tag = "session",
    responses((status = 200, body = Me), Refusals),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn me(
    State(AppState { store, .. }): State<AppState>,
    caller: Caller,
) -> Result<Json<serde_json::Value>> {
    let display = store
        .find_user(&caller.name)
        .await?
        .map(|u| u.display_name)
        .unwrap_or_else(|| caller.name.clone());
    Ok(Json(json!({
        "username": caller.name,
        "display_name": display,
        "role": caller.role,
        "resource_id": caller.resource,
    })))
}

/// Ends the caller's session (cookie or tablet token) and clears the cookie; answers 204 even
/// without one.
#[utoipa::path(
    delete,
    path = "/api/v1/session",
    tag = "session",
    responses(
        (status = 204, description = "Logged out"),
        (status = 503, description = "Storage is down", body = ErrorBody),
    ),
    security(("bearer" = []), ("session_cookie" = []), ())
)]
pub(crate) async fn logout(
    State(AppState {
        store,
        auth,
        config,
        ..
    }): State<AppState>,
    headers: HeaderMap,
) -> Result<Response> {
    let token = session_cookie(&headers).or_else(|| {
        headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::to_owned)
    });
    if let Some(token) = token {
        let hash = token_hash(&token);
        store.delete_session(&hash).await?;
        auth.forget(&hash);
    }
    let clear = format!(
        "{SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0{}",
        secure_attribute(&config)
    );
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, clear)]).into_response())
}
