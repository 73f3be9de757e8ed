//! `radial_blur`: zoom blur. Each pixel averages `samples` points on the line towards the
//! centre, at scales `1, 1 − s, 1 − 2s, …`, so motion streaks radiate from the middle.
//!
//! Zooming is separable: every sample is one row of the separable bilinear sampler.

use rayon::prelude::*;

use super::remap::{self, Rows, SepScratch};
use super::simd::multiversion;
use super::{Shader, ShaderSpec, util};
use crate::frame::{Frame, FrameCtx};
use crate::params::ParamSpec;

const PARAMS: &[ParamSpec] = &[
    ParamSpec::new(
        "strength",
        0.0,
        0.2,
        0.03,
        "scale step between samples (streak length)",
    ),
    ParamSpec::new("samples", 2.0, 8.0, 3.0, "points averaged per pixel"),
];

/// Registry entry.
pub(super) const SPEC: ShaderSpec = ShaderSpec {
    name: "radial_blur",
    doc: "zoom blur streaking out from the centre",
    params: PARAMS,
    heavy: true,
    make: || Box::new(RadialBlur::default()),
};

const MAX_SAMPLES: usize = 8;

#[derive(Default)]
struct RadialBlur {
    /// Fixed-point source columns and rows of every zoomed sample (index 0 unused: the frame).
    cols: Vec<Vec<i32>>,
    rows: Vec<Vec<i32>>,
    /// Per band: sampler scratch, one sampled row and the byte sums of the row.
    scratch: Vec<(SepScratch, Vec<u8>, Vec<u16>)>,
    out: Vec<u8>,
}

impl Shader for RadialBlur {
    fn apply(&mut self, frame: &mut Frame, params: &[f32], _ctx: &FrameCtx) {
        let Some((w, h)) = util::dims(frame) else {
            return;
        };
        let [step, n] = util::read::<2>(params, PARAMS);
        let n = util::int_param(n, 2, MAX_SAMPLES as i64) as usize;
        if step == 0.0 {
            return;
        }
        self.cols.resize_with(n, Vec::new);
        self.rows.resize_with(n, Vec::new);
        for i in 1..n {
            // Scales below 1 sample closer to the centre, so copies land further out.
            let scale = 1.0 - i as f64 * step as f64;
            remap::zoom_coords(&mut self.cols[i], w, scale);
            remap::zoom_coords(&mut self.rows[i], h, scale);
        }
        let stride = w * 3;
        let band = util::band_rows(w);
        util::ensure_len(&mut self.out, frame.data.len());
        self.scratch.resize_with(h.div_ceil(band), Default::default);
        let (src, cols, rows) = (&frame.data, &self.cols, &self.rows);
        let inv = 65536u32.div_ceil(n as u32);
        self.out
            .par_chunks_mut(band * stride)
            .zip(self.scratch.par_iter_mut())
            .enumerate()
            .for_each(|(b, (out, (scratch, tmp, acc)))| {
                util::ensure_len(tmp, stride);
                util::ensure_len(acc, stride);
                for (k, row) in out.chunks_exact_mut(stride).enumerate() {
                    let y = b * band + k;
                    widen(acc, &src[y * stride..(y + 1) * stride]);
                    for i in 1..n {
                        let sy = Rows::Uniform(rows[i][y]);
                        remap::sample_row_separable(src, w, h, &cols[i], sy, tmp, scratch);
                        accumulate(acc, tmp);
                    }
                    average(row, acc, n as u32, inv);
                }
            });
        std::mem::swap(&mut frame.data, &mut self.out);
    }
}

multiversion! {
    fn widen(acc: &mut [u16], row: &[u8]) {
        for (a, &b) in acc.iter_mut().zip(row) {
            *a = b as u16;
        }
    }
}

multiversion! {
    fn accumulate(acc: &mut [u16], row: &[u8]) {
        for (a, &b) in acc.iter_mut().zip(row) {
            *a += b as u16;
        }
    }
}

multiversion! {
    /// `round(sum / n)` with `inv = ceil(65536 / n)`.
    fn average(row: &mut [u8], acc: &[u16], n: u32, inv: u32) {
        for (p, &s) in row.iter_mut().zip(acc) {
            *p = (((s as u32 + n / 2) * inv) >> 16).min(255) as u8;
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::frame::Frame;
    use crate::shaders::test_util::{ctx, mean_all, run, test_frame};

    #[test]
    fn streaks_point_away_from_the_centre() {
        // One white dot right of centre on black: zoomed copies land further out, so the dot
        // streaks outwards only.
        let mut f = Frame::new(101, 51);
        f.data[(25 * 101 + 90) * 3..][..3].fill(255);
        let out = run("radial_blur", &f, &[0.05, 3.0], &ctx(0));
        assert!(mean_all(&out, 91, 97, 25, 26) > 0.0, "streak outwards");
        assert_eq!(mean_all(&out, 0, 90, 0, 51), 0.0, "nothing inwards");
        assert!(out.pixel(90, 25)[0] < 255);
        let t = test_frame(40, 30);
        assert_eq!(run("radial_blur", &t, &[0.0, 3.0], &ctx(0)), t);
        // The centre pixel is a fixed point of every zoom.
        let c = test_frame(41, 31);
        assert_eq!(
            run("radial_blur", &c, &[0.1, 8.0], &ctx(0)).pixel(20, 15),
            c.pixel(20, 15)
        );
    }
}
