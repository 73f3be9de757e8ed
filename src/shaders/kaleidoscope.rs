//! `kaleidoscope`: fold the picture's angle around the centre into `folds` mirrored wedges.
//!
//! Per pixel: polar angle, fold into one half-wedge, rotate, take the nearest source pixel
//! (out-of-frame samples reflect back in, so the corners stay filled). Polynomial
//! `atan2`/`sin`/`cos` keep the coordinate pass a straight SIMD loop, so rotation and fold count
//! can be animated every frame with no remap table to rebuild. Nearest sampling keeps the shader
//! inside its time budget; a bilinear gather costs about three times as much here.

use std::f32::consts::{FRAC_PI_2, PI, TAU};

use rayon::prelude::*;

use super::remap::{self, FRAC_BITS};
use super::simd::multiversion;
use super::{Shader, ShaderSpec, util};
use crate::frame::{Frame, FrameCtx};
use crate::params::ParamSpec;

const PARAMS: &[ParamSpec] = &[
    ParamSpec::new(
        "folds",
        1.0,
        16.0,
        6.0,
        "number of mirrored wedge pairs around the centre",
    ),
    ParamSpec::new(
        "angle",
        0.0,
        1.0,
        0.0,
        "rotation of the sampled wedge, in turns",
    ),
];

/// Registry entry.
pub(super) const SPEC: ShaderSpec = ShaderSpec {
    name: "kaleidoscope",
    doc: "polar fold into mirrored wedges around the centre",
    params: PARAMS,
    heavy: true,
    make: || Box::new(Kaleidoscope::default()),
};

/// Output tile width (the tile height is the band height).
const TILE: usize = 128;

#[derive(Default)]
struct Kaleidoscope {
    /// Horizontal offset of each column's centre from the frame centre.
    dx: Vec<f32>,
    /// Per band: sample coordinates (`sx`, `sy`) and packed output pixels.
    coords: Vec<i32>,
    words: Vec<Vec<u32>>,
    out: Vec<u8>,
}

/// Frame-wide constants of the fold.
#[derive(Clone, Copy)]
struct Fold {
    seg: f32,
    inv_seg: f32,
    rot_cos: f32,
    rot_sin: f32,
    cx: f32,
    cy: f32,
    max_x: f32,
    max_y: f32,
    inv_period_x: f32,
    inv_period_y: f32,
}

impl Shader for Kaleidoscope {
    fn apply(&mut self, frame: &mut Frame, params: &[f32], _ctx: &FrameCtx) {
        let Some((w, h)) = util::dims(frame) else {
            return;
        };
        if w < 2 || h < 2 {
            return;
        }
        let [folds, angle] = util::read::<2>(params, PARAMS);
        let folds = util::int_param(folds, 1, 16) as f32;
        let rot = angle * TAU;
        let fold = Fold {
            seg: TAU / folds,
            inv_seg: folds / TAU,
            rot_cos: rot.cos(),
            rot_sin: rot.sin(),
            cx: w as f32 / 2.0,
            cy: h as f32 / 2.0,
            max_x: (w - 1) as f32,
            max_y: (h - 1) as f32,
            inv_period_x: 0.5 / (w - 1) as f32,
            inv_period_y: 0.5 / (h - 1) as f32,
        };
        self.dx.clear();
        self.dx.extend((0..w).map(|x| x as f32 + 0.5 - fold.cx));
        let stride = w * 3;
        let band = util::band_rows(w);
        let bands = h.div_ceil(band);
        util::ensure_len(&mut self.out, frame.data.len());
        util::ensure_len(&mut self.coords, bands * 2 * TILE * band);
        self.words.resize_with(bands, Vec::new);
        let (src, dx) = (&frame.data, &self.dx);
        self.out
            .par_chunks_mut(band * stride)
            .zip(self.coords.par_chunks_mut(2 * TILE * band))
            .zip(self.words.par_iter_mut())
            .enumerate()
            .for_each(|(b, ((out, coords), words))| {
                let n = out.len() / stride;
                let (sx, sy) = coords.split_at_mut(TILE * band);
                // Tile by tile: a tile's sources form one compact rotated patch, which stays in
                // cache and TLB; whole rows would sweep across hundreds of source rows (pages)
                // per row and make every sample a miss.
                for x0 in (0..w).step_by(TILE) {
                    let x1 = (x0 + TILE).min(w);
                    let tw = x1 - x0;
                    let (sx, sy) = (&mut sx[..tw * n], &mut sy[..tw * n]);
                    let dy0 = (b * band) as f32 + 0.5 - fold.cy;
                    coordinates(sx, sy, &dx[x0..x1], dy0, fold);
                    let coords = sx.chunks_exact(tw).zip(sy.chunks_exact(tw));
                    for (row, (sx, sy)) in out.chunks_exact_mut(stride).zip(coords) {
                        remap::nearest_row(src, w, h, sx, sy, &mut row[3 * x0..3 * x1], words);
                    }
                }
            });
        std::mem::swap(&mut frame.data, &mut self.out);
    }
}

multiversion! {
    /// Sample coordinates of a tile: `sx`/`sy` hold consecutive rows of `dx.len()` pixels, the
    /// first at vertical offset `dy0` from the centre. One call per tile amortizes the
    /// constant setup of the vector loop.
    fn coordinates(sx: &mut [i32], sy: &mut [i32], dx: &[f32], dy0: f32, f: Fold) {
        let half = f.seg / 2.0;
        let scale = (1 << FRAC_BITS) as f32;
        let rows = sx.chunks_exact_mut(dx.len()).zip(sy.chunks_exact_mut(dx.len()));
        for (k, (sx, sy)) in rows.enumerate() {
            let dy = dy0 + k as f32;
            coordinate_row(sx, sy, dx, dy, half, scale, f);
        }
    }
}

/// One row of [`coordinates`].
#[inline(always)]
fn coordinate_row(
    sx: &mut [i32],
    sy: &mut [i32],
    dx: &[f32],
    dy: f32,
    half: f32,
    scale: f32,
    f: Fold,
) {
    {
        for ((x, y), &dx) in sx.iter_mut().zip(sy.iter_mut()).zip(dx) {
            let r = (dx * dx + dy * dy).sqrt();
            // Angle folded into [0, half]: the first half of every wedge is kept, the second
            // half mirrors it.
            let a = atan2(dy, dx);
            let t = a - f.seg * (a * f.inv_seg).floor();
            let phi = half - (t - half).abs();
            let (s, c) = sin_cos(phi);
            let ux = c * f.rot_cos - s * f.rot_sin;
            let uy = c * f.rot_sin + s * f.rot_cos;
            *x = util::round_i32(reflect(f.cx - 0.5 + r * ux, f.max_x, f.inv_period_x) * scale);
            *y = util::round_i32(reflect(f.cy - 0.5 + r * uy, f.max_y, f.inv_period_y) * scale);
        }
    }
}

/// Mirror `p` back into `[0, max]` (period `2·max`, `inv_period` its reciprocal).
#[inline(always)]
fn reflect(p: f32, max: f32, inv_period: f32) -> f32 {
    let period = 2.0 * max;
    let m = p - period * (p * inv_period).floor();
    m.min(period - m)
}

/// `atan2(y, x)` in `(-π, π]`, error below 2e-6 rad, branch-free (odd minimax polynomial of
/// degree 11 for atan on [0, 1]).
#[inline(always)]
fn atan2(y: f32, x: f32) -> f32 {
    let (ax, ay) = (x.abs(), y.abs());
    let (lo, hi) = (ax.min(ay), ax.max(ay));
    let a = if hi > 0.0 { lo / hi } else { 0.0 };
    let s = a * a;
    let mut r = a
        * (0.999_977_2
            + s * (-0.332_622_8
                + s * (0.193_540_22
                    + s * (-0.116_426_08 + s * (0.052_646_89 - 0.011_718_949 * s)))));
    r = if ay > ax { FRAC_PI_2 - r } else { r };
    r = if x < 0.0 { PI - r } else { r };
    if y < 0.0 { -r } else { r }
}

/// `(sin θ, cos θ)` for θ in `[0, π]`, error below 1e-5.
#[inline(always)]
fn sin_cos(theta: f32) -> (f32, f32) {
    // With z = θ − π/2 in [−π/2, π/2]: sin θ = cos z and cos θ = −sin z (Taylor, degree 10/9;
    // coefficients written as products, since x / c is not rewritten as x · (1/c)).
    let z = theta - FRAC_PI_2;
    let z2 = z * z;
    let sin_z = z
        * (1.0
            + z2 * (-1.0 / 6.0
                + z2 * (1.0 / 120.0 + z2 * (-1.0 / 5040.0 + z2 * (1.0 / 362_880.0)))));
    let cos_z = 1.0
        + z2 * (-0.5
            + z2 * (1.0 / 24.0
                + z2 * (-1.0 / 720.0 + z2 * (1.0 / 40_320.0 - z2 * (1.0 / 3_628_800.0)))));
    (cos_z, -sin_z)
}

#[cfg(test)]
mod tests {
    use super::{atan2, reflect, sin_cos};
    use crate::shaders::test_util::{ctx, diff_count, run, test_frame};

    #[test]
    fn polynomial_trig_is_accurate() {
        for i in -200..=200 {
            for j in [-3.0f32, -0.5, 0.0, 0.7, 2.0] {
                let (y, x) = (i as f32 * 0.013, j);
                assert!((atan2(y, x) - y.atan2(x)).abs() < 1e-5, "atan2({y}, {x})");
            }
            let t = (i + 200) as f32 / 400.0 * std::f32::consts::PI;
            let (s, c) = sin_cos(t);
            assert!(
                (s - t.sin()).abs() < 2e-5 && (c - t.cos()).abs() < 2e-5,
                "{t}"
            );
        }
        assert_eq!(reflect(-3.0, 10.0, 0.05), 3.0);
        assert_eq!(reflect(12.0, 10.0, 0.05), 8.0);
        assert_eq!(reflect(25.0, 10.0, 0.05), 5.0);
    }

    #[test]
    fn output_has_the_fold_symmetry() {
        let f = test_frame(101, 101);
        let out = run("kaleidoscope", &f, &[4.0, 0.1], &ctx(0));
        assert!(diff_count(&out, &f) > f.data.len() / 4);
        // Four folds: a quarter turn about the centre maps the picture onto itself.
        let mut worst = 0;
        for (x, y) in [(60, 50), (70, 20), (95, 88), (52, 30), (10, 99)] {
            let (dx, dy) = (x as i32 - 50, y as i32 - 50);
            let p = out.pixel(x, y);
            let q = out.pixel((50 - dy) as usize, (50 + dx) as usize);
            worst = worst.max(
                p.iter()
                    .zip(&q)
                    .map(|(a, b)| a.abs_diff(*b))
                    .max()
                    .unwrap_or(0),
            );
        }
        assert!(worst <= 2, "rotational symmetry off by {worst}");
    }

    #[test]
    fn one_fold_at_zero_angle_mirrors_vertically() {
        // A single fold keeps angles [0, π] (the lower half, y down) and mirrors it upwards.
        let f = test_frame(64, 64);
        let out = run("kaleidoscope", &f, &[1.0, 0.0], &ctx(0));
        for (x, y) in [(10, 40), (50, 60), (32, 33)] {
            assert_eq!(out.pixel(x, y), out.pixel(x, 63 - y));
            let d = out
                .pixel(x, y)
                .iter()
                .zip(f.pixel(x, y))
                .map(|(a, b)| a.abs_diff(b))
                .max()
                .unwrap();
            assert!(d <= 1, "lower half kept at ({x},{y})");
        }
    }
}
