//! Video, images and image sequences turned into character cells.
//!
//! Decoding goes through ffmpeg ([`input`] probes, [`reader`] streams RGB frames at the output
//! size and rate through a small bounded queue). Each frame becomes a [`CellGrid`] with a
//! [`Converter`]: `ramp` maps luminance to glyph coverage, `edges` puts directional line glyphs
//! where the structure tensor sees a coherent edge, and `shape` picks, per cell, the palette
//! glyph whose rasterized bitmap best reproduces the cell's pixels, with foreground (and
//! optionally background) colours fitted by least squares. [`analysis`] computes the per-frame
//! video features (brightness, contrast, motion, edge density, dominant hue) that modulate
//! parameters like audio features do.
//!
//! [`CellGrid`]: crate::grid::CellGrid

pub mod analysis;
mod cells;
mod convert;
mod edges;
pub mod feed;
mod fit;
pub mod input;
mod ramp;
pub mod reader;
mod shape;
pub mod ssim;
#[cfg(test)]
mod tests;

pub use convert::Converter;
pub use feed::VideoFeed;
pub use input::{VideoInput, probe_input};
pub use reader::{Fit, FrameReader, Next, ReaderSpec};

use crate::params::ParamSpec;

/// How glyphs are chosen for a video cell (`--glyphs`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum GlyphMode {
    /// Luminance (with gamma) → the palette glyph of nearest ink coverage; colour from the source.
    #[default]
    Ramp,
    /// Directional line glyphs on coherent edges (structure tensor), `ramp` elsewhere.
    Edges,
    /// The palette glyph whose bitmap best reproduces the cell's pixels (least squares).
    Shape,
}

impl GlyphMode {
    /// Names accepted by `--glyphs` and the preset key `glyphs`.
    pub const NAMES: &'static [&'static str] = &["ramp", "edges", "shape"];

    /// Parse a name of [`GlyphMode::NAMES`].
    pub fn from_name(s: &str) -> Option<GlyphMode> {
        match s {
            "ramp" => Some(GlyphMode::Ramp),
            "edges" => Some(GlyphMode::Edges),
            "shape" => Some(GlyphMode::Shape),
            _ => None,
        }
    }
}

/// What is behind the glyphs of a video cell (`--background`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Background {
    /// Glyphs on black: the classic ASCII look (only the foreground colour is fitted).
    #[default]
    Black,
    /// A background colour fitted per cell as well: two-colour cells.
    Source,
}

impl Background {
    /// Names accepted by `--background` and the preset key `background`.
    pub const NAMES: &'static [&'static str] = &["black", "source"];

    /// Parse a name of [`Background::NAMES`].
    pub fn from_name(s: &str) -> Option<Background> {
        match s {
            "black" => Some(Background::Black),
            "source" => Some(Background::Source),
            _ => None,
        }
    }
}

/// Dithering of the luminance → glyph quantization of `ramp` (and the ramp part of `edges`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Dither {
    /// Nearest level.
    #[default]
    None,
    /// 4×4 Bayer threshold per cell.
    Ordered,
    /// Floyd–Steinberg error diffusion over the cells.
    Diffusion,
}

impl Dither {
    /// Names accepted by `--dither` and the preset key `dither`.
    pub const NAMES: &'static [&'static str] = &["none", "ordered", "diffusion"];

    /// Parse a name of [`Dither::NAMES`].
    pub fn from_name(s: &str) -> Option<Dither> {
        match s {
            "none" => Some(Dither::None),
            "ordered" => Some(Dither::Ordered),
            "diffusion" => Some(Dither::Diffusion),
            _ => None,
        }
    }
}

/// How hard `shape` searches.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Search {
    /// Exact colour error for every palette glyph (production quality).
    #[default]
    Exhaustive,
    /// A 4×6 block prefilter keeps the best few glyphs, which are then scored exactly
    /// (draft and preview quality).
    Fast,
}

/// Everything that decides how a frame becomes cells.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ConvertOptions {
    /// Glyph selection.
    pub glyphs: GlyphMode,
    /// Background colour per cell or black.
    pub background: Background,
    /// Dithering of the ramp.
    pub dither: Dither,
    /// Shape search effort.
    pub search: Search,
    /// Luminance gamma of the ramp (below 1: denser glyphs).
    pub gamma: f32,
    /// RMS luma gradient (0–255 units) a cell needs before `edges` draws a line glyph.
    pub edge_threshold: f32,
    /// Structure-tensor coherence (0–1) a cell needs before `edges` draws a line glyph.
    pub coherence: f32,
}

impl Default for ConvertOptions {
    fn default() -> Self {
        ConvertOptions {
            glyphs: GlyphMode::Ramp,
            background: Background::Black,
            dither: Dither::None,
            search: Search::Exhaustive,
            gamma: 1.0,
            edge_threshold: 10.0,
            coherence: 0.5,
        }
    }
}

/// Parameters of a video layer (`params = { … }` in a preset), modulatable like effect ones.
pub const VIDEO_PARAMS: &[ParamSpec] = &[
    ParamSpec::new(
        "gamma",
        0.2,
        5.0,
        1.0,
        "luminance gamma of the ramp (below 1: denser glyphs)",
    ),
    ParamSpec::new(
        "edge_threshold",
        0.0,
        128.0,
        10.0,
        "RMS luma gradient a cell needs for a line glyph (edges)",
    ),
    ParamSpec::new(
        "coherence",
        0.0,
        1.0,
        0.5,
        "structure-tensor coherence a cell needs for a line glyph (edges)",
    ),
];

/// The character palette video layers use unless told otherwise.
pub const DEFAULT_PALETTE: &str = "ascii";

/// Check that `palette` is a built-in character palette or a readable palette file, with an
/// error that says which it should be.
pub fn check_palette(palette: &str) -> anyhow::Result<()> {
    if crate::palette::Palettes::builtin()
        .char_palette(palette)
        .is_some()
    {
        return Ok(());
    }
    let path = std::path::Path::new(palette);
    if !path.exists() {
        anyhow::bail!(
            "unknown palette `{palette}`: give a name from `asciivid list palettes` or the path of a palette TOML file"
        );
    }
    crate::palette::load_char_palette_file(path)?;
    Ok(())
}

/// The line glyphs `edges` chooses from (their orientation is measured on the atlas bitmaps).
pub const EDGE_CHARS: &[char] = &['-', '|', '/', '\\'];

/// The registry entry of video layers: their name, description and parameters. The effect
/// itself draws nothing; the layer converts the scene's current video frame instead.
pub static VIDEO_EFFECT: crate::effects::EffectSpec = crate::effects::EffectSpec {
    name: "video",
    doc: "the input video (or image, or image sequence) as characters: glyphs = ramp, edges or shape",
    params: VIDEO_PARAMS,
    stateful: false,
    cap: None,
    make: blank_effect,
};

struct Blank;

impl crate::effects::Effect for Blank {
    fn render(
        &mut self,
        _geo: &crate::grid::GridGeom,
        _params: &[f32],
        _ctx: &crate::effects::EffectCtx,
        _out: &mut crate::effects::FieldBuf,
    ) {
    }
}

fn blank_effect() -> Box<dyn crate::effects::Effect> {
    Box::new(Blank)
}
