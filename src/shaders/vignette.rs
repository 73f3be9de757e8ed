//! `vignette`: darken towards the corners by `1 − strength · r` (r = 0 at the centre, √2 at the
//! corners of the [-1, 1]² frame), never below `floor`.
//!
//! The radius map depends only on the frame size, so it is cached as one byte per channel byte
//! of the top half (the bottom half mirrors it); the per-frame work is a SIMD multiply, and
//! animating `strength` costs nothing extra.

use rayon::prelude::*;

use super::rows::{self, RowForm, RowKernel};
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
    /// This frame's darkening slope (8.8 fixed point, see `prepare_rows`).
    k: u16,
    /// This frame's radius clamp that implements the floor.
    q_clamp: u8,
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
    fn apply(&mut self, frame: &mut Frame, params: &[f32], ctx: &FrameCtx) {
        rows::apply_by_rows(self, frame, params, ctx);
    }

    fn row_form(&self) -> RowForm {
        RowForm::Pure
    }

    fn prepare_rows(
        &mut self,
        frame: &Frame,
        params: &[f32],
        _ctx: &FrameCtx,
    ) -> Option<&dyn RowKernel> {
        let (w, h) = util::dims(frame)?;
        let [strength, floor] = util::read::<2>(params, PARAMS);
        if strength == 0.0 {
            return None;
        }
        if self.size != (w, h) {
            self.build(w, h);
        }
        // factor = 1 − a·q with a = strength·√2/255, in 8.8 fixed point: f = 256 − (q·k + 128) >> 8.
        // Clamping q (not the factor) at the floor keeps every product inside u16.
        let k = (strength as f64 * std::f64::consts::SQRT_2 / Q_MAX * 65536.0).round() as u32;
        let q_floor = ((1.0 - floor as f64) * 65536.0 / k.max(1) as f64).floor() as u32;
        self.q_clamp = q_floor.min(255).min((65535 - 128) / k.max(1)) as u8;
        self.k = k as u16;
        Some(self)
    }
}

impl RowKernel for Vignette {
    fn shade(&self, rows: &mut [u8], y0: usize) {
        let (w, h) = self.size;
        let stride = w * 3;
        for (i, row) in rows.chunks_exact_mut(stride).enumerate() {
            // Row y and row h − 1 − y share a map row (the map holds the top half).
            let y = y0 + i;
            let m = &self.map[y.min(h - 1 - y) * stride..][..stride];
            shade(row, m, self.k, self.q_clamp);
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
