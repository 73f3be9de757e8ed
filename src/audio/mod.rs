//! Audio analysis: mono samples in, one row of [`Features`] per output frame out, plus the
//! generative counterparts (feature curves and a demo track made from nothing but a seed).
//!
//! Pipeline of [`analyze`] (offline, whole track):
//! 1. clean the input (NaN → 0, DC removed) and resample to `AnalysisParams::sample_rate`;
//! 2. onset-strength envelope at a fixed hop: log-mel spectral flux with SuperFlux's frequency
//!    max filter (`onset`);
//! 3. tempo from the envelope's autocorrelation with a log-normal prior, harmonic comb and an
//!    octave check (`tempo`); beats by Ellis' dynamic programming (`beat`); onsets by
//!    adaptive peak picking refined to the attack in the samples; downbeats by the bar phase
//!    with the most bass onsets and harmonic change;
//! 4. per output frame, a Hann STFT centred exactly on `k / fps` (bands, centroid, flatness,
//!    log spectrum), RMS, a frame-aligned flux and the peak envelope (`spectral`, `flux`);
//! 5. attack/release smoothing in seconds and percentile normalization to `[0, 1]`
//!    (`assemble`).
//!
//! Everything is deterministic: frames are computed independently (in parallel) and every
//! reduction runs in a fixed order.

mod arrangement;
mod assemble;
mod beat;
mod config;
mod demo;
mod dsp;
mod eval;
mod fft;
mod flux;
mod normalize;
mod onset;
mod pulse;
mod resample;
mod rhythm;
mod smooth;
mod spectral;
mod synthetic;
mod tempo;
mod timeline;
mod voices;

#[cfg(test)]
mod tests;

pub use config::AnalysisParams;
pub use demo::synth_demo_track;
pub use eval::f_measure;
pub use rhythm::Rhythm;
pub use smooth::smooth_attack_release;
pub use synthetic::synthetic_features;

use crate::features::Features;

/// Version of the analysis results; bump whenever any output can change, so cached features
/// are recomputed.
pub const ANALYSIS_VERSION: u32 = 1;

/// The input cleaned (NaN → 0, DC removed) and brought to `p.sample_rate`.
fn prepare(samples: &[f32], sample_rate: u32, p: &AnalysisParams) -> Vec<f32> {
    let x = dsp::clean(samples);
    resample::resample(&x, sample_rate, p.sample_rate)
}

/// Tempo, beats, downbeats and onsets of a mono signal, without the per-frame features (cheaper
/// when only the rhythm is needed, e.g. for evaluation). `sample_rate == 0` gives an empty
/// result.
pub fn analyze_rhythm(samples: &[f32], sample_rate: u32, params: &AnalysisParams) -> Rhythm {
    if sample_rate == 0 {
        return Rhythm::default();
    }
    let p = params.sanitized();
    let x = prepare(samples, sample_rate, &p);
    let mut env = onset::envelope(&x, &p);
    rhythm::detect(&x, &mut env, &p)
}

/// Analyse mono `samples` at `sample_rate` into one feature row per output frame at `fps`;
/// frame `k` describes the audio around `k / fps`. Never panics: empty input (or a zero
/// `sample_rate`) gives zero frames, silence gives zeros (uniform band ratios), NaN and
/// infinite samples count as 0, and an invalid `fps` falls back to 30.
pub fn analyze(samples: &[f32], sample_rate: u32, fps: f64, params: &AnalysisParams) -> Features {
    let p = params.sanitized();
    let fps = config::sanitize_fps(fps);
    let duration = if sample_rate == 0 {
        0.0
    } else {
        samples.len() as f64 / sample_rate as f64
    };
    let n = timeline::frame_count(duration, fps);
    if n == 0 {
        return Features::empty(fps);
    }
    let x = prepare(samples, sample_rate, &p);
    let mut env = onset::envelope(&x, &p);
    let rhythm = rhythm::detect(&x, &mut env, &p);
    let raw = spectral::measure_frames(&x, fps, n, &p);
    let strength = timeline::pool_to_frames(&env.strength, env.rate, env.offset, fps, n);
    assemble::assemble(&raw, strength, &rhythm, fps, duration, &p)
}

/// Centre frequencies (Hz) of the bands of [`Features::spectrum`] under `params`, low to
/// high, log-spaced (for axis labels).
pub fn spectrum_band_centres(params: &AnalysisParams) -> Vec<f32> {
    let p = params.sanitized();
    spectral::log_band_centres(p.spectrum_bands, p.sample_rate as f32 / 2.0)
}
