//! asciivid: music, video and pure procedure into ASCII-art video.
//!
//! The pipeline: input → analysis ([`audio`], [`features`]) → scene evaluation ([`scene`],
//! [`effects`]) → glyph raster ([`glyph`], [`raster`]) → compositing and post ([`compose`],
//! [`shaders`]) → sinks ([`media`]: ffmpeg, GIF, PNG, y4m). See docs/ARCHITECTURE.md.

pub mod audio;
pub mod cache;
pub mod catalogue;
pub mod cli;
pub mod compose;
pub mod effects;
pub mod features;
pub mod frame;
pub mod glyph;
pub mod grid;
pub mod listing;
pub mod media;
pub mod narrate;
pub mod palette;
pub mod params;
pub mod pipeline;
pub mod plot;
pub mod raster;
pub mod rng;
pub mod scene;
pub mod shaders;
pub mod simd;
pub mod term;
pub mod text;
pub mod tui;
pub mod video;
