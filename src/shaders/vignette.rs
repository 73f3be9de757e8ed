//! `vignette`: darken towards the corners by `1 − strength · r` (r = 0 at the centre, √2 at the
//! corners of the [-1, 1]² frame), never below `floor`.
//!
//! The radius map depends only on the frame size, so it is cached, one byte per 2×2 pixel block
//! (the radius moves by a quarter of a level per pixel, so the blocks are invisible, and the
//! 0.5 MB map stays in cache where a per-byte one cost more than the multiply); each row pair
//! expands its map row to channel bytes, and the per-frame work is a SIMD multiply. Animating
//! `strength` costs nothing extra.

use rayon::prelude::*;

use super::rows::{self, RowForm, RowKernel};
use super::simd::multiversion;
use super::{Shader, ShaderSpec, kernels, util};
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
    /// Quantized radius at the centre of every 2×2 pixel block, `ceil(w / 2)` per block row.
    map: Vec<u8>,
    /// This frame's darkening slope (8.8 fixed point, see `prepare_rows`).
    k: u16,
    /// This frame's radius clamp that implements the floor.
    q_clamp: u8,
}

/// Spare bytes after a map row and an expanded row, for the wide expansion stores.
const SLACK: usize = 64;

thread_local! {
    /// Per worker: one block row expanded to every channel byte of a pixel row, and its
    /// brightness factors.
    static ROW: std::cell::RefCell<(Vec<u8>, Vec<u16>)> =
        const { std::cell::RefCell::new((Vec::new(), Vec::new())) };
}

impl Vignette {
    fn build(&mut self, w: usize, h: usize) {
        let (bw, bh) = (w.div_ceil(2), h.div_ceil(2));
        self.map.clear();
        self.map.resize(bh * bw + SLACK, 0);
        self.map[..bh * bw]
            .par_chunks_mut(bw)
            .enumerate()
            .for_each(|(by, row)| {
                let v = (2 * by + 1) as f64 / h as f64 * 2.0 - 1.0;
                for (bx, q) in row.iter_mut().enumerate() {
                    let u = (2 * bx + 1) as f64 / w as f64 * 2.0 - 1.0;
                    let r = (u * u + v * v).sqrt() / std::f64::consts::SQRT_2;
                    *q = (r * Q_MAX).round().min(255.0) as u8;
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
        let (w, _) = self.size;
        let (stride, bw) = (w * 3, w.div_ceil(2));
        ROW.with_borrow_mut(|(q, f)| {
            util::ensure_len(q, 6 * bw + SLACK);
            util::ensure_len(f, stride);
            // Bands start on even rows, so row pairs are block rows: the factors are worked
            // out once per pair.
            for (i, pair) in rows.chunks_mut(2 * stride).enumerate() {
                let by = y0 / 2 + i;
                kernels::expand6(q, &self.map[by * bw..], bw);
                factors(f, &q[..stride], self.k, self.q_clamp);
                for row in pair.chunks_exact_mut(stride) {
                    scale(row, f);
                }
            }
        });
    }
}

multiversion! {
    /// Brightness factors (8.8 fixed point) of quantized radii.
    fn factors(f: &mut [u16], q: &[u8], k: u16, q_clamp: u8) {
        for (f, &q) in f.iter_mut().zip(q) {
            *f = 256 - ((q.min(q_clamp) as u16 * k + 128) >> 8);
        }
    }
}

multiversion! {
    fn scale(row: &mut [u8], f: &[u16]) {
        for (p, &f) in row.iter_mut().zip(f) {
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
            // the radius is taken at the centre of the pixel's 2×2 block
            let u = (2 * (x / 2) + 1) as f64 / 101.0 * 2.0 - 1.0;
            let v = (2 * (y / 2) + 1) as f64 / 51.0 * 2.0 - 1.0;
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
