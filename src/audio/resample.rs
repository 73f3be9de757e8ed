//! Band-limited resampling to the analysis rate (Kaiser-windowed sinc).
//!
//! The analysis is defined at one rate so that features, and the cache keyed on them, do not
//! depend on the decoder's output rate. Decoding straight to
//! [`super::AnalysisParams::sample_rate`] skips this step entirely.

use rayon::prelude::*;

/// Zero crossings of the sinc on each side: enough for analysis (about -60 dB stop band).
const ZERO_CROSSINGS: usize = 8;
/// Table entries per zero crossing (the kernel is linearly interpolated between them).
const OVERSAMPLE: usize = 128;
const KAISER_BETA: f64 = 6.0;

fn bessel_i0(x: f64) -> f64 {
    let mut sum = 1.0;
    let mut term = 1.0;
    for k in 1..40 {
        term *= (x / (2.0 * k as f64)).powi(2);
        sum += term;
        if term < 1e-12 * sum {
            break;
        }
    }
    sum
}

/// Windowed-sinc kernel sampled at `OVERSAMPLE` points per zero crossing, one extra entry so the
/// interpolation never reads past the end.
fn kernel_table() -> Vec<f32> {
    let n = ZERO_CROSSINGS * OVERSAMPLE;
    let norm = bessel_i0(KAISER_BETA);
    (0..=n + 1)
        .map(|i| {
            let u = i as f64 / OVERSAMPLE as f64;
            let r = (u / ZERO_CROSSINGS as f64).min(1.0);
            let sinc = if u == 0.0 {
                1.0
            } else {
                let a = std::f64::consts::PI * u;
                a.sin() / a
            };
            (sinc * bessel_i0(KAISER_BETA * (1.0 - r * r).sqrt()) / norm) as f32
        })
        .collect()
}

/// Resample `x` from `from` Hz to `to` Hz. The output has `round(len · to / from)` samples
/// (at least one for a non-empty input); sample `n` of the output is at time `n / to`.
pub(crate) fn resample(x: &[f32], from: u32, to: u32) -> Vec<f32> {
    if from == to || x.is_empty() || from == 0 || to == 0 {
        return x.to_vec();
    }
    let ratio = to as f64 / from as f64;
    let out_len = ((x.len() as f64 * ratio).round() as usize).max(1);
    // Below the lower Nyquist, with a little margin for the kernel's transition band.
    let cutoff = ratio.min(1.0) * 0.95;
    let half_width = ZERO_CROSSINGS as f64 / cutoff;
    let table = kernel_table();
    let table_max = (ZERO_CROSSINGS * OVERSAMPLE) as f64;
    let mut out = vec![0.0f32; out_len];
    out.par_chunks_mut(4096).enumerate().for_each(|(c, chunk)| {
        for (j, y) in chunk.iter_mut().enumerate() {
            let n = c * 4096 + j;
            let p = n as f64 / ratio;
            let lo = ((p - half_width).ceil() as i64).max(0);
            let hi = ((p + half_width).floor() as i64).min(x.len() as i64 - 1);
            let mut acc = 0.0f32;
            for i in lo..=hi {
                let pos = ((p - i as f64).abs() * cutoff * OVERSAMPLE as f64).min(table_max);
                let k = pos as usize;
                let f = (pos - k as f64) as f32;
                let h = table[k] + (table[k + 1] - table[k]) * f;
                acc += x[i as usize] * h;
            }
            *y = acc * cutoff as f32;
        }
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sine(freq: f64, sr: u32, n: usize) -> Vec<f32> {
        (0..n)
            .map(|i| (std::f64::consts::TAU * freq * i as f64 / sr as f64).sin() as f32)
            .collect()
    }

    fn rms(x: &[f32]) -> f32 {
        (x.iter().map(|v| v * v).sum::<f32>() / x.len() as f32).sqrt()
    }

    #[test]
    fn passband_sine_keeps_amplitude_and_phase() {
        let x = sine(1000.0, 44100, 44100 / 4);
        let y = resample(&x, 44100, 22050);
        assert_eq!(y.len(), x.len().div_ceil(2));
        let want = sine(1000.0, 22050, y.len());
        // Ignore the edges, where the kernel runs off the signal.
        let err: f32 = y[100..y.len() - 100]
            .iter()
            .zip(&want[100..want.len() - 100])
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f32::max);
        assert!(err < 0.01, "max error {err}");
    }

    #[test]
    fn content_above_new_nyquist_is_removed() {
        // 15 kHz cannot exist at 22.05 kHz; without the low-pass it would alias to 7.05 kHz.
        let x = sine(15000.0, 48000, 48000 / 4);
        let y = resample(&x, 48000, 22050);
        assert!(rms(&y[100..y.len() - 100]) < 0.01);
    }

    #[test]
    fn upsampling_and_tiny_inputs() {
        let x = sine(440.0, 8000, 800);
        let y = resample(&x, 8000, 22050);
        assert_eq!(y.len(), 2205);
        assert!((rms(&y[200..2000]) - std::f32::consts::FRAC_1_SQRT_2).abs() < 0.02);
        assert_eq!(resample(&[0.5], 44100, 22050).len(), 1);
        assert!(resample(&[], 44100, 22050).is_empty());
    }
}
