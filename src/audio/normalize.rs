//! Robust, percentile-based mapping of raw feature values to `[0, 1]`.
//!
//! Min–max normalization (the reference's) lets one click or one silent frame squash a whole
//! track; percentiles ignore the extreme 1 % instead.

/// Level features are divided by this percentile: "1.0" means "as loud as this track gets,
/// ignoring its loudest 1 %".
pub(crate) const LEVEL_PERCENTILE: f32 = 99.0;

/// Bands quieter than this fraction (-50 dB) of the loudest band are not blown up to full scale:
/// a pure 60 Hz tone must not light the treble just because its leakage is "loud for the
/// treble". Music stays well above it (its treble is typically 20–45 dB under the bass).
const BAND_FLOOR: f32 = 0.003;

/// The `q`-th percentile (0–100, linear interpolation between ranks) of the finite values;
/// 0 when there are none.
pub(crate) fn percentile(values: &[f32], q: f32) -> f32 {
    let mut v: Vec<f32> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return 0.0;
    }
    let q = if q.is_finite() {
        q.clamp(0.0, 100.0)
    } else {
        50.0
    };
    let pos = q as f64 / 100.0 * (v.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let frac = (pos - lo as f64) as f32;
    let (_, &mut a, upper) = v.select_nth_unstable_by(lo, f32::total_cmp);
    if frac == 0.0 || upper.is_empty() {
        return a;
    }
    let b = upper.iter().copied().fold(f32::INFINITY, f32::min);
    a + (b - a) * frac
}

/// `v / scale` clamped to `[0, 1]`; all zeros when the scale is zero or not finite.
pub(crate) fn scale_clamp(v: &mut [f32], scale: f32) {
    if !(scale.is_finite() && scale > 1e-20) {
        v.fill(0.0);
        return;
    }
    let inv = 1.0 / scale;
    for x in v.iter_mut() {
        *x = if x.is_finite() {
            (*x * inv).clamp(0.0, 1.0)
        } else {
            0.0
        };
    }
}

/// Divide a non-negative level feature by its [`LEVEL_PERCENTILE`].
pub(crate) fn normalize_level(v: &mut [f32]) {
    let s = percentile(v, LEVEL_PERCENTILE);
    scale_clamp(v, s);
}

/// Normalize band levels each by its own percentile, but never by less than [`BAND_FLOOR`] of
/// the loudest band's, so that bands keep their relation when one band dominates.
pub(crate) fn normalize_bands(bands: &mut [Vec<f32>]) {
    let scales: Vec<f32> = bands
        .iter()
        .map(|b| percentile(b, LEVEL_PERCENTILE))
        .collect();
    let loudest = scales.iter().copied().fold(0.0f32, f32::max);
    for (b, &s) in bands.iter_mut().zip(&scales) {
        scale_clamp(b, s.max(loudest * BAND_FLOOR));
    }
}

/// Map the valid values from their 5th–95th percentile span to `[0, 1]` (clamped); invalid
/// entries (silent frames) become 0. The span is widened to at least `min_span` around its
/// centre, so a constant feature sits at 0.5 instead of flickering between 0 and 1.
pub(crate) fn normalize_range(v: &mut [f32], valid: &[bool], min_span: f32) {
    let kept: Vec<f32> = v
        .iter()
        .zip(valid)
        .filter(|(_, ok)| **ok)
        .map(|(x, _)| *x)
        .collect();
    let mut lo = percentile(&kept, 5.0);
    let mut hi = percentile(&kept, 95.0);
    if hi - lo < min_span {
        let mid = 0.5 * (lo + hi);
        lo = mid - 0.5 * min_span;
        hi = mid + 0.5 * min_span;
    }
    let inv = 1.0 / (hi - lo).max(1e-20);
    for (x, ok) in v.iter_mut().zip(valid) {
        *x = if *ok && x.is_finite() {
            ((*x - lo) * inv).clamp(0.0, 1.0)
        } else {
            0.0
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentile_interpolates_and_ignores_nan() {
        let v = [4.0, f32::NAN, 1.0, 3.0, 2.0, 5.0];
        assert_eq!(percentile(&v, 0.0), 1.0);
        assert_eq!(percentile(&v, 100.0), 5.0);
        assert_eq!(percentile(&v, 50.0), 3.0);
        assert!((percentile(&v, 62.5) - 3.5).abs() < 1e-6);
        assert_eq!(percentile(&[], 50.0), 0.0);
    }

    #[test]
    fn level_ignores_one_outlier() {
        let mut v: Vec<f32> = (0..1000).map(|i| (i % 10) as f32).collect();
        v[500] = 1e6;
        normalize_level(&mut v);
        assert_eq!(v[500], 1.0);
        // Without robustness every ordinary value would be ~0.
        assert!(v[9] > 0.9);
        let mut zeros = vec![0.0; 10];
        normalize_level(&mut zeros);
        assert!(zeros.iter().all(|&x| x == 0.0));
    }

    #[test]
    fn weak_band_stays_weak() {
        let mut bands = vec![vec![1.0; 100], vec![1e-4; 100]];
        normalize_bands(&mut bands);
        assert_eq!(bands[0][0], 1.0);
        assert!(bands[1][0] < 0.05);
        let mut similar = vec![vec![1.0; 100], vec![0.1; 100]];
        normalize_bands(&mut similar);
        assert_eq!(similar[1][0], 1.0);
    }

    #[test]
    fn range_maps_constant_to_middle_and_invalid_to_zero() {
        let mut v = vec![3.0; 10];
        let mut valid = vec![true; 10];
        valid[0] = false;
        normalize_range(&mut v, &valid, 1.0);
        assert_eq!(v[0], 0.0);
        assert!((v[5] - 0.5).abs() < 1e-6);
        let mut ramp: Vec<f32> = (0..101).map(|i| i as f32).collect();
        normalize_range(&mut ramp, &[true; 101], 1.0);
        assert_eq!(ramp[0], 0.0);
        assert!((ramp[50] - 0.5).abs() < 1e-6);
        assert_eq!(ramp[100], 1.0);
    }
}
