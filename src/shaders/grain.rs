//! `grain`: monochrome film grain. One triangular-distributed offset in `[-amount, amount]` per
//! 2×2 pixel block, shared by the three channels (luma noise reads as film, not sensor noise).
//!
//! Offsets are hashed from (seed, frame, block row, block column), one `mix64` per four blocks,
//! so the grain is reproducible, differs every frame and never depends on the thread count.

use rayon::prelude::*;

use super::simd::multiversion;
use super::{Shader, ShaderSpec, util};
use crate::frame::{Frame, FrameCtx};
use crate::params::ParamSpec;

const PARAMS: &[ParamSpec] = &[ParamSpec::new(
    "amount",
    0.0,
    64.0,
    10.0,
    "largest brightness offset in levels (0–255 scale)",
)];

/// Registry entry.
pub(super) const SPEC: ShaderSpec = ShaderSpec {
    name: "grain",
    doc: "monochrome film grain at half resolution, new every frame",
    params: PARAMS,
    heavy: false,
    make: || Box::new(Grain::default()),
};

const TAG: u64 = 0x0067_5241_494E;
/// Bias of the stored offsets: `noise = stored − BIAS`.
const BIAS: u8 = 128;

#[derive(Default)]
struct Grain {
    /// One expanded noise row (per band): the biased offset of every channel byte.
    rows: Vec<u8>,
}

impl Shader for Grain {
    fn apply(&mut self, frame: &mut Frame, params: &[f32], ctx: &FrameCtx) {
        let Some((w, _)) = util::dims(frame) else {
            return;
        };
        let [amount] = util::read::<1>(params, PARAMS);
        let amount = util::int_param(amount, 0, 64) as u32;
        if amount == 0 {
            return;
        }
        let stride = w * 3;
        let bw = w.div_ceil(2);
        // Expanded rows get 8 spare bytes for the 8-byte block stores below.
        let pitch = stride + 8;
        let rows = util::band_rows(w).next_multiple_of(2);
        let bands = frame.data.len().div_ceil(rows * stride);
        util::ensure_len(&mut self.rows, bands * pitch);
        let key = util::frame_key(ctx, TAG, 1);
        let span = 2 * amount + 1;
        frame
            .data
            .par_chunks_mut(rows * stride)
            .zip(self.rows.par_chunks_mut(pitch))
            .enumerate()
            .for_each(|(b, (band, noise))| {
                for (i, pair) in band.chunks_mut(2 * stride).enumerate() {
                    let by = (b * rows / 2 + i) as u64;
                    for (q, quad) in (0..bw).step_by(4).enumerate() {
                        let h = util::cell_hash(key, by << 32 | q as u64);
                        for (j, bx) in (quad..(quad + 4).min(bw)).enumerate() {
                            // Sum of two bytes: triangular on 0..=510, scaled to 0..span.
                            let t = (h >> (16 * j)) as u32 & 0xFF;
                            let u = (h >> (16 * j + 8)) as u32 & 0xFF;
                            let v = ((t + u) * span) / 511 + (BIAS as u32 - amount);
                            // Six copies of the byte (two pixels × RGB) in one store.
                            let six = v as u64 * 0x0000_0101_0101_0101;
                            noise[bx * 6..bx * 6 + 8].copy_from_slice(&six.to_le_bytes());
                        }
                    }
                    for row in pair.chunks_exact_mut(stride) {
                        add_noise(row, &noise[..stride]);
                    }
                }
            });
    }
}

multiversion! {
    /// `p += stored − BIAS`, saturating, with unsigned byte operations only.
    fn add_noise(row: &mut [u8], noise: &[u8]) {
        for (p, &n) in row.iter_mut().zip(noise) {
            *p = p.saturating_add(n.saturating_sub(BIAS)).saturating_sub(BIAS.saturating_sub(n));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::frame::Frame;
    use crate::shaders::test_util::{ctx, diff_count, run, test_frame};

    fn grey() -> Frame {
        let mut f = Frame::new(64, 48);
        f.data.fill(128);
        f
    }

    #[test]
    fn changes_pixels_within_the_amount_and_keeps_the_mean() {
        let out = run("grain", &grey(), &[12.0], &ctx(3));
        assert!(diff_count(&out, &grey()) > out.data.len() / 2);
        assert!(out.data.iter().all(|&v| (116..=140).contains(&v)));
        let mean = out.mean_brightness();
        assert!((mean - 128.0).abs() < 1.5, "mean {mean}");
        assert!(out.data.iter().any(|&v| v <= 120) && out.data.iter().any(|&v| v >= 136));
    }

    #[test]
    fn monochrome_in_two_by_two_blocks() {
        let out = run("grain", &grey(), &[20.0], &ctx(1));
        for y in (0..48).step_by(2) {
            for x in (0..64).step_by(2) {
                let p = out.pixel(x, y);
                assert!(p[0] == p[1] && p[1] == p[2]);
                assert_eq!(p, out.pixel(x + 1, y));
                assert_eq!(p, out.pixel(x, y + 1));
                assert_eq!(p, out.pixel(x + 1, y + 1));
            }
        }
    }

    #[test]
    fn same_for_the_same_frame_and_different_for_another() {
        let f = test_frame(90, 60);
        let a = run("grain", &f, &[10.0], &ctx(5));
        assert_eq!(a, run("grain", &f, &[10.0], &ctx(5)));
        assert!(diff_count(&a, &run("grain", &f, &[10.0], &ctx(6))) > a.data.len() / 2);
        let other_seed = crate::frame::FrameCtx::new(5, 24.0, 99);
        assert!(diff_count(&a, &run("grain", &f, &[10.0], &other_seed)) > a.data.len() / 2);
        assert_eq!(run("grain", &f, &[0.0], &ctx(5)), f);
    }
}
