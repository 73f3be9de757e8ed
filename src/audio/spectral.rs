//! Per-output-frame measurements: a Hann STFT centred on each frame time (bands, centroid,
//! flatness, log-spaced spectrum), a Hann-weighted RMS, the frame-aligned flux and the peak
//! envelope. Raw values only; normalization happens in `assemble`.

use super::config::AnalysisParams;
use super::dsp::{FftWork, fast_ln, hann, windowed_copy};
use super::flux::{FluxProbe, FluxWork};
use rayon::prelude::*;

/// The six named bands (Hz, lower edge inclusive), in `Feature` order `sub`..`hi`.
pub(crate) const BANDS_HZ: [(f32, f32); 6] = [
    (20.0, 80.0),
    (80.0, 250.0),
    (250.0, 500.0),
    (500.0, 2000.0),
    (2000.0, 6000.0),
    (6000.0, f32::INFINITY),
];

/// Lowest frequency of the log-spaced spectrum.
pub(crate) const SPECTRUM_FMIN: f32 = 30.0;
/// Flatness ignores bins below this (DC and rumble).
const FLATNESS_FMIN: f32 = 20.0;
/// Power floor of the flatness logarithms (-120 dB re a full-scale sine's peak bin).
const FLATNESS_EPS: f32 = 1e-12;
/// Frames per parallel work item.
const CHUNK: usize = 128;

/// Raw measurements of one output frame.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct FrameValues {
    /// Hann-weighted RMS of the samples around the frame.
    pub rms: f32,
    /// RMS magnitude per named band (amplitude units, 1 = full-scale sine in one bin).
    pub bands: [f32; 6],
    /// Magnitude-weighted mean frequency (Hz), 0 in silence.
    pub centroid_hz: f32,
    /// Spectral flatness in dB (<= 0).
    pub flatness_db: f32,
    /// Frame-aligned spectral flux (amplitude units).
    pub flux: f32,
}

/// Raw measurements of all frames.
pub(crate) struct RawFrames {
    /// One entry per frame.
    pub frames: Vec<FrameValues>,
    /// Log-spaced band amplitudes, `n_bands` per frame.
    pub spectrum: Vec<f32>,
    /// Bands per frame in `spectrum`.
    pub n_bands: usize,
    /// Centre frequency (Hz) of each spectrum band.
    pub band_centres: Vec<f32>,
    /// Peak-envelope value per frame.
    pub waveform: Vec<f32>,
}

/// Centre frequencies of `n` log-spaced bands from [`SPECTRUM_FMIN`] to `nyquist`.
pub(crate) fn log_band_centres(n: usize, nyquist: f32) -> Vec<f32> {
    let top = nyquist.max(SPECTRUM_FMIN * 2.0);
    let edge = |i: usize| SPECTRUM_FMIN * (top / SPECTRUM_FMIN).powf(i as f32 / n as f32);
    (0..n).map(|b| (edge(b) * edge(b + 1)).sqrt()).collect()
}

/// Triangular filters on the log-frequency axis (peak at each centre, reaching zero at the
/// neighbouring centres, never narrower than one bin per side), weights summing to 1.
fn log_band_filters(centres: &[f32], n_fft: usize, sr: u32) -> Vec<(usize, Vec<f32>)> {
    let bin_hz = sr as f32 / n_fft as f32;
    let bins = n_fft / 2 + 1;
    let n = centres.len();
    (0..n)
        .map(|b| {
            let c = centres[b];
            let ratio = if n > 1 {
                centres[1] / centres[0]
            } else {
                2.0
            };
            let lo = if b > 0 { centres[b - 1] } else { c / ratio };
            let hi = if b + 1 < n { centres[b + 1] } else { c * ratio };
            let (left, right) = ((c - lo).max(bin_hz), (hi - c).max(bin_hz));
            let first = (((c - left) / bin_hz).ceil().max(0.0) as usize).min(bins - 1);
            let last = (((c + right) / bin_hz).floor() as usize).clamp(first, bins - 1);
            let mut w: Vec<f32> = (first..=last)
                .map(|k| {
                    let f = k as f32 * bin_hz;
                    let d = if f <= c { (c - f) / left } else { (f - c) / right };
                    (1.0 - d).max(0.0)
                })
                .collect();
            let sum: f32 = w.iter().sum();
            if sum > 0.0 {
                w.iter_mut().for_each(|v| *v /= sum);
            } else {
                w.iter_mut().for_each(|v| *v = 1.0 / (last - first + 1) as f32);
            }
            (first, w)
        })
        .collect()
}

/// Everything about the frame analysis that does not change from frame to frame.
struct Layout {
    sr: f64,
    fps: f64,
    n_fft: usize,
    window: Vec<f32>,
    /// Scale making a full-scale sine's peak bin power 1.
    pnorm: f32,
    band_bins: [(usize, usize); 6],
    bin_hz: f32,
    flat_lo: usize,
    spectrum: Vec<(usize, Vec<f32>)>,
    rms_window: Vec<f32>,
    rms_wsum: f32,
    flux: FluxProbe,
}

impl Layout {
    fn new(p: &AnalysisParams, fps: f64) -> Self {
        let sr = p.sample_rate;
        let n_fft = p.n_fft;
        let window = hann(n_fft);
        let wsum: f32 = window.iter().sum();
        let bins = n_fft / 2 + 1;
        let bin_hz = sr as f32 / n_fft as f32;
        let to_bin = |f: f32| ((f / bin_hz).ceil() as usize).min(bins);
        let band_bins = BANDS_HZ.map(|(lo, hi)| {
            let a = to_bin(lo).min(bins - 1);
            (a, to_bin(hi).max(a + 1))
        });
        let frame_len = sr as f64 / fps;
        // The RMS window spans at least two frame intervals so low frame rates see every hit.
        let rms_len = ((n_fft / 2).max(2 * frame_len.ceil() as usize) / 2 * 2).max(2);
        let rms_window = hann(rms_len);
        let rms_wsum = rms_window.iter().sum();
        let centres = log_band_centres(p.spectrum_bands, sr as f32 / 2.0);
        Layout {
            sr: sr as f64,
            fps,
            n_fft,
            pnorm: 4.0 / (wsum * wsum),
            band_bins,
            bin_hz,
            flat_lo: to_bin(FLATNESS_FMIN).clamp(1, bins - 1),
            spectrum: log_band_filters(&centres, n_fft, sr),
            window,
            rms_window,
            rms_wsum,
            flux: FluxProbe::new(frame_len.floor() as usize, n_fft / 4),
        }
    }
}

/// Buffers of one worker.
struct Worker {
    fft: FftWork,
    power: Vec<f32>,
    flux: FluxWork,
}

fn measure(
    l: &Layout,
    x: &[f32],
    k: usize,
    w: &mut Worker,
    out: &mut FrameValues,
    spec: &mut [f32],
) {
    let t = k as f64 / l.fps;
    let centre = (t * l.sr).round() as i64;
    windowed_copy(x, centre - (l.n_fft / 2) as i64, &l.window, &mut w.fft.input);
    w.fft.power(&mut w.power);
    let p = &mut w.power;
    p.iter_mut().for_each(|v| *v *= l.pnorm);

    for (b, &(lo, hi)) in l.band_bins.iter().enumerate() {
        out.bands[b] = (p[lo..hi].iter().sum::<f32>() / (hi - lo) as f32).sqrt();
    }
    let (mut num, mut den) = (0.0f32, 0.0f32);
    for (i, &v) in p.iter().enumerate().skip(1) {
        let m = v.sqrt();
        num += m * i as f32;
        den += m;
    }
    out.centroid_hz = if den > 0.0 { num / den * l.bin_hz } else { 0.0 };
    let flat = &p[l.flat_lo..];
    let mean_ln = flat.iter().map(|&v| fast_ln(v + FLATNESS_EPS)).sum::<f32>() / flat.len() as f32;
    let mean = flat.iter().sum::<f32>() / flat.len() as f32;
    out.flatness_db = (mean_ln - fast_ln(mean + FLATNESS_EPS)).min(0.0) * (10.0 / std::f32::consts::LN_10);
    for (s, (first, wts)) in spec.iter_mut().zip(&l.spectrum) {
        *s = wts.iter().zip(&p[*first..]).map(|(a, b)| a * b).sum::<f32>().sqrt();
    }

    let rms_start = centre - (l.rms_window.len() / 2) as i64;
    let mut acc = 0.0f32;
    for (i, &wv) in l.rms_window.iter().enumerate() {
        let v = super::dsp::sample_at(x, rms_start + i as i64);
        acc += wv * v * v;
    }
    out.rms = (acc / l.rms_wsum).sqrt();

    let split = ((k as f64 - 0.5) * l.sr / l.fps).round() as i64;
    out.flux = l.flux.flux(x, split, &mut w.flux);
}

/// Peak envelope per frame: instant attack, exponential release of `release_s`, maximum over
/// each frame's interval (so no peak is missed at low fps).
fn waveform(x: &[f32], sr: f64, fps: f64, n: usize, release_s: f32) -> Vec<f32> {
    let r = if release_s > 0.0 {
        (-1.0 / (release_s as f64 * sr)).exp() as f32
    } else {
        0.0
    };
    let edge = |k: usize| (((k as f64 - 0.5) * sr / fps).round().max(0.0) as usize).min(x.len());
    let mut y = 0.0f32;
    (0..n)
        .map(|k| {
            let mut peak = y;
            for &v in &x[edge(k)..edge(k + 1)] {
                y = v.abs().max(y * r);
                peak = peak.max(y);
            }
            peak
        })
        .collect()
}

/// Measure `n` frames at `fps` of `x` (at `p.sample_rate`).
pub(crate) fn measure_frames(x: &[f32], fps: f64, n: usize, p: &AnalysisParams) -> RawFrames {
    let layout = Layout::new(p, fps);
    let nb = p.spectrum_bands;
    let mut frames = vec![FrameValues::default(); n];
    let mut spectrum = vec![0.0f32; n * nb];
    let fft_plan = FftWork::plan(p.n_fft);
    frames
        .par_chunks_mut(CHUNK)
        .zip(spectrum.par_chunks_mut(CHUNK * nb))
        .enumerate()
        .for_each(|(c, (fr, sp))| {
            let fft = FftWork::new(&fft_plan);
            let bins = fft.bins();
            let mut w = Worker {
                fft,
                power: vec![0.0; bins],
                flux: layout.flux.work(),
            };
            for (i, (f, s)) in fr.iter_mut().zip(sp.chunks_mut(nb)).enumerate() {
                measure(&layout, x, c * CHUNK + i, &mut w, f, s);
            }
        });
    RawFrames {
        frames,
        spectrum,
        n_bands: nb,
        band_centres: log_band_centres(nb, p.sample_rate as f32 / 2.0),
        waveform: waveform(x, layout.sr, fps, n, p.waveform_release_s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sine(freq: f32, seconds: f32) -> Vec<f32> {
        (0..(seconds * 22050.0) as usize)
            .map(|i| (std::f32::consts::TAU * freq * i as f32 / 22050.0).sin())
            .collect()
    }

    #[test]
    fn sine_lands_in_its_band_and_spectrum_bar() {
        let p = AnalysisParams::default();
        for (freq, band) in [(60.0, 0), (150.0, 1), (400.0, 2), (1000.0, 3), (4000.0, 4), (9000.0, 5)] {
            let raw = measure_frames(&sine(freq, 0.5), 30.0, 15, &p);
            let f = raw.frames[7];
            let loudest = (0..6).max_by(|&a, &b| f.bands[a].total_cmp(&f.bands[b])).unwrap();
            assert_eq!(loudest, band, "{freq} Hz: {:?}", f.bands);
            assert!((f.rms - std::f32::consts::FRAC_1_SQRT_2).abs() < 0.02, "rms {}", f.rms);
            assert!((f.centroid_hz - freq).abs() < 0.1 * freq + 15.0, "centroid {}", f.centroid_hz);
            assert!(f.flatness_db < -20.0, "a tone is not flat: {}", f.flatness_db);
            let spec = &raw.spectrum[7 * raw.n_bands..8 * raw.n_bands];
            let bar = (0..spec.len()).max_by(|&a, &b| spec[a].total_cmp(&spec[b])).unwrap();
            let ratio = raw.band_centres[bar] / freq;
            assert!((0.8..1.25).contains(&ratio), "{freq} Hz in bar at {}", raw.band_centres[bar]);
        }
    }

    #[test]
    fn noise_is_flat_and_bright() {
        let p = AnalysisParams::default();
        let x: Vec<f32> = (0..11025)
            .map(|i| crate::rng::unit(crate::rng::hash2(1, i, 0)) - 0.5)
            .collect();
        let f = measure_frames(&x, 24.0, 12, &p).frames[6];
        assert!(f.flatness_db > -4.0, "flatness {}", f.flatness_db);
        assert!(f.centroid_hz > 4000.0, "centroid {}", f.centroid_hz);
    }

    #[test]
    fn every_spectrum_band_sees_some_bin() {
        let c = log_band_centres(64, 11025.0);
        let filters = log_band_filters(&c, 2048, 22050);
        for (first, w) in &filters {
            assert!(!w.is_empty() && *first < 1025);
            assert!((w.iter().sum::<f32>() - 1.0).abs() < 1e-4);
        }
    }

    #[test]
    fn waveform_holds_peaks_between_frames() {
        let mut x = vec![0.0f32; 22050];
        x[5000] = 0.8;
        let w = waveform(&x, 22050.0, 12.0, 12, 0.1);
        let k = (5000.0f64 / 22050.0 * 12.0).round() as usize;
        assert_eq!(w[k], 0.8);
        assert!(w[k + 1] > 0.0 && w[k + 1] < 0.8);
        assert_eq!(w[k - 1], 0.0);
    }
}
