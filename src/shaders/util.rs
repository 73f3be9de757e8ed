//! Small helpers shared by the shaders: frame validation, param reading, band sizing, hashing.

use crate::frame::{Frame, FrameCtx};
use crate::params::ParamSpec;
use crate::rng;

/// Pixels per parallel band: large enough to amortize rayon's per-task cost, small enough for two
/// threads to balance and for a band to stay in L2. Band boundaries depend only on the frame
/// width, never on the thread count.
const BAND_PIXELS: usize = 1 << 15;

/// `(width, height)` if the frame is non-empty and its buffer matches its size; shaders leave any
/// other frame untouched instead of panicking.
pub(super) fn dims(frame: &Frame) -> Option<(usize, usize)> {
    let (w, h) = (frame.width, frame.height);
    let len = w.checked_mul(h)?.checked_mul(3)?;
    (w > 0 && h > 0 && frame.data.len() == len).then_some((w, h))
}

/// Rows per parallel band for a frame `width` pixels wide.
pub(super) fn band_rows(width: usize) -> usize {
    (BAND_PIXELS / width.max(1)).max(1)
}

/// Read `N` params against their specs: clamped, NaN and missing entries replaced by defaults.
/// The caller already clamps, but shaders must not panic or misbehave on a short or raw slice.
pub(super) fn read<const N: usize>(params: &[f32], specs: &[ParamSpec]) -> [f32; N] {
    debug_assert!(N >= specs.len());
    std::array::from_fn(|i| match specs.get(i) {
        Some(s) => s.clamp(params.get(i).copied().unwrap_or(s.default)),
        None => 0.0,
    })
}

/// Most params any shader has; [`read_all`] returns this many slots.
pub(super) const MAX_PARAMS: usize = 8;

/// [`read`] for table-driven shaders whose param count is only known at run time; slots past
/// `specs.len()` are zero.
pub(super) fn read_all(params: &[f32], specs: &[ParamSpec]) -> [f32; MAX_PARAMS] {
    debug_assert!(specs.len() <= MAX_PARAMS);
    read::<MAX_PARAMS>(params, specs)
}

/// Round a clamped float param to an integer in `lo..=hi`.
pub(super) fn int_param(v: f32, lo: i64, hi: i64) -> i64 {
    (v.round() as i64).clamp(lo, hi)
}

/// Per-frame random key for one shader (`tag` keeps shaders' streams apart). `hold` > 1 keeps the
/// same key for that many consecutive frames so glitches can linger instead of flickering.
pub(super) fn frame_key(ctx: &FrameCtx, tag: u64, hold: u64) -> u64 {
    rng::hash3(ctx.seed, ctx.index / hold.max(1), tag, 0x5AD3)
}

/// The `i`-th hash of a key: one SplitMix64 step, i.e. a single `mix64` per value, cheap enough
/// for one call per pixel block.
#[inline]
pub(super) fn cell_hash(key: u64, i: u64) -> u64 {
    rng::mix64(key.wrapping_add(i.wrapping_mul(0x9E37_79B9_7F4A_7C15)))
}

/// Rec.601 luma in 8-bit fixed point (weights sum to 256, so white stays 255).
#[inline]
pub(super) fn luma(r: u8, g: u8, b: u8) -> u8 {
    ((77 * r as u32 + 150 * g as u32 + 29 * b as u32 + 128) >> 8) as u8
}

/// Round to the nearest integer, clamped to ±2²¹ (NaN → −2²¹). Adding 1.5·2²³ puts the integer
/// in the mantissa bits, so this vectorizes, unlike `as i32`, whose saturation LLVM scalarizes.
#[inline(always)]
#[expect(
    clippy::manual_clamp,
    reason = "max/min map NaN to the bound; clamp would keep NaN"
)]
pub(super) fn round_i32(v: f32) -> i32 {
    const LIM: f32 = (1 << 21) as f32;
    const MAGIC: f32 = 12_582_912.0;
    (v.max(-LIM).min(LIM) + MAGIC).to_bits() as i32 - MAGIC.to_bits() as i32
}

/// Make `v` exactly `len` long, reallocating only when the length changes; contents are
/// unspecified afterwards (callers overwrite what they read).
pub(super) fn ensure_len<T: Copy + Default>(v: &mut Vec<T>, len: usize) {
    if v.len() != len {
        v.clear();
        v.resize(len, T::default());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dims_rejects_inconsistent_frames() {
        assert_eq!(dims(&Frame::new(3, 2)), Some((3, 2)));
        assert_eq!(dims(&Frame::new(0, 2)), None);
        let mut f = Frame::new(3, 2);
        f.data.pop();
        assert_eq!(dims(&f), None);
        let huge = Frame {
            width: usize::MAX,
            height: 2,
            data: vec![],
        };
        assert_eq!(dims(&huge), None);
    }

    #[test]
    fn read_clamps_and_fills_defaults() {
        const P: &[ParamSpec] = &[
            ParamSpec::new("a", 0.0, 1.0, 0.5, ""),
            ParamSpec::new("b", -1.0, 1.0, 0.25, ""),
        ];
        assert_eq!(read::<2>(&[2.0, f32::NAN], P), [1.0, 0.25]);
        assert_eq!(read::<2>(&[-3.0], P), [0.0, 0.25]);
    }

    #[test]
    fn luma_spans_full_range() {
        assert_eq!(luma(0, 0, 0), 0);
        assert_eq!(luma(255, 255, 255), 255);
        assert!(luma(0, 255, 0) > luma(255, 0, 0) && luma(255, 0, 0) > luma(0, 0, 255));
    }

    #[test]
    fn round_i32_rounds_and_clamps() {
        assert_eq!(round_i32(2.4), 2);
        assert_eq!(round_i32(2.6), 3);
        assert_eq!(round_i32(-2.6), -3);
        assert_eq!(round_i32(-0.4), 0);
        assert_eq!(round_i32(1e30), 1 << 21);
        assert_eq!(round_i32(f32::NAN), -(1 << 21));
    }

    #[test]
    fn frame_key_holds_for_the_hold_window() {
        let c = |i| FrameCtx::new(i, 24.0, 9);
        assert_eq!(frame_key(&c(4), 1, 4), frame_key(&c(7), 1, 4));
        assert_ne!(frame_key(&c(7), 1, 4), frame_key(&c(8), 1, 4));
        assert_ne!(frame_key(&c(7), 1, 1), frame_key(&c(8), 1, 1));
        assert_ne!(frame_key(&c(7), 1, 1), frame_key(&c(7), 2, 1));
    }
}
