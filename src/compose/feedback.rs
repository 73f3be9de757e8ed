//! Temporal feedback: the previous output, decayed, transformed and blended under the new frame.

use rayon::prelude::*;

use super::BlendMode;
use crate::frame::Frame;

/// Spatial transform applied to the feedback buffer each frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum FeedbackTransform {
    /// No movement: trails stay in place.
    #[default]
    None,
    /// Zoom in: an expanding tunnel.
    Zoom,
    /// Zoom out, with a black border.
    Shrink,
    /// Rotate clockwise.
    RotateCw,
    /// Rotate counter-clockwise.
    RotateCcw,
    /// Scroll up (rising heat).
    ShiftUp,
    /// Scroll down.
    ShiftDown,
    /// Mirror left-right every frame.
    MirrorH,
}

impl FeedbackTransform {
    /// Names used in presets.
    pub const NAMES: &'static [&'static str] = &[
        "none",
        "zoom",
        "shrink",
        "rotate_cw",
        "rotate_ccw",
        "shift_up",
        "shift_down",
        "mirror_h",
    ];

    /// Look a transform up by name.
    pub fn from_name(name: &str) -> Option<Self> {
        use FeedbackTransform::*;
        Some(match name {
            "none" => None,
            "zoom" => Zoom,
            "shrink" => Shrink,
            "rotate_cw" => RotateCw,
            "rotate_ccw" => RotateCcw,
            "shift_up" => ShiftUp,
            "shift_down" => ShiftDown,
            "mirror_h" => MirrorH,
            _ => return Option::None,
        })
    }
}

/// Per-frame feedback settings (already resolved from the preset's modulated params).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FeedbackParams {
    /// How much of the buffer survives a frame (0.5–0.99).
    pub decay: f32,
    /// How the buffer combines with the new frame.
    pub blend: BlendMode,
    /// Strength of the buffer's contribution.
    pub opacity: f32,
    /// Movement of the buffer.
    pub transform: FeedbackTransform,
    /// Size of the movement (fraction of the frame per frame; radians×10 for rotations).
    pub amount: f32,
    /// Hue rotation of the buffer per frame, in turns.
    pub hue_shift: f32,
}

/// The feedback state: the last output frame.
#[derive(Default)]
pub struct Feedback {
    buf: Vec<u8>,
    tmp: Vec<u8>,
    size: (usize, usize),
}

impl Feedback {
    /// An empty buffer: the first frame passes through unchanged.
    pub fn new() -> Self {
        Self::default()
    }

    /// Forget the buffer (scene cut).
    pub fn reset(&mut self) {
        self.buf.clear();
    }

    /// Blend the decayed, transformed previous output under `frame`, and remember the result.
    pub fn apply(&mut self, frame: &mut Frame, p: &FeedbackParams) {
        let (w, h) = (frame.width, frame.height);
        if self.size != (w, h) || self.buf.len() != frame.data.len() {
            self.size = (w, h);
            self.buf.clear();
            self.buf.extend_from_slice(&frame.data);
            self.tmp.resize(frame.data.len(), 0);
            return;
        }
        let decay = (p.decay.clamp(0.0, 1.0) * 256.0).round() as i32;
        let op = (p.opacity.clamp(0.0, 1.0) * 256.0).round() as i32;
        let lut = p.blend.lut();
        let hue = hue_matrix(p.hue_shift);
        let map = SourceMap::new(p.transform, p.amount, w, h);
        let stride = w * 3;
        let prev = &self.buf;
        frame
            .data
            .par_chunks_mut(stride)
            .zip(self.tmp.par_chunks_mut(stride))
            .enumerate()
            .for_each(|(y, (cur, out))| {
                for x in 0..w {
                    let src = map.source(x, y);
                    let mut fb = [0i32; 3];
                    if let Some((sx, sy)) = src {
                        let i = (sy * w + sx) * 3;
                        fb = [prev[i] as i32, prev[i + 1] as i32, prev[i + 2] as i32];
                        if let Some(m) = &hue {
                            fb = apply_matrix(m, fb);
                        }
                    }
                    let o = x * 3;
                    for c in 0..3 {
                        let b = ((fb[c] * decay) >> 8).clamp(0, 255) as usize;
                        let a = cur[o + c] as i32;
                        let r = lut[b << 8 | a as usize] as i32;
                        let v = (a + (((r - a) * op) >> 8)) as u8;
                        cur[o + c] = v;
                        out[o + c] = v;
                    }
                }
            });
        std::mem::swap(&mut self.buf, &mut self.tmp);
    }
}

/// Where each output pixel reads the previous buffer from (nearest neighbour).
struct SourceMap {
    t: FeedbackTransform,
    w: usize,
    h: usize,
    scale: f32,
    shift: usize,
    cos: f32,
    sin: f32,
}

impl SourceMap {
    fn new(t: FeedbackTransform, amount: f32, w: usize, h: usize) -> Self {
        let amount = amount.clamp(0.0, 0.5);
        let angle = amount
            * 10.0
            * if t == FeedbackTransform::RotateCcw {
                -1.0
            } else {
                1.0
            };
        SourceMap {
            t,
            w,
            h,
            scale: match t {
                FeedbackTransform::Zoom => 1.0 - 2.0 * amount,
                FeedbackTransform::Shrink => 1.0 + 2.0 * amount,
                _ => 1.0,
            },
            shift: ((amount * h as f32).round() as usize).max(1),
            cos: angle.cos(),
            sin: angle.sin(),
        }
    }

    #[inline]
    fn source(&self, x: usize, y: usize) -> Option<(usize, usize)> {
        use FeedbackTransform::*;
        let (w, h) = (self.w, self.h);
        match self.t {
            None => Some((x, y)),
            MirrorH => Some((w - 1 - x, y)),
            ShiftUp => (y + self.shift < h).then(|| (x, y + self.shift)),
            ShiftDown => (y >= self.shift).then(|| (x, y - self.shift)),
            Zoom | Shrink | RotateCw | RotateCcw => {
                let cx = (w as f32 - 1.0) * 0.5;
                let cy = (h as f32 - 1.0) * 0.5;
                let dx = (x as f32 - cx) * self.scale;
                let dy = (y as f32 - cy) * self.scale;
                let sx = cx + dx * self.cos - dy * self.sin;
                let sy = cy + dx * self.sin + dy * self.cos;
                let (sx, sy) = (sx.round(), sy.round());
                (sx >= 0.0 && sy >= 0.0 && sx < w as f32 && sy < h as f32)
                    .then_some((sx as usize, sy as usize))
            }
        }
    }
}

/// Fixed-point (×1024) rotation of RGB about the grey axis, or None for no rotation.
fn hue_matrix(turns: f32) -> Option<[[i32; 3]; 3]> {
    if turns.abs() < 1e-4 {
        return None;
    }
    let a = turns * std::f32::consts::TAU;
    let (c, s) = (a.cos(), a.sin());
    let k = (1.0 - c) / 3.0;
    let r = (1.0f32 / 3.0).sqrt() * s;
    let m = [
        [c + k, k - r, k + r],
        [k + r, c + k, k - r],
        [k - r, k + r, c + k],
    ];
    Some(m.map(|row| row.map(|v| (v * 1024.0).round() as i32)))
}

#[inline]
fn apply_matrix(m: &[[i32; 3]; 3], v: [i32; 3]) -> [i32; 3] {
    [0, 1, 2].map(|i| ((m[i][0] * v[0] + m[i][1] * v[1] + m[i][2] * v[2]) >> 10).clamp(0, 255))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(t: FeedbackTransform) -> FeedbackParams {
        FeedbackParams {
            decay: 0.9,
            blend: BlendMode::Screen,
            opacity: 1.0,
            transform: t,
            amount: 0.05,
            hue_shift: 0.0,
        }
    }

    #[test]
    fn trails_persist_and_decay() {
        let mut fb = Feedback::new();
        let mut f = Frame::new(8, 8);
        f.data[0..3].copy_from_slice(&[200, 200, 200]);
        fb.apply(&mut f, &params(FeedbackTransform::None));
        assert_eq!(f.pixel(0, 0), [200, 200, 200], "first frame passes through");
        let mut g = Frame::new(8, 8);
        fb.apply(&mut g, &params(FeedbackTransform::None));
        let p = g.pixel(0, 0)[0];
        assert!(p > 150 && p < 200, "trail decays: {p}");
        let mut h = Frame::new(8, 8);
        fb.apply(&mut h, &params(FeedbackTransform::None));
        assert!(h.pixel(0, 0)[0] < p);
    }

    #[test]
    fn shift_up_moves_content_up() {
        let mut fb = Feedback::new();
        let mut f = Frame::new(4, 20);
        let i = (10 * 4 + 1) * 3;
        f.data[i..i + 3].copy_from_slice(&[255, 255, 255]);
        fb.apply(&mut f, &params(FeedbackTransform::ShiftUp));
        let mut g = Frame::new(4, 20);
        fb.apply(&mut g, &params(FeedbackTransform::ShiftUp));
        assert!(g.pixel(1, 9)[0] > 100, "moved up one row");
        assert_eq!(g.pixel(1, 10), [0, 0, 0]);
    }

    #[test]
    fn hue_shift_rotates_colour() {
        let m = hue_matrix(1.0 / 3.0).unwrap();
        let v = apply_matrix(&m, [255, 0, 0]);
        assert!(v[1] > 200 && v[0] < 40, "{v:?}");
        assert!(hue_matrix(0.0).is_none());
    }
}
