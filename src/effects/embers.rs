//! Rising embers: sparks born at the bottom edge that drift up, wander and burn out.

use super::kernel::{Env, Kernel, REACT, SPEED_SIM};
use super::math::sin;
use super::particles::{Canvas, TRAIL, TRAIL_FADE, Trails};
use super::{FieldBuf, ParamSpec};
use crate::features::Feature;
use crate::grid::GridGeom;
use crate::rng::{SplitMix, hash2};

#[derive(Clone, Copy)]
struct Ember {
    /// Position in columns / rows.
    x: f32,
    y: f32,
    /// Velocity in columns / rows per second.
    vx: f32,
    vy: f32,
    life: f32,
    /// Life lost per second.
    decay: f32,
    /// Flicker phase (radians), so each ember twinkles smoothly on its own beat.
    phase: f32,
}

/// Sparks rising from the bottom; loudness, bass and beats raise the spawn rate.
#[derive(Default)]
pub struct Embers {
    parts: Vec<Ember>,
    acc: f32,
    trails: Trails,
}

impl Kernel for Embers {
    const NAME: &'static str = "embers";
    const DOC: &'static str =
        "sparks rising from the bottom; rms, bass and beats raise the spawn rate";
    const PARAMS: &'static [ParamSpec] = &[
        SPEED_SIM,
        REACT,
        ParamSpec::new("count", 10.0, 3000.0, 800.0, "most embers alive at once"),
        ParamSpec::new("rate", 0.0, 3.0, 1.0, "spawn rate multiplier"),
        ParamSpec::new("rise", 0.1, 3.0, 1.0, "rising speed multiplier"),
        ParamSpec::new("jitter", 0.0, 2.0, 1.0, "sideways wander"),
        ParamSpec::new("bri", 0.0, 2.0, 1.0, "brightness"),
        TRAIL,
        TRAIL_FADE,
    ];
    const STATEFUL: bool = true;
    const CAP: Option<super::ParticleCap> = Some(super::ParticleCap {
        param: "count",
        caps: [500.0, 1500.0, 3000.0],
    });

    fn draw(&mut self, geo: &GridGeom, p: &[f32], env: &Env, out: &mut FieldBuf) {
        let cap = p[2] as usize;
        let (rate, rise, jitter, bri) = (p[3], p[4], p[5], p[6]);
        let (cols, rows) = (geo.cols as f32, geo.rows as f32);
        // horizontal speeds are in columns; cells are `aspect` times taller than wide
        let hscale = rows * geo.aspect;
        let mut rng = SplitMix(hash2(env.seed, 0x656d_6272, env.index));
        let spawn = |rng: &mut SplitMix, y: f32, life: f32| Ember {
            x: rng.range(0.0, cols),
            y,
            vx: rng.range(-0.08, 0.08) * hscale,
            vy: -rng.range(0.2, 0.7) * rows * rise,
            life,
            decay: rng.range(0.25, 0.5),
            phase: rng.range(0.0, std::f32::consts::TAU),
        };
        if env.fresh {
            self.parts.clear();
            self.acc = 0.0;
            let mut init = SplitMix(hash2(env.seed, 0x656d_696e, 0));
            for _ in 0..cap / 3 {
                let (y, life) = (init.range(0.0, rows), init.range(0.2, 1.0));
                self.parts.push(spawn(&mut init, y, life));
            }
        }

        let dt = env.dt;
        let drag = 0.5f32.powf(dt * 2.0);
        for e in self.parts.iter_mut() {
            e.vx = e.vx * drag + jitter * rng.range(-1.0, 1.0) * hscale * 0.8 * dt;
            e.x += e.vx * dt;
            e.y += e.vy * dt;
            e.life -= e.decay * dt;
            e.phase += dt * 11.0;
        }
        self.parts
            .retain(|e| e.life > 0.0 && e.y > -1.0 && e.x > -1.0 && e.x < cols + 1.0);

        let drive = 0.35
            + 0.8 * env.a(Feature::Rms)
            + 0.6 * env.a(Feature::Bass)
            + 0.5 * env.a(Feature::BeatDecay);
        self.acc += rate * cap as f32 * 0.3 * drive * dt;
        let born = self.acc as usize;
        self.acc -= born as f32;
        for _ in 0..born.min(cap.saturating_sub(self.parts.len())) {
            let y = rows - rng.range(0.0, 1.0);
            self.parts.push(spawn(&mut rng, y, 1.0));
        }

        let mut canvas = Canvas {
            value: &mut out.value,
            cols: geo.cols,
            rows: geo.rows,
        };
        for e in &self.parts {
            let flicker = 0.85 + 0.15 * sin(e.phase);
            let b = e.life * e.life.sqrt() * flicker * bri;
            canvas.point(e.x, e.y, b);
            canvas.point(e.x, e.y + 1.0, 0.35 * b);
        }
        let (trail, fade) = (p[7], p[8]);
        self.trails
            .apply(env.fresh, dt, trail, fade, &mut out.value, None);
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use crate::features::Feature;

    #[test]
    fn loud_music_spawns_more_embers() {
        let mut loud = quiet();
        loud.set(Feature::Rms, 1.0);
        loud.set(Feature::Bass, 1.0);
        let lit = |f: &crate::features::FeatureFrame| {
            let out = render_defaults("embers", 60, 30, 48, f);
            out.value.iter().filter(|&&v| v > 0.0).count()
        };
        assert!(lit(&loud) > lit(&quiet()));
    }
}
