//! Tempo, beats, downbeats and onsets of a whole signal.

use super::beat;
use super::config::AnalysisParams;
use super::onset::{self, BlockEnergy, OnsetEnvelope};
use super::tempo;

/// Beats closer than this to a detected onset take the onset's (sample-accurate) time.
const SNAP_S: f64 = 0.035;
/// Inter-beat intervals further than this from the median are ignored for the tempo.
const IBI_TOLERANCE: f64 = 0.15;

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

/// Move each beat to the nearest onset within [`SNAP_S`]; beats without one are shifted by the
/// median snap offset, which removes the envelope's systematic delay.
fn snap_to_onsets(beats: &mut [f64], onsets: &[f64]) {
    let nearest = |t: f64| -> Option<f64> {
        let i = onsets.partition_point(|&o| o < t);
        let cands = [i.checked_sub(1), Some(i)];
        cands
            .into_iter()
            .flatten()
            .filter_map(|k| onsets.get(k).copied())
            .filter(|o| (o - t).abs() <= SNAP_S)
            .min_by(|a, b| (a - t).abs().total_cmp(&(b - t).abs()))
    };
    let snapped: Vec<Option<f64>> = beats.iter().map(|&b| nearest(b)).collect();
    let mut offsets: Vec<f64> = beats
        .iter()
        .zip(&snapped)
        .filter_map(|(b, s)| s.map(|s| s - b))
        .collect();
    offsets.sort_by(f64::total_cmp);
    let shift = offsets.get(offsets.len() / 2).copied().unwrap_or(0.0);
    for (b, s) in beats.iter_mut().zip(snapped) {
        *b = s.unwrap_or(*b + shift).max(0.0);
    }
}

/// Tempo from the tracked beats: mean of the inter-beat intervals near their median (beats are
/// sample-accurate after snapping, so this beats any lag-domain estimate for steady tempos).
/// Returns the tempo and the fraction of intervals that agreed.
fn tempo_from_beats(beats: &[f64]) -> Option<(f64, f64)> {
    if beats.len() < 4 {
        return None;
    }
    let mut ibis: Vec<f64> = beats.windows(2).map(|w| w[1] - w[0]).collect();
    let total = ibis.len();
    ibis.sort_by(f64::total_cmp);
    let median = ibis[ibis.len() / 2];
    let kept: Vec<f64> = ibis
        .into_iter()
        .filter(|d| (d - median).abs() <= IBI_TOLERANCE * median)
        .collect();
    let mean = kept.iter().sum::<f64>() / kept.len() as f64;
    (mean > 0.0).then(|| (60.0 / mean, kept.len() as f64 / total as f64))
}

/// Rhythm of `x` (at `p.sample_rate`) from its onset envelope.
pub(crate) fn detect(x: &[f32], env: &OnsetEnvelope, p: &AnalysisParams) -> Rhythm {
    let energy = BlockEnergy::new(x, p.sample_rate);
    let onsets = onset::onset_times(env, &energy, p);
    let Some(tempo) = tempo::estimate(&env.strength, env.rate, p) else {
        return Rhythm {
            onsets,
            ..Rhythm::default()
        };
    };
    let frames = beat::track(&env.strength, tempo.period, p.tightness);
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
    let (bpm, agreement) = tempo_from_beats(&beats).unwrap_or((tempo.bpm, 1.0));
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
        let mut beats = vec![1.0, 2.0, 3.0];
        snap_to_onsets(&mut beats, &[1.01, 1.9, 2.012]);
        assert_eq!(beats[0], 1.01);
        assert_eq!(beats[1], 2.012);
        // No onset near 3.0: shifted by the median offset (0.012).
        assert!((beats[2] - 3.012).abs() < 1e-12);
    }

    #[test]
    fn tempo_from_regular_beats_ignores_a_gap() {
        let mut beats: Vec<f64> = (0..20).map(|i| i as f64 * 0.5).collect();
        beats.remove(7);
        let (bpm, agree) = tempo_from_beats(&beats).unwrap();
        assert!((bpm - 120.0).abs() < 1e-9);
        assert!(agree > 0.9 && agree < 1.0);
        assert!(tempo_from_beats(&[0.0, 1.0]).is_none());
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
