//! Line effects: one sine wave per frequency band (the reference's `eff_freq_waves`) and a
//! waveform line (`eff_waveform`). Each column's line heights are computed once per frame;
//! cells then light by their distance to the line, so steep stretches stay connected.

use super::kernel::{Env, Kernel, REACT, SPEED, for_rows, inv_norm};
use super::math::sin;
use super::{FieldBuf, ParamSpec};
use crate::features::Feature;
use crate::grid::GridGeom;

/// Column widths per normalized unit of the reference's grid (1080p `md`, half-height 27
/// rows of aspect 2): spatial frequencies in the reference are radians per column there.
const REF_UNITS: f32 = 54.0;

/// The reference's band table: (band, spatial freq in radians per column, temporal freq in
/// radians per second, hue).
pub const BAND_WAVES: [(Feature, f32, f32, f32); 6] = [
    (Feature::Sub, 0.06, 1.2, 0.0),
    (Feature::Bass, 0.10, 2.0, 0.08),
    (Feature::Lomid, 0.15, 3.0, 0.16),
    (Feature::Mid, 0.22, 4.5, 0.25),
    (Feature::Himid, 0.32, 6.5, 0.4),
    (Feature::Hi, 0.45, 8.5, 0.55),
];

/// Brightness of a cell `d` rows from a line `thick` rows thick.
#[inline(always)]
fn line(d: f32, thick: f32) -> f32 {
    (1.0 - d.abs() / thick).max(0.0)
}

/// Distance in rows from `y` to the span a column's line covers (from halfway to its left
/// neighbour's height to halfway to its right one's), 0 inside.
#[inline(always)]
fn span_dist(y: f32, lo: f32, hi: f32) -> f32 {
    (lo - y).max(y - hi).max(0.0)
}

/// Six band-coloured sine waves, each with a harmonic.
///
/// Writes `hue` (the band's hue from the reference's table; shown with `hue = "effect"`).
#[derive(Default)]
pub struct FreqWaves {
    /// Per band and column: line height in rows, then the covered span (lo, hi).
    ys: Vec<[f32; 3]>,
}

impl Kernel for FreqWaves {
    const NAME: &'static str = "freq_waves";
    const DOC: &'static str = "one sine wave per band (sub to hi) with a harmonic, amplitude from the band, hue from the band (hue = \"effect\")";
    const PARAMS: &'static [ParamSpec] = &[
        SPEED,
        REACT,
        ParamSpec::new("amp", 0.0, 2.0, 1.0, "wave height multiplier"),
        ParamSpec::new("thickness", 0.5, 4.0, 1.0, "line thickness in rows"),
        ParamSpec::new(
            "spread",
            0.0,
            1.0,
            0.5,
            "0 = all waves on the centre row, 1 = one lane per band",
        ),
        ParamSpec::new(
            "harmonic",
            0.0,
            1.0,
            0.35,
            "weight of each wave's 2nd harmonic",
        ),
        ParamSpec::new("bri", 0.0, 2.0, 1.0, "brightness"),
    ];
    const WRITES_HUE_PICK: bool = true;

    fn draw(&mut self, geo: &GridGeom, p: &[f32], env: &Env, out: &mut FieldBuf) {
        let (amp, thick, spread, harm, bri) = (p[2], p[3], p[4], p[5], p[6]);
        let (cols, rows) = (geo.cols, geo.rows);
        let k = inv_norm(geo) * REF_UNITS;
        let cy = (rows as f32 - 1.0) * 0.5;
        let lane = rows as f32 / 6.0;
        let mut gain = [0.0f32; 6];
        self.ys.clear();
        for (b, &(feat, sf, tf, _)) in BAND_WAVES.iter().enumerate() {
            let l = env.a(feat).min(1.0);
            gain[b] = bri * (0.35 + 0.65 * l);
            let centre = cy + spread * (b as f32 - 2.5) * lane;
            let a = amp * (0.1 + 0.9 * l) * rows as f32 * (0.2 - 0.1 * spread);
            let (ph, ph2) = (env.t * tf, env.t * tf * 1.7);
            let start = self.ys.len();
            for &dx in &geo.dx[..cols] {
                let x = dx * k * sf;
                let y = (sin(x + ph) + harm * sin(2.0 * x + ph2)) / (1.0 + harm);
                self.ys.push([centre - a * y, 0.0, 0.0]);
            }
            spans(&mut self.ys[start..]);
        }
        // draw column by column: only the few rows near each line are touched
        let last = rows as f32 - 1.0;
        for (b, &(_, _, _, band_hue)) in BAND_WAVES.iter().enumerate() {
            for c in 0..cols {
                let [_, lo, hi] = self.ys[b * cols + c];
                let r0 = (lo - thick).ceil().clamp(0.0, last) as usize;
                let r1 = (hi + thick).floor().clamp(-1.0, last);
                if r1 < r0 as f32 {
                    continue;
                }
                for r in r0..=r1 as usize {
                    let lit = line(span_dist(r as f32, lo, hi), thick) * gain[b];
                    let i = r * cols + c;
                    if lit > out.value[i] {
                        out.value[i] = lit;
                        out.hue[i] = band_hue;
                    }
                }
            }
        }
    }
}

/// Fill each column's covered span from its line height and its neighbours'.
fn spans(ys: &mut [[f32; 3]]) {
    let n = ys.len();
    for c in 0..n {
        let y = ys[c][0];
        let l = if c > 0 { 0.5 * (y + ys[c - 1][0]) } else { y };
        let r = if c + 1 < n {
            0.5 * (y + ys[c + 1][0])
        } else {
            y
        };
        ys[c][1] = y.min(l).min(r);
        ys[c][2] = y.max(l).max(r);
    }
}

/// A waveform line from three sines driven by bass, mid and hi, its height scaled by the
/// track's waveform envelope.
#[derive(Default)]
pub struct Waveform {
    ys: Vec<[f32; 3]>,
}

impl Kernel for Waveform {
    const NAME: &'static str = "waveform";
    const DOC: &'static str =
        "a line of three sines driven by bass, mid and hi, height from the waveform envelope";
    const PARAMS: &'static [ParamSpec] = &[
        SPEED,
        REACT,
        ParamSpec::new(
            "offset",
            -1.0,
            1.0,
            -0.18,
            "height of the line's rest position (-1 top, 1 bottom)",
        ),
        ParamSpec::new("amp", 0.0, 3.0, 1.0, "wave height multiplier"),
        ParamSpec::new("thickness", 0.5, 4.0, 1.0, "line thickness in rows"),
        ParamSpec::new("bri", 0.0, 2.0, 1.0, "brightness"),
    ];

    fn draw(&mut self, geo: &GridGeom, p: &[f32], env: &Env, out: &mut FieldBuf) {
        let (offset, amp, thick, bri) = (p[2], p[3], p[4], p[5]);
        let rows = geo.rows as f32;
        let k = inv_norm(geo) * REF_UNITS;
        let half = (rows - 1.0) * 0.5;
        let centre = half + offset * half;
        // a small idle wave keeps the line moving in silence and with react = 0
        let bass = 0.15 + env.a(Feature::Bass);
        let mid = 0.1 + env.a(Feature::Mid);
        let hi = 0.05 + env.a(Feature::Hi);
        let env_gain = 0.5 + env.a(Feature::Waveform);
        let a = amp * rows * 0.12 * env_gain;
        let t = env.t;
        self.ys.clear();
        self.ys.extend(geo.dx[..geo.cols].iter().map(|&dx| {
            let x = dx * k;
            let y = bass * sin(x * 0.05 + 2.0 * t)
                + 0.6 * mid * sin(x * 0.13 - 3.1 * t)
                + 0.35 * hi * sin(x * 0.31 + 5.3 * t);
            [centre - a * y, 0.0, 0.0]
        }));
        spans(&mut self.ys);
        let gain = bri * (0.6 + 0.4 * env.a(Feature::Rms));
        let ys = &self.ys;
        for_rows(geo, &mut out.value, |g, row| {
            let y = g.r as f32;
            for (v, s) in row.iter_mut().zip(ys) {
                *v = line(span_dist(y, s[1], s[2]), thick) * gain;
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use super::*;
    use crate::features::FeatureFrame;

    #[test]
    fn each_band_draws_its_own_wave_in_its_hue() {
        // one band loud at a time: the brightest cells carry that band's hue
        for (b, &(feat, _, _, hue)) in BAND_WAVES.iter().enumerate() {
            let mut f = FeatureFrame::uniform(0.0);
            f.set(feat, 1.0);
            let out = render_defaults("freq_waves", 96, 48, 3, &f);
            let max = out.value.iter().fold(0.0f32, |m, &v| m.max(v));
            let i = out.value.iter().position(|&v| v == max).unwrap();
            assert!((out.hue[i] - hue).abs() < 1e-6, "band {b}");
            assert!(
                out.value
                    .iter()
                    .zip(&out.hue)
                    .all(|(v, h)| (*v > 0.0) != h.is_nan())
            );
        }
    }

    #[test]
    fn louder_bands_swing_wider_and_lines_stay_connected() {
        let height = |level: f32| {
            let mut f = FeatureFrame::uniform(0.0);
            f.set(Feature::Bass, level);
            // spread 0, other bands silent: measure the bass wave's vertical extent
            let out = render_params("freq_waves", 96, 48, 5, &f, &[(4, 0.0)]);
            let rows: Vec<usize> = (0..out.len())
                .filter(|&i| out.value[i] > 0.0 && (out.hue[i] - 0.08).abs() < 1e-6)
                .map(|i| i / 96)
                .collect();
            rows.iter().max().unwrap() - rows.iter().min().unwrap()
        };
        assert!(
            height(1.0) > 2 * height(0.0),
            "{} {}",
            height(1.0),
            height(0.0)
        );
        // every column of the waveform line has a lit cell
        let out = render_defaults("waveform", 96, 48, 7, &FeatureFrame::uniform(0.8));
        for c in 0..96 {
            assert!(
                (0..48).any(|r| out.value[r * 96 + c] > 0.0),
                "gap at column {c}"
            );
        }
    }

    #[test]
    fn the_waveform_envelope_and_bass_raise_the_line() {
        let extent = |bass: f32, wave: f32| {
            let mut f = FeatureFrame::uniform(0.0);
            f.set(Feature::Bass, bass);
            f.set(Feature::Waveform, wave);
            let out = render_defaults("waveform", 120, 60, 9, &f);
            let rows: Vec<usize> = (0..out.len())
                .filter(|&i| out.value[i] > 0.5)
                .map(|i| i / 120)
                .collect();
            rows.iter().max().unwrap() - rows.iter().min().unwrap()
        };
        assert!(extent(1.0, 0.0) > extent(0.0, 0.0));
        assert!(extent(1.0, 1.0) > extent(1.0, 0.0));
    }
}
