//! Per-frame video features: the modulation sources a video adds next to the audio ones.
//!
//! Computed in a pre-pass on a small copy of the video (features need whole columns before the
//! render starts, like the audio ones, so envelopes and attack/release can be precomputed):
//! brightness (mean luma), contrast (luma standard deviation / 128), motion (mean absolute
//! difference from a smoothed previous frame, / 30, as the reference), edge density (share of
//! pixels whose gradient exceeds [`EDGE_LEVEL`]) and dominant hue (saturation-weighted circular
//! mean of the hue, in turns). Every value is clamped to [0, 1].

use anyhow::Result;

use super::cells::luma;
use super::input::VideoInput;
use super::reader::{FrameReader, Next, ReaderSpec};
use crate::features::{Feature, Features};
use crate::frame::Frame;

/// Gradient magnitude (luma units per pixel, at analysis size) that counts as an edge.
pub const EDGE_LEVEL: f32 = 16.0;
/// Width of the frames the features are measured on.
pub const ANALYSIS_WIDTH: usize = 160;

/// Video feature values of one frame.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct VideoFrameFeatures {
    /// Mean luma / 255.
    pub brightness: f32,
    /// Luma standard deviation / 128.
    pub contrast: f32,
    /// Mean absolute luma change from the smoothed previous frame / 30.
    pub motion: f32,
    /// Share of pixels on an edge.
    pub edge_density: f32,
    /// Dominant hue in turns.
    pub dominant_hue: f32,
}

/// Running state of the measurement (the smoothed previous frame for motion).
#[derive(Clone, Debug, Default)]
pub struct VideoMeter {
    prev: Vec<f32>,
    luma: Vec<f32>,
}

impl VideoMeter {
    /// Measure one frame.
    pub fn measure(&mut self, f: &Frame) -> VideoFrameFeatures {
        let n = f.width * f.height;
        if n == 0 {
            return VideoFrameFeatures::default();
        }
        self.luma.clear();
        let (mut hx, mut hy, mut hw) = (0f64, 0f64, 0f64);
        for p in f.data.chunks_exact(3) {
            self.luma.push(luma(p[0], p[1], p[2]) as f32);
            let (h, s, v) = hsv(p[0], p[1], p[2]);
            let w = (s * v) as f64;
            let a = h as f64 * std::f64::consts::TAU;
            hx += w * a.cos();
            hy += w * a.sin();
            hw += w;
        }
        let mean = self.luma.iter().map(|&v| v as f64).sum::<f64>() / n as f64;
        let var = self
            .luma
            .iter()
            .map(|&v| (v as f64 - mean).powi(2))
            .sum::<f64>()
            / n as f64;
        let motion = if self.prev.len() == n {
            let d: f64 = self
                .luma
                .iter()
                .zip(&self.prev)
                .map(|(a, b)| (a - b).abs() as f64)
                .sum();
            for (p, &l) in self.prev.iter_mut().zip(&self.luma) {
                *p = 0.7 * l + 0.3 * *p;
            }
            d / n as f64 / 30.0
        } else {
            self.prev = self.luma.clone();
            0.0
        };
        let (w, h) = (f.width, f.height);
        let mut edges = 0usize;
        for y in 1..h.saturating_sub(1) {
            for x in 1..w.saturating_sub(1) {
                let i = y * w + x;
                let gx = (self.luma[i + 1] - self.luma[i - 1]) * 0.5;
                let gy = (self.luma[i + w] - self.luma[i - w]) * 0.5;
                if gx * gx + gy * gy > EDGE_LEVEL * EDGE_LEVEL {
                    edges += 1;
                }
            }
        }
        let interior = (w.saturating_sub(2) * h.saturating_sub(2)).max(1);
        let hue = if hw > 1e-3 * n as f64 {
            (hy.atan2(hx) / std::f64::consts::TAU).rem_euclid(1.0)
        } else {
            0.0
        };
        let c = |v: f64| (v as f32).clamp(0.0, 1.0);
        VideoFrameFeatures {
            brightness: c(mean / 255.0),
            contrast: c(var.sqrt() / 128.0),
            motion: c(motion),
            edge_density: c(edges as f64 / interior as f64),
            dominant_hue: c(hue),
        }
    }
}

/// HSV of an RGB pixel, each in [0, 1].
fn hsv(r: u8, g: u8, b: u8) -> (f32, f32, f32) {
    let (r, g, b) = (r as f32 / 255.0, g as f32 / 255.0, b as f32 / 255.0);
    let max = r.max(g).max(b);
    let min = r.min(g).min(b);
    let d = max - min;
    if d <= 0.0 {
        return (0.0, 0.0, max);
    }
    let h = if max == r {
        ((g - b) / d).rem_euclid(6.0)
    } else if max == g {
        (b - r) / d + 2.0
    } else {
        (r - g) / d + 4.0
    };
    (h / 6.0, d / max, max)
}

/// The analysis size for an output of `width × height` (same aspect, even, at least 2×2).
pub fn analysis_size(width: usize, height: usize) -> (usize, usize) {
    let w = ANALYSIS_WIDTH.min(width.max(2));
    let h = (w * height / width.max(1)).max(2);
    (w, h)
}

/// Decode `input` small and measure every frame. Returns one row per output frame: for a
/// still image, `frames_for_still` copies of its one measurement.
pub fn measure_input(
    input: &VideoInput,
    spec: &ReaderSpec,
    frames_for_still: usize,
) -> Result<Vec<VideoFrameFeatures>> {
    let (w, h) = analysis_size(spec.width, spec.height);
    let small = ReaderSpec {
        width: w,
        height: h,
        ..spec.clone()
    };
    let mut reader = FrameReader::open(input, &small)?;
    let mut meter = VideoMeter::default();
    let mut frame = Frame::new(w, h);
    let mut rows = Vec::new();
    loop {
        match reader.next_frame(&mut frame)? {
            Next::New => rows.push(meter.measure(&frame)),
            Next::Same => {
                let one = rows.last().copied().unwrap_or_default();
                rows.resize(frames_for_still.max(1), one);
                break;
            }
            Next::End => break,
        }
    }
    Ok(rows)
}

/// Write video feature rows into `features` (resizing every column to the rows' length, so the
/// video decides how many frames there are; audio columns are padded with zeros or cut).
pub fn apply(features: &mut Features, rows: &[VideoFrameFeatures]) {
    let n = rows.len();
    for col in features.columns.iter_mut() {
        col.resize(n, 0.0);
    }
    if features.columns.len() < Feature::COUNT {
        features.columns.resize(Feature::COUNT, vec![0.0; n]);
    }
    if !features.spectrum.is_empty() {
        let bands = features.spectrum[0].len();
        features.spectrum.resize(n, vec![0.0; bands]);
    }
    let set = |features: &mut Features, f: Feature, get: fn(&VideoFrameFeatures) -> f32| {
        features.columns[f as usize] = rows.iter().map(get).collect();
    };
    set(features, Feature::Brightness, |r| r.brightness);
    set(features, Feature::Contrast, |r| r.contrast);
    set(features, Feature::Motion, |r| r.motion);
    set(features, Feature::EdgeDensity, |r| r.edge_density);
    set(features, Feature::DominantHue, |r| r.dominant_hue);
    features.duration = n as f64 / features.fps.max(1e-9);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn solid(w: usize, h: usize, c: [u8; 3]) -> Frame {
        let mut f = Frame::new(w, h);
        for p in f.data.chunks_exact_mut(3) {
            p.copy_from_slice(&c);
        }
        f
    }

    #[test]
    fn features_follow_the_picture() {
        let mut m = VideoMeter::default();
        let black = m.measure(&solid(32, 18, [0, 0, 0]));
        assert_eq!(black, VideoFrameFeatures::default());
        let red = m.measure(&solid(32, 18, [255, 0, 0]));
        assert!(red.motion > 0.5, "a cut is motion: {red:?}");
        assert!(red.dominant_hue < 0.01 || red.dominant_hue > 0.99);
        let still = m.measure(&solid(32, 18, [255, 0, 0]));
        assert!(still.motion < red.motion);
        let blue = m.measure(&solid(32, 18, [0, 0, 255]));
        assert!((blue.dominant_hue - 2.0 / 3.0).abs() < 0.01);
        let mut bars = solid(32, 18, [0, 0, 0]);
        for y in 0..18 {
            for x in (0..32).step_by(4) {
                bars.data[(y * 32 + x) * 3..(y * 32 + x) * 3 + 3].copy_from_slice(&[255; 3]);
            }
        }
        let b = m.measure(&bars);
        assert!(b.edge_density > 0.3 && b.contrast > 0.5, "{b:?}");
        assert_eq!(black.edge_density, 0.0);
    }

    #[test]
    fn apply_sizes_every_column_to_the_video() {
        let mut f = crate::audio::synthetic_features(120.0, 10.0, 3.0, 1);
        let rows = vec![
            VideoFrameFeatures {
                brightness: 0.5,
                ..Default::default()
            };
            12
        ];
        apply(&mut f, &rows);
        assert_eq!(f.len(), 12);
        assert!(f.columns.iter().all(|c| c.len() == 12));
        assert_eq!(f.column(Feature::Brightness)[3], 0.5);
        assert!((f.duration - 1.2).abs() < 1e-9);
    }
}
