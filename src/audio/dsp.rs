//! Small DSP building blocks shared by the analysis stages: windows, deterministic vectorizable
//! reductions, a fast logarithm and input cleaning.

/// Periodic Hann window (as librosa's `fftbins=True`), so a centred frame has its peak exactly on
/// the centre sample.
pub(crate) fn hann(n: usize) -> Vec<f32> {
    (0..n)
        .map(|i| {
            let p = std::f64::consts::TAU * i as f64 / n as f64;
            (0.5 - 0.5 * p.cos()) as f32
        })
        .collect()
}

/// Natural logarithm accurate to ~1e-5, several times faster than `f32::ln`; used where a log is
/// taken per FFT bin. Inputs below 1e-30 are treated as 1e-30.
#[inline]
pub(crate) fn fast_ln(x: f32) -> f32 {
    let bits = x.max(1e-30).to_bits();
    let exp = ((bits >> 23) & 0xff) as i32 - 127;
    let m = f32::from_bits((bits & 0x007f_ffff) | 0x3f80_0000);
    // ln(m) = 2·atanh((m-1)/(m+1)); y < 1/3 so four terms suffice.
    let y = (m - 1.0) / (m + 1.0);
    let y2 = y * y;
    let ln_m = 2.0 * y * (1.0 + y2 * (1.0 / 3.0 + y2 * (0.2 + y2 * (1.0 / 7.0))));
    exp as f32 * std::f32::consts::LN_2 + ln_m
}

/// Independent accumulators of the lane reductions below.
const LANES: usize = 8;

/// `Σ f(a[i], b[i])` over the common length, accumulated in eight interleaved lanes and then
/// summed in a fixed order. A plain fold cannot be vectorized (float addition is not
/// associative, so the compiler must keep its order); eight lanes can, and the result is
/// still the same on every run and machine.
#[inline]
pub(crate) fn lane_sum_zip(a: &[f32], b: &[f32], f: impl Fn(f32, f32) -> f32) -> f32 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut acc = [0.0f32; LANES];
    let (ca, cb) = (a.chunks_exact(LANES), b.chunks_exact(LANES));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for i in 0..LANES {
            acc[i] += f(x[i], y[i]);
        }
    }
    let mut sum = 0.0;
    for v in acc {
        sum += v;
    }
    for (&x, &y) in ra.iter().zip(rb) {
        sum += f(x, y);
    }
    sum
}

/// `max(0, max f(a[i], b[i]))` in lanes (for non-negative values, like [`lane_sum_zip`]).
#[inline]
pub(crate) fn lane_max_zip(a: &[f32], b: &[f32], f: impl Fn(f32, f32) -> f32) -> f32 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut acc = [0.0f32; LANES];
    let (ca, cb) = (a.chunks_exact(LANES), b.chunks_exact(LANES));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for i in 0..LANES {
            acc[i] = acc[i].max(f(x[i], y[i]));
        }
    }
    let mut m = 0.0f32;
    for v in acc {
        m = m.max(v);
    }
    for (&x, &y) in ra.iter().zip(rb) {
        m = m.max(f(x, y));
    }
    m
}

/// `Σ f(a[i])` in lanes (see [`lane_sum_zip`]).
#[inline]
pub(crate) fn lane_sum_by(a: &[f32], f: impl Fn(f32) -> f32) -> f32 {
    lane_sum_zip(a, a, |x, _| f(x))
}

/// `Σ a[i]` in lanes.
#[inline]
pub(crate) fn lane_sum(a: &[f32]) -> f32 {
    lane_sum_by(a, |x| x)
}

/// `Σ a[i] · b[i]` in lanes.
#[inline]
pub(crate) fn lane_dot(a: &[f32], b: &[f32]) -> f32 {
    lane_sum_zip(a, b, |x, y| x * y)
}

/// Copy of the input with non-finite samples set to 0, absurd magnitudes clamped (so squared
/// sums cannot overflow f32) and the DC offset removed (a constant offset is not audio and
/// would otherwise leak into every feature through the zero-padded edges).
pub(crate) fn clean(samples: &[f32]) -> Vec<f32> {
    const LIMIT: f32 = 1000.0;
    let mut x: Vec<f32> = samples
        .iter()
        .map(|&v| {
            if v.is_finite() {
                v.clamp(-LIMIT, LIMIT)
            } else {
                0.0
            }
        })
        .collect();
    if !x.is_empty() {
        let mean = x.iter().map(|&v| v as f64).sum::<f64>() / x.len() as f64;
        let mean = mean as f32;
        for v in &mut x {
            *v -= mean;
        }
    }
    x
}

/// Fill `dst[i] = x[start + i] · w[i]` with zero padding outside the signal.
pub(crate) fn windowed_copy(x: &[f32], start: i64, w: &[f32], dst: &mut [f32]) {
    let n = dst.len().min(w.len());
    let lo = (-start).clamp(0, n as i64) as usize;
    let hi = (x.len() as i64 - start).clamp(0, n as i64) as usize;
    dst[..lo].fill(0.0);
    if hi > lo {
        let src = &x[(start + lo as i64) as usize..(start + hi as i64) as usize];
        for ((d, &s), &wv) in dst[lo..hi].iter_mut().zip(src).zip(&w[lo..hi]) {
            *d = s * wv;
        }
    }
    dst[hi.max(lo)..n].fill(0.0);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_ln_matches_ln() {
        for &v in &[1e-20f32, 1e-6, 0.01, 0.5, 1.0, 1.5, 2.0, 3.7, 1e3, 1e12] {
            assert!((fast_ln(v) - v.ln()).abs() < 1e-4, "{v}");
        }
        assert!(fast_ln(0.0).is_finite());
    }

    #[test]
    fn lane_sums_match_plain_sums() {
        let a: Vec<f32> = (0..37).map(|i| i as f32 * 0.5).collect();
        let b: Vec<f32> = (0..40).map(|i| 1.0 + i as f32).collect();
        let plain: f32 = a.iter().sum();
        assert!((lane_sum(&a) - plain).abs() < 1e-3);
        let dot: f32 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
        assert!((lane_dot(&a, &b) - dot).abs() < 1e-2);
        assert!((lane_sum_by(&a, |x| x * x) - a.iter().map(|x| x * x).sum::<f32>()).abs() < 1e-1);
        assert_eq!(lane_sum(&[]), 0.0);
        let m = lane_max_zip(&a, &b, |x, y| x * y);
        assert_eq!(m, 18.0 * 37.0);
    }

    #[test]
    fn clean_removes_dc_and_nan() {
        let x = clean(&[f32::NAN, 2.0, f32::INFINITY, 2.0]);
        assert_eq!(x, vec![-1.0, 1.0, -1.0, 1.0]);
        assert!(clean(&[]).is_empty());
    }

    #[test]
    fn windowed_copy_pads_with_zeros() {
        let x = [1.0, 2.0, 3.0];
        let w = [1.0; 5];
        let mut d = [9.0; 5];
        windowed_copy(&x, -2, &w, &mut d);
        assert_eq!(d, [0.0, 0.0, 1.0, 2.0, 3.0]);
        windowed_copy(&x, 2, &w, &mut d);
        assert_eq!(d, [3.0, 0.0, 0.0, 0.0, 0.0]);
        windowed_copy(&x, 10, &w, &mut d);
        assert_eq!(d, [0.0; 5]);
    }
}
