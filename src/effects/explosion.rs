//! Particle bursts on beats: sparks fly out, slow down, fall and burn out.

use std::f32::consts::TAU;

use super::kernel::{Env, Kernel, REACT, SPEED_SIM};
use super::math::{cos, sin};
use super::particles::{Canvas, TRAIL, TRAIL_FADE, Trails};
use super::{FieldBuf, ParamSpec};
use crate::features::Feature;
use crate::grid::GridGeom;
use crate::rng::{SplitMix, hash2};

#[derive(Clone, Copy)]
struct Spark {
    /// Position in columns / rows.
    x: f32,
    y: f32,
    /// Velocity in columns / rows per second.
    vx: f32,
    vy: f32,
    life: f32,
}

/// Bursts of sparks on every beat (none when `react` is 0); loudness adds sparks, the sub
/// share adds speed.
#[derive(Default)]
pub struct Explosion {
    parts: Vec<Spark>,
    trails: Trails,
}

impl Kernel for Explosion {
    const NAME: &'static str = "explosion";
    const DOC: &'static str = "spark bursts on beats; rms adds sparks, sub share adds speed";
    const PARAMS: &'static [ParamSpec] = &[
        SPEED_SIM,
        REACT,
        ParamSpec::new("count", 10.0, 1000.0, 80.0, "sparks per burst (quiet)"),
        ParamSpec::new("power", 0.1, 4.0, 1.0, "launch speed multiplier"),
        ParamSpec::new("gravity", 0.0, 4.0, 1.0, "downward pull"),
        ParamSpec::new("max", 100.0, 6000.0, 2500.0, "most sparks alive at once"),
        ParamSpec::new("bri", 0.0, 2.0, 1.0, "brightness"),
        TRAIL,
        TRAIL_FADE,
    ];
    const STATEFUL: bool = true;
    const CAP: Option<super::ParticleCap> = Some(super::ParticleCap {
        param: "max",
        caps: [300.0, 1000.0, 2500.0],
    });

    fn draw(&mut self, geo: &GridGeom, p: &[f32], env: &Env, out: &mut FieldBuf) {
        let (count, power, gravity, bri) = (p[2], p[3], p[4], p[6]);
        let cap = p[5] as usize;
        let (cols, rows) = (geo.cols as f32, geo.rows as f32);
        let aspect = geo.aspect.max(0.1);
        if env.fresh {
            self.parts.clear();
        }
        let dt = env.dt;
        // per-frame drag of the reference (×0.96 at 24 fps), as a rate
        let drag = 0.96f32.powf(dt * 24.0);
        let g = gravity * rows * 0.8;
        for s in self.parts.iter_mut() {
            s.vx *= drag;
            s.vy = s.vy * drag + g * dt;
            s.x += s.vx * dt;
            s.y += s.vy * dt;
            s.life -= 0.36 * dt;
        }
        self.parts
            .retain(|s| s.life > 0.0 && s.y < rows + 1.0 && s.x > -1.0 && s.x < cols + 1.0);

        if env.beat() && dt > 0.0 {
            let mut rng = SplitMix(hash2(env.seed, 0x626f_6f6d, env.index));
            let n = (count * (1.0 + 1.9 * env.a(Feature::Rms))) as usize;
            let (ox, oy) = (rng.range(0.2, 0.8) * cols, rng.range(0.2, 0.65) * rows);
            let boost = power * (0.5 + 2.0 * env.a(Feature::SubR));
            for _ in 0..n.min(cap.saturating_sub(self.parts.len())) {
                let ang = rng.range(0.0, TAU);
                // physical speed in column widths per second; rows are `aspect` widths tall
                let v = rng.range(0.1, 0.9) * cols * boost;
                self.parts.push(Spark {
                    x: ox,
                    y: oy,
                    vx: v * cos(ang),
                    vy: v * sin(ang) / aspect,
                    life: rng.range(0.7, 1.0),
                });
            }
        }

        let mut canvas = Canvas {
            value: &mut out.value,
            cols: geo.cols,
            rows: geo.rows,
        };
        // each spark leaves a streak covering the last ~2 frames of motion
        let back = 2.0 * dt;
        for s in &self.parts {
            let b = s.life * s.life * bri;
            let from = (s.x - s.vx * back, s.y - s.vy * back);
            canvas.streak(from, (s.x, s.y), 0.2 * b, b, 16, |_| {});
        }
        let (trail, fade) = (p[7], p[8]);
        self.trails
            .apply(env.fresh, dt, trail, fade, &mut out.value, None);
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use crate::grid::GridGeom;

    #[test]
    fn bursts_on_beats_then_spread_and_fade() {
        let geo = GridGeom::new(80, 40, 8, 16);
        // synthetic features beat on frame 0 and every 12 frames
        let frames = run("explosion", &geo, 11, &[], synthetic);
        let lit = |f: &super::FieldBuf| f.value.iter().filter(|&&v| v > 0.0).count();
        assert!(lit(&frames[1]) > 0);
        let bright = |f: &super::FieldBuf| f.value.iter().sum::<f32>() / lit(f).max(1) as f32;
        assert!(bright(&frames[11]) < bright(&frames[1]), "sparks burn out");
    }

    #[test]
    fn no_beats_no_sparks() {
        let f = render_defaults("explosion", 40, 20, 20, &quiet());
        assert!(f.value.iter().all(|&v| v == 0.0));
    }
}
