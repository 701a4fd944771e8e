//! Small geometry helpers: great-circle distance and a local flat projection.
//!
//! The extract spans about 15 km, so an equirectangular projection around its centre is exact to
//! well under a metre; every geometric computation (snapping, turn angles, simplification) works
//! in these local metres, and only the public API speaks WGS84.

use crate::travel::LonLat;
use serde::{Deserialize, Serialize};

const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// Great-circle distance in metres (haversine).
pub fn haversine_m(a: LonLat, b: LonLat) -> f64 {
    let (la1, la2) = (a.lat.to_radians(), b.lat.to_radians());
    let dlat = la2 - la1;
    let dlon = (b.lon - a.lon).to_radians();
    let h = (dlat / 2.0).sin().powi(2) + la1.cos() * la2.cos() * (dlon / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * h.sqrt().asin()
}

/// Equirectangular projection around a fixed centre, in metres east/north of it.
#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
pub(crate) struct Projection {
    lon0: f64,
    lat0: f64,
    kx: f64,
    ky: f64,
}

impl Projection {
    pub(crate) fn around(centre: LonLat) -> Self {
        let ky = EARTH_RADIUS_M.to_radians_factor();
        Self {
            lon0: centre.lon,
            lat0: centre.lat,
            kx: ky * centre.lat.to_radians().cos(),
            ky,
        }
    }

    pub(crate) fn to_xy(self, p: LonLat) -> [f64; 2] {
        [(p.lon - self.lon0) * self.kx, (p.lat - self.lat0) * self.ky]
    }

    pub(crate) fn to_lonlat(self, xy: [f64; 2]) -> LonLat {
        LonLat::new(xy[0] / self.kx + self.lon0, xy[1] / self.ky + self.lat0)
    }
}

/// A Morton (Z-order) key of a point in local metres: points close on the map mostly get
/// close keys, which is what lays out the hierarchy's nodes for the cache.
pub(crate) fn z_order_key(xy: [f64; 2]) -> u64 {
    // 1 m cells over ±500 km; the extract spans ±10 km around the centre.
    let cell = |v: f64| (v + 500_000.0).clamp(0.0, 1_048_575.0) as u64;
    let spread = |mut v: u64| {
        v &= 0xF_FFFF;
        v = (v | (v << 16)) & 0x0000_FFFF_0000_FFFF;
        v = (v | (v << 8)) & 0x00FF_00FF_00FF_00FF;
        v = (v | (v << 4)) & 0x0F0F_0F0F_0F0F_0F0F;
        v = (v | (v << 2)) & 0x3333_3333_3333_3333;
        (v | (v << 1)) & 0x5555_5555_5555_5555
    };
    spread(cell(xy[0])) | (spread(cell(xy[1])) << 1)
}

trait RadiansFactor {
    fn to_radians_factor(self) -> f64;
}

impl RadiansFactor for f64 {
    /// Metres per degree along a great circle of this radius.
    fn to_radians_factor(self) -> f64 {
        self * std::f64::consts::PI / 180.0
    }
}

/// Closest point to `p` on the segment `a`–`b`: the parameter `t` in `0..=1` and the squared
/// distance.
pub(crate) fn project_on_segment(p: [f64; 2], a: [f64; 2], b: [f64; 2]) -> (f64, f64) {
    let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
    let len2 = dx * dx + dy * dy;
    let t = if len2 > 0.0 {
        (((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let (qx, qy) = (a[0] + t * dx, a[1] + t * dy);
    let d2 = (p[0] - qx).powi(2) + (p[1] - qy).powi(2);
    (t, d2)
}

pub(crate) fn dist_xy(a: [f64; 2], b: [f64; 2]) -> f64 {
    ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_degree_of_latitude_is_about_111_km() {
        let d = haversine_m(LonLat::new(21.2, 45.7), LonLat::new(21.2, 46.7));
        assert!((d - 111_195.0).abs() < 50.0, "{d}");
    }

    #[test]
    fn projection_agrees_with_haversine_across_the_city() {
        let proj = Projection::around(LonLat::new(21.2, 45.75));
        let (a, b) = (LonLat::new(21.12, 45.71), LonLat::new(21.28, 45.79));
        let flat = dist_xy(proj.to_xy(a), proj.to_xy(b));
        assert!((flat - haversine_m(a, b)).abs() < 5.0);
        let back = proj.to_lonlat(proj.to_xy(a));
        assert!((back.lon - a.lon).abs() < 1e-9 && (back.lat - a.lat).abs() < 1e-9);
    }
}
