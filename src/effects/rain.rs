//! Matrix digital rain.

use super::kernel::{Env, Kernel, REACT, SPEED_SIM};
use super::{FieldBuf, ParamSpec};
use crate::features::Feature;
use crate::grid::GridGeom;
use crate::rng::{SplitMix, hash2};

/// One falling drop per column.
#[derive(Clone, Copy, Default)]
struct Drop {
    /// Head row (fractional; negative while waiting above the screen).
    head: f32,
    /// Base speed in screen heights per second.
    speed: f32,
    /// Trail length in cells.
    trail: f32,
}

/// Falling glyph columns with bright heads and fading trails.
///
/// Writes `pick` (a per-cell random glyph that is re-rolled now and then, and every frame at
/// the head) and leaves `hue` NaN, so the layer colours it (green in the classic look).
#[derive(Default)]
pub struct MatrixRain {
    drops: Vec<Drop>,
    glyph: Vec<f32>,
}

impl Kernel for MatrixRain {
    const NAME: &'static str = "matrix_rain";
    const DOC: &'static str = "falling glyph columns; bass, sub share and beats speed the rain";
    const PARAMS: &'static [ParamSpec] = &[
        SPEED_SIM,
        REACT,
        ParamSpec::new(
            "density",
            0.05,
            1.0,
            0.7,
            "how soon a column starts its next drop",
        ),
        ParamSpec::new("trail", 0.2, 3.0, 1.0, "trail length multiplier"),
        ParamSpec::new(
            "change",
            0.0,
            0.5,
            0.03,
            "fraction of glyphs re-rolled per frame",
        ),
        ParamSpec::new("bri", 0.0, 2.0, 1.0, "brightness"),
    ];
    const STATEFUL: bool = true;
    const WRITES_HUE_PICK: bool = true;

    fn draw(&mut self, geo: &GridGeom, p: &[f32], env: &Env, out: &mut FieldBuf) {
        let (density, trail_k, change, bri) = (p[2], p[3], p[4], p[5]);
        let (cols, rows) = (geo.cols, geo.rows);
        let rows_f = rows as f32;
        let mut rng = SplitMix(hash2(env.seed, 0x7261_696e, env.index));
        let spawn = |rng: &mut SplitMix, d: &mut Drop| {
            d.speed = rng.range(0.25, 1.2);
            // trails scale with the grid so the look is the same on every density
            d.trail = (rng.range(8.0, 40.0) * rows_f / 56.0 * trail_k).max(2.0);
        };
        if env.fresh {
            let mut init = SplitMix(hash2(env.seed, 0x696e_6974, 0));
            self.drops.clear();
            for _ in 0..cols {
                let mut d = Drop::default();
                spawn(&mut init, &mut d);
                d.head = init.range(-0.5 * rows_f, rows_f + d.trail);
                self.drops.push(d);
            }
            self.glyph.clear();
            self.glyph.extend((0..geo.len()).map(|_| init.next_f32()));
        }

        let mult = (0.6 + env.a(Feature::Bass) * 1.2 + env.a(Feature::SubR))
            * (1.0 + env.a(Feature::BeatDecay));
        let step = env.dt * mult * rows_f;
        let wait = (1.6 - density) * rows_f;
        for d in self.drops.iter_mut() {
            d.head += d.speed * step;
            if d.head - d.trail > rows_f {
                spawn(&mut rng, d);
                d.head = -rng.range(0.0, wait);
            }
        }

        let n = self.glyph.len();
        let rerolls = (change * n as f32) as usize;
        for _ in 0..rerolls {
            let i = (rng.next_u64() % n as u64) as usize;
            self.glyph[i] = rng.next_f32();
        }

        for (c, d) in self.drops.iter().enumerate() {
            let head = d.head.floor() as i64;
            let len = d.trail.ceil() as i64;
            for k in 0..len {
                let r = head - k;
                if r < 0 || r >= rows as i64 {
                    continue;
                }
                let i = r as usize * cols + c;
                let v = if k == 0 {
                    // the head flickers through glyphs as it falls
                    self.glyph[i] = rng.next_f32();
                    1.0
                } else {
                    // (1 - k/trail)^1.5 without a libm call
                    let f = (1.0 - k as f32 / d.trail).max(0.0);
                    0.8 * f * f.sqrt()
                };
                out.value[i] = v * bri;
                out.pick[i] = self.glyph[i];
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use crate::grid::GridGeom;

    fn head_rows(v: &[f32], cols: usize, rows: usize) -> Vec<Option<usize>> {
        (0..cols)
            .map(|c| (0..rows).find(|&r| v[r * cols + c] >= 0.999))
            .collect()
    }

    #[test]
    fn heads_move_down_over_frames() {
        let geo = GridGeom::new(40, 30, 8, 16);
        let frames = run("matrix_rain", &geo, 12, &[], synthetic);
        let (mut down, mut up) = (0, 0);
        for w in frames.windows(2) {
            let a = head_rows(&w[0].value, 40, 30);
            let b = head_rows(&w[1].value, 40, 30);
            for (x, y) in a.iter().zip(&b) {
                if let (Some(x), Some(y)) = (x, y) {
                    match y.cmp(x) {
                        std::cmp::Ordering::Greater => down += 1,
                        std::cmp::Ordering::Less => up += 1,
                        _ => {}
                    }
                }
            }
        }
        assert!(down > 20 && up * 10 < down, "down {down} up {up}");
    }

    #[test]
    fn lit_cells_pick_glyphs_and_trails_fade() {
        let f = render_defaults("matrix_rain", 40, 30, 5, &quiet());
        for (v, p) in f.value.iter().zip(&f.pick) {
            assert_eq!(*v > 0.0, *p >= 0.0);
        }
        assert!(f.hue.iter().all(|h| h.is_nan()));
        let mid = f.value.iter().filter(|&&v| v > 0.0 && v < 0.5).count();
        assert!(mid > 0, "trails fade below the head");
    }
}
