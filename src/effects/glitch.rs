//! Character-level glitches: corrupted blocks (the reference's `eff_block_corrupt`), a hex
//! data stream and scan bars (`eff_scanbars`).
//!
//! All three are stateless: what shows at time t is a pure hash of (seed, slot, time bucket),
//! so frames can be rendered in any order and on any thread. Block corruption and the hex
//! stream choose their characters through `pick` (like `matrix_rain`), from the layer's
//! palette: `palette = "hex"` gives the reference's hex digits.

use super::kernel::{Env, Kernel, REACT, SPEED, for_rows};
use super::math::{floor_f, smoothstep};
use super::{FieldBuf, ParamSpec};
use crate::features::Feature;
use crate::grid::GridGeom;
use crate::rng::{hash3, unit};

/// Hue of the reference's hex stream colour (0, 160, 80).
pub const HEX_HUE: f32 = 150.0 / 360.0;

/// The integer time bucket of effect time `t` at `rate` buckets per second.
#[inline]
fn bucket(t: f32, rate: f32) -> i64 {
    let b = (t as f64 * rate as f64).floor();
    if b.is_finite() {
        b.clamp(-1e15, 1e15) as i64
    } else {
        0
    }
}

/// Random rectangles filled with one character each, in reddish hues.
///
/// Writes `pick` (one glyph per block) and `hue` (reds: shown with `hue = "effect"`).
#[derive(Default)]
pub struct BlockCorrupt;

/// How many blocks show: `count` scaled by flux and the beat pulse.
pub fn block_count(count: f32, flux: f32, beat_decay: f32) -> usize {
    (count * (0.25 + 1.5 * flux + beat_decay)).round().max(0.0) as usize
}

impl Kernel for BlockCorrupt {
    const NAME: &'static str = "block_corrupt";
    const DOC: &'static str = "random blocks of one character in reddish hues (hue = \"effect\"); flux and beats add blocks";
    const PARAMS: &'static [ParamSpec] = &[
        SPEED,
        REACT,
        ParamSpec::new("count", 0.0, 100.0, 20.0, "blocks at full flux"),
        ParamSpec::new("size", 0.2, 2.0, 1.0, "block size multiplier"),
        ParamSpec::new("rate", 1.0, 30.0, 8.0, "new blocks per second"),
        ParamSpec::new("bri", 0.0, 2.0, 1.0, "brightness"),
    ];
    const WRITES_HUE_PICK: bool = true;

    fn draw(&mut self, geo: &GridGeom, p: &[f32], env: &Env, out: &mut FieldBuf) {
        let (size, rate, bri) = (p[3], p[4], p[5]);
        let n = block_count(p[2], env.a(Feature::Flux), env.a(Feature::BeatDecay));
        let (cols, rows) = (geo.cols, geo.rows);
        let epoch = bucket(env.t, rate) as u64;
        for k in 0..n as u64 {
            let h = hash3(env.seed, 0x626c_6f63, epoch, k);
            let u = |s: u32| unit(h.rotate_left(s));
            let w = ((0.02 + 0.1 * u(0)) * cols as f32 * size).ceil().max(1.0) as usize;
            let hh = ((0.02 + 0.07 * u(10)) * rows as f32 * size).ceil().max(1.0) as usize;
            let x0 = (u(20) * cols as f32) as usize;
            let y0 = (u(30) * rows as f32) as usize;
            let pick = u(40);
            let hue = (0.965 + 0.07 * u(50)).fract();
            let v = (0.55 + 0.45 * u(60)) * bri;
            for r in y0..(y0 + hh).min(rows) {
                let i0 = r * cols + x0;
                let i1 = r * cols + (x0 + w).min(cols);
                out.value[i0..i1].fill(v);
                out.pick[i0..i1].fill(pick);
                out.hue[i0..i1].fill(hue);
            }
        }
    }
}

/// Runs of 8–20 hex characters typed across (or down) the screen, in the reference's green.
///
/// Writes `pick` (a glyph per character; `palette = "hex"` shows hex digits) and `hue`
/// ([`HEX_HUE`]; shown with `hue = "effect"`).
#[derive(Default)]
pub struct HexStream;

impl Kernel for HexStream {
    const NAME: &'static str = "hex_stream";
    const DOC: &'static str = "runs of 8-20 hex characters typed across the screen (palette = \"hex\", hue = \"effect\"); flux and rms add streams";
    const PARAMS: &'static [ParamSpec] = &[
        SPEED,
        REACT,
        ParamSpec::new("streams", 1.0, 200.0, 24.0, "streams at full loudness"),
        ParamSpec::new("length", 4.0, 40.0, 14.0, "mean characters per stream"),
        ParamSpec::new("vertical", 0.0, 1.0, 0.3, "share of streams running down"),
        ParamSpec::new("typing", 2.0, 80.0, 24.0, "characters typed per second"),
        ParamSpec::new("bri", 0.0, 2.0, 1.0, "brightness"),
    ];
    const WRITES_HUE_PICK: bool = true;

    fn draw(&mut self, geo: &GridGeom, p: &[f32], env: &Env, out: &mut FieldBuf) {
        let (length, vertical, typing, bri) = (p[3], p[4], p[5], p[6]);
        let drive = (env.a(Feature::Rms) + env.a(Feature::Flux)).min(1.0);
        let n = (p[2] * (0.35 + 0.65 * drive)).round() as u64;
        let (cols, rows) = (geo.cols as i64, geo.rows as i64);
        let t = env.t as f64;
        for k in 0..n {
            let hk = hash3(env.seed, 0x6865_7873, k, 0);
            // each slot lives `life` seconds: types its run, holds it, then starts elsewhere
            let life = (length / typing) as f64 * 1.5 + 0.6 + unit(hk) as f64;
            let phase = t / life + unit(hk.rotate_left(17)) as f64;
            let epoch = phase.floor();
            let local = ((phase - epoch) * life) as f32;
            let h = hash3(env.seed, 0x6865_7873, k, epoch as i64 as u64);
            let u = |s: u32| unit(h.rotate_left(s));
            let len = (length * (0.6 + 0.8 * u(0))).round().max(1.0) as i64;
            let down = u(8) < vertical;
            let (x0, y0) = ((u(16) * cols as f32) as i64, (u(24) * rows as f32) as i64);
            let typed = ((local * typing) as i64 + 1).min(len);
            // the characters flicker: each re-rolls a few times a second
            let flick = bucket(env.t, 3.0) as u64;
            for c in 0..typed {
                let (x, y) = if down { (x0, y0 + c) } else { (x0 + c, y0) };
                if x >= cols || y >= rows {
                    break;
                }
                let i = (y * cols + x) as usize;
                let head = c + 1 == typed && typed < len;
                out.value[i] = if head { 1.0 } else { 0.63 } * bri;
                out.pick[i] = unit(hash3(h, c as u64, flick + (c as u64 & 3), 1));
                out.hue[i] = HEX_HUE;
            }
        }
    }
}

/// Bright horizontal bars drifting up and down the screen.
#[derive(Default)]
pub struct ScanBars;

/// Most bars (`count` plus what the beats add).
const MAX_BARS: usize = 64;

impl Kernel for ScanBars {
    const NAME: &'static str = "scanbars";
    const DOC: &'static str =
        "bright horizontal bars drifting over the screen; beats add bars, rms brightens them";
    const PARAMS: &'static [ParamSpec] = &[
        SPEED,
        REACT,
        ParamSpec::new("count", 0.0, 32.0, 4.0, "bars without beats"),
        ParamSpec::new("thickness", 0.5, 8.0, 1.0, "bar thickness in rows"),
        ParamSpec::new(
            "drift",
            0.0,
            2.0,
            0.25,
            "bar speed, screen heights per second",
        ),
        ParamSpec::new("bri", 0.0, 2.0, 1.0, "brightness"),
    ];

    fn draw(&mut self, geo: &GridGeom, p: &[f32], env: &Env, out: &mut FieldBuf) {
        let (thick, drift, bri) = (p[3], p[4], p[5]);
        let n = ((p[2] + 4.0 * env.a(Feature::BeatDecay)).round() as usize).min(MAX_BARS);
        let rows = geo.rows as f32;
        let gain = bri * (0.6 + 0.4 * env.a(Feature::Rms));
        let mut bars = [(0.0f32, 0.0f32); MAX_BARS];
        for (k, b) in bars.iter_mut().enumerate().take(n) {
            let h = hash3(env.seed, 0x7363_616e, k as u64, 0);
            let dir = if h & 1 == 0 { 1.0 } else { -1.0 };
            let v = drift * (0.5 + unit(h.rotate_left(7))) * dir;
            let y = unit(h.rotate_left(19)) + env.t * v;
            *b = ((y - floor_f(y)) * rows, 0.6 + 0.4 * unit(h.rotate_left(31)));
        }
        let bars = &bars[..n];
        let t_bucket = bucket(env.t, 12.0) as u64;
        let seed = env.seed;
        for_rows(geo, &mut out.value, |g, row| {
            let y = g.r as f32;
            let mut v = 0.0f32;
            for &(by, b) in bars {
                // wrap so a bar leaving the bottom shows at the top
                let d = (y - by).abs();
                let d = d.min(rows - d);
                v = v.max(b * smoothstep(thick, thick * 0.3, d));
            }
            if v <= 0.0 {
                return;
            }
            // a faint per-cell texture, re-rolled 12 times a second
            for (c, o) in row.iter_mut().enumerate() {
                let tex = 0.85 + 0.15 * unit(hash3(seed, t_bucket, g.start as u64, c as u64));
                *o = v * tex * gain;
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
    fn blocks_are_one_reddish_character_each_and_flux_adds_blocks() {
        assert!(block_count(20.0, 1.0, 1.0) > 4 * block_count(20.0, 0.0, 0.0));
        let mut f = FeatureFrame::uniform(0.0);
        f.set(Feature::Flux, 1.0);
        let out = render_defaults("block_corrupt", 100, 50, 3, &f);
        let lit: Vec<usize> = (0..out.len()).filter(|&i| out.value[i] > 0.0).collect();
        assert!(lit.len() > 100);
        for &i in &lit {
            let h = out.hue[i];
            assert!(!(0.035..0.965).contains(&h), "hue {h} is not red");
            assert!(out.pick[i] >= 0.0);
        }
        // a block's cells share one glyph: horizontal neighbours with equal value agree
        let same = lit
            .iter()
            .filter(|&&i| i % 100 < 99 && out.value[i + 1] == out.value[i])
            .filter(|&&i| out.pick[i + 1] == out.pick[i])
            .count();
        let pairs = lit
            .iter()
            .filter(|&&i| i % 100 < 99 && out.value[i + 1] == out.value[i])
            .count();
        assert!(same * 10 >= pairs * 9, "{same} of {pairs}");
    }

    #[test]
    fn hex_runs_are_8_to_20_characters_in_the_reference_green() {
        // horizontal only, fully typed (late in a slot's life is not guaranteed: look at runs)
        let out = render_params("hex_stream", 200, 60, 40, &quiet(), &[(4, 0.0), (2, 6.0)]);
        let mut runs = Vec::new();
        for r in 0..60 {
            let mut len = 0;
            for c in 0..=200 {
                let lit = c < 200 && out.value[r * 200 + c] > 0.0;
                if lit {
                    len += 1;
                } else if len > 0 {
                    runs.push(len);
                    len = 0;
                }
            }
        }
        assert!(!runs.is_empty());
        assert!(runs.iter().all(|&l| l <= 20), "{runs:?}");
        for i in 0..out.len() {
            if out.value[i] > 0.0 {
                assert_eq!(out.hue[i], HEX_HUE);
                assert!(out.pick[i] >= 0.0);
            }
        }
    }

    #[test]
    fn scan_bars_are_full_width_and_beats_add_bars() {
        let bars = |bd: f32| {
            let mut f = FeatureFrame::uniform(0.0);
            f.set(Feature::BeatDecay, bd);
            let out = render_params("scanbars", 60, 80, 0, &f, &[(3, 1.0)]);
            let lit_rows: Vec<bool> = (0..80)
                .map(|r| (0..60).all(|c| out.value[r * 60 + c] > 0.0))
                .collect();
            // every row is either fully lit or dark
            for (r, &lit) in lit_rows.iter().enumerate() {
                let any = (0..60).any(|c| out.value[r * 60 + c] > 0.0);
                assert_eq!(any, lit);
            }
            lit_rows.iter().filter(|&&l| l).count()
        };
        let (quiet_rows, beat_rows) = (bars(0.0), bars(1.0));
        assert!((1..=8).contains(&quiet_rows), "{quiet_rows}");
        assert!(beat_rows > quiet_rows, "{beat_rows} vs {quiet_rows}");
    }
}
