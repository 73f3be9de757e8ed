//! Scenes: a preset bound to an output size, a seed and a track's features, ready to render
//! frames. The same `Scene` drives `render`, `preview` and `--test-frame`, so they agree exactly.

mod clock;
pub mod ease;
pub mod keyframe;
mod layer;
pub mod mask;
pub mod mood;
mod param;
pub mod preset;
pub mod timeline;
pub mod uv;

use std::collections::BTreeMap;
use std::sync::Arc;

pub use clock::{SceneClock, Window};
pub use layer::{Coloring, HueSource, Layer, LayerSetup};
pub use param::{Param, ParamTrack};
pub use preset::{Preset, PresetError};

use crate::compose::{BlendMode, Feedback, FeedbackParams, FeedbackTransform};
use crate::features::Features;
use crate::frame::{Frame, FrameCtx};
use crate::glyph::{FontChain, GlyphAtlas, MissingGlyph};
use crate::palette::{CharPalette, Palettes, load_char_palette_file};
use crate::shaders::{PendingRows, Shader, ShaderSpec, Tonemap};

/// A shader of the chain at run time.
pub struct ShaderSlot {
    /// On/off.
    pub enabled: bool,
    /// Its description.
    pub spec: &'static ShaderSpec,
    shader: Box<dyn Shader>,
    /// One track per parameter, in spec order.
    pub params: Vec<ParamTrack>,
    values: Vec<f32>,
}

struct FeedbackSlot {
    enabled: bool,
    state: Feedback,
    decay: ParamTrack,
    blend: BlendMode,
    opacity: ParamTrack,
    transform: FeedbackTransform,
    amount: ParamTrack,
    hue_shift: ParamTrack,
}

/// Why a scene could not be built.
#[derive(Debug, thiserror::Error)]
pub enum SceneError {
    /// A user palette file failed to load.
    #[error(transparent)]
    Palette(#[from] crate::palette::PaletteError),
    /// A text layer's file failed to load.
    #[error(transparent)]
    Text(#[from] crate::text::TextError),
}

/// A preset ready to render frames of one size.
pub struct Scene {
    /// Output width.
    pub width: usize,
    /// Output height.
    pub height: usize,
    /// Render seed.
    pub seed: u64,
    /// Frame rate of the features (and of the output).
    pub fps: f32,
    /// Layers, bottom first.
    pub layers: Vec<Layer>,
    /// Shader chain.
    pub shaders: Vec<ShaderSlot>,
    feedback: Option<FeedbackSlot>,
    tonemap_on: bool,
    gamma: ParamTrack,
    tonemap: Tonemap,
    background: [u8; 3],
    features: Arc<Features>,
    missing: Vec<(String, MissingGlyph)>,
    video_frame: Frame,
    video_gen: u64,
}

/// Font size in pixels for a grid key at an output size (the table's sizes are for 1080 lines).
pub fn grid_px(key: &str, width: usize, height: usize) -> u32 {
    let base = preset::GRID_SIZES
        .iter()
        .find(|g| g.0 == key)
        .map(|g| g.1)
        .unwrap_or(16);
    let short = width.min(height).max(1) as f32;
    ((base as f32 * short / 1080.0).round() as u32).max(6)
}

fn load_palette(name: &str) -> Result<CharPalette, SceneError> {
    if let Some(p) = Palettes::builtin().char_palette(name) {
        return Ok(p.clone());
    }
    Ok(load_char_palette_file(std::path::Path::new(name))?)
}

impl Scene {
    /// Bind `preset` to an output size, a seed, fonts and a track's features, as the only
    /// scene of the track (`scene_time` is the track's time).
    pub fn new(
        preset: &Preset,
        width: usize,
        height: usize,
        seed: u64,
        fonts: &FontChain,
        features: Arc<Features>,
    ) -> Result<Scene, SceneError> {
        let clock = SceneClock::whole(features.len() as u64);
        Scene::with_clock(preset, width, height, seed, fonts, features, &clock)
    }

    /// [`Scene::new`] for one section of a timeline: the scene feature columns (`scene_time`,
    /// `scene_progress`, `transition`, `scene_weight`) follow `clock`. The scene keeps its own
    /// copy of the features, since two scenes drawn in one transition see different clocks.
    pub fn with_clock(
        preset: &Preset,
        width: usize,
        height: usize,
        seed: u64,
        fonts: &FontChain,
        features: Arc<Features>,
        clock: &SceneClock,
    ) -> Result<Scene, SceneError> {
        let mut own = Features::clone(&features);
        clock.fill(&mut own);
        let features = Arc::new(own);
        // One atlas per grid size holding every character its layers use.
        let mut palettes = Vec::new();
        let mut chars_by_px: BTreeMap<u32, Vec<char>> = BTreeMap::new();
        // text layers: their cues, and their characters as the palette
        let mut texts = Vec::new();
        for l in &preset.layers {
            let cues = match l.lyrics.as_ref().filter(|_| l.is_text()) {
                Some(spec) => Some(spec.cues()?),
                None => None,
            };
            let pal = match &cues {
                Some(c) => CharPalette {
                    name: "lyrics".into(),
                    family: "text".into(),
                    doc: String::new(),
                    chars: crate::text::palette_chars(c),
                },
                None => load_palette(l.palette_name())?,
            };
            texts.push(cues);
            let px = grid_px(l.grid.get_ref(), width, height);
            let chars = chars_by_px.entry(px).or_default();
            chars.extend(pal.chars.iter().copied());
            if l.is_video() {
                // the line glyphs of `edges` (cheap to have even when unused)
                chars.extend(crate::video::EDGE_CHARS.iter().copied());
            }
            palettes.push((px, pal));
        }
        let mut atlases: BTreeMap<u32, Arc<GlyphAtlas>> = BTreeMap::new();
        let mut missing = Vec::new();
        for (px, chars) in chars_by_px {
            let atlas = GlyphAtlas::new(fonts, px, chars);
            for (_, pal) in palettes.iter().filter(|(p, _)| *p == px) {
                for m in atlas.missing() {
                    if pal.chars.contains(&m.0) && !missing.iter().any(|(_, x)| x == m) {
                        missing.push((pal.name.clone(), *m));
                    }
                }
            }
            atlases.insert(px, Arc::new(atlas));
        }
        let layers = preset
            .layers
            .iter()
            .zip(&palettes)
            .zip(texts)
            .enumerate()
            .map(|(i, ((spec, (px, pal)), cues))| {
                let atlas = atlases[px].clone();
                let text = cues.map(|cues| {
                    // a stencil's letters: one glyph pixel per cell of this grid
                    let stencil = spec.lyrics.as_ref().is_some_and(|t| t.stencil).then(|| {
                        let rows = height / atlas.metrics.height.max(1);
                        let chars = crate::text::palette_chars(&cues);
                        Arc::new(GlyphAtlas::new(fonts, crate::text::stencil_px(rows), chars))
                    });
                    (cues, stencil)
                });
                let ramp = pal
                    .chars
                    .iter()
                    .map(|&c| atlas.id(c).unwrap_or(0))
                    .collect();
                let layer_seed = crate::rng::hash2(seed, i as u64, spec.seed);
                Layer::new(
                    spec,
                    LayerSetup {
                        atlas,
                        ramp,
                        width,
                        height,
                        seed: layer_seed,
                        text,
                    },
                    &features,
                )
            })
            .collect();
        let pals = Palettes::builtin();
        let mood = preset.mood.as_ref().and_then(|m| mood::find(m.get_ref()));
        let shaders = preset
            .shaders
            .iter()
            .chain(mood.iter().flat_map(|m| &m.shaders))
            .map(|step| {
                let spec = crate::shaders::find(step.name.get_ref()).expect("validated preset");
                let tint = step.tint.as_ref().and_then(|t| pals.tint(t.get_ref()));
                let params: Vec<ParamTrack> = spec
                    .params
                    .iter()
                    .enumerate()
                    .map(|(k, ps)| {
                        let from_tint = tint.filter(|_| k < 3).map(|t| Param::constant(t.rgb[k]));
                        let p = step
                            .params
                            .iter()
                            .find(|(key, _)| key.get_ref() == ps.name)
                            .map(|(_, v)| v.resolved(ps))
                            .or(from_tint)
                            .unwrap_or(Param::constant(ps.default));
                        ParamTrack::new(&p, &features)
                    })
                    .collect();
                ShaderSlot {
                    enabled: step.enabled,
                    spec,
                    shader: (spec.make)(),
                    values: vec![0.0; params.len()],
                    params,
                }
            })
            .collect();
        let feedback = preset
            .feedback
            .as_ref()
            .or(mood.and_then(|m| m.feedback.as_ref()))
            .map(|fb| FeedbackSlot {
                enabled: fb.enabled,
                state: Feedback::new(),
                decay: ParamTrack::new(&fb.decay, &features),
                blend: BlendMode::from_name(fb.blend.get_ref()).unwrap_or(BlendMode::Screen),
                opacity: ParamTrack::new(&fb.opacity, &features),
                transform: FeedbackTransform::from_name(fb.transform.get_ref()).unwrap_or_default(),
                amount: ParamTrack::new(&fb.amount, &features),
                hue_shift: ParamTrack::new(&fb.hue_shift, &features),
            });
        Ok(Scene {
            width,
            height,
            seed,
            fps: features.fps as f32,
            layers,
            shaders,
            feedback,
            tonemap_on: preset.tonemap,
            gamma: ParamTrack::new(&preset.gamma, &features),
            tonemap: Tonemap::default(),
            background: preset
                .background
                .as_deref()
                .and_then(preset::parse_hex)
                .unwrap_or([0, 0, 0]),
            features,
            missing,
            video_frame: Frame::new(0, 0),
            video_gen: 0,
        })
    }

    /// Whether frame `k` depends on the pixels of frame `k − 1` (feedback), so replaying history
    /// must draw every frame; otherwise only the cells' state carries over and
    /// [`Scene::update`] is enough.
    pub fn needs_pixel_history(&self) -> bool {
        self.feedback.as_ref().is_some_and(|f| f.enabled)
    }

    /// Whether any layer shows the input video.
    pub fn has_video_layers(&self) -> bool {
        self.layers.iter().any(|l| l.is_video())
    }

    /// Hand the scene the video frame for the next [`Scene::update`]: the contents of `frame`
    /// are swapped with the scene's buffer (no copy), so `frame` gets back a buffer to reuse.
    /// The frame should be the scene's output size; video layers sample the part their grid
    /// covers.
    pub fn set_video_frame(&mut self, frame: &mut Frame) {
        std::mem::swap(&mut self.video_frame, frame);
        self.video_gen += 1;
    }

    /// Change the conversion options of every video layer (e.g. the shape search effort that
    /// `--quality` implies, or command-line overrides).
    pub fn set_video_options(&mut self, f: impl Fn(&mut crate::video::ConvertOptions)) {
        for l in &mut self.layers {
            l.set_video_options(&f);
        }
    }

    /// Cap every particle system's count for a quality profile (see
    /// [`crate::effects::ParticleTier`]; scenes start at `High`).
    pub fn set_particle_tier(&mut self, tier: crate::effects::ParticleTier) {
        for l in &mut self.layers {
            l.set_particle_tier(tier);
        }
    }

    /// Palette characters no font could draw, with the palette that asked for them.
    pub fn missing_glyphs(&self) -> &[(String, MissingGlyph)] {
        &self.missing
    }

    /// The features this scene reacts to.
    pub fn features(&self) -> &Features {
        &self.features
    }

    /// Number of frames the features cover.
    pub fn frame_count(&self) -> usize {
        self.features.len()
    }

    /// Advance the stateful parts to frame `index` and fill every layer's cells (no pixels).
    pub fn update(&mut self, index: u64) {
        let ctx = FrameCtx::new(index, self.fps, self.seed);
        let feats = self.features.frame(index as usize);
        let spectrum = self.features.spectrum_at(index as usize);
        let video = (self.video_gen > 0).then_some(&self.video_frame);
        for layer in self.layers.iter_mut().filter(|l| l.enabled) {
            if layer.is_video() {
                layer.update_video(&ctx, video, self.video_gen, &feats, spectrum);
            } else {
                layer.update(&ctx, &feats, spectrum);
            }
        }
    }

    /// Render frame `index` into `frame` (resized to the scene's size if needed).
    ///
    /// Frames must be rendered in order from the first one wanted: effects, feedback and
    /// simulations carry state from one frame to the next.
    pub fn render(&mut self, index: u64, frame: &mut Frame) {
        if frame.width != self.width || frame.height != self.height {
            frame.resize(self.width, self.height);
        }
        self.update(index);
        self.draw(index, frame);
    }

    /// Turn the cells of the last [`Scene::update`] into pixels, with tonemap, feedback and shaders.
    pub fn draw(&mut self, index: u64, frame: &mut Frame) {
        let fi = index as usize;
        // text layers go on top later: the tonemap and feedback must not see them
        let mut layers = self.layers.iter_mut().filter(|l| l.enabled && !l.is_text());
        if self.background == [0, 0, 0] {
            // The first layer onto black writes its rows once instead of clear + blend.
            match layers.next() {
                Some(first) => first.draw_fresh(frame, index),
                None => frame.clear(),
            }
        } else {
            for px in frame.data.chunks_exact_mut(3) {
                px.copy_from_slice(&self.background);
            }
        }
        for layer in layers {
            layer.draw(frame, index);
        }
        // Pixel-local stages (tonemap LUT, glow add, vignette, grain, ...) queue up and run
        // together in one pass over the frame; anything that reads pixels flushes the queue.
        let mut pending = PendingRows::default();
        if self.tonemap_on {
            let g = self.gamma.value(fi).clamp(0.1, 4.0);
            if let Some(k) = self.tonemap.prepare_rows(frame, g, 2.0, 253.0) {
                pending.push(k);
            }
        }
        if let Some(fb) = self.feedback.as_mut().filter(|f| f.enabled) {
            let p = FeedbackParams {
                decay: fb.decay.value(fi).clamp(0.0, 0.99),
                blend: fb.blend,
                opacity: fb.opacity.value(fi).clamp(0.0, 1.0),
                transform: fb.transform,
                amount: fb.amount.value(fi),
                hue_shift: fb.hue_shift.value(fi),
            };
            pending.flush(frame);
            fb.state.apply(frame, &p);
        }
        // Text layers (words, or stencils masking the look) over the exposed picture, so
        // the words neither shift the tonemap nor leave feedback trails; shaders see them.
        if self.layers.iter().any(|l| l.enabled && l.is_text()) {
            pending.flush(frame);
            for layer in self.layers.iter_mut().filter(|l| l.enabled && l.is_text()) {
                layer.draw(frame, index);
            }
        }
        let ctx = FrameCtx::new(index, self.fps, self.seed);
        for s in self.shaders.iter_mut().filter(|s| s.enabled) {
            for (v, (t, spec)) in s.values.iter_mut().zip(s.params.iter().zip(s.spec.params)) {
                *v = spec.clamp(t.value(fi));
            }
            pending.add_shader(s.shader.as_mut(), frame, &s.values, &ctx);
        }
        pending.flush(frame);
    }
}

/// Per-stage cost of a built-in preset at 1080p on one thread (ignored by default; release):
/// `cargo test --release --lib scene::stage_timing -- --ignored --nocapture`.
#[cfg(test)]
mod stage_timing {
    use std::sync::Arc;

    use super::Scene;
    use crate::frame::Frame;
    use crate::glyph::FontChain;
    use crate::shaders::timing::cpu_ns;

    #[test]
    #[ignore]
    fn reference_preset_stages() {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let features = Arc::new(crate::audio::synthetic_features(120.0, 24.0, 60.0, 1));
        let name = std::env::var("PRESET").unwrap_or_else(|_| "reference".into());
        let preset = super::preset::resolve(&name).unwrap();
        let (w, h) = (1920, 1080);
        let mut scene = Scene::new(&preset, w, h, 1, &FontChain::bundled(), features).unwrap();
        let mut frame = Frame::new(w, h);
        let src = Frame::new(w, h);
        let n = 200u64;
        pool.install(|| {
            for i in 0..20 {
                scene.render(i, &mut frame);
            }
            let t0 = cpu_ns();
            for _ in 0..n {
                frame.data.copy_from_slice(std::hint::black_box(&src.data));
            }
            let copy = (cpu_ns() - t0) as f64 / n as f64 / 1e6;
            let (mut upd, mut drw) = (0u64, 0u64);
            for i in 0..n {
                let t0 = cpu_ns();
                scene.update(i + 20);
                let t1 = cpu_ns();
                scene.draw(i + 20, &mut frame);
                let t2 = cpu_ns();
                upd += t1 - t0;
                drw += t2 - t1;
            }
            let (u, d) = (upd as f64 / n as f64 / 1e6, drw as f64 / n as f64 / 1e6);
            // Stage by stage, unfused: what each part of `draw` costs on its own.
            let mut st = [0u64; 4];
            let mut per = vec![0u64; scene.shaders.len()];
            let ctx0 = crate::frame::FrameCtx::new(0, scene.fps, scene.seed);
            for i in 0..n {
                let fi = (i + 20) as usize;
                scene.update(i + 20);
                let t0 = cpu_ns();
                let mut layers = scene.layers.iter_mut().filter(|l| l.enabled);
                if let Some(first) = layers.next() {
                    first.draw_fresh(&mut frame, i + 20);
                }
                for l in layers {
                    l.draw(&mut frame, i + 20);
                }
                let t1 = cpu_ns();
                let g = scene.gamma.value(fi).clamp(0.1, 4.0);
                let k = scene.tonemap.prepare_rows(&frame, g, 2.0, 253.0);
                let t2 = cpu_ns();
                if let Some(k) = k {
                    crate::shaders::rows::run_rows(&mut frame, &[k]);
                }
                let t3 = cpu_ns();
                for (s, p) in scene.shaders.iter_mut().zip(per.iter_mut()) {
                    for (v, (t, spec)) in s.values.iter_mut().zip(s.params.iter().zip(s.spec.params)) {
                        *v = spec.clamp(t.value(fi));
                    }
                    let t = cpu_ns();
                    s.shader.apply(&mut frame, &s.values, &ctx0);
                    *p += cpu_ns() - t;
                }
                let t4 = cpu_ns();
                for (a, b) in st.iter_mut().zip([t1 - t0, t2 - t1, t3 - t2, t4 - t3]) {
                    *a += b;
                }
            }
            let ms = |v: u64| v as f64 / n as f64 / 1e6;
            println!(
                "  unfused: raster {:.2} | histogram {:.2} | tonemap LUT {:.2} | shaders one by one {:.2} ms",
                ms(st[0]),
                ms(st[1]),
                ms(st[2]),
                ms(st[3])
            );
            for (s, p) in scene.shaders.iter().zip(&per) {
                println!("    {} {:.2} ms", s.spec.name, ms(*p));
            }
            println!(
                "{name}: update {u:.2} ms + draw {d:.2} ms = {:.2} ms/frame; copy baseline {copy:.3} ms; ratio {:.1}",
                u + d,
                (u + d) / copy
            );
        });
    }
}
