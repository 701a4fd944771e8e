//! Login and logout: `POST /api/v1/session` checks an argon2 password and opens a session (a
//! cookie for the browser, or a bearer token for a tablet when asked); `GET /api/v1/me`;
//! `DELETE /api/v1/session`.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono::{Duration, Utc};
use serde::Deserialize;

use crate::access::Caller;
use crate::error::ErrorBody;
use crate::error::{Error, Result};
use crate::state::AppState;
use crate::web::auth::{new_session_token, session_cookie, token_hash, SESSION_COOKIE};
use crate::web::extract::AppJson;
use crate::web::schemas::common::{BodyRefusals, LoginAnswer, Me, Refusals};
use axum::Json;

/// How long a browser session lasts: one long dispatch shift. (A tablet's token lasts
/// `auth.tablet_token_hours`.)
const SESSION_HOURS: i64 = 14;

pub(crate) fn router() -> Router<AppState> {
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
        (status = 200, description = "Logged in: the session is in the `dispecer_session` cookie (14 h), or in `token` when asked (`auth.tablet_token_hours`)", body = LoginAnswer),
        (status = 401, description = "Unknown user, disabled account or wrong password (the same answer, in the same time)", body = ErrorBody),
        (status = 429, description = "Too many wrong passwords for this username (`limits.login_free_failures`; attempts are counted before they are checked, on every instance): wait `Retry-After` seconds (doubling, at most `limits.login_max_delay_s`); no password was checked", body = ErrorBody, headers(("retry-after" = u64, description = "Seconds to wait"))),
        (status = 503, description = "Storage is down, or this instance is already checking `limits.login_hash_concurrency` passwords and none finished within `limits.login_hash_wait_ms`: no password was checked; retry after `Retry-After`", body = ErrorBody, headers(("retry-after" = u64, description = "Seconds to wait"))),
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
    // A blocked name is refused on a read alone; then a check slot, then the attempt is counted
    // as a failure before its password is checked, so concurrent guesses cannot get more checks
    // than the throttle allows (`http::throttle`).
    let throttled = |retry_after_s| {
        metrics::counter!("dispecer_login_throttled_total").increment(1);
        Error::RateLimited { retry_after_s }
    };
    if let Some(wait) = login_throttle
        .blocked(&*store, &dto.username, Utc::now())
        .await?
    {
        return Err(throttled(wait));
    }
    let Some(slot) = login_throttle.slot().await else {
        metrics::counter!("dispecer_login_busy_total").increment(1);
        return Err(Error::Unavailable(
            "too many logins at once; try again in a second".into(),
        ));
    };
    if let Err(wait) = login_throttle
        .reserve(&*store, &dto.username, Utc::now())
        .await?
    {
        return Err(throttled(wait));
    }
    let user = match store.find_user(&dto.username).await {
        Ok(user) => user,
        Err(e) => {
            // Best effort: the store just failed, so giving the attempt back may fail too.
            let _ = login_throttle.release(&*store, &dto.username).await;
            return Err(e.into());
        }
    };
    let phc = user.as_ref().map(|u| u.password_hash.clone());
    let password = dto.password.clone();
    let ok = login_throttle
        .check_password(slot, move || match phc {
            Some(phc) => verify_password(&password, &phc),
            // An unknown or disabled user: check against a hash nobody has, so the answer
            // takes as long either way (no user enumeration by timing).
            None => {
                verify_password(&password, dummy_hash());
                false
            }
        })
        .await;
    let user = match (ok, user) {
        (true, Some(u)) => u,
        _ => {
            metrics::counter!("dispecer_login_failures_total").increment(1);
            return Err(Error::Unauthorized);
        }
    };
    let token = new_session_token();
    let hours = if dto.token {
        i64::from(config.auth.tablet_token_hours)
    } else {
        SESSION_HOURS
    };
    // The session is opened only if the account is still enabled and still has the password
    // just checked: a disable or a new password that commits first leaves no session behind.
    if !store
        .create_session(
            &token_hash(&token),
            &user,
            Utc::now() + Duration::hours(hours),
        )
        .await?
    {
        return Err(Error::Unauthorized);
    }
    login_throttle.succeeded(&*store, &dto.username).await?;
    let body = LoginAnswer {
        username: user.username,
        display_name: user.display_name,
        role: user.role,
        resource_id: user.resource_id,
        token: dto.token.then(|| token.clone()),
    };
    if dto.token {
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
) -> Result<Json<Me>> {
    let display = store
        .find_user(&caller.name)
        .await?
        .map(|u| u.display_name)
        .unwrap_or_else(|| caller.name.clone());
    Ok(Json(Me {
        username: caller.name,
        display_name: display,
        role: caller.role,
        resource_id: caller.resource,
    }))
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
    State(AppState { store, config, .. }): State<AppState>,
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
        store.delete_session(&token_hash(&token)).await?;
    }
    let clear = format!(
        "{SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0{}",
        secure_attribute(&config)
    );
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, clear)]).into_response())
}
