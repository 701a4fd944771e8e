//! The OpenStreetMap PBF reader and everything built from what it reads
//! (`RoadNetwork::build`: graph, turn restrictions, contraction, snapping, geocoder, map).
//! Inputs: small extracts written by `pbf` from generated nodes, ways and relations (tags from
//! the values the reader interprets, positions anywhere on or off the globe, references to
//! missing objects), then bytes flipped, cut or inserted; and the real extract's first blocks
//! with bytes changed. The build answers a network or an error; a network answers queries.

use proptest::prelude::*;
use routing::network::{ProfileId, RoadNetwork};
use routing::travel::LonLat;

use crate::gen::{apply_bytes, byte_edit, ByteEdit};
use crate::pbf::{self, Block, Node, Relation, Way};
use crate::runner::fuzz_with_default;

/// Timișoara's centre in the format's units (100 nanodegrees).
const LAT: i64 = 457_537_000;
const LON: i64 = 212_257_000;

fn tag() -> impl Strategy<Value = (String, String)> {
    let pairs: Vec<(&str, Vec<&str>)> = vec![
        (
            "highway",
            vec![
                "residential",
                "primary",
                "secondary",
                "service",
                "footway",
                "motorway",
                "living_street",
                "traffic_signals",
                "",
                "bogus",
            ],
        ),
        ("oneway", vec!["yes", "-1", "no", "reverse", "1", "maybe"]),
        ("junction", vec!["roundabout", "circular"]),
        (
            "maxspeed",
            vec![
                "50",
                "30 mph",
                "walk",
                "none",
                "-5",
                "1e400",
                "RO:urban",
                "0",
                "",
                "99999999999999999999",
            ],
        ),
        ("access", vec!["no", "private", "yes", "destination"]),
        ("motor_vehicle", vec!["no", "yes"]),
        ("area", vec!["yes"]),
        ("service", vec!["parking_aisle", "driveway"]),
        (
            "name",
            vec!["Strada Exemplu", "Bulevardul Revoluției", "", "ș"],
        ),
        ("addr:street", vec!["Strada Exemplu", ""]),
        ("addr:place", vec!["Sat"]),
        ("addr:housenumber", vec!["1", "12A", "", "1-3"]),
        ("place", vec!["suburb", "village"]),
        ("amenity", vec!["hospital", "pharmacy"]),
        ("type", vec!["restriction", "route"]),
        (
            "restriction",
            vec!["no_left_turn", "only_straight_on", "no_u_turn", "bogus"],
        ),
        ("restriction:motorcar", vec!["no_right_turn"]),
        ("except", vec!["motorcar", "bicycle;motorcar"]),
    ];
    prop_oneof![
        9 => prop::sample::select(pairs).prop_flat_map(|(k, vs)| {
            prop::sample::select(vs).prop_map(move |v| (k.to_owned(), v.to_owned()))
        }),
        1 => ("\\PC{0,12}", "\\PC{0,12}"),
    ]
}

fn position() -> impl Strategy<Value = (i64, i64)> {
    prop_oneof![
        8 => (-20_000i64..20_000, -20_000i64..20_000).prop_map(|(a, b)| (LAT + a * 10, LON + b * 10)),
        1 => (-900_000_000i64..=900_000_000, -1_800_000_000i64..=1_800_000_000),
        1 => (any::<i64>(), any::<i64>()),
    ]
}

fn node(ids: i64) -> impl Strategy<Value = Node> {
    (1..=ids, position(), prop::collection::vec(tag(), 0..3))
        .prop_map(|(id, (lat, lon), tags)| Node { id, lat, lon, tags })
}

fn way(ids: i64) -> impl Strategy<Value = Way> {
    (
        1..=ids,
        prop::collection::vec(prop_oneof![9 => 1..=ids, 1 => any::<i64>()], 0..8),
        prop::collection::vec(tag(), 0..5),
    )
        .prop_map(|(id, refs, mut tags)| {
            if !tags.iter().any(|(k, _)| k == "highway") {
                tags.push(("highway".into(), "residential".into()));
            }
            Way { id, refs, tags }
        })
}

fn relation(ids: i64) -> impl Strategy<Value = Relation> {
    let member = (
        prop_oneof![5 => 0u64..3, 1 => any::<u64>()],
        1..=ids,
        prop::sample::select(vec!["from", "via", "to", "", "inner"]).prop_map(str::to_owned),
    );
    (
        1..=ids,
        prop::collection::vec(member, 0..5),
        prop::collection::vec(tag(), 0..4),
    )
        .prop_map(|(id, members, mut tags)| {
            tags.push(("type".into(), "restriction".into()));
            Relation { id, members, tags }
        })
}

fn block() -> impl Strategy<Value = Block> {
    let ids = 40;
    (
        prop::collection::vec(node(ids), 0..40),
        prop::collection::vec(node(ids), 0..4),
        prop::collection::vec(way(ids), 0..12),
        prop::collection::vec(relation(ids), 0..4),
    )
        .prop_map(|(dense, nodes, ways, relations)| Block {
            dense,
            nodes,
            ways,
            relations,
        })
}

#[derive(Clone, Debug)]
enum Extract {
    Written {
        blocks: Vec<Block>,
        bytes: Vec<ByteEdit>,
    },
    /// The real extract's first `blobs` blobs, then byte edits.
    Real { blobs: usize, bytes: Vec<ByteEdit> },
}

fn extract() -> impl Strategy<Value = Extract> {
    let edits = prop_oneof![3 => Just(Vec::new()), 2 => prop::collection::vec(byte_edit(), 1..6)];
    prop_oneof![
        8 => (prop::collection::vec(block(), 0..3), edits.clone())
            .prop_map(|(blocks, bytes)| Extract::Written { blocks, bytes }),
        1 => (1usize..3, edits).prop_map(|(blobs, bytes)| Extract::Real { blobs, bytes }),
    ]
}

fn read_varint(b: &[u8], at: &mut usize) -> u64 {
    let mut v = 0u64;
    for shift in (0..64).step_by(7) {
        let Some(byte) = b.get(*at) else { break };
        *at += 1;
        v |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            break;
        }
    }
    v
}

/// The first `n` blobs of the real extract (each: 4-byte length, header, blob of the header's
/// `datasize`, field 3).
fn real_prefix(real: &[u8], n: usize) -> Vec<u8> {
    let mut at = 0;
    for _ in 0..n {
        let Some(len) = real.get(at..at + 4) else {
            break;
        };
        let header_len = u32::from_be_bytes([len[0], len[1], len[2], len[3]]) as usize;
        let header = &real[at + 4..at + 4 + header_len];
        let (mut i, mut size) = (0, 0);
        while i < header.len() {
            let key = read_varint(header, &mut i);
            match key & 7 {
                0 if key >> 3 == 3 => size = read_varint(header, &mut i) as usize,
                0 => {
                    read_varint(header, &mut i);
                }
                2 => i += read_varint(header, &mut i) as usize,
                _ => break,
            }
        }
        at += 4 + header_len + size;
    }
    real[..at.min(real.len())].to_vec()
}

#[test]
fn fuzz_osm_extracts() {
    let real = std::fs::read("data/osm/timisoara-2025-05-24.osm.pbf").expect("the shipped extract");
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("fuzz.osm.pbf");
    fuzz_with_default("osm_reader", 64, extract(), |e| {
        let bytes = match &e {
            Extract::Written { blocks, bytes } => apply_bytes(pbf::file(blocks), bytes),
            Extract::Real { blobs, bytes } => apply_bytes(real_prefix(&real, *blobs), bytes),
        };
        std::fs::write(&path, bytes).expect("write");
        if let Ok(net) = RoadNetwork::build(&path) {
            let a = LonLat::new(21.2257, 45.7537);
            let b = LonLat::new(21.23, 45.75);
            for profile in ProfileId::ALL {
                let _ = net.route(profile, a, b, 8 * 3600);
                let _ = net.matrix(profile, &[a, b], 8 * 3600);
            }
            let _ = net.geocode("Strada Exemplu 1", 5);
            let _ = net.reverse(a);
            let _ = net.map_geojson(0);
        }
        Ok(())
    });
}

#[test]
fn an_extract_whose_coordinates_overflow_is_refused_or_read_without_them() {
    // Found by `osm_reader`: the PBF decoder multiplied a node's longitude by the granularity
    // without overflow checks and panicked (debug) or wrapped (release).
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("overflow.osm.pbf");
    let node = |id, lat, lon| Node {
        id,
        lat,
        lon,
        tags: Vec::new(),
    };
    let block = Block {
        dense: vec![
            node(1, 0, -92_233_720_368_547_759),
            node(2, LAT, LON),
            node(3, LAT + 10_000, LON),
        ],
        ways: vec![Way {
            id: 1,
            refs: vec![1, 2, 3],
            tags: vec![("highway".into(), "residential".into())],
        }],
        ..Block::default()
    };
    std::fs::write(&path, pbf::file(&[block])).expect("write");
    match RoadNetwork::build(&path) {
        Ok(net) => {
            assert!(net.snap(LonLat::new(21.2257, 45.7537)).is_some() || net.stats().edges <= 2)
        }
        Err(e) => assert!(e.to_string().contains("malformed"), "{e:#}"),
    }
}

#[test]
fn a_way_jumping_across_the_globe_builds_a_network_that_answers() {
    // Found by `osm_reader`: a parking aisle from (0, 0) to Timișoara made one edge of about a
    // thousand hours, and adding its turn penalty overflowed the 32-bit weight.
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("jump.osm.pbf");
    let block = Block {
        dense: vec![Node {
            id: 15,
            lat: 0,
            lon: 0,
            tags: Vec::new(),
        }],
        nodes: vec![Node {
            id: 40,
            lat: LAT,
            lon: LON,
            tags: Vec::new(),
        }],
        ways: vec![Way {
            id: 1,
            refs: vec![40, 15],
            tags: vec![
                ("service".into(), "parking_aisle".into()),
                ("highway".into(), "residential".into()),
            ],
        }],
        ..Block::default()
    };
    std::fs::write(&path, pbf::file(&[block])).expect("write");
    let net = RoadNetwork::build(&path).expect("a network");
    let a = LonLat::new(21.2257, 45.7537);
    for profile in ProfileId::ALL {
        let _ = net.route(profile, a, LonLat::new(0.0, 0.0), 8 * 3600);
    }
}
