//! The map, address search and routes served from the road network.

use dispecer::access::Role;
use serde_json::Value;
use std::time::{Duration, Instant};

use crate::helpers::{spawn_with, test_config, TestApp};

async fn with_network() -> TestApp {
    let (mut config, dir) = test_config().await;
    config.routing.enabled = true;
    let app = spawn_with(config, dir).await;
    // The network loads in the background (cached across tests in the temp dir).
    let deadline = Instant::now() + Duration::from_secs(120);
    while app.state.network.get().is_none() {
        assert!(Instant::now() < deadline, "road network did not load");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    app
}

#[tokio::test]
async fn the_map_is_served_with_the_openstreetmap_attribution() {
    let app = with_network().await;
    let r = app.get_as(Role::Dispatcher, "/api/v1/map/0").await;
    assert_eq!(r.status(), 200);
    let map: Value = r.json().await.unwrap();
    assert_eq!(map["attribution"], "© OpenStreetMap contributors");
    assert_eq!(map["type"], "FeatureCollection");
    assert!(map["features"].as_array().unwrap().len() > 100);
    assert_eq!(
        app.get_as(Role::Dispatcher, "/api/v1/map/7").await.status(),
        422
    );
    assert_eq!(
        app.get_as(Role::Receiver, "/api/v1/map/0").await.status(),
        403
    );
}

#[tokio::test]
async fn an_address_typed_without_diacritics_is_found() {
    let app = with_network().await;
    let found: Value = app
        .get_as(
            Role::Dispatcher,
            "/api/v1/geocode?q=str%20gheorghe%20lazar%2024",
        )
        .await
        .json()
        .await
        .unwrap();
    let first = &found["candidates"][0];
    assert!(
        first["label"].as_str().unwrap().contains("Lazăr"),
        "{found}"
    );
    let lon = first["position"]["lon"].as_f64().unwrap();
    assert!((21.1..21.3).contains(&lon));
    let route: Value = app
        .get_as(
            Role::Dispatcher,
            &format!(
                "/api/v1/route?from={lon},{}&to=21.2412,45.7380",
                first["position"]["lat"]
            ),
        )
        .await
        .json()
        .await
        .unwrap();
    assert!(route["duration_s"].as_f64().unwrap() > 60.0, "{route}");
    assert!(!route["streets"].as_array().unwrap().is_empty());
}
