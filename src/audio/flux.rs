//! Frame-aligned spectral flux.
//!
//! The usual flux (difference of two overlapping centred windows) peaks a quarter window
//! *before* an event, because the windowed energy rises while the window slides onto it. Here
//! frame `k`'s flux compares the spectrum of a window that *starts* at the beginning of the
//! frame's interval, `t_k - 1/(2 fps)`, with the mirror-image window that *ends* there. An event
//! anywhere inside the frame's interval sits in the flat front part of the "after" window and
//! outside the "before" window, so it counts fully for frame `k` and less (or not at all) for
//! its neighbours: the flux of an impulse peaks exactly on frame `round(t · fps)` at any fps.

use super::dsp::{lane_sum_zip, windowed_copy};
use super::fft::PairFft;
use rustfft::Fft;
use std::sync::Arc;

/// The window pair and FFT plan of the frame-aligned flux, built once per analysis.
pub(crate) struct FluxProbe {
    /// Window of the "after" side: flat over one frame interval, then a half-Hann decay.
    after: Vec<f32>,
    /// The "before" window: `after` reversed.
    before: Vec<f32>,
    /// Scale turning summed magnitudes into amplitude units.
    norm: f32,
    plan: Arc<dyn Fft<f32>>,
}

/// Per-worker buffers for [`FluxProbe::flux`].
pub(crate) struct FluxWork {
    fft: PairFft,
    mag_after: Vec<f32>,
    mag_before: Vec<f32>,
}

impl FluxProbe {
    /// A probe for frames of `frame_len` samples (pass the *floor* of `sr / fps`, so an event
    /// one frame later always lies in the decaying part and ties cannot happen); `tail`
    /// samples of decay follow the flat part so that spectra stay smooth.
    pub fn new(frame_len: usize, tail: usize) -> Self {
        let flat = frame_len.max(1);
        // A power of two keeps rustfft on its fastest kernels; the tail just gets longer.
        let m = (flat + tail.max(1)).next_power_of_two();
        let decay = m - flat;
        let after: Vec<f32> = (0..m)
            .map(|i| {
                if i < flat {
                    1.0
                } else {
                    let u = (i - flat + 1) as f32 / (decay + 1) as f32;
                    0.5 * (1.0 + (std::f32::consts::PI * u).cos())
                }
            })
            .collect();
        let before: Vec<f32> = after.iter().rev().copied().collect();
        let norm = 2.0 / after.iter().sum::<f32>();
        FluxProbe {
            after,
            before,
            norm,
            plan: PairFft::plan(m),
        }
    }

    /// Buffers for one worker.
    pub fn work(&self) -> FluxWork {
        let fft = PairFft::new(&self.plan);
        let bins = fft.bins();
        FluxWork {
            fft,
            mag_after: vec![0.0; bins],
            mag_before: vec![0.0; bins],
        }
    }

    /// Rectified magnitude increase across the split point `split` (a sample index).
    pub fn flux(&self, x: &[f32], split: i64, w: &mut FluxWork) -> f32 {
        let m = self.after.len() as i64;
        windowed_copy(x, split, &self.after, &mut w.fft.a);
        windowed_copy(x, split - m, &self.before, &mut w.fft.b);
        w.fft.magnitude(&mut w.mag_after, &mut w.mag_before);
        lane_sum_zip(&w.mag_after, &w.mag_before, |a, b| (a - b).max(0.0)) * self.norm
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn impulse_counts_only_in_its_own_frame() {
        let sr = 22050.0;
        for fps in [12.0, 24.0, 30.0, 60.0] {
            let frame: f64 = sr / fps;
            let probe = FluxProbe::new(frame.floor() as usize, 512);
            let mut work = probe.work();
            for t in [0.5003, 0.5251, 0.5412] {
                let mut x = vec![0.0f32; 22050];
                x[(t * sr) as usize] = 1.0;
                let flux: Vec<f32> = (0..(fps as usize))
                    .map(|k| {
                        let split = ((k as f64 - 0.5) * frame).round() as i64;
                        probe.flux(&x, split, &mut work)
                    })
                    .collect();
                let peak = (0..flux.len())
                    .max_by(|&a, &b| flux[a].total_cmp(&flux[b]))
                    .unwrap();
                assert_eq!(peak, (t * fps).round() as usize, "fps {fps}, t {t}");
            }
        }
    }

    #[test]
    fn steady_tone_has_little_flux() {
        let probe = FluxProbe::new(735, 512);
        let mut work = probe.work();
        let x: Vec<f32> = (0..22050).map(|i| (i as f32 * 0.05).sin()).collect();
        let steady = probe.flux(&x, 10000, &mut work);
        let mut y = x.clone();
        for v in &mut y[10100..] {
            *v *= 3.0;
        }
        let jump = probe.flux(&y, 10000, &mut work);
        assert!(steady < 0.05 * jump, "steady {steady}, jump {jump}");
    }
}
