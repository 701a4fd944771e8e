//! Benchmark of the road network on the routing points:
//! `cargo run --release -p routing --bin routing-bench -- --points FILE --sizes 25,100,500,1000`
//!
//! Prints build and load times, the median point-to-point and snapping times, and one line per
//! matrix size: `matrix n=N ms=… mean_s=… unroutable=…` (median of 3 runs, departure at 03:00,
//! free flow, so the figures compare with OSRM's).

use anyhow::{bail, Context};
use routing::network::{measure_detour, ProfileId, RoadNetwork};
use routing::travel::LonLat;
use std::path::PathBuf;
use std::time::Instant;

const DEPART: u32 = 3 * 3600;

struct Args {
    points: PathBuf,
    sizes: Vec<usize>,
    pbf: PathBuf,
    profile: ProfileId,
    cache: PathBuf,
}

fn parse_args() -> anyhow::Result<Args> {
    let manifest = env!("CARGO_MANIFEST_DIR");
    let mut args = Args {
        points: PathBuf::from(format!("{manifest}/../data/routing/points-1000.csv")),
        sizes: vec![25, 100, 500, 1000],
        pbf: PathBuf::from(format!(
            "{manifest}/../data/osm/timisoara-2025-05-24.osm.pbf"
        )),
        profile: ProfileId::EmiuCar,
        cache: std::env::temp_dir().join("dispecer-routing-bench"),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().with_context(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--points" => args.points = value.into(),
            "--pbf" => args.pbf = value.into(),
            "--cache" => args.cache = value.into(),
            "--sizes" => {
                args.sizes = value
                    .split(',')
                    .map(|s| s.trim().parse::<usize>())
                    .collect::<Result<_, _>>()
                    .context("--sizes takes numbers like 25,100")?
            }
            "--profile" => {
                args.profile = match value.as_str() {
                    "emiu_car" => ProfileId::EmiuCar,
                    "van" => ProfileId::Van,
                    other => bail!("unknown profile {other}"),
                }
            }
            other => bail!("unknown flag {other}"),
        }
    }
    Ok(args)
}

fn read_points(path: &PathBuf) -> anyhow::Result<Vec<LonLat>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let mut points = Vec::new();
    for (i, line) in text.lines().enumerate().skip(1) {
        let mut parts = line.split(',');
        let (Some(lon), Some(lat)) = (parts.next(), parts.next()) else {
            bail!("line {}: expected lon,lat", i + 1);
        };
        points.push(LonLat::new(lon.trim().parse()?, lat.trim().parse()?));
    }
    Ok(points)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}

fn main() -> anyhow::Result<()> {
    let args = parse_args()?;
    let points = read_points(&args.points)?;
    let built = RoadNetwork::build(&args.pbf)?;
    let s = built.stats();
    println!(
        "build ms={:.0} parse_ms={:.0} graph_ms={:.0} contract_ms={:.0} (both profiles, 2 threads)",
        s.load_ms, s.parse_ms, s.graph_ms, s.contract_ms
    );
    println!(
        "graph segments={} edges={} routable_edges={} turns={} shortcuts={} label_entries={} clipped_ways={} restrictions_applied={} via_way={} restrictions_skipped={} turns_banned={}",
        s.segments, s.edges, s.routable_edges, s.turns, s.shortcuts, s.label_entries, s.clipped_ways,
        s.restrictions_applied, s.via_way_restrictions_applied, s.restrictions_skipped, s.turns_banned
    );
    drop(built);
    let _ = std::fs::remove_dir_all(&args.cache);
    let first = RoadNetwork::load(&args.pbf, Some(&args.cache))?;
    println!("load_cold_with_cache_write ms={:.0}", first.stats().load_ms);
    drop(first);
    let net = RoadNetwork::load(&args.pbf, Some(&args.cache))?;
    println!(
        "load_from_cache ms={:.0} from_cache={}",
        net.stats().load_ms,
        net.stats().from_cache
    );

    let profile = args.profile;
    // Snapping.
    let mut snap_ns = Vec::new();
    for _ in 0..5 {
        for p in &points {
            let t = Instant::now();
            std::hint::black_box(net.snap(*p));
            snap_ns.push(t.elapsed().as_nanos() as f64);
        }
    }
    println!("snap median_us={:.2}", median(snap_ns) / 1e3);
    // Point to point: i -> i+1.
    let snapped: Vec<_> = points.iter().map(|p| net.snap(*p)).collect();
    let mut p2p = Vec::new();
    let mut full = Vec::new();
    for i in 0..points.len() {
        let j = (i + 1) % points.len();
        if let (Some(a), Some(b)) = (&snapped[i], &snapped[j]) {
            let t = Instant::now();
            std::hint::black_box(net.duration_s(profile, a, b, DEPART));
            p2p.push(t.elapsed().as_nanos() as f64);
        }
        let t = Instant::now();
        std::hint::black_box(net.route(profile, points[i], points[j], DEPART));
        full.push(t.elapsed().as_nanos() as f64);
    }
    println!(
        "p2p median_us={:.2} (time only, snapped) route_median_us={:.2} (snap + geometry + streets)",
        median(p2p) / 1e3,
        median(full) / 1e3
    );
    for &n in &args.sizes {
        let n = n.min(points.len());
        let places = &points[..n];
        let mut runs = Vec::new();
        let mut last = None;
        for _ in 0..3 {
            let t = Instant::now();
            let m = net.matrix(profile, places, DEPART);
            runs.push(t.elapsed().as_secs_f64() * 1e3);
            last = Some(m);
        }
        let m = last.context("no run")?;
        let (mut sum, mut count, mut unroutable) = (0.0, 0usize, 0usize);
        for i in 0..n {
            for j in 0..n {
                if i == j {
                    continue;
                }
                let s = m.seconds(i, j);
                if s.is_finite() {
                    sum += s;
                    count += 1;
                } else {
                    unroutable += 1;
                }
            }
        }
        println!(
            "matrix n={n} ms={:.1} mean_s={:.1} unroutable={unroutable}",
            median(runs),
            sum / count.max(1) as f64
        );
    }
    let d = measure_detour(&net, profile, &points);
    println!(
        "detour median_factor={:.3} speed_kmh={:.1} pairs={}",
        d.median_factor, d.speed_kmh, d.pairs
    );
    Ok(())
}
