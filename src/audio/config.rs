//! Analysis settings and their sanitizing.

use serde::{Deserialize, Serialize};

/// Every tunable of the analysis. Changing any field changes the results, so the whole struct is
/// part of the feature-cache key (together with [`super::ANALYSIS_VERSION`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AnalysisParams {
    /// Rate the analysis runs at; other input rates are resampled to it first.
    pub sample_rate: u32,
    /// STFT window (samples) of the per-frame spectral features and of the onset envelope.
    pub n_fft: usize,
    /// Hop (samples) of the onset-strength envelope used for tempo, beats and onsets.
    pub onset_hop: usize,
    /// Number of log-spaced bands of [`crate::features::Features::spectrum`].
    pub spectrum_bands: usize,
    /// Mel bands of the onset-strength envelope.
    pub n_mels: usize,
    /// Centre of the log-normal tempo prior (BPM).
    pub start_bpm: f32,
    /// Width of the tempo prior, in octaves.
    pub tempo_prior_octaves: f32,
    /// Slowest tempo considered (BPM).
    pub min_bpm: f32,
    /// Fastest tempo considered (BPM).
    pub max_bpm: f32,
    /// How strongly the beat tracker sticks to the global tempo (Ellis 2007 / librosa: 100).
    pub tightness: f32,
    /// Onset peak-picking threshold above the local mean, relative to the envelope's scale.
    pub onset_delta: f32,
    /// Minimum gap between two onsets (s).
    pub onset_wait_s: f32,
    /// Time constant of `beat_decay` (s).
    pub beat_decay_s: f32,
    /// Attack of the level features `rms`, bands and `waveform` (s).
    pub level_attack_s: f32,
    /// Release of the level features (s).
    pub level_release_s: f32,
    /// Symmetric smoothing of centroid, flatness and band ratios (s).
    pub timbre_smooth_s: f32,
    /// Release of the spectrum bars, cava's "gravity" (s).
    pub spectrum_release_s: f32,
    /// Dynamic range shown by the spectrum bars (dB below the track's loud reference).
    pub spectrum_range_db: f32,
    /// Release of the `waveform` peak follower (s).
    pub waveform_release_s: f32,
}

impl Default for AnalysisParams {
    fn default() -> Self {
        AnalysisParams {
            sample_rate: 22050,
            n_fft: 2048,
            onset_hop: 512,
            spectrum_bands: 32,
            n_mels: 80,
            start_bpm: 120.0,
            tempo_prior_octaves: 1.0,
            min_bpm: 40.0,
            max_bpm: 240.0,
            tightness: 100.0,
            onset_delta: 0.07,
            onset_wait_s: 0.03,
            beat_decay_s: 0.2,
            level_attack_s: 0.0,
            level_release_s: 0.05,
            timbre_smooth_s: 0.06,
            spectrum_release_s: 0.1,
            spectrum_range_db: 60.0,
            waveform_release_s: 0.1,
        }
    }
}

fn finite_or(v: f32, default: f32) -> f32 {
    if v.is_finite() { v } else { default }
}

impl AnalysisParams {
    /// A copy with every field forced into a range the analysis can run with, so hostile or
    /// hand-edited settings degrade instead of panicking.
    pub fn sanitized(&self) -> AnalysisParams {
        let d = AnalysisParams::default();
        let sample_rate = self.sample_rate.clamp(4000, 192_000);
        let n_fft = (self.n_fft.clamp(64, 1 << 16) / 2) * 2;
        let onset_hop = self.onset_hop.clamp(16, n_fft);
        let min_bpm = finite_or(self.min_bpm, d.min_bpm).clamp(10.0, 400.0);
        let max_bpm = finite_or(self.max_bpm, d.max_bpm).clamp(min_bpm * 2.0, 800.0);
        let nonneg = |v: f32, dv: f32| finite_or(v, dv).clamp(0.0, 60.0);
        AnalysisParams {
            sample_rate,
            n_fft,
            onset_hop,
            spectrum_bands: self.spectrum_bands.clamp(1, 512),
            n_mels: self.n_mels.clamp(8, 256),
            start_bpm: finite_or(self.start_bpm, d.start_bpm).clamp(min_bpm, max_bpm),
            tempo_prior_octaves: finite_or(self.tempo_prior_octaves, d.tempo_prior_octaves)
                .clamp(0.1, 10.0),
            min_bpm,
            max_bpm,
            tightness: finite_or(self.tightness, d.tightness).clamp(0.0, 10_000.0),
            onset_delta: finite_or(self.onset_delta, d.onset_delta).clamp(0.0, 10.0),
            onset_wait_s: nonneg(self.onset_wait_s, d.onset_wait_s),
            beat_decay_s: nonneg(self.beat_decay_s, d.beat_decay_s),
            level_attack_s: nonneg(self.level_attack_s, d.level_attack_s),
            level_release_s: nonneg(self.level_release_s, d.level_release_s),
            timbre_smooth_s: nonneg(self.timbre_smooth_s, d.timbre_smooth_s),
            spectrum_release_s: nonneg(self.spectrum_release_s, d.spectrum_release_s),
            spectrum_range_db: finite_or(self.spectrum_range_db, d.spectrum_range_db)
                .clamp(6.0, 200.0),
            waveform_release_s: nonneg(self.waveform_release_s, d.waveform_release_s),
        }
    }
}

/// A usable output frame rate: non-finite or non-positive rates fall back to 30 fps.
pub(crate) fn sanitize_fps(fps: f64) -> f64 {
    if fps.is_finite() && fps > 0.0 {
        fps.clamp(0.1, 1000.0)
    } else {
        30.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitized_fixes_hostile_values() {
        let p = AnalysisParams {
            sample_rate: 0,
            n_fft: 3,
            onset_hop: 0,
            spectrum_bands: 0,
            min_bpm: f32::NAN,
            max_bpm: -5.0,
            tightness: f32::INFINITY,
            beat_decay_s: -1.0,
            ..AnalysisParams::default()
        }
        .sanitized();
        assert_eq!(p.sample_rate, 4000);
        assert_eq!(p.n_fft, 64);
        assert_eq!(p.onset_hop, 16);
        assert_eq!(p.spectrum_bands, 1);
        assert!(p.min_bpm > 0.0 && p.max_bpm > p.min_bpm);
        assert_eq!(p.tightness, 100.0);
        assert_eq!(p.beat_decay_s, 0.0);
        assert_eq!(
            AnalysisParams::default().sanitized(),
            AnalysisParams::default()
        );
    }

    #[test]
    fn fps_fallback() {
        assert_eq!(sanitize_fps(f64::NAN), 30.0);
        assert_eq!(sanitize_fps(-1.0), 30.0);
        assert_eq!(sanitize_fps(24.0), 24.0);
    }
}
