//! Tempo, beats, downbeats and onsets of a whole signal.

use super::beat;
use super::config::AnalysisParams;
use super::onset::{self, BlockEnergy, OnsetEnvelope};
use super::tempo;

/// Beats closer than this to a detected onset take the onset's (sample-accurate) time.
const SNAP_S: f64 = 0.035;
/// Inter-beat intervals further than this (relative) from the autocorrelation period are
/// ignored for the tempo: in breaks the tracker may drift at its own pace.
const IBI_TOLERANCE: f64 = 0.05;

/// The rhythm of a track, independent of any frame rate.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Rhythm {
    /// Tempo in BPM (0 when none was found).
    pub tempo_bpm: f32,
    /// Confidence of the tempo, 0–1.
    pub tempo_confidence: f32,
    /// Beat times (s), increasing.
    pub beats: Vec<f64>,
    /// Index into `beats` of the first downbeat (0–3); downbeats are every 4th beat from it.
    pub first_downbeat: usize,
    /// Onset times (s), increasing.
    pub onsets: Vec<f64>,
}

impl Rhythm {
    /// Downbeat (bar start) times: every fourth beat starting at `first_downbeat`.
    pub fn downbeats(&self) -> Vec<f64> {
        self.beats
            .iter()
            .skip(self.first_downbeat)
            .step_by(4)
            .copied()
            .collect()
    }

    /// Beat period (s) from the tempo, or from the beats when there is no tempo; 0 if unknown.
    pub fn period(&self) -> f64 {
        if self.tempo_bpm > 0.0 {
            60.0 / self.tempo_bpm as f64
        } else if self.beats.len() >= 2 {
            (self.beats[self.beats.len() - 1] - self.beats[0]) / (self.beats.len() - 1) as f64
        } else {
            0.0
        }
    }
}

/// The onset nearest to `t` within `tol` seconds (`onsets` sorted).
fn nearest_onset(onsets: &[f64], t: f64, tol: f64) -> Option<f64> {
    let i = onsets.partition_point(|&o| o < t);
    [i.checked_sub(1), Some(i)]
        .into_iter()
        .flatten()
        .filter_map(|k| onsets.get(k).copied())
        .filter(|o| (o - t).abs() <= tol)
        .min_by(|a, b| (a - t).abs().total_cmp(&(b - t).abs()))
}

/// Shift all beats by their median distance to the nearest onset (the tracker's systematic
/// delay), then move each to the nearest onset within [`SNAP_S`] if there is one.
fn snap_to_onsets(beats: &mut [f64], onsets: &[f64]) {
    let mut offsets: Vec<f64> = beats
        .iter()
        .filter_map(|&b| nearest_onset(onsets, b, 2.0 * SNAP_S).map(|o| o - b))
        .collect();
    offsets.sort_by(f64::total_cmp);
    let shift = offsets.get(offsets.len() / 2).copied().unwrap_or(0.0);
    for b in beats.iter_mut() {
        let moved = *b + shift;
        *b = nearest_onset(onsets, moved, SNAP_S)
            .unwrap_or(moved)
            .max(0.0);
    }
}

/// Tempo from the tracked beats: the mean of the inter-beat intervals within
/// [`IBI_TOLERANCE`] of the autocorrelation `period` (s). Beats are sample-accurate after
/// snapping, and sums of neighbouring intervals telescope, so this is far more precise than
/// the lag-domain estimate. Returns the tempo and the fraction of intervals that agreed; `None`
/// when fewer than three or a quarter of them did.
fn tempo_from_beats(beats: &[f64], period: f64) -> Option<(f64, f64)> {
    let ibis: Vec<f64> = beats.windows(2).map(|w| w[1] - w[0]).collect();
    let kept: Vec<f64> = ibis
        .iter()
        .copied()
        .filter(|d| (d - period).abs() <= IBI_TOLERANCE * period)
        .collect();
    if kept.len() < 3 || kept.len() * 4 < ibis.len() {
        return None;
    }
    let mean = kept.iter().sum::<f64>() / kept.len() as f64;
    Some((60.0 / mean, kept.len() as f64 / ibis.len() as f64))
}

/// Bass envelopes at least this periodic may also vote for double time.
const PULSE_MIN_CONFIDENCE: f32 = 0.5;

/// The envelope beats are tracked on: the all-band onset strength plus the low-band one, each
/// scaled to unit mean. The log-mel mean alone lets a quiet sixteenth-note hi-hat count as much
/// as the kick (both are "from nothing to something" in their own bands); adding the bass
/// bands back restores the kick's and bass line's weight, which is what listeners tap to.
/// The low band is weighted by the square of its own periodicity confidence, so that when it
/// holds only noise (no bass, or noisy recordings) it cannot blur the pulse.
/// Also returns the low band's confidence.
fn beat_envelope(env: &OnsetEnvelope, p: &AnalysisParams) -> (Vec<f32>, f32) {
    let unit_mean = |v: &[f32]| {
        let m = v.iter().map(|&x| x as f64).sum::<f64>() / v.len().max(1) as f64;
        if m > 1e-9 { (1.0 / m) as f32 } else { 0.0 }
    };
    let low_conf = tempo::estimate(&env.low, env.rate, p, None).map_or(0.0, |t| t.confidence);
    let (a, b) = (
        unit_mean(&env.strength),
        unit_mean(&env.low) * low_conf * low_conf,
    );
    let combined = env
        .strength
        .iter()
        .zip(&env.low)
        .map(|(&s, &l)| s * a + l * b)
        .collect();
    (combined, low_conf)
}

/// Rhythm of `x` (at `p.sample_rate`) from its onset envelope.
/// Calibrates `env`'s time offset on the way (see [`onset::onset_times`]).
pub(crate) fn detect(x: &[f32], env: &mut OnsetEnvelope, p: &AnalysisParams) -> Rhythm {
    let energy = BlockEnergy::new(x, p.sample_rate);
    let onsets = onset::onset_times(env, &energy, p);
    let (beat_env, low_conf) = beat_envelope(env, p);
    let pulse = (low_conf >= PULSE_MIN_CONFIDENCE).then_some(&env.low[..]);
    let Some(tempo) = tempo::estimate(&beat_env, env.rate, p, pulse) else {
        return Rhythm {
            onsets,
            ..Rhythm::default()
        };
    };
    let frames = beat::track(&beat_env, tempo.period, p.tightness);
    if frames.len() < 2 {
        return Rhythm {
            tempo_bpm: tempo.bpm as f32,
            tempo_confidence: tempo.confidence,
            onsets,
            ..Rhythm::default()
        };
    }
    let first_downbeat = beat::downbeat_phase(&frames, env, tempo.period);
    let mut beats: Vec<f64> = frames.iter().map(|&j| env.time(j)).collect();
    snap_to_onsets(&mut beats, &onsets);
    let (bpm, agreement) = tempo_from_beats(&beats, 60.0 / tempo.bpm).unwrap_or((tempo.bpm, 1.0));
    Rhythm {
        tempo_bpm: bpm as f32,
        tempo_confidence: (tempo.confidence as f64 * agreement) as f32,
        beats,
        first_downbeat,
        onsets,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapping_uses_nearest_onset_or_median_shift() {
        let mut beats = vec![1.0, 2.0, 3.0, 4.0];
        snap_to_onsets(&mut beats, &[1.04, 1.9, 2.05, 4.06]);
        // Median offset 0.05; 1.04 and 4.06 are then within reach.
        assert_eq!(beats[0], 1.04);
        assert_eq!(beats[1], 2.05);
        // No onset near 3.05: shifted by the median offset only.
        assert!((beats[2] - 3.05).abs() < 1e-12);
        assert_eq!(beats[3], 4.06);
    }

    #[test]
    fn tempo_from_regular_beats_ignores_a_gap() {
        let mut beats: Vec<f64> = (0..20).map(|i| i as f64 * 0.5).collect();
        beats.remove(7);
        // A drifting break at the end.
        beats.extend([10.1, 10.7, 11.3]);
        let (bpm, agree) = tempo_from_beats(&beats, 0.51).unwrap();
        assert!((bpm - 120.0).abs() < 1e-9, "{bpm}");
        assert!(agree > 0.8 && agree < 0.9, "{agree}");
        assert!(tempo_from_beats(&[0.0, 1.0], 1.0).is_none());
    }

    #[test]
    fn downbeats_every_fourth_beat() {
        let r = Rhythm {
            beats: (0..10).map(|i| i as f64).collect(),
            first_downbeat: 2,
            ..Rhythm::default()
        };
        assert_eq!(r.downbeats(), vec![2.0, 6.0]);
        assert_eq!(r.period(), 1.0);
    }
}
