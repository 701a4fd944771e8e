//! Positions as the API document shows them.

use serde::Serialize;
use utoipa::ToSchema;

/// A WGS84 position in degrees: the documented form of `routing::travel::LonLat`, which the
/// routing crate keeps free of the API's schema derive.
#[derive(Serialize, ToSchema)]
pub struct LonLat {
    pub lon: f64,
    pub lat: f64,
}
