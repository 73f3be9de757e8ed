//! Fonts and pre-rasterized glyphs.
//!
//! Fonts are bundled and embedded ([`fonts`]); every character a render needs is rasterized once
//! per (font chain, pixel size) into a [`GlyphAtlas`] of full-cell coverage bitmaps.

mod atlas;
mod fonts;

pub use atlas::{CellMetrics, GlyphAtlas, GlyphId, MissingGlyph, ROW_PAD};
pub use fonts::{FontChain, FontError};
