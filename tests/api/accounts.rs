//! Accounts can be shut off, and logins cannot be hammered: the login throttle under concurrent
//! guesses and across instances, the password-check cap, disabling a user, ending their
//! sessions, a new password ending the old sessions, tablet-token expiry, and `?access_token=`
//! taken on the websocket only.

use chrono::{DateTime, Duration, Utc};
use dispecer::access::Role;
use dispecer::cli::users::{self, Added, NewUser};
use dispecer::web::auth::token_hash;
use futures_util::StreamExt;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{spawn_app, spawn_sharing, spawn_with, test_config, TestApp};

use crate::helpers::TEST_PASSWORD as PASSWORD;

async fn try_login(app: &TestApp, username: &str, password: &str) -> reqwest::Response {
    app.client
        .post(format!("{}/api/v1/session", app.address))
        .json(&json!({ "username": username, "password": password }))
        .send()
        .await
        .unwrap()
}

async fn me_with_cookie(app: &TestApp, client: &reqwest::Client) -> StatusCode {
    client
        .get(format!("{}/api/v1/me", app.address))
        .send()
        .await
        .unwrap()
        .status()
}

async fn me_with_token(app: &TestApp, token: &str) -> StatusCode {
    app.client
        .get(format!("{}/api/v1/me", app.address))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .status()
}

fn new_password(username: &str, password: &str, role: Role) -> NewUser {
    NewUser {
        username: username.into(),
        role: role.as_str().into(),
        password: Some(password.into()),
        name: None,
        resource: None,
    }
}

/// The test's database, opened beside the server, for what no endpoint shows: session expiry.
enum Db {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
}

impl Db {
    async fn open(app: &TestApp) -> Db {
        use secrecy::ExposeSecret;
        let url = app.state.config.store.url.expose_secret();
        if url.starts_with("sqlite:") {
            Db::Sqlite(sqlx::SqlitePool::connect(url).await.unwrap())
        } else {
            Db::Postgres(sqlx::PgPool::connect(url).await.unwrap())
        }
    }

    async fn expiry(&self, token: &str) -> DateTime<Utc> {
        let q = "SELECT expires_at FROM sessions WHERE token_hash = $1";
        match self {
            Db::Sqlite(p) => {
                sqlx::query_scalar(q)
                    .bind(token_hash(token))
                    .fetch_one(p)
                    .await
            }
            Db::Postgres(p) => {
                sqlx::query_scalar(q)
                    .bind(token_hash(token))
                    .fetch_one(p)
                    .await
            }
        }
        .unwrap()
    }

    async fn set_expiry(&self, token: &str, at: DateTime<Utc>) {
        let q = "UPDATE sessions SET expires_at = $1 WHERE token_hash = $2";
        let done = match self {
            Db::Sqlite(p) => sqlx::query(q)
                .bind(at)
                .bind(token_hash(token))
                .execute(p)
                .await
                .map(|r| r.rows_affected()),
            Db::Postgres(p) => sqlx::query(q)
                .bind(at)
                .bind(token_hash(token))
                .execute(p)
                .await
                .map(|r| r.rows_affected()),
        };
        assert_eq!(done.unwrap(), 1);
    }
}

/// Sends `n` logins with a wrong password for `username` at once; returns the answers.
async fn burst(app: &TestApp, username: &str, n: usize) -> Vec<reqwest::Response> {
    futures_util::future::join_all((0..n).map(|i| {
        app.client
            .post(format!("{}/api/v1/session", app.address))
            .json(&json!({ "username": username, "password": format!("ghicit-{i}") }))
            .send()
    }))
    .await
    .into_iter()
    .map(Result::unwrap)
    .collect()
}

#[tokio::test]
async fn fifty_wrong_passwords_sent_at_once_get_no_more_checks_than_the_throttle_allows() {
    // Arrange: two free failures, so the throttle allows three checks before the first block.
    let (mut config, dir) = test_config().await;
    config.limits.login_free_failures = 2;
    let app = spawn_with(config, dir).await;
    app.add_user("dispecer-ghicit", Role::Dispatcher, None)
        .await;
    let hashes_before = app.state.login_throttle.hashes();

    // Act
    let started = std::time::Instant::now();
    let answers = burst(&app, "dispecer-ghicit", 50).await;
    // Blocks last 1 s, 2 s, 4 s ...: on a machine so slow that the burst outlasted the first
    // block, each block that ran out meanwhile allows one more check, by design.
    let expired_blocks = (started.elapsed().as_secs_f64() + 1.0).log2().floor() as u64;
    let allowance = 3 + expired_blocks;

    // Assert: only the allowance was checked (401); every other guess was refused without a
    // check and told when to come back.
    let hashes = app.state.login_throttle.hashes() - hashes_before;
    let checked = answers.iter().filter(|r| r.status() == 401).count();
    assert!(hashes <= allowance, "{hashes} passwords checked");
    assert_eq!(hashes, checked as u64);
    assert!(checked >= 1);
    for r in answers.iter().filter(|r| r.status() != 401) {
        assert!(
            r.status() == 429 || r.status() == 503,
            "unexpected {}",
            r.status()
        );
        let wait: u64 = r.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!(wait >= 1);
    }
}

#[tokio::test]
async fn the_login_throttle_holds_across_instances_sharing_a_database() {
    // Arrange: two instances on one database.
    let (mut config, dir) = test_config().await;
    config.limits.login_free_failures = 1;
    let a = spawn_sharing(config.clone(), dir, None).await;
    let b = spawn_sharing(config, None, Some(&a.tokens)).await;
    a.add_user("dispecer-doua", Role::Dispatcher, None).await;

    // Act: the allowance (one free failure and the one that starts the block) spent on A.
    for _ in 0..2 {
        assert_eq!(try_login(&a, "dispecer-doua", "gresit").await.status(), 401);
    }
    let on_b = try_login(&b, "dispecer-doua", PASSWORD).await;

    // Assert: B refuses without checking the password.
    assert_eq!(on_b.status(), 429);
    assert!(on_b.headers().contains_key("retry-after"));
    assert_eq!(b.state.login_throttle.hashes(), 0);
}

#[tokio::test]
async fn while_every_password_check_slot_is_busy_a_login_gets_503_and_no_check() {
    // Arrange: one slot, no waiting, no free failures (a counted attempt would block at once).
    let (mut config, dir) = test_config().await;
    config.limits.login_hash_concurrency = 1;
    config.limits.login_hash_wait_ms = 0;
    config.limits.login_free_failures = 0;
    let app = spawn_with(config, dir).await;
    app.add_user("dispecer-ocupat", Role::Dispatcher, None)
        .await;
    let slot = app
        .state
        .login_throttle
        .hash_slots()
        .acquire_owned()
        .await
        .unwrap();

    // Act
    let busy = try_login(&app, "dispecer-ocupat", PASSWORD).await;

    // Assert: 503 with Retry-After, nothing checked, and nothing counted: once the slot is
    // free, the same login is checked (not blocked by the refused attempt).
    assert_eq!(busy.status(), 503);
    assert_eq!(busy.headers()["retry-after"], "1");
    let err: Value = busy.json().await.unwrap();
    assert_eq!(err["error"]["code"], "unavailable");
    assert_eq!(app.state.login_throttle.hashes(), 0);
    drop(slot);
    assert_eq!(
        try_login(&app, "dispecer-ocupat", PASSWORD).await.status(),
        200
    );
    assert_eq!(app.state.login_throttle.hashes(), 1);
}

#[tokio::test]
async fn a_disabled_user_cannot_log_in_and_their_cookie_and_tablet_token_stop_working() {
    // Arrange: a driver logged in on the console and on a tablet.
    let app = spawn_app().await;
    app.add_user("sofer-furat", Role::Driver, None).await;
    let cookie = app.login_browser("sofer-furat").await;
    let token = app.login_token("sofer-furat").await;
    assert_eq!(me_with_cookie(&app, &cookie).await, 200);
    assert_eq!(me_with_token(&app, &token).await, 200);

    // Act
    let ended = users::disable(&*app.state.store, "sofer-furat")
        .await
        .unwrap();

    // Assert: both sessions ended at once; the right password no longer logs in.
    assert_eq!(ended, 2);
    assert_eq!(me_with_cookie(&app, &cookie).await, 401);
    assert_eq!(me_with_token(&app, &token).await, 401);
    assert_eq!(try_login(&app, "sofer-furat", PASSWORD).await.status(), 401);
    // A new password through `user add` does not reopen the account.
    let outcome = users::add(
        &*app.state.store,
        new_password("sofer-furat", "parola-noua-123", Role::Driver),
    )
    .await
    .unwrap();
    assert_eq!(
        outcome.added,
        Added::Updated {
            sessions_ended: 0,
            disabled: true
        }
    );
    assert_eq!(
        try_login(&app, "sofer-furat", "parola-noua-123")
            .await
            .status(),
        401
    );
    // Enabled again: the new password works, the old sessions stay ended.
    users::enable(&*app.state.store, "sofer-furat")
        .await
        .unwrap();
    assert_eq!(
        try_login(&app, "sofer-furat", "parola-noua-123")
            .await
            .status(),
        200
    );
    assert_eq!(me_with_token(&app, &token).await, 401);
    assert_eq!(me_with_cookie(&app, &cookie).await, 401);
    assert!(users::disable(&*app.state.store, "nimeni").await.is_err());
}

#[tokio::test]
async fn ending_a_users_sessions_logs_out_their_browser_and_tablet_only() {
    // Arrange
    let app = spawn_app().await;
    app.add_user("dispecer-plecat", Role::Dispatcher, None)
        .await;
    app.add_user("dispecer-ramas", Role::Dispatcher, None).await;
    let cookie = app.login_browser("dispecer-plecat").await;
    let token = app.login_token("dispecer-plecat").await;
    let other = app.login_token("dispecer-ramas").await;
    assert_eq!(me_with_cookie(&app, &cookie).await, 200);
    assert_eq!(me_with_token(&app, &token).await, 200);

    // Act
    let ended = users::end_sessions(&*app.state.store, "dispecer-plecat")
        .await
        .unwrap();

    // Assert: both are out; another user is not; the account itself still logs in.
    assert_eq!(ended, 2);
    assert_eq!(me_with_cookie(&app, &cookie).await, 401);
    assert_eq!(me_with_token(&app, &token).await, 401);
    assert_eq!(me_with_token(&app, &other).await, 200);
    assert_eq!(
        try_login(&app, "dispecer-plecat", PASSWORD).await.status(),
        200
    );
    assert!(users::end_sessions(&*app.state.store, "nimeni")
        .await
        .is_err());
}

#[tokio::test]
async fn a_new_password_through_user_add_ends_the_old_sessions() {
    // Arrange: a driver with a resource, logged in on a tablet and a browser.
    let app = spawn_app().await;
    let created = users::add(
        &*app.state.store,
        NewUser {
            resource: Some("SOFER-07".into()),
            name: Some("Șofer Șapte".into()),
            ..new_password("sofer7", PASSWORD, Role::Driver)
        },
    )
    .await
    .unwrap();
    assert_eq!(created.added, Added::Created);
    assert!(created.generated_password.is_none());
    let token = app.login_token("sofer7").await;
    let cookie = app.login_browser("sofer7").await;
    assert_eq!(me_with_token(&app, &token).await, 200);

    // Act: the command's own code path, with a new password only.
    let outcome = users::add(
        &*app.state.store,
        new_password("sofer7", "parola-noua-456", Role::Driver),
    )
    .await
    .unwrap();

    // Assert
    assert_eq!(
        outcome.added,
        Added::Updated {
            sessions_ended: 2,
            disabled: false
        }
    );
    assert_eq!(me_with_token(&app, &token).await, 401);
    assert_eq!(me_with_cookie(&app, &cookie).await, 401);
    assert_eq!(try_login(&app, "sofer7", PASSWORD).await.status(), 401);
    let fresh = tablet_with(&app, "sofer7", "parola-noua-456").await;
    // The resource and the name given before were kept.
    let me: Value = app
        .client
        .get(format!("{}/api/v1/me", app.address))
        .bearer_auth(&fresh)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["resource_id"], "SOFER-07");
    assert_eq!(me["display_name"], "Șofer Șapte");
    // A role change takes the same path and ends the new session too.
    let outcome = users::add(
        &*app.state.store,
        new_password("sofer7", "parola-noua-789", Role::Emiu),
    )
    .await
    .unwrap();
    assert!(matches!(
        outcome.added,
        Added::Updated {
            sessions_ended: 1,
            ..
        }
    ));
    assert_eq!(me_with_token(&app, &fresh).await, 401);
}

async fn tablet_with(app: &TestApp, username: &str, password: &str) -> String {
    let r = app
        .client
        .post(format!("{}/api/v1/session", app.address))
        .json(&json!({ "username": username, "password": password, "token": true }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    body["token"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_tablet_token_lasts_the_configured_hours_and_is_refused_once_expired() {
    // Arrange
    let (mut config, dir) = test_config().await;
    config.auth.tablet_token_hours = 3;
    let app = spawn_with(config, dir).await;
    app.add_user("sofer-tura", Role::Driver, None).await;
    let before = Utc::now();
    let old = app.login_token("sofer-tura").await;
    let current = app.login_token("sofer-tura").await;
    let after = Utc::now();
    let db = Db::open(&app).await;

    // The token's expiry is the configured 3 hours (not the browser's 14).
    let expires = db.expiry(&old).await;
    assert!(expires >= before + Duration::hours(3) && expires <= after + Duration::hours(3));
    let cookie = try_login(&app, "sofer-tura", PASSWORD).await;
    assert!(cookie.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .contains("Max-Age=50400"));

    // Act: the first token's time runs out.
    db.set_expiry(&old, Utc::now() - Duration::seconds(1)).await;

    // Assert
    assert_eq!(me_with_token(&app, &old).await, 401);
    assert_eq!(me_with_token(&app, &current).await, 200);
}

#[tokio::test]
async fn an_access_token_in_the_query_is_taken_on_the_websocket_only() {
    // Arrange
    let app = spawn_app().await;
    app.add_user("dispecer-url", Role::Dispatcher, None).await;
    let session = app.login_token("dispecer-url").await;
    let machine = app.token(Role::Dispatcher).to_owned();

    // Assert: in the query of an HTTP endpoint, neither kind of token authenticates.
    for token in [&machine, &session] {
        for path in ["/api/v1/queue", "/api/v1/me"] {
            let r = app
                .client
                .get(format!("{}{path}?access_token={token}", app.address))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 401, "{path}");
        }
    }
    assert_eq!(
        app.get_as(Role::Dispatcher, "/api/v1/queue").await.status(),
        200
    );
    // On the websocket it does: the snapshot arrives.
    for token in [&machine, &session] {
        let url = format!(
            "{}/ws?access_token={token}",
            app.address.replacen("http", "ws", 1)
        );
        let (mut socket, _) = tokio_tungstenite::connect_async(url.as_str())
            .await
            .unwrap();
        let first = socket.next().await.unwrap().unwrap();
        let first: Value = serde_json::from_str(first.to_text().unwrap()).unwrap();
        assert_eq!(first["type"], "snapshot");
    }
}

#[tokio::test]
async fn an_open_websocket_is_closed_once_its_session_is_ended() {
    // Arrange: a tablet's websocket, rechecked every 100 ms.
    let (mut config, dir) = test_config().await;
    config.auth.websocket_recheck_ms = 100;
    let app = spawn_with(config, dir).await;
    app.add_user("sofer-ws", Role::Driver, None).await;
    let token = app.login_token("sofer-ws").await;
    let url = format!(
        "{}/ws?access_token={token}",
        app.address.replacen("http", "ws", 1)
    );
    let (mut socket, _) = tokio_tungstenite::connect_async(url.as_str())
        .await
        .unwrap();
    let first = socket.next().await.unwrap().unwrap();
    assert!(first.to_text().unwrap().contains("snapshot"));

    // Act
    users::end_sessions(&*app.state.store, "sofer-ws")
        .await
        .unwrap();

    // Assert: the server ends the connection (the wait is only a bound for a broken server).
    let ended = tokio::time::timeout(std::time::Duration::from_secs(10), async {
        loop {
            match socket.next().await {
                None | Some(Err(_)) => return,
                Some(Ok(m)) if m.is_close() => return,
                Some(Ok(_)) => continue,
            }
        }
    })
    .await;
    assert!(ended.is_ok(), "the websocket stayed open");
}
