//! Edge orientation per cell from the structure tensor, and the line glyph that matches it.
//!
//! Raw gradient angles cannot be averaged (a gradient and its opposite are the same edge, and
//! 179° and 1° would average to 90°). The structure tensor `J = Σ [gx², gx·gy; gx·gy, gy²]`
//! sums the doubled-angle vectors `(gx² - gy², 2·gx·gy)` instead, so opposite gradients add up
//! and the dominant orientation, its strength and its coherence come out of three sums. Each
//! line glyph's own orientation is measured the same way on its atlas bitmap, so `/` matches
//! the slope it really has in this font and cell size rather than an assumed 45°.

use crate::glyph::{GlyphAtlas, GlyphId};

/// Structure tensor sums over a cell, in luma units (0–255) per pixel.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct Tensor {
    /// `Σ gx²`.
    pub xx: f32,
    /// `Σ gx·gy`.
    pub xy: f32,
    /// `Σ gy²`.
    pub yy: f32,
    /// Pixels summed.
    pub n: f32,
}

impl Tensor {
    /// Tensor of a `w × h` plane (central differences on interior pixels).
    pub fn of(plane: &[u8], w: usize, h: usize) -> Tensor {
        let (mut xx, mut xy, mut yy) = (0i64, 0i64, 0i64);
        for y in 1..h.saturating_sub(1) {
            let row = &plane[y * w..(y + 1) * w];
            let up = &plane[(y - 1) * w..y * w];
            let down = &plane[(y + 1) * w..(y + 2) * w];
            for x in 1..w.saturating_sub(1) {
                let gx = row[x + 1] as i64 - row[x - 1] as i64;
                let gy = down[x] as i64 - up[x] as i64;
                xx += gx * gx;
                xy += gx * gy;
                yy += gy * gy;
            }
        }
        let n = (w.saturating_sub(2) * h.saturating_sub(2)).max(1) as f32;
        // central differences span two pixels: /4 puts the sums in units per pixel step
        Tensor {
            xx: xx as f32 / 4.0,
            xy: xy as f32 / 4.0,
            yy: yy as f32 / 4.0,
            n,
        }
    }

    /// RMS gradient magnitude per pixel.
    pub fn strength(&self) -> f32 {
        ((self.xx + self.yy) / self.n).sqrt()
    }

    /// `(λ1 - λ2) / (λ1 + λ2)`: 1 for a single clean orientation, 0 for none.
    pub fn coherence(&self) -> f32 {
        let tr = self.xx + self.yy;
        if tr <= 0.0 {
            return 0.0;
        }
        let d = self.xx - self.yy;
        (d * d + 4.0 * self.xy * self.xy).sqrt() / tr
    }

    /// Unit doubled-angle vector of the dominant gradient orientation.
    pub fn direction(&self) -> [f32; 2] {
        let v = [self.xx - self.yy, 2.0 * self.xy];
        let len = (v[0] * v[0] + v[1] * v[1]).sqrt();
        if len <= 0.0 {
            [0.0, 0.0]
        } else {
            [v[0] / len, v[1] / len]
        }
    }
}

/// Line glyphs with their measured orientation.
#[derive(Clone, Debug, Default)]
pub(crate) struct EdgeSet {
    /// (glyph, unit doubled-angle vector of its strokes' gradients).
    glyphs: Vec<(GlyphId, [f32; 2])>,
}

impl EdgeSet {
    /// Measure the orientation of `chars` as drawn by `atlas` (characters it lacks are skipped).
    pub fn new(atlas: &GlyphAtlas, chars: &[char]) -> EdgeSet {
        let (w, h) = (atlas.metrics.width, atlas.metrics.height);
        let glyphs = chars
            .iter()
            .filter_map(|&c| atlas.id(c).filter(|&id| id != 0))
            .map(|id| (id, Tensor::of(atlas.bitmap(id), w, h).direction()))
            .filter(|(_, d)| d != &[0.0, 0.0])
            .collect();
        EdgeSet { glyphs }
    }

    /// The line glyph whose orientation is closest to `t`'s (None without line glyphs).
    pub fn pick(&self, t: &Tensor) -> Option<GlyphId> {
        let d = t.direction();
        self.glyphs
            .iter()
            .map(|(id, g)| (*id, d[0] * g[0] + d[1] * g[1]))
            .fold(None, |best: Option<(GlyphId, f32)>, c| match best {
                Some(b) if b.1 >= c.1 => Some(b),
                _ => Some(c),
            })
            .map(|b| b.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::glyph::FontChain;

    fn plane(w: usize, h: usize, f: impl Fn(usize, usize) -> u8) -> Vec<u8> {
        (0..h)
            .flat_map(|y| (0..w).map(move |x| (x, y)))
            .map(|(x, y)| f(x, y))
            .collect()
    }

    #[test]
    fn opposite_gradients_reinforce_instead_of_cancelling() {
        // a bright vertical line: gradients point left on one side and right on the other
        let p = plane(10, 19, |x, _| if x == 5 { 255 } else { 0 });
        let t = Tensor::of(&p, 10, 19);
        assert!(t.coherence() > 0.99);
        let d = t.direction();
        assert!(d[0] > 0.99, "horizontal gradients: {d:?}");
        let flat = Tensor::of(&[7u8; 190], 10, 19);
        assert_eq!((flat.strength(), flat.coherence()), (0.0, 0.0));
    }

    #[test]
    fn line_glyphs_are_matched_by_orientation() {
        let atlas = GlyphAtlas::new(&FontChain::bundled(), 16, "-|/\\".chars());
        let set = EdgeSet::new(&atlas, &['-', '|', '/', '\\']);
        let (w, h) = (atlas.metrics.width, atlas.metrics.height);
        for c in ['-', '|', '/', '\\'] {
            let id = atlas.id(c).unwrap();
            let t = Tensor::of(atlas.bitmap(id), w, h);
            assert_eq!(set.pick(&t), Some(id), "{c} should match itself");
        }
        // a geometric diagonal rising to the right (y grows downward) is '/'
        let p = plane(w, h, |x, y| {
            let d = (x as f32 * h as f32 / w as f32) - (h as f32 - 1.0 - y as f32);
            if d.abs() < 1.5 { 255 } else { 0 }
        });
        let t = Tensor::of(&p, w, h);
        assert_eq!(set.pick(&t), atlas.id('/'));
    }
}
