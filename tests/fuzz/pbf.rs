//! A small writer of OpenStreetMap PBF files (uncompressed blobs), enough to build extracts
//! with chosen nodes, ways, relations and tags for the reader's fuzz target. Format: a sequence
//! of (4-byte big-endian length, `BlobHeader`, `Blob`); each blob holds a `HeaderBlock` or a
//! `PrimitiveBlock` (see the OSM wiki's "PBF Format").

/// Protobuf encoding of the few wire types we need.
#[derive(Default)]
struct Msg(Vec<u8>);

fn varint(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let b = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(b);
            return;
        }
        out.push(b | 0x80);
    }
}

fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

impl Msg {
    fn uint(&mut self, field: u32, v: u64) -> &mut Self {
        varint(&mut self.0, u64::from(field) << 3);
        varint(&mut self.0, v);
        self
    }
    fn sint(&mut self, field: u32, v: i64) -> &mut Self {
        self.uint(field, zigzag(v))
    }
    fn bytes(&mut self, field: u32, b: &[u8]) -> &mut Self {
        varint(&mut self.0, (u64::from(field) << 3) | 2);
        varint(&mut self.0, b.len() as u64);
        self.0.extend_from_slice(b);
        self
    }
    fn packed_uint(&mut self, field: u32, vs: impl IntoIterator<Item = u64>) -> &mut Self {
        let mut b = Vec::new();
        for v in vs {
            varint(&mut b, v);
        }
        self.bytes(field, &b)
    }
    fn packed_sint(&mut self, field: u32, vs: impl IntoIterator<Item = i64>) -> &mut Self {
        self.packed_uint(field, vs.into_iter().map(zigzag))
    }
}

/// A node: id, position in nanodegrees / 100 (the default granularity), tags.
#[derive(Clone, Debug)]
pub struct Node {
    pub id: i64,
    pub lat: i64,
    pub lon: i64,
    pub tags: Vec<(String, String)>,
}

#[derive(Clone, Debug)]
pub struct Way {
    pub id: i64,
    pub refs: Vec<i64>,
    pub tags: Vec<(String, String)>,
}

/// A relation member: (type 0 node, 1 way, 2 relation — other values are malformed), id, role.
#[derive(Clone, Debug)]
pub struct Relation {
    pub id: i64,
    pub members: Vec<(u64, i64, String)>,
    pub tags: Vec<(String, String)>,
}

/// The contents of one data block.
#[derive(Clone, Debug, Default)]
pub struct Block {
    pub dense: Vec<Node>,
    pub nodes: Vec<Node>,
    pub ways: Vec<Way>,
    pub relations: Vec<Relation>,
}

/// Interns strings into a block's string table (index 0 is the empty string by convention).
struct Strings(Vec<String>);

impl Strings {
    fn id(&mut self, s: &str) -> u64 {
        if let Some(i) = self.0.iter().position(|x| x == s) {
            return i as u64;
        }
        self.0.push(s.to_owned());
        (self.0.len() - 1) as u64
    }
}

fn deltas(vs: impl IntoIterator<Item = i64>) -> Vec<i64> {
    let mut prev = 0i64;
    vs.into_iter()
        .map(|v| {
            let d = v.wrapping_sub(prev);
            prev = v;
            d
        })
        .collect()
}

fn primitive_block(block: &Block) -> Vec<u8> {
    let mut st = Strings(vec![String::new()]);
    let mut group = Msg::default();
    if !block.dense.is_empty() {
        let mut dense = Msg::default();
        dense.packed_sint(1, deltas(block.dense.iter().map(|n| n.id)));
        dense.packed_sint(8, deltas(block.dense.iter().map(|n| n.lat)));
        dense.packed_sint(9, deltas(block.dense.iter().map(|n| n.lon)));
        let mut kv = Vec::new();
        for n in &block.dense {
            for (k, v) in &n.tags {
                kv.push(st.id(k));
                kv.push(st.id(v));
            }
            kv.push(0);
        }
        dense.packed_uint(10, kv);
        group.bytes(2, &dense.0);
    }
    for n in &block.nodes {
        let mut m = Msg::default();
        m.sint(1, n.id);
        let (ks, vs): (Vec<u64>, Vec<u64>) =
            n.tags.iter().map(|(k, v)| (st.id(k), st.id(v))).unzip();
        m.packed_uint(2, ks)
            .packed_uint(3, vs)
            .sint(8, n.lat)
            .sint(9, n.lon);
        group.bytes(1, &m.0);
    }
    for w in &block.ways {
        let mut m = Msg::default();
        m.uint(1, w.id as u64);
        let (ks, vs): (Vec<u64>, Vec<u64>) =
            w.tags.iter().map(|(k, v)| (st.id(k), st.id(v))).unzip();
        m.packed_uint(2, ks)
            .packed_uint(3, vs)
            .packed_sint(8, deltas(w.refs.iter().copied()));
        group.bytes(3, &m.0);
    }
    for r in &block.relations {
        let mut m = Msg::default();
        m.uint(1, r.id as u64);
        let (ks, vs): (Vec<u64>, Vec<u64>) =
            r.tags.iter().map(|(k, v)| (st.id(k), st.id(v))).unzip();
        m.packed_uint(2, ks).packed_uint(3, vs);
        let roles: Vec<u64> = r.members.iter().map(|(_, _, role)| st.id(role)).collect();
        m.packed_uint(8, roles);
        m.packed_sint(9, deltas(r.members.iter().map(|(_, id, _)| *id)));
        m.packed_uint(10, r.members.iter().map(|(t, _, _)| *t));
        group.bytes(4, &m.0);
    }
    let mut table = Msg::default();
    for s in &st.0 {
        table.bytes(1, s.as_bytes());
    }
    let mut m = Msg::default();
    m.bytes(1, &table.0).bytes(2, &group.0);
    m.0
}

fn header_block() -> Vec<u8> {
    let mut m = Msg::default();
    m.bytes(4, b"OsmSchema-V0.6").bytes(4, b"DenseNodes");
    m.0
}

fn blob(out: &mut Vec<u8>, kind: &str, data: &[u8]) {
    let mut blob = Msg::default();
    blob.bytes(1, data).uint(2, data.len() as u64);
    let mut header = Msg::default();
    header
        .bytes(1, kind.as_bytes())
        .uint(3, blob.0.len() as u64);
    out.extend_from_slice(&(header.0.len() as u32).to_be_bytes());
    out.extend_from_slice(&header.0);
    out.extend_from_slice(&blob.0);
}

/// A whole file: the header blob, then one data blob per block.
pub fn file(blocks: &[Block]) -> Vec<u8> {
    let mut out = Vec::new();
    blob(&mut out, "OSMHeader", &header_block());
    for b in blocks {
        blob(&mut out, "OSMData", &primitive_block(b));
    }
    out
}
