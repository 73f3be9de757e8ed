//! Global tempo from the onset envelope's autocorrelation.
//!
//! Like librosa's `feature.tempo` (autocorrelation weighted by a log-normal prior around
//! 120 BPM), with three additions: a harmonic comb (the autocorrelation at 1–4 times the beat
//! lag) makes the fundamental stand out and fixes the lag to a fraction of a frame; an explicit
//! octave check prefers double time when the half-lag pulse is about as strong (click tracks,
//! drum & bass), which the prior alone resolves by chance; and a confidence measure.

use super::config::AnalysisParams;
use super::dsp::{lane_dot, lane_sum};

/// Doubling the tempo is only considered up to this BPM (beyond it, eighth-note hi-hats would
/// too often win over the beat).
const OCTAVE_UP_MAX_BPM: f64 = 190.0;
/// How strong the half-lag peak must be, relative to the chosen one, to switch to double time.
const OCTAVE_UP_RATIO: f32 = 0.8;
/// Step of the lag search, in envelope frames.
const LAG_STEP: f64 = 0.05;

/// A global tempo estimate.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Tempo {
    /// Beats per minute.
    pub bpm: f64,
    /// Beat period in envelope frames.
    pub period: f64,
    /// How clearly periodic the envelope is at that period, 0–1.
    pub confidence: f32,
}

/// Normalized, unbiased autocorrelation of a lightly smoothed, mean-removed envelope.
struct Autocorr {
    r: Vec<f32>,
}

impl Autocorr {
    fn new(o: &[f32], max_lag: usize) -> Option<Self> {
        let n = o.len();
        // A Gaussian (sigma = 1 frame) spreads one-frame spikes so that peaks at non-integer lags
        // still overlap.
        let kernel: Vec<f32> = (-3..=3)
            .map(|i: i32| (-0.5 * (i * i) as f32).exp())
            .collect();
        let ksum: f32 = kernel.iter().sum();
        let mut s: Vec<f32> = (0..n)
            .map(|i| {
                let mut acc = 0.0;
                for (k, w) in kernel.iter().enumerate() {
                    let j = i as i64 + k as i64 - 3;
                    if j >= 0 && (j as usize) < n {
                        acc += w * o[j as usize];
                    }
                }
                acc / ksum
            })
            .collect();
        let mean = lane_sum(&s) / n as f32;
        for v in &mut s {
            *v -= mean;
        }
        let energy = lane_dot(&s, &s) / n as f32;
        if !energy.is_finite() || energy <= 1e-20 {
            return None;
        }
        let r = (0..=max_lag.min(n - 1))
            .map(|l| lane_dot(&s[..n - l], &s[l..]) / (n - l) as f32 / energy)
            .collect();
        Some(Autocorr { r })
    }

    fn max_lag(&self) -> f64 {
        (self.r.len() - 1) as f64
    }

    /// Linearly interpolated autocorrelation at a fractional lag (0 beyond the computed range).
    fn at(&self, lag: f64) -> f32 {
        if !(0.0..=self.max_lag()).contains(&lag) {
            return 0.0;
        }
        let j = lag.floor() as usize;
        let f = (lag - j as f64) as f32;
        let next = self.r[(j + 1).min(self.r.len() - 1)];
        self.r[j] + (next - self.r[j]) * f
    }

    /// Largest value within ±3 % of `lag`: the peak the lag points at.
    fn peak_near(&self, lag: f64) -> f32 {
        let (lo, hi) = (lag * 0.97, lag * 1.03);
        let mut best = self.at(lag);
        let mut l = lo;
        while l <= hi {
            best = best.max(self.at(l));
            l += LAG_STEP;
        }
        best
    }

    /// Harmonic comb: the autocorrelation at 1–4 times `lag`, weighted 1/m and averaged over the
    /// multiples that fit.
    fn salience(&self, lag: f64) -> f32 {
        let (mut sum, mut wsum) = (0.0f32, 0.0f32);
        for m in 1..=4 {
            let l = lag * m as f64;
            if l > self.max_lag() {
                break;
            }
            let w = 1.0 / m as f32;
            sum += w * self.at(l);
            wsum += w;
        }
        if wsum > 0.0 { sum / wsum } else { 0.0 }
    }
}

/// The lag in `[lo, hi]` (step `step`) with the best `score`.
fn argmax_lag(lo: f64, hi: f64, step: f64, score: impl Fn(f64) -> f32) -> (f64, f32) {
    let mut best = (lo, f32::NEG_INFINITY);
    let mut l = lo;
    while l <= hi {
        let s = score(l);
        if s > best.1 {
            best = (l, s);
        }
        l += step;
    }
    best
}

/// Estimate the tempo of an onset envelope sampled at `rate` frames per second. `None` when the
/// envelope is too short or has no variation.
///
/// `pulse`, when given, is a second envelope (the bass onsets) that may also call for double
/// time: a kick on every beat with a backbeat on 2 and 4 makes the two-beat lag the strongest
/// in the full envelope, while the kick alone still shows the true beat.
pub(crate) fn estimate(
    o: &[f32],
    rate: f64,
    p: &AnalysisParams,
    pulse: Option<&[f32]>,
) -> Option<Tempo> {
    let lag_min = rate * 60.0 / p.max_bpm as f64;
    let lag_max_wanted = rate * 60.0 / p.min_bpm as f64;
    // Lags beyond 2/3 of the signal average too few products to be trusted.
    let usable = o.len() as f64 * 2.0 / 3.0;
    let lag_max = lag_max_wanted.min(usable);
    if o.len() < 8 || lag_max <= lag_min + 1.0 {
        return None;
    }
    let acf = Autocorr::new(o, (4.0 * lag_max_wanted).min(usable).ceil() as usize)?;
    let bpm_of = |lag: f64| 60.0 * rate / lag;
    let sigma = p.tempo_prior_octaves as f64;
    let prior = |lag: f64| {
        let z = (bpm_of(lag) / p.start_bpm as f64).log2() / sigma;
        (-0.5 * z * z).exp() as f32
    };
    let (mut lag, _) = argmax_lag(lag_min, lag_max, LAG_STEP, |l| {
        acf.salience(l).max(0.0) * prior(l)
    });
    let half = lag / 2.0;
    let wants_double = |a: &Autocorr| a.peak_near(half) >= OCTAVE_UP_RATIO * a.peak_near(lag);
    let pulse_acf = pulse.and_then(|v| Autocorr::new(v, acf.r.len() - 1));
    if half >= lag_min
        && bpm_of(half) <= OCTAVE_UP_MAX_BPM
        && (wants_double(&acf) || pulse_acf.as_ref().is_some_and(wants_double))
    {
        lag = half;
    }
    // Sub-frame refinement on the comb alone (the prior would bias it).
    let (lag, _) = argmax_lag(
        (lag - 1.0).max(lag_min * 0.97),
        (lag + 1.0).min(lag_max * 1.03),
        0.01,
        |l| acf.salience(l),
    );
    let peak = acf.peak_near(lag);
    let mut background: Vec<f32> = (lag_min.ceil() as usize..=lag_max.floor() as usize)
        .map(|l| acf.r[l])
        .collect();
    background.sort_by(f32::total_cmp);
    let median = background.get(background.len() / 2).copied().unwrap_or(0.0);
    let confidence = ((peak - median) / (1.0 - median).max(1e-6)).clamp(0.0, 1.0);
    Some(Tempo {
        bpm: bpm_of(lag),
        period: lag,
        confidence,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An envelope with a one-frame spike every `period` frames (fractional periods allowed).
    fn pulses(period: f64, frames: usize) -> Vec<f32> {
        let mut o = vec![0.0f32; frames];
        let mut t: f64 = 3.0;
        while (t as usize) < frames {
            o[t.round() as usize] = 1.0;
            t += period;
        }
        o
    }

    #[test]
    fn finds_fractional_periods() {
        let rate = 22050.0 / 512.0;
        let p = AnalysisParams::default();
        for bpm in [60.0, 97.0, 120.0, 143.0, 174.0] {
            let period = rate * 60.0 / bpm;
            let t = estimate(&pulses(period, 1000), rate, &p, None).unwrap();
            assert!((t.bpm - bpm).abs() / bpm < 0.01, "{bpm}: got {}", t.bpm);
            assert!(t.confidence > 0.5, "{bpm}: confidence {}", t.confidence);
        }
    }

    #[test]
    fn no_tempo_in_flat_or_tiny_input() {
        let p = AnalysisParams::default();
        assert!(estimate(&[0.0; 500], 43.0, &p, None).is_none());
        assert!(estimate(&[1.0; 3], 43.0, &p, None).is_none());
    }

    #[test]
    fn noise_has_low_confidence() {
        let p = AnalysisParams::default();
        let o: Vec<f32> = (0..2000)
            .map(|i| crate::rng::unit(crate::rng::hash2(3, i, 0)))
            .collect();
        let t = estimate(&o, 43.0, &p, None).unwrap();
        assert!(t.confidence < 0.2, "confidence {}", t.confidence);
    }
}
