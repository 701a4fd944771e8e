//! Reverse geocoding: the street and number nearest to a GPS position.

use super::index::Geocoder;
use crate::network::geo::{dist_xy, Projection};
use crate::travel::LonLat;
use rstar::primitives::GeomWithData;
use rstar::RTree;
use serde::{Deserialize, Serialize};

/// What a position is called.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Address {
    pub street: String,
    /// `None` when no numbered building is close; the street then comes from the road itself.
    pub housenumber: Option<String>,
    /// From the position to the address point (or the road), metres.
    pub distance_m: f64,
}

/// An address within this distance is "the" address of a position; farther than that the
/// nearest named road says more (the address may be across a block).
pub(crate) const ADDRESS_RADIUS_M: f64 = 60.0;

/// R-tree over the address points, in local metres.
pub(crate) struct ReverseIndex {
    tree: RTree<GeomWithData<[f64; 2], u32>>,
    projection: Projection,
}

impl ReverseIndex {
    pub(crate) fn build(geocoder: &Geocoder, projection: Projection) -> Self {
        let points = geocoder
            .addresses
            .iter()
            .enumerate()
            .map(|(i, a)| GeomWithData::new(projection.to_xy(a.position), i as u32))
            .collect();
        Self {
            tree: RTree::bulk_load(points),
            projection,
        }
    }

    /// The nearest address point and its distance in metres.
    pub(crate) fn nearest(&self, geocoder: &Geocoder, p: LonLat) -> Option<Address> {
        let xy = self.projection.to_xy(p);
        let hit = self.tree.nearest_neighbor(xy)?;
        let a = &geocoder.addresses[hit.data as usize];
        Some(Address {
            street: geocoder.street_label(a.street).to_string(),
            housenumber: Some(a.housenumber.clone()),
            distance_m: dist_xy(xy, *hit.geom()),
        })
    }
}
