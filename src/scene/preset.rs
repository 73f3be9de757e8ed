//! Presets ("looks") as TOML: layers of effects, colours, blend modes, feedback and shaders.
//!
//! Parsing is strict: unknown keys, unknown names and out-of-range values are errors that name
//! the file, the line and the valid choices. Built-in presets live in `effects/` and are embedded.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use toml::Spanned;

use super::param::Param;
use crate::compose::{BlendMode, FeedbackTransform, color::Harmony};
use crate::palette::{Palettes, closest};

/// A parsed, validated preset.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Preset {
    /// Name shown by `asciivid list presets`.
    #[serde(default)]
    pub name: String,
    /// One-line description.
    #[serde(default)]
    pub description: String,
    /// Adaptive tonemap on/off (percentile stretch, then gamma).
    #[serde(default = "yes")]
    pub tonemap: bool,
    /// Tonemap gamma (below 1 brightens).
    #[serde(default = "default_gamma")]
    pub gamma: Param,
    /// Background colour as `#rrggbb` (default black).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub background: Option<String>,
    /// Temporal feedback, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feedback: Option<FeedbackSpec>,
    /// Layers, bottom first.
    pub layers: Vec<LayerSpec>,
    /// Pixel shaders, applied in order after tonemap and feedback.
    #[serde(default)]
    pub shaders: Vec<ShaderStep>,
    /// A mood (`asciivid list moods`): its shaders run after `shaders`, its feedback applies
    /// when the preset has none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mood: Option<Spanned<String>>,
}

fn yes() -> bool {
    true
}
fn default_gamma() -> Param {
    Param::constant(0.75)
}
fn one() -> Param {
    Param::constant(1.0)
}
fn default_grid() -> Spanned<String> {
    Spanned::new(0..0, "md".to_string())
}
fn default_palette() -> Spanned<String> {
    Spanned::new(0..0, "default".to_string())
}
fn default_blend() -> Spanned<String> {
    Spanned::new(0..0, "screen".to_string())
}
fn default_threshold() -> f32 {
    0.03
}

fn no_effect() -> Spanned<String> {
    Spanned::new(0..0, String::new())
}

/// One layer: an effect evaluated on a character grid, coloured and blended onto the frame.
/// A video layer (`effect = "video"` or `source = "video"`) shows the input video instead.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LayerSpec {
    /// Effect name (`asciivid list effects`), or `video`.
    #[serde(default = "no_effect")]
    pub effect: Spanned<String>,
    /// `video`: the layer shows the input video (the same as `effect = "video"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Spanned<String>>,
    /// Video layers: how glyphs are chosen, `ramp`, `edges` or `shape`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub glyphs: Option<Spanned<String>>,
    /// Video layers: `black` (glyphs on black) or `source` (a fitted background per cell).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub background: Option<Spanned<String>>,
    /// Video layers: dithering of the ramp, `none`, `ordered` or `diffusion`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dither: Option<Spanned<String>>,
    /// Layer on/off.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Grid density: xs, sm, md, lg, xl, xxl.
    #[serde(default = "default_grid")]
    pub grid: Spanned<String>,
    /// Character palette name (`asciivid list palettes`) or a path to a palette TOML file.
    #[serde(default = "default_palette")]
    pub palette: Spanned<String>,
    /// Blend mode onto the layers beneath.
    #[serde(default = "default_blend")]
    pub blend: Spanned<String>,
    /// Layer opacity, 0–1.
    #[serde(default = "one")]
    pub opacity: Param,
    /// Values at or below this draw nothing.
    #[serde(default = "default_threshold")]
    pub threshold: f32,
    /// Gamma applied to values before choosing characters (below 1: denser characters).
    #[serde(default = "one")]
    pub char_gamma: Param,
    /// Brightness of the layer's colours, multiplied with the value.
    #[serde(default = "one")]
    pub brightness: Param,
    /// How cells are coloured.
    #[serde(default)]
    pub color: ColorSpec,
    /// Effect parameters by name (`asciivid list effects` shows them).
    #[serde(default)]
    pub params: BTreeMap<Spanned<String>, Param>,
    /// Extra seed mixed into this layer's randomness.
    #[serde(default)]
    pub seed: u64,
    /// Text layers (`effect = "lyrics"`): the timed text and how it shows (docs/TEXT.md).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lyrics: Option<crate::text::LyricsSpec>,
    /// Blend in linear light instead of sRGB (`add` and `screen` mix like light: fewer
    /// clipped highlights, dark colours contribute less).
    #[serde(default, skip_serializing_if = "is_false")]
    pub linear: bool,
    /// Coordinate transforms of the effect's field, applied in order
    /// (`asciivid list transforms`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub transform: Vec<TransformStep>,
    /// Stencils limiting where the layer shows, combined in order (`asciivid list masks`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mask: Vec<MaskStep>,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// One coordinate transform of a layer.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TransformStep {
    /// Transform name (`asciivid list transforms`).
    pub name: Spanned<String>,
    /// Its parameters by name.
    #[serde(default)]
    pub params: BTreeMap<Spanned<String>, Param>,
}

/// One mask of a layer.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct MaskStep {
    /// Mask name (`asciivid list masks`).
    pub name: Spanned<String>,
    /// How it combines with the masks before it: union, intersect or subtract.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub op: Option<Spanned<String>>,
    /// Use the outside of the shape instead.
    #[serde(default, skip_serializing_if = "is_false")]
    pub invert: bool,
    /// Its parameters by name.
    #[serde(default)]
    pub params: BTreeMap<Spanned<String>, Param>,
    /// `field` masks: the effect whose value field gives the shape (`asciivid list effects`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effect: Option<Spanned<String>>,
    /// `field` masks: that effect's parameters by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub effect_params: BTreeMap<Spanned<String>, Param>,
}

impl LayerSpec {
    /// Whether the layer shows the input video.
    pub fn is_video(&self) -> bool {
        self.effect.get_ref() == "video"
            || self.source.as_ref().is_some_and(|s| s.get_ref() == "video")
    }

    /// Whether the layer shows timed text (`effect = "lyrics"`).
    pub fn is_text(&self) -> bool {
        self.effect.get_ref() == crate::text::EFFECT_NAME
    }

    /// The character palette: as written, or for a video layer that names none, the
    /// printable-ASCII palette.
    pub fn palette_name(&self) -> &str {
        let p = self.palette.get_ref();
        let defaulted = self.palette.span() == (0..0) && p == "default";
        if self.is_video() && defaulted {
            crate::video::DEFAULT_PALETTE
        } else {
            p
        }
    }

    /// The conversion settings of a video layer (defaults for anything unset).
    pub fn video_options(&self) -> crate::video::ConvertOptions {
        use crate::video::{Background, ConvertOptions, Dither, GlyphMode};
        let d = ConvertOptions::default();
        fn get(o: &Option<Spanned<String>>) -> Option<&str> {
            o.as_ref().map(|s| s.get_ref().as_str())
        }
        ConvertOptions {
            glyphs: get(&self.glyphs)
                .and_then(GlyphMode::from_name)
                .unwrap_or(d.glyphs),
            background: get(&self.background)
                .and_then(Background::from_name)
                .unwrap_or(d.background),
            dither: get(&self.dither)
                .and_then(Dither::from_name)
                .unwrap_or(d.dither),
            ..d
        }
    }
}

/// Colour strategy of a layer.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ColorSpec {
    /// `hsv` (hue field + saturation), `palette` (discrete colours indexed by value),
    /// `gradient` (OKLAB gradient through `colors` by value), `oklch` (OKLCH gradient through
    /// `colors`, hue along the shorter arc), `mono` (first of `colors`), `harmony` (a harmony
    /// of `colors[0]`, indexed by value).
    #[serde(default = "default_mode")]
    pub mode: Spanned<String>,
    /// Hue source for `hsv`: fixed, angle, distance, time, centroid, value, effect,
    /// gradient_h, gradient_v, plasma, temperature, oklch_angle.
    #[serde(default = "default_hue")]
    pub hue: Spanned<String>,
    /// Hue offset in turns.
    #[serde(default)]
    pub hue_base: Param,
    /// Hue spread of the hue source (turns per unit of angle/distance/time/value).
    #[serde(default = "default_hue_scale")]
    pub hue_scale: Param,
    /// Saturation for `hsv`.
    #[serde(default = "default_sat")]
    pub saturation: Param,
    /// Colour palette name for `palette` mode (`asciivid list palettes`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub palette: Option<Spanned<String>>,
    /// `#rrggbb` colours for `gradient`, `mono` and `harmony`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub colors: Vec<Spanned<String>>,
    /// Harmony name for `harmony` mode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub harmony: Option<Spanned<String>>,
}

fn default_mode() -> Spanned<String> {
    Spanned::new(0..0, "hsv".to_string())
}
fn default_hue() -> Spanned<String> {
    Spanned::new(0..0, "angle".to_string())
}
fn default_hue_scale() -> Param {
    Param::constant(1.0)
}
fn default_sat() -> Param {
    Param::constant(0.8)
}

impl Default for ColorSpec {
    fn default() -> Self {
        ColorSpec {
            mode: default_mode(),
            hue: default_hue(),
            hue_base: Param::constant(0.0),
            hue_scale: default_hue_scale(),
            saturation: default_sat(),
            palette: None,
            colors: Vec::new(),
            harmony: None,
        }
    }
}

/// Feedback settings.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FeedbackSpec {
    /// Feedback on/off.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// How much survives a frame (≥ 0.5 recommended).
    #[serde(default = "default_decay")]
    pub decay: Param,
    /// Blend of the buffer with the new frame.
    #[serde(default = "default_blend")]
    pub blend: Spanned<String>,
    /// Strength of the buffer.
    #[serde(default = "default_fb_opacity")]
    pub opacity: Param,
    /// Movement: none, zoom, shrink, rotate_cw, rotate_ccw, shift_up, shift_down, mirror_h.
    #[serde(default = "default_transform")]
    pub transform: Spanned<String>,
    /// Size of the movement per frame.
    #[serde(default = "default_amount")]
    pub amount: Param,
    /// Hue rotation per frame, in turns.
    #[serde(default)]
    pub hue_shift: Param,
}

fn default_decay() -> Param {
    Param::constant(0.8)
}
fn default_fb_opacity() -> Param {
    Param::constant(0.4)
}
fn default_transform() -> Spanned<String> {
    Spanned::new(0..0, "none".to_string())
}
fn default_amount() -> Param {
    Param::constant(0.015)
}

/// One shader of the chain.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ShaderStep {
    /// Shader name (`asciivid list shaders`).
    pub name: Spanned<String>,
    /// Shader on/off.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// For `color_grade`: a tint name (`asciivid list palettes` shows tints) instead of r, g, b.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tint: Option<Spanned<String>>,
    /// Shader parameters by name.
    #[serde(default)]
    pub params: BTreeMap<Spanned<String>, Param>,
}

/// A preset that failed to load: one line naming the file, the line and the fix.
#[derive(Debug, thiserror::Error)]
#[error("{}", self.line())]
pub struct PresetError {
    /// What failed to load: `preset` or `timeline`.
    pub what: &'static str,
    /// The file (or `built-in NAME`).
    pub origin: String,
    /// 1-based line, when known.
    pub line_no: Option<usize>,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl PresetError {
    fn line(&self) -> String {
        match self.line_no {
            Some(l) => format!("{} {} line {}: {}", self.what, self.origin, l, self.message),
            None => format!("{} {}: {}", self.what, self.origin, self.message),
        }
    }
}

/// Grid density keys and their font size in pixels at 1080 lines of output.
pub const GRID_SIZES: &[(&str, u32)] = &[
    ("xs", 8),
    ("sm", 10),
    ("md", 16),
    ("lg", 20),
    ("xl", 24),
    ("xxl", 40),
];

/// Hue sources of the `hsv` colour mode.
pub const HUE_SOURCES: &[&str] = &[
    "fixed",
    "angle",
    "distance",
    "time",
    "centroid",
    "value",
    "effect",
    "gradient_h",
    "gradient_v",
    "plasma",
    "temperature",
    "oklch_angle",
];

/// What each hue source does, in [`HUE_SOURCES`] order (for `asciivid list colors`).
pub const HUE_SOURCE_DOCS: &[&str] = &[
    "hue_base everywhere",
    "around the centre: angle / 2π · hue_scale, drifting 0.05 turns/s",
    "outward from the centre: 0.3 · distance · hue_scale, drifting 0.03 turns/s",
    "cycling over time, 0.1 · hue_scale turns per second",
    "following the spectral centroid (0.3 · centroid · hue_scale)",
    "by the cell's value (0.15 · value · hue_scale): fire and heat",
    "supplied by the effect (boids' speed); hue_base where it gives none",
    "left to right across hue_scale turns",
    "top to bottom across hue_scale turns",
    "a slowly moving plasma of three sines",
    "warm ↔ cool: blue for low values to orange for high ones",
    "around the centre like angle, as OKLCH colours of even lightness (0.7) and chroma (0.15 · saturation): no HSV bright/dark bands (hf_oklch_angle)",
];

/// Colour modes.
pub const COLOR_MODES: &[&str] = &["hsv", "palette", "gradient", "oklch", "mono", "harmony"];

/// What each colour mode does, in [`COLOR_MODES`] order (for `asciivid list colors`).
pub const COLOR_MODE_DOCS: &[&str] = &[
    "hue from `hue` (a hue source), saturation, value as brightness",
    "discrete colours of `palette` indexed by value",
    "OKLAB gradient through `colors` by value (perceptually even)",
    "OKLCH gradient through `colors` by value, hue along the shorter arc (keeps chroma)",
    "the first of `colors`, scaled by value (monochrome)",
    "a harmony (`harmony`) of `colors[0]` built in OKLCH, indexed by value",
];

/// Parse `#rrggbb` (or `rrggbb`).
pub fn parse_hex(s: &str) -> Option<[u8; 3]> {
    let h = s.trim().trim_start_matches('#');
    if h.len() != 6 || !h.is_ascii() {
        return None;
    }
    let p = |i: usize| u8::from_str_radix(&h[i..i + 2], 16).ok();
    Some([p(0)?, p(2)?, p(4)?])
}

/// Turns spans of one source into file-and-line errors (shared with timeline files, whose
/// inline layers are checked by the same rules).
pub(crate) struct Checker<'a> {
    /// `preset` or `timeline`, for the messages.
    pub(crate) what: &'static str,
    /// The file (or `built-in NAME`).
    pub(crate) origin: &'a str,
    /// Its text, to turn spans into line numbers.
    pub(crate) src: &'a str,
}

impl Checker<'_> {
    /// An error at `span` (an empty `0..0` span means "no line").
    pub(crate) fn err<T>(
        &self,
        span: std::ops::Range<usize>,
        message: String,
    ) -> Result<T, PresetError> {
        let line_no = (span.end > 0 || span.start > 0).then(|| {
            self.src[..span.start.min(self.src.len())]
                .matches('\n')
                .count()
                + 1
        });
        Err(PresetError {
            what: self.what,
            origin: self.origin.to_string(),
            line_no,
            message,
        })
    }

    /// Check that `v` is one of `valid`, else an error listing them with the closest first.
    pub(crate) fn one_of(
        &self,
        what: &str,
        v: &Spanned<String>,
        valid: &[&str],
    ) -> Result<(), PresetError> {
        if valid.contains(&v.get_ref().as_str()) {
            return Ok(());
        }
        let near = closest(v.get_ref(), valid.iter().copied());
        let hint = if near.is_empty() {
            String::new()
        } else {
            format!(" (did you mean {}?)", near.join(", "))
        };
        self.err(
            v.span(),
            format!(
                "unknown {what} `{}`{hint}; valid: {}",
                v.get_ref(),
                valid.join(", ")
            ),
        )
    }

    fn params(
        &self,
        owner: &str,
        params: &BTreeMap<Spanned<String>, Param>,
        specs: &[crate::params::ParamSpec],
    ) -> Result<(), PresetError> {
        let names: Vec<&str> = specs.iter().map(|s| s.name).collect();
        for key in params.keys() {
            if !names.contains(&key.get_ref().as_str()) {
                let near = closest(key.get_ref(), names.iter().copied());
                let hint = if near.is_empty() {
                    String::new()
                } else {
                    format!(" (did you mean {}?)", near.join(", "))
                };
                return self.err(
                    key.span(),
                    format!(
                        "{owner} has no parameter `{}`{hint}; its parameters: {}",
                        key.get_ref(),
                        if names.is_empty() {
                            "none".to_string()
                        } else {
                            names.join(", ")
                        }
                    ),
                );
            }
        }
        for (key, value) in params {
            let Some(name) = &value.choice else { continue };
            let spec = specs
                .iter()
                .find(|s| s.name == key.get_ref())
                .expect("checked above");
            if spec.choices.is_empty() {
                return self.err(
                    key.span(),
                    format!(
                        "{owner}'s `{}` is a number ({} to {}), not a name like `{name}`",
                        spec.name, spec.min, spec.max
                    ),
                );
            }
            if spec.choice_value(name).is_none() {
                let near = closest(name, spec.choices.iter().copied());
                let hint = if near.is_empty() {
                    String::new()
                } else {
                    format!(" (did you mean {}?)", near.join(", "))
                };
                return self.err(
                    key.span(),
                    format!(
                        "unknown `{}` of {owner}: `{name}`{hint}; valid: {} (or their numbers 0 to {})",
                        spec.name,
                        spec.choices.join(", "),
                        spec.choices.len() - 1
                    ),
                );
            }
        }
        Ok(())
    }

    /// Refuse a name where only a number makes sense (`opacity = "x"`): such parameters have
    /// no list of choices. `span` places the error (the layer's line, when known).
    pub(crate) fn numeric(
        &self,
        what: &str,
        p: &Param,
        span: std::ops::Range<usize>,
    ) -> Result<(), PresetError> {
        match &p.choice {
            Some(name) => self.err(
                span,
                format!("`{what}` is a number (or a modulation table), not a name like `{name}`"),
            ),
            None => Ok(()),
        }
    }
}

impl Preset {
    /// Parse and validate preset TOML. `origin` names the source in error messages.
    pub fn parse(src: &str, origin: &str) -> Result<Preset, PresetError> {
        let chk = Checker {
            what: "preset",
            origin,
            src,
        };
        let preset: Preset = match toml::from_str(src) {
            Ok(p) => p,
            Err(_) if super::timeline::is_timeline_source(src) => {
                return chk.err(
                    0..0,
                    "this is a timeline (it has [[sections]] or `cut`), not a single preset: render it with `asciivid render --preset FILE`; preview and a timeline's sections take single presets".into(),
                );
            }
            Err(e) => {
                let msg = e.message().trim().replace('\n', " ");
                return chk.err(e.span().unwrap_or(0..0), msg);
            }
        };
        preset.validate(&chk)?;
        Ok(preset)
    }

    /// Load a preset from a file.
    pub fn load(path: &Path) -> Result<Preset, PresetError> {
        let origin = path.display().to_string();
        let src = std::fs::read_to_string(path).map_err(|e| PresetError {
            what: "preset",
            origin: origin.clone(),
            line_no: None,
            message: format!("cannot read it: {e} (check the path, or use a built-in name from `asciivid list presets`)"),
        })?;
        let mut p = Preset::parse(&src, &origin)?;
        crate::text::attach(&mut p, path.parent().unwrap_or(Path::new(".")))?;
        if p.name.is_empty() {
            p.name = path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
        }
        Ok(p)
    }

    /// Serialize back to TOML (what `preview` saves).
    pub fn to_toml(&self) -> String {
        toml::to_string(self).unwrap_or_default()
    }

    /// Check every name and value against what exists (errors name the line of `chk`'s source).
    pub(crate) fn validate(&self, chk: &Checker) -> Result<(), PresetError> {
        if self.layers.is_empty() {
            return chk.err(
                0..0,
                "no layers: add at least one [[layers]] table with an `effect`".into(),
            );
        }
        let grids: Vec<&str> = GRID_SIZES.iter().map(|g| g.0).collect();
        let effects: Vec<&str> = crate::effects::all().iter().map(|e| e.name).collect();
        let blends: Vec<&str> = BlendMode::ALL.iter().map(|b| b.name()).collect();
        let pals = Palettes::builtin();
        let char_pals: Vec<&str> = pals.chars.iter().map(|p| p.name.as_str()).collect();
        let color_pals: Vec<&str> = pals.colors.iter().map(|p| p.name.as_str()).collect();
        if let Some(bg) = &self.background
            && parse_hex(bg).is_none()
        {
            return chk.err(0..0, format!("background `{bg}` is not a #rrggbb colour"));
        }
        let transforms: Vec<&str> = super::uv::specs().map(|s| s.name).collect();
        let masks: Vec<&str> = super::mask::specs().map(|s| s.name).collect();
        if let Some(m) = &self.mood {
            chk.one_of("mood", m, &super::mood::names())?;
        }
        chk.numeric("gamma", &self.gamma, 0..0)?;
        if let Some(fb) = &self.feedback {
            for (what, p) in [
                ("feedback decay", &fb.decay),
                ("feedback opacity", &fb.opacity),
                ("feedback amount", &fb.amount),
                ("feedback hue_shift", &fb.hue_shift),
            ] {
                chk.numeric(what, p, fb.transform.span())?;
            }
        }
        let mut effects_and_video = effects.clone();
        effects_and_video.push("video");
        effects_and_video.push(crate::text::EFFECT_NAME);
        for layer in &self.layers {
            if let Some(src) = &layer.source {
                chk.one_of("layer source", src, &["video"])?;
                if !layer.effect.get_ref().is_empty() && layer.effect.get_ref() != "video" {
                    return chk.err(
                        src.span(),
                        format!(
                            "a layer has either `effect = \"{}\"` or `source = \"video\"`, not both",
                            layer.effect.get_ref()
                        ),
                    );
                }
            } else if layer.effect.get_ref().is_empty() {
                return chk.err(
                    0..0,
                    "a layer needs `effect = \"NAME\"` (`asciivid list effects`) or `source = \"video\"`".into(),
                );
            }
            let c = &layer.color;
            for (what, p) in [
                ("opacity", &layer.opacity),
                ("char_gamma", &layer.char_gamma),
                ("brightness", &layer.brightness),
                ("hue_base", &c.hue_base),
                ("hue_scale", &c.hue_scale),
                ("saturation", &c.saturation),
            ] {
                chk.numeric(what, p, layer.effect.span())?;
            }
            if let Some(l) = layer.lyrics.as_ref().filter(|_| !layer.is_text()) {
                return chk.err(
                    l.mode.span(),
                    "a `lyrics` table belongs to a text layer: set `effect = \"lyrics\"`".into(),
                );
            }
            if layer.is_text() {
                chk.params(
                    "the lyrics layer",
                    &layer.params,
                    crate::text::LYRICS_PARAMS,
                )?;
                crate::text::spec::check_layer(layer, chk)?;
            } else if layer.is_video() {
                chk.params("the video layer", &layer.params, crate::video::VIDEO_PARAMS)?;
                for (key, v, valid) in [
                    ("glyph mode", &layer.glyphs, crate::video::GlyphMode::NAMES),
                    (
                        "video background",
                        &layer.background,
                        crate::video::Background::NAMES,
                    ),
                    ("dither", &layer.dither, crate::video::Dither::NAMES),
                ] {
                    if let Some(v) = v {
                        chk.one_of(key, v, valid)?;
                    }
                }
            } else {
                chk.one_of("effect", &layer.effect, &effects_and_video)?;
                let spec = crate::effects::find(layer.effect.get_ref()).expect("checked above");
                chk.params(
                    &format!("effect `{}`", spec.name),
                    &layer.params,
                    spec.params,
                )?;
                for (key, v) in [
                    ("glyphs", &layer.glyphs),
                    ("background", &layer.background),
                    ("dither", &layer.dither),
                ] {
                    if let Some(v) = v {
                        return chk.err(
                            v.span(),
                            format!(
                                "`{key}` only applies to video layers (effect = \"video\"), not `{}`",
                                spec.name
                            ),
                        );
                    }
                }
            }
            chk.one_of("grid", &layer.grid, &grids)?;
            let pal = layer.palette.get_ref();
            if !(pal.ends_with(".toml") || char_pals.contains(&pal.as_str())) {
                chk.one_of("character palette", &layer.palette, &char_pals)?;
            }
            chk.one_of("blend mode", &layer.blend, &blends)?;
            for t in &layer.transform {
                chk.one_of("transform", &t.name, &transforms)?;
                let (_, spec) = super::uv::find(t.name.get_ref()).expect("checked above");
                chk.params(
                    &format!("transform `{}`", spec.name),
                    &t.params,
                    spec.params,
                )?;
            }
            for m in &layer.mask {
                chk.one_of("mask", &m.name, &masks)?;
                let (_, spec) = super::mask::find(m.name.get_ref()).expect("checked above");
                chk.params(&format!("mask `{}`", spec.name), &m.params, spec.params)?;
                match (&m.effect, spec.name == "field") {
                    (Some(e), true) => {
                        chk.one_of("effect of the field mask", e, &effects)?;
                        let es = crate::effects::find(e.get_ref()).expect("checked above");
                        chk.params(
                            &format!("effect `{}`", es.name),
                            &m.effect_params,
                            es.params,
                        )?;
                    }
                    (None, true) => {
                        return chk.err(
                            m.name.span(),
                            "mask `field` needs `effect = \"NAME\"` (`asciivid list effects`): the effect whose value field is the mask's shape".into(),
                        );
                    }
                    (Some(e), false) => {
                        return chk.err(
                            e.span(),
                            format!("`effect` belongs to mask `field`, not `{}`", spec.name),
                        );
                    }
                    (None, false) if !m.effect_params.is_empty() => {
                        return chk.err(
                            m.name.span(),
                            format!(
                                "`effect_params` belongs to mask `field`, not `{}`",
                                spec.name
                            ),
                        );
                    }
                    (None, false) => {}
                }
                if let Some(op) = &m.op {
                    chk.one_of("mask operation", op, super::mask::MaskOp::NAMES)?;
                }
            }
            if !(0.0..1.0).contains(&layer.threshold) {
                return chk.err(
                    layer.effect.span(),
                    format!("threshold {} must be in 0..1", layer.threshold),
                );
            }
            let c = &layer.color;
            chk.one_of("colour mode", &c.mode, COLOR_MODES)?;
            chk.one_of("hue source", &c.hue, HUE_SOURCES)?;
            if let Some(p) = &c.palette {
                chk.one_of("colour palette", p, &color_pals)?;
            }
            for col in &c.colors {
                if parse_hex(col.get_ref()).is_none() {
                    return chk.err(
                        col.span(),
                        format!("`{}` is not a #rrggbb colour", col.get_ref()),
                    );
                }
            }
            if let Some(h) = &c.harmony {
                chk.one_of("harmony", h, Harmony::NAMES)?;
            }
            match c.mode.get_ref().as_str() {
                "palette" if c.palette.is_none() => {
                    return chk.err(
                        c.mode.span(),
                        format!(
                            "colour mode `palette` needs `palette = \"NAME\"`; colour palettes: {}",
                            color_pals.join(", ")
                        ),
                    );
                }
                "gradient" | "oklch" | "mono" | "harmony" if c.colors.is_empty() => {
                    return chk.err(
                        c.mode.span(),
                        format!(
                            "colour mode `{}` needs `colors = [\"#rrggbb\", ...]`",
                            c.mode.get_ref()
                        ),
                    );
                }
                "harmony" if c.harmony.is_none() => {
                    return chk.err(
                        c.mode.span(),
                        format!(
                            "colour mode `harmony` needs `harmony = \"NAME\"`; harmonies: {}",
                            Harmony::NAMES.join(", ")
                        ),
                    );
                }
                _ => {}
            }
        }
        if let Some(fb) = &self.feedback {
            chk.one_of("feedback blend mode", &fb.blend, &blends)?;
            chk.one_of(
                "feedback transform",
                &fb.transform,
                FeedbackTransform::NAMES,
            )?;
        }
        let shaders: Vec<&str> = crate::shaders::all().iter().map(|s| s.name).collect();
        let tints: Vec<&str> = pals.tints.iter().map(|t| t.name.as_str()).collect();
        for step in &self.shaders {
            chk.one_of("shader", &step.name, &shaders)?;
            let spec = crate::shaders::find(step.name.get_ref()).expect("checked above");
            chk.params(
                &format!("shader `{}`", spec.name),
                &step.params,
                spec.params,
            )?;
            if let Some(t) = &step.tint {
                if spec.name != "color_grade" {
                    return chk.err(
                        t.span(),
                        format!("`tint` only applies to color_grade, not `{}`", spec.name),
                    );
                }
                chk.one_of("tint", t, &tints)?;
            }
        }
        Ok(())
    }
}

/// A built-in preset: its name and TOML source.
pub struct BuiltinPreset {
    /// Name (the file stem in `effects/`).
    pub name: &'static str,
    /// TOML source.
    pub source: &'static str,
}

/// The built-in presets, embedded from `effects/*.toml`.
pub fn builtin_presets() -> &'static [BuiltinPreset] {
    include!(concat!(env!("OUT_DIR"), "/builtin_presets.rs"))
}

/// Resolve `--preset`: a built-in name or a path to a TOML file.
pub fn resolve(name_or_path: &str) -> Result<Preset, PresetError> {
    if let Some(b) = builtin_presets().iter().find(|b| b.name == name_or_path) {
        let mut p = Preset::parse(b.source, &format!("built-in `{}`", b.name))?;
        if p.name.is_empty() {
            p.name = b.name.to_string();
        }
        return Ok(p);
    }
    let path = PathBuf::from(name_or_path);
    if path.exists() || name_or_path.ends_with(".toml") || name_or_path.contains('/') {
        return Preset::load(&path);
    }
    let names: Vec<&str> = builtin_presets().iter().map(|b| b.name).collect();
    let near = closest(name_or_path, names.iter().copied());
    Err(PresetError {
        what: "preset",
        origin: format!("`{name_or_path}`"),
        line_no: None,
        message: format!(
            "no built-in preset or file by that name{}; built-ins: {}",
            if near.is_empty() {
                String::new()
            } else {
                format!(" (did you mean {}?)", near.join(", "))
            },
            names.join(", ")
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(src: &str) -> String {
        Preset::parse(src, "t.toml").unwrap_err().to_string()
    }

    #[test]
    fn named_values_are_checked_against_the_parameters_choices() {
        let ok = Preset::parse(
            "[[layers]]\neffect = \"game_of_life\"\nparams = { rule = \"coral\" }\n",
            "t.toml",
        )
        .unwrap();
        let spec = crate::effects::find("game_of_life").unwrap();
        let rule = spec.params.iter().find(|p| p.name == "rule").unwrap();
        let p = Param::for_spec(rule, &ok.layers[0].params);
        assert_eq!((p.base, p.choice), (1.0, None));
        let e = err("[[layers]]\neffect = \"game_of_life\"\n\nparams = { rule = \"corall\" }\n");
        assert!(
            e.contains("t.toml line 4")
                && e.contains("did you mean coral")
                && e.contains("day_night"),
            "{e}"
        );
        let e = err("[[layers]]\neffect = \"plasma\"\nparams = { speed = \"fast\" }\n");
        assert!(e.contains("is a number") && e.contains("line 3"), "{e}");
        let e = err("[[layers]]\neffect = \"plasma\"\nopacity = \"half\"\n");
        assert!(e.contains("`opacity` is a number"), "{e}");
        // transforms' and masks' named parameters too
        let e = err(
            "[[layers]]\neffect = \"plasma\"\n[[layers.transform]]\nname = \"wave\"\nparams = { axis = \"colums\" }\n",
        );
        assert!(e.contains("did you mean columns"), "{e}");
    }
}
