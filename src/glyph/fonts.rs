//! The font fallback chain: an optional user font, then the bundled fonts.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use fontdue::{Font, FontSettings};

/// DejaVu Sans Mono: the primary glyph font (Bitstream Vera licence, see fonts/).
static DEJAVU_MONO: &[u8] = include_bytes!("../../fonts/DejaVuSansMono.ttf");
/// A subset of GNU Unifont (OFL-1.1): braille, katakana, runes and symbols DejaVu lacks.
static UNIFONT_SUBSET: &[u8] = include_bytes!("../../fonts/unifont-subset.otf");

/// Errors loading a user font.
#[derive(Debug, thiserror::Error)]
pub enum FontError {
    /// The font file could not be read.
    #[error("cannot read font file {path}: {source} (check the --font path)")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not a font fontdue can parse.
    #[error(
        "font file {path} is not a usable TrueType/OpenType font: {msg} (pass a .ttf or .otf file)"
    )]
    Parse {
        /// The file.
        path: PathBuf,
        /// fontdue's message.
        msg: String,
    },
}

/// Fonts in fallback order; the first one decides the cell size.
#[derive(Clone)]
pub struct FontChain {
    fonts: Vec<Arc<Font>>,
    /// Human-readable name of each font, for reports.
    pub names: Vec<String>,
}

fn parse(bytes: &[u8]) -> Result<Font, String> {
    Font::from_bytes(
        bytes,
        FontSettings {
            scale: 40.0,
            ..FontSettings::default()
        },
    )
    .map_err(|e| e.to_string())
}

fn bundled() -> &'static (Arc<Font>, Arc<Font>) {
    static FONTS: OnceLock<(Arc<Font>, Arc<Font>)> = OnceLock::new();
    FONTS.get_or_init(|| {
        // The bundled fonts are checked by tests; failing to parse them is a build defect.
        let mono = parse(DEJAVU_MONO).expect("bundled DejaVu Sans Mono parses");
        let uni = parse(UNIFONT_SUBSET).expect("bundled Unifont subset parses");
        (Arc::new(mono), Arc::new(uni))
    })
}

impl FontChain {
    /// The bundled chain: DejaVu Sans Mono, then the Unifont subset. Parsed once per process.
    pub fn bundled() -> FontChain {
        let (mono, uni) = bundled();
        FontChain {
            fonts: vec![mono.clone(), uni.clone()],
            names: vec!["DejaVu Sans Mono".into(), "GNU Unifont (subset)".into()],
        }
    }

    /// A user font first (it sets the cell size), with the bundled fonts as fallbacks.
    pub fn with_user_font(path: &Path) -> Result<FontChain, FontError> {
        let bytes = std::fs::read(path).map_err(|source| FontError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let font = parse(&bytes).map_err(|msg| FontError::Parse {
            path: path.to_path_buf(),
            msg,
        })?;
        let mut chain = FontChain::bundled();
        chain.fonts.insert(0, Arc::new(font));
        chain.names.insert(0, path.display().to_string());
        Ok(chain)
    }

    /// The fonts in order.
    pub fn fonts(&self) -> &[Arc<Font>] {
        &self.fonts
    }

    /// The first font of the chain that has a glyph for `ch`.
    pub fn font_for(&self, ch: char) -> Option<&Font> {
        self.fonts
            .iter()
            .map(|f| f.as_ref())
            .find(|f| f.lookup_glyph_index(ch) != 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_fonts_parse_and_cover_basics() {
        let chain = FontChain::bundled();
        for ch in ['A', '@', '█', '░', '─', '⠿', 'ｱ', 'ᚠ'] {
            assert!(chain.font_for(ch).is_some(), "no font covers {ch}");
        }
    }

    #[test]
    fn bad_user_font_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("not-a-font.ttf");
        std::fs::write(&p, b"hello").unwrap();
        let err = FontChain::with_user_font(&p).err().unwrap().to_string();
        assert!(err.contains("not-a-font.ttf"), "{err}");
        let missing = FontChain::with_user_font(&dir.path().join("nope.ttf"))
            .err()
            .unwrap()
            .to_string();
        assert!(missing.contains("nope.ttf"), "{missing}");
    }
}
