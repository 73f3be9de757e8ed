//! Gravity wells: particles fall towards one or more attracting points and respawn at the
//! screen edges when they are swallowed, leave the screen or burn out.

use super::kernel::{Env, Kernel, REACT, SPEED_SIM};
use super::math::{cos, sin};
use super::particles::{Canvas, TRAIL, TRAIL_FADE, Trails};
use super::{FieldBuf, ParamSpec};
use crate::features::Feature;
use crate::grid::GridGeom;
use crate::rng::{SplitMix, hash2, unit};

/// Most wells.
const MAX_WELLS: usize = 6;

#[derive(Clone, Copy)]
struct Grain {
    /// Position in column widths (y aspect-corrected).
    x: f32,
    y: f32,
    /// Velocity in column widths per second.
    vx: f32,
    vy: f32,
    life: f32,
}

/// Particles attracted by wells; bass and beats strengthen the pull, downbeats move the wells.
#[derive(Default)]
pub struct GravityWell {
    grains: Vec<Grain>,
    /// Current well positions (eased towards their targets), column widths.
    wells: [(f32, f32); MAX_WELLS],
    /// Downbeats seen so far: the wells' targets are a pure hash of (seed, well, downbeats).
    beats: u64,
    trails: Trails,
}

/// Where well `k` heads after `beats` beats, as fractions of the screen.
fn target(seed: u64, k: usize, beats: u64) -> (f32, f32) {
    let h = hash2(seed, 0x7765_6c6c ^ k as u64, beats);
    (0.2 + 0.6 * unit(h), 0.2 + 0.6 * unit(h.rotate_left(24)))
}

/// Acceleration (column widths / s²) of a particle at (x, y) from wells at `wells` with pull
/// `g`; `soft²` keeps the force finite at the centre.
#[inline]
fn pull(x: f32, y: f32, wells: &[(f32, f32)], g: f32, soft2: f32) -> (f32, f32) {
    let (mut ax, mut ay) = (0.0, 0.0);
    for &(wx, wy) in wells {
        let (dx, dy) = (wx - x, wy - y);
        let d2 = dx * dx + dy * dy + soft2;
        let inv = 1.0 / (d2 * d2.sqrt());
        ax += g * dx * inv;
        ay += g * dy * inv;
    }
    (ax, ay)
}

impl Kernel for GravityWell {
    const NAME: &'static str = "gravity_well";
    const DOC: &'static str = "particles falling into wells, respawning at the edges; bass and beats strengthen the pull, downbeats move the wells";
    const PARAMS: &'static [ParamSpec] = &[
        SPEED_SIM,
        REACT,
        ParamSpec::new("count", 10.0, 3000.0, 500.0, "number of particles"),
        ParamSpec::new("wells", 1.0, MAX_WELLS as f32, 2.0, "number of wells"),
        ParamSpec::new("strength", 0.0, 4.0, 1.0, "pull of each well"),
        ParamSpec::new(
            "swirl",
            0.0,
            1.0,
            0.5,
            "sideways launch speed: 0 falls straight in, 1 orbits",
        ),
        ParamSpec::new(
            "move",
            0.0,
            1.0,
            1.0,
            "how fast the wells glide to a new place on each downbeat (0 = stay)",
        ),
        ParamSpec::new("bri", 0.0, 2.0, 1.0, "brightness"),
        TRAIL,
        TRAIL_FADE,
    ];
    const STATEFUL: bool = true;
    const CAP: Option<super::ParticleCap> = Some(super::ParticleCap {
        param: "count",
        caps: [200.0, 500.0, 1200.0],
    });

    fn draw(&mut self, geo: &GridGeom, p: &[f32], env: &Env, out: &mut FieldBuf) {
        let count = p[2] as usize;
        let n_wells = (p[3].round() as usize).clamp(1, MAX_WELLS);
        let (strength, swirl, mv, bri) = (p[4], p[5], p[6], p[7]);
        let aspect = geo.aspect.max(0.1);
        let (w, h) = (geo.cols as f32, geo.rows as f32 * aspect);
        let scale = w.min(h);
        if env.fresh {
            self.grains.clear();
            self.beats = 0;
            for k in 0..MAX_WELLS {
                let (tx, ty) = target(env.seed, k, 0);
                self.wells[k] = (tx * w, ty * h);
            }
        }
        // a bar's first beat sends the wells somewhere new (every beat would not give the
        // particles time to gather)
        if env.react > 0.0 && env.feat.get(Feature::Downbeat) >= 0.5 && mv > 0.0 {
            self.beats += 1;
        }
        let dt = env.dt;
        // wells glide to their targets in about a quarter second (`move` slows them)
        let ease = 1.0 - (-dt * 12.0 * mv.max(0.01)).exp();
        for k in 0..n_wells {
            let (tx, ty) = target(env.seed, k, self.beats);
            let (x, y) = &mut self.wells[k];
            *x += (tx * w - *x) * ease;
            *y += (ty * h - *y) * ease;
        }
        let wells = &self.wells[..n_wells];
        // pull in column widths³/s²: a particle a third of the screen away falls in about a second
        let g = strength
            * 0.06
            * scale
            * scale
            * scale
            * (1.0 + 1.5 * env.a(Feature::Bass) + env.a(Feature::BeatDecay));
        let soft2 = (0.04 * scale) * (0.04 * scale);
        let capture2 = (0.015 * scale) * (0.015 * scale);
        let vmax = 1.5 * scale;
        // drag lets particles that miss a well spiral in instead of swinging through forever
        let drag = 0.4f32.powf(dt);

        let mut rng = SplitMix(hash2(env.seed, 0x6772_6176, env.index));
        let respawn = |rng: &mut SplitMix| {
            // a random point on the screen's border, launched sideways around the centre
            let s = rng.range(0.0, 2.0 * (w + h));
            let (x, y) = if s < w {
                (s, 0.0)
            } else if s < w + h {
                (w, s - w)
            } else if s < 2.0 * w + h {
                (s - w - h, h)
            } else {
                (0.0, s - 2.0 * w - h)
            };
            let (dx, dy) = (x - 0.5 * w, y - 0.5 * h);
            let inv = 1.0 / (dx * dx + dy * dy).sqrt().max(1.0);
            let v = swirl * 0.35 * scale * rng.range(0.5, 1.0);
            Grain {
                x,
                y,
                vx: -dy * inv * v,
                vy: dx * inv * v,
                life: rng.range(0.6, 1.0),
            }
        };
        if self.grains.len() > count {
            let extra = self.grains.len() - count;
            self.grains.drain(..extra);
        }
        while self.grains.len() < count {
            // fresh grains start anywhere so the screen is full from the first frame
            let mut g = respawn(&mut rng);
            g.x = rng.range(0.0, w);
            g.y = rng.range(0.0, h);
            self.grains.push(g);
        }
        for s in self.grains.iter_mut() {
            let (ax, ay) = pull(s.x, s.y, wells, g, soft2);
            s.vx = s.vx * drag + ax * dt;
            s.vy = s.vy * drag + ay * dt;
            let sp = (s.vx * s.vx + s.vy * s.vy).sqrt();
            if sp > vmax {
                let k = vmax / sp;
                s.vx *= k;
                s.vy *= k;
            }
            s.x += s.vx * dt;
            s.y += s.vy * dt;
            s.life -= 0.05 * dt;
            let swallowed = wells.iter().any(|&(wx, wy)| {
                let (dx, dy) = (wx - s.x, wy - s.y);
                dx * dx + dy * dy < capture2
            });
            let off = s.x < -2.0 || s.y < -2.0 || s.x > w + 2.0 || s.y > h + 2.0;
            if swallowed || off || s.life <= 0.0 {
                *s = respawn(&mut rng);
            }
        }

        let FieldBuf { value, .. } = out;
        let mut canvas = Canvas {
            value,
            cols: geo.cols,
            rows: geo.rows,
        };
        for s in &self.grains {
            // faster (closer to a well) is brighter
            let sp = (s.vx * s.vx + s.vy * s.vy).sqrt() / vmax;
            canvas.point(
                s.x,
                s.y / aspect,
                (0.35 + 0.65 * sp.min(1.0)) * s.life * bri,
            );
        }
        for &(wx, wy) in wells {
            let pulse = 0.7 + 0.3 * env.a(Feature::BeatDecay);
            canvas.point(wx, wy / aspect, pulse * bri);
            for k in 0..4 {
                let a = k as f32 * std::f32::consts::FRAC_PI_2;
                canvas.point(
                    wx + cos(a),
                    (wy + sin(a) * aspect) / aspect,
                    0.5 * pulse * bri,
                );
            }
        }
        let (trail, fade) = (p[8], p[9]);
        self.trails
            .apply(env.fresh, dt, trail, fade, &mut out.value, None);
    }
}

#[cfg(test)]
mod tests {
    use super::super::kernel::{Env, Kernel};
    use super::*;
    use crate::features::FeatureFrame;

    #[test]
    fn the_pull_points_at_the_well_and_grows_closer() {
        let wells = [(10.0, 10.0)];
        let (ax, ay) = pull(0.0, 10.0, &wells, 1.0, 0.01);
        assert!(ax > 0.0 && ay.abs() < 1e-6);
        let (near, _) = pull(8.0, 10.0, &wells, 1.0, 0.01);
        assert!(near > ax * 10.0);
    }

    /// Grains within `r` column widths of one of the first `n` wells.
    fn near(g: &GravityWell, n: usize, r: f32) -> usize {
        g.grains
            .iter()
            .filter(|s| {
                g.wells[..n]
                    .iter()
                    .any(|&(x, y)| (x - s.x).powi(2) + (y - s.y).powi(2) < r * r)
            })
            .count()
    }

    #[test]
    fn particles_gather_at_the_wells_and_downbeats_move_them() {
        let geo = GridGeom::new(80, 40, 8, 16);
        let mut g = GravityWell::default();
        let mut p: Vec<f32> = GravityWell::PARAMS.iter().map(|s| s.default).collect();
        p[5] = 0.0; // no swirl: straight in
        let quiet = FeatureFrame::uniform(0.0);
        let mut out = FieldBuf::new(geo.len());
        g.draw(&geo, &p, &Env::test(0, quiet), &mut out);
        let start = near(&g, 2, 8.0);
        for i in 1..24 {
            g.draw(&geo, &p, &Env::test(i, quiet), &mut out);
        }
        let end = near(&g, 2, 8.0);
        assert!(end > 2 * start, "grains near the wells: {start} -> {end}");
        assert!(g.grains.len() <= 500);
        let before = g.wells;
        let mut beat = quiet;
        beat.set(Feature::Downbeat, 1.0);
        g.draw(&geo, &p, &Env::test(24, beat), &mut out);
        for i in 25..40 {
            g.draw(&geo, &p, &Env::test(i, quiet), &mut out);
        }
        assert_eq!(g.beats, 1);
        let moved = (before[0].0 - g.wells[0].0).abs() + (before[0].1 - g.wells[0].1).abs();
        assert!(moved > 1.0, "well moved {moved}");
    }
}
