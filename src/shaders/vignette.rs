//! `vignette`: darken towards the corners by `1 − strength · r` (r = 0 at the centre, √2 at the
//! corners of the [-1, 1]² frame), never below `floor`.
//!
//! The radius map depends only on the frame size, so it is cached as one byte per channel byte
//! of the top half (the bottom half mirrors it); the per-frame work is a SIMD multiply, and
//! animating `strength` costs nothing extra.

use rayon::prelude::*;

use super::simd::multiversion;
use super::{Shader, ShaderSpec, util};
use crate::frame::{Frame, FrameCtx};
use crate::params::ParamSpec;

const PARAMS: &[ParamSpec] = &[
    ParamSpec::new(
        "strength",
        0.0,
        1.0,
        0.22,
        "darkening per unit of distance from the centre",
    ),
    ParamSpec::new(
        "floor",
        0.0,
        1.0,
        0.15,
        "lowest brightness factor (the corners never go darker)",
    ),
];

/// Registry entry.
pub(super) const SPEC: ShaderSpec = ShaderSpec {
    name: "vignette",
    doc: "darken towards the corners (cached radius map)",
    params: PARAMS,
    heavy: false,
    make: || Box::new(Vignette::default()),
};

/// Radius quantization: `q = r / √2 · 255`.
const Q_MAX: f64 = 255.0;

#[derive(Default)]
struct Vignette {
    /// `(width, height)` the map was built for.
    size: (usize, usize),
    /// Quantized radius for every byte of the top `ceil(h / 2)` rows.
    map: Vec<u8>,
}

impl Vignette {
    fn build(&mut self, w: usize, h: usize) {
        let stride = w * 3;
        let half = h.div_ceil(2);
        self.map.clear();
        self.map.resize(half * stride, 0);
        self.map
            .par_chunks_mut(stride)
            .enumerate()
            .for_each(|(y, row)| {
                let v = (y as f64 + 0.5) / h as f64 * 2.0 - 1.0;
                for (x, px) in row.chunks_exact_mut(3).enumerate() {
                    let u = (x as f64 + 0.5) / w as f64 * 2.0 - 1.0;
                    let q = ((u * u + v * v).sqrt() / std::f64::consts::SQRT_2 * Q_MAX).round();
                    px.fill(q.min(255.0) as u8);
                }
            });
        self.size = (w, h);
    }
}

impl Shader for Vignette {
    fn apply(&mut self, frame: &mut Frame, params: &[f32], _ctx: &FrameCtx) {
        let Some((w, h)) = util::dims(frame) else {
            return;
        };
        let [strength, floor] = util::read::<2>(params, PARAMS);
        if strength == 0.0 {
            return;
        }
        if self.size != (w, h) {
            self.build(w, h);
        }
        // factor = 1 − a·q with a = strength·√2/255, in 8.8 fixed point: f = 256 − (q·k + 128) >> 8.
        // Clamping q (not the factor) at the floor keeps every product inside u16.
        let k = (strength as f64 * std::f64::consts::SQRT_2 / Q_MAX * 65536.0).round() as u32;
        let q_floor = ((1.0 - floor as f64) * 65536.0 / k.max(1) as f64).floor() as u32;
        let q_clamp = q_floor.min(255).min((65535 - 128) / k.max(1)) as u8;
        let stride = w * 3;
        let map = &self.map;
        let rows = util::band_rows(w);
        let k = k as u16;
        // Row y and row h − 1 − y share a map row: shade them together so each map row is read
        // once while it is in L1 (a fifth less memory traffic than two separate passes).
        let half = h / 2;
        let (top, rest) = frame.data.split_at_mut(half * stride);
        let (middle, bottom) = rest.split_at_mut((h - 2 * half) * stride);
        top.par_chunks_mut(rows * stride)
            .zip(bottom.par_rchunks_mut(rows * stride))
            .enumerate()
            .for_each(|(b, (upper, lower))| {
                let lower_rows = lower.chunks_exact_mut(stride).rev();
                for (i, (up, down)) in upper.chunks_exact_mut(stride).zip(lower_rows).enumerate() {
                    let m = &map[(b * rows + i) * stride..][..stride];
                    shade(up, m, k, q_clamp);
                    shade(down, m, k, q_clamp);
                }
            });
        if !middle.is_empty() {
            shade(middle, &map[half * stride..][..stride], k, q_clamp);
        }
    }
}

multiversion! {
    fn shade(row: &mut [u8], q: &[u8], k: u16, q_clamp: u8) {
        for (p, &q) in row.iter_mut().zip(q) {
            let f = 256 - ((q.min(q_clamp) as u16 * k + 128) >> 8);
            *p = ((*p as u16 * f + 128) >> 8) as u8;
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::frame::Frame;
    use crate::shaders::test_util::{ctx, mean_all, run};

    fn grey(w: usize, h: usize) -> Frame {
        let mut f = Frame::new(w, h);
        f.data.fill(200);
        f
    }

    #[test]
    fn darkens_corners_more_than_the_centre() {
        let out = run("vignette", &grey(80, 60), &[0.5, 0.0], &ctx(0));
        let centre = mean_all(&out, 38, 42, 28, 32);
        let corner = mean_all(&out, 0, 4, 0, 4);
        assert!(centre > 190.0, "centre {centre}");
        assert!(corner < centre - 50.0, "corner {corner} vs centre {centre}");
        // Symmetric in both axes.
        for (x, y) in [(3, 5), (10, 20), (0, 0)] {
            let p = out.pixel(x, y);
            assert_eq!(p, out.pixel(79 - x, y));
            assert_eq!(p, out.pixel(x, 59 - y));
        }
    }

    #[test]
    fn matches_the_formula() {
        let out = run("vignette", &grey(101, 51), &[0.3, 0.0], &ctx(0));
        for (x, y) in [(50, 25), (0, 0), (100, 10), (70, 40)] {
            let u = (x as f64 + 0.5) / 101.0 * 2.0 - 1.0;
            let v = (y as f64 + 0.5) / 51.0 * 2.0 - 1.0;
            let expect = 200.0 * (1.0 - 0.3 * (u * u + v * v).sqrt());
            let got = out.pixel(x, y)[0] as f64;
            assert!((got - expect).abs() <= 1.5, "({x},{y}): {got} vs {expect}");
        }
    }

    #[test]
    fn floor_limits_the_darkening() {
        let out = run("vignette", &grey(64, 64), &[1.0, 0.5], &ctx(0));
        let corner = out.pixel(0, 0)[0];
        assert!((98..=102).contains(&corner), "corner {corner}");
        let zero = run("vignette", &grey(64, 64), &[0.0, 0.15], &ctx(0));
        assert_eq!(zero, grey(64, 64));
    }

    #[test]
    fn cache_follows_the_frame_size() {
        let spec = crate::shaders::test_util::spec("vignette");
        let mut s = (spec.make)();
        let c = ctx(0);
        let mut a = grey(40, 30);
        s.apply(&mut a, &[0.5, 0.0], &c);
        let mut b = grey(20, 10);
        s.apply(&mut b, &[0.5, 0.0], &c);
        assert_eq!(b, run("vignette", &grey(20, 10), &[0.5, 0.0], &c));
        assert!(b.pixel(0, 0)[0] < b.pixel(10, 5)[0]);
    }
}
