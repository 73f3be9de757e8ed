//! Timed text: lyrics and quotes from SRT or LRC files (or generated timings), shown by a
//! text layer (`effect = "lyrics"`) with a display mode, or used as a stencil that reveals
//! the layers beneath. docs/TEXT.md describes the preset keys.
//!
//! - [`cue`]: cues, the overlap rule, errors naming file and line, loading by extension;
//! - [`srt`], [`lrc`]: strict parsers;
//! - [`layout`]: wrapping to the grid's width (portrait grids reflow), centring, placement;
//! - [`modes`]: typewriter, fade-in, flash-on-beat, scatter-converge, wave (pure functions);
//! - [`overlay`]: the generated modes: ticker, beat words, cycling messages, error stamps;
//! - [`spec`]: the preset table, its validation and loading files relative to the preset;
//! - [`runtime`]: the layer's per-frame state, field output and stencil mask.

pub mod cue;
pub mod layout;
pub mod lrc;
pub mod modes;
pub mod overlay;
pub mod runtime;
pub mod spec;
pub mod srt;

pub use cue::{Cue, Cues, TextError, load};
pub use layout::Position;
pub use modes::Mode;
pub use runtime::{TextState, palette_chars, stencil_px};
pub use spec::{LyricsSpec, attach};

use crate::effects::{Effect, EffectCtx, EffectSpec, FieldBuf};
use crate::grid::GridGeom;
use crate::params::ParamSpec;

/// The effect name of text layers.
pub const EFFECT_NAME: &str = "lyrics";

/// Parameters of a text layer (modulated like any effect parameter).
pub const LYRICS_PARAMS: &[ParamSpec] = &[
    ParamSpec::new(
        "speed",
        0.1,
        4.0,
        1.0,
        "animation speed: typing rate, wave travel, cursor blink, ticker scroll (15 cells/s at 1)",
    ),
    ParamSpec::new(
        "flash",
        0.0,
        1.0,
        1.0,
        "flash mode: how dim the text is between beats (1: a quarter of full brightness)",
    ),
    ParamSpec::new(
        "amplitude",
        0.0,
        8.0,
        1.5,
        "wave: height in rows; scatter: how far letters start, in thirds of the screen",
    ),
    ParamSpec::new(
        "fade",
        0.0,
        4.0,
        0.4,
        "fade_in, messages: seconds of fade in and out; scatter: converges in 2.5 x this",
    ),
];

/// The registry entry of text layers (their state lives in [`TextState`], not in an effect).
pub static LYRICS_EFFECT: EffectSpec = EffectSpec {
    name: EFFECT_NAME,
    doc: "timed text (SRT/LRC lyrics or a fixed text) in a display mode, a ticker, beat words, cycling messages or error stamps, or a stencil revealing the layers beneath",
    params: LYRICS_PARAMS,
    stateful: false,
    cap: None,
    make: no_effect,
};

/// Text layers draw through [`TextState`]; the effect slot does nothing.
struct NoEffect;

impl Effect for NoEffect {
    fn render(&mut self, _: &GridGeom, _: &[f32], _: &EffectCtx, _: &mut FieldBuf) {}
}

fn no_effect() -> Box<dyn Effect> {
    Box::new(NoEffect)
}

#[cfg(test)]
mod tests;
