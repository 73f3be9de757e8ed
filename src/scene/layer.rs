//! A layer at run time: effect → value field → glyphs and colours → pixels.

use std::sync::Arc;

use super::mask::{self, Mask, MaskGrid, MaskOp, MaskSpec};
use super::param::ParamTrack;
use super::preset::{LayerSpec, parse_hex};
use super::uv::{self, Transform, TransformSpec, UvCtx};
use crate::compose::BlendMode;
use crate::compose::color::{Gradient, Harmony, hsv_to_rgb, oklab_to_rgb, oklch_to_oklab};
use crate::effects::{Effect, EffectCtx, EffectSpec, FieldBuf};
use crate::features::{Feature, FeatureFrame, Features};
use crate::frame::{Frame, FrameCtx};
use crate::glyph::{GlyphAtlas, GlyphId};
use crate::grid::{CellGrid, GridGeom};
use crate::raster::{Placement, draw_grid, draw_grid_fresh, draw_grid_linear};
use crate::video::{ConvertOptions, Converter};

/// Where a layer's hue comes from (`hsv` colour mode).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HueSource {
    /// A constant hue.
    Fixed,
    /// Around the centre.
    Angle,
    /// Outward from the centre.
    Distance,
    /// Cycling over time.
    Time,
    /// Following the spectral centroid.
    Centroid,
    /// Following the cell's value (fire, heat).
    Value,
    /// Supplied by the effect (falls back to `hue_base`).
    Effect,
    /// Left to right.
    GradientH,
    /// Top to bottom.
    GradientV,
    /// A slowly moving plasma.
    Plasma,
    /// Blue for low values to orange for high ones.
    Temperature,
    /// Around the centre like `Angle`, but an OKLCH colour (even lightness and chroma) instead
    /// of an HSV hue: the reference's `hf_oklch_angle`.
    OklchAngle,
}

impl HueSource {
    fn from_name(s: &str) -> HueSource {
        match s {
            "fixed" => HueSource::Fixed,
            "distance" => HueSource::Distance,
            "time" => HueSource::Time,
            "centroid" => HueSource::Centroid,
            "value" => HueSource::Value,
            "effect" => HueSource::Effect,
            "gradient_h" => HueSource::GradientH,
            "gradient_v" => HueSource::GradientV,
            "plasma" => HueSource::Plasma,
            "temperature" => HueSource::Temperature,
            "oklch_angle" => HueSource::OklchAngle,
            _ => HueSource::Angle,
        }
    }
}

/// How a layer colours its cells.
// One per layer, built once: the size of the `Hsv` variant's three tracks does not matter.
#[allow(clippy::large_enum_variant)]
pub enum Coloring {
    /// Hue field + saturation, value as brightness.
    Hsv {
        /// Hue source.
        source: HueSource,
        /// Hue offset.
        base: ParamTrack,
        /// Hue spread.
        scale: ParamTrack,
        /// Saturation.
        saturation: ParamTrack,
    },
    /// Discrete colours indexed by value.
    Table(Vec<[u8; 3]>),
    /// OKLAB gradient by value.
    Gradient(Gradient),
    /// One colour scaled by value.
    Mono([u8; 3]),
}

/// A layer ready to render.
pub struct Layer {
    /// On/off.
    pub enabled: bool,
    /// The effect's description.
    pub spec: &'static EffectSpec,
    effect: Box<dyn Effect>,
    /// One track per effect parameter, in spec order.
    pub params: Vec<ParamTrack>,
    values: Vec<f32>,
    geo: GridGeom,
    place: Placement,
    atlas: Arc<GlyphAtlas>,
    ramp: Vec<GlyphId>,
    /// Blend mode.
    pub blend: BlendMode,
    /// Opacity.
    pub opacity: ParamTrack,
    threshold: f32,
    char_gamma: ParamTrack,
    brightness: ParamTrack,
    /// Colouring.
    pub coloring: Coloring,
    field: FieldBuf,
    cells: CellGrid,
    seed: u64,
    video: Option<VideoState>,
    text: Option<crate::text::TextState>,
    /// Blend in linear light.
    pub linear: bool,
    /// Particle systems: (parameter index, most particles) from the quality profile.
    cap: Option<(usize, f32)>,
    transforms: Vec<TransformSlot>,
    masks: Vec<MaskSlot>,
    /// Per-frame scratch, sized once: parameter values, prepared steps, the sample map,
    /// the moved field and the mask values.
    scratch: Scratch,
}

/// A coordinate transform of the layer at run time.
struct TransformSlot {
    kind: Transform,
    spec: &'static TransformSpec,
    params: Vec<ParamTrack>,
}

/// A mask of the layer at run time.
struct MaskSlot {
    kind: Mask,
    spec: &'static MaskSpec,
    op: MaskOp,
    invert: bool,
    params: Vec<ParamTrack>,
    /// `field` masks: the effect drawing the shape, on the layer's grid.
    field: Option<FieldSource>,
}

/// The effect behind a `field` mask, with its parameters and its last rendered field.
struct FieldSource {
    spec: &'static EffectSpec,
    effect: Box<dyn Effect>,
    params: Vec<ParamTrack>,
    values: Vec<f32>,
    buf: FieldBuf,
    seed: u64,
}

impl FieldSource {
    fn new(
        spec: &'static EffectSpec,
        given: &std::collections::BTreeMap<toml::Spanned<String>, super::Param>,
        features: &Features,
        seed: u64,
    ) -> FieldSource {
        let params = tracks(spec.params, given, features);
        FieldSource {
            spec,
            effect: (spec.make)(),
            values: vec![0.0; params.len()],
            params,
            buf: FieldBuf::default(),
            seed,
        }
    }

    /// Render this frame's field on `geo`.
    fn render(&mut self, geo: &GridGeom, ctx: &FrameCtx, feats: &FeatureFrame, spectrum: &[f32]) {
        let fi = ctx.index as usize;
        for (v, (t, ps)) in self
            .values
            .iter_mut()
            .zip(self.params.iter().zip(self.spec.params))
        {
            *v = ps.clamp(t.value(fi));
        }
        self.buf.fit(geo.len());
        self.buf.reset();
        let ectx = EffectCtx {
            frame: *ctx,
            features: feats,
            spectrum,
            seed: self.seed,
        };
        self.effect.render(geo, &self.values, &ectx, &mut self.buf);
    }
}

#[derive(Default)]
struct Scratch {
    values: Vec<f32>,
    uv_steps: Vec<uv::Prepared>,
    uv_map: Vec<u32>,
    moved: FieldBuf,
    moved_cells: Vec<crate::grid::Cell>,
    mask_steps: Vec<mask::Step>,
    mask: Vec<f32>,
}

/// One track per parameter of `specs`, from a step's `params` table (defaults for the rest).
fn tracks(
    specs: &[crate::params::ParamSpec],
    given: &std::collections::BTreeMap<toml::Spanned<String>, super::Param>,
    features: &Features,
) -> Vec<ParamTrack> {
    specs
        .iter()
        .map(|ps| ParamTrack::new(&super::Param::for_spec(ps, given), features))
        .collect()
}

/// A video layer's converter and its last conversion (reused while the frame is unchanged).
struct VideoState {
    conv: Converter,
    /// Cells as converted, before the layer's brightness.
    raw: CellGrid,
    /// Generation of the frame `raw` was converted from (0 = none yet).
    converted: u64,
    /// Options `raw` was converted with.
    options: ConvertOptions,
}

/// Everything a layer needs that the scene prepares (atlas and ramp for its grid and palette).
pub struct LayerSetup {
    /// The atlas of the layer's grid size.
    pub atlas: Arc<GlyphAtlas>,
    /// The palette's glyphs, dark to bright, `ramp[0]` blank.
    pub ramp: Vec<GlyphId>,
    /// Output width in pixels.
    pub width: usize,
    /// Output height in pixels.
    pub height: usize,
    /// Seed of this layer (render seed mixed with the layer index and its own seed).
    pub seed: u64,
    /// Text layers: the cues, and a stencil's letter atlas (one glyph pixel per cell).
    pub text: Option<(Arc<crate::text::Cues>, Option<Arc<GlyphAtlas>>)>,
}

impl Layer {
    /// Build a layer from its (validated) spec.
    pub fn new(spec: &LayerSpec, setup: LayerSetup, features: &Features) -> Layer {
        let effect_spec = if spec.is_video() {
            &crate::video::VIDEO_EFFECT
        } else if spec.is_text() {
            &crate::text::LYRICS_EFFECT
        } else {
            crate::effects::find(spec.effect.get_ref()).expect("validated preset")
        };
        let params = tracks(effect_spec.params, &spec.params, features);
        let m = setup.atlas.metrics;
        let place = Placement::fit(setup.width, setup.height, m.width, m.height);
        let geo = GridGeom::new(place.cols, place.rows, m.width, m.height);
        let c = &spec.color;
        let colors: Vec<[u8; 3]> = c
            .colors
            .iter()
            .filter_map(|s| parse_hex(s.get_ref()))
            .collect();
        let coloring = match c.mode.get_ref().as_str() {
            "palette" => {
                let name = c
                    .palette
                    .as_ref()
                    .map(|p| p.get_ref().as_str())
                    .unwrap_or("neon");
                let pal = crate::palette::Palettes::builtin().color_palette(name);
                Coloring::Table(
                    pal.map(|p| p.colors.clone())
                        .unwrap_or_else(|| vec![[255; 3]]),
                )
            }
            "gradient" => Coloring::Gradient(Gradient::oklab(&colors)),
            "oklch" => Coloring::Gradient(Gradient::oklch(&colors)),
            "mono" => Coloring::Mono(colors.first().copied().unwrap_or([255; 3])),
            "harmony" => {
                let h = c
                    .harmony
                    .as_ref()
                    .and_then(|h| Harmony::from_name(h.get_ref()))
                    .unwrap_or(Harmony::Complementary);
                Coloring::Table(h.colors(colors.first().copied().unwrap_or([255, 0, 102])))
            }
            _ => Coloring::Hsv {
                source: HueSource::from_name(c.hue.get_ref()),
                base: ParamTrack::new(&c.hue_base, features),
                scale: ParamTrack::new(&c.hue_scale, features),
                saturation: ParamTrack::new(&c.saturation, features),
            },
        };
        let n = geo.len();
        let video = spec.is_video().then(|| VideoState {
            conv: Converter::new(setup.atlas.clone(), &setup.ramp, spec.video_options()),
            raw: CellGrid::new(geo.cols, geo.rows),
            converted: 0,
            options: spec.video_options(),
        });
        Layer {
            enabled: spec.enabled,
            spec: effect_spec,
            effect: (effect_spec.make)(),
            values: vec![0.0; params.len()],
            params,
            place,
            atlas: setup.atlas,
            ramp: setup.ramp,
            blend: BlendMode::from_name(spec.blend.get_ref()).unwrap_or_default(),
            opacity: ParamTrack::new(&spec.opacity, features),
            threshold: spec.threshold,
            char_gamma: ParamTrack::new(&spec.char_gamma, features),
            brightness: ParamTrack::new(&spec.brightness, features),
            coloring,
            field: FieldBuf::new(n),
            cells: CellGrid::new(geo.cols, geo.rows),
            geo,
            seed: setup.seed,
            video,
            text: setup.text.and_then(|(cues, stencil)| {
                let l = spec.lyrics.as_ref()?;
                Some(crate::text::TextState::new(l, cues, stencil))
            }),
            linear: spec.linear,
            cap: cap_of(effect_spec, crate::effects::ParticleTier::High),
            transforms: spec
                .transform
                .iter()
                .filter_map(|t| {
                    let (kind, spec) = uv::find(t.name.get_ref())?;
                    Some(TransformSlot {
                        kind,
                        spec,
                        params: tracks(spec.params, &t.params, features),
                    })
                })
                .collect(),
            masks: spec
                .mask
                .iter()
                .enumerate()
                .filter_map(|(k, m)| {
                    let (kind, spec) = mask::find(m.name.get_ref())?;
                    let field = m
                        .effect
                        .as_ref()
                        .and_then(|e| crate::effects::find(e.get_ref()))
                        .map(|e| {
                            let seed = crate::rng::hash3(setup.seed, 0x4d41_534b, k as u64, 0);
                            FieldSource::new(e, &m.effect_params, features, seed)
                        });
                    Some(MaskSlot {
                        kind,
                        spec,
                        op: m
                            .op
                            .as_ref()
                            .and_then(|o| MaskOp::from_name(o.get_ref()))
                            .unwrap_or_default(),
                        invert: m.invert,
                        params: tracks(spec.params, &m.params, features),
                        field,
                    })
                })
                .collect(),
            scratch: Scratch::default(),
        }
    }

    /// Apply the quality profile's particle cap (no effect on layers that are not particle
    /// systems): the capped count parameter never exceeds the tier's cap, whatever the preset
    /// or its modulation asks for.
    pub fn set_particle_tier(&mut self, tier: crate::effects::ParticleTier) {
        self.cap = cap_of(self.spec, tier);
    }

    /// Whether the layer's frames depend on earlier frames: its effect, or the effect of one
    /// of its `field` masks, keeps state.
    pub fn is_stateful(&self) -> bool {
        self.spec.stateful
            || self
                .masks
                .iter()
                .any(|m| m.field.as_ref().is_some_and(|f| f.spec.stateful))
    }

    /// Whether this layer shows the input video.
    pub fn is_video(&self) -> bool {
        self.video.is_some()
    }

    /// Whether this layer shows timed text.
    pub fn is_text(&self) -> bool {
        self.text.is_some()
    }

    /// A text stencil's mask as of the last update, one value per cell (empty otherwise).
    pub fn stencil_mask(&self) -> &[f32] {
        self.text.as_ref().map_or(&[], |t| t.mask())
    }

    /// The conversion options of a video layer.
    pub fn video_options(&self) -> Option<ConvertOptions> {
        self.video.as_ref().map(|v| v.conv.options)
    }

    /// Change a video layer's conversion options (no effect on other layers).
    pub fn set_video_options(&mut self, f: impl FnOnce(&mut ConvertOptions)) {
        if let Some(v) = self.video.as_mut() {
            f(&mut v.conv.options);
        }
    }

    /// Fill a video layer's cells from `frame` (generation `generation`; the conversion is
    /// skipped when neither the frame nor the options changed, e.g. for a still image).
    /// Its transforms and masks then apply to the converted cells.
    pub fn update_video(
        &mut self,
        ctx: &FrameCtx,
        frame: Option<&Frame>,
        generation: u64,
        feats: &FeatureFrame,
        spectrum: &[f32],
    ) {
        let fi = ctx.index as usize;
        for (v, (t, spec)) in self
            .values
            .iter_mut()
            .zip(self.params.iter().zip(self.spec.params))
        {
            *v = spec.clamp(t.value(fi));
        }
        let Some(video) = self.video.as_mut() else {
            return;
        };
        let Some(frame) = frame else {
            self.cells.cells.fill(Default::default());
            return;
        };
        let o = &mut video.conv.options;
        o.gamma = self.values[0];
        o.edge_threshold = self.values[1];
        o.coherence = self.values[2];
        if video.converted != generation || video.options != *o {
            video.options = *o;
            video.conv.convert(frame, self.place, &mut video.raw);
            video.converted = generation;
        }
        let bright = self.brightness.value(fi).clamp(0.0, 4.0);
        if self.cells.cells.len() != video.raw.cells.len() {
            self.cells = video.raw.clone();
        }
        for (dst, src) in self.cells.cells.iter_mut().zip(&video.raw.cells) {
            *dst = *src;
            if bright != 1.0 {
                dst.fg = scale(src.fg, bright);
                dst.bg = scale(src.bg, bright);
            }
        }
        self.move_cells(ctx, feats);
        self.mask_cells(ctx, feats, spectrum);
    }

    /// The grid size of this layer in cells.
    pub fn grid_size(&self) -> (usize, usize) {
        (self.geo.cols, self.geo.rows)
    }

    /// The layer's cells as of the last [`Layer::render`] (for the terminal preview).
    pub fn cells(&self) -> &CellGrid {
        &self.cells
    }

    /// The atlas this layer draws with.
    pub fn atlas(&self) -> &GlyphAtlas {
        &self.atlas
    }

    /// Evaluate the effect and fill the cell grid for frame `ctx.index`.
    pub fn update(&mut self, ctx: &FrameCtx, feats: &FeatureFrame, spectrum: &[f32]) {
        let fi = ctx.index as usize;
        for (v, (t, spec)) in self
            .values
            .iter_mut()
            .zip(self.params.iter().zip(self.spec.params))
        {
            *v = spec.clamp(t.value(fi));
        }
        if let Some((i, most)) = self.cap {
            self.values[i] = self.values[i].min(most);
        }
        self.field.reset();
        let ectx = EffectCtx {
            frame: *ctx,
            features: feats,
            spectrum,
            seed: self.seed,
        };
        match self.text.as_mut() {
            Some(text) => text.render(&self.geo, &self.values, &ectx, &mut self.field),
            None => self
                .effect
                .render(&self.geo, &self.values, &ectx, &mut self.field),
        }
        self.move_field(ctx, feats);
        self.mask_field(ctx, feats, spectrum);
        self.fill_cells(ctx, feats);
    }

    /// This frame's sample map of the layer's coordinate transforms into `scratch.uv_map`
    /// (the source cell of every cell, `u32::MAX` off the grid); false without transforms.
    fn uv_map(&mut self, ctx: &FrameCtx, feats: &FeatureFrame) -> bool {
        if self.transforms.is_empty() {
            return false;
        }
        let fi = ctx.index as usize;
        let (cols, rows) = (self.geo.cols, self.geo.rows);
        let frame = uv::Frame::new(cols, rows, self.geo.aspect);
        let uctx = UvCtx {
            t: ctx.time,
            index: ctx.index,
            seed: self.seed,
            feat: feats,
        };
        let sc = &mut self.scratch;
        sc.uv_steps.clear();
        for t in &self.transforms {
            sc.values.clear();
            sc.values.extend(
                t.params
                    .iter()
                    .zip(t.spec.params)
                    .map(|(track, ps)| ps.clamp(track.value(fi))),
            );
            sc.uv_steps.push(t.kind.prepare(&sc.values, &frame, &uctx));
        }
        uv::sample_map(&sc.uv_steps, &frame, cols, rows, &mut sc.uv_map);
        true
    }

    /// Apply the layer's coordinate transforms: every cell takes the value, hue and pick of
    /// the cell its moved coordinates land on (nothing when they leave the grid).
    fn move_field(&mut self, ctx: &FrameCtx, feats: &FeatureFrame) {
        if !self.uv_map(ctx, feats) {
            return;
        }
        let sc = &mut self.scratch;
        let n = self.field.len();
        sc.moved.fit(n);
        for (i, &src) in sc.uv_map.iter().enumerate().take(n) {
            let s = src as usize;
            if src == u32::MAX || s >= n {
                sc.moved.value[i] = 0.0;
                sc.moved.hue[i] = f32::NAN;
                sc.moved.pick[i] = -1.0;
            } else {
                sc.moved.value[i] = self.field.value[s];
                sc.moved.hue[i] = self.field.hue[s];
                sc.moved.pick[i] = self.field.pick[s];
            }
        }
        std::mem::swap(&mut self.field, &mut sc.moved);
    }

    /// A video layer's transforms: every cell takes the converted cell (glyph and colours) its
    /// moved coordinates land on, blank when they leave the grid.
    fn move_cells(&mut self, ctx: &FrameCtx, feats: &FeatureFrame) {
        if !self.uv_map(ctx, feats) {
            return;
        }
        let sc = &mut self.scratch;
        let cells = &mut self.cells.cells;
        sc.moved_cells.clear();
        sc.moved_cells
            .extend(sc.uv_map.iter().take(cells.len()).map(|&src| {
                cells
                    .get(src as usize)
                    .copied()
                    .filter(|_| src != u32::MAX)
                    .unwrap_or_default()
            }));
        for (dst, src) in cells.iter_mut().zip(&sc.moved_cells) {
            *dst = *src;
        }
    }

    /// This frame's combined mask into `scratch.mask` (rendering the fields of `field` masks);
    /// false without masks.
    fn mask_values(&mut self, ctx: &FrameCtx, feats: &FeatureFrame, spectrum: &[f32]) -> bool {
        if self.masks.is_empty() {
            return false;
        }
        let fi = ctx.index as usize;
        for f in self.masks.iter_mut().filter_map(|m| m.field.as_mut()) {
            f.render(&self.geo, ctx, feats, spectrum);
        }
        let sc = &mut self.scratch;
        sc.mask_steps.clear();
        for (k, m) in self.masks.iter().enumerate() {
            sc.values.clear();
            sc.values.extend(
                m.params
                    .iter()
                    .zip(m.spec.params)
                    .map(|(track, ps)| ps.clamp(track.value(fi))),
            );
            sc.mask_steps.push(mask::Step {
                mask: m.kind.prepare(&sc.values, self.seed),
                op: m.op,
                invert: m.invert,
                field: m.field.as_ref().map(|_| k),
            });
        }
        let g = &self.geo;
        let grid = MaskGrid {
            cols: g.cols,
            rows: g.rows,
            ratio: (g.cols * g.cell_w) as f32 / (g.rows * g.cell_h).max(1) as f32,
        };
        let masks = &self.masks;
        let field = |k: usize, cell: usize| {
            masks[k]
                .field
                .as_ref()
                .and_then(|f| f.buf.value.get(cell).copied())
                .unwrap_or(0.0)
        };
        mask::evaluate(&sc.mask_steps, &grid, field, &mut sc.mask);
        true
    }

    /// Scale the field by the layer's combined masks.
    fn mask_field(&mut self, ctx: &FrameCtx, feats: &FeatureFrame, spectrum: &[f32]) {
        if self.mask_values(ctx, feats, spectrum) {
            for (v, m) in self.field.value.iter_mut().zip(&self.scratch.mask) {
                *v *= m;
            }
        }
    }

    /// A video layer's masks: colours scaled by the mask, cells where it is 0 left blank (so
    /// what lies beneath shows, whatever the blend mode).
    fn mask_cells(&mut self, ctx: &FrameCtx, feats: &FeatureFrame, spectrum: &[f32]) {
        if !self.mask_values(ctx, feats, spectrum) {
            return;
        }
        for (c, &m) in self.cells.cells.iter_mut().zip(&self.scratch.mask) {
            if m <= 0.0 {
                *c = Default::default();
            } else if m < 1.0 {
                c.fg = scale(c.fg, m);
                c.bg = scale(c.bg, m);
            }
        }
    }

    /// Draw the cells (from the last [`Layer::update`]) onto `frame`; a text stencil instead
    /// masks what is already there.
    pub fn draw(&mut self, frame: &mut Frame, index: u64) {
        let op = self.opacity.value(index as usize).clamp(0.0, 1.0);
        if let Some(t) = self.text.as_mut() {
            if t.is_stencil() {
                t.apply_stencil(frame, &self.geo, self.place, op);
                return;
            }
            t.apply_backdrop(frame, &self.geo, self.place, op);
        }
        if self.linear {
            let (c, a, p) = (&self.cells, &self.atlas, self.place);
            draw_grid_linear(frame, c, a, p, self.blend, op, false);
        } else {
            draw_grid(frame, &self.cells, &self.atlas, self.place, self.blend, op);
        }
    }

    /// [`Layer::draw`] onto a black frame, replacing whatever `frame` held (cheaper than
    /// clearing it first).
    pub fn draw_fresh(&mut self, frame: &mut Frame, index: u64) {
        let op = self.opacity.value(index as usize).clamp(0.0, 1.0);
        if self.text.as_ref().is_some_and(|t| t.is_stencil()) {
            frame.clear(); // a stencil over nothing reveals black
            return;
        }
        if self.linear {
            let (c, a, p) = (&self.cells, &self.atlas, self.place);
            draw_grid_linear(frame, c, a, p, self.blend, op, true);
        } else {
            draw_grid_fresh(frame, &self.cells, &self.atlas, self.place, self.blend, op);
        }
    }

    fn fill_cells(&mut self, ctx: &FrameCtx, feats: &FeatureFrame) {
        let fi = ctx.index as usize;
        let t = ctx.time;
        let n_ramp = self.ramp.len();
        let gamma = self.char_gamma.value(fi).clamp(0.1, 10.0);
        let bright = self.brightness.value(fi).clamp(0.0, 4.0);
        let threshold = self.threshold;
        let cols = self.geo.cols.max(1) as f32;
        let rows = self.geo.rows.max(1) as f32;
        let (hue_base, hue_scale, sat, source) = match &self.coloring {
            Coloring::Hsv {
                source,
                base,
                scale,
                saturation,
            } => (
                base.value(fi),
                scale.value(fi),
                saturation.value(fi),
                Some(*source),
            ),
            _ => (0.0, 0.0, 0.0, None),
        };
        let centroid = feats.get(Feature::Centroid);
        for i in 0..self.geo.len() {
            let v = self.field.value[i];
            let cell = &mut self.cells.cells[i];
            if v.is_nan() || v <= threshold || n_ramp < 2 {
                cell.glyph = 0;
                continue;
            }
            let pick = self.field.pick[i];
            // powf is a libm call per cell; the default gamma of 1 needs none (same value).
            let sel = if pick >= 0.0 {
                pick
            } else if gamma == 1.0 {
                v
            } else {
                v.powf(gamma)
            };
            let k = 1 + ((sel * (n_ramp - 1) as f32) as usize).min(n_ramp - 2);
            cell.glyph = self.ramp[k];
            let lum = (v * bright).clamp(0.0, 1.0);
            cell.fg = match (&self.coloring, source) {
                (Coloring::Hsv { .. }, Some(src)) => {
                    let g = &self.geo;
                    let h = match src {
                        HueSource::Fixed => hue_base,
                        HueSource::Angle | HueSource::OklchAngle => {
                            hue_base + hue_scale * g.angle[i] / std::f32::consts::TAU + 0.05 * t
                        }
                        HueSource::Distance => hue_base + hue_scale * g.dist_n[i] * 0.3 + 0.03 * t,
                        HueSource::Time => hue_base + hue_scale * 0.1 * t,
                        HueSource::Centroid => hue_base + hue_scale * 0.3 * centroid,
                        HueSource::Value => hue_base + hue_scale * 0.15 * v,
                        HueSource::Effect => {
                            let e = self.field.hue[i];
                            if e.is_finite() {
                                hue_base + e
                            } else {
                                hue_base
                            }
                        }
                        HueSource::GradientH => hue_base + hue_scale * g.col[i] / cols,
                        HueSource::GradientV => hue_base + hue_scale * g.row[i] / rows,
                        HueSource::Plasma => {
                            let p = (g.dx[i] * 0.05 + t * 0.3).sin()
                                + (g.dy[i] * 0.07 - t * 0.2).sin()
                                + (g.dist[i] * 0.04 + t * 0.25).sin();
                            hue_base + hue_scale * 0.15 * p
                        }
                        HueSource::Temperature => hue_base + 0.6 - 0.55 * hue_scale * v,
                    };
                    if src == HueSource::OklchAngle {
                        // the reference's lightness 0.7; chroma 0.15 · saturation (0.12 at 0.8)
                        let c = 0.15 * sat.clamp(0.0, 2.0);
                        scale(oklab_to_rgb(oklch_to_oklab(OKLCH_L, c, h)), lum)
                    } else {
                        hsv_to_rgb(h, sat, lum)
                    }
                }
                (Coloring::Table(t), _) => {
                    let k = ((v * t.len() as f32) as usize).min(t.len() - 1);
                    scale(t[k], (0.35 + 0.65 * v) * bright)
                }
                (Coloring::Gradient(g), _) => scale(g.at(v), bright),
                (Coloring::Mono(c), _) => scale(*c, lum),
                (Coloring::Hsv { .. }, None) => [255, 255, 255],
            };
        }
    }
}

/// The (parameter index, cap) of a particle system at `tier`.
fn cap_of(spec: &EffectSpec, tier: crate::effects::ParticleTier) -> Option<(usize, f32)> {
    let c = spec.cap?;
    let i = spec.params.iter().position(|p| p.name == c.param)?;
    Some((i, c.at(tier)))
}

/// Lightness of the `oklch_angle` hue field's colours (the reference's default).
const OKLCH_L: f32 = 0.7;

#[inline]
fn scale(c: [u8; 3], k: f32) -> [u8; 3] {
    c.map(|x| (x as f32 * k).clamp(0.0, 255.0) as u8)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use crate::effects::ParticleTier;
    use crate::glyph::FontChain;
    use crate::scene::{Preset, Scene};

    #[test]
    fn particle_caps_follow_the_quality_tier_and_spare_other_effects() {
        let p = Preset::parse(
            "[[layers]]\neffect = \"embers\"\nparams = { count = 3000 }\n[[layers]]\neffect = \"plasma\"\n",
            "test",
        )
        .unwrap();
        let f = Arc::new(crate::audio::synthetic_features(120.0, 12.0, 2.0, 1));
        let mut s = Scene::new(&p, 160, 90, 1, &FontChain::bundled(), f).unwrap();
        for (tier, want) in [
            (ParticleTier::High, 3000.0),
            (ParticleTier::Standard, 1500.0),
            (ParticleTier::Low, 500.0),
        ] {
            s.set_particle_tier(tier);
            s.update(3);
            assert_eq!(s.layers[0].values[2], want, "{tier:?}");
            assert_eq!(s.layers[1].cap, None);
        }
    }

    #[test]
    fn oklch_angle_colours_keep_an_even_lightness_where_hsv_angle_does_not() {
        let f = Arc::new(crate::audio::synthetic_features(120.0, 12.0, 2.0, 1));
        // brightness 4 and threshold 0.3: every drawn cell is at full brightness
        let spread = |hue: &str| {
            let p = Preset::parse(
                &format!(
                    "[[layers]]\neffect = \"plasma\"\nbrightness = 4\nthreshold = 0.3\ncolor = {{ hue = \"{hue}\" }}\n"
                ),
                "test",
            )
            .unwrap();
            let mut s = Scene::new(&p, 320, 180, 1, &FontChain::bundled(), f.clone()).unwrap();
            s.update(5);
            let ls: Vec<f32> = s.layers[0]
                .cells()
                .cells
                .iter()
                .filter(|c| c.glyph != 0)
                .map(|c| crate::compose::color::rgb_to_oklab(c.fg)[0])
                .collect();
            assert!(ls.len() > 50, "{hue}: {} cells", ls.len());
            let lo = ls.iter().copied().fold(f32::MAX, f32::min);
            let hi = ls.iter().copied().fold(f32::MIN, f32::max);
            (lo, hi)
        };
        let (lo, hi) = spread("oklch_angle");
        assert!(
            hi - lo < 0.03 && (lo - super::OKLCH_L).abs() < 0.03,
            "{lo}..{hi}"
        );
        let (lo, hi) = spread("angle");
        assert!(hi - lo > 0.15, "HSV hues vary in lightness: {lo}..{hi}");
    }
}
