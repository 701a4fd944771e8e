//! `spawn_app()`: the real server on a random port, with its own database, and typed helpers.
//!
//! The backend comes from the environment: `DISPECER_TEST_BACKEND=postgres` with
//! `DISPECER_TEST_POSTGRES_URL` gives each test a fresh PostgreSQL database; anything else gives
//! each test a temporary SQLite file. Logs stay silent unless `TEST_LOG=1`.

use dispecer::access::Role;
use dispecer::config::{BusBackend, Config};
use dispecer::state::AppState;
use dispecer::web::auth::{new_token, token_hash};
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::OnceLock;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio_tungstenite::tungstenite::Message;
use tokio_util::sync::CancellationToken;

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub tokens: HashMap<Role, String>,
    pub state: AppState,
    pub shutdown: CancellationToken,
    _dir: Option<tempfile::TempDir>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

fn init_logs() {
    static INIT: OnceLock<()> = OnceLock::new();
    INIT.get_or_init(|| {
        if std::env::var("TEST_LOG").is_ok() {
            let mut c = Config::default_for_tests();
            c.log.level = "debug".into();
            dispecer::telemetry::init(&c.log);
        }
    });
}

/// The PostgreSQL server URL when the suite runs on PostgreSQL.
pub fn postgres_url() -> Option<String> {
    match std::env::var("DISPECER_TEST_BACKEND").as_deref() {
        Ok("postgres") => Some(
            std::env::var("DISPECER_TEST_POSTGRES_URL")
                .expect("DISPECER_TEST_BACKEND=postgres needs DISPECER_TEST_POSTGRES_URL"),
        ),
        _ => None,
    }
}

/// A fresh, empty PostgreSQL database on the test server; returns its URL.
///
/// Each test process makes its own and cannot drop it when it ends (the server still holds the
/// test's pool then), so every call first drops the test databases left by runs that ended long
/// ago: the name carries a UUIDv7, whose first 48 bits are its creation time in milliseconds.
/// `scripts/test` also drops them all after the PostgreSQL suite.
pub async fn fresh_postgres_database(server: &str) -> String {
    use sqlx::Connection;
    let name = format!("t_{}", uuid::Uuid::now_v7().simple());
    let mut conn = sqlx::PgConnection::connect(server)
        .await
        .expect("connect to the test PostgreSQL server");
    drop_stale_test_databases(&mut conn).await;
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .expect("create a test database");
    let base = server.rsplit_once('/').map(|(b, _)| b).unwrap_or(server);
    format!("{base}/{name}")
}

/// Test databases (`t_` and 32 hex digits) made more than an hour ago. Errors are ignored: another
/// test process may be dropping the same one.
async fn drop_stale_test_databases(conn: &mut sqlx::PgConnection) {
    const STALE_MS: u128 = 60 * 60 * 1000;
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or(0);
    let names: Vec<String> =
        sqlx::query_scalar("SELECT datname FROM pg_database WHERE datname LIKE 't\\_%'")
            .fetch_all(&mut *conn)
            .await
            .unwrap_or_default();
    for name in names {
        let Some(hex) = name.strip_prefix("t_") else {
            continue;
        };
        if hex.len() != 32 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            continue;
        }
        let Ok(created_ms) = u128::from_str_radix(&hex[..12], 16) else {
            continue;
        };
        if now_ms.saturating_sub(created_ms) > STALE_MS {
            let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(&mut *conn)
                .await;
        }
    }
}

/// A configuration for a test: its own database, in-process bus.
pub async fn test_config() -> (Config, Option<tempfile::TempDir>) {
    let mut config = Config::default_for_tests();
    config.server.console_dir = "dispatch-console/dist".into();
    let dir = match postgres_url() {
        Some(server) => {
            config.store.url = fresh_postgres_database(&server).await.into();
            config.store.max_connections = 4;
            None
        }
        None => {
            let dir = tempfile::tempdir().expect("temp dir");
            config.store.url = format!("sqlite://{}", dir.path().join("t.sqlite").display()).into();
            // Tests do not survive power cuts; the crash test runs the real binary with FULL.
            config.store.sqlite_synchronous = "NORMAL".into();
            Some(dir)
        }
    };
    config.bus.backend = BusBackend::Memory;
    // The fixtures plan and work tomorrow's trips (the day-before plan), as a training
    // installation may; the test of the rule in service turns it off.
    config.transport.rehearsal = true;
    // Most tests do not need the road network; those that do turn it on.
    config.routing.enabled = false;
    config.routing.cache_dir = std::env::temp_dir().join("dispecer-test-roadnet");
    (config, dir)
}

pub async fn spawn_app() -> TestApp {
    let (config, dir) = test_config().await;
    spawn_with(config, dir).await
}

/// Starts a server with this configuration and one token per role.
pub async fn spawn_with(config: Config, dir: Option<tempfile::TempDir>) -> TestApp {
    spawn_sharing(config, dir, None).await
}

/// Starts a server; with `tokens`, reuses the credentials another instance on the same
/// database already created.
pub async fn spawn_sharing(
    config: Config,
    dir: Option<tempfile::TempDir>,
    tokens: Option<&HashMap<Role, String>>,
) -> TestApp {
    init_logs();
    let shutdown = CancellationToken::new();
    let state = dispecer::startup::build(config, shutdown.clone())
        .await
        .expect("build the app");
    let mut tokens = tokens.cloned().unwrap_or_default();
    for role in Role::ALL {
        if tokens.contains_key(&role) {
            continue;
        }
        let token = new_token();
        state
            .store
            .put_credential(
                &format!("test-{}", role.as_str()),
                role.as_str(),
                &token_hash(&token),
            )
            .await
            .expect("create credential");
        tokens.insert(role, token);
    }
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(dispecer::startup::serve(
        state.clone(),
        listener,
        shutdown.clone(),
    ));
    TestApp {
        address,
        client: reqwest::Client::new(),
        tokens,
        state,
        shutdown,
        _dir: dir,
    }
}

/// A valid alarm body.
pub fn alarm(device: &str, alarm_type: &str, alarm_id: &str) -> Value {
    json!({
        "device_id": device,
        "alarm_type": alarm_type,
        "device_time": "2026-11-27T08:00:00Z",
        "alarm_id": alarm_id,
    })
}

impl TestApp {
    pub fn token(&self, role: Role) -> &str {
        &self.tokens[&role]
    }

    pub async fn post_as(&self, role: Role, path: &str, body: &Value) -> reqwest::Response {
        self.client
            .post(format!("{}{}", self.address, path))
            .bearer_auth(self.token(role))
            .json(body)
            .send()
            .await
            .expect("request")
    }

    pub async fn get_as(&self, role: Role, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{}", self.address, path))
            .bearer_auth(self.token(role))
            .send()
            .await
            .expect("request")
    }

    pub async fn post_alert(&self, body: &Value) -> reqwest::Response {
        self.post_as(Role::Receiver, "/api/v1/alerts", body).await
    }

    /// Posts an alarm and returns the created item id.
    pub async fn new_alert(&self, device: &str, alarm_type: &str) -> String {
        let id = uuid::Uuid::now_v7().simple().to_string();
        let r = self.post_alert(&alarm(device, alarm_type, &id)).await;
        assert_eq!(r.status(), 201);
        let item: Value = r.json().await.expect("json");
        item["id"].as_str().expect("id").to_owned()
    }

    /// POST to an item action as a dispatcher.
    pub async fn act(&self, item: &str, action: &str, body: Value) -> reqwest::Response {
        self.post_as(
            Role::Dispatcher,
            &format!("/api/v1/items/{item}/{action}"),
            &body,
        )
        .await
    }

    pub async fn queue(&self) -> Value {
        self.get_as(Role::Dispatcher, "/api/v1/queue")
            .await
            .json()
            .await
            .expect("json")
    }

    pub async fn ws_connect(&self, after_seq: Option<i64>) -> WsClient {
        let mut url = format!(
            "{}/ws?access_token={}",
            self.address.replacen("http", "ws", 1),
            self.token(Role::Dispatcher)
        );
        if let Some(s) = after_seq {
            url.push_str(&format!("&after_seq={s}"));
        }
        let (socket, _) = tokio_tungstenite::connect_async(url.as_str())
            .await
            .expect("websocket connect");
        WsClient { socket }
    }

    /// A dispatcher's websocket whose TCP receive buffer is a few kilobytes: a client that does
    /// not read blocks the server's writes after a handful of frames, whatever the machine's
    /// socket buffer defaults and the speed of intake.
    pub async fn ws_connect_small_buffer(&self) -> WsClient {
        let url = format!(
            "{}/ws?access_token={}",
            self.address.replacen("http", "ws", 1),
            self.token(Role::Dispatcher)
        );
        let addr: std::net::SocketAddr = self
            .address
            .trim_start_matches("http://")
            .parse()
            .expect("a socket address");
        let socket = tokio::net::TcpSocket::new_v4().expect("socket");
        socket.set_recv_buffer_size(4096).expect("SO_RCVBUF");
        let stream = socket.connect(addr).await.expect("connect");
        let (socket, _) = tokio_tungstenite::client_async(
            url.as_str(),
            tokio_tungstenite::MaybeTlsStream::Plain(stream),
        )
        .await
        .expect("websocket connect");
        WsClient { socket }
    }
}

pub struct WsClient {
    pub socket: tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
}

impl WsClient {
    /// The next JSON message, or panics after 5 s.
    pub async fn next_json(&mut self) -> Value {
        self.try_next_json(Duration::from_secs(5))
            .await
            .expect("a websocket message within 5 s")
    }

    pub async fn try_next_json(&mut self, wait: Duration) -> Option<Value> {
        loop {
            let msg = tokio::time::timeout(wait, self.socket.next())
                .await
                .ok()??;
            match msg.ok()? {
                Message::Text(t) => return serde_json::from_str(&t).ok(),
                Message::Close(_) => return None,
                _ => continue,
            }
        }
    }

    /// Reads events until one of type `kind` arrives; returns it.
    pub async fn wait_for(&mut self, kind: &str) -> Value {
        loop {
            let m = self.next_json().await;
            if m["type"] == "event" && m["event"]["type"] == kind {
                return m;
            }
        }
    }

    pub async fn send_json(&mut self, v: Value) {
        self.socket
            .send(Message::Text(v.to_string().into()))
            .await
            .expect("send");
    }
}

/// The password every user made by [`TestApp::add_user`] has.
pub const TEST_PASSWORD: &str = "parola-de-test";

impl TestApp {
    /// Creates a console or tablet account with [`TEST_PASSWORD`].
    pub async fn add_user(&self, username: &str, role: Role, resource: Option<&str>) {
        self.state
            .store
            .put_user(&dispecer::store::UserRecord {
                username: username.into(),
                display_name: username.into(),
                role: role.as_str().into(),
                password_hash: dispecer::http::session::hash_password(TEST_PASSWORD).expect("hash"),
                resource_id: resource.map(str::to_owned),
            })
            .await
            .expect("create user");
    }

    /// Logs in as the console does and returns a client that carries the session cookie.
    pub async fn login_browser(&self, username: &str) -> reqwest::Client {
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .build()
            .expect("client");
        let r = client
            .post(format!("{}/api/v1/session", self.address))
            .json(&json!({ "username": username, "password": TEST_PASSWORD }))
            .send()
            .await
            .expect("request");
        assert_eq!(r.status(), 200, "login as {username}");
        client
    }

    /// Logs in as a tablet does and returns the bearer session token.
    pub async fn login_token(&self, username: &str) -> String {
        let r = self
            .client
            .post(format!("{}/api/v1/session", self.address))
            .json(&json!({ "username": username, "password": TEST_PASSWORD, "token": true }))
            .send()
            .await
            .expect("request");
        assert_eq!(r.status(), 200, "login as {username}");
        let body: Value = r.json().await.expect("json");
        body["token"].as_str().expect("token").to_owned()
    }

    /// Opens `/ws` with this token. A refused upgrade is the error: its status and body.
    pub async fn ws_connect_token(
        &self,
        token: &str,
        after_seq: Option<i64>,
    ) -> Result<WsClient, String> {
        let mut url = format!(
            "{}/ws?access_token={token}",
            self.address.replacen("http", "ws", 1)
        );
        if let Some(s) = after_seq {
            url.push_str(&format!("&after_seq={s}"));
        }
        match tokio_tungstenite::connect_async(url.as_str()).await {
            Ok((socket, _)) => Ok(WsClient { socket }),
            Err(tokio_tungstenite::tungstenite::Error::Http(response)) => Err(format!(
                "{} {}",
                response.status(),
                response
                    .body()
                    .as_deref()
                    .map(String::from_utf8_lossy)
                    .unwrap_or_default()
            )),
            Err(e) => Err(format!("websocket error: {e}")),
        }
    }
}
