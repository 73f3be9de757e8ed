//! Stateless fields around the screen centre: rings, spiral, tunnel, vortex, ripple.
//!
//! They use `geo.dist_n` (nearer edge at 1) and `geo.angle`, so a circle is round and covers
//! the same part of the screen on every grid.

use std::f32::consts::{PI, TAU};

use super::kernel::{Env, Kernel, REACT, SPEED, for_rows, inv_norm};
use super::math::{cos, exp, ln, sin, smoothstep, tri, wave};
use super::{FieldBuf, ParamSpec};
use crate::features::Feature;
use crate::grid::GridGeom;
use crate::rng::{hash2, unit};

/// Brightness profile of a periodic band: 1 in the middle of the band, 0 outside, with a soft
/// edge. `phase` is in periods; `width` is the lit fraction of a period.
#[inline(always)]
fn band(phase: f32, width: f32) -> f32 {
    let w = width.clamp(0.02, 1.0);
    smoothstep(1.0 - w, 1.0 - w * 0.35, tri(phase))
}

/// Concentric rings moving outward.
#[derive(Default)]
pub struct Rings;

impl Kernel for Rings {
    const NAME: &'static str = "rings";
    const DOC: &'static str =
        "concentric rings: sub/bass add rings, beats push them out, mid wobbles them";
    const PARAMS: &'static [ParamSpec] = &[
        SPEED,
        REACT,
        ParamSpec::new("count", 1.0, 40.0, 6.0, "rings per screen half-height"),
        ParamSpec::new(
            "thickness",
            0.05,
            1.0,
            0.35,
            "lit fraction of each ring period",
        ),
        ParamSpec::new("wobble", 0.0, 1.0, 0.3, "angular wobble of the rings"),
        ParamSpec::new("bri", 0.0, 2.0, 1.0, "brightness"),
    ];

    fn draw(&mut self, geo: &GridGeom, p: &[f32], env: &Env, out: &mut FieldBuf) {
        let (count, thick, wobble, bri) = (p[2], p[3], p[4], p[5]);
        let t = env.t;
        let count = count + 4.0 * env.a(Feature::SubR) + 2.0 * env.a(Feature::Bass);
        let thick = thick * (1.0 + env.a(Feature::Sub));
        let push = 0.25 * env.a(Feature::BeatDecay);
        let wob = wobble * 0.06 * (1.0 + 2.0 * env.a(Feature::MidR));
        let gain = bri * (0.7 + 0.5 * env.a(Feature::Rms));
        for_rows(geo, &mut out.value, |g, row| {
            for (j, o) in row.iter_mut().enumerate() {
                let a = g.angle[j];
                let r = g.dist_n[j] + wob * sin(a * 5.0 + t * 1.3) * sin(a * 3.0 - t * 0.7);
                let phase = (r - push) * count - t * 0.5;
                let fade = (1.15 - 0.3 * r).clamp(0.2, 1.0);
                *o = band(phase, thick) * fade * gain;
            }
        });
    }
}

/// Logarithmic spiral arms turning around the centre.
#[derive(Default)]
pub struct Spiral;

impl Kernel for Spiral {
    const NAME: &'static str = "spiral";
    const DOC: &'static str = "logarithmic spiral arms; rms brightens, bass thickens the arms";
    const PARAMS: &'static [ParamSpec] = &[
        SPEED,
        REACT,
        ParamSpec::new("arms", 1.0, 12.0, 3.0, "number of arms"),
        ParamSpec::new("tightness", 0.1, 10.0, 2.5, "windings per e-fold of radius"),
        ParamSpec::new(
            "thickness",
            0.05,
            1.0,
            0.5,
            "lit fraction of each arm period",
        ),
        ParamSpec::new("bri", 0.0, 2.0, 1.0, "brightness"),
    ];

    fn draw(&mut self, geo: &GridGeom, p: &[f32], env: &Env, out: &mut FieldBuf) {
        let arms = p[2].round().max(1.0);
        let (tight, thick, bri) = (p[3], p[4], p[5]);
        let t = env.t;
        let thick = thick * (1.0 + 0.5 * env.a(Feature::Bass));
        let gain = bri * (0.4 + 0.6 * (0.5 + env.a(Feature::Rms)).min(1.5));
        let per_rad = arms / TAU;
        for_rows(geo, &mut out.value, |g, row| {
            for (j, o) in row.iter_mut().enumerate() {
                let r = g.dist_n[j];
                let phase = g.angle[j] * per_rad + tight * ln(r + 0.02) - t * 0.5;
                // windings crowd together at the centre; fading there hides the aliasing
                let centre = smoothstep(0.02, 0.3, r);
                *o = band(phase, thick) * centre * gain;
            }
        });
    }
}

/// Flight through a checkered tunnel.
#[derive(Default)]
pub struct Tunnel;

impl Kernel for Tunnel {
    const NAME: &'static str = "tunnel";
    const DOC: &'static str =
        "flight down a checkered tunnel; bass breathes the walls, beats flash rings";
    const PARAMS: &'static [ParamSpec] = &[
        SPEED,
        REACT,
        ParamSpec::new(
            "segments",
            1.0,
            32.0,
            12.0,
            "checker segments around the wall",
        ),
        ParamSpec::new("flight", 0.0, 10.0, 2.0, "forward speed"),
        ParamSpec::new(
            "twist",
            -3.0,
            3.0,
            0.3,
            "how much the checker twists with depth",
        ),
        ParamSpec::new("bri", 0.0, 2.0, 1.0, "brightness"),
    ];

    fn draw(&mut self, geo: &GridGeom, p: &[f32], env: &Env, out: &mut FieldBuf) {
        // an integer segment count keeps the pattern seamless across the ±π angle cut
        let seg = p[2].round().max(1.0);
        let (flight, twist, bri) = (p[3], p[4], p[5]);
        let t = env.t;
        let squeeze = 1.0 - 0.15 * env.a(Feature::Bass).min(1.0);
        let flash = 0.35 * env.a(Feature::BeatDecay);
        let gain = bri * (0.65 + 0.5 * env.a(Feature::Rms));
        let travel = t * flight * 0.5;
        let spin = t * 0.08;
        for_rows(geo, &mut out.value, |g, row| {
            for (j, o) in row.iter_mut().enumerate() {
                let r = g.dist_n[j];
                let depth = 1.0 / (r * squeeze + 0.1);
                let z = depth + travel;
                let u = (g.angle[j] / TAU + spin) * seg + twist * depth;
                // a soft-edged checker: product of two waves pushed towards ±1
                let checker = (0.5 + 2.0 * sin(PI * z * 2.5) * sin(PI * u)).clamp(0.0, 1.0);
                let ring = flash * wave(PI * z * 2.5);
                let shade = smoothstep(0.03, 1.0, r);
                *o = (0.85 * checker + ring) * shade * gain;
            }
        });
    }
}

/// Swirling arms that twist harder towards the centre.
#[derive(Default)]
pub struct Vortex;

impl Kernel for Vortex {
    const NAME: &'static str = "vortex";
    const DOC: &'static str = "swirl twisting towards the centre; bass tightens and brightens it";
    const PARAMS: &'static [ParamSpec] = &[
        SPEED,
        REACT,
        ParamSpec::new("twist", 0.0, 10.0, 3.0, "angular twist towards the centre"),
        ParamSpec::new("arms", 1.0, 12.0, 4.0, "number of arms"),
        ParamSpec::new("bri", 0.0, 2.0, 1.0, "brightness"),
    ];

    fn draw(&mut self, geo: &GridGeom, p: &[f32], env: &Env, out: &mut FieldBuf) {
        let (twist, arms, bri) = (p[2], p[3].round().max(1.0), p[4]);
        let t = env.t;
        let bass = env.a(Feature::Bass);
        let twist = twist * (1.0 + 0.4 * bass);
        let gain = bri * (0.6 + 0.6 * bass).min(1.6);
        for_rows(geo, &mut out.value, |g, row| {
            for (j, o) in row.iter_mut().enumerate() {
                let r = g.dist_n[j];
                let a = g.angle[j] + twist / (r + 0.25) + t * 0.6;
                let swirl = wave(arms * a);
                let cells = 0.55 + 0.45 * wave(r * 12.0 - t * 3.0);
                let fade = smoothstep(1.6, 0.2, r);
                *o = swirl * cells * (0.35 + 0.65 * fade) * gain;
            }
        });
    }
}

/// Damped circular ripples from fixed sources, plus a ring thrown out on each beat.
#[derive(Default)]
pub struct Ripple;

impl Kernel for Ripple {
    const NAME: &'static str = "ripple";
    const DOC: &'static str =
        "damped ripples from 1-6 sources; bass swells them, beats throw a ring";
    const PARAMS: &'static [ParamSpec] = &[
        SPEED,
        REACT,
        ParamSpec::new(
            "sources",
            1.0,
            6.0,
            1.0,
            "number of sources (the first is central)",
        ),
        ParamSpec::new(
            "freq",
            2.0,
            80.0,
            20.0,
            "wavenumber (radians per half-height)",
        ),
        ParamSpec::new("damping", 0.0, 8.0, 1.2, "amplitude decay with distance"),
        ParamSpec::new("bri", 0.0, 2.0, 1.0, "brightness"),
    ];

    fn draw(&mut self, geo: &GridGeom, p: &[f32], env: &Env, out: &mut FieldBuf) {
        let n = (p[2].round() as usize).clamp(1, 6);
        let (freq, damp, bri) = (p[3], p[4], p[5]);
        let t = env.t;
        let k = inv_norm(geo);
        let mut src = [(0.0f32, 0.0f32); 6];
        for (s, item) in src.iter_mut().enumerate().take(n).skip(1) {
            let h = hash2(env.seed, 0x7269_7070, s as u64);
            let (bx, by) = (unit(h) * 2.4 - 1.2, unit(h >> 11) * 1.6 - 0.8);
            // sources wander slowly so the interference pattern keeps changing
            let ph = unit(h >> 23) * TAU;
            *item = (
                bx + 0.15 * sin(t * 0.21 + ph),
                by + 0.15 * cos(t * 0.17 + ph),
            );
        }
        let src = &src[..n];
        let amp = (0.6 + 0.8 * env.a(Feature::Bass)) / n as f32;
        let inv_n = 1.0 / n as f32;
        let bd = env.a(Feature::BeatDecay).min(1.0);
        let beat_r = (1.0 - bd) * 1.8;
        let gain = bri;
        for_rows(geo, &mut out.value, |g, row| {
            // sources outside, cells inside, in stack-sized chunks: the cell loop vectorizes,
            // and `env` collects the damping envelope so calm water far from every source
            // stays dark
            const CHUNK: usize = 256;
            for c0 in (0..row.len()).step_by(CHUNK) {
                let out = &mut row[c0..(c0 + CHUNK).min(g.dx.len())];
                let m = out.len();
                let (dxs, dys, dn) = (&g.dx[c0..c0 + m], &g.dy[c0..c0 + m], &g.dist_n[c0..c0 + m]);
                let mut sum = [0.0f32; CHUNK];
                let mut env = [0.0f32; CHUNK];
                for &(sx, sy) in src {
                    for j in 0..m {
                        let (x, y) = (dxs[j] * k - sx, dys[j] * k - sy);
                        let d = (x * x + y * y).sqrt();
                        let a = exp(-damp * d);
                        sum[j] += sin(d * freq - t * 4.0) * a;
                        env[j] += a;
                    }
                }
                for j in 0..m {
                    let e = (env[j] * inv_n).min(1.0);
                    let d0 = dn[j] - beat_r;
                    let ring = bd * exp(-d0 * d0 * 150.0);
                    out[j] = ((0.5 + 0.5 * sum[j] * amp) * (0.15 + 0.85 * e) + ring) * gain;
                }
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use crate::features::Feature;

    #[test]
    fn rings_bass_adds_rings() {
        let mut hot = quiet();
        hot.set(Feature::Bass, 1.0);
        hot.set(Feature::SubR, 1.0);
        let cold = render_defaults("rings", 80, 30, 1, &quiet());
        let warm = render_defaults("rings", 80, 30, 1, &hot);
        // count the ring crossings along the middle row: more rings → more transitions
        let crossings = |v: &[f32]| {
            let row = &v[15 * 80..16 * 80];
            row.windows(2)
                .filter(|w| (w[0] > 0.3) != (w[1] > 0.3))
                .count()
        };
        assert!(crossings(&warm.value) > crossings(&cold.value));
    }

    #[test]
    fn tunnel_is_dark_at_the_vanishing_point() {
        let f = render_defaults("tunnel", 41, 21, 3, &quiet());
        let centre = f.value[10 * 41 + 20];
        let mean: f32 = f.value.iter().sum::<f32>() / f.value.len() as f32;
        assert!(centre < 0.05 && mean > 0.15, "centre {centre} mean {mean}");
    }
}
