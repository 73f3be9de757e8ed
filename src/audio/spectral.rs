//! Per-output-frame measurements: a Hann STFT centred on each frame time (bands, centroid,
//! flatness, log-spaced spectrum), a Hann-weighted RMS, the frame-aligned flux and the peak
//! envelope. Raw values only; normalization happens in `assemble`.

use super::config::AnalysisParams;
use super::dsp::{
    fast_ln, hann, lane_dot, lane_max_zip, lane_sum, lane_sum_by, lane_sum_zip, windowed_copy,
};
use super::fft::PairFft;
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
    /// Total magnitude per named band (square root of the summed power): what the band
    /// ratios share out. Per-bin means would hand every ratio to the narrow low bands.
    pub band_totals: [f32; 6],
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
    /// Log-spaced band amplitudes, `band_centres.len()` per frame.
    pub spectrum: Vec<f32>,
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
            let ratio = if n > 1 { centres[1] / centres[0] } else { 2.0 };
            let lo = if b > 0 { centres[b - 1] } else { c / ratio };
            let hi = if b + 1 < n { centres[b + 1] } else { c * ratio };
            let (left, right) = ((c - lo).max(bin_hz), (hi - c).max(bin_hz));
            let first = (((c - left) / bin_hz).ceil().max(0.0) as usize).min(bins - 1);
            let last = (((c + right) / bin_hz).floor() as usize).clamp(first, bins - 1);
            let mut w: Vec<f32> = (first..=last)
                .map(|k| {
                    let f = k as f32 * bin_hz;
                    let d = if f <= c {
                        (c - f) / left
                    } else {
                        (f - c) / right
                    };
                    (1.0 - d).max(0.0)
                })
                .collect();
            let sum: f32 = w.iter().sum();
            if sum > 0.0 {
                w.iter_mut().for_each(|v| *v /= sum);
            } else {
                w.iter_mut()
                    .for_each(|v| *v = 1.0 / (last - first + 1) as f32);
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
    /// Frequency (Hz) of every bin, for the centroid.
    bin_freqs: Vec<f32>,
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
            bin_freqs: (0..bins).map(|k| k as f32 * bin_hz).collect(),
            flat_lo: to_bin(FLATNESS_FMIN).clamp(1, bins - 1),
            spectrum: log_band_filters(&centres, n_fft, sr),
            window,
            rms_window,
            rms_wsum,
            flux: FluxProbe::new(frame_len.floor() as usize, n_fft / 4),
        }
    }
}

/// Scratch buffers of one worker besides the STFT itself.
struct Worker {
    mag: Vec<f32>,
    flux: FluxWork,
}

/// Hann-weighted mean square of `x` around `centre` (zero outside the signal).
fn weighted_rms(x: &[f32], centre: i64, window: &[f32], wsum: f32) -> f32 {
    let start = centre - (window.len() / 2) as i64;
    let lo = (-start).clamp(0, window.len() as i64) as usize;
    let hi = (x.len() as i64 - start).clamp(lo as i64, window.len() as i64) as usize;
    if hi <= lo {
        return 0.0;
    }
    let seg = &x[(start + lo as i64) as usize..(start + hi as i64) as usize];
    (lane_sum_zip(seg, &window[lo..hi], |v, w| w * v * v) / wsum).sqrt()
}

impl Layout {
    /// Sample index at the centre of frame `k`.
    fn centre(&self, k: usize) -> i64 {
        (k as f64 / self.fps * self.sr).round() as i64
    }

    /// The windowed STFT input of frame `k`.
    fn load(&self, x: &[f32], k: usize, dst: &mut [f32]) {
        windowed_copy(
            x,
            self.centre(k) - (self.n_fft / 2) as i64,
            &self.window,
            dst,
        );
    }

    /// Every measurement of frame `k` from its power spectrum `p` (scaled in place).
    fn measure(
        &self,
        x: &[f32],
        k: usize,
        p: &mut [f32],
        w: &mut Worker,
        out: &mut FrameValues,
        spec: &mut [f32],
    ) {
        p.iter_mut().for_each(|v| *v *= self.pnorm);
        for (m, &v) in w.mag.iter_mut().zip(p.iter()) {
            *m = v.sqrt();
        }
        for (b, &(lo, hi)) in self.band_bins.iter().enumerate() {
            let sum = lane_sum(&p[lo..hi]);
            out.bands[b] = (sum / (hi - lo) as f32).sqrt();
            out.band_totals[b] = sum.sqrt();
        }
        // Bin 0 (DC) has frequency 0, so it drops out of the numerator by itself.
        let den = lane_sum(&w.mag[1..]);
        let num = lane_dot(&w.mag, &self.bin_freqs);
        out.centroid_hz = if den > 0.0 { num / den } else { 0.0 };
        let flat = &p[self.flat_lo..];
        let count = flat.len() as f32;
        let mean_ln = lane_sum_by(flat, |v| fast_ln(v + FLATNESS_EPS)) / count;
        let mean = lane_sum(flat) / count;
        out.flatness_db =
            (mean_ln - fast_ln(mean + FLATNESS_EPS)).min(0.0) * (10.0 / std::f32::consts::LN_10);
        for (s, (first, wts)) in spec.iter_mut().zip(&self.spectrum) {
            *s = lane_dot(wts, &p[*first..]).sqrt();
        }
        out.rms = weighted_rms(x, self.centre(k), &self.rms_window, self.rms_wsum);
        let split = ((k as f64 - 0.5) * self.sr / self.fps).round() as i64;
        out.flux = self.flux.flux(x, split, &mut w.flux);
    }
}

/// Peak envelope per frame: a follower `y = max(|x|, r·y)` with instant attack and an
/// exponential release of `release_s`, maximum over each frame's interval (so no peak is missed
/// at low fps). Computed per interval with lane maxima instead of the sequential recursion:
/// the maximum over an interval is `max(r·y_before, max |x|)`, and the follower at its end is
/// `max(y_before·r^len, max |x_i|·r^(len-1-i))`.
fn waveform(x: &[f32], sr: f64, fps: f64, n: usize, release_s: f32) -> Vec<f32> {
    let r = if release_s > 0.0 {
        (-1.0 / (release_s as f64 * sr)).exp()
    } else {
        0.0
    };
    let edge = |k: usize| (((k as f64 - 0.5) * sr / fps).round().max(0.0) as usize).min(x.len());
    let longest = (sr / fps).ceil() as usize + 1;
    // decay[i] = r^(longest-1-i): the tail of this table weights a span of any shorter length.
    let decay: Vec<f32> = (0..longest)
        .map(|i| r.powi((longest - 1 - i) as i32) as f32)
        .collect();
    let r = r as f32;
    let mut y = 0.0f32;
    (0..n)
        .map(|k| {
            let span = &x[edge(k)..edge(k + 1)];
            if span.is_empty() {
                return y;
            }
            let len = span.len().min(longest);
            let span = &span[span.len() - len..];
            let peak = lane_max_zip(span, span, |v, _| v.abs());
            let weights = &decay[longest - len..];
            let carried = y * r.powi(len as i32);
            let value = peak.max(y * r);
            y = lane_max_zip(span, weights, |v, w| v.abs() * w).max(carried);
            value
        })
        .collect()
}

/// Measure `n` frames at `fps` of `x` (at `p.sample_rate`).
pub(crate) fn measure_frames(x: &[f32], fps: f64, n: usize, p: &AnalysisParams) -> RawFrames {
    let layout = Layout::new(p, fps);
    let nb = p.spectrum_bands;
    let mut frames = vec![FrameValues::default(); n];
    let mut spectrum = vec![0.0f32; n * nb];
    let plan = PairFft::plan(p.n_fft);
    frames
        .par_chunks_mut(CHUNK)
        .zip(spectrum.par_chunks_mut(CHUNK * nb))
        .enumerate()
        .for_each(|(c, (fr, sp))| {
            let mut fft = PairFft::new(&plan);
            let bins = fft.bins();
            let mut power = [vec![0.0; bins], vec![0.0; bins]];
            let mut w = Worker {
                mag: vec![0.0; bins],
                flux: layout.flux.work(),
            };
            // Frames go through the FFT two at a time (see `fft`).
            for (i, (f2, s2)) in fr.chunks_mut(2).zip(sp.chunks_mut(2 * nb)).enumerate() {
                let k = c * CHUNK + 2 * i;
                layout.load(x, k, &mut fft.a);
                if f2.len() == 2 {
                    layout.load(x, k + 1, &mut fft.b);
                } else {
                    fft.b.fill(0.0);
                }
                let [p0, p1] = &mut power;
                fft.power(p0, p1);
                for (j, (f, s)) in f2.iter_mut().zip(s2.chunks_mut(nb)).enumerate() {
                    layout.measure(x, k + j, &mut power[j], &mut w, f, s);
                }
            }
        });
    RawFrames {
        frames,
        spectrum,
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
        for (freq, band) in [
            (60.0, 0),
            (150.0, 1),
            (400.0, 2),
            (1000.0, 3),
            (4000.0, 4),
            (9000.0, 5),
        ] {
            let raw = measure_frames(&sine(freq, 0.5), 30.0, 15, &p);
            let f = raw.frames[7];
            let loudest = (0..6)
                .max_by(|&a, &b| f.bands[a].total_cmp(&f.bands[b]))
                .unwrap();
            assert_eq!(loudest, band, "{freq} Hz: {:?}", f.bands);
            assert!(
                (f.rms - std::f32::consts::FRAC_1_SQRT_2).abs() < 0.02,
                "rms {}",
                f.rms
            );
            assert!(
                (f.centroid_hz - freq).abs() < 0.1 * freq + 15.0,
                "centroid {}",
                f.centroid_hz
            );
            assert!(
                f.flatness_db < -20.0,
                "a tone is not flat: {}",
                f.flatness_db
            );
            let nb = raw.band_centres.len();
            let spec = &raw.spectrum[7 * nb..8 * nb];
            let bar = (0..spec.len())
                .max_by(|&a, &b| spec[a].total_cmp(&spec[b]))
                .unwrap();
            let ratio = raw.band_centres[bar] / freq;
            assert!(
                (0.8..1.25).contains(&ratio),
                "{freq} Hz in bar at {}",
                raw.band_centres[bar]
            );
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
