//! Map data for the console without a tile server: the road network by zoom level, simplified
//! with Douglas–Peucker, as GeoJSON that always carries the OSM attribution.

use super::geo::{project_on_segment, Projection};
use super::osm::OsmData;
use crate::travel::LonLat;
use serde::{Deserialize, Serialize};
use serde_json::json;

/// Required by the ODbL wherever map data is shown.
pub const ATTRIBUTION: &str = "© OpenStreetMap contributors";
/// Where the attribution links to.
pub const ATTRIBUTION_URL: &str = "https://www.openstreetmap.org/copyright";

/// (name, classes added at this level, simplification tolerance in metres). Each level also
/// holds the classes of the levels before it.
const LEVELS: [(&str, &[&str], f64); 3] = [
    (
        "city",
        &[
            "motorway",
            "motorway_link",
            "trunk",
            "trunk_link",
            "primary",
            "primary_link",
            "secondary",
            "secondary_link",
        ],
        20.0,
    ),
    (
        "district",
        &["tertiary", "tertiary_link", "unclassified"],
        6.0,
    ),
    (
        "street",
        &[
            "residential",
            "living_street",
            "service",
            "pedestrian",
            "road",
        ],
        1.5,
    ),
];

/// One zoom level of the simplified road map.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct MapLayer {
    /// 0 = whole city (main roads), 1 = district, 2 = street level (all roads).
    pub level: u8,
    pub name: String,
    /// Douglas–Peucker tolerance used, metres.
    pub tolerance_m: f64,
    pub features: usize,
    /// A GeoJSON FeatureCollection (LineStrings with `class` and `name`) with `attribution`.
    pub geojson: String,
}

/// The extent of the extract, for the console's initial view.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Bounds {
    pub min: LonLat,
    pub max: LonLat,
}

/// A point worth showing on the map at every zoom (hospitals).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Landmark {
    pub name: String,
    pub category: String,
    pub position: LonLat,
}

/// Everything the console's map needs.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct MapData {
    pub layers: Vec<MapLayer>,
    pub bounds: Bounds,
    pub landmarks: Vec<Landmark>,
}

/// Douglas–Peucker on local metres: keeps the points farther than `tolerance` from the chord.
pub(crate) fn simplify(points: &[[f64; 2]], tolerance: f64) -> Vec<usize> {
    if points.len() <= 2 {
        return (0..points.len()).collect();
    }
    let mut keep = vec![false; points.len()];
    keep[0] = true;
    keep[points.len() - 1] = true;
    let mut stack = vec![(0, points.len() - 1)];
    let tol2 = tolerance * tolerance;
    while let Some((a, b)) = stack.pop() {
        let mut worst = (0.0, 0);
        for i in a + 1..b {
            let (_, d2) = project_on_segment(points[i], points[a], points[b]);
            if d2 > worst.0 {
                worst = (d2, i);
            }
        }
        if worst.0 > tol2 {
            keep[worst.1] = true;
            stack.push((a, worst.1));
            stack.push((worst.1, b));
        }
    }
    (0..points.len()).filter(|&i| keep[i]).collect()
}

fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

impl MapData {
    pub(crate) fn build(osm: &OsmData, projection: Projection) -> Self {
        let (mut lo, mut hi) = (LonLat::new(180.0, 90.0), LonLat::new(-180.0, -90.0));
        for p in osm.nodes.values() {
            lo = LonLat::new(lo.lon.min(p.lon), lo.lat.min(p.lat));
            hi = LonLat::new(hi.lon.max(p.lon), hi.lat.max(p.lat));
        }
        let bounds = Bounds { min: lo, max: hi };
        let bbox = [
            round6(lo.lon),
            round6(lo.lat),
            round6(hi.lon),
            round6(hi.lat),
        ];
        let mut layers = Vec::new();
        for (level, (name, _, tolerance)) in LEVELS.iter().enumerate() {
            let classes: Vec<&str> = LEVELS[..=level]
                .iter()
                .flat_map(|(_, c, _)| c.iter().copied())
                .collect();
            let mut features = Vec::new();
            for w in osm
                .ways
                .iter()
                .filter(|w| classes.contains(&w.highway.as_str()))
            {
                // Ways cut at the box edge: draw each run of nodes present in the file.
                for run in w.refs.split(|r| !osm.nodes.contains_key(r)) {
                    let pts: Vec<LonLat> = run
                        .iter()
                        .filter_map(|r| osm.nodes.get(r).copied())
                        .collect();
                    if pts.len() < 2 {
                        continue;
                    }
                    let xy: Vec<[f64; 2]> = pts.iter().map(|p| projection.to_xy(*p)).collect();
                    let coords: Vec<[f64; 2]> = simplify(&xy, *tolerance)
                        .into_iter()
                        .map(|i| [round6(pts[i].lon), round6(pts[i].lat)])
                        .collect();
                    features.push(json!({
                        "type": "Feature",
                        "geometry": {"type": "LineString", "coordinates": coords},
                        "properties": {"class": w.highway, "name": w.name},
                    }));
                }
            }
            let count = features.len();
            let geojson = json!({
                "type": "FeatureCollection",
                "attribution": ATTRIBUTION,
                "attribution_url": ATTRIBUTION_URL,
                "bbox": bbox,
                "level": level,
                "features": features,
            })
            .to_string();
            layers.push(MapLayer {
                level: level as u8,
                name: name.to_string(),
                tolerance_m: *tolerance,
                features: count,
                geojson,
            });
        }
        let landmarks = osm
            .pois
            .iter()
            .filter(|p| p.category == "hospital")
            .map(|p| Landmark {
                name: p.name.clone(),
                category: p.category.clone(),
                position: p.position,
            })
            .collect();
        Self {
            layers,
            bounds,
            landmarks,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn douglas_peucker_drops_points_on_a_straight_line_and_keeps_a_corner() {
        let line = [[0.0, 0.0], [1.0, 0.01], [2.0, 0.0], [2.0, 5.0]];
        assert_eq!(simplify(&line, 0.5), vec![0, 2, 3]);
        assert_eq!(simplify(&line, 0.001), vec![0, 1, 2, 3]);
    }
}
