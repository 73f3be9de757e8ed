//! Generative mode: plausible feature curves without any audio.
//!
//! The seeded [`Arrangement`] (the same plan the demo track plays) is turned into the raw
//! measurements an analysis would have produced: every event contributes an envelope, a
//! spectral bump at its pitch or timbre, noisiness and an onset. Those go through the same
//! normalization and smoothing as real analysis, so presets behave alike in both modes.

use super::arrangement::{Arrangement, Event, Voice};
use super::assemble::assemble;
use super::config::{AnalysisParams, sanitize_fps};
use super::normalize::normalize_level;
use super::rhythm::Rhythm;
use super::smooth::smooth_in_place;
use super::spectral::{BANDS_HZ, FrameValues, RawFrames, log_band_centres};
use super::timeline::frame_count;
use crate::features::{Feature, Features};
use crate::rng::{hash3, unit};

/// Longest generative run (s): a day of frames is already far more than anyone renders.
const MAX_SECONDS: f64 = 86_400.0;
/// Nyquist frequency assumed for the spectrum layout (the analysis default's).
const NYQUIST: f32 = 11025.0;

/// Spectral shape and loudness of a voice: (centre Hz, width in octaves, noisiness, level).
fn timbre(e: &Event, dt: f64) -> (f32, f32, f32, f32) {
    match e.voice {
        Voice::Kick => (58.0, 0.7, 0.1, 0.8),
        Voice::Clap => (1500.0, 1.2, 0.8, 0.6),
        Voice::Hat => (9000.0, 0.6, 0.95, 0.33),
        Voice::OpenHat => (8000.0, 0.8, 0.95, 0.33),
        Voice::Bass => (e.freq * 1.5, 0.9, 0.05, 0.6),
        Voice::Pad => (e.freq * (1.0 + 3.0 * e.bright), 1.0, 0.15, 0.22),
        Voice::Lead => (e.freq * 2.0, 0.8, 0.1, 0.3),
        Voice::Riser => {
            let x = (dt / e.dur.max(1e-3)).min(1.0) as f32;
            (400.0 * (7000.0f32 / 400.0).powf(x), 0.6, 0.9, 0.3)
        }
        Voice::Crash => (6000.0, 1.3, 0.95, 0.25),
    }
}

/// Amplitude envelope of an event `dt` seconds after its start (mirrors the demo voices).
fn envelope(e: &Event, dt: f64) -> f32 {
    let t = dt as f32;
    let held = e.dur as f32;
    let release = |tau: f32| {
        if t > held {
            (-(t - held) / tau).exp()
        } else {
            1.0
        }
    };
    match e.voice {
        Voice::Kick => (-t / 0.16).exp(),
        Voice::Clap => {
            if t < 0.024 {
                1.0
            } else {
                0.7 * (-(t - 0.024) / 0.12).exp()
            }
        }
        Voice::Hat => (-t / 0.025).exp(),
        Voice::OpenHat => (-t / 0.12).exp(),
        Voice::Bass => (0.7 + 0.3 * (-t / 0.1).exp()) * release(0.01),
        Voice::Pad => (t / (0.25 * held).clamp(0.01, 0.4)).min(1.0) * release(0.12),
        Voice::Lead => (-t / 0.18).exp(),
        Voice::Riser => {
            let x = (t / held.max(1e-3)).min(1.0);
            x * x * release(0.01)
        }
        Voice::Crash => (-t / 0.9).exp(),
    }
}

/// Slow seeded drift (±15 %, changing over a few seconds) so repeated sections differ a bit.
fn drift(seed: u64, voice: Voice, t: f64) -> f32 {
    let x = t / 2.0;
    let i = x.floor();
    let f = (x - i) as f32;
    let f = f * f * (3.0 - 2.0 * f);
    let a = unit(hash3(seed, voice as u64, i as u64, 0xD81F));
    let b = unit(hash3(seed, voice as u64, i as u64 + 1, 0xD81F));
    0.85 + 0.3 * (a + (b - a) * f)
}

/// Gaussian bump on the log-frequency axis: a voice's energy per octave around its centre,
/// with unit total energy whatever its width.
fn bump(f: f32, centre: f32, width: f32) -> f32 {
    let z = (f / centre.max(1.0)).log2() / width;
    (-0.5 * z * z).exp() / (width * (std::f32::consts::TAU).sqrt())
}

/// Where the model evaluates spectra, laid out like the analysis' measurements.
struct SpectralGrid {
    /// Four log-spaced sample frequencies inside each named band.
    band_points: [[f32; 4]; 6],
    /// Width of each named band in octaves.
    band_octaves: [f32; 6],
    /// Width of each named band in FFT bins of the analysis.
    band_bins: [f32; 6],
    /// Centre frequency of each spectrum band.
    centres: Vec<f32>,
    /// Converts energy per octave into power per FFT bin at each spectrum centre.
    per_bin: Vec<f32>,
}

impl SpectralGrid {
    fn new(p: &AnalysisParams) -> Self {
        let bin_hz = p.sample_rate as f32 / p.n_fft as f32;
        let span = |(lo, hi): (f32, f32)| (lo, hi.min(NYQUIST));
        let centres = log_band_centres(p.spectrum_bands, NYQUIST);
        SpectralGrid {
            band_points: BANDS_HZ.map(|b| {
                let (lo, hi) = span(b);
                std::array::from_fn(|i| lo * (hi / lo).powf((i as f32 + 0.5) / 4.0))
            }),
            band_octaves: BANDS_HZ.map(|b| {
                let (lo, hi) = span(b);
                (hi / lo).log2()
            }),
            band_bins: BANDS_HZ.map(|b| {
                let (lo, hi) = span(b);
                ((hi - lo) / bin_hz).max(1.0)
            }),
            per_bin: centres
                .iter()
                .map(|&f| bin_hz / (f * std::f32::consts::LN_2))
                .collect(),
            centres,
        }
    }

    /// Energy per named band and power per bin per spectrum band of a voice with energy 1.
    fn profile(&self, centre: f32, width: f32, out: &mut Profile) {
        for b in 0..6 {
            let mean = self.band_points[b]
                .iter()
                .map(|&f| bump(f, centre, width))
                .sum::<f32>()
                / 4.0;
            out.bands[b] = mean * self.band_octaves[b];
        }
        out.spectrum.clear();
        out.spectrum.extend(
            self.centres
                .iter()
                .zip(&self.per_bin)
                .map(|(&f, &k)| bump(f, centre, width) * k),
        );
    }
}

/// One voice's spectral shape on a [`SpectralGrid`].
#[derive(Default)]
struct Profile {
    bands: [f32; 6],
    spectrum: Vec<f32>,
}

/// Per-frame accumulators of all event contributions.
struct Mix {
    energy: Vec<f32>,
    log_centre: Vec<f32>,
    noise: Vec<f32>,
    /// Energy per named band.
    bands: Vec<[f32; 6]>,
    /// Power per bin per spectrum band, frame-major.
    spectrum: Vec<f32>,
    flux: Vec<f32>,
    strength: Vec<f32>,
}

impl Mix {
    fn new(n: usize, nb: usize) -> Self {
        Mix {
            energy: vec![0.0; n],
            log_centre: vec![0.0; n],
            noise: vec![0.0; n],
            bands: vec![[0.0; 6]; n],
            spectrum: vec![0.0; n * nb],
            flux: vec![0.0; n],
            strength: vec![0.0; n],
        }
    }

    /// Add event `e` to every frame it sounds in.
    fn add(&mut self, e: &Event, ctx: &MixCtx, profile: &mut Profile) {
        let n = self.energy.len();
        let nb = ctx.grid.centres.len();
        let fps = ctx.fps;
        let first = (e.time * fps - 0.5).ceil().max(0.0) as usize;
        let end = (((e.time + e.dur + super::voices::tail(e.voice)) * fps).ceil() as usize).min(n);
        let music = !e.voice.is_drum() && e.voice != Voice::Riser;
        let gain = e.amp * drift(ctx.seed, e.voice, e.time);
        let (centre, width, _, _) = timbre(e, 0.0);
        ctx.grid.profile(centre, width, profile);
        for k in first..end {
            let dt = (k as f64 / fps - e.time).max(0.0);
            let (centre, width, noisy, level) = timbre(e, dt);
            if e.voice == Voice::Riser {
                // The only voice whose timbre moves while it sounds.
                ctx.grid.profile(centre, width, profile);
            }
            let duck = if music { ctx.ducking[k] } else { 1.0 };
            let a = gain * level * envelope(e, dt) * duck;
            let a2 = a * a;
            self.energy[k] += a2;
            self.log_centre[k] += a2 * centre.max(1.0).log2();
            self.noise[k] += a2 * noisy;
            for (b, &v) in self.bands[k].iter_mut().zip(&profile.bands) {
                *b += a2 * v;
            }
            for (s, &v) in self.spectrum[k * nb..(k + 1) * nb]
                .iter_mut()
                .zip(&profile.spectrum)
            {
                *s += a2 * v;
            }
        }
        if matches!(e.voice, Voice::Pad | Voice::Riser) {
            return;
        }
        if let Some(k) = super::timeline::frame_of(e.time, fps, n) {
            let (_, _, noisy, level) = timbre(e, 0.0);
            let hit = gain * level * (1.0 + 2.0 * noisy);
            self.flux[k] += hit;
            // The onset envelope is log-compressed and has a short tail.
            for d in 0..((0.1 * fps).ceil() as usize).min(n - k) {
                let tail = (-(d as f64 / fps) / 0.03).exp() as f32;
                self.strength[k + d] += (1.0 + 4.0 * hit).ln() * tail;
            }
        }
    }

    /// The accumulated frame `k` as raw measurements.
    fn frame(&self, k: usize, grid: &SpectralGrid) -> FrameValues {
        let e = self.energy[k];
        let inv = if e > 0.0 { 1.0 / e } else { 0.0 };
        let bands = self.bands[k];
        FrameValues {
            rms: 0.5 * e.sqrt(),
            bands: std::array::from_fn(|b| (bands[b] / grid.band_bins[b]).sqrt()),
            band_totals: bands.map(f32::sqrt),
            centroid_hz: if e > 0.0 {
                (self.log_centre[k] * inv).exp2()
            } else {
                0.0
            },
            flatness_db: -30.0 + 28.0 * self.noise[k] * inv,
            flux: self.flux[k],
        }
    }
}

/// Everything [`Mix::add`] reads besides the event.
struct MixCtx {
    fps: f64,
    seed: u64,
    grid: SpectralGrid,
    ducking: Vec<f32>,
}

/// Kick side-chain on the music bus, per frame (as in the demo track).
fn duck(song: &Arrangement, fps: f64, n: usize) -> Vec<f32> {
    let mut out = vec![1.0f32; n];
    let kicks: Vec<f64> = song
        .events
        .iter()
        .filter(|e| e.voice == Voice::Kick)
        .map(|e| e.time)
        .collect();
    let mut last: Option<f64> = None;
    let mut next = kicks.iter().peekable();
    for (k, d) in out.iter_mut().enumerate() {
        let t = k as f64 / fps;
        while next.peek().is_some_and(|&&kt| kt <= t) {
            last = next.next().copied();
        }
        if let Some(kt) = last {
            *d = 1.0 - 0.6 * (-(t - kt) / 0.12).exp() as f32;
        }
    }
    out
}

/// Generative feature curves: `duration` seconds at `fps` of a seeded song at `bpm` (4/4,
/// beats on the exact grid from t = 0, downbeats every 4 beats), with sections that build up,
/// drop and break down, drum hits, bass notes and chord changes. Invalid arguments are
/// sanitized (BPM to 40–240 or 120, fps to 30, duration to 0–24 h).
pub fn synthetic_features(bpm: f32, fps: f64, duration: f64, seed: u64) -> Features {
    let p = AnalysisParams::default();
    let fps = sanitize_fps(fps);
    let duration = if duration.is_finite() {
        duration.clamp(0.0, MAX_SECONDS)
    } else {
        0.0
    };
    let n = frame_count(duration, fps);
    let song = Arrangement::new(bpm, duration, seed);
    let nb = p.spectrum_bands;
    let ctx = MixCtx {
        fps,
        seed,
        grid: SpectralGrid::new(&p),
        ducking: duck(&song, fps, n),
    };
    let mut mix = Mix::new(n, nb);
    let mut profile = Profile::default();
    for e in &song.events {
        mix.add(e, &ctx, &mut profile);
    }
    let frames: Vec<FrameValues> = (0..n).map(|k| mix.frame(k, &ctx.grid)).collect();
    let mut waveform: Vec<f32> = frames.iter().map(|f| 3.0 * f.rms).collect();
    smooth_in_place(&mut waveform, fps, 0.0, p.waveform_release_s);
    let raw = RawFrames {
        frames,
        spectrum: mix.spectrum.iter().map(|v| v.sqrt()).collect(),
        band_centres: ctx.grid.centres.clone(),
        waveform,
    };
    let rhythm = song_rhythm(&song, duration, &p);
    let mut features = assemble(&raw, mix.strength, &rhythm, fps, duration, &p);
    video_stand_ins(&mut features, 4.0 * song.beat_s, seed);
    features
}

/// Stand-ins for the video features (`crate::video`), which have no picture to measure in
/// generative mode, so presets modulated by them still move with the music: brightness
/// follows the loudness, contrast the timbre's brightness, motion the flux, edge density the
/// treble, and the dominant hue turns once around the colour wheel every 16 bars. Looked up
/// by name, so the set of features can change without touching this module.
fn video_stand_ins(f: &mut Features, bar_s: f64, seed: u64) {
    let fps = f.fps;
    let smooth = |v: &[f32], attack: f32, release: f32| {
        let mut v = v.to_vec();
        smooth_in_place(&mut v, fps, attack, release);
        v
    };
    let col = |name: &str| Feature::from_name(name).map(|c| f.column(c).to_vec());
    let (Some(rms), Some(cent), Some(flux), Some(himid), Some(hi)) = (
        col("rms"),
        col("centroid"),
        col("flux"),
        col("himid"),
        col("hi"),
    ) else {
        return;
    };
    let mut motion = smooth(&flux, 0.02, 0.3);
    normalize_level(&mut motion);
    let treble: Vec<f32> = himid.iter().zip(&hi).map(|(a, b)| 0.5 * (a + b)).collect();
    let hue_start = unit(hash3(seed, 0xC010, 0, 0)) as f64;
    let stand_ins = [
        (
            "brightness",
            smooth(&rms, 0.3, 1.0)
                .iter()
                .map(|v| 0.15 + 0.7 * v)
                .collect(),
        ),
        ("contrast", smooth(&cent, 0.5, 0.5)),
        ("motion", motion),
        ("edge_density", smooth(&treble, 0.2, 0.6)),
        (
            "dominant_hue",
            (0..f.len())
                .map(|k| (k as f64 / fps / (16.0 * bar_s) + hue_start).fract() as f32)
                .collect(),
        ),
    ];
    for (name, mut values) in stand_ins {
        if let Some(c) = Feature::from_name(name) {
            values.iter_mut().for_each(|v| *v = v.clamp(0.0, 1.0));
            f.columns[c as usize] = values;
        }
    }
}

/// The exact rhythm of the song: beats on the grid from t = 0, downbeats every fourth beat,
/// onsets at every hit and note start.
fn song_rhythm(song: &Arrangement, duration: f64, p: &AnalysisParams) -> Rhythm {
    let mut onsets: Vec<f64> = song
        .events
        .iter()
        .filter(|e| !matches!(e.voice, Voice::Pad | Voice::Riser))
        .map(|e| e.time)
        .collect();
    onsets.dedup_by(|a, b| *a - *b < p.onset_wait_s as f64);
    let beats: Vec<f64> = (0..)
        .map(|i| i as f64 * song.beat_s)
        .take_while(|&t| t < duration)
        .collect();
    Rhythm {
        tempo_bpm: song.bpm as f32,
        tempo_confidence: if beats.is_empty() { 0.0 } else { 1.0 },
        beats,
        first_downbeat: 0,
        onsets,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::Feature;

    #[test]
    fn beats_follow_the_bpm_with_downbeats_every_four() {
        for (bpm, fps) in [(120.0, 30.0), (93.0, 24.0), (174.0, 60.0)] {
            let f = synthetic_features(bpm, fps, 30.0, 4);
            assert_eq!(f.tempo_bpm, bpm);
            let period = 60.0 / bpm as f64;
            for w in f.beats.windows(2) {
                assert!((w[1] - w[0] - period).abs() < 1e-9);
            }
            assert_eq!(f.downbeats.len(), f.beats.len().div_ceil(4));
            let beat_col = f.column(Feature::Beat);
            for &b in &f.beats {
                assert_eq!(beat_col[(b * fps).round() as usize], 1.0);
            }
        }
    }

    #[test]
    fn curves_are_bounded_varied_and_seeded() {
        let f = synthetic_features(128.0, 30.0, 60.0, 11);
        assert_eq!(f.len(), 1800);
        // the scene columns come from a timeline, not from the track
        for &feat in Feature::ALL.iter().filter(|f| !f.is_scene()) {
            let c = f.column(feat);
            assert!(c.iter().all(|v| (0.0..=1.0).contains(v)), "{}", feat.name());
            let (lo, hi) = c
                .iter()
                .fold((1.0f32, 0.0f32), |(l, h), &v| (l.min(v), h.max(v)));
            // Shares of the quiet treble bands move less than anything else.
            let wanted = if feat.name().ends_with("_r") {
                0.1
            } else {
                0.4
            };
            assert!(hi - lo > wanted, "{} barely moves: {lo}..{hi}", feat.name());
        }
        assert!(f.spectrum.iter().flatten().all(|v| (0.0..=1.0).contains(v)));
        // Kicks make the sub band pulse on the beat during the drop.
        let sub = f.column(Feature::Sub);
        let beat = f.column(Feature::Beat);
        let drop = 16.0 * 60.0 / 128.0 * 30.0;
        let (mut on, mut off) = (Vec::new(), Vec::new());
        for k in drop as usize..1800 {
            if beat[k] == 1.0 {
                on.push(sub[k]);
            } else {
                off.push(sub[k]);
            }
        }
        assert!(mean(&on) > mean(&off) + 0.1);
        assert_eq!(f, synthetic_features(128.0, 30.0, 60.0, 11));
        assert_ne!(f.columns, synthetic_features(128.0, 30.0, 60.0, 12).columns);
    }

    fn mean(v: &[f32]) -> f32 {
        v.iter().sum::<f32>() / v.len().max(1) as f32
    }

    #[test]
    fn degenerate_arguments() {
        let f = synthetic_features(f32::NAN, f64::NAN, f64::NAN, 0);
        assert!(f.is_empty());
        assert_eq!(f.columns.len(), Feature::COUNT);
        let g = synthetic_features(120.0, 24.0, 0.01, 0);
        assert_eq!(g.len(), 1);
    }
}
