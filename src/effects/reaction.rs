//! Gray-Scott reaction-diffusion on the cell grid (toroidal).

use rayon::prelude::*;

use super::kernel::{Env, Kernel, PAR_MIN_CELLS, REACT, SPEED_SIM};
use super::math::clip01;
use super::{FieldBuf, ParamSpec};
use crate::features::Feature;
use crate::grid::GridGeom;
use crate::rng::{SplitMix, hash2};

/// (feed, kill) of the presets: spots, worms, coral, mitosis, labyrinth, holes, chaos.
const PRESETS: [(f32, f32); 7] = [
    (0.055, 0.062),
    (0.046, 0.063),
    (0.037, 0.060),
    (0.028, 0.062),
    (0.029, 0.057),
    (0.039, 0.058),
    (0.026, 0.051),
];
const DA: f32 = 1.0;
const DB: f32 = 0.5;
const MAX_STEPS: usize = 64;

/// Laplacian weights: horizontal, vertical, diagonal neighbours and the centre.
///
/// Cells are taller than wide, so vertical neighbours are further apart: weighting them by
/// 1/aspect² makes the pattern isotropic on screen. With aspect 1 this is the usual 3×3
/// stencil (0.2 edges, 0.05 corners, -1 centre).
#[derive(Clone, Copy)]
struct Stencil {
    h: f32,
    v: f32,
    d: f32,
    c: f32,
}

impl Stencil {
    fn new(aspect: f32) -> Self {
        let a = aspect.clamp(0.5, 4.0);
        let (h, v, d) = (0.2, 0.2 / (a * a), 0.05 / a);
        Stencil {
            h,
            v,
            d,
            c: -(2.0 * h + 2.0 * v + 4.0 * d),
        }
    }
}

/// Per-step constants.
#[derive(Clone, Copy)]
struct Rates {
    feed: f32,
    kill: f32,
    st: Stencil,
}

/// Gray-Scott reaction-diffusion; the value is the concentration of B.
#[derive(Default)]
pub struct ReactionDiffusion {
    a: Vec<f32>,
    b: Vec<f32>,
    a2: Vec<f32>,
    b2: Vec<f32>,
    acc: f32,
}

impl Kernel for ReactionDiffusion {
    const NAME: &'static str = "reaction_diffusion";
    const DOC: &'static str = "Gray-Scott patterns (preset 0-6: spots worms coral mitosis labyrinth holes chaos); bass feeds, beats drop seeds";
    const PARAMS: &'static [ParamSpec] = &[
        SPEED_SIM,
        REACT,
        ParamSpec::new(
            "preset",
            0.0,
            6.0,
            0.0,
            "0 spots 1 worms 2 coral 3 mitosis 4 labyrinth 5 holes 6 chaos",
        )
        .named(&[
            "spots",
            "worms",
            "coral",
            "mitosis",
            "labyrinth",
            "holes",
            "chaos",
        ]),
        ParamSpec::new(
            "steps_per_frame",
            1.0,
            32.0,
            8.0,
            "simulation steps per frame",
        ),
        ParamSpec::new("bri", 0.0, 2.0, 1.0, "brightness"),
    ];
    const STATEFUL: bool = true;

    fn draw(&mut self, geo: &GridGeom, p: &[f32], env: &Env, out: &mut FieldBuf) {
        let (feed, kill) = PRESETS[(p[2].round() as usize).min(6)];
        let (spf, bri) = (p[3], p[4]);
        let (cols, rows) = (geo.cols, geo.rows);
        let mut rng = SplitMix(hash2(env.seed, 0x7264_6966, env.index));
        if env.fresh {
            self.init(cols, rows, env.seed);
        }
        let mass: f32 = self.b.iter().sum();
        if mass < 1.0 || env.beat() {
            // a dead field restarts, and every beat drops a new droplet
            self.seed_spot(cols, rows, &mut rng);
        }
        let r = Rates {
            feed: feed + 0.003 * env.a(Feature::Bass),
            kill: kill + 0.002 * env.a(Feature::HiR),
            st: Stencil::new(geo.aspect),
        };
        self.acc += spf * env.dt * env.fps;
        let steps = (self.acc as usize).min(MAX_STEPS);
        self.acc = (self.acc - steps as f32).min(1.0);
        for _ in 0..steps {
            self.step(cols, rows, r);
        }
        for (o, &b) in out.value.iter_mut().zip(&self.b) {
            *o = clip01(b * 2.5) * bri;
        }
    }
}

impl ReactionDiffusion {
    fn init(&mut self, cols: usize, rows: usize, seed: u64) {
        let n = cols * rows;
        for v in [&mut self.a, &mut self.a2] {
            v.clear();
            v.resize(n, 1.0);
        }
        for v in [&mut self.b, &mut self.b2] {
            v.clear();
            v.resize(n, 0.0);
        }
        self.acc = 0.0;
        let mut rng = SplitMix(hash2(seed, 0x7264_696e, 0));
        for _ in 0..(n / 300).max(1) + 2 {
            self.seed_spot(cols, rows, &mut rng);
        }
    }

    /// A small square of B (3 rows × 5 columns: roughly square on screen).
    fn seed_spot(&mut self, cols: usize, rows: usize, rng: &mut SplitMix) {
        let cx = (rng.next_f32() * cols as f32) as usize;
        let cy = (rng.next_f32() * rows as f32) as usize;
        for dy in 0..3 {
            for dx in 0..5 {
                let i = ((cy + dy) % rows) * cols + (cx + dx) % cols;
                self.a[i] = 0.5;
                self.b[i] = 0.25 + 0.25 * rng.next_f32();
            }
        }
    }

    fn step(&mut self, cols: usize, rows: usize, r: Rates) {
        let (a, b) = (&self.a, &self.b);
        let row =
            |y: usize, na: &mut [f32], nb: &mut [f32]| step_row(a, b, cols, rows, y, r, na, nb);
        if cols * rows >= PAR_MIN_CELLS {
            self.a2
                .par_chunks_mut(cols)
                .zip(self.b2.par_chunks_mut(cols))
                .enumerate()
                .for_each(|(y, (na, nb))| row(y, na, nb));
        } else {
            self.a2
                .chunks_mut(cols)
                .zip(self.b2.chunks_mut(cols))
                .enumerate()
                .for_each(|(y, (na, nb))| row(y, na, nb));
        }
        std::mem::swap(&mut self.a, &mut self.a2);
        std::mem::swap(&mut self.b, &mut self.b2);
    }
}

/// The stencil at column `x` of the middle row `m` (rows `u` above, `d` below).
#[inline(always)]
fn lap(st: &Stencil, u: &[f32], m: &[f32], d: &[f32], xm: usize, x: usize, xp: usize) -> f32 {
    st.h * (m[xm] + m[xp])
        + st.v * (u[x] + d[x])
        + st.d * (u[xm] + u[xp] + d[xm] + d[xp])
        + st.c * m[x]
}

#[inline(always)]
fn row_of(f: &[f32], cols: usize, y: usize) -> &[f32] {
    &f[y * cols..(y + 1) * cols]
}

/// The Gray-Scott reaction for one cell given both Laplacians.
#[inline(always)]
fn react(ca: f32, cb: f32, la: f32, lb: f32, r: &Rates) -> (f32, f32) {
    let abb = ca * cb * cb;
    (
        clip01(ca + DA * la - abb + r.feed * (1.0 - ca)),
        clip01(cb + DB * lb + abb - (r.kill + r.feed) * cb),
    )
}

/// One Gray-Scott update of row `y` into `na`/`nb`, with wrap-around at every edge.
#[allow(clippy::too_many_arguments)]
fn step_row(
    a: &[f32],
    b: &[f32],
    cols: usize,
    rows: usize,
    y: usize,
    r: Rates,
    na: &mut [f32],
    nb: &mut [f32],
) {
    let (yu, yd) = ((y + rows - 1) % rows, (y + 1) % rows);
    let (au, am, ad) = (row_of(a, cols, yu), row_of(a, cols, y), row_of(a, cols, yd));
    let (bu, bm, bd) = (row_of(b, cols, yu), row_of(b, cols, y), row_of(b, cols, yd));
    let st = &r.st;
    // the two edge columns wrap around; everything between runs on plain offsets so the
    // loop vectorizes
    for x in [0, cols - 1] {
        let xm = (x + cols - 1) % cols;
        let xp = (x + 1) % cols;
        let la = lap(st, au, am, ad, xm, x, xp);
        let lb = lap(st, bu, bm, bd, xm, x, xp);
        (na[x], nb[x]) = react(am[x], bm[x], la, lb, &r);
    }
    if cols < 3 {
        return;
    }
    let n = cols - 2;
    let (na, nb) = (&mut na[1..=n], &mut nb[1..=n]);
    for i in 0..n {
        let la = lap(st, au, am, ad, i, i + 1, i + 2);
        let lb = lap(st, bu, bm, bd, i, i + 1, i + 2);
        (na[i], nb[i]) = react(am[i + 1], bm[i + 1], la, lb, &r);
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;

    #[test]
    fn spots_grow_into_a_pattern() {
        let early = render_defaults("reaction_diffusion", 60, 24, 1, &quiet());
        let late = render_defaults("reaction_diffusion", 60, 24, 60, &quiet());
        let lit = |v: &[f32]| v.iter().filter(|&&x| x > 0.2).count();
        assert!(lit(&late.value) > 2 * lit(&early.value).max(1));
    }

    #[test]
    fn presets_give_different_patterns() {
        let a = render_params("reaction_diffusion", 40, 20, 30, &quiet(), &[(2, 0.0)]);
        let b = render_params("reaction_diffusion", 40, 20, 30, &quiet(), &[(2, 4.0)]);
        assert!(mean_abs_diff(&a.value, &b.value) > 0.01);
    }
}
