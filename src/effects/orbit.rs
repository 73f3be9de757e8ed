//! Particles circling one or more centres (the reference's `emit_orbit(n, radius, speed)`).

use std::f32::consts::TAU;

use super::kernel::{Env, Kernel, REACT, SPEED_SIM};
use super::math::{cos, sin};
use super::particles::{Canvas, TRAIL, TRAIL_FADE, Trails};
use super::{FieldBuf, ParamSpec};
use crate::features::Feature;
use crate::grid::GridGeom;
use crate::rng::{SplitMix, hash2};

#[derive(Clone, Copy)]
struct Body {
    /// Phase around its centre (radians), integrated so speed changes never jump.
    phase: f32,
    /// Orbit radius as a fraction of `radius`.
    r: f32,
    /// Ellipse flattening (1 = circle) and tilt of the orbit, radians.
    flat: f32,
    tilt: f32,
    /// Angular speed factor (inner bodies run faster).
    w: f32,
    /// Which centre it circles.
    centre: u32,
}

/// Particles on elliptical orbits around `centres` slowly circling points; bass swells the
/// orbits, rms speeds them, beats kick them outward.
#[derive(Default)]
pub struct Orbit {
    bodies: Vec<Body>,
    /// Rotation of the centres' ring, integrated like the bodies' phases.
    ring: f32,
    trails: Trails,
}

impl Kernel for Orbit {
    const NAME: &'static str = "orbit";
    const DOC: &'static str =
        "particles orbiting centres; bass swells the orbits, rms speeds them, beats kick them out";
    const PARAMS: &'static [ParamSpec] = &[
        SPEED_SIM,
        REACT,
        ParamSpec::new(
            "count",
            1.0,
            3000.0,
            60.0,
            "number of particles (all centres)",
        ),
        ParamSpec::new("centres", 1.0, 8.0, 3.0, "number of orbit centres"),
        ParamSpec::new(
            "radius",
            0.05,
            1.5,
            0.35,
            "orbit radius (nearer screen edge = 1)",
        ),
        ParamSpec::new("spin", -4.0, 4.0, 1.0, "orbit speed, turns per 2π seconds"),
        ParamSpec::new("bri", 0.0, 2.0, 1.0, "brightness"),
        // orbits read best with their trails: on by default, at the reference's 8
        ParamSpec {
            default: 8.0,
            ..TRAIL
        },
        TRAIL_FADE,
    ];
    const STATEFUL: bool = true;
    const CAP: Option<super::ParticleCap> = Some(super::ParticleCap {
        param: "count",
        caps: [200.0, 500.0, 1200.0],
    });

    fn draw(&mut self, geo: &GridGeom, p: &[f32], env: &Env, out: &mut FieldBuf) {
        let count = p[2] as usize;
        let centres = (p[3].round() as usize).max(1);
        let (radius, spin, bri) = (p[4], p[5], p[6]);
        let aspect = geo.aspect.max(0.1);
        let (w, h) = (geo.cols as f32, geo.rows as f32 * aspect);
        let unit = 0.5 * w.min(h);
        if env.fresh {
            self.bodies.clear();
            self.ring = 0.0;
        }
        if self.bodies.len() != count {
            let mut init = SplitMix(hash2(env.seed, 0x6f72_6269, self.bodies.len() as u64));
            self.bodies.truncate(count);
            while self.bodies.len() < count {
                let r = init.range(0.35, 1.0);
                self.bodies.push(Body {
                    phase: init.range(0.0, TAU),
                    r,
                    flat: init.range(0.45, 1.0),
                    tilt: init.range(0.0, TAU),
                    // Kepler-like: inner orbits turn faster
                    w: r.powf(-1.5).min(4.0) * if init.next_f32() < 0.15 { -1.0 } else { 1.0 },
                    centre: init.next_u64() as u32,
                });
            }
        }
        let dt = env.dt;
        let pace = spin * (1.0 + env.a(Feature::Rms));
        for b in self.bodies.iter_mut() {
            b.phase = (b.phase + pace * b.w * dt).rem_euclid(TAU);
        }
        self.ring = (self.ring + 0.15 * dt).rem_euclid(TAU);
        let swell = radius * unit * (1.0 + 0.5 * env.a(Feature::Bass));
        let kick = 1.0 + 0.4 * env.a(Feature::BeatDecay);
        let spread = if centres > 1 { 0.5 * unit } else { 0.0 };
        let orbit = swell * if centres > 1 { 0.55 } else { 1.0 };

        let mut canvas = Canvas {
            value: &mut out.value,
            cols: geo.cols,
            rows: geo.rows,
        };
        for b in &self.bodies {
            let k = b.centre as usize % centres;
            let a = self.ring + TAU * k as f32 / centres as f32;
            let (ox, oy) = (0.5 * w + spread * cos(a), 0.5 * h + spread * sin(a));
            let (ex, ey) = (
                cos(b.phase) * b.r * kick,
                sin(b.phase) * b.r * b.flat * kick,
            );
            let (ct, st) = (cos(b.tilt), sin(b.tilt));
            let x = ox + orbit * (ex * ct - ey * st);
            let y = oy + orbit * (ex * st + ey * ct);
            // the far side of a flattened orbit is dimmer, as if seen at an angle
            let depth = 0.65 + 0.35 * sin(b.phase);
            canvas.point(x, y / aspect, depth * bri);
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
    fn particles_stay_on_rings_around_the_centre() {
        // one centre, no trail: every lit cell lies within the orbit radius band
        let f = render_params("orbit", 80, 40, 20, &quiet(), &[(3, 1.0), (7, 0.0)]);
        let lit: Vec<usize> = (0..f.value.len()).filter(|&i| f.value[i] > 0.0).collect();
        assert!(lit.len() > 20, "lit {}", lit.len());
        // radius 0.35 of the half-height (20 rows × aspect 2 = 40 widths) = 14 widths
        for &i in &lit {
            let (x, y) = ((i % 80) as f32 - 39.5, ((i / 80) as f32 - 19.5) * 2.0);
            let d = (x * x + y * y).sqrt();
            assert!(d < 14.0 * 1.05 + 2.5, "cell at distance {d}");
        }
    }

    #[test]
    fn trails_lengthen_the_picture() {
        let geo = GridGeom::new(60, 30, 8, 16);
        let lit = |trail: f32| {
            let f = run("orbit", &geo, 24, &[(7, trail)], |_| (quiet(), Vec::new()));
            f[24].value.iter().filter(|&&v| v > 0.0).count()
        };
        assert!(2 * lit(8.0) > 3 * lit(0.0), "{} vs {}", lit(8.0), lit(0.0));
    }
}
