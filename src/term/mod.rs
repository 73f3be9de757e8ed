//! The terminal sink: cells in, as few bytes as possible out.
//!
//! - [`screen::Screen`] keeps what the terminal shows and what the next frame should show and
//!   emits only changed cells, with short cursor moves and de-duplicated SGR attributes, the whole
//!   frame wrapped in a synchronized update (`ESC[?2026h` … `ESC[?2026l`).
//! - [`color`] picks 24-bit, 256 or 16 colours and quantizes to them.
//! - [`halfblock`] turns RGB frames into `▀` cells (pixel mode).
//! - [`backend::SinkBackend`] lets ratatui draw through a `Screen`, one `write` per frame.
//! - [`cast`] writes asciicast v2 recordings.

pub mod backend;
pub mod cast;
pub mod cell;
pub mod color;
pub mod encode;
pub mod halfblock;
pub mod screen;

pub use backend::{SinkBackend, SizeSource, Traffic};
pub use cell::{Ink, TCell};
pub use color::ColorMode;
pub use screen::Screen;
