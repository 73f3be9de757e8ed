//! The internal effect interface: input sanitation, the per-frame environment and the shared
//! `speed`/`react` conventions, so that each effect only writes its own maths.

use rayon::prelude::*;

use super::{Effect, EffectCtx, EffectSpec, FieldBuf};
use crate::features::{Feature, FeatureFrame};
use crate::grid::GridGeom;
use crate::params::ParamSpec;

/// Most parameters any effect declares (the runner copies them into a fixed array).
pub const MAX_PARAMS: usize = 16;

/// Grids at least this large evaluate their rows on the rayon pool; smaller ones are cheaper
/// to do on the calling thread than to hand out (a md grid is ~10k cells).
pub const PAR_MIN_CELLS: usize = 16_384;

/// `speed` of stateless fields: negative values run the animation backwards (the reference's
/// counter-rotating dual layers).
pub const SPEED: ParamSpec = ParamSpec::new("speed", -5.0, 5.0, 1.0, "time multiplier");
/// `speed` of simulations, which cannot run backwards.
pub const SPEED_SIM: ParamSpec = ParamSpec::new("speed", 0.0, 5.0, 1.0, "time multiplier");
/// `react`: scales every built-in audio driver; 0 makes the effect ignore the audio.
pub const REACT: ParamSpec = ParamSpec::new("react", 0.0, 2.0, 1.0, "audio reactivity");

/// Everything an effect needs about the current frame, already sanitized.
pub struct Env<'a> {
    /// Effect time: seconds × `speed` (finite).
    pub t: f32,
    /// Effect time that passes during one frame: `speed / fps`, ≥ 0 (for simulations).
    pub dt: f32,
    /// Output frame rate (finite, ≥ 1).
    pub fps: f32,
    /// Frame index.
    pub index: u64,
    /// Per-layer seed.
    pub seed: u64,
    /// The `react` parameter.
    pub react: f32,
    /// The frame's features, clamped to [0, 1].
    pub feat: FeatureFrame,
    spectrum: &'a [f32],
    /// True when stateful effects must (re)initialize: first call, grid size or seed changed,
    /// or the frame index went backwards (a restart or a seek in the preview).
    pub fresh: bool,
}

impl Env<'_> {
    /// A feature scaled by `react` (so in [0, 2]).
    #[inline]
    pub fn a(&self, f: Feature) -> f32 {
        self.feat.get(f) * self.react
    }

    /// Whether a beat falls on this frame (never when `react` is 0).
    #[inline]
    pub fn beat(&self) -> bool {
        self.react > 0.0 && self.feat.get(Feature::Beat) >= 0.5
    }

    /// Number of spectrum bands.
    pub fn spectrum_len(&self) -> usize {
        self.spectrum.len()
    }

    /// Spectrum band `i`, clamped to [0, 1] (0 out of range or NaN).
    #[inline]
    pub fn spectrum(&self, i: usize) -> f32 {
        self.spectrum
            .get(i)
            .copied()
            .map_or(0.0, super::math::clip01)
    }
}

#[cfg(test)]
impl Env<'static> {
    /// A 24-fps environment at frame `index` (fresh at frame 0) for unit tests that drive a
    /// kernel directly to look at its state.
    pub fn test(index: u64, feat: FeatureFrame) -> Self {
        Env {
            t: index as f32 / 24.0,
            dt: 1.0 / 24.0,
            fps: 24.0,
            index,
            seed: 5,
            react: 1.0,
            feat,
            spectrum: &[],
            fresh: index == 0,
        }
    }
}

/// An effect implementation: static description plus the per-frame draw.
pub trait Kernel: Default + Send + 'static {
    /// Registry name.
    const NAME: &'static str;
    /// One-line description.
    const DOC: &'static str;
    /// Parameters; index 0 is `speed` and index 1 is `react`.
    const PARAMS: &'static [ParamSpec];
    /// Keeps state between frames (advances once per call).
    const STATEFUL: bool = false;
    /// Writes `hue` and/or `pick` (those buffers then get sanitized too).
    const WRITES_HUE_PICK: bool = false;
    /// Particle systems: the count parameter the quality profile caps.
    const CAP: Option<super::ParticleCap> = None;

    /// Fill `out` (already reset by the caller) for one frame. `p` holds one clamped value per
    /// entry of `PARAMS`. `geo` has at least one cell and consistent cache lengths.
    fn draw(&mut self, geo: &GridGeom, p: &[f32], env: &Env, out: &mut FieldBuf);
}

/// The registry entry of a kernel.
pub const fn spec<K: Kernel>() -> EffectSpec {
    EffectSpec {
        name: K::NAME,
        doc: K::DOC,
        params: K::PARAMS,
        stateful: K::STATEFUL,
        cap: K::CAP,
        make: make::<K>,
    }
}

fn make<K: Kernel>() -> Box<dyn Effect> {
    Box::new(Runner::<K>::default())
}

/// What a stateful effect's state was built for.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Key {
    cols: usize,
    rows: usize,
    cell_w: usize,
    cell_h: usize,
    seed: u64,
}

/// Wraps a kernel with the checks every effect needs, so none of them can panic or emit NaN.
#[derive(Default)]
struct Runner<K> {
    kernel: K,
    key: Option<Key>,
    last_index: u64,
}

impl<K: Kernel> Effect for Runner<K> {
    fn render(&mut self, geo: &GridGeom, params: &[f32], ctx: &EffectCtx, out: &mut FieldBuf) {
        let n = geo.len();
        out.fit(n);
        if n == 0 || !geom_consistent(geo) {
            return;
        }
        let mut p = [0.0f32; MAX_PARAMS];
        for (i, s) in K::PARAMS.iter().enumerate().take(MAX_PARAMS) {
            p[i] = s.clamp(params.get(i).copied().unwrap_or(s.default));
        }
        let p = &p[..K::PARAMS.len().min(MAX_PARAMS)];
        let speed = p.first().copied().unwrap_or(1.0);
        let react = p.get(1).copied().unwrap_or(1.0);

        let key = Key {
            cols: geo.cols,
            rows: geo.rows,
            cell_w: geo.cell_w,
            cell_h: geo.cell_h,
            seed: ctx.seed,
        };
        let index = ctx.frame.index;
        let fresh = self.key != Some(key) || index < self.last_index;
        self.key = Some(key);
        self.last_index = index;

        let fps = if ctx.frame.fps.is_finite() && ctx.frame.fps >= 1.0 {
            ctx.frame.fps
        } else {
            24.0
        };
        let time = if ctx.frame.time.is_finite() {
            ctx.frame.time
        } else {
            (index as f64 / fps as f64) as f32
        };
        let mut feat = *ctx.features;
        for v in feat.0.iter_mut() {
            *v = super::math::clip01(*v);
        }
        let env = Env {
            t: time * speed,
            dt: speed.max(0.0) / fps,
            fps,
            index,
            seed: ctx.seed,
            react,
            feat,
            spectrum: ctx.spectrum,
            fresh,
        };
        self.kernel.draw(geo, p, &env, out);
        sanitize(out, K::WRITES_HUE_PICK);
    }
}

/// The caches of a hand-built `GridGeom` could be shorter than `cols × rows`; refuse those
/// instead of indexing out of bounds.
fn geom_consistent(geo: &GridGeom) -> bool {
    let n = geo.len();
    [
        &geo.col,
        &geo.row,
        &geo.dx,
        &geo.dy,
        &geo.dist,
        &geo.angle,
        &geo.dx_n,
        &geo.dy_n,
        &geo.dist_n,
    ]
    .iter()
    .all(|v| v.len() == n)
}

/// Enforce the output contract: value in [0, 1] without NaN, hue in [0, 1) or NaN, pick in
/// [0, 1) or -1.
fn sanitize(out: &mut FieldBuf, hue_pick: bool) {
    for v in out.value.iter_mut() {
        *v = super::math::clip01(*v);
    }
    if hue_pick {
        for h in out.hue.iter_mut() {
            if h.is_finite() {
                *h = (*h - super::math::floor_f(*h)).clamp(0.0, 0.999_999);
            } else {
                *h = f32::NAN;
            }
        }
        for k in out.pick.iter_mut() {
            *k = if *k >= 0.0 { k.min(0.999_999) } else { -1.0 };
        }
    }
}

/// `1 / min(half-width, half-height)` in column widths: multiplying `geo.dx`/`geo.dy` by it
/// gives coordinates where the nearer screen edge is at ±1 (the same scale as `dist_n`), so a
/// pattern covers the same part of the screen on every grid density.
pub fn inv_norm(geo: &GridGeom) -> f32 {
    let half_w = (geo.cols as f32 * 0.5).max(0.5);
    let half_h = (geo.rows as f32 * 0.5 * geo.aspect).max(0.5);
    1.0 / half_w.min(half_h)
}

/// The geometry caches of one grid row, each exactly as long as the row.
pub struct RowGeo<'a> {
    /// Row index.
    pub r: usize,
    /// Index of the row's first cell.
    pub start: usize,
    /// `geo.dx` of the row.
    pub dx: &'a [f32],
    /// `geo.dy` of the row.
    pub dy: &'a [f32],
    /// `geo.dist` of the row.
    pub dist: &'a [f32],
    /// `geo.dist_n` of the row.
    pub dist_n: &'a [f32],
    /// `geo.angle` of the row.
    pub angle: &'a [f32],
}

/// Run `f(row_geometry, row_slice)` over every row of `buf`, on the rayon pool for large
/// grids. `f` must compute each cell from its inputs alone, so the result does not depend on
/// the thread count. Equal-length row slices let the per-cell loops vectorize.
pub fn for_rows<F>(geo: &GridGeom, buf: &mut [f32], f: F)
where
    F: Fn(RowGeo, &mut [f32]) + Sync + Send,
{
    let cols = geo.cols.max(1);
    let run = |(r, row): (usize, &mut [f32])| {
        let start = r * cols;
        let n = row.len();
        let g = RowGeo {
            r,
            start,
            dx: &geo.dx[start..start + n],
            dy: &geo.dy[start..start + n],
            dist: &geo.dist[start..start + n],
            dist_n: &geo.dist_n[start..start + n],
            angle: &geo.angle[start..start + n],
        };
        f(g, row);
    };
    if geo.len() >= PAR_MIN_CELLS {
        buf.par_chunks_mut(cols).enumerate().for_each(run);
    } else {
        buf.chunks_mut(cols).enumerate().for_each(run);
    }
}
