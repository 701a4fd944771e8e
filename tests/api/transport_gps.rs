//! Kilometres and hours per vehicle as driven, measured from the tablets' GPS fixes, in the
//! transport report (next to the planned figures).

use chrono::{Duration, TimeZone, Utc};
use dispecer::access::Role;
use routing::travel::LonLat;
use serde_json::{json, Value};

use crate::helpers::spawn_app;
use crate::transport::{driver_post, driver_token, seed_fleet};

#[tokio::test]
async fn the_report_shows_the_distance_and_time_driven_from_gps_fixes() {
    let app = spawn_app().await;
    let store = app.state.transport.store.clone();
    let day = chrono::NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
    let start = Utc.with_ymd_and_hms(2026, 3, 2, 6, 0, 0).unwrap();
    // Arrange: a drive north, one fix every 5 min, 0.01° of latitude (1,112 m) apart, then a
    // GPS jump of 100 km and back 10 s later, then a fix replayed late.
    for i in 0..13 {
        let at = start + Duration::seconds(300 * i);
        let here = LonLat::new(21.2, 45.70 + 0.01 * i as f64);
        store.put_position("VAN-01", here, at, day).await.unwrap();
    }
    let end = start + Duration::seconds(3600);
    let jump = LonLat::new(21.2, 46.6);
    let back = LonLat::new(21.2, 45.82);
    store
        .put_position("VAN-01", jump, end + Duration::seconds(10), day)
        .await
        .unwrap();
    store
        .put_position("VAN-01", back, end + Duration::seconds(20), day)
        .await
        .unwrap();
    store
        .put_position("VAN-01", jump, end - Duration::seconds(30), day)
        .await
        .unwrap();
    // A second vehicle's day after a long silence: time and distance count from the gap on.
    store
        .put_position("VAN-02", LonLat::new(21.2, 45.75), start, day)
        .await
        .unwrap();
    store
        .put_position(
            "VAN-02",
            LonLat::new(21.2, 45.76),
            start + Duration::hours(2),
            day,
        )
        .await
        .unwrap();

    // Act
    let r = app
        .get_as(
            Role::Dispatcher,
            &format!("/api/v1/transport/reports?from={day}&to={day}"),
        )
        .await;

    // Assert: 12 × 1,112 m in 3,620 s; the jump, the way back and the late fix add no distance.
    assert_eq!(r.status(), 200);
    let rep: Value = r.json().await.unwrap();
    let vehicle = |id: &str| {
        rep["vehicles"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["vehicle_id"] == id)
            .cloned()
            .unwrap_or_else(|| panic!("{id} in {rep}"))
    };
    let van1 = vehicle("VAN-01");
    assert_eq!(van1["driven_km"], 13.3, "{van1}");
    assert_eq!(van1["driven_hours"], 1.0, "{van1}");
    let van2 = vehicle("VAN-02");
    assert_eq!(
        (van2["driven_km"].as_f64(), van2["driven_hours"].as_f64()),
        (Some(0.0), Some(0.0))
    );
    let csv = app
        .get_as(
            Role::Dispatcher,
            &format!("/api/v1/transport/reports.csv?from={day}&to={day}"),
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(
        csv.contains(
            "vehicle,trips,planned_km,planned_hours,driven_km,driven_hours\nVAN-01,0,0,0,13.3,1\n"
        ),
        "{csv}"
    );
}

#[tokio::test]
async fn a_tablet_position_counts_towards_its_vehicles_day() {
    let app = spawn_app().await;
    seed_fleet(&app).await;
    let token = driver_token(&app, "sofer-gps", "SOFER-01").await;
    let today = dispecer::transport::local_date(&app.state, Utc::now());

    let r = driver_post(
        &app,
        &token,
        "/api/v1/transport/position",
        json!({"lon": 21.2265, "lat": 45.7537}),
    )
    .await;

    assert_eq!(r.status(), 200);
    let days = app
        .state
        .transport
        .store
        .vehicle_days(today, today)
        .await
        .unwrap();
    assert_eq!(days.len(), 1, "{days:?}");
    assert_eq!((days[0].vehicle_id.as_str(), days[0].fixes), ("VAN-01", 1));
}
