//! Strange attractors (Clifford, de Jong, Bedhead) rendered as point density.
//!
//! Many orbits advance in lockstep so the maps vectorize across lanes; orbits persist between
//! frames and the density image is blended over frames, which hides the shot noise of a
//! limited point budget while the attractor's parameters slowly drift.

use super::kernel::{Env, Kernel, REACT, SPEED_SIM};
use super::math::{clip01, cos, ln, sin};
use super::{FieldBuf, ParamSpec};
use crate::features::Feature;
use crate::grid::GridGeom;
use crate::rng::{SplitMix, hash2};

const LANES: usize = 32;
/// Orbit coordinates beyond this are treated as escaped and restarted.
const ESCAPE: f32 = 50.0;

/// Base parameters (a, b, c, d) of each attractor.
const BASE: [[f32; 4]; 3] = [
    [-1.4, 1.6, 1.0, 0.7],
    [1.4, -2.3, 2.4, -2.1],
    [0.06, 0.98, 0.0, 0.0],
];

/// Density image of a drifting strange attractor.
#[derive(Default)]
pub struct StrangeAttractor {
    x: [f32; LANES],
    y: [f32; LANES],
    px: Vec<f32>,
    py: Vec<f32>,
    acc: Vec<f32>,
    shown: Vec<f32>,
    /// Smoothed bounding box (min x, min y, max x, max y) of the orbit points.
    bbox: Option<[f32; 4]>,
    kind: usize,
}

impl Kernel for StrangeAttractor {
    const NAME: &'static str = "strange_attractor";
    const DOC: &'static str = "strange attractor density (kind 0 clifford, 1 de_jong, 2 bedhead); bass bends it, rms brightens";
    const PARAMS: &'static [ParamSpec] = &[
        SPEED_SIM,
        REACT,
        ParamSpec::new("kind", 0.0, 2.0, 0.0, "0 clifford, 1 de_jong, 2 bedhead")
            .named(&["clifford", "de_jong", "bedhead"]),
        ParamSpec::new(
            "points",
            1000.0,
            200_000.0,
            12_000.0,
            "orbit points per frame",
        ),
        ParamSpec::new(
            "drift",
            0.0,
            1.0,
            0.3,
            "how far the parameters wander over time",
        ),
        ParamSpec::new(
            "persist",
            0.0,
            0.95,
            0.7,
            "blend with previous frames (smoothness)",
        ),
        ParamSpec::new("bri", 0.0, 2.0, 1.0, "brightness"),
    ];
    const STATEFUL: bool = true;

    fn draw(&mut self, geo: &GridGeom, p: &[f32], env: &Env, out: &mut FieldBuf) {
        let kind = (p[2].round() as usize).min(2);
        let (drift, persist, bri) = (p[4], p[5], p[6]);
        let iters = (p[3] as usize / LANES).max(1);
        let n = geo.len();
        if env.fresh || kind != self.kind {
            self.kind = kind;
            self.restart(n, env.seed);
        }
        let prm = params(kind, env, drift);

        // iterate all lanes together, recording the points
        self.px.resize(iters * LANES, 0.0);
        self.py.resize(iters * LANES, 0.0);
        orbit(
            kind,
            &prm,
            &mut self.x,
            &mut self.y,
            (&mut self.px, &mut self.py),
        );
        let mut rng = SplitMix(hash2(env.seed, 0x6174_7472, env.index));
        for l in 0..LANES {
            if !(self.x[l].abs() < ESCAPE && self.y[l].abs() < ESCAPE) {
                self.x[l] = rng.range(-0.5, 0.5);
                self.y[l] = rng.range(-0.5, 0.5);
            }
        }
        self.fit();
        self.splat(geo);

        let max = self.acc.iter().fold(0.0f32, |m, &v| m.max(v));
        let inv = if max > 0.0 { 1.0 / ln(1.0 + max) } else { 0.0 };
        let keep = if env.fresh { 0.0 } else { persist };
        let gain = bri * (0.75 + 0.5 * env.a(Feature::Rms));
        for ((s, &a), o) in self
            .shown
            .iter_mut()
            .zip(&self.acc)
            .zip(out.value.iter_mut())
        {
            let v = ln(1.0 + a) * inv;
            *s = keep * *s + (1.0 - keep) * v;
            *o = clip01(*s * 1.3) * gain;
        }
    }
}

/// The attractor's parameters at this frame: slow drift plus a bass bend.
fn params(kind: usize, env: &Env, drift: f32) -> [f32; 4] {
    let t = env.t;
    let bend = 0.15 * env.a(Feature::Bass);
    let mut q = BASE[kind];
    let rates = [0.071, 0.053, 0.037, 0.029];
    // bedhead collapses into periodic orbits easily: it only gets a fifth of the wander
    let span = if kind == 2 { 0.2 } else { 1.0 };
    for (k, v) in q.iter_mut().enumerate() {
        let sign = if k % 2 == 0 { 1.0 } else { -1.0 };
        *v += span * (drift * 0.35 * sin(t * rates[k] + k as f32 * 1.7) + bend * sign);
    }
    if kind == 2 && q[1].abs() < 0.1 {
        // bedhead divides by b
        q[1] = if q[1] < 0.0 { -0.1 } else { 0.1 };
    }
    q
}

/// Iterate every lane `px.len() / LANES` times, recording each new point.
fn orbit(
    kind: usize,
    q: &[f32; 4],
    xs: &mut [f32; LANES],
    ys: &mut [f32; LANES],
    pts: (&mut [f32], &mut [f32]),
) {
    let [a, b, c, d] = *q;
    // one monomorphized loop per map, so the lanes vectorize
    match kind {
        0 => lanes(xs, ys, pts, |x, y| {
            (sin(a * y) + c * cos(a * x), sin(b * x) + d * cos(b * y))
        }),
        1 => lanes(xs, ys, pts, |x, y| {
            (sin(a * y) - cos(b * x), sin(c * x) - cos(d * y))
        }),
        _ => {
            let ib = 1.0 / b;
            lanes(xs, ys, pts, |x, y| {
                (sin(x * y * ib) * y + cos(a * x - y), x + sin(y) * ib)
            })
        }
    }
}

#[inline(always)]
fn lanes(
    xs: &mut [f32; LANES],
    ys: &mut [f32; LANES],
    (px, py): (&mut [f32], &mut [f32]),
    map: impl Fn(f32, f32) -> (f32, f32),
) {
    for (cx, cy) in px.chunks_exact_mut(LANES).zip(py.chunks_exact_mut(LANES)) {
        for l in 0..LANES {
            let (nx, ny) = map(xs[l], ys[l]);
            xs[l] = nx;
            ys[l] = ny;
        }
        cx.copy_from_slice(xs);
        cy.copy_from_slice(ys);
    }
}

impl StrangeAttractor {
    fn restart(&mut self, n: usize, seed: u64) {
        let mut rng = SplitMix(hash2(seed, 0x6174_696e, 0));
        for l in 0..LANES {
            self.x[l] = rng.range(-0.5, 0.5);
            self.y[l] = rng.range(-0.5, 0.5);
        }
        self.acc.clear();
        self.acc.resize(n, 0.0);
        self.shown.clear();
        self.shown.resize(n, 0.0);
        self.bbox = None;
    }

    /// Track the points' bounding box, smoothed so the framing glides instead of jumping.
    fn fit(&mut self) {
        let mut bb = [f32::MAX, f32::MAX, f32::MIN, f32::MIN];
        // every 4th point frames the attractor as well as all of them
        for (&x, &y) in self.px.iter().zip(&self.py).step_by(4) {
            let (x, y) = (x.clamp(-ESCAPE, ESCAPE), y.clamp(-ESCAPE, ESCAPE));
            bb = [bb[0].min(x), bb[1].min(y), bb[2].max(x), bb[3].max(y)];
        }
        if !(bb[0] <= bb[2] && bb[1] <= bb[3]) {
            return;
        }
        self.bbox = Some(match self.bbox {
            None => bb,
            Some(old) => std::array::from_fn(|k| old[k] + 0.15 * (bb[k] - old[k])),
        });
    }

    /// Bilinear splat of the recorded points into `acc`, fitted to the grid with its aspect.
    fn splat(&mut self, geo: &GridGeom) {
        self.acc.fill(0.0);
        let Some([x0, y0, x1, y1]) = self.bbox else {
            return;
        };
        let (cols, rows) = (geo.cols, geo.rows);
        let (w, h) = ((x1 - x0).max(1e-3), (y1 - y0).max(1e-3));
        let scale = (cols as f32 * 0.92 / w).min(rows as f32 * geo.aspect * 0.92 / h);
        let (sx, sy) = (scale, scale / geo.aspect);
        let ox = (cols as f32 - 1.0) * 0.5 - (x0 + x1) * 0.5 * sx;
        let oy = (rows as f32 - 1.0) * 0.5 - (y0 + y1) * 0.5 * sy;
        // map to cell coordinates in a separate (vectorizable) pass, then scatter
        for (x, y) in self.px.iter_mut().zip(self.py.iter_mut()) {
            (*x, *y) = (*x * sx + ox, *y * sy + oy);
        }
        let (wc, hr) = (cols as f32, rows as f32);
        for (&fx, &fy) in self.px.iter().zip(&self.py) {
            if !(fx >= 0.0 && fy >= 0.0 && fx < wc && fy < hr) {
                continue;
            }
            let (c, r) = (fx as usize, fy as usize);
            let (wx, wy) = (fx - c as f32, fy - r as f32);
            let c1 = (c + 1).min(cols - 1);
            let r1 = (r + 1).min(rows - 1);
            let (top, bottom) = (r * cols, r1 * cols);
            self.acc[top + c] += (1.0 - wx) * (1.0 - wy);
            self.acc[top + c1] += wx * (1.0 - wy);
            self.acc[bottom + c] += (1.0 - wx) * wy;
            self.acc[bottom + c1] += wx * wy;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;

    #[test]
    fn kinds_draw_different_shapes_that_fill_part_of_the_screen() {
        let mut prev: Option<Vec<f32>> = None;
        for kind in 0..3 {
            let f = render_params(
                "strange_attractor",
                60,
                30,
                3,
                &quiet(),
                &[(2, kind as f32)],
            );
            let lit = f.value.iter().filter(|&&v| v > 0.05).count();
            assert!(
                lit > 60 && lit < f.value.len() * 9 / 10,
                "kind {kind}: {lit} lit"
            );
            if let Some(p) = &prev {
                assert!(mean_abs_diff(p, &f.value) > 0.02);
            }
            prev = Some(f.value);
        }
    }
}
