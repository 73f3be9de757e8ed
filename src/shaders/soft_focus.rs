//! `soft_focus`: blend the frame towards a blurred copy (half resolution, box blur, bilinear
//! expansion) for a dreamy, diffused look.

use rayon::prelude::*;

use super::resample;
use super::simd::multiversion;
use super::{Shader, ShaderSpec, util};
use crate::frame::{Frame, FrameCtx};
use crate::params::ParamSpec;

const PARAMS: &[ParamSpec] = &[
    ParamSpec::new(
        "strength",
        0.0,
        1.0,
        0.3,
        "mix of the blurred copy (1 = fully blurred)",
    ),
    ParamSpec::new(
        "radius",
        1.0,
        16.0,
        1.0,
        "box radius in half-resolution pixels",
    ),
];

/// Registry entry.
pub(super) const SPEC: ShaderSpec = ShaderSpec {
    name: "soft_focus",
    doc: "mix with a half-resolution blur",
    params: PARAMS,
    heavy: true,
    make: || Box::new(SoftFocus::default()),
};

const FACTOR: usize = 2;

#[derive(Default)]
struct SoftFocus {
    small: Vec<u16>,
    tmp: Vec<u16>,
    scratch: Vec<u16>,
    acc: Vec<u16>,
    xs16: Vec<u16>,
    xs32: Vec<u32>,
    wide: Vec<u8>,
}

impl Shader for SoftFocus {
    fn apply(&mut self, frame: &mut Frame, params: &[f32], _ctx: &FrameCtx) {
        let Some((w, h)) = util::dims(frame) else {
            return;
        };
        let [strength, radius] = util::read::<2>(params, PARAMS);
        let mix = (strength * 256.0).round() as u16;
        if mix == 0 {
            return;
        }
        let radius = util::int_param(radius, 1, 16) as usize;
        let (sw, sh) = (w.div_ceil(FACTOR), h.div_ceil(FACTOR));
        let (stride, srow) = (w * 3, sw * 3);
        let sband = (util::band_rows(w) / FACTOR).max(1);
        let bands = sh.div_ceil(sband);
        let per_band = resample::reduce_scratch(w) + resample::blur_scratch(sw);
        util::ensure_len(&mut self.small, sh * srow);
        util::ensure_len(&mut self.tmp, sh * srow);
        util::ensure_len(&mut self.scratch, bands * per_band);
        let data = &frame.data;
        self.small
            .par_chunks_mut(sband * srow)
            .zip(self.scratch.par_chunks_mut(per_band))
            .enumerate()
            .for_each(|(b, (band, scratch))| {
                let (reduce, blur) = scratch.split_at_mut(resample::reduce_scratch(w));
                for (k, out) in band.chunks_exact_mut(srow).enumerate() {
                    let y0 = (b * sband + k) * FACTOR;
                    let y1 = (y0 + FACTOR).min(h);
                    resample::reduce_row::<FACTOR>(
                        &data[y0 * stride..y1 * stride],
                        w,
                        reduce,
                        out,
                        None,
                    );
                    resample::blur_h(out, radius, 1, blur);
                }
            });
        resample::blur_v(
            &self.small,
            &mut self.tmp,
            srow,
            radius,
            sband,
            &mut self.acc,
        );

        let pitch = resample::wide_pitch(w);
        let (x16, x32) = resample::expand_scratch(sw, FACTOR);
        util::ensure_len(&mut self.wide, sh * pitch);
        util::ensure_len(&mut self.xs16, bands * x16);
        util::ensure_len(&mut self.xs32, bands * x32);
        self.wide
            .par_chunks_mut(sband * pitch)
            .zip(self.tmp.par_chunks(sband * srow))
            .zip(
                self.xs16
                    .par_chunks_mut(x16)
                    .zip(self.xs32.par_chunks_mut(x32)),
            )
            .for_each(|((wide, small), (s16, s32))| {
                for (wide, small) in wide.chunks_exact_mut(pitch).zip(small.chunks_exact(srow)) {
                    resample::expand_row::<FACTOR>(small, wide, s16, s32);
                }
            });

        let wide = &self.wide;
        let rows = util::band_rows(w);
        frame
            .data
            .par_chunks_mut(rows * stride)
            .enumerate()
            .for_each(|(b, band)| {
                for (k, row) in band.chunks_exact_mut(stride).enumerate() {
                    let (a, c, wa, wc) = resample::phase(b * rows + k, sh, FACTOR);
                    let ra = &wide[a * pitch..a * pitch + stride];
                    let rc = &wide[c * pitch..c * pitch + stride];
                    let (near, far) = if wa > wc { (ra, rc) } else { (rc, ra) };
                    blend(row, near, far, mix);
                }
            });
    }
}

multiversion! {
    /// `p += (blur − p) · mix / 256` with `blur = (3·near + far) / 4` (the two vertical phases
    /// of a 2× bilinear expansion, as two byte averages).
    fn blend(row: &mut [u8], near: &[u8], far: &[u8], mix: u16) {
        for ((p, &n), &f) in row.iter_mut().zip(near).zip(far) {
            let half = ((n as u16 + f as u16 + 1) >> 1) as u8;
            let blur = (n as u16 + half as u16 + 1) >> 1;
            *p = ((*p as u16 * (256 - mix) + blur * mix + 128) >> 8) as u8;
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::frame::Frame;
    use crate::shaders::test_util::{ctx, run, test_frame};

    /// Largest step between horizontally adjacent pixels (same channel, same row).
    fn max_step(f: &Frame) -> u8 {
        let rows = f.data.chunks_exact(f.width * 3);
        rows.flat_map(|r| r.windows(4).map(|p| p[0].abs_diff(p[3])))
            .max()
            .unwrap_or(0)
    }

    #[test]
    fn softens_edges_but_keeps_flat_areas_and_the_mean() {
        // A hard black-to-white edge spreads over several pixels.
        let mut edge = Frame::new(40, 20);
        for row in edge.data.chunks_exact_mut(120) {
            row[60..].fill(255);
        }
        let out = run("soft_focus", &edge, &[1.0, 2.0], &ctx(0));
        assert!(
            max_step(&edge) == 255 && max_step(&out) < 100,
            "step {}",
            max_step(&out)
        );
        let f = test_frame(64, 48);
        let out = run("soft_focus", &f, &[0.8, 2.0], &ctx(0));
        assert!((out.mean_brightness() - f.mean_brightness()).abs() < 2.0);
        let mut flat = Frame::new(30, 20);
        flat.data.fill(77);
        assert_eq!(run("soft_focus", &flat, &[1.0, 3.0], &ctx(0)), flat);
        assert_eq!(run("soft_focus", &f, &[0.0, 3.0], &ctx(0)), f);
    }
}
