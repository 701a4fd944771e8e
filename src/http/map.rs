//! The map and the address book of the console, from the road network the service loads itself:
//! no tile server and no outside geocoder, so the centre works when the internet is down.
//! Every answer carries the OpenStreetMap attribution.

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;
use std::sync::Arc;

use crate::access::Caller;
use crate::error::ErrorBody;
use crate::error::{Error, Result};
use crate::state::AppState;
use crate::web::extract::AppQuery;
use crate::web::schemas::common::{Address, Candidate, GeocodeAnswer, ReverseAnswer, RouteAnswer};
use crate::web::view::STAFF;
use axum::Json;
use routing::network::{ProfileId, RoadNetwork, ATTRIBUTION, ATTRIBUTION_URL};
use routing::travel::LonLat;

pub(crate) fn router() -> Router<AppState> {
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

/// A map layer of Timișoara as GeoJSON, drawn from the service's own road data.
#[utoipa::path(
    get,
    path = "/api/v1/map/{level}",
    tag = "map",
    params(("level" = String, Path, description = "0 (city), 1 (district) or 2 (street)")),
    responses(
        (status = 200, description = "A GeoJSON FeatureCollection (© OpenStreetMap contributors)", content_type = "application/geo+json", body = serde_json::Value),
        (status = 422, description = "`level` is not 0, 1 or 2", body = ErrorBody),
        (status = 401, description = "No credential, or an unknown one", body = ErrorBody),
        (status = 403, description = "The caller's role may not read the map", body = ErrorBody),
        (status = 503, description = "Storage is down, or the road network is still loading (`Retry-After`)", body = ErrorBody),
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn map(
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

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct GeocodeQuery {
    /// What was typed: a street and number, a place or a facility (1-200 characters).
    #[param(min_length = 1, max_length = 200)]
    q: String,
    /// Most candidates (default 8; clamped to 1-50).
    #[serde(default)]
    limit: Option<usize>,
}

/// Address search over the extract's streets, addresses and places.
#[utoipa::path(
    get,
    path = "/api/v1/geocode",
    tag = "map",
    params(GeocodeQuery),
    responses(
        (status = 200, body = GeocodeAnswer),
        (status = 422, description = "A bad parameter, named in `error.field`", body = ErrorBody),
        (status = 401, description = "No credential, or an unknown one", body = ErrorBody),
        (status = 403, description = "The caller's role may not search", body = ErrorBody),
        (status = 503, description = "Storage is down, or the road network is still loading (`Retry-After`)", body = ErrorBody),
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn geocode(
    State(state): State<AppState>,
    caller: Caller,
    AppQuery(q): AppQuery<GeocodeQuery>,
) -> Result<Json<GeocodeAnswer>> {
    caller.require(STAFF)?;
    if q.q.trim().is_empty() || q.q.chars().count() > 200 {
        return Err(Error::validation("q", "must be 1-200 characters"));
    }
    let limit = q.limit.unwrap_or(8).clamp(1, 50);
    let net = network(&state)?;
    let candidates = net.geocode(&q.q, limit);
    Ok(Json(GeocodeAnswer {
        candidates: candidates.into_iter().map(Candidate::from).collect(),
        attribution: ATTRIBUTION.into(),
        attribution_url: ATTRIBUTION_URL.into(),
    }))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct PointQuery {
    #[param(minimum = -180.0, maximum = 180.0)]
    lon: f64,
    #[param(minimum = -90.0, maximum = 90.0)]
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

/// What a position is called: the nearest address, else the nearest named road.
#[utoipa::path(
    get,
    path = "/api/v1/reverse",
    tag = "map",
    params(PointQuery),
    responses(
        (status = 200, body = ReverseAnswer),
        (status = 422, description = "A bad parameter, named in `error.field`", body = ErrorBody),
        (status = 401, description = "No credential, or an unknown one", body = ErrorBody),
        (status = 403, description = "The caller's role may not search", body = ErrorBody),
        (status = 503, description = "Storage is down, or the road network is still loading (`Retry-After`)", body = ErrorBody),
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn reverse(
    State(state): State<AppState>,
    caller: Caller,
    AppQuery(q): AppQuery<PointQuery>,
) -> Result<Json<ReverseAnswer>> {
    caller.require(STAFF)?;
    let p = point("lon", q.lon, q.lat)?;
    let net = network(&state)?;
    Ok(Json(ReverseAnswer {
        address: net.reverse(p).map(Address::from),
        attribution: ATTRIBUTION.into(),
    }))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct RouteQuery {
    /// `lon,lat`.
    #[param(pattern = r"^-?[0-9]{1,3}(\.[0-9]{1,7})?,-?[0-9]{1,2}(\.[0-9]{1,7})?$")]
    from: String,
    /// `lon,lat`.
    #[param(pattern = r"^-?[0-9]{1,3}(\.[0-9]{1,7})?,-?[0-9]{1,2}(\.[0-9]{1,7})?$")]
    to: String,
    /// `emiu_car` (default) or `van`.
    #[serde(default)]
    #[param(pattern = "^(emiu_car|van)$")]
    profile: Option<String>,
}

/// Parses `lon,lat`.
pub(crate) fn parse_lonlat(field: &str, s: &str) -> Result<LonLat> {
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

/// A route departing now, with its time, distance, line and streets.
#[utoipa::path(
    get,
    path = "/api/v1/route",
    tag = "map",
    params(RouteQuery),
    responses(
        (status = 200, body = RouteAnswer),
        (status = 404, description = "A point is off the road network", body = ErrorBody),
        (status = 422, description = "A bad parameter, named in `error.field`", body = ErrorBody),
        (status = 401, description = "No credential, or an unknown one", body = ErrorBody),
        (status = 403, description = "The caller's role may not search", body = ErrorBody),
        (status = 503, description = "Storage is down, or the road network is still loading (`Retry-After`)", body = ErrorBody),
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn route(
    State(state): State<AppState>,
    caller: Caller,
    AppQuery(q): AppQuery<RouteQuery>,
) -> Result<Json<RouteAnswer>> {
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
    Ok(Json(RouteAnswer::new(r, ATTRIBUTION)))
}
