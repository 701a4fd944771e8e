//! The service against a hostile browser page or a hostile client: the Origin check on what a
//! session cookie may do, the security headers on every answer, no source maps, the server's
//! limits (header read timeout, request timeout, connection cap), and the provider's retried
//! SMS recorded once.

use dispecer::access::Role;
use dispecer::store::UserRecord;
use serde_json::{json, Value};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::helpers::{spawn_app, spawn_with, test_config, TestApp};

const FOREIGN: &str = "https://evil.example";

/// Creates a dispatcher and logs them in; returns the `Cookie` header their browser would send.
async fn session_cookie(app: &TestApp, username: &str) -> String {
    app.state
        .store
        .put_user(&UserRecord {
            username: username.into(),
            display_name: username.into(),
            role: Role::Dispatcher.as_str().into(),
            password_hash: dispecer::http::session::hash_password("parola-de-test").unwrap(),
            resource_id: None,
        })
        .await
        .unwrap();
    let r = app
        .client
        .post(format!("{}/api/v1/session", app.address))
        .json(&json!({ "username": username, "password": "parola-de-test" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let set = r.headers()["set-cookie"].to_str().unwrap();
    set.split(';').next().unwrap().to_owned()
}

/// `http://127.0.0.1:PORT`: the origin of the console this server serves.
fn own_origin(app: &TestApp) -> String {
    app.address.clone()
}

/// A cross-origin HTML form post to acknowledge an item, as a browser would send it.
async fn form_post_acknowledge(
    app: &TestApp,
    cookie: &str,
    item: &str,
    headers: &[(&str, &str)],
) -> reqwest::Response {
    let mut req = app
        .client
        .post(format!("{}/api/v1/items/{item}/acknowledge", app.address))
        .header("cookie", cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("");
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    req.send().await.unwrap()
}

async fn status_of(app: &TestApp, item: &str) -> String {
    let v: Value = app
        .get_as(Role::Supervisor, &format!("/api/v1/items/{item}"))
        .await
        .json()
        .await
        .unwrap();
    v["item"]["status"]
        .as_str()
        .unwrap_or_else(|| panic!("{v}"))
        .to_owned()
}

#[tokio::test]
async fn a_cookie_post_from_another_origin_gets_403_and_acknowledges_nothing() {
    // Arrange
    let app = spawn_app().await;
    let cookie = session_cookie(&app, "dispecer-csrf").await;
    let item = app.new_alert("TA-CSRF", "fall").await;
    let sibling_port = format!(
        "http://127.0.0.1:{}",
        1 + app
            .address
            .rsplit(':')
            .next()
            .unwrap()
            .parse::<u16>()
            .unwrap()
    );

    // Act: a foreign site, another port of the same host (same site: the cookie goes along),
    // an opaque origin, and a same-site request whose Origin was stripped.
    let attempts: Vec<Vec<(&str, &str)>> = vec![
        vec![("origin", FOREIGN), ("sec-fetch-site", "cross-site")],
        vec![
            ("origin", sibling_port.as_str()),
            ("sec-fetch-site", "same-site"),
        ],
        vec![("origin", "null"), ("sec-fetch-site", "cross-site")],
        vec![("sec-fetch-site", "same-site")],
    ];
    for headers in &attempts {
        let r = form_post_acknowledge(&app, &cookie, &item, headers).await;

        // Assert: 403 with the common error body, and the item is untouched.
        assert_eq!(r.status(), 403, "{headers:?}");
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["error"]["code"], "forbidden", "{headers:?}");
        assert_eq!(status_of(&app, &item).await, "new", "{headers:?}");
    }

    // The console itself (same origin) acts as before.
    let own = own_origin(&app);
    let r = form_post_acknowledge(
        &app,
        &cookie,
        &item,
        &[("origin", own.as_str()), ("sec-fetch-site", "same-origin")],
    )
    .await;
    assert_eq!(r.status(), 200);
    assert_eq!(status_of(&app, &item).await, "acknowledged");
}

#[tokio::test]
async fn a_login_from_another_origin_is_refused_and_opens_no_session() {
    let app = spawn_app().await;
    session_cookie(&app, "dispecer-login").await;

    let r = app
        .client
        .post(format!("{}/api/v1/session", app.address))
        .header("origin", FOREIGN)
        .json(&json!({ "username": "dispecer-login", "password": "parola-de-test" }))
        .send()
        .await
        .unwrap();

    assert_eq!(r.status(), 403);
    assert!(r.headers().get("set-cookie").is_none());
    let own = app
        .client
        .post(format!("{}/api/v1/session", app.address))
        .header("origin", own_origin(&app))
        .json(&json!({ "username": "dispecer-login", "password": "parola-de-test" }))
        .send()
        .await
        .unwrap();
    assert_eq!(own.status(), 200);
}

/// Opens `/ws` with these headers; `Err` carries the HTTP status of a refused handshake.
async fn ws_open(
    app: &TestApp,
    query: &str,
    headers: &[(&'static str, &str)],
) -> Result<crate::helpers::WsClient, u16> {
    let url = format!("{}/ws{query}", app.address.replacen("http", "ws", 1));
    let mut req = url.into_client_request().unwrap();
    for (k, v) in headers {
        req.headers_mut().insert(*k, v.parse().unwrap());
    }
    match tokio_tungstenite::connect_async(req).await {
        Ok((socket, _)) => Ok(crate::helpers::WsClient { socket }),
        Err(tungstenite::Error::Http(response)) => Err(response.status().as_u16()),
        Err(e) => panic!("websocket handshake failed: {e}"),
    }
}

#[tokio::test]
async fn a_websocket_from_another_origin_is_refused_with_a_cookie_or_a_token() {
    // Arrange
    let app = spawn_app().await;
    let cookie = session_cookie(&app, "dispecer-ws").await;
    let token = format!("?access_token={}", app.token(Role::Dispatcher));
    let own = own_origin(&app);

    // Act and assert: refused from another origin, however it authenticates.
    assert_eq!(
        ws_open(&app, "", &[("cookie", &cookie), ("origin", FOREIGN)])
            .await
            .err(),
        Some(403)
    );
    assert_eq!(
        ws_open(&app, &token, &[("origin", FOREIGN)]).await.err(),
        Some(403)
    );

    // From the console's own origin it opens and streams the snapshot.
    let mut ws = ws_open(&app, "", &[("cookie", &cookie), ("origin", &own)])
        .await
        .expect("same-origin websocket");
    assert_eq!(ws.next_json().await["type"], "snapshot");
}

#[tokio::test]
async fn bearer_requests_are_not_affected_by_the_origin_check() {
    let app = spawn_app().await;

    // A machine token with a foreign Origin (no cookie: nothing a foreign page could forge).
    let r = app
        .client
        .post(format!("{}/api/v1/alerts", app.address))
        .bearer_auth(app.token(Role::Receiver))
        .header("origin", FOREIGN)
        .header("sec-fetch-site", "cross-site")
        .json(&crate::helpers::alarm("TA-BEARER", "fall", "a-1"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let item: Value = r.json().await.unwrap();

    // A dispatcher's bearer token without any browser header.
    let r = app
        .act(item["id"].as_str().unwrap(), "acknowledge", json!({}))
        .await;
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn a_configured_origin_replaces_the_host_as_the_one_allowed() {
    let (mut config, dir) = test_config().await;
    config.server.allowed_origins = vec!["https://dispecer.example".into()];
    let app = spawn_with(config, dir).await;
    let cookie = session_cookie(&app, "dispecer-proxy").await;
    let item = app.new_alert("TA-PROXY", "fall").await;

    let direct = own_origin(&app);
    let r = form_post_acknowledge(&app, &cookie, &item, &[("origin", direct.as_str())]).await;
    assert_eq!(r.status(), 403);
    let r = form_post_acknowledge(
        &app,
        &cookie,
        &item,
        &[("origin", "https://dispecer.example")],
    )
    .await;
    assert_eq!(r.status(), 200);
}

/// A console folder with a page, a script and the script's source map.
fn console_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("assets")).unwrap();
    std::fs::write(
        dir.path().join("index.html"),
        "<!doctype html><script type=\"module\" src=\"/assets/app.js\"></script>",
    )
    .unwrap();
    std::fs::write(dir.path().join("assets/app.js"), "console.log(1)").unwrap();
    std::fs::write(dir.path().join("assets/app.js.map"), "{\"sources\":[]}").unwrap();
    dir
}

fn assert_security_headers(r: &reqwest::Response, what: &str) {
    let h = r.headers();
    let csp = h
        .get("content-security-policy")
        .unwrap_or_else(|| panic!("{what}: no CSP"))
        .to_str()
        .unwrap();
    for directive in [
        "default-src 'self'",
        "script-src 'self'",
        "frame-ancestors 'none'",
        "object-src 'none'",
    ] {
        assert!(csp.contains(directive), "{what}: {csp}");
    }
    assert!(!csp.contains("unsafe-inline"), "{what}: {csp}");
    assert_eq!(h["x-content-type-options"], "nosniff", "{what}");
    assert_eq!(h["x-frame-options"], "DENY", "{what}");
    assert_eq!(h["referrer-policy"], "no-referrer", "{what}");
}

#[tokio::test]
async fn every_answer_carries_the_security_headers() {
    // Arrange
    let console = console_dir();
    let (mut config, dir) = test_config().await;
    config.server.console_dir = console.path().to_owned();
    let app = spawn_with(config, dir).await;
    let cookie = session_cookie(&app, "dispecer-headers").await;
    let get = |path: &str| app.client.get(format!("{}{path}", app.address)).send();

    // Act
    let json_200 = app.get_as(Role::Dispatcher, "/api/v1/queue").await;
    let not_found = get("/api/v1/no-such-endpoint").await.unwrap();
    let unauthorised = get("/api/v1/queue").await.unwrap();
    let page = get("/").await.unwrap();
    let spa_route = get("/transport").await.unwrap();
    let refused = form_post_acknowledge(&app, &cookie, "x", &[("origin", FOREIGN)]).await;

    // Assert
    for (r, status, what) in [
        (&json_200, 200, "a JSON answer"),
        (&not_found, 404, "an unknown endpoint"),
        (&unauthorised, 401, "a request without credentials"),
        (&page, 200, "the console's page"),
        (&spa_route, 200, "a console route"),
        (&refused, 403, "a foreign-origin refusal"),
    ] {
        assert_eq!(r.status(), status, "{what}");
        assert_security_headers(r, what);
        assert!(
            r.headers().get("strict-transport-security").is_none(),
            "{what}: HSTS over plain HTTP"
        );
    }
    // The page may open its websocket to the host it came from.
    let csp = page.headers()["content-security-policy"].to_str().unwrap();
    let ws = app.address.replacen("http", "ws", 1);
    assert!(
        csp.contains(&format!(
            "connect-src 'self' wss://{} {ws}",
            &app.address[7..]
        )),
        "{csp}"
    );
    assert!(page.text().await.unwrap().contains("/assets/app.js"));
}

#[tokio::test]
async fn behind_tls_every_answer_asks_for_https_only() {
    let (mut config, dir) = test_config().await;
    config.server.secure_cookie = true;
    let app = spawn_with(config, dir).await;

    for r in [
        app.get_as(Role::Dispatcher, "/api/v1/queue").await,
        app.client
            .get(format!("{}/api/v1/queue", app.address))
            .send()
            .await
            .unwrap(),
    ] {
        assert_security_headers(&r, "over TLS");
        assert_eq!(r.headers()["strict-transport-security"], "max-age=31536000");
    }
}

#[tokio::test]
async fn source_maps_are_not_served() {
    let console = console_dir();
    let (mut config, dir) = test_config().await;
    config.server.console_dir = console.path().to_owned();
    let app = spawn_with(config, dir).await;
    let get = |path: &str| app.client.get(format!("{}{path}", app.address)).send();

    let script = get("/assets/app.js").await.unwrap();
    let map = get("/assets/app.js.map").await.unwrap();

    assert_eq!(script.status(), 200);
    assert_eq!(map.status(), 404);
    assert_security_headers(&map, "a refused source map");
    assert!(!map.text().await.unwrap().contains("sources"));
}

/// Opens a connection and sends half a request header.
async fn half_sent(app: &TestApp) -> TcpStream {
    let mut s = TcpStream::connect(&app.address[7..]).await.unwrap();
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        .await
        .unwrap();
    s
}

/// Reads until the server closes the connection (end of file or reset); `false` when it is
/// still open after 10 s, which no configured timeout in these tests comes near.
async fn closed_by_server(s: &mut TcpStream) -> bool {
    let mut buf = [0u8; 1024];
    loop {
        match tokio::time::timeout(Duration::from_secs(10), s.read(&mut buf)).await {
            Err(_) => return false,
            Ok(Ok(0)) | Ok(Err(_)) => return true,
            Ok(Ok(_)) => continue,
        }
    }
}

/// Sends `GET /healthz` on a kept-alive connection and reads one answer; `None` when the server
/// closed the connection instead of answering.
async fn healthz_on(s: &mut TcpStream) -> Option<u16> {
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        .await
        .ok()?;
    let mut got = Vec::new();
    let mut buf = [0u8; 1024];
    loop {
        let n = tokio::time::timeout(Duration::from_secs(10), s.read(&mut buf))
            .await
            .expect("an answer or a close within 10 s")
            .ok()?;
        if n == 0 {
            return None;
        }
        got.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&got).to_string();
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let length: usize = head
                .lines()
                .find_map(|l| {
                    let (k, v) = l.split_once(':')?;
                    k.eq_ignore_ascii_case("content-length")
                        .then(|| v.trim().parse().ok())?
                })
                .expect("a content-length");
            if body.len() >= length {
                return head.split(' ').nth(1)?.parse().ok();
            }
        }
    }
}

#[tokio::test]
async fn a_half_sent_request_is_closed_after_the_header_read_timeout() {
    let (mut config, dir) = test_config().await;
    config.server.header_read_timeout_ms = 300;
    let app = spawn_with(config, dir).await;

    let mut slow = half_sent(&app).await;

    assert!(closed_by_server(&mut slow).await, "still open");
}

#[tokio::test]
async fn healthz_answers_while_half_sent_requests_are_held_and_one_over_the_cap_is_closed() {
    // Arrange: a cap of 24 connections; half-sent requests are held for a minute.
    let (mut config, dir) = test_config().await;
    config.server.max_connections = 24;
    config.server.header_read_timeout_ms = 60_000;
    let app = spawn_with(config, dir).await;
    let mut held = Vec::new();
    for _ in 0..16 {
        held.push(half_sent(&app).await);
    }

    // Act and assert: the 17th connection is served while 16 are stuck.
    let mut working = TcpStream::connect(&app.address[7..]).await.unwrap();
    assert_eq!(healthz_on(&mut working).await, Some(200));

    // Fill the cap (16 + 1 + 7), then one more: closed at once, unanswered.
    for _ in 0..7 {
        held.push(half_sent(&app).await);
    }
    let mut over = TcpStream::connect(&app.address[7..]).await.unwrap();
    assert_eq!(
        healthz_on(&mut over).await,
        None,
        "a connection over the cap was served"
    );

    // The connections already open keep working.
    assert_eq!(healthz_on(&mut working).await, Some(200));
}

#[tokio::test]
async fn a_request_whose_body_never_finishes_gets_408_and_creates_nothing() {
    // Arrange
    let (mut config, dir) = test_config().await;
    config.server.request_timeout_ms = 300;
    let app = spawn_with(config, dir).await;
    let mut s = TcpStream::connect(&app.address[7..]).await.unwrap();
    let head = format!(
        "POST /api/v1/alerts HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nContent-Length: 200\r\n\r\n{{\"device_id\"",
        app.token(Role::Receiver)
    );

    // Act: the header and a tenth of the body, then nothing.
    s.write_all(head.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), s.read_to_end(&mut answer))
        .await
        .expect("an answer and a close within 10 s")
        .unwrap();

    // Assert: 408 with the JSON error body, the connection closed, nothing queued.
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("\"code\":\"timeout\""), "{answer}");
    assert!(app.queue().await["items"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn an_open_websocket_outlives_the_request_timeout() {
    // Arrange: requests time out after 200 ms; headers after 400 ms.
    let (mut config, dir) = test_config().await;
    config.server.request_timeout_ms = 200;
    config.server.header_read_timeout_ms = 400;
    let app = spawn_with(config, dir).await;
    let mut ws = app.ws_connect(None).await;
    assert_eq!(ws.next_json().await["type"], "snapshot");

    // Act: wait, on an event rather than a clock, until more than the request timeout has
    // passed: a half-sent request opened after the websocket is closed by the header timeout.
    let mut slow = half_sent(&app).await;
    assert!(closed_by_server(&mut slow).await);
    let item = app.new_alert("TA-WS-LONG", "fall").await;

    // Assert: the websocket is still open and carries the new item.
    let event = ws.wait_for("item_created").await;
    assert_eq!(event["event"]["item"]["id"], item.as_str());
}

#[tokio::test]
async fn a_retried_inbound_sms_is_recorded_once() {
    use crate::emergency::{app_with, queue_items, webhook};
    let app = app_with(|_| {}).await;
    let first = [
        ("MessageSid", "SM00000000000000000000000000000001"),
        ("From", "+40722000077"),
        ("Body", "prima"),
    ];
    let second = [
        ("MessageSid", "SM00000000000000000000000000000002"),
        ("From", "+40722000077"),
        ("Body", "a doua"),
    ];

    // A new card, then the provider posts the same message again (our answer was lost).
    for _ in 0..2 {
        assert_eq!(webhook(&app, "/telephony/sms", &first).await.status(), 200);
    }
    let items = queue_items(&app).await;
    assert_eq!(items.len(), 1, "a second card");
    assert_eq!(items[0]["notes"], json!([]), "the retry became a note");
    let card = items[0]["id"].as_str().unwrap().to_owned();

    // A second message notes the open card, once, however often it is posted.
    for _ in 0..2 {
        assert_eq!(webhook(&app, "/telephony/sms", &second).await.status(), 200);
    }
    let items = queue_items(&app).await;
    assert_eq!(items.len(), 1);
    assert_eq!(
        items[0]["notes"].as_array().unwrap().len(),
        1,
        "{}",
        items[0]
    );

    // Once the card is closed, a late retry of either message cards nothing new.
    assert_eq!(app.act(&card, "acknowledge", json!({})).await.status(), 200);
    let closed = app
        .act(&card, "close", json!({ "outcome": "advice_given" }))
        .await;
    assert_eq!(closed.status(), 200);
    for params in [&first, &second] {
        assert_eq!(webhook(&app, "/telephony/sms", params).await.status(), 200);
    }
    assert!(queue_items(&app).await.is_empty(), "a retry carded again");
}
