//! `crt`: barrel distortion of a curved CRT screen. The output point `(u, v)` (in [-1, 1]²)
//! samples the source at `u' = u·(1 + k(u² + v²))`, `v' = v·(1 + k(u'² + v²))`: the classic
//! `p·(1 + k·|p|²)` barrel, with the vertical term taken at the displaced column so that the
//! warp splits into a vertical and a horizontal 1-D bilinear pass, each a few SIMD blends per
//! row (see `remap::sample_row_separable`), instead of a per-pixel four-tap gather. Samples beyond the picture are black, so the corners round off,
//! antialiased by treating outside taps as black.
//!
//! The coordinates are separable into per-column and per-row terms (`sx = U[x]·a[y] + C[x]`,
//! `sy = A[y] + B[y]·K[x']`), so the "remap table" is O(width + height) floats, rebuilt per
//! frame for free, and a modulated strength costs nothing extra.

use rayon::prelude::*;

use super::remap::{self, FRAC_BITS, Rows};
use super::simd::multiversion;
use super::{Shader, ShaderSpec, util};
use crate::frame::{Frame, FrameCtx};
use crate::params::ParamSpec;

const PARAMS: &[ParamSpec] = &[ParamSpec::new(
    "strength",
    0.0,
    0.5,
    0.05,
    "barrel curvature k in 1 + k·r² (0 = flat)",
)];

/// Registry entry.
pub(super) const SPEC: ShaderSpec = ShaderSpec {
    name: "crt",
    doc: "curved-screen barrel distortion with black rounded corners",
    params: PARAMS,
    heavy: false,
    make: || Box::new(Crt::default()),
};

#[derive(Default)]
struct Crt {
    /// Per-column terms: `U`, `C`, `K`.
    cols: Vec<[f32; 3]>,
    /// Per-row terms: `a`, `A`, `B`.
    rows: Vec<[f32; 3]>,
    /// Per-band sample coordinates (`sx` then `sy`) and resampling scratch.
    coords: Vec<i32>,
    scratch: Vec<remap::SepScratch>,
    /// Output buffer, swapped with the frame's.
    out: Vec<u8>,
}

impl Crt {
    /// Build the separable terms for strength `k`. With `u` the normalized column coordinate,
    /// `v` the row one: `sx = u·(1 + k v²)·w/2 + (k u³·w/2 + w/2 − ½)` and
    /// `sy = (v (1 + k v²)·h/2 + h/2 − ½) + v·h/2 · k u²`, in 8-bit fixed point.
    fn build(&mut self, w: usize, h: usize, k: f64) {
        let norm = |i: usize, n: usize| (i as f64 + 0.5) / n as f64 * 2.0 - 1.0;
        let (hw, hh) = (w as f64 / 2.0, h as f64 / 2.0);
        let f = (1 << FRAC_BITS) as f64;
        self.cols.clear();
        self.cols.extend((0..w).map(|x| {
            let u = norm(x, w);
            [
                (u * hw * f) as f32,
                ((k * u * u * u * hw + hw - 0.5) * f) as f32,
                (k * u * u) as f32,
            ]
        }));
        self.rows.clear();
        self.rows.extend((0..h).map(|y| {
            let v = norm(y, h);
            [
                (1.0 + k * v * v) as f32,
                ((v * (1.0 + k * v * v) * hh + hh - 0.5) * f) as f32,
                (v * hh * f) as f32,
            ]
        }));
    }
}

impl Shader for Crt {
    fn apply(&mut self, frame: &mut Frame, params: &[f32], _ctx: &FrameCtx) {
        let Some((w, h)) = util::dims(frame) else {
            return;
        };
        let [k] = util::read::<1>(params, PARAMS);
        if k == 0.0 {
            return;
        }
        self.build(w, h, k as f64);
        let stride = w * 3;
        let band = util::band_rows(w);
        let bands = h.div_ceil(band);
        util::ensure_len(&mut self.out, frame.data.len());
        util::ensure_len(&mut self.coords, bands * 2 * w);
        self.scratch.resize_with(bands, Default::default);
        let (src, cols, rows) = (&frame.data, &self.cols, &self.rows);
        self.out
            .par_chunks_mut(band * stride)
            .zip(self.coords.par_chunks_mut(2 * w))
            .zip(self.scratch.par_iter_mut())
            .enumerate()
            .for_each(|(b, ((out, coords), scratch))| {
                let (sx, sy) = coords.split_at_mut(w);
                for (i, row) in out.chunks_exact_mut(stride).enumerate() {
                    coordinates(sx, sy, cols, rows[b * band + i]);
                    remap::sample_row_separable(src, w, h, sx, Rows::PerColumn(sy), row, scratch);
                }
            });
        std::mem::swap(&mut frame.data, &mut self.out);
    }
}

multiversion! {
    fn coordinates(sx: &mut [i32], sy: &mut [i32], cols: &[[f32; 3]], row: [f32; 3]) {
        let [a, ay, by] = row;
        for ((x, y), &[u, c, kx]) in sx.iter_mut().zip(sy.iter_mut()).zip(cols) {
            *x = util::round_i32(u * a + c);
            *y = util::round_i32(ay + by * kx);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::frame::Frame;
    use crate::shaders::test_util::{ctx, mean_all, run, test_frame};

    fn white(w: usize, h: usize) -> Frame {
        let mut f = Frame::new(w, h);
        f.data.fill(255);
        f
    }

    #[test]
    fn corners_go_black_and_centre_stays() {
        let out = run("crt", &white(80, 60), &[0.2], &ctx(0));
        assert_eq!(out.pixel(0, 0), [0, 0, 0]);
        assert_eq!(out.pixel(79, 59), [0, 0, 0]);
        assert_eq!(out.pixel(40, 30), [255, 255, 255]);
        // The edge midpoints are pushed out less than the corners.
        assert!(mean_all(&out, 0, 2, 28, 32) < 255.0);
        assert!(mean_all(&out, 38, 42, 0, 2) < 255.0);
        for (x, y) in [(2, 2), (10, 7), (0, 30)] {
            assert_eq!(
                out.pixel(x, y),
                out.pixel(79 - x, 59 - y),
                "point symmetry at ({x},{y})"
            );
        }
    }

    #[test]
    fn pulls_content_towards_the_centre() {
        // A vertical white line 4 px right of the centre moves outwards.
        let mut f = Frame::new(81, 41);
        for y in 0..41 {
            f.data[(y * 81 + 60) * 3..][..3].fill(255);
        }
        let out = run("crt", &f, &[0.3], &ctx(0));
        let row: Vec<u8> = (0..81).map(|x| out.pixel(x, 20)[0]).collect();
        let peak = (0..81).max_by_key(|&x| row[x]).unwrap();
        assert!(
            peak < 60 && peak > 50,
            "line should move towards the centre in the output: {peak}"
        );
        assert_eq!(run("crt", &f, &[0.0], &ctx(0)), f);
    }

    #[test]
    fn keeps_the_frame_size_and_reuses_its_buffer() {
        let spec = crate::shaders::test_util::spec("crt");
        let mut s = (spec.make)();
        for (w, h) in [(30, 20), (31, 7), (30, 20)] {
            let mut f = test_frame(w, h);
            s.apply(&mut f, &[0.1], &ctx(0));
            assert_eq!(f.data.len(), w * h * 3);
            assert_eq!(f, run("crt", &test_frame(w, h), &[0.1], &ctx(0)));
        }
    }
}
