//! Cellular fire: heat rises from hidden source rows, averaging and cooling as it goes.
//!
//! Cooling is read from a noise map that scrolls upward with the heat, which tears the rising
//! heat into flickering tongues (the classic "cooling map" fire).

use super::kernel::{Env, Kernel, REACT, SPEED_SIM, inv_norm};
use super::math::clip01;
use super::noise::{hash_noise, seed32};
use super::{FieldBuf, ParamSpec};
use crate::features::Feature;
use crate::grid::GridGeom;
use crate::rng::{SplitMix, hash2};

/// Hidden rows below the screen that hold the fuel.
const SOURCE_ROWS: usize = 2;
/// Most simulation steps per frame (a slow frame rate must not stall the render).
const MAX_STEPS: usize = 8;

/// Rising flames driven by bass and loudness; `value` is heat (for the palette ramp).
#[derive(Default)]
pub struct Fire {
    heat: Vec<f32>,
    cool: Vec<f32>,
    cool_rows: usize,
    scroll: usize,
    acc: f32,
}

impl Kernel for Fire {
    const NAME: &'static str = "fire";
    const DOC: &'static str =
        "rising cellular fire; bass raises the flames, rms and beats feed them";
    const PARAMS: &'static [ParamSpec] = &[
        SPEED_SIM,
        REACT,
        ParamSpec::new(
            "height",
            0.1,
            1.5,
            0.55,
            "flame height as a fraction of the screen",
        ),
        ParamSpec::new("intensity", 0.0, 2.0, 1.0, "fuel heat"),
        ParamSpec::new("wind", -1.0, 1.0, 0.0, "sideways drift (negative = left)"),
        ParamSpec::new("bri", 0.0, 2.0, 1.0, "brightness"),
    ];
    const STATEFUL: bool = true;

    fn draw(&mut self, geo: &GridGeom, p: &[f32], env: &Env, out: &mut FieldBuf) {
        let (height, intensity, wind, bri) = (p[2], p[3], p[4], p[5]);
        let (cols, rows) = (geo.cols, geo.rows);
        let fuel = intensity
            * (0.7
                + 0.35 * env.a(Feature::Bass)
                + 0.2 * env.a(Feature::Rms)
                + 0.2 * env.a(Feature::BeatDecay));
        let height = height * (1.0 + 0.5 * env.a(Feature::Bass));
        let sim = Step {
            fuel,
            cool: 1.0 / (height * rows as f32).max(1.0),
            wind,
        };
        let mut rng = SplitMix(hash2(env.seed, 0x6669_7265, env.index));
        if env.fresh {
            self.init(geo, env.seed);
            // start with a burning fire rather than a black screen
            for _ in 0..(rows * 3 / 2).max(8) {
                self.step(cols, rows, &sim, &mut rng);
            }
        }
        // about 0.6 screen heights per second of rise, whatever the grid
        self.acc += env.dt * rows as f32 * 0.6;
        let steps = (self.acc as usize).min(MAX_STEPS);
        self.acc = (self.acc - steps as f32).min(1.0);
        for _ in 0..steps {
            self.step(cols, rows, &sim, &mut rng);
        }
        for (o, &h) in out.value.iter_mut().zip(&self.heat[..cols * rows]) {
            // h^1.5: the glow falls off faster than the heat, so tongues read clearly
            let h = clip01(h);
            *o = h * h.sqrt() * bri;
        }
    }
}

/// Per-frame constants of a fire step.
struct Step {
    fuel: f32,
    cool: f32,
    wind: f32,
}

impl Fire {
    fn init(&mut self, geo: &GridGeom, seed: u64) {
        let (cols, rows) = (geo.cols, geo.rows);
        self.heat.clear();
        self.heat.resize(cols * (rows + SOURCE_ROWS), 0.0);
        // cooling map twice the screen height, wrapping vertically; squared noise gives
        // sparse strong cooling spots between mostly weak cooling
        let sd = seed32(seed, 0x636f_6f6c);
        let fbm = |x: f32, y: f32| {
            (hash_noise(x, y, sd) + 0.5 * hash_noise(2.0 * x + 17.3, 2.0 * y + 5.1, sd)) / 1.5
        };
        self.cool_rows = rows * 2;
        self.cool.clear();
        // about 9 cooling features per screen half-height, whatever the grid density
        let f = 9.0 * inv_norm(geo);
        let period = self.cool_rows as f32 * f * geo.aspect;
        for r in 0..self.cool_rows {
            for c in 0..cols {
                let x = c as f32 * f;
                let y = r as f32 * f * geo.aspect;
                // cross-fade with the map one period further on, so the last row wraps onto
                // the first without a seam
                let w = r as f32 / self.cool_rows as f32;
                let n = fbm(x, y + period) * (1.0 - w) + fbm(x, y) * w;
                self.cool.push(0.1 + 5.0 * n * n * n);
            }
        }
        self.scroll = 0;
        self.acc = 0.0;
    }

    fn step(&mut self, cols: usize, rows: usize, s: &Step, rng: &mut SplitMix) {
        if cols == 0 || rows == 0 {
            return;
        }
        // refuel the hidden rows with flickering heat, low-passed over steps so the base
        // shimmers instead of crackling like static
        for r in rows..rows + SOURCE_ROWS {
            for h in &mut self.heat[r * cols..(r + 1) * cols] {
                *h = 0.6 * *h + 0.4 * clip01(s.fuel * rng.range(0.5, 1.5));
            }
        }
        self.scroll = (self.scroll + 1) % self.cool_rows.max(1);
        for y in 0..rows {
            let shift: i64 = if rng.next_f32() < s.wind.abs() * 0.5 {
                s.wind.signum() as i64
            } else {
                0
            };
            let cy = (y + self.scroll) % self.cool_rows;
            let cool = &self.cool[cy * cols..(cy + 1) * cols];
            let (top, below) = self.heat.split_at_mut((y + 1) * cols);
            let cur = &mut top[y * cols..];
            let (b1, b2) = below.split_at(cols);
            let last = cols as i64 - 1;
            let at = |row: &[f32], x: i64| row[x.clamp(0, last) as usize];
            // clamped edge columns first, then the interior on plain offsets (vectorizes)
            let edge = 2.min(cols);
            for x in (0..edge).chain(cols.saturating_sub(2).max(edge)..cols) {
                let xs = x as i64 + shift;
                let sum = at(b1, xs - 1) + at(b1, xs) + at(b1, xs + 1) + at(b2, xs);
                cur[x] = (sum * 0.25 - s.cool * cool[x]).max(0.0);
            }
            if cols > 4 {
                // interior x in 2..cols-2 reads b1[x+shift-1 ..= x+shift+1] and b2[x+shift]
                let n = cols - 4;
                let o = (2 + shift - 1) as usize;
                let (l, m, r) = (&b1[o..o + n], &b1[o + 1..o + 1 + n], &b1[o + 2..o + 2 + n]);
                let d = &b2[o + 1..o + 1 + n];
                let (cur, cool) = (&mut cur[2..2 + n], &cool[2..2 + n]);
                for i in 0..n {
                    cur[i] = ((l[i] + m[i] + r[i] + d[i]) * 0.25 - s.cool * cool[i]).max(0.0);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use crate::features::Feature;

    fn rows_sum(v: &[f32], cols: usize, r0: usize, r1: usize) -> f32 {
        v[r0 * cols..r1 * cols].iter().sum()
    }

    #[test]
    fn heat_rises_from_the_bottom() {
        let f = render_defaults("fire", 48, 30, 5, &quiet());
        let bottom = rows_sum(&f.value, 48, 24, 30);
        let top = rows_sum(&f.value, 48, 0, 6);
        assert!(
            bottom > 20.0 && top < bottom * 0.2,
            "top {top} bottom {bottom}"
        );
    }

    #[test]
    fn bass_raises_the_flames() {
        let mut loud = quiet();
        loud.set(Feature::Bass, 1.0);
        loud.set(Feature::Rms, 1.0);
        let a = render_defaults("fire", 48, 30, 20, &quiet());
        let b = render_defaults("fire", 48, 30, 20, &loud);
        assert!(rows_sum(&b.value, 48, 0, 20) > 1.5 * rows_sum(&a.value, 48, 0, 20));
    }
}
