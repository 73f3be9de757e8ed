//! Branch-free scalar approximations used in per-cell loops.
//!
//! `std`'s `sin`/`exp`/`ln` are libm calls that block auto-vectorization and cost 10–20 ns each;
//! at ~10k cells × several calls per frame that alone would blow the per-effect budget. These
//! versions are pure arithmetic (bit-identical on every thread) and accurate to ~1e-5, far below
//! what a glyph ramp can show.

use std::f32::consts::{FRAC_PI_2, PI, TAU};

const INV_TAU: f32 = 1.0 / TAU;

/// Adding and subtracting 1.5·2²³ rounds an f32 to the nearest integer using plain float
/// arithmetic (exact for |x| < 2²²), which vectorizes on every x86-64, unlike `round`/`floor`
/// (libm calls without SSE4.1) or saturating float-to-int casts.
const ROUND_MAGIC: f32 = 12_582_912.0;

/// Nearest integer of `x` as f32 (|x| < 2²²; larger values come back unrounded).
#[inline(always)]
pub fn round_f(x: f32) -> f32 {
    (x + ROUND_MAGIC) - ROUND_MAGIC
}

/// Largest integer ≤ `x` as f32 (|x| < 2²²).
#[inline(always)]
pub fn floor_f(x: f32) -> f32 {
    let r = round_f(x);
    if r > x { r - 1.0 } else { r }
}

/// `sin(x)`: absolute error < 4e-6 on [-π, π], growing by about 1e-7·|x| beyond (f32
/// rounding in the range reduction); in [-1, 1] for any finite input.
#[inline(always)]
pub fn sin(x: f32) -> f32 {
    // turns in [-0.5, 0.5]
    let k = x * INV_TAU;
    let k = k - round_f(k);
    let y = k * TAU;
    // sin(π - y) = sin(y) folds the range to [-π/2, π/2], where a degree-9 Taylor series suffices.
    let y = if y > FRAC_PI_2 {
        PI - y
    } else if y < -FRAC_PI_2 {
        -PI - y
    } else {
        y
    };
    let y2 = y * y;
    let p = 1.0
        + y2 * (-1.0 / 6.0 + y2 * (1.0 / 120.0 + y2 * (-1.0 / 5040.0 + y2 * (1.0 / 362_880.0))));
    (y * p).clamp(-1.0, 1.0)
}

/// `cos(x)` via [`sin`].
#[inline(always)]
pub fn cos(x: f32) -> f32 {
    sin(x + FRAC_PI_2)
}

/// `0.5 + 0.5·sin(x)`: a wave already in [0, 1].
#[inline(always)]
pub fn wave(x: f32) -> f32 {
    0.5 + 0.5 * sin(x)
}

/// The integer value of an integral `x` (|x| < 2²²) as two's-complement bits, without a
/// float-to-int cast (Rust's saturating casts do not vectorize on SSE2).
#[inline(always)]
pub fn int_bits(x: f32) -> u32 {
    (x + ROUND_MAGIC)
        .to_bits()
        .wrapping_sub(ROUND_MAGIC.to_bits())
}

/// `exp(x)` for x ≤ ~80, relative error < 2e-5; below -87 it returns exp(-87) ≈ 1.6e-38
/// (branch-free so loops vectorize; no denormals, no NaN for finite x).
#[inline(always)]
pub fn exp(x: f32) -> f32 {
    let xc = x.clamp(-87.0, 80.0);
    let z = xc * std::f32::consts::LOG2_E;
    let zf = floor_f(z);
    let f = z - zf;
    // 2^zf straight into the exponent field
    let scale = f32::from_bits(int_bits(zf + 127.0) << 23);
    // 2^f on [0, 1): Taylor series to degree 7
    let p = 1.0
        + f * (std::f32::consts::LN_2
            + f * (0.240_226_5
                + f * (0.055_504_11
                    + f * (0.009_618_13
                        + f * (0.001_333_55 + f * (1.540_35e-4 + f * 1.525_27e-5))))));
    scale * p
}

/// Natural logarithm for x > 0 (absolute error < 1e-4); returns a large negative number for
/// x ≤ 0 instead of NaN/-inf.
#[inline(always)]
pub fn ln(x: f32) -> f32 {
    let x = x.max(1e-30);
    let bits = x.to_bits();
    let e = ((bits >> 23) & 0xff) as i32 - 127;
    // mantissa in [1, 2), recentred to [sqrt(0.5), sqrt(2)) for a better-conditioned series
    let mut m = f32::from_bits((bits & 0x007f_ffff) | 0x3f80_0000);
    let mut e = e as f32;
    if m > std::f32::consts::SQRT_2 {
        m *= 0.5;
        e += 1.0;
    }
    // ln(m) = 2·atanh(s), s = (m-1)/(m+1), |s| < 0.172
    let s = (m - 1.0) / (m + 1.0);
    let s2 = s * s;
    let l = 2.0 * s * (1.0 + s2 * (1.0 / 3.0 + s2 * (1.0 / 5.0 + s2 * (1.0 / 7.0))));
    l + e * std::f32::consts::LN_2
}

/// Largest integer ≤ x, as i32 (saturating; NaN gives 0).
#[inline(always)]
pub fn floor_i(x: f32) -> i32 {
    let i = x as i32;
    if (i as f32) > x { i - 1 } else { i }
}

/// `x - floor(x)`, in [0, 1) for |x| < 2²².
#[inline(always)]
pub fn fract(x: f32) -> f32 {
    x - floor_f(x)
}

/// Hermite smoothstep of `x` between `e0` and `e1` (either order), clamped.
#[inline(always)]
pub fn smoothstep(e0: f32, e1: f32, x: f32) -> f32 {
    let d = e1 - e0;
    let d = if d.abs() < 1e-12 { 1e-12 } else { d };
    let t = ((x - e0) / d).clamp(0.0, 1.0);
    t * t * (3.0 - 2.0 * t)
}

/// Quintic fade `6t⁵ - 15t⁴ + 10t³` (zero first and second derivative at 0 and 1).
#[inline(always)]
pub fn quintic(t: f32) -> f32 {
    t * t * t * (t * (t * 6.0 - 15.0) + 10.0)
}

/// Linear interpolation.
#[inline(always)]
pub fn lerp(a: f32, b: f32, t: f32) -> f32 {
    a + (b - a) * t
}

/// Triangle wave in [0, 1] with period 1: 1 at integers, 0 at half-integers.
#[inline(always)]
pub fn tri(x: f32) -> f32 {
    (2.0 * fract(x) - 1.0).abs()
}

/// Clamp to [0, 1]; NaN becomes 0 (`max`/`min` return the non-NaN operand, where `clamp`
/// would keep the NaN).
#[inline(always)]
#[allow(clippy::manual_clamp)]
pub fn clip01(x: f32) -> f32 {
    x.max(0.0).min(1.0)
}

/// `x` reduced modulo `m` in f64, so long-running offsets (time × speed) keep full precision
/// before they are added to f32 coordinates.
#[inline]
pub fn wrap(x: f64, m: f64) -> f32 {
    if x.is_finite() {
        x.rem_euclid(m) as f32
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sin_cos_match_std() {
        for i in -20_000..20_000 {
            let x = i as f32 * 0.0137;
            let tol = 5e-6 + 2e-7 * x.abs();
            assert!((sin(x) - x.sin()).abs() < tol, "sin({x})");
            assert!((cos(x) - x.cos()).abs() < tol, "cos({x})");
        }
        assert!(sin(1e12).abs() <= 1.0);
    }

    #[test]
    fn exp_and_ln_match_std() {
        for i in -400..200 {
            let x = i as f32 * 0.1;
            let rel = (exp(x) - x.exp()).abs() / x.exp().max(1e-30);
            assert!(rel < 2e-5, "exp({x}) rel err {rel}");
        }
        assert!(exp(-1000.0) < 1e-37);
        for i in 1..5000 {
            let x = i as f32 * 0.37;
            assert!((ln(x) - x.ln()).abs() < 1e-4, "ln({x})");
        }
        assert!(ln(0.0).is_finite());
    }

    #[test]
    fn floor_fract_and_helpers() {
        assert_eq!(floor_i(-0.5), -1);
        assert_eq!(floor_i(2.0), 2);
        assert_eq!(floor_i(-3.0), -3);
        for i in [-70_000i32, -5, -1, 0, 1, 254, 4_000_000] {
            assert_eq!(int_bits(i as f32) as i32, i);
        }
        for x in [-2.5f32, -0.5, -0.2, 0.0, 0.49, 0.5, 1.5, 7.9, -1e5 - 0.25] {
            assert_eq!(floor_f(x), x.floor(), "floor {x}");
            assert!((round_f(x) - x).abs() <= 0.5, "round {x}");
        }
        assert!((fract(-0.25) - 0.75).abs() < 1e-6);
        assert_eq!(clip01(f32::NAN), 0.0);
        assert_eq!(smoothstep(0.0, 1.0, 2.0), 1.0);
        assert_eq!(smoothstep(1.0, 0.0, 2.0), 0.0);
        assert_eq!(quintic(0.0), 0.0);
        assert_eq!(quintic(1.0), 1.0);
        assert!((wrap(-1.0, 128.0) - 127.0).abs() < 1e-6);
        assert_eq!(tri(0.0), 1.0);
        assert_eq!(tri(0.5), 0.0);
    }
}
