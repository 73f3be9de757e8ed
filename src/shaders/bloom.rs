//! `bloom`: glow around bright areas. Average 4×4 blocks, keep what is above a luma threshold
//! (with a soft knee so highlights fade in instead of popping), blur with three running-sum box
//! passes (≈ Gaussian), expand back bilinearly and add.

use rayon::prelude::*;

use super::resample::{self, MAX_V, SCALE};
use super::rows::{self, RowForm, RowKernel};
use super::simd::multiversion;
use super::{Shader, ShaderSpec, util};
use crate::frame::{Frame, FrameCtx};
use crate::params::ParamSpec;

const PARAMS: &[ParamSpec] = &[
    ParamSpec::new(
        "threshold",
        0.0,
        255.0,
        130.0,
        "luma above which pixels start to glow",
    ),
    ParamSpec::new("strength", 0.0, 4.0, 0.5, "gain of the glow added back"),
    ParamSpec::new(
        "radius",
        0.0,
        31.0,
        1.0,
        "blur radius in quarter-resolution pixels (×4 on screen, three box passes)",
    ),
];

/// Registry entry.
pub(super) const SPEC: ShaderSpec = ShaderSpec {
    name: "bloom",
    doc: "glow around bright areas (quarter-resolution threshold, blur, additive)",
    params: PARAMS,
    heavy: false,
    make: || Box::new(Bloom::default()),
};

const FACTOR: usize = 4;
const PASSES: usize = 3;
/// Luma levels over which a pixel's glow ramps from nothing to full.
const KNEE: u32 = 32;

#[derive(Default)]
struct Bloom {
    /// Quarter-resolution glow, planar rows, 4× scale.
    small: Vec<u16>,
    tmp: Vec<u16>,
    /// Per-band scratch of the reduce + horizontal blur stage.
    scratch: Vec<u16>,
    acc: Vec<u16>,
    /// Per-band scratch of the expansion stage.
    xs8: Vec<u8>,
    xs32: Vec<u32>,
    /// Glow rows expanded to full width, one per reduced row.
    wide: Vec<u8>,
    /// Whether each reduced row has any glow, to skip dark rows in the final pass.
    live: Vec<bool>,
    /// Frame width and reduced height of the last preparation.
    dims: (usize, usize),
}

impl Shader for Bloom {
    fn apply(&mut self, frame: &mut Frame, params: &[f32], ctx: &FrameCtx) {
        rows::apply_by_rows(self, frame, params, ctx);
    }

    fn row_form(&self) -> RowForm {
        RowForm::ReadsPixelsThroughLut
    }

    fn prepare_rows(
        &mut self,
        frame: &Frame,
        params: &[f32],
        _ctx: &FrameCtx,
    ) -> Option<&dyn RowKernel> {
        self.prepare(frame, None, params)
    }

    /// The reduce reads the frame through the tonemap's table, so the table is applied once,
    /// in the fused pass after, instead of in a pass of its own before bloom.
    fn prepare_rows_through(
        &mut self,
        frame: &Frame,
        lut: &[u8; 256],
        params: &[f32],
        _ctx: &FrameCtx,
    ) -> Option<&dyn RowKernel> {
        self.prepare(frame, Some(lut), params)
    }
}

impl Bloom {
    /// Threshold, reduce (reading pixels through `lut` if given), blur and expand to
    /// full-width rows at quarter height; the kernel then adds the glow to each row.
    fn prepare(
        &mut self,
        frame: &Frame,
        lut: Option<&[u8; 256]>,
        params: &[f32],
    ) -> Option<&dyn RowKernel> {
        let (w, h) = util::dims(frame)?;
        let [threshold, strength, radius] = util::read::<3>(params, PARAMS);
        let gain = (strength * 256.0).round() as u32;
        if gain == 0 {
            return None;
        }
        let radius = util::int_param(radius, 0, resample::MAX_RADIUS as i64) as usize;
        let (sw, sh) = (w.div_ceil(FACTOR), h.div_ceil(FACTOR));
        let (stride, srow) = (w * 3, sw * 3);
        let sband = (util::band_rows(w) / FACTOR).max(1);
        let n_bands = sh.div_ceil(sband);
        let per_band = resample::reduce_scratch(w) + resample::blur_scratch(sw);
        util::ensure_len(&mut self.small, sh * srow);
        util::ensure_len(&mut self.tmp, sh * srow);
        util::ensure_len(&mut self.scratch, n_bands * per_band);

        // Reduce, threshold and blur horizontally, one reduced row at a time.
        let data = &frame.data;
        let t4 = (threshold.round() as u32) * SCALE;
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
                        lut,
                    );
                    let (r, rest) = out.split_at_mut(sw);
                    let (g, bl) = rest.split_at_mut(sw);
                    keep_bright(r, g, bl, t4);
                    resample::blur_h(out, radius, PASSES, blur);
                }
            });
        if self.small.iter().all(|&v| v == 0) {
            return None;
        }
        if radius > 0 {
            for _ in 0..PASSES {
                resample::blur_v(
                    &self.small,
                    &mut self.tmp,
                    srow,
                    radius,
                    sband,
                    &mut self.acc,
                );
                std::mem::swap(&mut self.small, &mut self.tmp);
            }
        }

        let pitch = resample::wide_pitch(w);
        let (x8, x32) = resample::expand4_scratch(sw);
        util::ensure_len(&mut self.wide, sh * pitch);
        util::ensure_len(&mut self.live, sh);
        util::ensure_len(&mut self.xs8, n_bands * x8);
        util::ensure_len(&mut self.xs32, n_bands * x32);
        self.wide
            .par_chunks_mut(sband * pitch)
            .zip(self.small.par_chunks_mut(sband * srow))
            .zip(self.live.par_chunks_mut(sband))
            .zip(
                self.xs8
                    .par_chunks_mut(x8)
                    .zip(self.xs32.par_chunks_mut(x32)),
            )
            .for_each(|(((wide, small), live), (s8, s32))| {
                for ((wide, small), live) in wide
                    .chunks_exact_mut(pitch)
                    .zip(small.chunks_exact_mut(srow))
                    .zip(live)
                {
                    apply_gain(small, gain);
                    *live = small.iter().any(|&v| v > 0);
                    if *live {
                        resample::expand_row4(small, wide, s8, s32);
                    } else {
                        // The final pass blends this row with a live neighbour: it must not
                        // hold an earlier frame's glow.
                        wide.fill(0);
                    }
                }
            });

        self.dims = (w, sh);
        Some(self)
    }
}

impl RowKernel for Bloom {
    fn shade(&self, rows: &mut [u8], y0: usize) {
        let (w, sh) = self.dims;
        let (stride, pitch) = (w * 3, resample::wide_pitch(w));
        let (wide, live) = (&self.wide, &self.live);
        for (k, row) in rows.chunks_exact_mut(stride).enumerate() {
            let (a, c, wa, wc) = resample::phase(y0 + k, sh, FACTOR);
            if live[a] || live[c] {
                let (near, far) = if wa > wc { (a, c) } else { (c, a) };
                let near = &wide[near * pitch..near * pitch + stride];
                let far = &wide[far * pitch..far * pitch + stride];
                add_glow(row, near, far, wa.max(wc) == 7);
            }
        }
    }
}

multiversion! {
    /// Zero everything below the threshold, ramping up over `KNEE` levels above it.
    fn keep_bright(r: &mut [u16], g: &mut [u16], b: &mut [u16], t4: u32) {
        let knee = KNEE * SCALE;
        let n = r.len().min(g.len()).min(b.len());
        let (r, g, b) = (&mut r[..n], &mut g[..n], &mut b[..n]);
        for i in 0..n {
            let l = (77 * r[i] as u32 + 150 * g[i] as u32 + 29 * b[i] as u32 + 128) >> 8;
            let wgt = l.saturating_sub(t4).min(knee) * (256 / knee);
            r[i] = ((r[i] as u32 * wgt) >> 8) as u16;
            g[i] = ((g[i] as u32 * wgt) >> 8) as u16;
            b[i] = ((b[i] as u32 * wgt) >> 8) as u16;
        }
    }
}

multiversion! {
    fn apply_gain(v: &mut [u16], gain: u32) {
        for x in v {
            *x = ((*x as u32 * gain + 128) >> 8).min(MAX_V as u32) as u16;
        }
    }
}

/// Rounded-up average of two bytes (`pavgb`).
#[inline(always)]
fn avg(a: u8, b: u8) -> u8 {
    ((a as u16 + b as u16 + 1) >> 1) as u8
}

multiversion! {
    /// `row += (7·near + far) / 8` (`heavy`) or `(5·near + 3·far) / 8`, saturating: the four
    /// vertical phases of a 4× bilinear expansion, built from byte averages so the whole pass
    /// stays in 8-bit lanes with no multiplies.
    fn add_glow(row: &mut [u8], near: &[u8], far: &[u8], heavy: bool) {
        let n = row.len().min(near.len()).min(far.len());
        let (near, far) = (&near[..n], &far[..n]);
        if heavy {
            for (i, p) in row[..n].iter_mut().enumerate() {
                let g = avg(near[i], avg(near[i], avg(near[i], far[i])));
                *p = p.saturating_add(g);
            }
        } else {
            for (i, p) in row[..n].iter_mut().enumerate() {
                let m = avg(near[i], far[i]);
                *p = p.saturating_add(avg(m, avg(m, near[i])));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::frame::Frame;
    use crate::shaders::test_util::{ctx, mean_all, run, test_frame};

    /// Black 64×64 with a white 8×8 square in the middle.
    fn spot() -> Frame {
        let mut f = Frame::new(64, 64);
        for y in 28..36 {
            for x in 28..36 {
                f.data[(y * 64 + x) * 3..][..3].fill(255);
            }
        }
        f
    }

    #[test]
    fn glows_around_a_bright_spot_but_not_far_away() {
        let out = run("bloom", &spot(), &[130.0, 1.0, 1.0], &ctx(0));
        assert!(
            mean_all(&out, 24, 28, 28, 36) > 20.0,
            "left of the spot should glow"
        );
        assert!(
            mean_all(&out, 36, 40, 28, 36) > 20.0,
            "right of the spot should glow"
        );
        assert_eq!(
            mean_all(&out, 0, 8, 0, 8),
            0.0,
            "far corner must stay black"
        );
        assert_eq!(out.pixel(32, 32), [255, 255, 255]);
    }

    #[test]
    fn glow_is_centred_on_its_source() {
        let out = run("bloom", &spot(), &[130.0, 1.0, 2.0], &ctx(0));
        for y in 0..64 {
            for x in 0..32 {
                assert_eq!(out.pixel(x, y), out.pixel(63 - x, y), "({x},{y})");
                assert_eq!(out.pixel(y, x), out.pixel(y, 63 - x), "({y},{x})");
            }
        }
    }

    #[test]
    fn radius_and_strength_scale_the_glow() {
        let near = run("bloom", &spot(), &[130.0, 1.0, 1.0], &ctx(0));
        let wide = run("bloom", &spot(), &[130.0, 1.0, 4.0], &ctx(0));
        let weak = run("bloom", &spot(), &[130.0, 0.25, 1.0], &ctx(0));
        assert!(mean_all(&wide, 8, 20, 28, 36) > mean_all(&near, 8, 20, 28, 36) + 1.0);
        assert!(mean_all(&weak, 24, 28, 28, 36) < mean_all(&near, 24, 28, 28, 36) / 2.0);
    }

    #[test]
    fn dark_frames_and_zero_strength_are_untouched() {
        let mut dim = test_frame(64, 48);
        for b in &mut dim.data {
            *b /= 3;
        }
        assert_eq!(run("bloom", &dim, &[130.0, 2.0, 3.0], &ctx(0)), dim);
        let f = test_frame(64, 48);
        assert_eq!(run("bloom", &f, &[0.0, 0.0, 3.0], &ctx(0)), f);
        assert_ne!(run("bloom", &f, &[0.0, 1.0, 3.0], &ctx(0)), f);
    }
}
