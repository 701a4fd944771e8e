//! Resources the core assigns: adapted vehicles, drivers, the EMIU team.

use serde::{Deserialize, Serialize};

use super::{ItemId, ResourceId, ResourceKind, ResourceStatus};
use routing::travel::LonLat;

/// A resource in the live state.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Resource {
    pub id: ResourceId,
    pub kind: ResourceKind,
    /// Display name ("Dacia Dokker TM-12-DAS", "Echipa EMIU 1"); not personal data.
    pub name: String,
    /// Seats for seated riders (vehicles only).
    #[serde(default)]
    pub seats: u32,
    /// Wheelchair places (vehicles only); a wheelchair place may also take a seated rider.
    #[serde(default)]
    pub wheelchair_places: u32,
    pub status: ResourceStatus,
    /// The item this resource is committed to, if any: at most one, which is what makes a second
    /// assignment a conflict.
    pub current_item: Option<ItemId>,
    #[schema(value_type = Option<crate::domain::geo::LonLat>)]
    pub position: Option<LonLat>,
    pub version: i64,
}
