//! The road network against known facts of the real Timișoara map (the extract shipped in
//! `data/osm/`). The prepared network is cached in the system temp directory, so only the
//! first run pays for the contraction; the cache round-trip test builds once more, into a
//! folder of its own.

use routing::network::{
    haversine_m, CandidateKind, NetworkWithFallback, ProfileId, RoadNetwork, StraightLineFallback,
    ATTRIBUTION, MEASURED_DETOUR_FACTOR,
};
use routing::travel::{LonLat, TravelTimeSource};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

fn extract() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/osm/timisoara-2025-05-24.osm.pbf")
}

fn network() -> Arc<RoadNetwork> {
    static NET: OnceLock<Arc<RoadNetwork>> = OnceLock::new();
    NET.get_or_init(|| {
        let cache = std::env::temp_dir().join("dispecer-network-test-cache");
        Arc::new(RoadNetwork::load(&extract(), Some(&cache)).expect("the extract loads"))
    })
    .clone()
}

/// The first `n` of the 1,000 random city points in `data/routing/`.
fn city_points(n: usize) -> Vec<LonLat> {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/routing/points-1000.csv"),
    )
    .expect("points file");
    text.lines()
        .skip(1)
        .take(n)
        .map(|l| {
            let (lon, lat) = l.split_once(',').expect("lon,lat");
            LonLat::new(lon.parse().expect("lon"), lat.parse().expect("lat"))
        })
        .collect()
}

fn first_address(net: &RoadNetwork, query: &str) -> routing::network::Candidate {
    let found = net.geocode(query, 5);
    found
        .into_iter()
        .find(|c| c.kind == CandidateKind::Address)
        .unwrap_or_else(|| panic!("no address found for {query:?}"))
}

#[test]
fn address_search_finds_addresses_written_with_and_without_diacritics() {
    let net = network();
    let with = first_address(&net, "Str. Gheorghe Lazăr 24");
    let without = first_address(&net, "Lazar 24");
    let plain = first_address(&net, "strada gheorghe lazar 24");
    assert!(
        with.label.contains("Lazăr") && with.label.ends_with("24"),
        "{with:?}"
    );
    assert_eq!(with.position, without.position);
    assert_eq!(with.position, plain.position);
}

#[test]
fn abbreviations_of_street_types_do_not_matter() {
    let net = network();
    let short = net.geocode("Bd. Revoluției din 1989", 3);
    let long = net.geocode("Bulevardul Revolutiei din 1989", 3);
    assert!(!short.is_empty());
    assert_eq!(short[0].label, long[0].label);
}

#[test]
fn every_hospital_in_the_extract_is_found_by_name() {
    let net = network();
    let hospitals = net.landmarks();
    assert!(hospitals.len() >= 15, "{} hospitals", hospitals.len());
    for h in hospitals {
        let found = net.geocode(&h.name, 5);
        let hit = found.iter().any(|c| {
            c.label == h.name
                && c.kind == CandidateKind::Poi
                && haversine_m(c.position, h.position) < 1.0
        });
        assert!(hit, "{} not found: {found:?}", h.name);
    }
}

#[test]
fn reverse_geocoding_gives_back_the_street_and_number() {
    let net = network();
    let lazar = first_address(&net, "Gheorghe Lazăr 24");
    let a = net.reverse(lazar.position).expect("an address");
    assert!(a.street.contains("Lazăr"), "{a:?}");
    assert_eq!(a.housenumber.as_deref(), Some("24"));
    assert!(a.distance_m < 1.0);
}

#[test]
fn a_route_between_two_named_addresses_has_a_plausible_time() {
    // Arrange: from Gheorghe Lazăr 24 (centre-west) to the Pius Brînzeu county hospital.
    let net = network();
    let from = first_address(&net, "Str. Gheorghe Lazăr 24").position;
    let to = net.geocode("Spitalul Clinic Județean de Urgență Pius Brînzeu", 1)[0].position;
    // Act
    let route = net
        .route(ProfileId::EmiuCar, from, to, 3 * 3600)
        .expect("a route");
    // Assert: driven distance is the straight line times a city detour, and the mean speed
    // is a city speed.
    let straight = haversine_m(from, to);
    assert!(straight > 1000.0);
    let ratio = route.distance_m / straight;
    assert!(
        (1.0..=2.5 * MEASURED_DETOUR_FACTOR).contains(&ratio),
        "detour {ratio}"
    );
    let kmh = route.distance_m / route.duration_s * 3.6;
    assert!((10.0..=60.0).contains(&kmh), "speed {kmh} km/h");
    assert!(!route.streets.is_empty() && route.geometry.len() >= 2);
    let legs: f64 = route.streets.iter().map(|s| s.metres).sum();
    assert!(
        (legs - route.distance_m).abs() < 0.05 * route.distance_m + 5.0,
        "{legs} vs {}",
        route.distance_m
    );
}

#[test]
fn rush_hour_is_slower_than_night_and_the_van_slower_than_the_car() {
    let net = network();
    let (a, b) = (LonLat::new(21.2087, 45.7537), LonLat::new(21.2430, 45.7720));
    let night = net
        .route(ProfileId::EmiuCar, a, b, 3 * 3600)
        .expect("route");
    let rush = net
        .route(ProfileId::EmiuCar, a, b, 8 * 3600)
        .expect("route");
    let van = net.route(ProfileId::Van, a, b, 3 * 3600).expect("route");
    assert!(rush.duration_s > night.duration_s * 1.2);
    assert!(van.duration_s > night.duration_s);
}

#[test]
fn random_city_points_snap_close_and_every_pair_is_routable() {
    let net = network();
    let points = city_points(60);
    for p in &points {
        assert!(net.snap(*p).expect("snaps").distance_m < 800.0);
    }
    let m = net.matrix(ProfileId::Van, &points, 12 * 3600);
    assert!(m.seconds.iter().all(|s| s.is_finite()));
    assert!(m.metres.iter().all(|s| s.is_finite()));
    for i in 0..points.len() {
        assert_eq!(m.seconds(i, i), 0.0);
    }
}

#[test]
fn places_outside_the_extract_fall_back_to_the_straight_line() {
    let net = network();
    let source = NetworkWithFallback::new(net.clone(), ProfileId::EmiuCar);
    // The airport is east of the extract (about 21.33 E).
    let places = [
        LonLat::new(21.2087, 45.7537),
        LonLat::new(21.3379, 45.8099),
        LonLat::new(21.2430, 45.7720),
    ];
    let m = source.matrix(&places, 3 * 3600);
    let fallback = StraightLineFallback::measured(net.profiles().time_of_day.clone());
    assert_eq!(
        m.seconds(0, 1),
        fallback.leg(places[0], places[1], 3 * 3600).0
    );
    let routed = net
        .route(ProfileId::EmiuCar, places[0], places[2], 3 * 3600)
        .expect("route");
    assert!((m.seconds(0, 2) - routed.duration_s).abs() < 0.01);
}

#[test]
fn map_layers_carry_the_attribution_and_grow_with_the_zoom_level() {
    let net = network();
    let layers = net.map_layers();
    assert_eq!(layers.len(), 3);
    for l in layers {
        let json: serde_json::Value = serde_json::from_str(&l.geojson).expect("valid GeoJSON");
        assert_eq!(json["attribution"], ATTRIBUTION);
        assert_eq!(json["type"], "FeatureCollection");
    }
    assert!(layers[0].features < layers[1].features && layers[1].features < layers[2].features);
    assert!(net.map_geojson(0).len() < net.map_geojson(2).len());
    let b = net.bounds();
    assert!(b.min.lon < 21.11 && b.max.lon > 21.29);
}

#[test]
fn turn_restrictions_of_the_extract_are_applied() {
    let net = network();
    let s = net.stats();
    assert!(s.restrictions_applied > 1000, "{s:?}");
    assert!(s.turns_banned > 500, "{s:?}");
    assert_eq!(s.clipped_ways, 217);
}

/// The stats that describe what was built, without how this copy was obtained.
fn built_figures(net: &RoadNetwork) -> serde_json::Value {
    let mut s = net.stats().clone();
    s.from_cache = false;
    s.load_ms = 0.0;
    serde_json::to_value(s).expect("stats serialise")
}

#[test]
fn a_network_read_back_from_its_cache_answers_like_the_one_built_from_the_extract() {
    // Arrange: a cache folder of its own, so the first load builds and writes the file and
    // the second must read it (a cache that fails to decode is silently rebuilt instead).
    let cache = tempfile::tempdir().expect("a temp dir");
    let built = RoadNetwork::load(&extract(), Some(cache.path())).expect("the extract loads");
    // Act
    let cached = RoadNetwork::load(&extract(), Some(cache.path())).expect("the cache loads");
    // Assert
    assert!(!built.stats().from_cache);
    assert!(
        cached.stats().from_cache,
        "the cache file was not read back"
    );
    assert_eq!(built_figures(&cached), built_figures(&built));
    let points = city_points(40);
    for profile in [ProfileId::EmiuCar, ProfileId::Van] {
        assert_eq!(
            cached.matrix(profile, &points, 8 * 3600),
            built.matrix(profile, &points, 8 * 3600)
        );
    }
    let query = "Str. Gheorghe Lazăr 24";
    assert_eq!(cached.geocode(query, 5), built.geocode(query, 5));
    assert_eq!(cached.reverse(points[0]), built.reverse(points[0]));
    assert_eq!(cached.map_geojson(2), built.map_geojson(2));
}
