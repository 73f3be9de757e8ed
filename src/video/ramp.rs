//! Luminance → glyph by ink coverage, with optional ordered or error-diffusion dithering.
//!
//! The palette's glyphs are sorted by the coverage measured on the atlas (not by their palette
//! position), so the drawn density follows luminance for any font and cell size. A luminance
//! `l` in [0, 1] asks for coverage `l^γ × (densest coverage of the palette)`.

use crate::glyph::{GlyphAtlas, GlyphId};

/// 4×4 Bayer thresholds, in sixteenths.
const BAYER: [[u8; 4]; 4] = [[0, 8, 2, 10], [12, 4, 14, 6], [3, 11, 1, 9], [15, 7, 13, 5]];

/// The palette's coverage levels, ascending.
#[derive(Clone, Debug)]
pub(crate) struct RampTable {
    /// (coverage normalized to the densest glyph, index into the palette), ascending.
    levels: Vec<(f32, usize)>,
}

impl RampTable {
    /// Levels of palette `ids` as drawn by `atlas`.
    pub fn new(atlas: &GlyphAtlas, ids: &[GlyphId]) -> RampTable {
        let mut levels: Vec<(f32, usize)> = ids
            .iter()
            .enumerate()
            .map(|(k, &id)| (atlas.coverage(id), k))
            .collect();
        levels.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        // equal coverage adds nothing to a ramp: keep the first glyph of each level
        levels.dedup_by(|a, b| a.0 == b.0);
        let max = levels.last().map_or(0.0, |l| l.0).max(1e-6);
        for l in &mut levels {
            l.0 /= max;
        }
        if levels.is_empty() {
            levels.push((0.0, 0));
        }
        RampTable { levels }
    }

    /// Normalized coverage of the level at position `i`.
    fn cov(&self, i: usize) -> f32 {
        self.levels[i].0
    }

    /// Position of the first level with coverage ≥ `t`, clamped to the last.
    fn upper(&self, t: f32) -> usize {
        self.levels
            .partition_point(|l| l.0 < t)
            .min(self.levels.len() - 1)
    }

    /// Palette index and coverage of the level nearest to target coverage `t`.
    pub fn nearest(&self, t: f32) -> (usize, f32) {
        let u = self.upper(t);
        let i = if u > 0 && (t - self.cov(u - 1)) <= (self.cov(u) - t) {
            u - 1
        } else {
            u
        };
        (self.levels[i].1, self.cov(i))
    }

    /// Ordered dithering between the two levels around `t`, with the cell's Bayer threshold.
    pub fn ordered(&self, t: f32, col: usize, row: usize) -> usize {
        let u = self.upper(t);
        if u == 0 || t >= self.cov(u) {
            return self.levels[u].1;
        }
        let (lo, hi) = (self.cov(u - 1), self.cov(u));
        let frac = (t - lo) / (hi - lo).max(1e-6);
        let thr = (BAYER[row % 4][col % 4] as f32 + 0.5) / 16.0;
        if frac > thr {
            self.levels[u].1
        } else {
            self.levels[u - 1].1
        }
    }
}

/// Target coverage for a mean luma (0..=255) with gamma.
#[inline]
pub(crate) fn target(mean_luma: f32, gamma: f32) -> f32 {
    (mean_luma / 255.0).clamp(0.0, 1.0).powf(gamma)
}

/// Floyd–Steinberg over a `cols × rows` grid of targets: writes the chosen palette index of
/// every cell into `out` (serpentine-free, left to right, so it is deterministic and simple).
pub(crate) fn diffuse(
    table: &RampTable,
    targets: &mut [f32],
    cols: usize,
    rows: usize,
    out: &mut [usize],
) {
    for r in 0..rows {
        for c in 0..cols {
            let i = r * cols + c;
            let t = targets[i];
            let (k, cov) = table.nearest(t.clamp(0.0, 1.0));
            out[i] = k;
            let e = t - cov;
            if c + 1 < cols {
                targets[i + 1] += e * 7.0 / 16.0;
            }
            if r + 1 < rows {
                if c > 0 {
                    targets[i + cols - 1] += e * 3.0 / 16.0;
                }
                targets[i + cols] += e * 5.0 / 16.0;
                if c + 1 < cols {
                    targets[i + cols + 1] += e * 1.0 / 16.0;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::glyph::FontChain;

    fn table() -> (GlyphAtlas, Vec<GlyphId>, RampTable) {
        let atlas = GlyphAtlas::new(&FontChain::bundled(), 16, " .:-=+*#%@".chars());
        let ids: Vec<GlyphId> = " .:-=+*#%@".chars().map(|c| atlas.id(c).unwrap()).collect();
        let t = RampTable::new(&atlas, &ids);
        (atlas, ids, t)
    }

    #[test]
    fn black_is_blank_white_is_densest_and_levels_rise() {
        let (atlas, ids, t) = table();
        assert_eq!(t.nearest(0.0).0, 0);
        let densest = ids
            .iter()
            .enumerate()
            .max_by(|a, b| atlas.coverage(*a.1).total_cmp(&atlas.coverage(*b.1)))
            .unwrap()
            .0;
        assert_eq!(t.nearest(1.0).0, densest);
        let mut last = -1.0;
        for i in 0..=20 {
            let (k, cov) = t.nearest(i as f32 / 20.0);
            assert!(cov >= last, "coverage falls at {i}");
            assert!((atlas.coverage(ids[k]) / atlas.coverage(ids[densest]) - cov).abs() < 1e-6);
            last = cov;
        }
    }

    #[test]
    fn dithering_keeps_the_mean_coverage() {
        let (_, _, t) = table();
        // a target between two levels: both dithers average close to it, plain rounding does not
        let (lo, hi) = (t.cov(2), t.cov(3));
        let target = lo + (hi - lo) * 0.3;
        let cov_of = |k: usize| t.levels.iter().find(|l| l.1 == k).unwrap().0;
        let (cols, rows) = (16, 16);
        let mut ordered = 0.0;
        for r in 0..rows {
            for c in 0..cols {
                ordered += cov_of(t.ordered(target, c, r));
            }
        }
        ordered /= (cols * rows) as f32;
        let mut targets = vec![target; cols * rows];
        let mut out = vec![0; cols * rows];
        diffuse(&t, &mut targets, cols, rows, &mut out);
        let diffused = out.iter().map(|&k| cov_of(k)).sum::<f32>() / (cols * rows) as f32;
        let plain = t.nearest(target).1;
        let tol = (hi - lo) * 0.08;
        assert!((ordered - target).abs() < tol, "{ordered} vs {target}");
        assert!((diffused - target).abs() < tol, "{diffused} vs {target}");
        assert!((plain - target).abs() > tol);
    }
}
