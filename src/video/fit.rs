//! Closed-form colour fits for a glyph mask: the colours that minimize the squared colour
//! error of a cell drawn as `bg + (fg - bg) · m`, and that error, from a handful of sums.
//!
//! With `m` the glyph's coverage in [0, 1] per pixel and `p` one channel of the source, the
//! error `Σ (p - a - β m)²` (with `a = bg`, `β = fg - bg`) expands to
//! `Σp² + n a² + 2aβ Σm + β² Σm² - 2a Σp - 2β Σpm`. `Σm`, `Σm²` and `n` belong to the glyph and
//! are computed once per atlas; `Σp` belongs to the cell; only `Σpm` (one dot product per
//! channel) depends on both. `Σp²` is the same for every glyph, so costs leave it out.

use super::Background;

/// Sums of a glyph's coverage over its cell (`m` in [0, 1]).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct MaskSums {
    /// Pixels in the cell.
    pub n: f32,
    /// `Σ m`.
    pub sm: f32,
    /// `Σ m²`.
    pub smm: f32,
}

impl MaskSums {
    /// Sums of a u8 coverage bitmap (255 = full ink).
    pub fn of(bitmap: &[u8]) -> MaskSums {
        let (mut s, mut ss) = (0u64, 0u64);
        for &c in bitmap {
            s += c as u64;
            ss += (c as u64) * (c as u64);
        }
        MaskSums {
            n: bitmap.len() as f32,
            sm: s as f32 / 255.0,
            smm: ss as f32 / (255.0 * 255.0),
        }
    }
}

/// The fitted colours of one cell and their cost (squared error minus the constant `Σp²`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Fitted {
    /// Foreground (glyph) colour.
    pub fg: [u8; 3],
    /// Background colour (black when the background mode is black).
    pub bg: [u8; 3],
    /// Squared colour error over the cell, less `Σp²`.
    pub cost: f32,
}

/// Fit one channel: `sp = Σp`, `spm = Σ p·m` (`m` in [0, 1]). Returns (fg, bg, cost).
#[inline]
fn fit_channel(bg_mode: Background, g: &MaskSums, sp: f32, spm: f32) -> (u8, u8, f32) {
    match bg_mode {
        Background::Black => {
            if g.smm <= 1e-6 {
                return (0, 0, 0.0);
            }
            let fg = (spm / g.smm).clamp(0.0, 255.0).round();
            (fg as u8, 0, fg * fg * g.smm - 2.0 * fg * spm)
        }
        Background::Source => {
            let n = g.n.max(1.0);
            let det = n * g.smm - g.sm * g.sm;
            let (a, fg) = if det <= 1e-4 * n {
                // a flat mask (blank or full): only the mean colour can be fitted
                let mean = (sp / n).clamp(0.0, 255.0).round();
                (mean, mean)
            } else {
                let a = (g.smm * sp - g.sm * spm) / det;
                let beta = (n * spm - g.sm * sp) / det;
                (
                    a.clamp(0.0, 255.0).round(),
                    (a + beta).clamp(0.0, 255.0).round(),
                )
            };
            let beta = fg - a;
            let cost = n * a * a + 2.0 * a * beta * g.sm + beta * beta * g.smm
                - 2.0 * a * sp
                - 2.0 * beta * spm;
            (fg as u8, a as u8, cost)
        }
    }
}

/// Fit fg (and bg, for [`Background::Source`]) of a glyph to a cell.
///
/// `sp[c] = Σ p_c` over the cell, `dot[c] = Σ p_c · coverage` with coverage in 0..=255.
#[inline]
pub(crate) fn fit(bg_mode: Background, g: &MaskSums, sp: [f32; 3], dot: [f32; 3]) -> Fitted {
    let mut out = Fitted {
        fg: [0; 3],
        bg: [0; 3],
        cost: 0.0,
    };
    for c in 0..3 {
        let (f, b, e) = fit_channel(bg_mode, g, sp[c], dot[c] * (1.0 / 255.0));
        out.fg[c] = f;
        out.bg[c] = b;
        out.cost += e;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Brute-force error of drawing `fg`/`bg` with `mask` over `px` (one channel).
    fn brute(mask: &[u8], px: &[f32], fg: f32, bg: f32) -> f32 {
        mask.iter()
            .zip(px)
            .map(|(&m, &p)| {
                let m = m as f32 / 255.0;
                let d = p - (bg + (fg - bg) * m);
                d * d
            })
            .sum()
    }

    fn sums(mask: &[u8], px: &[f32]) -> ([f32; 3], [f32; 3]) {
        let sp: f32 = px.iter().sum();
        let dot: f32 = mask.iter().zip(px).map(|(&m, &p)| m as f32 * p).sum();
        ([sp; 3], [dot; 3])
    }

    #[test]
    fn a_cell_drawn_from_the_mask_is_fitted_exactly() {
        let mask: Vec<u8> = (0..40).map(|i| if i % 3 == 0 { 255 } else { 0 }).collect();
        let px: Vec<f32> = mask
            .iter()
            .map(|&m| 30.0 + (200.0 - 30.0) * m as f32 / 255.0)
            .collect();
        let g = MaskSums::of(&mask);
        let (sp, dot) = sums(&mask, &px);
        let f = fit(Background::Source, &g, sp, dot);
        assert_eq!((f.fg[0], f.bg[0]), (200, 30));
        let pp: f32 = px.iter().map(|p| p * p).sum();
        assert!((f.cost / 3.0 + pp).abs() < 1.0, "zero error: {}", f.cost);
    }

    #[test]
    fn cost_matches_brute_force_and_beats_nearby_colours() {
        let mask: Vec<u8> = (0..57).map(|i| ((i * 37) % 256) as u8).collect();
        let px: Vec<f32> = (0..57).map(|i| ((i * 91 + 13) % 256) as f32).collect();
        let g = MaskSums::of(&mask);
        let (sp, dot) = sums(&mask, &px);
        let pp: f32 = px.iter().map(|p| p * p).sum();
        for mode in [Background::Black, Background::Source] {
            let f = fit(mode, &g, sp, dot);
            let (fg, bg) = (f.fg[0] as f32, f.bg[0] as f32);
            let e = brute(&mask, &px, fg, bg);
            assert!(
                (f.cost / 3.0 + pp - e).abs() < 1e-3 * e.max(1.0),
                "{mode:?}"
            );
            for (dfg, dbg) in [(3.0, 0.0), (-3.0, 0.0), (0.0, 3.0), (0.0, -3.0)] {
                if mode == Background::Black && dbg != 0.0 {
                    continue;
                }
                let other = brute(&mask, &px, fg + dfg, (bg + dbg).max(0.0));
                assert!(other >= e - 1e-2, "{mode:?} {dfg} {dbg}: {other} < {e}");
            }
        }
    }

    #[test]
    fn blank_glyphs_give_black_or_the_mean() {
        let mask = [0u8; 10];
        let px = [100.0f32; 10];
        let g = MaskSums::of(&mask);
        let (sp, dot) = sums(&mask, &px);
        let b = fit(Background::Black, &g, sp, dot);
        assert_eq!((b.fg, b.bg, b.cost), ([0; 3], [0; 3], 0.0));
        let s = fit(Background::Source, &g, sp, dot);
        assert_eq!((s.fg, s.bg), ([100; 3], [100; 3]));
        assert!(s.cost < 0.0);
    }
}
