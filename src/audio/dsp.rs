//! Small DSP building blocks shared by the analysis stages: windows, a planned real FFT with
//! reusable buffers, a fast logarithm and input cleaning.

use realfft::num_complex::Complex;
use realfft::{RealFftPlanner, RealToComplex};
use std::sync::Arc;

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

/// Smallest length >= `n` of the form 2^a·3^b·5^c with a >= 1, so variable-size FFTs stay on
/// rustfft's fast radix paths.
pub(crate) fn nice_fft_len(n: usize) -> usize {
    let mut m = n.max(2);
    loop {
        let mut r = m;
        if r % 2 == 0 {
            for p in [2, 3, 5] {
                while r % p == 0 {
                    r /= p;
                }
            }
            if r == 1 {
                return m;
            }
        }
        m += 1;
    }
}

/// A forward real FFT plan plus the buffers one worker needs to run it without allocating.
pub(crate) struct FftWork {
    plan: Arc<dyn RealToComplex<f32>>,
    /// Time-domain input; fill it before [`FftWork::power`] (the transform overwrites it).
    pub input: Vec<f32>,
    output: Vec<Complex<f32>>,
    scratch: Vec<Complex<f32>>,
}

impl FftWork {
    /// Plan a transform of `n` samples (one planner per call: do it once per analysis).
    pub fn plan(n: usize) -> Arc<dyn RealToComplex<f32>> {
        RealFftPlanner::<f32>::new().plan_fft_forward(n)
    }

    /// Buffers for an existing plan (cheap clone of the plan's `Arc`).
    pub fn new(plan: &Arc<dyn RealToComplex<f32>>) -> Self {
        FftWork {
            plan: Arc::clone(plan),
            input: plan.make_input_vec(),
            output: plan.make_output_vec(),
            scratch: plan.make_scratch_vec(),
        }
    }

    /// Number of output bins (`n / 2 + 1`).
    pub fn bins(&self) -> usize {
        self.output.len()
    }

    /// Transform `input` and write `|X|²` per bin into `out` (`out.len() >= bins()`).
    pub fn power(&mut self, out: &mut [f32]) {
        // Buffer sizes come from the plan itself, so the transform cannot report an error.
        let _ = self
            .plan
            .process_with_scratch(&mut self.input, &mut self.output, &mut self.scratch);
        for (o, c) in out.iter_mut().zip(&self.output) {
            *o = c.re * c.re + c.im * c.im;
        }
    }

    /// Like [`FftWork::power`] but writes the magnitude `|X|`.
    pub fn magnitude(&mut self, out: &mut [f32]) {
        self.power(out);
        for o in out.iter_mut() {
            *o = o.sqrt();
        }
    }
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

/// Copy of the input with non-finite samples set to 0, absurd magnitudes clamped (so squared
/// sums cannot overflow f32) and the DC offset removed (a constant offset is not audio and
/// would otherwise leak into every feature through the zero-padded edges).
pub(crate) fn clean(samples: &[f32]) -> Vec<f32> {
    const LIMIT: f32 = 1000.0;
    let mut x: Vec<f32> = samples
        .iter()
        .map(|&v| if v.is_finite() { v.clamp(-LIMIT, LIMIT) } else { 0.0 })
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

/// `x[i]` or 0 outside the signal: the zero padding of centred frames.
#[inline]
pub(crate) fn sample_at(x: &[f32], i: i64) -> f32 {
    if i >= 0 && (i as usize) < x.len() {
        x[i as usize]
    } else {
        0.0
    }
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
    fn nice_lengths() {
        assert_eq!(nice_fft_len(880), 900);
        assert_eq!(nice_fft_len(1024), 1024);
        assert_eq!(nice_fft_len(1), 2);
        assert_eq!(nice_fft_len(7), 8);
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

    #[test]
    fn fft_power_of_sine_peaks_at_its_bin() {
        let n = 256;
        let plan = FftWork::plan(n);
        let mut work = FftWork::new(&plan);
        for (i, v) in work.input.iter_mut().enumerate() {
            *v = (std::f32::consts::TAU * 8.0 * i as f32 / n as f32).sin();
        }
        let mut p = vec![0.0; work.bins()];
        work.power(&mut p);
        let peak = (0..p.len()).max_by(|&a, &b| p[a].total_cmp(&p[b])).unwrap();
        assert_eq!(peak, 8);
    }
}
