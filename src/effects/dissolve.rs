//! A dissolving cloud: a soft blob of particles that drifts upward and fades away, each
//! particle faster the older it gets, while the music feeds new particles into the cloud.

use super::kernel::{Env, Kernel, REACT, SPEED_SIM};
use super::particles::{Canvas, TRAIL, TRAIL_FADE, Trails};
use super::{FieldBuf, ParamSpec};
use crate::features::Feature;
use crate::grid::GridGeom;
use crate::rng::{SplitMix, hash2};

#[derive(Clone, Copy)]
struct Mote {
    /// Position in column widths from the left / top edge (y aspect-corrected).
    x: f32,
    y: f32,
    /// Velocity in column widths per second.
    vx: f32,
    vy: f32,
    life: f32,
    /// Age in 24-fps frames of effect time (the reference's `elapsed`).
    age: f32,
}

/// The reference's `life −= 0.002·(1 + 0.05·elapsed)` per frame: the fade accelerates.
#[inline]
fn drain(fade: f32, age: f32, frames: f32) -> f32 {
    fade * (1.0 + 0.05 * age) * frames
}

/// A cloud of `count` particles that dissolves upward; rms and bass feed it, beats puff it.
#[derive(Default)]
pub struct Dissolve {
    motes: Vec<Mote>,
    acc: f32,
    trails: Trails,
}

impl Kernel for Dissolve {
    const NAME: &'static str = "dissolve";
    const DOC: &'static str = "a particle cloud drifting up and fading ever faster; rms and bass refill it, beats puff it out";
    const PARAMS: &'static [ParamSpec] = &[
        SPEED_SIM,
        REACT,
        ParamSpec::new("count", 10.0, 3000.0, 600.0, "most particles in the cloud"),
        ParamSpec::new(
            "size",
            0.05,
            1.5,
            0.45,
            "cloud radius (nearer screen edge = 1)",
        ),
        ParamSpec::new("rise", 0.0, 4.0, 1.0, "upward drift multiplier (slow at 1)"),
        ParamSpec::new(
            "fade",
            0.0005,
            0.02,
            0.002,
            "life lost per 24-fps frame at birth (grows 5% a frame)",
        ),
        ParamSpec::new("refill", 0.0, 3.0, 1.0, "rate new particles join the cloud"),
        ParamSpec::new("bri", 0.0, 2.0, 1.0, "brightness"),
        TRAIL,
        TRAIL_FADE,
    ];
    const STATEFUL: bool = true;
    const CAP: Option<super::ParticleCap> = Some(super::ParticleCap {
        param: "count",
        caps: [200.0, 600.0, 1200.0],
    });

    fn draw(&mut self, geo: &GridGeom, p: &[f32], env: &Env, out: &mut FieldBuf) {
        let cap = p[2] as usize;
        let (size, rise, fade, refill, bri) = (p[3], p[4], p[5], p[6], p[7]);
        let aspect = geo.aspect.max(0.1);
        let (w, h) = (geo.cols as f32, geo.rows as f32 * aspect);
        let radius = size * 0.5 * w.min(h);
        let (cx, cy) = (0.5 * w, 0.55 * h);
        let spawn = |rng: &mut SplitMix| {
            // sum of three uniforms: a cheap bell-shaped blob
            let g = |rng: &mut SplitMix| {
                (rng.next_f32() + rng.next_f32() + rng.next_f32() - 1.5) * (2.0 / 1.5)
            };
            Mote {
                x: cx + g(rng) * radius,
                y: cy + g(rng) * radius * 0.8,
                vx: 0.0,
                vy: 0.0,
                life: rng.range(0.75, 1.0),
                age: 0.0,
            }
        };
        if env.fresh {
            self.motes.clear();
            self.acc = 0.0;
            let mut init = SplitMix(hash2(env.seed, 0x6469_7373, 0));
            for _ in 0..cap {
                let m = spawn(&mut init);
                self.motes.push(m);
            }
        }
        let mut rng = SplitMix(hash2(env.seed, 0x6469_736f, env.index));
        let dt = env.dt;
        let frames = dt * 24.0;
        // slow rise: about a tenth of the screen per second, faster with loudness
        let lift = 0.1 * h * rise * (1.0 + env.a(Feature::Rms));
        let damp = 0.6f32.powf(dt);
        let puff = if env.beat() {
            0.25 * radius * (1.0 + env.a(Feature::Bass))
        } else {
            0.0
        };
        for m in self.motes.iter_mut() {
            let (jx, jy) = (rng.range(-1.0, 1.0), rng.range(-1.0, 1.0));
            m.vx = m.vx * damp + jx * 0.6 * radius * dt;
            m.vy = m.vy * damp + (jy * 0.3 * radius - lift) * dt;
            if puff > 0.0 {
                let (dx, dy) = (m.x - cx, m.y - cy);
                let inv = 1.0 / (dx * dx + dy * dy).sqrt().max(0.5);
                m.vx += puff * dx * inv;
                m.vy += puff * dy * inv;
            }
            m.x += m.vx * dt;
            m.y += m.vy * dt;
            m.life -= drain(fade, m.age, frames);
            m.age += frames;
        }
        self.motes.retain(|m| m.life > 0.0 && m.y > -1.0);

        let feed = 0.3 + env.a(Feature::Rms) + 0.5 * env.a(Feature::Bass);
        // at refill 1 and full feed the cloud renews about once every 4 s
        self.acc += refill * cap as f32 * 0.25 * feed * dt;
        let born = self.acc as usize;
        self.acc -= born as f32;
        for _ in 0..born.min(cap.saturating_sub(self.motes.len())) {
            let m = spawn(&mut rng);
            self.motes.push(m);
        }
        // a lowered cap (quality tier, modulation) keeps the newest particles
        if self.motes.len() > cap {
            let extra = self.motes.len() - cap;
            self.motes.drain(..extra);
        }

        let mut canvas = Canvas {
            value: &mut out.value,
            cols: geo.cols,
            rows: geo.rows,
        };
        for m in &self.motes {
            canvas.point(m.x, m.y / aspect, m.life * m.life * bri);
        }
        let (trail, tfade) = (p[8], p[9]);
        self.trails
            .apply(env.fresh, dt, trail, tfade, &mut out.value, None);
    }
}

#[cfg(test)]
mod tests {
    use super::super::ParticleTier;
    use super::super::kernel::Kernel;
    use super::super::testutil::*;
    use super::*;

    #[test]
    fn the_fade_accelerates_with_age() {
        let young = drain(0.002, 0.0, 1.0);
        let old = drain(0.002, 100.0, 1.0);
        assert!((young - 0.002).abs() < 1e-9);
        assert!((old - 0.002 * 6.0).abs() < 1e-7);
    }

    #[test]
    fn the_cloud_never_exceeds_the_tier_cap() {
        let caps = Dissolve::CAP.unwrap();
        assert_eq!(caps.caps, [200.0, 600.0, 1200.0]);
        let geo = GridGeom::new(60, 30, 8, 16);
        let loud = crate::features::FeatureFrame::uniform(1.0);
        for tier in [
            ParticleTier::Low,
            ParticleTier::Standard,
            ParticleTier::High,
        ] {
            let mut d = Dissolve::default();
            let mut p: Vec<f32> = Dissolve::PARAMS.iter().map(|s| s.default).collect();
            p[2] = caps.at(tier);
            p[6] = 3.0; // fastest refill
            for i in 0..120 {
                // the cap drops mid-run (a lower tier): the newest particles stay
                if i == 60 {
                    p[2] = caps.caps[0];
                }
                let mut out = FieldBuf::new(geo.len());
                d.draw(&geo, &p, &Env::test(i, loud), &mut out);
                assert!(d.motes.len() <= p[2] as usize, "{tier:?} frame {i}");
            }
        }
    }

    #[test]
    fn the_cloud_rises_and_fades() {
        let geo = GridGeom::new(60, 30, 8, 16);
        let frames = run("dissolve", &geo, 48, &[], |_| (quiet(), Vec::new()));
        let centroid = |f: &FieldBuf| {
            let (mut s, mut w) = (0.0, 0.0);
            for (i, &v) in f.value.iter().enumerate() {
                s += (i / 60) as f32 * v;
                w += v;
            }
            s / w.max(1e-6)
        };
        assert!(
            centroid(&frames[48]) < centroid(&frames[1]) - 1.0,
            "drifts up"
        );
        let lit = |f: &FieldBuf| f.value.iter().sum::<f32>();
        assert!(lit(&frames[48]) < lit(&frames[1]), "fades");
    }
}
