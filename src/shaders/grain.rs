//! `grain`: monochrome film grain. One triangular-distributed offset in `[-amount, amount]` per
//! 2×2 pixel block, shared by the three channels (luma noise reads as film, not sensor noise).
//!
//! Offsets are a counter hash of (per-frame key, block index), computed 16 blocks at a time in
//! SIMD lanes and spread to the pixels' bytes with byte permutes, so the grain is reproducible,
//! differs every frame and never depends on the thread count.

use super::rows::{self, RowForm, RowKernel};
use super::simd::multiversion;
use super::{Shader, ShaderSpec, kernels, util};
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
    /// This frame's width, hash key, offset span and bias (set by `prepare_rows`).
    width: usize,
    key: u32,
    span: u32,
    offset: u8,
}

/// Spare bytes after each scratch row, for the wide expansion stores.
const SLACK: usize = 64;

thread_local! {
    /// Per worker: one row of block offsets and its expansion to every channel byte.
    static SCRATCH: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

impl Shader for Grain {
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
        ctx: &FrameCtx,
    ) -> Option<&dyn RowKernel> {
        let (w, _) = util::dims(frame)?;
        let [amount] = util::read::<1>(params, PARAMS);
        let amount = util::int_param(amount, 0, 64) as u32;
        if amount == 0 {
            return None;
        }
        let k = util::frame_key(ctx, TAG, 1);
        self.width = w;
        self.key = (k ^ (k >> 32)) as u32;
        self.span = 2 * amount + 1;
        self.offset = (BIAS as u32 - amount) as u8;
        Some(self)
    }
}

impl RowKernel for Grain {
    fn shade(&self, rows: &mut [u8], y0: usize) {
        let stride = self.width * 3;
        let bw = self.width.div_ceil(2);
        let blocks_len = bw + SLACK;
        SCRATCH.with_borrow_mut(|scratch| {
            util::ensure_len(scratch, blocks_len + stride + SLACK);
            let (blocks, noise) = scratch.split_at_mut(blocks_len);
            // Bands start on even rows, so row pairs are 2×2 block rows.
            for (i, pair) in rows.chunks_mut(2 * stride).enumerate() {
                let by = (y0 / 2 + i) as u32;
                block_noise(
                    &mut blocks[..bw],
                    self.key,
                    by.wrapping_mul(bw as u32),
                    self.span,
                    self.offset,
                );
                kernels::expand6(noise, blocks, bw);
                for row in pair.chunks_exact_mut(stride) {
                    add_noise(row, &noise[..stride]);
                }
            }
        });
    }
}

/// A 32-bit counter hash (Wellons' lowbias32): vectorizes, unlike 64-bit `mix64`. Keyed per
/// frame by `crate::rng`, so the grain is still a pure function of (seed, frame, position).
#[inline(always)]
fn mix32(mut x: u32) -> u32 {
    x ^= x >> 16;
    x = x.wrapping_mul(0x7FEB_352D);
    x ^= x >> 15;
    x = x.wrapping_mul(0x846C_A68B);
    x ^ (x >> 16)
}

multiversion! {
    /// Biased offsets of blocks `first..first + out.len()`: the sum of two random bytes
    /// (triangular on 0..=510) scaled to `0..span`, plus `offset`.
    fn block_noise(out: &mut [u8], key: u32, first: u32, span: u32, offset: u8) {
        for (i, o) in out.iter_mut().enumerate() {
            let h = mix32(key ^ first.wrapping_add(i as u32));
            let sum = (h & 0xFF) + ((h >> 8) & 0xFF);
            *o = ((sum * span) >> 9) as u8 + offset;
        }
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
