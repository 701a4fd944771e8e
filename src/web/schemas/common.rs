//! The service-wide answers (the queue, items, resources, sessions, the map, readiness) and the
//! error body, described for the document. The handlers return these structs, so what the
//! document says is what is sent; schemathesis still checks every answer of the running service
//! against the document (`scripts/schemathesis`).

use serde::Serialize;
use utoipa::{IntoResponses, ToSchema};

use crate::access::Role;
use crate::domain::geo::LonLat;
use crate::domain::{Item, ItemId, Resource, Seq};
use crate::error::ErrorBody;
use crate::events::StoredEvent;
use crate::queue::Explanation;
use crate::store::AuditRecord;

/// Refusals any authenticated endpoint may give.
#[derive(IntoResponses)]
#[allow(dead_code)]
pub(crate) enum Refusals {
    /// No credential, or an unknown or expired one.
    #[response(status = 401)]
    Unauthorized(ErrorBody),
    /// The caller's role may not do this, or may not see this case; or a browser request
    /// with the session cookie came from another origin (`server.allowed_origins`).
    #[response(status = 403)]
    Forbidden(ErrorBody),
    /// The request took longer than `server.request_timeout_ms` (a body that never finished);
    /// it may have been carried out: retry with the same idempotency key.
    #[response(status = 408)]
    Timeout(ErrorBody),
    /// Storage is down: nothing was done; try again (`Retry-After`).
    #[response(status = 503)]
    Unavailable(ErrorBody),
}

/// Refusals of a JSON body.
#[derive(IntoResponses)]
#[allow(dead_code)]
pub(crate) enum BodyRefusals {
    /// Not JSON, or not declared as `application/json`.
    #[response(status = 400)]
    BadRequest(ErrorBody),
    /// Larger than `server.max_body_bytes`.
    #[response(status = 413)]
    TooLarge(ErrorBody),
    /// Well-formed JSON with a bad or missing field, named in `error.field`.
    #[response(status = 422)]
    Invalid(ErrorBody),
}

/// One line of the queue.
#[derive(Serialize, ToSchema)]
pub(crate) struct QueueEntry {
    /// 1 is the next item to handle.
    pub position: usize,
    pub explanation: Explanation,
    pub item: Item,
}

/// The open items in queue order (those the caller may see).
#[derive(Serialize, ToSchema)]
pub(crate) struct QueueView {
    /// The live state's sequence number: the websocket continues from it.
    pub seq: Seq,
    pub items: Vec<QueueEntry>,
}

/// Where an open item stands in the queue.
#[derive(Serialize, ToSchema)]
pub(crate) struct QueuePosition {
    pub position: usize,
    pub explanation: Explanation,
}

/// One item, and its place in the queue while it is open.
#[derive(Serialize, ToSchema)]
pub(crate) struct ItemView {
    pub item: Item,
    pub queue: Option<QueuePosition>,
}

/// An item's history.
#[derive(Serialize, ToSchema)]
pub(crate) struct ItemHistory {
    pub item_id: ItemId,
    pub events: Vec<StoredEvent>,
}

/// Who read an item, and how much they saw.
#[derive(Serialize, ToSchema)]
pub(crate) struct ItemAudit {
    pub item_id: ItemId,
    pub reads: Vec<AuditRecord>,
}

/// The resources the caller may see.
#[derive(Serialize, ToSchema)]
pub(crate) struct ResourceList {
    pub seq: Seq,
    pub resources: Vec<Resource>,
}

/// The caller.
#[derive(Serialize, ToSchema)]
pub(crate) struct Me {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    /// The resource a driver or EMIU member works as.
    pub resource_id: Option<String>,
}

/// A successful login.
#[derive(Serialize, ToSchema)]
pub(crate) struct LoginAnswer {
    pub username: String,
    pub display_name: String,
    // As the account stores it: a `Role` name (not parsed again, so it goes out as stored).
    #[schema(value_type = Role)]
    pub role: String,
    pub resource_id: Option<String>,
    /// The session's bearer token, when the login asked for one (`"token": true`); otherwise
    /// the session is in the `dispecer_session` cookie.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
}

/// What an address-search answer is.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum CandidateKind {
    Address,
    Street,
    Place,
    Poi,
}

/// One ranked address-search answer.
#[derive(Serialize, ToSchema)]
pub(crate) struct Candidate {
    pub label: String,
    pub kind: CandidateKind,
    pub position: LonLat,
    /// Higher is better; 1.0 or more matches every word typed.
    pub score: f64,
    /// For points of interest, the OSM tag value (`hospital`, `pharmacy`...).
    pub category: Option<String>,
}

impl From<routing::network::CandidateKind> for CandidateKind {
    fn from(kind: routing::network::CandidateKind) -> Self {
        use routing::network::CandidateKind as K;
        match kind {
            K::Address => Self::Address,
            K::Street => Self::Street,
            K::Place => Self::Place,
            K::Poi => Self::Poi,
        }
    }
}

impl From<routing::network::Candidate> for Candidate {
    fn from(c: routing::network::Candidate) -> Self {
        Self {
            label: c.label,
            kind: c.kind.into(),
            position: lon_lat(c.position),
            score: c.score,
            category: c.category,
        }
    }
}

/// The documented form of a routing position.
fn lon_lat(p: routing::travel::LonLat) -> LonLat {
    LonLat {
        lon: p.lon,
        lat: p.lat,
    }
}

/// Address search results.
#[derive(Serialize, ToSchema)]
pub(crate) struct GeocodeAnswer {
    pub candidates: Vec<Candidate>,
    /// "© OpenStreetMap contributors".
    pub attribution: String,
    pub attribution_url: String,
}

/// What a position is called.
#[derive(Serialize, ToSchema)]
pub(crate) struct Address {
    pub street: String,
    pub housenumber: Option<String>,
    pub distance_m: f64,
}

impl From<routing::network::Address> for Address {
    fn from(a: routing::network::Address) -> Self {
        Self {
            street: a.street,
            housenumber: a.housenumber,
            distance_m: a.distance_m,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub(crate) struct ReverseAnswer {
    /// `null` when nothing named is within 1 km.
    pub address: Option<Address>,
    pub attribution: String,
}

/// One street of a route, in driving order.
#[derive(Serialize, ToSchema)]
pub struct StreetLeg {
    pub name: Option<String>,
    pub metres: f64,
}

impl From<routing::network::StreetLeg> for StreetLeg {
    fn from(leg: routing::network::StreetLeg) -> Self {
        Self {
            name: leg.name,
            metres: leg.metres,
        }
    }
}

/// A route over the road network, departing now.
#[derive(Serialize, ToSchema)]
pub(crate) struct RouteAnswer {
    pub duration_s: f64,
    pub distance_m: f64,
    pub geometry: Vec<LonLat>,
    pub streets: Vec<StreetLeg>,
    pub attribution: String,
}

impl RouteAnswer {
    /// The route as the console draws it, with the attribution every map answer carries.
    pub(crate) fn new(route: routing::network::Route, attribution: &str) -> Self {
        Self {
            duration_s: route.duration_s,
            distance_m: route.distance_m,
            geometry: route.geometry.into_iter().map(lon_lat).collect(),
            streets: route.streets.into_iter().map(StreetLeg::from).collect(),
            attribution: attribution.into(),
        }
    }
}

/// Readiness of the instance's parts.
#[derive(Serialize, ToSchema)]
pub(crate) struct Readiness {
    /// `ok` or `down`.
    pub store: String,
    /// `ok` or `degraded` (Redis unreachable: this instance still serves, from storage).
    pub bus: String,
    /// `ready`, `loading` or `disabled`.
    pub network: String,
    pub seq: Seq,
}

#[cfg(test)]
mod tests {
    use super::*;
    use routing::network::{ATTRIBUTION, ATTRIBUTION_URL};
    use routing::travel::LonLat as Position;
    use serde_json::json;

    #[test]
    fn the_map_answers_hold_what_the_routing_crate_answered() {
        // Arrange: the routing crate's answers, and the JSON they were sent as before.
        let candidate = routing::network::Candidate {
            label: "Strada Gheorghe Lazăr 24".into(),
            kind: routing::network::CandidateKind::Poi,
            position: Position::new(21.22, 45.75),
            score: 1.25,
            category: Some("pharmacy".into()),
        };
        let address = routing::network::Address {
            street: "Strada Gheorghe Lazăr".into(),
            housenumber: None,
            distance_m: 12.5,
        };
        let leg = routing::network::StreetLeg {
            name: None,
            metres: 120.0,
        };
        let old_geocode = json!({
            "candidates": [candidate.clone()],
            "attribution": ATTRIBUTION,
            "attribution_url": ATTRIBUTION_URL,
        });
        let old_reverse = json!({ "address": Some(address.clone()), "attribution": ATTRIBUTION });
        let old_legs = json!([leg.clone()]);
        let old_line = json!([candidate.position]);

        // Act
        let geocode = GeocodeAnswer {
            candidates: vec![candidate.clone().into()],
            attribution: ATTRIBUTION.into(),
            attribution_url: ATTRIBUTION_URL.into(),
        };
        let reverse = ReverseAnswer {
            address: Some(address.into()),
            attribution: ATTRIBUTION.into(),
        };

        // Assert
        assert_eq!(json!(geocode), old_geocode);
        assert_eq!(json!(reverse), old_reverse);
        assert_eq!(json!([StreetLeg::from(leg)]), old_legs);
        assert_eq!(json!([lon_lat(candidate.position)]), old_line);
    }
}
