//! Positions as the API document shows them.

use serde::Serialize;
use utoipa::ToSchema;

// The documented form of `routing::travel::LonLat`, which the routing crate keeps free of the
// API's schema derive.
/// A WGS84 position in degrees.
#[derive(Serialize, ToSchema)]
pub struct LonLat {
    pub lon: f64,
    pub lat: f64,
}
