//! Spectrum analyser bars.

use super::kernel::{Env, Kernel, REACT, SPEED};
use super::math::clip01;
use super::{FieldBuf, ParamSpec};
use crate::features::Feature;
use crate::grid::GridGeom;

/// The six band features, low to high: the fallback when a frame has no spectrum.
const BANDS: [Feature; 6] = [
    Feature::Sub,
    Feature::Bass,
    Feature::Lomid,
    Feature::Mid,
    Feature::Himid,
    Feature::Hi,
];

/// Vertical bars, one per spectrum band group, optionally mirrored about the centre row.
///
/// The top cell of a bar gets `pick` = its filled fraction, meant for a ramp such as
/// `" ▁▂▃▄▅▆▇█"`; full cells pick the last glyph. `value` rises from 0.45 at the base to 1 at
/// full height, so a value-mapped colour strategy shades the bars.
#[derive(Default)]
pub struct Spectrum {
    heights: Vec<f32>,
    col_h: Vec<f32>,
}

impl Kernel for Spectrum {
    const NAME: &'static str = "spectrum";
    const DOC: &'static str =
        "spectrum bars (the 6 bands when no spectrum); pick selects partial blocks";
    const PARAMS: &'static [ParamSpec] = &[
        SPEED,
        REACT,
        ParamSpec::new(
            "bars",
            1.0,
            256.0,
            64.0,
            "number of bars (at most one per column)",
        ),
        ParamSpec::new(
            "mirror",
            0.0,
            1.0,
            1.0,
            "1 = grow up and down from the centre row",
        ),
        ParamSpec::new("gain", 0.1, 4.0, 1.2, "height multiplier"),
        ParamSpec::new("gap", 0.0, 0.8, 0.25, "empty fraction of each bar's width"),
        ParamSpec::new("bri", 0.0, 2.0, 1.0, "brightness"),
    ];
    const WRITES_HUE_PICK: bool = true;

    fn draw(&mut self, geo: &GridGeom, p: &[f32], env: &Env, out: &mut FieldBuf) {
        let (cols, rows) = (geo.cols, geo.rows);
        let n = (p[2].round() as usize).clamp(1, cols);
        let mirror = p[3] >= 0.5;
        let (gain, gap, bri) = (p[4] * env.react, p[5], p[6]);
        self.levels(n, env);
        for h in self.heights.iter_mut() {
            *h = clip01(*h * gain);
        }
        let up_rows = if mirror { rows.div_ceil(2) } else { rows };
        // bar height in cells under each column (0 in the gaps); bar b spans columns
        // [b·cols/n, (b+1)·cols/n) and leaves its last `gap` share empty, at least one column
        // when the gap is non-zero, never the whole bar
        self.col_h.clear();
        for b in 0..n {
            let (start, end) = (b * cols / n, (b + 1) * cols / n);
            let width = end - start;
            let gap_cols = if width >= 2 && gap > 0.0 {
                ((width as f32 * gap).round() as usize).clamp(1, width - 1)
            } else {
                0
            };
            let h = self.heights[b] * up_rows as f32;
            self.col_h
                .extend((0..width).map(|k| if k < width - gap_cols { h } else { 0.0 }));
        }
        let tallest = self.col_h.iter().fold(0.0f32, |m, &h| m.max(h));
        let inv_up = 1.0 / up_rows as f32;
        for r in 0..rows {
            // distance in rows from the bar's base, and whether this is the reflected half
            let (rb, reflected) = if r < up_rows {
                (up_rows - 1 - r, false)
            } else {
                (r - up_rows, true)
            };
            let rb = rb as f32;
            if rb >= tallest {
                continue;
            }
            let value = &mut out.value[r * cols..(r + 1) * cols];
            let pick = &mut out.pick[r * cols..(r + 1) * cols];
            for ((v, p), &h) in value.iter_mut().zip(pick.iter_mut()).zip(&self.col_h) {
                let fill = (h - rb).clamp(0.0, 1.0);
                let bright = bri * (0.45 + 0.55 * (rb + fill) * inv_up);
                if reflected {
                    // partial blocks would sit on the wrong side of a downward cell: round
                    if fill >= 0.5 {
                        *v = 0.6 * bright;
                        *p = 0.999;
                    }
                } else if fill > 0.0 {
                    *v = bright;
                    *p = fill.min(0.999);
                }
            }
        }
    }
}

impl Spectrum {
    /// Bar levels: averages of the spectrum bands each bar covers (or interpolation when there
    /// are more bars than bands), or the six band features spread across the bars.
    fn levels(&mut self, n: usize, env: &Env) {
        self.heights.clear();
        let m = env.spectrum_len();
        for b in 0..n {
            let lvl = if m == 0 {
                let pos = (b as f32 + 0.5) / n as f32 * 6.0 - 0.5;
                interp(|k| env.feat.get(BANDS[k]), 6, pos)
            } else if m >= n {
                let (lo, hi) = (b * m / n, ((b + 1) * m / n).max(b * m / n + 1));
                let sum: f32 = (lo..hi).map(|k| env.spectrum(k)).sum();
                sum / (hi - lo) as f32
            } else {
                let pos = (b as f32 + 0.5) / n as f32 * m as f32 - 0.5;
                interp(|k| env.spectrum(k), m, pos)
            };
            self.heights.push(lvl);
        }
    }
}

/// Linear interpolation of `get(0..len)` at fractional index `pos` (clamped to the ends).
fn interp(get: impl Fn(usize) -> f32, len: usize, pos: f32) -> f32 {
    let pos = pos.clamp(0.0, (len - 1) as f32);
    let i = (pos as usize).min(len - 1);
    let j = (i + 1).min(len - 1);
    let f = pos - i as f32;
    get(i) * (1.0 - f) + get(j) * f
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use super::super::{EffectCtx, FieldBuf, find};
    use crate::frame::FrameCtx;
    use crate::grid::GridGeom;

    fn bars(spectrum: &[f32], mirror: f32) -> (FieldBuf, GridGeom) {
        let geo = GridGeom::new(32, 20, 8, 16);
        let spec = find("spectrum").unwrap();
        let mut e = (spec.make)();
        let mut params = crate::params::defaults(spec.params);
        params[2] = 8.0;
        params[3] = mirror;
        params[4] = 1.0;
        let feat = quiet();
        let ctx = EffectCtx {
            frame: FrameCtx::new(0, 24.0, 1),
            features: &feat,
            spectrum,
            seed: 1,
        };
        let mut out = FieldBuf::new(geo.len());
        e.render(&geo, &params, &ctx, &mut out);
        (out, geo)
    }

    fn lit_in_columns(f: &FieldBuf, geo: &GridGeom, c0: usize, c1: usize) -> usize {
        (0..geo.rows)
            .flat_map(|r| (c0..c1).map(move |c| r * geo.cols + c))
            .filter(|&i| f.value[i] > 0.0)
            .count()
    }

    #[test]
    fn bars_are_taller_where_the_spectrum_is_higher() {
        let spectrum: Vec<f32> = (0..16).map(|k| k as f32 / 15.0).collect();
        for mirror in [0.0, 1.0] {
            let (f, geo) = bars(&spectrum, mirror);
            let counts: Vec<usize> = (0..8)
                .map(|b| lit_in_columns(&f, &geo, b * 4, b * 4 + 4))
                .collect();
            assert!(counts.windows(2).all(|w| w[0] <= w[1]), "{counts:?}");
            assert!(counts[7] > counts[0] + 10, "{counts:?}");
        }
    }

    #[test]
    fn top_cell_picks_fractional_block() {
        // level 0.5 of 20 rows = 10 full cells exactly; 0.525 adds half a cell
        let (f, geo) = bars(&[0.525; 8], 0.0);
        let col = 0;
        let top = (0..geo.rows)
            .find(|&r| f.value[r * geo.cols + col] > 0.0)
            .unwrap();
        assert_eq!(top, geo.rows - 11);
        let pick = f.pick[top * geo.cols + col];
        assert!((pick - 0.5).abs() < 0.01, "pick {pick}");
        assert!(f.pick[(geo.rows - 1) * geo.cols + col] > 0.99);
    }

    #[test]
    fn falls_back_to_band_features() {
        let (f, _) = bars(&[], 0.0);
        assert!(
            f.value.iter().all(|&v| v == 0.0),
            "quiet bands give no bars"
        );
        let mut loud = quiet();
        loud.set(crate::features::Feature::Bass, 1.0);
        let f = render_defaults("spectrum", 32, 20, 0, &loud);
        assert!(f.value.iter().any(|&v| v > 0.0));
    }
}
