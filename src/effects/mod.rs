//! Effects: value fields and character effects evaluated once per frame at cell resolution.
//!
//! An effect fills a [`FieldBuf`] (one value, hue and glyph pick per cell); the layer's
//! compositor turns that into glyphs and colours. Every effect has a `speed` (time multiplier)
//! and a `react` (scale of its built-in audio drivers, 0 = ignore the audio) parameter at
//! indices 0 and 1, and is deterministic: stateless fields are pure functions of (grid, params,
//! time, features, seed); stateful ones advance once per call and restart when the grid size
//! or seed changes or the frame index goes backwards.
//!
//! Spatial scales are relative to the screen (the nearer edge at ±1), so a preset looks the
//! same on every grid density and layered grids of different densities line up.
//!
//! Only `spectrum` (fractional block height, for a `" ▁▂▃▄▅▆▇█"` ramp), `matrix_rain`,
//! `hex_stream` and `block_corrupt` (their own glyph per cell, from the layer's palette) set
//! `pick`, and only `boids` (from its speed), `freq_waves` (per band), `hex_stream` and
//! `block_corrupt` set `hue` (shown by a layer with `hue = "effect"`); every other effect
//! leaves hue NaN and pick -1 for the layer to decide.
//!
//! Every particle system (`explosion`, `embers`, `starfield`, `boids`, `dissolve`, `orbit`,
//! `gravity_well`, `flow_field`) has the `trail` and `trail_fade` parameters
//! (`particles::Trails`).

mod kernel;
mod math;
mod noise;
mod particles;

mod attractor;
mod beams;
mod boids;
mod dissolve;
mod embers;
mod explosion;
mod fire;
mod flow;
mod glitch;
mod gravity;
mod life;
mod lines;
mod noise_fields;
mod orbit;
mod radial;
mod rain;
mod reaction;
mod sdf;
mod spectrum;
mod starfield;
mod voronoi;
mod waves;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod testutil;
#[cfg(test)]
mod timing;

use crate::features::FeatureFrame;
use crate::frame::FrameCtx;
use crate::grid::GridGeom;
use crate::params::ParamSpec;

use kernel::spec;

/// What an effect sees each frame.
pub struct EffectCtx<'a> {
    /// Frame index, time (s), fps and render seed.
    pub frame: FrameCtx,
    /// Audio features of this frame, all in [0, 1].
    pub features: &'a FeatureFrame,
    /// Log-spaced spectrum of this frame in [0, 1]; may be empty.
    pub spectrum: &'a [f32],
    /// Per-layer seed (already mixed with the render seed).
    pub seed: u64,
}

/// Per-cell outputs of an effect, each `geo.len()` long, row-major.
///
/// Reset before every call to: value 0, hue NaN ("no hue from the effect; the layer's colour
/// strategy decides"), pick -1 ("choose the glyph from value via the palette ramp"; a pick in
/// [0, 1) selects palette char `floor(pick · n)` directly).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FieldBuf {
    /// Brightness / ramp position, in [0, 1].
    pub value: Vec<f32>,
    /// Hue in [0, 1), or NaN.
    pub hue: Vec<f32>,
    /// Direct glyph choice in [0, 1), or -1.
    pub pick: Vec<f32>,
}

impl FieldBuf {
    /// A reset buffer for `n` cells.
    pub fn new(n: usize) -> Self {
        FieldBuf {
            value: vec![0.0; n],
            hue: vec![f32::NAN; n],
            pick: vec![-1.0; n],
        }
    }

    /// Number of cells.
    pub fn len(&self) -> usize {
        self.value.len()
    }

    /// True when the buffer holds no cells.
    pub fn is_empty(&self) -> bool {
        self.value.is_empty()
    }

    /// Reset every cell (value 0, hue NaN, pick -1).
    pub fn reset(&mut self) {
        self.value.fill(0.0);
        self.hue.fill(f32::NAN);
        self.pick.fill(-1.0);
    }

    /// Make all three buffers `n` long; any resize resets the whole buffer (no allocation
    /// when the size already matches).
    pub fn fit(&mut self, n: usize) {
        if self.value.len() != n || self.hue.len() != n || self.pick.len() != n {
            self.value.clear();
            self.value.resize(n, 0.0);
            self.hue.clear();
            self.hue.resize(n, f32::NAN);
            self.pick.clear();
            self.pick.resize(n, -1.0);
        }
    }
}

/// A running effect instance.
pub trait Effect: Send {
    /// Compute one frame into `out` (which the caller has reset). `params` has one value per
    /// entry of the spec's params, in order, already clamped; missing or NaN entries fall back
    /// to the defaults. Never panics; a mis-sized `out` is resized.
    fn render(&mut self, geo: &GridGeom, params: &[f32], ctx: &EffectCtx, out: &mut FieldBuf);
}

/// Registry entry of an effect.
#[derive(Clone, Copy)]
pub struct EffectSpec {
    /// Name used in presets.
    pub name: &'static str,
    /// One-line description.
    pub doc: &'static str,
    /// Parameters in order; index 0 is `speed`, index 1 is `react`.
    pub params: &'static [ParamSpec],
    /// Keeps state between frames (so frames must be rendered in order).
    pub stateful: bool,
    /// Particle systems: the parameter capped by the quality profile, and the caps.
    pub cap: Option<ParticleCap>,
    /// Create a fresh instance.
    pub make: fn() -> Box<dyn Effect>,
}

/// How many particles a quality profile allows (the reference's `particles_max` table:
/// `draft` renders use `low`, `preview` `standard`, `production` and `max` `high`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ParticleTier {
    /// Draft renders.
    Low,
    /// Preview renders.
    Standard,
    /// Production and max renders, the live preview and stills.
    #[default]
    High,
}

/// The cap of one particle system's count parameter per [`ParticleTier`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ParticleCap {
    /// The parameter the cap applies to (a count of particles).
    pub param: &'static str,
    /// Most particles at `low`, `standard` and `high`.
    pub caps: [f32; 3],
}

impl ParticleCap {
    /// The cap at `tier`.
    pub fn at(&self, tier: ParticleTier) -> f32 {
        self.caps[tier as usize]
    }
}

impl std::fmt::Debug for EffectSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EffectSpec")
            .field("name", &self.name)
            .field("params", &self.params.len())
            .field("stateful", &self.stateful)
            .finish()
    }
}

static ALL: [EffectSpec; 38] = [
    spec::<waves::Aurora>(),
    spec::<glitch::BlockCorrupt>(),
    spec::<boids::Boids>(),
    spec::<waves::Diamond>(),
    spec::<dissolve::Dissolve>(),
    spec::<noise_fields::DomainWarp>(),
    spec::<embers::Embers>(),
    spec::<explosion::Explosion>(),
    spec::<noise_fields::Fbm>(),
    spec::<fire::Fire>(),
    spec::<flow::FlowField>(),
    spec::<lines::FreqWaves>(),
    spec::<life::GameOfLife>(),
    spec::<beams::Glow>(),
    spec::<gravity::GravityWell>(),
    spec::<glitch::HexStream>(),
    spec::<waves::Interference>(),
    spec::<rain::MatrixRain>(),
    spec::<noise_fields::Noise>(),
    spec::<orbit::Orbit>(),
    spec::<waves::Plasma>(),
    spec::<beams::Rays>(),
    spec::<reaction::ReactionDiffusion>(),
    spec::<radial::Rings>(),
    spec::<radial::Ripple>(),
    spec::<glitch::ScanBars>(),
    spec::<sdf::SdfShapes>(),
    spec::<waves::SineField>(),
    spec::<spectrum::Spectrum>(),
    spec::<radial::Spiral>(),
    spec::<starfield::Starfield>(),
    spec::<noise_fields::Static>(),
    spec::<attractor::StrangeAttractor>(),
    spec::<noise_fields::TemporalNoise>(),
    spec::<radial::Tunnel>(),
    spec::<voronoi::Voronoi>(),
    spec::<radial::Vortex>(),
    spec::<lines::Waveform>(),
];

/// Every effect, sorted by name.
pub fn all() -> &'static [EffectSpec] {
    &ALL
}

/// Look an effect up by name.
pub fn find(name: &str) -> Option<&'static EffectSpec> {
    ALL.binary_search_by(|s| s.name.cmp(name))
        .ok()
        .map(|i| &ALL[i])
}

/// Up to 3 effect names close to `name` (for "unknown effect" errors), best first.
pub fn closest(name: &str) -> Vec<&'static str> {
    let query = name.to_ascii_lowercase();
    let mut scored: Vec<(usize, &'static str)> = ALL
        .iter()
        .filter_map(|s| {
            let d = edit_distance(&query, s.name);
            // a substring match ("rain" → "matrix_rain") is a strong hint whatever the distance
            let d = if !query.is_empty() && s.name.contains(query.as_str()) {
                d.min(1)
            } else {
                d
            };
            (d <= (s.name.len().max(query.len()) / 2).max(2)).then_some((d, s.name))
        })
        .collect();
    scored.sort();
    scored.into_iter().take(3).map(|(_, n)| n).collect()
}

/// Levenshtein distance over bytes (names are ASCII).
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, &ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}
