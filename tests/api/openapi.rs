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

#[tokio::test]
async fn every_route_of_the_api_is_in_the_document() {
    // Every path the console and clients use, with its methods.
    let doc: Value = serde_json::from_str(&dispecer::http::openapi::json()).unwrap();
    let paths = doc["paths"].as_object().unwrap();
    let expected = [
        ("/api/v1/alerts", "post"),
        ("/api/v1/calls", "post"),
        ("/api/v1/bookings", "post"),
        ("/api/v1/queue", "get"),
        ("/api/v1/items/{id}", "get"),
        ("/api/v1/items/{id}/events", "get"),
        ("/api/v1/items/{id}/audit", "get"),
        ("/api/v1/items/{id}/acknowledge", "post"),
        ("/api/v1/items/{id}/assign", "post"),
        ("/api/v1/items/{id}/start", "post"),
        ("/api/v1/items/{id}/close", "post"),
        ("/api/v1/items/{id}/notes", "post"),
        ("/api/v1/resources", "get"),
        ("/api/v1/resources", "post"),
        ("/api/v1/resources/{id}/status", "post"),
        ("/api/v1/resources/{id}/position", "post"),
        ("/api/v1/session", "post"),
        ("/api/v1/session", "delete"),
        ("/api/v1/me", "get"),
        ("/api/v1/map/{level}", "get"),
        ("/api/v1/geocode", "get"),
        ("/api/v1/reverse", "get"),
        ("/api/v1/route", "get"),
        ("/ws", "get"),
        ("/healthz", "get"),
        ("/readyz", "get"),
        ("/metrics", "get"),
        ("/api/v1/openapi.json", "get"),
    ];
    for (path, method) in expected {
        assert!(
            paths.get(path).and_then(|p| p.get(method)).is_some(),
            "{method} {path} is missing from the OpenAPI document"
        );
    }
    let schemes = doc["components"]["securitySchemes"].as_object().unwrap();
    assert!(schemes.contains_key("bearer") && schemes.contains_key("session_cookie"));
    // The error body names the field.
    let detail = &doc["components"]["schemas"]["ErrorDetail"]["properties"];
    assert!(detail.get("field").is_some() && detail.get("code").is_some());
}

#[tokio::test]
async fn a_malformed_query_string_gets_the_json_error_naming_the_parameter() {
    // axum's own query rejection is plain text, outside the contract; AppQuery answers in it.
    let app = spawn_app().await;
    let role = dispecer::http::auth::Role::Dispatcher;

    let missing = app.get_as(role, "/api/v1/reverse?lon=21.2").await;
    let garbled = app.get_as(role, "/ws?after_seq=soon").await;

    assert_eq!(missing.status(), 422);
    let body: Value = missing.json().await.unwrap();
    assert_eq!(body["error"]["field"], "lat");
    assert_eq!(garbled.status(), 422);
    let body: Value = garbled.json().await.unwrap();
    assert_eq!(body["error"]["code"], "invalid");
}
