//! Flow-field particles (the reference's `update_flow_particles`): each particle follows the
//! central-difference gradient of a value field, with 0.9 velocity damping per frame, a life
//! drain and a steady emit rate.

use super::kernel::{Env, Kernel, REACT, SPEED_SIM};
use super::math::sin;
use super::noise::{hash_noise, seed32};
use super::particles::{Canvas, TRAIL, TRAIL_FADE, Trails};
use super::{FieldBuf, ParamSpec};
use crate::features::Feature;
use crate::grid::GridGeom;
use crate::rng::{SplitMix, hash2};

/// The value fields a flow can follow, by the `field` parameter's index.
pub const FIELDS: [&str; 3] = ["noise", "plasma", "rings"];

#[derive(Clone, Copy)]
struct Mote {
    /// Position in column widths (y aspect-corrected).
    x: f32,
    y: f32,
    /// Velocity in column widths per second.
    vx: f32,
    vy: f32,
    life: f32,
}

/// The field being followed, at normalized coordinates (nearer screen edge at ±1).
#[derive(Clone, Copy)]
struct Field {
    kind: usize,
    /// Spatial frequency multiplier.
    scale: f32,
    /// Effect time.
    t: f32,
    seeds: (u32, u32),
}

impl Field {
    /// The field's value in [0, 1] at (u, v).
    #[inline]
    fn at(&self, u: f32, v: f32) -> f32 {
        let (s, t) = (self.scale, self.t);
        match self.kind {
            1 => 0.5 + 0.25 * (sin(u * 3.0 * s + t) + sin((v * 2.5 * s - 0.7 * t) + 0.5 * u * s)),
            2 => {
                let r = (u * u + v * v).sqrt();
                0.5 + 0.5 * sin(r * 8.0 * s - 1.5 * t)
            }
            _ => {
                0.67 * hash_noise(
                    u * 2.0 * s + 0.3 * t + 40.0,
                    v * 2.0 * s - 0.2 * t + 40.0,
                    self.seeds.0,
                ) + 0.33
                    * hash_noise(
                        u * 4.0 * s - 0.25 * t + 70.0,
                        v * 4.0 * s + 0.3 * t + 70.0,
                        self.seeds.1,
                    )
            }
        }
    }

    /// Central-difference gradient at (u, v) with step `e` (field units per normalized unit).
    #[inline]
    fn gradient(&self, u: f32, v: f32, e: f32) -> (f32, f32) {
        let k = 0.5 / e;
        (
            (self.at(u + e, v) - self.at(u - e, v)) * k,
            (self.at(u, v + e) - self.at(u, v - e)) * k,
        )
    }
}

/// Particles streaming along a field's gradient; rms and bass speed the flow, beats and onsets
/// emit more.
#[derive(Default)]
pub struct FlowField {
    motes: Vec<Mote>,
    acc: f32,
    trails: Trails,
}

impl Kernel for FlowField {
    const NAME: &'static str = "flow_field";
    const DOC: &'static str = "particles following the gradient of a value field (noise, plasma, rings); rms and bass speed the flow, beats emit more";
    const PARAMS: &'static [ParamSpec] = &[
        SPEED_SIM,
        REACT,
        ParamSpec::new("count", 10.0, 3000.0, 500.0, "most particles alive at once"),
        ParamSpec::new(
            "field",
            0.0,
            2.0,
            0.0,
            "field followed: 0 noise, 1 plasma, 2 rings",
        ),
        ParamSpec::new("scale", 0.2, 6.0, 1.0, "spatial frequency of the field"),
        ParamSpec::new("flow", 0.0, 4.0, 1.0, "flow speed multiplier"),
        ParamSpec::new(
            "swirl",
            0.0,
            1.0,
            0.6,
            "0 climbs the gradient (the reference; particles gather on the peaks), 1 streams along the contours",
        ),
        ParamSpec::new("drain", 0.0, 0.05, 0.005, "life lost per 24-fps frame"),
        ParamSpec::new(
            "emit",
            0.0,
            100.0,
            10.0,
            "particles emitted per 24-fps frame",
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
        let cap = p[2] as usize;
        let (flow, swirl, drain, emit, bri) = (p[5], p[6], p[7], p[8], p[9]);
        let aspect = geo.aspect.max(0.1);
        let (w, h) = (geo.cols as f32, geo.rows as f32 * aspect);
        let half = 0.5 * w.min(h);
        let field = Field {
            kind: (p[3].round() as usize).min(FIELDS.len() - 1),
            scale: p[4],
            t: env.t * 0.5,
            seeds: (seed32(env.seed, 0x666c_6f77), seed32(env.seed, 0x666c_6f78)),
        };
        let mut rng = SplitMix(hash2(env.seed, 0x666c_6f65, env.index));
        let spawn = |rng: &mut SplitMix, life: f32| Mote {
            x: rng.range(0.0, w),
            y: rng.range(0.0, h),
            vx: 0.0,
            vy: 0.0,
            life,
        };
        if env.fresh {
            self.motes.clear();
            self.acc = 0.0;
            let mut init = SplitMix(hash2(env.seed, 0x666c_696e, 0));
            for _ in 0..cap / 2 {
                let life = init.range(0.2, 1.0);
                self.motes.push(spawn(&mut init, life));
            }
        }
        let dt = env.dt;
        let frames = dt * 24.0;
        let drive = flow * (0.6 + 0.8 * env.a(Feature::Rms) + 0.6 * env.a(Feature::Bass));
        let gain = drive * 0.36 * half;
        self.step(&field, geo, gain, swirl, drain, frames, dt);

        let boost = 1.0 + 3.0 * env.a(Feature::BeatDecay) + 2.0 * env.a(Feature::Onset);
        self.acc += emit * boost * frames;
        let born = self.acc as usize;
        self.acc -= born as f32;
        for _ in 0..born.min(cap.saturating_sub(self.motes.len())) {
            self.motes.push(spawn(&mut rng, 1.0));
        }
        if self.motes.len() > cap {
            let extra = self.motes.len() - cap;
            self.motes.drain(..extra);
        }

        let mut canvas = Canvas {
            value: &mut out.value,
            cols: geo.cols,
            rows: geo.rows,
        };
        let vref = 0.3 * half;
        for m in &self.motes {
            let sp = (m.vx * m.vx + m.vy * m.vy).sqrt() / vref;
            // fade in over the first tenth of a life so new particles do not pop
            let born = ((1.0 - m.life) * 10.0).min(1.0);
            let b = m.life * born.max(0.3) * (0.45 + 0.55 * sp.min(1.0));
            canvas.point(m.x, m.y / aspect, b * bri);
        }
        let (trail, fade) = (p[10], p[11]);
        self.trails
            .apply(env.fresh, dt, trail, fade, &mut out.value, None);
    }
}

impl FlowField {
    /// Move every particle one frame: velocity ×0.9 per 24-fps frame plus the (possibly
    /// rotated) gradient, then age; particles that leave the screen or run out of life go.
    #[allow(clippy::too_many_arguments)]
    fn step(
        &mut self,
        field: &Field,
        geo: &GridGeom,
        gain: f32,
        swirl: f32,
        drain: f32,
        frames: f32,
        dt: f32,
    ) {
        let aspect = geo.aspect.max(0.1);
        let (w, h) = (geo.cols as f32, geo.rows as f32 * aspect);
        let inv = 1.0 / (0.5 * w.min(h));
        let (cx, cy) = (0.5 * w, 0.5 * h);
        // one column width, in normalized units
        let e = inv;
        let damp = 0.9f32.powf(frames);
        let (a, b) = (1.0 - swirl, swirl);
        for m in self.motes.iter_mut() {
            let (gx, gy) = field.gradient((m.x - cx) * inv, (m.y - cy) * inv, e);
            // mix the gradient with its perpendicular (the flow along the contours)
            let (fx, fy) = (a * gx - b * gy, a * gy + b * gx);
            m.vx = m.vx * damp + fx * gain * frames;
            m.vy = m.vy * damp + fy * gain * frames;
            m.x += m.vx * dt;
            m.y += m.vy * dt;
            m.life -= drain * frames;
        }
        self.motes
            .retain(|m| m.life > 0.0 && m.x >= 0.0 && m.y >= 0.0 && m.x < w && m.y < h);
    }
}

#[cfg(test)]
mod tests {
    use super::super::kernel::{Env, Kernel};
    use super::*;
    use crate::features::FeatureFrame;

    fn field(kind: usize) -> Field {
        Field {
            kind,
            scale: 1.0,
            t: 0.3,
            seeds: (1, 2),
        }
    }

    #[test]
    fn the_gradient_matches_the_fields_slope() {
        let f = field(2);
        // rings: the value rises where sin(8r - 0.45) rises
        let (gx, gy) = f.gradient(0.1, 0.0, 1e-3);
        let want = 0.5 * 8.0 * (8.0f32 * 0.1 - 0.45).cos();
        assert!(
            (gx - want).abs() < 0.05 && gy.abs() < 0.05,
            "{gx} {gy} vs {want}"
        );
    }

    #[test]
    fn particles_move_along_the_gradient() {
        let geo = GridGeom::new(80, 40, 8, 16);
        for (kind, name) in FIELDS.iter().enumerate() {
            let f = field(kind);
            let mut fl = FlowField::default();
            let mut rng = SplitMix(9);
            for _ in 0..400 {
                fl.motes.push(Mote {
                    x: rng.range(10.0, 70.0),
                    y: rng.range(10.0, 70.0),
                    vx: 0.0,
                    vy: 0.0,
                    life: 1.0,
                });
            }
            let inv = 1.0 / 40.0;
            let value = |fl: &FlowField| {
                fl.motes
                    .iter()
                    .map(|m| f.at((m.x - 40.0) * inv, (m.y - 40.0) * inv))
                    .sum::<f32>()
                    / fl.motes.len() as f32
            };
            // the first step goes along each particle's gradient
            let before: Vec<(f32, f32, (f32, f32))> = fl
                .motes
                .iter()
                .map(|m| {
                    (
                        m.x,
                        m.y,
                        f.gradient((m.x - 40.0) * inv, (m.y - 40.0) * inv, inv),
                    )
                })
                .collect();
            let v0 = value(&fl);
            fl.step(&f, &geo, 5.0, 0.0, 0.0, 1.0, 1.0 / 24.0);
            for (m, (x, y, (gx, gy))) in fl.motes.iter().zip(&before) {
                let (dx, dy) = (m.x - x, m.y - y);
                let (gn, dn) = ((gx * gx + gy * gy).sqrt(), (dx * dx + dy * dy).sqrt());
                if gn > 1e-3 {
                    assert!((dx * gx + dy * gy) / (gn * dn) > 0.999, "{name}");
                }
            }
            for _ in 0..30 {
                fl.step(&f, &geo, 5.0, 0.0, 0.0, 1.0, 1.0 / 24.0);
            }
            assert!(value(&fl) > v0 + 0.05, "{name}: {v0} -> {}", value(&fl));
        }
    }

    #[test]
    fn never_more_than_the_cap_and_drain_kills() {
        let geo = GridGeom::new(60, 30, 8, 16);
        let loud = FeatureFrame::uniform(1.0);
        let mut p: Vec<f32> = FlowField::PARAMS.iter().map(|s| s.default).collect();
        p[2] = 200.0;
        p[8] = 100.0;
        let mut fl = FlowField::default();
        let mut out = FieldBuf::new(geo.len());
        for i in 0..40 {
            fl.draw(&geo, &p, &Env::test(i, loud), &mut out);
            assert!(fl.motes.len() <= 200);
        }
        assert_eq!(fl.motes.len(), 200);
        p[7] = 0.05; // a life of 20 frames, no new ones
        p[8] = 0.0;
        for i in 40..70 {
            fl.draw(&geo, &p, &Env::test(i, loud), &mut out);
        }
        assert!(fl.motes.is_empty());
    }
}
