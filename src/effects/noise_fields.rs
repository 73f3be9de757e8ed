//! Noise-based fields: noise, fbm, domain_warp, temporal_noise, static.
//!
//! Frequencies are in lattice units per screen half-height (`inv_norm`), so the grain is the
//! same on every grid density.

use super::kernel::{Env, Kernel, REACT, SPEED, for_rows, inv_norm};
use super::math::{clip01, floor_i, quintic, wrap};
use super::noise::{Fractal, GridNoise, Lattice, Octave, PERIOD, hash_noise, seed32};
use super::{FieldBuf, ParamSpec};
use crate::features::Feature;
use crate::grid::GridGeom;
use crate::rng::{hash2, hash3, mix64, unit};

/// Map a normalized noise sum through contrast and gain.
#[inline(always)]
fn shape(v: f32, contrast: f32, gain: f32) -> f32 {
    clip01((v - 0.5) * contrast + 0.5) * gain
}

/// Evaluate the prepared octaves into `out`, normalized to [0, 1] and shaped.
fn eval(geo: &GridGeom, lat: &Lattice, gn: &GridNoise, contrast: f32, gain: f32, out: &mut [f32]) {
    let norm = 1.0 / gn.amp_sum().max(1e-6);
    for_rows(geo, out, |g, row| {
        row.fill(0.0);
        gn.add_row(lat, g.r, row);
        for o in row.iter_mut() {
            *o = shape(*o * norm, contrast, gain);
        }
    });
}

/// Smooth drifting value noise (three octaves).
#[derive(Default)]
pub struct Noise {
    lat: Lattice,
    gn: GridNoise,
    octs: Vec<Octave>,
}

impl Kernel for Noise {
    const NAME: &'static str = "noise";
    const DOC: &'static str = "smooth drifting value noise; rms brightens, bass adds contrast";
    const PARAMS: &'static [ParamSpec] = &[
        SPEED,
        REACT,
        ParamSpec::new("freq", 0.2, 30.0, 4.0, "features per screen half-height"),
        ParamSpec::new("drift", 0.0, 4.0, 0.3, "drift speed"),
        ParamSpec::new("contrast", 0.2, 6.0, 1.6, "contrast around mid-grey"),
        ParamSpec::new("bri", 0.0, 2.0, 0.8, "brightness"),
    ];

    fn draw(&mut self, geo: &GridGeom, p: &[f32], env: &Env, out: &mut FieldBuf) {
        let (freq, drift, contrast, bri) = (p[2], p[3], p[4], p[5]);
        self.lat.ensure(env.seed);
        let fr = Fractal {
            octaves: 3,
            freq: freq * inv_norm(geo),
            // a non-integer ratio keeps the octaves' lattices from lining up into a grid
            lacunarity: 2.17,
            gain: 0.35,
            drift,
        };
        fr.octaves(&mut self.octs, env.t, env.seed);
        self.gn.prepare(geo, &self.octs, 1.0);
        let contrast = contrast * (1.0 + 0.5 * env.a(Feature::Bass));
        let gain = bri * (0.7 + 0.6 * env.a(Feature::Rms));
        eval(geo, &self.lat, &self.gn, contrast, gain, &mut out.value);
    }
}

/// Fractal Brownian motion: octaves of value noise with per-octave offsets and drift.
#[derive(Default)]
pub struct Fbm {
    lat: Lattice,
    gn: GridNoise,
    octs: Vec<Octave>,
}

impl Kernel for Fbm {
    const NAME: &'static str = "fbm";
    const DOC: &'static str =
        "fractal value noise (clouds, smoke); rms brightens, bass adds contrast";
    const PARAMS: &'static [ParamSpec] = &[
        SPEED,
        REACT,
        ParamSpec::new("octaves", 1.0, 8.0, 5.0, "number of octaves"),
        ParamSpec::new(
            "freq",
            0.2,
            30.0,
            3.0,
            "base features per screen half-height",
        ),
        ParamSpec::new(
            "lacunarity",
            1.2,
            4.0,
            2.07,
            "frequency ratio between octaves",
        ),
        ParamSpec::new("gain", 0.1, 0.9, 0.5, "amplitude ratio between octaves"),
        ParamSpec::new("drift", 0.0, 4.0, 0.2, "drift speed"),
        ParamSpec::new("contrast", 0.2, 6.0, 1.8, "contrast around mid-grey"),
        ParamSpec::new("bri", 0.0, 2.0, 0.9, "brightness"),
    ];

    fn draw(&mut self, geo: &GridGeom, p: &[f32], env: &Env, out: &mut FieldBuf) {
        self.lat.ensure(env.seed);
        let fr = Fractal {
            octaves: (p[2].round() as usize).clamp(1, 8),
            freq: p[3] * inv_norm(geo),
            lacunarity: p[4],
            gain: p[5],
            drift: p[6],
        };
        fr.octaves(&mut self.octs, env.t, env.seed);
        // slightly squashed vertically, like the reference: reads as layered cloud
        self.gn.prepare(geo, &self.octs, 0.85);
        let contrast = p[7] * (1.0 + 0.5 * env.a(Feature::Bass));
        let gain = p[8] * (0.7 + 0.6 * env.a(Feature::Rms));
        eval(geo, &self.lat, &self.gn, contrast, gain, &mut out.value);
    }
}

/// Noise sampled at coordinates displaced by two other noise fields (marbled, fluid look).
#[derive(Default)]
pub struct DomainWarp {
    lat: Lattice,
    gn: GridNoise,
    octs: Vec<Octave>,
    qx: Vec<f32>,
    qy: Vec<f32>,
}

impl Kernel for DomainWarp {
    const NAME: &'static str = "domain_warp";
    const DOC: &'static str = "domain-warped fbm (marble, liquid); rms and bass stretch the warp";
    const PARAMS: &'static [ParamSpec] = &[
        SPEED,
        REACT,
        ParamSpec::new("warp", 0.0, 8.0, 1.2, "warp strength in noise features"),
        ParamSpec::new("freq", 0.2, 30.0, 2.5, "features per screen half-height"),
        ParamSpec::new("octaves", 1.0, 6.0, 2.0, "octaves of the warped noise"),
        ParamSpec::new("drift", 0.0, 4.0, 0.2, "drift speed of the warp"),
        ParamSpec::new("contrast", 0.2, 6.0, 1.6, "contrast around mid-grey"),
        ParamSpec::new("bri", 0.0, 2.0, 0.9, "brightness"),
    ];

    fn draw(&mut self, geo: &GridGeom, p: &[f32], env: &Env, out: &mut FieldBuf) {
        let (warp, freq, drift, contrast, bri) = (p[2], p[3], p[5], p[6], p[7]);
        let octaves = (p[4].round() as usize).clamp(1, 6);
        self.lat.ensure(env.seed);
        let n = geo.len();
        self.qx.resize(n, 0.0);
        self.qy.resize(n, 0.0);
        let fc = freq * inv_norm(geo);
        // the two warp fields: cheap separable fbm, different seeds per axis
        for (buf, salt) in [(&mut self.qx, 1u64), (&mut self.qy, 2u64)] {
            let fr = Fractal {
                octaves: 1,
                freq: fc * 0.5,
                lacunarity: 2.0,
                gain: 0.5,
                drift,
            };
            fr.octaves(&mut self.octs, env.t, hash2(env.seed, 0x7761_7270, salt));
            self.gn.prepare(geo, &self.octs, 1.0);
            eval(geo, &self.lat, &self.gn, 1.0, 1.0, buf);
        }
        let wx = 2.0 * warp * (1.0 + 0.6 * env.a(Feature::Rms));
        let wy = 2.0 * warp * (1.0 + 0.6 * env.a(Feature::Bass));
        // per octave: hash seed and offset; the whole pattern drifts slowly as well
        let mut oct = [(0u32, 0.0f32, 0.0f32); 6];
        for (o, item) in oct.iter_mut().enumerate() {
            let h = hash2(env.seed, 0x6f66_6673, o as u64);
            let drift_t = env.t as f64 * drift as f64 * (1u64 << o) as f64;
            *item = (
                seed32(env.seed, o as u64),
                wrap(unit(h) as f64 * 64.0 + drift_t * 0.5, 4096.0),
                wrap(unit(h >> 20) as f64 * 64.0 + drift_t * 0.3, 4096.0),
            );
        }
        let oct = &oct[..octaves];
        let gain = bri * (0.75 + 0.5 * env.a(Feature::Rms));
        let (qx, qy) = (&self.qx, &self.qy);
        for_rows(geo, &mut out.value, |g, row| {
            let n = row.len();
            let (qx, qy) = (&qx[g.start..g.start + n], &qy[g.start..g.start + n]);
            row.fill(0.0);
            let (mut amp, mut f, mut norm) = (1.0f32, 1.0f32, 0.0f32);
            // octaves outside, cells inside: the cell loop vectorizes
            for &(sd, ox, oy) in oct {
                for j in 0..n {
                    let x = (g.dx[j] * fc + wx * (qx[j] - 0.5)) * f + ox;
                    let y = (g.dy[j] * fc + wy * (qy[j] - 0.5)) * f + oy;
                    row[j] += amp * hash_noise(x, y, sd);
                }
                norm += amp;
                amp *= 0.5;
                f *= 2.0;
            }
            let inv = 1.0 / norm.max(1e-6);
            for o in row.iter_mut() {
                *o = shape(*o * inv, contrast, gain);
            }
        });
    }
}

/// Noise that morphs in place: each octave blends between random time slices.
#[derive(Default)]
pub struct TemporalNoise {
    lat: Lattice,
    gn: GridNoise,
    octs: Vec<Octave>,
}

impl Kernel for TemporalNoise {
    const NAME: &'static str = "temporal_noise";
    const DOC: &'static str = "noise that morphs in place without drifting; rms brightens";
    const PARAMS: &'static [ParamSpec] = &[
        SPEED,
        REACT,
        ParamSpec::new("freq", 0.2, 30.0, 3.0, "features per screen half-height"),
        ParamSpec::new("t_freq", 0.02, 4.0, 0.3, "morphs per second"),
        ParamSpec::new("octaves", 1.0, 6.0, 4.0, "number of octaves"),
        ParamSpec::new("contrast", 0.2, 6.0, 2.0, "contrast around mid-grey"),
        ParamSpec::new("bri", 0.0, 2.0, 0.9, "brightness"),
    ];

    fn draw(&mut self, geo: &GridGeom, p: &[f32], env: &Env, out: &mut FieldBuf) {
        let (freq, tf, contrast, bri) = (p[2], p[3], p[5], p[6]);
        let octaves = (p[4].round() as usize).clamp(1, 6);
        self.lat.ensure(env.seed);
        self.octs.clear();
        let mut f = freq * inv_norm(geo);
        let mut amp = 1.0;
        for o in 0..octaves {
            // octaves morph at different rates and phases, so no moment has every octave
            // paused at a slice boundary at once
            let z = env.t as f64 * tf as f64 * (1.0 + 0.5 * o as f64) + o as f64 * 0.37;
            let zi = z.floor();
            let w = quintic((z - zi) as f32);
            for (slice, weight) in [(zi as i64, 1.0 - w), (zi as i64 + 1, w)] {
                let h = hash3(env.seed, 0x746e_6f69, o as u64, slice as u64);
                self.octs.push(Octave {
                    freq: f,
                    off: (
                        unit(h) as f64 * PERIOD as f64,
                        unit(h.rotate_left(23)) as f64 * PERIOD as f64,
                    ),
                    amp: amp * weight,
                });
            }
            f *= 2.0;
            amp *= 0.5;
        }
        self.gn.prepare(geo, &self.octs, 1.0);
        // the blend of two independent slices has less contrast mid-way; 1.3 compensates
        let gain = bri * (0.7 + 0.6 * env.a(Feature::Rms));
        eval(
            geo,
            &self.lat,
            &self.gn,
            contrast * 1.3,
            gain,
            &mut out.value,
        );
    }
}

/// TV static: independent random cells every frame.
#[derive(Default)]
pub struct Static;

impl Kernel for Static {
    const NAME: &'static str = "static";
    const DOC: &'static str = "random per-cell static, new every frame; flux raises the density";
    const PARAMS: &'static [ParamSpec] = &[
        SPEED,
        REACT,
        ParamSpec::new("density", 0.0, 1.0, 0.4, "fraction of lit cells"),
        ParamSpec::new("bri", 0.0, 2.0, 1.0, "brightness"),
    ];

    fn draw(&mut self, geo: &GridGeom, p: &[f32], env: &Env, out: &mut FieldBuf) {
        let (density, bri) = (p[2], p[3]);
        let density = (density + 0.4 * env.a(Feature::Flux)).min(1.0);
        // speed changes how often the pattern is redrawn (0.5 = every other frame)
        let tick = floor_i(env.t * env.fps) as i64 as u64;
        let seed = hash2(env.seed, 0x7374_6174, tick);
        for_rows(geo, &mut out.value, |g, row| {
            for (j, o) in row.iter_mut().enumerate() {
                // one hash per cell: the top bits decide lit or not, the low bits how bright
                let h = mix64(seed ^ (g.start + j) as u64);
                let level = ((h >> 8) & 0xff_ffff) as f32 * (1.0 / 16_777_216.0);
                *o = if unit(h) < density {
                    (0.25 + 0.75 * level) * bri
                } else {
                    0.0
                };
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;

    #[test]
    fn static_density_controls_lit_fraction() {
        let lit = |d: f32| {
            let f = render_params("static", 60, 20, 1, &quiet(), &[(2, d)]);
            f.value.iter().filter(|&&v| v > 0.0).count() as f32 / f.value.len() as f32
        };
        assert!(lit(0.1) < 0.2);
        assert!(lit(0.8) > 0.65);
    }

    #[test]
    fn fbm_is_smooth_between_neighbours() {
        let f = render_defaults("fbm", 80, 30, 1, &quiet());
        let mut jump = 0.0f32;
        for r in 0..30 {
            for c in 1..80 {
                jump = jump.max((f.value[r * 80 + c] - f.value[r * 80 + c - 1]).abs());
            }
        }
        // coherent noise, not per-cell randomness
        assert!(jump < 0.5, "max neighbour jump {jump}");
    }

    #[test]
    fn temporal_noise_moves_slowly_between_frames() {
        let a = render_defaults("temporal_noise", 50, 20, 10, &quiet());
        let b = render_defaults("temporal_noise", 50, 20, 11, &quiet());
        let diff = mean_abs_diff(&a.value, &b.value);
        assert!(diff > 0.0 && diff < 0.05, "frame-to-frame change {diff}");
    }
}
