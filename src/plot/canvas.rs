//! A tiny RGB drawing surface for the analysis plot: rectangles, lines, alpha blending and
//! text from the crate's own glyph atlas (no system fonts).

use crate::frame::Frame;
use crate::glyph::{FontChain, GlyphAtlas};

/// An 8-bit RGB colour.
pub type Rgb = [u8; 3];

/// Characters the plot's labels may use.
const LABEL_CHARS: &str = " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~·×–—±";

/// A frame plus a glyph atlas for labels.
pub struct Canvas {
    /// The pixels.
    pub frame: Frame,
    atlas: GlyphAtlas,
}

impl Canvas {
    /// A `width × height` canvas filled with `background`, with labels `text_px` pixels high.
    pub fn new(width: usize, height: usize, background: Rgb, text_px: u32) -> Canvas {
        let mut frame = Frame::new(width, height);
        for px in frame.data.chunks_exact_mut(3) {
            px.copy_from_slice(&background);
        }
        let atlas = GlyphAtlas::new(&FontChain::bundled(), text_px, LABEL_CHARS.chars());
        Canvas { frame, atlas }
    }

    /// Width of one character cell of the labels.
    pub fn char_width(&self) -> usize {
        self.atlas.metrics.width
    }

    /// Height of one line of labels.
    pub fn line_height(&self) -> usize {
        self.atlas.metrics.height
    }

    /// Mix `c` into the pixel at (x, y) with weight `a` in `[0, 1]`; outside pixels are ignored.
    #[inline]
    pub fn blend(&mut self, x: usize, y: usize, c: Rgb, a: f32) {
        if x >= self.frame.width || y >= self.frame.height {
            return;
        }
        let i = (y * self.frame.width + x) * 3;
        for (k, &ck) in c.iter().enumerate() {
            let d = self.frame.data[i + k] as f32;
            self.frame.data[i + k] = (d + (ck as f32 - d) * a.clamp(0.0, 1.0)).round() as u8;
        }
    }

    /// Set the pixel at (x, y).
    #[inline]
    pub fn set(&mut self, x: usize, y: usize, c: Rgb) {
        self.blend(x, y, c, 1.0);
    }

    /// Fill `[x0, x1) × [y0, y1)`.
    pub fn fill(&mut self, x0: usize, y0: usize, x1: usize, y1: usize, c: Rgb) {
        for y in y0..y1.min(self.frame.height) {
            for x in x0..x1.min(self.frame.width) {
                self.set(x, y, c);
            }
        }
    }

    /// A vertical line at `x` over `[y0, y1)` with opacity `a`.
    pub fn vline(&mut self, x: usize, y0: usize, y1: usize, c: Rgb, a: f32) {
        for y in y0..y1 {
            self.blend(x, y, c, a);
        }
    }

    /// A horizontal line at `y` over `[x0, x1)` with opacity `a`.
    pub fn hline(&mut self, y: usize, x0: usize, x1: usize, c: Rgb, a: f32) {
        for x in x0..x1 {
            self.blend(x, y, c, a);
        }
    }

    /// The outline of `[x0, x1) × [y0, y1)`.
    pub fn frame_rect(&mut self, x0: usize, y0: usize, x1: usize, y1: usize, c: Rgb) {
        self.hline(y0, x0, x1, c, 1.0);
        self.hline(y1.saturating_sub(1), x0, x1, c, 1.0);
        self.vline(x0, y0, y1, c, 1.0);
        self.vline(x1.saturating_sub(1), y0, y1, c, 1.0);
    }

    /// Connect consecutive points `(x, ys[i])` for x = `x0 + i`, one pixel wide, so steep
    /// segments stay continuous.
    pub fn polyline(&mut self, x0: usize, ys: &[f32], c: Rgb, a: f32) {
        for (i, pair) in ys.windows(2).enumerate() {
            let (lo, hi) = if pair[0] <= pair[1] {
                (pair[0], pair[1])
            } else {
                (pair[1], pair[0])
            };
            let (lo, hi) = (lo.round().max(0.0) as usize, hi.round().max(0.0) as usize);
            self.vline(x0 + i, lo, hi.max(lo) + 1, c, a);
        }
        if let Some(&last) = ys.last() {
            self.blend(x0 + ys.len() - 1, last.round().max(0.0) as usize, c, a);
        }
    }

    /// Draw `text` with its top-left corner at (x, y); returns the x after the last character.
    pub fn text(&mut self, x: usize, y: usize, text: &str, c: Rgb) -> usize {
        let m = self.atlas.metrics;
        let mut cx = x;
        for ch in text.chars() {
            let id = self
                .atlas
                .id(ch)
                .or_else(|| self.atlas.id('?'))
                .unwrap_or(0);
            let (r0, r1) = self.atlas.ink_rows(id);
            for r in r0..r1 {
                for col in 0..m.width {
                    let cov = self.atlas.bitmap(id)[r * m.width + col];
                    if cov > 0 {
                        self.blend(cx + col, y + r, c, cov as f32 / 255.0);
                    }
                }
            }
            cx += m.width;
        }
        cx
    }

    /// Pixel width of `text`.
    pub fn text_width(&self, text: &str) -> usize {
        text.chars().count() * self.char_width()
    }
}

/// A perceptually ordered dark-to-bright colour map (control points of matplotlib's
/// "inferno"), `v` in `[0, 1]`.
pub fn inferno(v: f32) -> Rgb {
    const STOPS: [[f32; 3]; 9] = [
        [0.0, 0.0, 4.0],
        [31.0, 12.0, 72.0],
        [85.0, 15.0, 109.0],
        [136.0, 34.0, 106.0],
        [186.0, 54.0, 85.0],
        [227.0, 89.0, 51.0],
        [249.0, 140.0, 10.0],
        [249.0, 201.0, 50.0],
        [252.0, 255.0, 164.0],
    ];
    let v = if v.is_finite() {
        v.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let x = v * (STOPS.len() - 1) as f32;
    let i = (x.floor() as usize).min(STOPS.len() - 2);
    let f = x - i as f32;
    let mut out = [0u8; 3];
    for k in 0..3 {
        out[k] = (STOPS[i][k] + (STOPS[i + 1][k] - STOPS[i][k]) * f).round() as u8;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_map_is_ordered_and_total() {
        assert_eq!(inferno(0.0), [0, 0, 4]);
        assert_eq!(inferno(1.0), [252, 255, 164]);
        assert_eq!(inferno(f32::NAN), inferno(0.0));
        let luma = |c: Rgb| c[0] as u32 * 3 + c[1] as u32 * 6 + c[2] as u32;
        let mut last = 0;
        for i in 0..=20 {
            let l = luma(inferno(i as f32 / 20.0));
            assert!(l >= last, "not monotonic at {i}");
            last = l;
        }
    }

    #[test]
    fn text_leaves_ink_and_clipping_is_safe() {
        let mut c = Canvas::new(60, 30, [0, 0, 0], 14);
        let end = c.text(2, 2, "Ab1", [255, 255, 255]);
        assert_eq!(end, 2 + 3 * c.char_width());
        assert!(c.frame.data.iter().any(|&b| b > 128));
        // Drawing past the edges is clipped, not a panic.
        c.text(55, 25, "WWW", [255, 0, 0]);
        c.polyline(50, &[0.0, 100.0, -5.0, 29.0, 500.0], [0, 255, 0], 1.0);
        c.fill(50, 20, 100, 100, [1, 2, 3]);
    }
}
