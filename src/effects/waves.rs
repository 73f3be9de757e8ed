//! Stateless trigonometric fields on cartesian coordinates: sine_field, plasma, interference,
//! diamond, aurora.
//!
//! Coordinates are `geo.dx/dy × inv_norm`: the nearer screen edge is at ±1, so a field covers
//! the same part of the screen on every grid density and aligns across layered grids.

use std::f32::consts::{PI, TAU};

use super::kernel::{Env, Kernel, REACT, SPEED, for_rows, inv_norm};
use super::math::{clip01, cos, exp, sin, wave};
use super::{FieldBuf, ParamSpec};
use crate::features::Feature;
use crate::grid::GridGeom;
use crate::rng::{hash2, unit};

/// Apply contrast around 0.5 and a gain.
#[inline(always)]
fn shape(w: f32, contrast: f32, gain: f32) -> f32 {
    clip01((w - 0.5) * contrast + 0.5) * gain
}

/// Three plane waves at uneven angles, each bent along the other axis, plus a radial wave.
///
/// Only the radial wave needs a sine per cell: a plane wave bent by an x term and a y term has
/// the form sin(a(x) + b(y)), expanded as sin a·cos b + cos a·sin b from per-column and
/// per-row tables.
#[derive(Default)]
pub struct SineField {
    /// Per column: sin and cos of the x part of each plane wave.
    col: Vec<[f32; 6]>,
}

/// Direction offset (radians), relative frequency and time rate of the three plane waves.
const PLANE_WAVES: [(f32, f32, f32); 3] = [(0.0, 1.0, 0.5), (2.2, 0.77, -0.4), (4.1, 1.23, 0.3)];

impl Kernel for SineField {
    const NAME: &'static str = "sine_field";
    const DOC: &'static str = "interfering travelling sine waves; rms brightens, bass bends them";
    const PARAMS: &'static [ParamSpec] = &[
        SPEED,
        REACT,
        ParamSpec::new("scale", 0.1, 8.0, 1.0, "spatial frequency multiplier"),
        ParamSpec::new("warp", 0.0, 3.0, 0.8, "how much the waves bend"),
        ParamSpec::new("contrast", 0.2, 6.0, 1.6, "contrast around mid-grey"),
        ParamSpec::new("bri", 0.0, 2.0, 1.0, "brightness"),
    ];

    fn draw(&mut self, geo: &GridGeom, p: &[f32], env: &Env, out: &mut FieldBuf) {
        let (scale, warp, contrast, bri) = (p[2], p[3], p[4], p[5]);
        let t = env.t;
        let k = inv_norm(geo);
        let gain = bri * (0.6 + 0.6 * env.a(Feature::Rms));
        let bend = warp * (1.0 + 0.8 * env.a(Feature::Bass));
        let f = 7.0 * scale;
        // the whole pattern turns slowly
        let rot = 0.4 + t * 0.03;
        let dirs: [(f32, f32, f32, f32); 3] = std::array::from_fn(|i| {
            let (off, rel, rate) = PLANE_WAVES[i];
            (
                cos(rot + off) * f * rel,
                sin(rot + off) * f * rel,
                rate * t,
                i as f32 * 1.7,
            )
        });
        self.col.clear();
        self.col.extend(geo.dx[..geo.cols].iter().map(|&dx| {
            let x = dx * k;
            let mut c = [0.0; 6];
            for (i, &(cx, _, ph, seed)) in dirs.iter().enumerate() {
                let a = x * cx + ph + bend * sin(x * 1.3 - t * 0.5 + seed);
                c[2 * i] = sin(a);
                c[2 * i + 1] = cos(a);
            }
            c
        }));
        let col = &self.col;
        let f4 = 6.0 * scale;
        for_rows(geo, &mut out.value, |g, row| {
            let y = g.dy.first().copied().unwrap_or(0.0) * k;
            let mut rs = [0.0f32; 6];
            for (i, &(_, sy, _, seed)) in dirs.iter().enumerate() {
                let b = y * sy + bend * sin(y * 1.9 + t * 0.7 + seed);
                rs[2 * i] = sin(b);
                rs[2 * i + 1] = cos(b);
            }
            for ((o, c), &r) in row.iter_mut().zip(col).zip(g.dist) {
                // sin(a + b) = sin a·cos b + cos a·sin b, for each plane wave
                let s1 = c[0] * rs[1] + c[1] * rs[0];
                let s2 = c[2] * rs[3] + c[3] * rs[2];
                let s3 = c[4] * rs[5] + c[5] * rs[4];
                let s4 = sin(r * k * f4 + t * 0.2);
                *o = shape(0.5 + 0.125 * (s1 + s2 + s3 + s4), contrast, gain);
            }
        });
    }
}

/// The demo-scene plasma: four interfering sines with a wandering centre, mapped through a
/// cycling colour-band sine. The two waves that are sums of a column and a row term come from
/// per-column tables, leaving two sines per cell.
#[derive(Default)]
pub struct Plasma {
    /// Per column: sin(x + t), and sin/cos of the diagonal wave's x part.
    col: Vec<[f32; 3]>,
}

impl Kernel for Plasma {
    const NAME: &'static str = "plasma";
    const DOC: &'static str = "classic demo plasma; beats shift the bands, rms brightens";
    const PARAMS: &'static [ParamSpec] = &[
        SPEED,
        REACT,
        ParamSpec::new("scale", 0.1, 8.0, 1.0, "spatial frequency multiplier"),
        ParamSpec::new("bands", 0.2, 6.0, 1.5, "number of brightness bands"),
        ParamSpec::new("bri", 0.0, 2.0, 1.0, "brightness"),
    ];

    fn draw(&mut self, geo: &GridGeom, p: &[f32], env: &Env, out: &mut FieldBuf) {
        let (scale, bands, bri) = (p[2], p[3], p[4]);
        let t = env.t;
        let k = inv_norm(geo) * 4.0 * scale;
        let gain = bri * (0.7 + 0.5 * env.a(Feature::Rms));
        let (s2, c3) = (sin(t * 0.5), cos(t * 0.33));
        let (mx, my) = (2.0 * sin(t * 0.2), 2.0 * cos(t * 0.31));
        // a beat shifts the band phase; smoothed beat_decay keeps it continuous
        let phase = t * 0.3 + 0.8 * env.a(Feature::BeatDecay);
        self.col.clear();
        self.col.extend(geo.dx[..geo.cols].iter().map(|&dx| {
            let x = dx * k;
            [sin(x + t), sin(x * s2 + t), cos(x * s2 + t)]
        }));
        let col = &self.col;
        for_rows(geo, &mut out.value, |g, row| {
            let y = g.dy.first().copied().unwrap_or(0.0) * k;
            let (sy, cy) = (sin(y * c3), cos(y * c3));
            let v4 = sin(y * 0.8 - t * 0.7);
            let cy2 = (y + my) * (y + my) + 1.0;
            for ((o, c), &dx) in row.iter_mut().zip(col).zip(g.dx) {
                let v2 = c[1] * cy + c[2] * sy;
                let cx = dx * k + mx;
                let v3 = sin((cx * cx + cy2).sqrt() + t);
                let s = 0.25 * (c[0] + v2 + v3 + v4);
                *o = wave(PI * s * bands + phase) * gain;
            }
        });
    }
}

/// Circular waves from point sources on slow orbits; each source's amplitude follows one
/// band share.
#[derive(Default)]
pub struct Interference;

const BAND_SHARES: [Feature; 6] = [
    Feature::MidR,
    Feature::HimidR,
    Feature::BassR,
    Feature::LomidR,
    Feature::HiR,
    Feature::SubR,
];

impl Kernel for Interference {
    const NAME: &'static str = "interference";
    const DOC: &'static str =
        "interference of circular waves; each source's strength follows a band share";
    const PARAMS: &'static [ParamSpec] = &[
        SPEED,
        REACT,
        ParamSpec::new("waves", 1.0, 8.0, 5.0, "number of wave sources"),
        ParamSpec::new("scale", 0.1, 8.0, 1.0, "spatial frequency multiplier"),
        ParamSpec::new("contrast", 0.2, 6.0, 1.8, "contrast around mid-grey"),
        ParamSpec::new("bri", 0.0, 2.0, 1.0, "brightness"),
    ];

    fn draw(&mut self, geo: &GridGeom, p: &[f32], env: &Env, out: &mut FieldBuf) {
        let n = (p[2].round() as usize).clamp(1, 8);
        let (scale, contrast, bri) = (p[3], p[4], p[5]);
        let t = env.t;
        let k = inv_norm(geo);
        // (x, y, wavenumber, amplitude) per source
        let mut src = [(0.0f32, 0.0f32, 0.0f32, 0.0f32); 8];
        let mut total = 0.0;
        for (s, item) in src.iter_mut().enumerate().take(n) {
            let h = hash2(env.seed, 0x696e_7466, s as u64);
            let dir = if h & 1 == 0 { 1.0 } else { -1.0 };
            let ang = unit(h) * TAU + dir * t * 0.12 * (1.0 + 0.2 * s as f32);
            let rad = 0.35 + 0.6 * unit(h >> 7);
            let wn = 14.0 * scale * (0.8 + 0.4 * unit(h >> 13));
            let amp = 0.5 + 2.0 * env.a(BAND_SHARES[s % 6]);
            *item = (rad * cos(ang) * 1.3, rad * sin(ang), wn, amp);
            total += amp;
        }
        let norm = 0.5 / total.max(1e-6);
        let gain = bri * (0.7 + 0.4 * env.a(Feature::Rms));
        let src = &src[..n];
        for_rows(geo, &mut out.value, |g, row| {
            row.fill(0.0);
            // sources outside, cells inside: the cell loop vectorizes
            for &(sx, sy, wn, amp) in src {
                for (j, o) in row.iter_mut().enumerate() {
                    let (ddx, ddy) = (g.dx[j] * k - sx, g.dy[j] * k - sy);
                    *o += amp * sin((ddx * ddx + ddy * ddy).sqrt() * wn - t * 2.0);
                }
            }
            for o in row.iter_mut() {
                *o = shape(0.5 + *o * norm, contrast, gain);
            }
        });
    }
}

/// Concentric diamonds (Manhattan-distance rings) on a slowly turning frame.
#[derive(Default)]
pub struct Diamond;

impl Kernel for Diamond {
    const NAME: &'static str = "diamond";
    const DOC: &'static str = "concentric diamond rings; beats push them outward, rms brightens";
    const PARAMS: &'static [ParamSpec] = &[
        SPEED,
        REACT,
        ParamSpec::new("freq", 1.0, 60.0, 14.0, "rings per unit distance × 2π"),
        ParamSpec::new(
            "tile",
            0.0,
            8.0,
            0.0,
            "repeat the pattern in tiles (0 = off)",
        ),
        ParamSpec::new("spin", -2.0, 2.0, 0.1, "rotation speed, turns per 10 s"),
        ParamSpec::new("bri", 0.0, 2.0, 1.0, "brightness"),
    ];

    fn draw(&mut self, geo: &GridGeom, p: &[f32], env: &Env, out: &mut FieldBuf) {
        let (freq, tile, spin, bri) = (p[2], p[3], p[4], p[5]);
        let t = env.t;
        let k = inv_norm(geo);
        let rot = t * spin * 0.628;
        let (ca, sa) = (cos(rot), sin(rot));
        let gain = bri * (0.6 + 0.8 * env.a(Feature::Rms)).min(1.6);
        let push = 0.15 * env.a(Feature::BeatDecay);
        for_rows(geo, &mut out.value, |g, row| {
            for (j, o) in row.iter_mut().enumerate() {
                let x = g.dx[j] * k;
                let y = g.dy[j] * k;
                let mut u = x * ca - y * sa;
                let mut w = x * sa + y * ca;
                if tile > 0.0 {
                    // mirrored tiles join seamlessly
                    u = super::math::tri(u * tile * 0.5) - 0.5;
                    w = super::math::tri(w * tile * 0.5) - 0.5;
                }
                let d = u.abs() + w.abs();
                let ring = wave(freq * (d - push) - t * 2.0);
                let glow = exp(-d * 1.2);
                *o = (0.75 * ring + 0.25 * glow) * gain;
            }
        });
    }
}

/// Northern-lights curtains: bright wavy lower edges with rays trailing upward.
#[derive(Default)]
pub struct Aurora {
    /// Per band and column: the curtain's lower edge, then (in place) its fade factor
    /// exp(-edge/height).
    fade: Vec<f32>,
    /// Per band and column: ray brightness.
    ray: Vec<f32>,
}

impl Kernel for Aurora {
    const NAME: &'static str = "aurora";
    const DOC: &'static str =
        "aurora curtains drifting across the upper screen; lomid share brightens";
    const PARAMS: &'static [ParamSpec] = &[
        SPEED,
        REACT,
        ParamSpec::new("bands", 1.0, 5.0, 3.0, "number of curtains"),
        ParamSpec::new("height", 0.05, 1.5, 0.35, "length of the rays"),
        ParamSpec::new("bri", 0.0, 2.0, 1.0, "brightness"),
    ];

    fn draw(&mut self, geo: &GridGeom, p: &[f32], env: &Env, out: &mut FieldBuf) {
        let nb = (p[2].round() as usize).clamp(1, 5);
        let (height, bri) = (p[3], p[4]);
        let t = env.t;
        let k = inv_norm(geo);
        let cols = geo.cols;
        self.fade.resize(cols * nb, 0.0);
        self.ray.resize(cols * nb, 0.0);
        for b in 0..nb {
            let h = hash2(env.seed, 0x6175_726f, b as u64);
            let (ph1, ph2) = (unit(h) * TAU, unit(h >> 9) * TAU);
            // edges sit in the upper-middle band so the rays fill the top of the screen
            let base = -0.3 + 0.45 * (b as f32 + 0.5) / nb as f32 - 0.2 * unit(h >> 20);
            for c in 0..cols {
                let x = geo.dx[c] * k;
                let e = base
                    + 0.22 * sin(x * 1.1 + t * 0.23 + ph1)
                    + 0.08 * sin(x * 2.9 - t * 0.41 + ph2);
                // rays: fine striations whose spacing wanders, under slow brightness swells
                let fine = wave(x * 29.0 + 4.0 * sin(x * 2.3 + t * 0.5 + ph2) + t * 0.7);
                let swell = wave(x * 5.3 - t * 0.45 + ph1) * wave(x * 2.9 + t * 0.3 + ph2);
                let r = (0.3 + 0.7 * fine) * (0.35 + 0.65 * swell) * (0.7 + 0.3 * unit(h >> 30));
                self.fade[b * cols + c] = e;
                self.ray[b * cols + c] = r;
            }
        }
        let gain = bri * (0.55 + 0.45 * (3.0 * env.a(Feature::LomidR)).min(1.0));
        let inv_len = 1.0 / height;
        // above its edge a curtain fades as exp(-(edge - y)/len) = exp(-edge/len)·exp(y/len):
        // one exponential per column and per row instead of per cell
        for e in self.fade.iter_mut() {
            *e = exp(-*e * inv_len);
        }
        let (fade, ray) = (&self.fade, &self.ray);
        for_rows(geo, &mut out.value, |g, row| {
            let y = g.dy.first().copied().unwrap_or(0.0) * k;
            let ey = exp(y * inv_len);
            let n = row.len();
            row.fill(0.0);
            for b in 0..nb {
                let (fade, ray) = (&fade[b * cols..][..n], &ray[b * cols..][..n]);
                for ((o, &f), &r) in row.iter_mut().zip(fade).zip(ray) {
                    let up = f * ey;
                    // below the edge (up > 1) a sharp rational falloff replaces the rays;
                    // (up - 1)·height ≈ the distance below the edge
                    let d = (up - 1.0).max(0.0) * (30.0 * height);
                    let rim = 1.0 / (1.0 + d * d);
                    *o += if up <= 1.0 { up } else { rim * rim } * r;
                }
            }
            for o in row.iter_mut() {
                *o = o.min(1.0) * gain;
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use crate::features::Feature;

    #[test]
    fn aurora_lives_in_the_upper_half() {
        let f = render_defaults("aurora", 64, 24, 10, &quiet());
        let (cols, rows) = (64, 24);
        let top: f32 = f.value[..cols * rows / 2].iter().sum();
        let bottom: f32 = f.value[cols * rows / 2..].iter().sum();
        assert!(top > 2.0 * bottom, "top {top} bottom {bottom}");
    }

    #[test]
    fn interference_sources_follow_band_shares() {
        let mut a = quiet();
        a.set(Feature::MidR, 1.0);
        let mut b = quiet();
        b.set(Feature::SubR, 1.0);
        let fa = render_defaults("interference", 40, 16, 5, &a);
        let fb = render_defaults("interference", 40, 16, 5, &b);
        assert_ne!(fa.value, fb.value);
    }
}
