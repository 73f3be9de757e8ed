//! 3-D starfield flying towards the viewer.

use super::kernel::{Env, Kernel, REACT, SPEED_SIM, inv_norm};
use super::particles::{Canvas, TRAIL, TRAIL_FADE, Trails};
use super::{FieldBuf, ParamSpec};
use crate::features::Feature;
use crate::grid::GridGeom;
use crate::rng::{SplitMix, hash2};

/// Nearest depth before a star is recycled.
const Z_NEAR: f32 = 0.03;

#[derive(Clone, Copy, Default)]
struct Star {
    x: f32,
    y: f32,
    z: f32,
}

/// Stars rushing out of the centre with streaks; bass and beats push the warp speed.
#[derive(Default)]
pub struct Starfield {
    stars: Vec<Star>,
    trails: Trails,
}

impl Kernel for Starfield {
    const NAME: &'static str = "starfield";
    const DOC: &'static str =
        "3-D starfield with speed streaks; bass and beats push the warp speed";
    const PARAMS: &'static [ParamSpec] = &[
        SPEED_SIM,
        REACT,
        ParamSpec::new("count", 10.0, 4000.0, 400.0, "number of stars"),
        ParamSpec::new("warp", 0.0, 4.0, 1.0, "forward speed"),
        ParamSpec::new("streak", 0.0, 1.0, 0.6, "length of the speed streaks"),
        ParamSpec::new("bri", 0.0, 2.0, 1.0, "brightness"),
        TRAIL,
        TRAIL_FADE,
    ];
    const STATEFUL: bool = true;
    const CAP: Option<super::ParticleCap> = Some(super::ParticleCap {
        param: "count",
        caps: [300.0, 800.0, 1500.0],
    });

    fn draw(&mut self, geo: &GridGeom, p: &[f32], env: &Env, out: &mut FieldBuf) {
        let count = p[2] as usize;
        let (warp, streak, bri) = (p[3], p[4], p[5]);
        // projection: unit x/z lands at the screen's half-width, y/z at its half-height
        let r = 1.0 / inv_norm(geo);
        let (cx, cy) = ((geo.cols as f32 - 1.0) * 0.5, (geo.rows as f32 - 1.0) * 0.5);
        let xr = geo.cols as f32 * 0.5 / r;
        let yr = geo.rows as f32 * 0.5 * geo.aspect / r;
        let mut rng = SplitMix(hash2(env.seed, 0x7374_6172, env.index));
        let spawn = |rng: &mut SplitMix, z: f32| Star {
            x: rng.range(-xr, xr),
            y: rng.range(-yr, yr),
            z,
        };
        if env.fresh {
            self.stars.clear();
        }
        if self.stars.len() != count {
            let mut init = SplitMix(hash2(env.seed, 0x7374_696e, self.stars.len() as u64));
            self.stars.truncate(count);
            while self.stars.len() < count {
                let z = init.range(Z_NEAR, 1.0);
                self.stars.push(spawn(&mut init, z));
            }
        }
        let vel =
            0.25 * warp * (1.0 + 1.5 * env.a(Feature::Bass) + 1.5 * env.a(Feature::BeatDecay));
        let dz = vel * env.dt;
        let tail = dz * (1.0 + 10.0 * streak);
        let mut canvas = Canvas {
            value: &mut out.value,
            cols: geo.cols,
            rows: geo.rows,
        };
        let project = |s: &Star, z: f32| (cx + s.x / z * r, cy + s.y / z * r / geo.aspect);
        for s in self.stars.iter_mut() {
            s.z -= dz;
            let (x, y) = project(s, s.z.max(Z_NEAR));
            let off = x < -1.0 || y < -1.0 || x > geo.cols as f32 || y > geo.rows as f32;
            if s.z <= Z_NEAR || off {
                let z = rng.range(0.7, 1.0);
                *s = spawn(&mut rng, z);
                continue;
            }
            let b = ((1.0 - s.z) * 1.15).clamp(0.0, 1.0);
            let b = b * b * bri;
            let from = project(s, (s.z + tail).min(1.0));
            canvas.streak(from, (x, y), 0.15 * b, b, 64, |_| {});
        }
        let (trail, fade) = (p[6], p[7]);
        self.trails
            .apply(env.fresh, env.dt, trail, fade, &mut out.value, None);
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;

    #[test]
    fn stars_spread_outward_from_the_centre() {
        let f = render_defaults("starfield", 80, 40, 30, &quiet());
        let lit = f.value.iter().filter(|&&v| v > 0.0).count();
        assert!(lit > 50, "lit {lit}");
        // near stars are bright and near stars are far from the centre
        let (mut near, mut far) = (0.0f32, 0.0f32);
        for (i, &v) in f.value.iter().enumerate() {
            let (c, r) = ((i % 80) as f32 - 39.5, (i / 80) as f32 - 19.5);
            if c.abs() < 12.0 && r.abs() < 6.0 {
                near = near.max(v);
            } else {
                far = far.max(v);
            }
        }
        assert!(far > near, "centre max {near} outer max {far}");
    }
}
