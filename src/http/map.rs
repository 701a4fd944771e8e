//! The map and the address book of the console, from the road network the service loads itself:
//! no tile server and no outside geocoder, so the centre works when the internet is down.
//! Every answer carries the OpenStreetMap attribution.

use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
use std::sync::Arc;

use crate::error::{Error, Result};
use crate::http::auth::Caller;
use crate::http::items::STAFF;
use crate::state::AppState;
use routing::network::{ProfileId, RoadNetwork, ATTRIBUTION, ATTRIBUTION_URL};
use routing::travel::LonLat;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/map/{level}", get(map))
        .route("/api/v1/geocode", get(geocode))
        .route("/api/v1/reverse", get(reverse))
        .route("/api/v1/route", get(route))
}

fn network(state: &AppState) -> Result<Arc<RoadNetwork>> {
    state
        .network
        .get()
        .cloned()
        .ok_or_else(|| Error::Unavailable("the road network is still loading".into()))
}

async fn map(
    State(state): State<AppState>,
    caller: Caller,
    Path(level): Path<String>,
) -> Result<Response> {
    caller.require(STAFF)?;
    let level: u8 = level.parse().ok().filter(|l| *l <= 2).ok_or_else(|| {
        Error::validation("level", "must be 0 (city), 1 (district) or 2 (street)")
    })?;
    let net = network(&state)?;
    let body = net.map_geojson(level).to_owned();
    Ok((
        [
            (header::CONTENT_TYPE, "application/geo+json"),
            (header::CACHE_CONTROL, "private, max-age=3600"),
        ],
        body,
    )
        .into_response())
}

#[derive(Deserialize)]
struct GeocodeQuery {
    q: String,
    #[serde(default)]
    limit: Option<usize>,
}

async fn geocode(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<GeocodeQuery>,
) -> Result<Json<Value>> {
    caller.require(STAFF)?;
    if q.q.trim().is_empty() || q.q.chars().count() > 200 {
        return Err(Error::validation("q", "must be 1-200 characters"));
    }
    let limit = q.limit.unwrap_or(8).clamp(1, 50);
    let net = network(&state)?;
    let candidates = net.geocode(&q.q, limit);
    Ok(Json(json!({
        "candidates": candidates,
        "attribution": ATTRIBUTION,
        "attribution_url": ATTRIBUTION_URL,
    })))
}

#[derive(Deserialize)]
struct PointQuery {
    lon: f64,
    lat: f64,
}

fn point(field: &str, lon: f64, lat: f64) -> Result<LonLat> {
    if !(-180.0..=180.0).contains(&lon) || !(-90.0..=90.0).contains(&lat) {
        return Err(Error::validation(
            field,
            "lon must be -180..180 and lat -90..90",
        ));
    }
    Ok(LonLat::new(lon, lat))
}

async fn reverse(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<PointQuery>,
) -> Result<Json<Value>> {
    caller.require(STAFF)?;
    let p = point("lon", q.lon, q.lat)?;
    let net = network(&state)?;
    Ok(Json(
        json!({ "address": net.reverse(p), "attribution": ATTRIBUTION }),
    ))
}

#[derive(Deserialize)]
struct RouteQuery {
    from: String,
    to: String,
    #[serde(default)]
    profile: Option<String>,
}

/// Parses `lon,lat`.
pub fn parse_lonlat(field: &str, s: &str) -> Result<LonLat> {
    let (lon, lat) = s
        .split_once(',')
        .ok_or_else(|| Error::validation(field, "expected lon,lat"))?;
    let lon: f64 = lon
        .trim()
        .parse()
        .map_err(|_| Error::validation(field, "bad longitude"))?;
    let lat: f64 = lat
        .trim()
        .parse()
        .map_err(|_| Error::validation(field, "bad latitude"))?;
    point(field, lon, lat)
}

async fn route(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<RouteQuery>,
) -> Result<Json<Value>> {
    caller.require(STAFF)?;
    let from = parse_lonlat("from", &q.from)?;
    let to = parse_lonlat("to", &q.to)?;
    let profile = match q.profile.as_deref() {
        None | Some("emiu_car") => ProfileId::EmiuCar,
        Some("van") => ProfileId::Van,
        Some(_) => return Err(Error::validation("profile", "emiu_car or van")),
    };
    let net = network(&state)?;
    let now = chrono::Utc::now().with_timezone(&chrono_tz::Europe::Bucharest);
    let second = chrono::Timelike::num_seconds_from_midnight(&now);
    let r = net
        .route(profile, from, to, second)
        .ok_or_else(|| Error::NotFound("a route between these points".into()))?;
    Ok(Json(json!({
        "duration_s": r.duration_s,
        "distance_m": r.distance_m,
        "geometry": r.geometry,
        "streets": r.streets,
        "attribution": ATTRIBUTION,
    })))
}
