//! Reading the `.osm.pbf` extract into plain owned records: road ways, turn restrictions,
//! addresses and named places. Everything after this module is independent of the PBF format.

use crate::travel::LonLat;
use anyhow::Context;
use osmpbf::{Element, ElementReader, RelMemberType};
use std::collections::{HashMap, HashSet};
use std::path::Path;

/// Which way(s) a road may be driven along its node order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Oneway {
    Both,
    Forward,
    Backward,
}

/// A `highway=*` way with the tags routing, naming and the map need.
#[derive(Clone, Debug)]
pub(crate) struct RawWay {
    pub id: i64,
    pub refs: Vec<i64>,
    pub highway: String,
    pub name: Option<String>,
    pub oneway: Oneway,
    pub maxspeed: Option<f64>,
    pub service: Option<String>,
    /// False when cars may not use it (`access=private`, `motor_vehicle=no`, `area=yes`...).
    pub car_access: bool,
}

/// A `type=restriction` relation with a via node (via-way restrictions are counted, not used).
#[derive(Clone, Copy, Debug)]
pub(crate) struct RawRestriction {
    pub from_way: i64,
    pub via_node: i64,
    pub to_way: i64,
    /// `only_*` (every other turn from `from_way` at the node is banned) rather than `no_*`.
    pub only: bool,
}

/// An object with `addr:street` and `addr:housenumber` (node, or building way at its centroid).
#[derive(Clone, Debug)]
pub(crate) struct RawAddress {
    pub street: String,
    pub housenumber: String,
    pub position: LonLat,
}

/// A named `place=*`, `amenity=*`, `healthcare=*`... object.
#[derive(Clone, Debug)]
pub(crate) struct RawPoi {
    pub name: String,
    /// `place` for settlements and districts, otherwise the tag value (`hospital`, `pharmacy`...).
    pub category: String,
    pub is_place: bool,
    pub position: LonLat,
}

/// Everything read from the extract.
#[derive(Default)]
pub(crate) struct OsmData {
    pub nodes: HashMap<i64, LonLat>,
    pub signals: HashSet<i64>,
    pub ways: Vec<RawWay>,
    pub restrictions: Vec<RawRestriction>,
    /// Restrictions we cannot apply (via a way, or malformed), reported in the build stats.
    pub skipped_restrictions: usize,
    pub addresses: Vec<RawAddress>,
    pub pois: Vec<RawPoi>,
}

const POI_KEYS: [&str; 6] = [
    "amenity",
    "healthcare",
    "shop",
    "tourism",
    "office",
    "leisure",
];

fn tag<'a>(tags: &[(&'a str, &'a str)], key: &str) -> Option<&'a str> {
    tags.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
}

fn car_access(tags: &[(&str, &str)]) -> bool {
    let denied =
        |v: Option<&str>| matches!(v, Some("no" | "private" | "agricultural" | "forestry"));
    let allowed =
        |v: Option<&str>| matches!(v, Some("yes" | "destination" | "permissive" | "designated"));
    if tag(tags, "area") == Some("yes") {
        return false;
    }
    for key in ["motorcar", "motor_vehicle", "vehicle"] {
        let v = tag(tags, key);
        if allowed(v) {
            return true;
        }
        if denied(v) {
            return false;
        }
    }
    !denied(tag(tags, "access"))
}

fn oneway(tags: &[(&str, &str)], highway: &str) -> Oneway {
    match tag(tags, "oneway") {
        Some("yes" | "1" | "true") => Oneway::Forward,
        Some("-1" | "reverse") => Oneway::Backward,
        Some("no" | "false" | "0") => Oneway::Both,
        _ if matches!(tag(tags, "junction"), Some("roundabout" | "circular")) => Oneway::Forward,
        _ if highway == "motorway" => Oneway::Forward,
        _ => Oneway::Both,
    }
}

impl OsmData {
    /// Reads the extract. Ways whose nodes are missing (cut at the box edge) are kept with their
    /// full reference list; the graph builder clips them.
    ///
    /// A damaged or hostile file is an error, never a panic: the PBF decoder computes
    /// coordinates with plain arithmetic that overflows (a panic in debug builds, a wrapped
    /// value in release) on absurd offsets, so its panics are caught here and nodes off the
    /// globe are dropped.
    pub(crate) fn read(path: &Path) -> anyhow::Result<Self> {
        let reader = ElementReader::from_path(path)
            .with_context(|| format!("opening {}", path.display()))?;
        let mut data = OsmData::default();
        let read = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            reader.for_each(|element| {
                let mut tags: Vec<(&str, &str)> = Vec::with_capacity(16);
                match element {
                    Element::DenseNode(n) => {
                        tags.clear();
                        tags.extend(n.tags());
                        data.add_node(n.id(), LonLat::new(n.lon(), n.lat()), &tags);
                    }
                    Element::Node(n) => {
                        tags.clear();
                        tags.extend(n.tags());
                        data.add_node(n.id(), LonLat::new(n.lon(), n.lat()), &tags);
                    }
                    Element::Way(w) => {
                        tags.clear();
                        tags.extend(w.tags());
                        let refs: Vec<i64> = w.refs().collect();
                        data.add_way(w.id(), refs, &tags);
                    }
                    Element::Relation(r) => {
                        tags.clear();
                        tags.extend(r.tags());
                        if tag(&tags, "type") != Some("restriction") {
                            return;
                        }
                        let kind = tag(&tags, "restriction:motorcar").or(tag(&tags, "restriction"));
                        let exempt = tag(&tags, "except")
                            .is_some_and(|e| e.split(';').any(|v| v == "motorcar"));
                        let Some(kind) = kind.filter(|_| !exempt) else {
                            data.skipped_restrictions += 1;
                            return;
                        };
                        let (mut from, mut via, mut to) = (None, None, None);
                        let mut via_way = false;
                        for m in r.members() {
                            match (m.role().unwrap_or(""), m.member_type) {
                                ("from", RelMemberType::Way) => from = Some(m.member_id),
                                ("to", RelMemberType::Way) => to = Some(m.member_id),
                                ("via", RelMemberType::Node) => via = Some(m.member_id),
                                ("via", RelMemberType::Way) => via_way = true,
                                _ => {}
                            }
                        }
                        match (from, via, to, via_way) {
                            (Some(from_way), Some(via_node), Some(to_way), false)
                                if kind.starts_with("no_") || kind.starts_with("only_") =>
                            {
                                data.restrictions.push(RawRestriction {
                                    from_way,
                                    via_node,
                                    to_way,
                                    only: kind.starts_with("only_"),
                                })
                            }
                            _ => data.skipped_restrictions += 1,
                        }
                    }
                }
            })
        }));
        match read {
            Ok(result) => result.with_context(|| format!("reading {}", path.display()))?,
            Err(_) => anyhow::bail!("reading {}: malformed extract", path.display()),
        }
        Ok(data)
    }

    fn add_node(&mut self, id: i64, position: LonLat, tags: &[(&str, &str)]) {
        if !(-180.0..=180.0).contains(&position.lon) || !(-90.0..=90.0).contains(&position.lat) {
            return;
        }
        self.nodes.insert(id, position);
        if tags.is_empty() {
            return;
        }
        if tag(tags, "highway") == Some("traffic_signals") {
            self.signals.insert(id);
        }
        self.add_named(position, tags);
    }

    fn add_way(&mut self, id: i64, refs: Vec<i64>, tags: &[(&str, &str)]) {
        if tags.is_empty() {
            return;
        }
        if tag(tags, "addr:housenumber").is_some()
            || POI_KEYS.iter().any(|k| tag(tags, k).is_some())
        {
            if let Some(c) = self.centroid(&refs) {
                self.add_named(c, tags);
            }
        }
        let Some(highway) = tag(tags, "highway") else {
            return;
        };
        self.ways.push(RawWay {
            id,
            highway: highway.to_string(),
            name: tag(tags, "name").map(str::to_string),
            oneway: oneway(tags, highway),
            maxspeed: tag(tags, "maxspeed").and_then(super::profile::parse_maxspeed),
            service: tag(tags, "service").map(str::to_string),
            car_access: car_access(tags),
            refs,
        });
    }

    /// Records the address and the named place or point of interest an object carries, if any.
    fn add_named(&mut self, position: LonLat, tags: &[(&str, &str)]) {
        if let (Some(street), Some(number)) = (
            tag(tags, "addr:street").or(tag(tags, "addr:place")),
            tag(tags, "addr:housenumber"),
        ) {
            self.addresses.push(RawAddress {
                street: street.to_string(),
                housenumber: number.to_string(),
                position,
            });
        }
        let Some(name) = tag(tags, "name") else {
            return;
        };
        if let Some(place) = tag(tags, "place") {
            let _ = place;
            self.pois.push(RawPoi {
                name: name.to_string(),
                category: "place".into(),
                is_place: true,
                position,
            });
        } else if let Some(category) = POI_KEYS.iter().find_map(|k| tag(tags, k)) {
            self.pois.push(RawPoi {
                name: name.to_string(),
                category: category.to_string(),
                is_place: false,
                position,
            });
        }
    }

    fn centroid(&self, refs: &[i64]) -> Option<LonLat> {
        let pts: Vec<LonLat> = refs
            .iter()
            .filter_map(|r| self.nodes.get(r).copied())
            .collect();
        if pts.is_empty() {
            return None;
        }
        let n = pts.len() as f64;
        Some(LonLat::new(
            pts.iter().map(|p| p.lon).sum::<f64>() / n,
            pts.iter().map(|p| p.lat).sum::<f64>() / n,
        ))
    }
}
