//! Raw measurements + rhythm → the normalized, smoothed [`Features`] table.
//!
//! Shared by the analysis and the generative mode, so both produce curves with the same
//! meaning, scale and smoothing.

use super::config::AnalysisParams;
use super::dsp::fast_ln;
use super::normalize::{normalize_bands, normalize_level, normalize_range, percentile};
use super::pulse::{event_column, pulse_columns};
use super::rhythm::Rhythm;
use super::smooth::smooth_in_place;
use super::spectral::{FrameValues, RawFrames};
use crate::features::{Feature, Features};

/// `20 / ln 10`: natural log to decibels of amplitude.
const DB_PER_NEPER_AMPLITUDE: f32 = 20.0 / std::f32::consts::LN_10;
/// Frames quieter than this (absolute RMS, -100 dBFS) are silent.
const SILENCE_RMS: f32 = 1e-5;
/// Frames this far below the track's loud level (-60 dB) are silent too.
const SILENCE_REL: f32 = 1e-3;
/// Smallest span the centroid is stretched over (octaves): a steady tone is "medium bright".
const CENTROID_MIN_SPAN: f32 = 1.0;
/// Smallest span of the flatness (dB).
const FLATNESS_MIN_SPAN: f32 = 6.0;
/// Spectrum tilt compensation (dB per octave, around 1 kHz): music falls off towards the
/// treble roughly like pink noise, which would leave the right-hand bars empty.
const SPECTRUM_TILT_DB_PER_OCT: f32 = 3.0;

/// Fill a column where `valid` is false with the last valid value (the first valid one at the
/// start), so smoothing does not pull towards the placeholder of silent frames.
fn hold_invalid(v: &mut [f32], valid: &[bool]) {
    let Some(first) = valid.iter().position(|&ok| ok) else {
        return;
    };
    let mut last = v[first];
    for (x, &ok) in v.iter_mut().zip(valid) {
        if ok {
            last = *x;
        } else {
            *x = last;
        }
    }
}

/// Spectrum amplitudes (frame-major, `centres.len()` per frame) → display bars in `[0, 1]`:
/// tilt-compensated dB over `range_db` below the track's 99th percentile, then a release.
pub(crate) fn spectrum_bars(
    amps: &[f32],
    centres: &[f32],
    fps: f64,
    p: &AnalysisParams,
) -> Vec<Vec<f32>> {
    let nb = centres.len();
    if nb == 0 {
        return Vec::new();
    }
    let tilt: Vec<f32> = centres
        .iter()
        .map(|&c| SPECTRUM_TILT_DB_PER_OCT * (c / 1000.0).log2())
        .collect();
    let db: Vec<f32> = amps
        .iter()
        .enumerate()
        .map(|(i, &a)| {
            if a > 1e-10 && a.is_finite() {
                DB_PER_NEPER_AMPLITUDE * fast_ln(a) + tilt[i % nb]
            } else {
                f32::NEG_INFINITY
            }
        })
        .collect();
    let top = percentile(&db, 99.0);
    let range = p.spectrum_range_db;
    let mut bands: Vec<Vec<f32>> = (0..nb)
        .map(|b| {
            db.iter()
                .skip(b)
                .step_by(nb)
                .map(|&d| {
                    let v = (d - (top - range)) / range;
                    if v.is_finite() {
                        v.clamp(0.0, 1.0)
                    } else {
                        0.0
                    }
                })
                .collect()
        })
        .collect();
    for band in &mut bands {
        smooth_in_place(band, fps, 0.0, p.spectrum_release_s);
    }
    let frames = amps.len() / nb;
    (0..frames)
        .map(|k| bands.iter().map(|b| b[k]).collect())
        .collect()
}

/// The named bands in `Feature` order.
const BAND_FEATURES: [Feature; 6] = [
    Feature::Sub,
    Feature::Bass,
    Feature::Lomid,
    Feature::Mid,
    Feature::Himid,
    Feature::Hi,
];

/// The band shares in `Feature` order.
const RATIO_FEATURES: [Feature; 6] = [
    Feature::SubR,
    Feature::BassR,
    Feature::LomidR,
    Feature::MidR,
    Feature::HimidR,
    Feature::HiR,
];

/// Output columns under construction, indexed by [`Feature`].
struct Columns(Vec<Vec<f32>>);

impl Columns {
    fn set(&mut self, f: Feature, v: Vec<f32>) {
        self.0[f as usize] = v;
    }
}

/// Frames loud enough for timbre to mean something: above -100 dBFS and above -60 dB
/// relative to the track's loud level.
fn audible(raw: &RawFrames) -> Vec<bool> {
    let rms: Vec<f32> = raw.frames.iter().map(|f| f.rms).collect();
    let gate = SILENCE_RMS.max(percentile(&rms, 99.0) * SILENCE_REL);
    rms.iter().map(|&r| r > gate).collect()
}

/// `rms`, the six bands and `waveform`: attack/release, then percentile normalization.
fn level_columns(raw: &RawFrames, fps: f64, p: &AnalysisParams, out: &mut Columns) {
    let level = |mut v: Vec<f32>| {
        smooth_in_place(&mut v, fps, p.level_attack_s, p.level_release_s);
        v
    };
    let mut rms = level(raw.frames.iter().map(|f| f.rms).collect());
    normalize_level(&mut rms);
    out.set(Feature::Rms, rms);
    let mut bands: Vec<Vec<f32>> = (0..6)
        .map(|b| level(raw.frames.iter().map(|f| f.bands[b]).collect()))
        .collect();
    normalize_bands(&mut bands);
    for (f, b) in BAND_FEATURES.iter().zip(bands) {
        out.set(*f, b);
    }
    // The waveform is already a peak follower with its own release.
    let mut wave = raw.waveform.clone();
    wave.resize(raw.frames.len(), 0.0);
    normalize_level(&mut wave);
    out.set(Feature::Waveform, wave);
}

/// Reads one raw value out of a frame's measurements.
type Measure = fn(&FrameValues) -> f32;

/// Band shares, centroid and flatness: smoothed, silent frames neutral (uniform shares, 0).
fn timbre_columns(raw: &RawFrames, fps: f64, p: &AnalysisParams, out: &mut Columns) {
    let valid = audible(raw);
    let timbre = |v: &mut Vec<f32>| smooth_in_place(v, fps, p.timbre_smooth_s, p.timbre_smooth_s);
    for (b, f) in RATIO_FEATURES.iter().enumerate() {
        let mut r: Vec<f32> = raw
            .frames
            .iter()
            .zip(&valid)
            .map(|(fr, &ok)| {
                let total: f32 = fr.band_totals.iter().sum();
                if ok && total > 0.0 {
                    fr.band_totals[b] / total
                } else {
                    1.0 / 6.0
                }
            })
            .collect();
        timbre(&mut r);
        r.iter_mut().for_each(|v| *v = v.clamp(0.0, 1.0));
        out.set(*f, r);
    }
    let measures: [(Feature, f32, Measure); 2] = [
        (Feature::Centroid, CENTROID_MIN_SPAN, |fr| {
            fr.centroid_hz.max(1.0).log2()
        }),
        (Feature::Flatness, FLATNESS_MIN_SPAN, |fr| fr.flatness_db),
    ];
    for (f, min_span, measure) in measures {
        let mut v: Vec<f32> = raw.frames.iter().map(measure).collect();
        hold_invalid(&mut v, &valid);
        timbre(&mut v);
        normalize_range(&mut v, &valid, min_span);
        out.set(f, v);
    }
}

/// Flux, onset strength and every event-driven column.
fn event_columns(
    raw: &RawFrames,
    mut onset_strength: Vec<f32>,
    rhythm: &Rhythm,
    fps: f64,
    p: &AnalysisParams,
    out: &mut Columns,
) {
    let n = raw.frames.len();
    let mut flux: Vec<f32> = raw.frames.iter().map(|f| f.flux).collect();
    normalize_level(&mut flux);
    out.set(Feature::Flux, flux);
    onset_strength.resize(n, 0.0);
    normalize_level(&mut onset_strength);
    out.set(Feature::OnsetStrength, onset_strength);
    out.set(Feature::Onset, event_column(&rhythm.onsets, fps, n));
    let pulses = pulse_columns(
        &rhythm.beats,
        rhythm.first_downbeat,
        rhythm.period(),
        fps,
        n,
        p.beat_decay_s,
    );
    out.set(Feature::Beat, pulses.beat);
    out.set(Feature::BeatPhase, pulses.beat_phase);
    out.set(Feature::BeatDecay, pulses.beat_decay);
    out.set(Feature::Downbeat, pulses.downbeat);
    out.set(Feature::BarPhase, pulses.bar_phase);
}

/// Build the feature table from raw frame measurements, the onset strength already sampled at
/// the frames, and the rhythm.
pub(crate) fn assemble(
    raw: &RawFrames,
    onset_strength: Vec<f32>,
    rhythm: &Rhythm,
    fps: f64,
    duration: f64,
    p: &AnalysisParams,
) -> Features {
    // Every column gets a value per frame; the ones audio cannot measure (the video features of
    // `crate::video`) stay 0.
    let mut columns = Columns(vec![vec![0.0; raw.frames.len()]; Feature::COUNT]);
    level_columns(raw, fps, p, &mut columns);
    timbre_columns(raw, fps, p, &mut columns);
    event_columns(raw, onset_strength, rhythm, fps, p, &mut columns);
    // The video features (crate::video::analysis) stay 0 when there is only audio.
    let n = raw.frames.len();
    for c in columns.0.iter_mut().filter(|c| c.is_empty()) {
        c.resize(n, 0.0);
    }
    Features {
        fps,
        duration,
        tempo_bpm: rhythm.tempo_bpm,
        tempo_confidence: rhythm.tempo_confidence,
        beats: rhythm.beats.clone(),
        downbeats: rhythm.downbeats(),
        onsets: rhythm.onsets.clone(),
        columns: columns.0,
        spectrum: spectrum_bars(&raw.spectrum, &raw.band_centres, fps, p),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hold_fills_gaps() {
        let mut v = vec![0.0, 5.0, 0.0, 0.0, 7.0, 0.0];
        hold_invalid(&mut v, &[false, true, false, false, true, false]);
        assert_eq!(v, vec![5.0, 5.0, 5.0, 5.0, 7.0, 7.0]);
    }

    #[test]
    fn spectrum_bars_are_bounded_and_silence_is_zero() {
        let p = AnalysisParams::default();
        let centres = [100.0, 1000.0, 8000.0];
        let amps = [0.0, 0.0, 0.0, 1.0, 0.1, 0.001, 0.5, f32::NAN, 0.2];
        let bars = spectrum_bars(&amps, &centres, 30.0, &p);
        assert_eq!(bars.len(), 3);
        assert_eq!(bars[0], vec![0.0; 3]);
        assert!(bars.iter().flatten().all(|v| (0.0..=1.0).contains(v)));
        assert!(bars[1][0] > bars[1][2]);
    }
}
