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
    /// `1 / Σ m²` (0 for a blank mask): divisions are hoisted out of the per-cell fit.
    pub inv_smm: f32,
    /// `1 / (n Σm² - (Σm)²)`, or 0 when the mask is flat (blank or full).
    pub inv_det: f32,
}

impl MaskSums {
    /// Sums of a u8 coverage bitmap (255 = full ink).
    pub fn of(bitmap: &[u8]) -> MaskSums {
        let (mut s, mut ss) = (0u64, 0u64);
        for &c in bitmap {
            s += c as u64;
            ss += (c as u64) * (c as u64);
        }
        let n = bitmap.len() as f32;
        let sm = s as f32 / 255.0;
        let smm = ss as f32 / (255.0 * 255.0);
        let det = n * smm - sm * sm;
        MaskSums {
            n,
            sm,
            smm,
            inv_smm: if smm > 1e-6 { 1.0 / smm } else { 0.0 },
            inv_det: if det > 1e-4 * n.max(1.0) {
                1.0 / det
            } else {
                0.0
            },
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

/// Clamp to 0..=255 and round to an integer value (a cast, not a libm call: baseline x86-64
/// has no rounding instruction).
#[inline]
fn round255(v: f32) -> f32 {
    ((v.clamp(0.0, 255.0) + 0.5) as u8) as f32
}

/// Fit one channel: `sp = Σp`, `spm = Σ p·m` (`m` in [0, 1]). Returns (fg, bg, cost).
#[inline]
fn fit_channel(bg_mode: Background, g: &MaskSums, sp: f32, spm: f32) -> (u8, u8, f32) {
    match bg_mode {
        Background::Black => {
            if g.inv_smm == 0.0 {
                return (0, 0, 0.0);
            }
            let fg = round255(spm * g.inv_smm);
            (fg as u8, 0, fg * fg * g.smm - 2.0 * fg * spm)
        }
        Background::Source => {
            let n = g.n.max(1.0);
            let (a, fg) = if g.inv_det == 0.0 {
                // a flat mask (blank or full): only the mean colour can be fitted
                let mean = round255(sp / n);
                (mean, mean)
            } else {
                let a = (g.smm * sp - g.sm * spm) * g.inv_det;
                let beta = (n * spm - g.sm * sp) * g.inv_det;
                (round255(a), round255(a + beta))
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

/// Glyph constants in structure-of-arrays form, for [`costs_all`].
#[derive(Clone, Debug, Default)]
pub(crate) struct MaskTable {
    n: Vec<f32>,
    sm: Vec<f32>,
    smm: Vec<f32>,
    inv_smm: Vec<f32>,
    inv_det: Vec<f32>,
}

impl MaskTable {
    /// The table of `sums`, in order.
    pub fn new(sums: &[MaskSums]) -> MaskTable {
        MaskTable {
            n: sums.iter().map(|g| g.n.max(1.0)).collect(),
            sm: sums.iter().map(|g| g.sm).collect(),
            smm: sums.iter().map(|g| g.smm).collect(),
            inv_smm: sums.iter().map(|g| g.inv_smm).collect(),
            inv_det: sums.iter().map(|g| g.inv_det).collect(),
        }
    }
}

/// The fit cost of every glyph at once (branch-free, so it vectorizes across glyphs): like
/// [`fit`]'s cost but with unrounded colours, which is all the ranking needs. `dots[k][c]`
/// are coverage dot products (0..=255 units) multiplied by `scale`.
pub(crate) fn costs_all(
    bg: Background,
    t: &MaskTable,
    sp: [f32; 3],
    dots: &[[i32; 3]],
    scale: f32,
    out: &mut [f32],
) {
    costs_kernel(
        bg == Background::Source,
        t,
        sp,
        dots,
        scale * (1.0 / 255.0),
        out,
    );
}

/// The cost of one channel for one glyph, as [`costs_all`] and [`costs_one`] define it: `p` =
/// `Σp`, `spm` = `Σ p·m`, and the glyph's constants. Shared so both kernels compute exactly the
/// same numbers.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn channel_cost(
    source: bool,
    n: f32,
    sm: f32,
    smm: f32,
    inv_smm: f32,
    inv_det: f32,
    p: f32,
    spm: f32,
) -> f32 {
    let clamp = |v: f32| v.clamp(0.0, 255.0);
    if source {
        let flat = inv_det == 0.0;
        let num_a = smm * p - sm * spm;
        let num_b = n * spm - sm * p;
        let mean = clamp(p / n);
        let a = if flat { mean } else { clamp(num_a * inv_det) };
        let f = if flat {
            mean
        } else {
            clamp((num_a + num_b) * inv_det)
        };
        let beta = f - a;
        n * a * a + 2.0 * a * beta * sm + beta * beta * smm - 2.0 * a * p - 2.0 * beta * spm
    } else {
        let f = clamp(spm * inv_smm);
        f * f * smm - 2.0 * f * spm
    }
}

crate::multiversion! {
    fn costs_kernel(source: bool, t: &MaskTable, sp: [f32; 3], dots: &[[i32; 3]], k: f32, out: &mut [f32]) {
        let len = out.len().min(dots.len()).min(t.n.len());
        let (n, sm, smm) = (&t.n[..len], &t.sm[..len], &t.smm[..len]);
        let (inv_smm, inv_det) = (&t.inv_smm[..len], &t.inv_det[..len]);
        for g in 0..len {
            let mut total = 0.0f32;
            for c in 0..3 {
                let spm = dots[g][c] as f32 * k;
                total += channel_cost(source, n[g], sm[g], smm[g], inv_smm[g], inv_det[g], sp[c], spm);
            }
            out[g] = total;
        }
    }
}

/// [`costs_all`] for a single channel (the fast search's grey prefilter): `dots[k]` is glyph
/// `k`'s dot product (0..=255 coverage units) times `scale`, `sp` the channel's sum. Equals
/// `costs_all` with the other two channels zero, since their cost terms are then zero.
pub(crate) fn costs_one(
    bg: Background,
    t: &MaskTable,
    sp: f32,
    dots: &[i32],
    scale: f32,
    out: &mut [f32],
) {
    costs_one_kernel(
        bg == Background::Source,
        t,
        sp,
        dots,
        scale * (1.0 / 255.0),
        out,
    );
}

crate::multiversion! {
    fn costs_one_kernel(source: bool, t: &MaskTable, sp: f32, dots: &[i32], k: f32, out: &mut [f32]) {
        let len = out.len().min(dots.len()).min(t.n.len());
        let (n, sm, smm) = (&t.n[..len], &t.sm[..len], &t.smm[..len]);
        let (inv_smm, inv_det) = (&t.inv_smm[..len], &t.inv_det[..len]);
        let (dots, out) = (&dots[..len], &mut out[..len]);
        for g in 0..len {
            out[g] = channel_cost(source, n[g], sm[g], smm[g], inv_smm[g], inv_det[g], sp, dots[g] as f32 * k);
        }
    }
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
    fn the_batch_costs_rank_like_the_exact_fit() {
        let masks: Vec<Vec<u8>> = (0..7)
            .map(|k| (0..30).map(|i| ((i * (k + 3) * 29) % 256) as u8).collect())
            .chain([vec![0u8; 30], vec![255u8; 30]])
            .collect();
        let px: Vec<f32> = (0..30).map(|i| ((i * 71 + 5) % 256) as f32).collect();
        let sums: Vec<MaskSums> = masks.iter().map(|m| MaskSums::of(m)).collect();
        let table = MaskTable::new(&sums);
        let dots: Vec<[i32; 3]> = masks
            .iter()
            .map(|m| {
                [m.iter()
                    .zip(&px)
                    .map(|(&a, &p)| a as i32 * p as i32)
                    .sum::<i32>(); 3]
            })
            .collect();
        let sp = [px.iter().sum::<f32>(); 3];
        for bg in [Background::Black, Background::Source] {
            let mut batch = vec![0.0; masks.len()];
            costs_all(bg, &table, sp, &dots, 1.0, &mut batch);
            for (k, g) in sums.iter().enumerate() {
                let exact = fit(bg, g, sp, dots[k].map(|v| v as f32)).cost;
                // rounding the colours moves the cost by at most a few units per pixel
                assert!(
                    (batch[k] - exact).abs() < 3.0 * 30.0 * 3.0,
                    "{bg:?} {k}: {} vs {exact}",
                    batch[k]
                );
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

    #[test]
    fn the_one_channel_costs_equal_the_three_channel_ones_with_two_channels_zero() {
        let masks: Vec<Vec<u8>> = (0..9)
            .map(|k| (0..30).map(|i| ((i * (k + 3) * 29) % 256) as u8).collect())
            .chain([vec![0u8; 30], vec![255u8; 30]])
            .collect();
        let sums: Vec<MaskSums> = masks.iter().map(|m| MaskSums::of(m)).collect();
        let table = MaskTable::new(&sums);
        let dots: Vec<i32> = (0..masks.len() as i32).map(|k| k * 1234 + 99).collect();
        let three: Vec<[i32; 3]> = dots.iter().map(|&d| [d, 0, 0]).collect();
        for bg in [Background::Black, Background::Source] {
            let (mut a, mut b) = (vec![0.0; dots.len()], vec![0.0; dots.len()]);
            costs_all(bg, &table, [1500.0, 0.0, 0.0], &three, 2.0, &mut a);
            costs_one(bg, &table, 1500.0, &dots, 2.0, &mut b);
            for (x, y) in a.iter().zip(&b) {
                assert_eq!(
                    x.to_bits() & 0x7fff_ffff,
                    y.to_bits() & 0x7fff_ffff,
                    "{bg:?}"
                );
            }
        }
    }
}
