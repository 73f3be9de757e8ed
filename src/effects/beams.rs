//! Light from the screen centre: rays (the reference's `eff_rays`) and a pulsing glow
//! (`eff_glow`). Stateless; distances use `geo.dist_n` so both stay round on every grid.

use std::f32::consts::TAU;

use super::kernel::{Env, Kernel, REACT, SPEED, for_rows};
use super::math::{smoothstep, tri, wave};
use super::{FieldBuf, ParamSpec};
use crate::features::Feature;
use crate::grid::GridGeom;

/// Rays fanning out of the centre.
#[derive(Default)]
pub struct Rays;

/// The ray count: `count` plus up to 8 more from the hi share, whole so the fan closes
/// seamlessly across the ±π cut.
pub fn ray_count(count: f32, hi_r: f32) -> f32 {
    (count + 8.0 * hi_r).round().max(1.0)
}

impl Kernel for Rays {
    const NAME: &'static str = "rays";
    const DOC: &'static str =
        "rays from the centre; the hi share adds rays, beats lengthen and brighten them";
    const PARAMS: &'static [ParamSpec] = &[
        SPEED,
        REACT,
        ParamSpec::new("count", 1.0, 64.0, 8.0, "rays when the hi share is 0"),
        ParamSpec::new("width", 0.05, 0.9, 0.3, "lit fraction of each ray period"),
        ParamSpec::new("spin", -2.0, 2.0, 0.15, "rotation, turns per second"),
        ParamSpec::new(
            "length",
            0.1,
            2.0,
            0.9,
            "reach of the rays (nearer screen edge = 1)",
        ),
        ParamSpec::new("bri", 0.0, 2.0, 1.0, "brightness"),
    ];

    fn draw(&mut self, geo: &GridGeom, p: &[f32], env: &Env, out: &mut FieldBuf) {
        let (width, spin, length, bri) = (p[3], p[4], p[5], p[6]);
        let n = ray_count(p[2], env.a(Feature::HiR));
        let bd = env.a(Feature::BeatDecay);
        let reach = length * (0.6 + 0.5 * bd);
        let gain = bri * (0.55 + 0.45 * bd + 0.2 * env.a(Feature::Rms));
        let rot = env.t * spin;
        let per = n / TAU;
        // rays get slightly wider further out, like light through a slit
        let w = width.clamp(0.02, 1.0);
        for_rows(geo, &mut out.value, |g, row| {
            for (j, o) in row.iter_mut().enumerate() {
                let r = g.dist_n[j];
                let ph = g.angle[j] * per - rot * n;
                let ww = (w * (0.7 + 0.6 * r.min(1.5))).min(1.0);
                let lit = smoothstep(1.0 - ww, 1.0 - ww * 0.4, tri(ph));
                let fade = smoothstep(reach, reach * 0.35, r);
                *o = lit * fade * gain;
            }
        });
    }
}

/// A soft light in the centre that pulses with the beat.
#[derive(Default)]
pub struct Glow {
    /// The falloff by distance, rebuilt each frame (see [`Glow::fill_lut`]).
    lut: Vec<f32>,
}

impl Kernel for Glow {
    const NAME: &'static str = "glow";
    const DOC: &'static str =
        "a soft pulsing light in the centre; beats flash it, bass widens it, rms brightens it";
    const PARAMS: &'static [ParamSpec] = &[
        SPEED,
        REACT,
        ParamSpec::new("radius", 0.05, 2.0, 0.45, "radius (nearer screen edge = 1)"),
        ParamSpec::new(
            "pulse",
            0.0,
            2.0,
            1.0,
            "how much a beat flashes and swells it",
        ),
        ParamSpec::new(
            "softness",
            0.2,
            4.0,
            1.0,
            "edge falloff: low is a hard disc, high a wide haze",
        ),
        ParamSpec::new("bri", 0.0, 2.0, 1.0, "brightness"),
    ];

    fn draw(&mut self, geo: &GridGeom, p: &[f32], env: &Env, out: &mut FieldBuf) {
        let (radius, pulse, soft, bri) = (p[2], p[3], p[4], p[5]);
        let bd = env.a(Feature::BeatDecay) * pulse;
        // a slow breath keeps the glow alive between beats and in silence
        let breath = 0.9 + 0.1 * wave(env.t * 1.7);
        let rad = radius * breath * (1.0 + 0.4 * env.a(Feature::Bass) + 0.35 * bd);
        let gain = bri * (0.6 + 0.3 * env.a(Feature::Rms) + 0.45 * bd);
        // exp(-(r/rad)^(2/soft)) depends on the distance only: tabulate it once per frame
        // and interpolate per cell (soft = 1 is a Gaussian)
        let k = 1.0 / rad.max(1e-3);
        let power = 2.0 / soft;
        let step = self.fill_lut(geo, k, power, gain);
        let (lut, inv) = (&self.lut, 1.0 / step);
        for_rows(geo, &mut out.value, |g, row| {
            for (j, o) in row.iter_mut().enumerate() {
                let x = g.dist_n[j] * inv;
                let i = (x as usize).min(LUT - 2);
                let f = (x - i as f32).min(1.0);
                *o = lut[i] + (lut[i + 1] - lut[i]) * f;
            }
        });
    }
}

/// Entries of the glow's falloff table.
const LUT: usize = 512;

impl Glow {
    /// Tabulate `gain · exp(-(d·k)^power)` for d from 0 to the grid's farthest `dist_n`;
    /// returns the step in d between entries.
    fn fill_lut(&mut self, geo: &GridGeom, k: f32, power: f32, gain: f32) -> f32 {
        // the corners are the farthest cells
        let corner = |i: Option<&f32>| i.copied().unwrap_or(0.0);
        let far = corner(geo.dist_n.first())
            .max(corner(geo.dist_n.last()))
            .max(1e-3);
        let step = far / (LUT - 2) as f32;
        self.lut.clear();
        self.lut.extend((0..LUT).map(|i| {
            let x = i as f32 * step * k;
            gain * (-x.powf(power)).exp()
        }));
        step
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use super::*;
    use crate::features::FeatureFrame;

    /// Rays crossing a circle of radius `r` (nearer edge = 1): lit runs around the circle,
    /// with hysteresis (on above half the ring's brightest, off below a tenth) so cells at a
    /// ray's soft edge do not split it.
    fn runs_on_circle(f: &FieldBuf, geo: &GridGeom, r: f32) -> usize {
        let mut ring: Vec<(f32, f32)> = (0..geo.len())
            .filter(|&i| (geo.dist_n[i] - r).abs() < 0.02)
            .map(|i| (geo.angle[i], f.value[i]))
            .collect();
        ring.sort_by(|a, b| a.0.total_cmp(&b.0));
        let max = ring.iter().fold(0.0f32, |m, x| m.max(x.1));
        // start in a gap so the first ray is counted once
        let start = ring.iter().position(|x| x.1 < 0.1 * max).unwrap();
        let (mut on, mut runs) = (false, 0);
        for k in 0..ring.len() {
            let v = ring[(start + k) % ring.len()].1;
            if !on && v > 0.5 * max {
                on = true;
                runs += 1;
            } else if on && v < 0.1 * max {
                on = false;
            }
        }
        runs
    }

    #[test]
    fn the_ray_count_follows_count_and_the_hi_share() {
        let geo = GridGeom::new(200, 100, 8, 16);
        for n in [3.0, 8.0, 13.0] {
            // react 0: exactly `count` rays
            let f = run("rays", &geo, 0, &[(1, 0.0), (2, n)], |_| (quiet(), vec![]));
            assert_eq!(runs_on_circle(&f[0], &geo, 0.3), n as usize, "count {n}");
        }
        let mut hi = FeatureFrame::uniform(0.0);
        hi.set(Feature::HiR, 0.5);
        let f = run("rays", &geo, 0, &[], move |_| (hi, vec![]));
        assert_eq!(runs_on_circle(&f[0], &geo, 0.3), 12);
        assert_eq!(ray_count(8.0, 0.5), 12.0);
    }

    #[test]
    fn beats_lengthen_the_rays() {
        let reach = |bd: f32| {
            let mut f = FeatureFrame::uniform(0.0);
            f.set(Feature::BeatDecay, bd);
            let out = render_defaults("rays", 120, 60, 0, &f);
            let geo = GridGeom::new(120, 60, 8, 16);
            (0..geo.len())
                .filter(|&i| out.value[i] > 0.05)
                .map(|i| geo.dist_n[i])
                .fold(0.0f32, f32::max)
        };
        assert!(reach(1.0) > reach(0.0) + 0.2);
    }

    #[test]
    fn the_glow_is_brightest_in_the_centre_and_flashes_on_beats() {
        let geo = GridGeom::new(80, 40, 8, 16);
        let mut beat = FeatureFrame::uniform(0.0);
        beat.set(Feature::BeatDecay, 1.0);
        let q = render_defaults("glow", 80, 40, 0, &quiet());
        let b = render_defaults("glow", 80, 40, 0, &beat);
        let centre = 20 * 80 + 40;
        let edge = 20 * 80 + 2;
        assert!(q.value[centre] > q.value[edge] + 0.3);
        assert!(b.value[centre] > q.value[centre]);
        let sum = |f: &FieldBuf| f.value.iter().sum::<f32>();
        assert!(sum(&b) > 1.3 * sum(&q), "a beat swells it");
        assert!((0..geo.len()).all(|i| q.value[i] <= q.value[centre] + 1e-6));
    }
}
