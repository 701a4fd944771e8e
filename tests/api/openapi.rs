//! The API contract: the document the service serves is the one committed in
//! `docs/openapi.json`, so a change to an endpoint cannot slip past review unnoticed.

use serde_json::Value;

use crate::helpers::spawn_app;

const COMMITTED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/openapi.json");

#[tokio::test]
async fn the_served_document_matches_docs_openapi_json() {
    // Arrange
    let app = spawn_app().await;

    // Act: no credential — the document is public.
    let r = app
        .client
        .get(format!("{}/api/v1/openapi.json", app.address))
        .send()
        .await
        .unwrap();

    // Assert
    assert_eq!(r.status(), 200);
    let served: Value = r.json().await.unwrap();
    assert_eq!(served["openapi"], "3.1.0");
    if std::env::var_os("DISPECER_UPDATE_OPENAPI").is_some() {
        std::fs::write(COMMITTED, dispecer::http::openapi::json()).unwrap();
    }
    let committed: Value =
        serde_json::from_str(&std::fs::read_to_string(COMMITTED).unwrap_or_else(|_| "null".into()))
            .unwrap_or(Value::Null);
    assert!(
        served == committed,
        "GET /api/v1/openapi.json differs from docs/openapi.json: the API changed. Review the \
         change, then regenerate the file with `cargo run -- openapi > docs/openapi.json` (or \
         run this test with DISPECER_UPDATE_OPENAPI=1) and commit it."
    );
}

/// Methods axum routes register (`get(h)`, `.post(h)`...).
const METHODS: &[&str] = &[
    "get", "post", "put", "patch", "delete", "head", "options", "trace",
];

/// Every `.route("<path>", <method>(…).<method>(…)…)` registration in the Rust files under
/// `dir`, as (path, method, file). A `.route(` whose first argument is not a string literal
/// (`RoadNetwork::route(profile, …)`) is not a registration and is skipped.
fn registered_routes(dir: &std::path::Path, out: &mut Vec<(String, String, String)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            registered_routes(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&path).unwrap();
            for (route, methods) in routes_in(&text) {
                for m in methods {
                    out.push((route.clone(), m, path.display().to_string()));
                }
            }
        }
    }
}

/// The registrations in one file's text: each literal path with its methods.
fn routes_in(text: &str) -> Vec<(String, Vec<String>)> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find(".route(") {
        rest = &rest[at + ".route(".len()..];
        let args = rest.trim_start();
        let Some(literal) = args.strip_prefix('"') else {
            continue;
        };
        let Some(close) = literal.find('"') else {
            continue;
        };
        let route = literal[..close].to_owned();
        // The handler expression: up to the `)` closing `.route(` (paths hold no parentheses).
        let after = &literal[close + 1..];
        let mut depth = 0usize;
        let mut end = after.len();
        for (i, c) in after.char_indices() {
            match c {
                '(' => depth += 1,
                ')' if depth == 0 => {
                    end = i;
                    break;
                }
                ')' => depth -= 1,
                _ => {}
            }
        }
        // The methods: identifiers followed by `(` at the top level of that expression.
        let handler = &after[..end];
        let mut methods = Vec::new();
        let mut depth = 0usize;
        let mut ident = String::new();
        for c in handler.chars() {
            match c {
                '(' => {
                    if depth == 0 && METHODS.contains(&ident.as_str()) {
                        methods.push(ident.clone());
                    }
                    depth += 1;
                    ident.clear();
                }
                ')' => {
                    depth = depth.saturating_sub(1);
                    ident.clear();
                }
                c if c.is_alphanumeric() || c == '_' => ident.push(c),
                c if c.is_whitespace() => {}
                _ => ident.clear(),
            }
        }
        found.push((route, methods));
    }
    found
}

#[test]
fn the_route_scanner_finds_chained_methods_and_skips_calls_that_are_not_registrations() {
    let text = r#"
        Router::new()
            .route("/a", get(list).post(create))
            .route(
                "/b/{id}",
                get(one).patch(change),
            )
            .route("/c", axum::routing::any(fallback));
        let r = net.route(profile, from, to, second);
    "#;
    let found = routes_in(text);
    let pairs: Vec<(&str, Vec<&str>)> = found
        .iter()
        .map(|(p, m)| (p.as_str(), m.iter().map(String::as_str).collect()))
        .collect();
    assert_eq!(
        pairs,
        vec![
            ("/a", vec!["get", "post"]),
            ("/b/{id}", vec!["get", "patch"]),
            ("/c", vec![]),
        ]
    );
}

#[tokio::test]
async fn every_route_of_the_api_is_in_the_document() {
    // Arrange: every registration in the source, so a new route cannot go undocumented.
    let doc: Value = serde_json::from_str(&dispecer::http::openapi::json()).unwrap();
    let paths = doc["paths"].as_object().unwrap();
    let mut routes = Vec::new();
    registered_routes(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut routes,
    );
    // The API's catch-all (`/api/{*rest}`, a JSON 404 for unknown API paths) is not an
    // endpoint; every other registration is part of the API.
    routes.retain(|(path, _, _)| !path.contains("{*"));

    // Act / Assert
    assert!(
        routes.len() >= 70,
        "the scanner found only {} routes: is it still reading src/?",
        routes.len()
    );
    let missing: Vec<String> = routes
        .iter()
        .filter(|(path, method, _)| paths.get(path).and_then(|p| p.get(method)).is_none())
        .map(|(path, method, file)| format!("{method} {path} ({file})"))
        .collect();
    assert!(
        missing.is_empty(),
        "routes missing from the OpenAPI document (annotate them with #[utoipa::path] and \
         list them in src/http/openapi/mod.rs):\n{}",
        missing.join("\n")
    );
    // And nothing documented that is not served.
    for (path, item) in paths {
        for method in item
            .as_object()
            .unwrap()
            .keys()
            .filter(|m| METHODS.contains(&m.as_str()))
        {
            assert!(
                routes.iter().any(|(p, m, _)| p == path && m == method),
                "{method} {path} is in the document but no route serves it"
            );
        }
    }
    let schemes = doc["components"]["securitySchemes"].as_object().unwrap();
    assert!(schemes.contains_key("bearer") && schemes.contains_key("session_cookie"));
    assert_eq!(
        schemes["twilio_signature"]["name"], "X-Twilio-Signature",
        "the telephony webhooks are authenticated by their signature header"
    );
    for webhook in [
        "/telephony/voice",
        "/telephony/voice/status",
        "/telephony/voice/hold",
        "/telephony/sms",
    ] {
        let op = &paths[webhook]["post"];
        assert_eq!(
            op["security"][0]["twilio_signature"],
            serde_json::json!([]),
            "{webhook}"
        );
        assert!(
            op["responses"].get("403").is_some(),
            "{webhook} documents its 403"
        );
        assert!(
            op["requestBody"]["content"]
                .get("application/x-www-form-urlencoded")
                .is_some(),
            "{webhook} takes a form"
        );
    }
    // The error body names the field.
    let detail = &doc["components"]["schemas"]["ErrorDetail"]["properties"];
    assert!(detail.get("field").is_some() && detail.get("code").is_some());
}

#[tokio::test]
async fn a_malformed_query_string_gets_the_json_error_naming_the_parameter() {
    // axum's own query rejection is plain text, outside the contract; AppQuery answers in it.
    let app = spawn_app().await;
    let role = dispecer::access::Role::Dispatcher;

    let missing = app.get_as(role, "/api/v1/reverse?lon=21.2").await;
    let garbled = app.get_as(role, "/ws?after_seq=soon").await;

    assert_eq!(missing.status(), 422);
    let body: Value = missing.json().await.unwrap();
    assert_eq!(body["error"]["field"], "lat");
    assert_eq!(garbled.status(), 422);
    let body: Value = garbled.json().await.unwrap();
    assert_eq!(body["error"]["code"], "invalid");
}

#[tokio::test]
async fn a_malformed_typed_path_or_plain_query_gets_the_json_error_naming_the_parameter() {
    // Arrange: routes whose path is typed (`Path<NaiveDate>`) or query read by axum's `Query`,
    // which reject in plain text before the handler runs.
    let app = spawn_app().await;
    let role = dispecer::access::Role::Dispatcher;

    // Act
    let bad_date = app.get_as(role, "/api/v1/transport/plans/2026-13-45").await;
    let bad_query = app
        .get_as(role, "/api/v1/transport/manifest?vehicle=VAN-01&date=soon")
        .await;

    // Assert: the common body, 422, naming the parameter.
    assert_eq!(bad_date.status(), 422);
    let body: Value = bad_date.json().await.unwrap();
    assert_eq!(body["error"]["code"], "invalid");
    assert_eq!(body["error"]["field"], "date");
    assert_eq!(bad_query.status(), 422);
    let body: Value = bad_query.json().await.unwrap();
    assert_eq!(body["error"]["code"], "invalid");
    assert_eq!(body["error"]["field"], "date");
}
