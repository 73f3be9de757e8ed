//! Two real FFTs for the price of one complex FFT.
//!
//! Every transform in the analysis produces a power or magnitude spectrum of a real signal, and
//! they come in pairs (neighbouring frames, or the two sides of the flux split). Packing the
//! pair as `a + i·b` into one complex FFT and separating the halves afterwards costs about half
//! of two real FFTs with rustfft/realfft on this size range (the real-FFT post-processing with
//! its twiddles is as expensive as the complex transform itself).

use rustfft::num_complex::Complex;
use rustfft::{Fft, FftPlanner};
use std::sync::Arc;

/// A planned complex FFT plus one worker's buffers for transforming two real signals at once.
pub(crate) struct PairFft {
    plan: Arc<dyn Fft<f32>>,
    /// First real input (length `n`); fill before [`PairFft::power`].
    pub a: Vec<f32>,
    /// Second real input (length `n`); fill (or zero) before [`PairFft::power`].
    pub b: Vec<f32>,
    buf: Vec<Complex<f32>>,
    scratch: Vec<Complex<f32>>,
}

impl PairFft {
    /// Plan a transform of `n` samples (once per analysis; plans are shared by all workers).
    pub fn plan(n: usize) -> Arc<dyn Fft<f32>> {
        FftPlanner::<f32>::new().plan_fft_forward(n.max(1))
    }

    /// Buffers for a plan.
    pub fn new(plan: &Arc<dyn Fft<f32>>) -> Self {
        let n = plan.len();
        PairFft {
            plan: Arc::clone(plan),
            a: vec![0.0; n],
            b: vec![0.0; n],
            buf: vec![Complex::new(0.0, 0.0); n],
            scratch: vec![Complex::new(0.0, 0.0); plan.get_inplace_scratch_len()],
        }
    }

    /// Bins of each one-sided spectrum: `n / 2 + 1`.
    pub fn bins(&self) -> usize {
        self.a.len() / 2 + 1
    }

    /// Transform `a` and `b`; write `|A|²` into `pa` and `|B|²` into `pb` (`bins()` values each).
    pub fn power(&mut self, pa: &mut [f32], pb: &mut [f32]) {
        let n = self.a.len();
        for ((z, &re), &im) in self.buf.iter_mut().zip(&self.a).zip(&self.b) {
            *z = Complex::new(re, im);
        }
        self.plan
            .process_with_scratch(&mut self.buf, &mut self.scratch);
        // With Z = FFT(a + i·b): A[k] = (Z[k] + conj Z[n-k]) / 2, B[k] = (Z[k] - conj Z[n-k]) / 2i.
        let bins = self.bins().min(pa.len()).min(pb.len());
        if bins == 0 {
            return;
        }
        let split = |z: Complex<f32>, c: Complex<f32>| {
            let (sr, si) = (z.re + c.re, z.im - c.im);
            let (dr, di) = (z.re - c.re, z.im + c.im);
            (0.25 * (sr * sr + si * si), 0.25 * (dr * dr + di * di))
        };
        (pa[0], pb[0]) = split(self.buf[0], self.buf[0]);
        // Bins 1.. pair with n-1 downwards: a reversed slice instead of an index modulo n.
        let mirror = self.buf[n + 1 - bins..].iter().rev();
        let rest = pa[1..bins].iter_mut().zip(pb[1..bins].iter_mut());
        for ((z, c), (a, b)) in self.buf[1..bins].iter().zip(mirror).zip(rest) {
            (*a, *b) = split(*z, *c);
        }
    }

    /// Like [`PairFft::power`] but writes magnitudes.
    pub fn magnitude(&mut self, ma: &mut [f32], mb: &mut [f32]) {
        self.power(ma, mb);
        for v in ma.iter_mut().chain(mb.iter_mut()) {
            *v = v.sqrt();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Power spectrum by the definition, for comparison.
    fn dft_power(x: &[f32]) -> Vec<f32> {
        let n = x.len();
        (0..=n / 2)
            .map(|k| {
                let (mut re, mut im) = (0.0f64, 0.0f64);
                for (i, &v) in x.iter().enumerate() {
                    let ph = -std::f64::consts::TAU * (k * i) as f64 / n as f64;
                    re += v as f64 * ph.cos();
                    im += v as f64 * ph.sin();
                }
                (re * re + im * im) as f32
            })
            .collect()
    }

    #[test]
    fn separates_both_spectra() {
        for n in [16usize, 30] {
            let plan = PairFft::plan(n);
            let mut f = PairFft::new(&plan);
            for i in 0..n {
                f.a[i] = (i as f32 * 0.7).sin() + 0.3;
                f.b[i] = if i % 5 == 0 { 1.0 } else { -0.2 * i as f32 };
            }
            let (wa, wb) = (dft_power(&f.a), dft_power(&f.b));
            let mut pa = vec![0.0; f.bins()];
            let mut pb = vec![0.0; f.bins()];
            f.power(&mut pa, &mut pb);
            for k in 0..f.bins() {
                assert!((pa[k] - wa[k]).abs() < 1e-3 * (1.0 + wa[k]), "a[{k}]");
                assert!((pb[k] - wb[k]).abs() < 1e-3 * (1.0 + wb[k]), "b[{k}]");
            }
        }
    }
}
