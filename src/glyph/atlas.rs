//! Pre-rasterized glyph coverage, one full-cell bitmap per character.

use std::collections::HashMap;

use super::fonts::FontChain;

/// Index of a glyph in a [`GlyphAtlas`]; 0 is the blank glyph (space).
pub type GlyphId = u16;

/// The size of a character cell and where the baseline sits in it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CellMetrics {
    /// Cell width in pixels: the primary font's advance, rounded up.
    pub width: usize,
    /// Cell height in pixels: ascent + descent (never a bounding box: see the reference's pitfalls).
    pub height: usize,
    /// Baseline, in pixels from the top of the cell.
    pub baseline: usize,
    /// The pixel size the glyphs were rasterized at.
    pub px: u32,
}

impl CellMetrics {
    /// Metrics of the chain's primary font at `px` pixels.
    pub fn for_font(chain: &FontChain, px: u32) -> CellMetrics {
        let px = px.max(4);
        let primary = &chain.fonts()[0];
        let pxf = px as f32;
        let (ascent, descent) = match primary.horizontal_line_metrics(pxf) {
            Some(m) => (m.ascent, m.descent),
            None => (pxf * 0.8, -pxf * 0.2),
        };
        let advance = primary.metrics('M', pxf).advance_width.max(1.0);
        let height = (ascent - descent).ceil().max(1.0) as usize;
        CellMetrics {
            width: advance.ceil() as usize,
            height,
            baseline: (ascent.round() as usize).min(height),
            px,
        }
    }
}

/// A character that no font of the chain can draw.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MissingGlyph(pub char);

impl std::fmt::Display for MissingGlyph {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "'{}' (U+{:04X})", self.0, self.0 as u32)
    }
}

/// Coverage bitmaps for a set of characters at one cell size.
///
/// Every glyph is stored as a full `width × height` bitmap (u8 coverage) so the rasterizer's
/// inner loop has a fixed shape; `ink_rows` lets it skip rows with no ink.
#[derive(Clone, Debug)]
pub struct GlyphAtlas {
    /// Cell size and baseline.
    pub metrics: CellMetrics,
    chars: Vec<char>,
    index: HashMap<char, GlyphId>,
    bitmaps: Vec<u8>,
    bitmaps3: Vec<u8>,
    ink_rows: Vec<(u16, u16)>,
    coverage: Vec<f32>,
    missing: Vec<MissingGlyph>,
}

/// Zero bytes kept after the last RGB bitmap so [`GlyphAtlas::rgb_row_padded`] never runs off.
pub const ROW_PAD: usize = 16;

/// Coverage contrast curve: fontdue does no hinting, so thin strokes come out grey; a mild
/// gamma lifts them without fattening solid areas.
fn coverage_lut() -> [u8; 256] {
    let mut lut = [0u8; 256];
    for (i, v) in lut.iter_mut().enumerate() {
        *v = ((i as f32 / 255.0).powf(0.8) * 255.0).round() as u8;
    }
    lut
}

impl GlyphAtlas {
    /// Rasterize `chars` (plus the blank glyph) with `chain` at `px` pixels.
    pub fn new(chain: &FontChain, px: u32, chars: impl IntoIterator<Item = char>) -> GlyphAtlas {
        let metrics = CellMetrics::for_font(chain, px);
        let cell = metrics.width * metrics.height;
        let mut atlas = GlyphAtlas {
            metrics,
            chars: vec![' '],
            index: HashMap::from([(' ', 0)]),
            bitmaps: vec![0; cell],
            bitmaps3: vec![0; cell * 3 + ROW_PAD],
            ink_rows: vec![(0, 0)],
            coverage: vec![0.0],
            missing: Vec::new(),
        };
        let lut = coverage_lut();
        for ch in chars {
            atlas.add(chain, ch, &lut);
        }
        atlas
    }

    fn add(&mut self, chain: &FontChain, ch: char, lut: &[u8; 256]) -> GlyphId {
        if let Some(&id) = self.index.get(&ch) {
            return id;
        }
        let m = self.metrics;
        let (w, h) = (m.width, m.height);
        let mut bitmap = vec![0u8; w * h];
        match chain.font_for(ch) {
            None if !ch.is_whitespace() => self.missing.push(MissingGlyph(ch)),
            None => {}
            Some(font) => {
                let mut px = m.px as f32;
                let adv = font.metrics(ch, px).advance_width;
                // Double-width glyphs (CJK, some symbols) are scaled down to fit one cell.
                if adv > w as f32 + 0.5 {
                    px *= w as f32 / adv;
                }
                let (gm, cov) = font.rasterize(ch, px);
                let gadv = gm.advance_width.max(gm.width as f32);
                let left = ((w as f32 - gadv) * 0.5).round() as i32 + gm.xmin;
                let top = m.baseline as i32 - (gm.height as i32 + gm.ymin);
                for gy in 0..gm.height {
                    let y = top + gy as i32;
                    if y < 0 || y >= h as i32 {
                        continue;
                    }
                    for gx in 0..gm.width {
                        let x = left + gx as i32;
                        if x < 0 || x >= w as i32 {
                            continue;
                        }
                        let c = cov[gy * gm.width + gx];
                        let dst = &mut bitmap[y as usize * w + x as usize];
                        *dst = (*dst).max(lut[c as usize]);
                    }
                }
            }
        }
        let first = (0..h).find(|&y| bitmap[y * w..(y + 1) * w].iter().any(|&c| c > 0));
        let last = (0..h)
            .rev()
            .find(|&y| bitmap[y * w..(y + 1) * w].iter().any(|&c| c > 0));
        let rows = match (first, last) {
            (Some(a), Some(b)) => (a as u16, b as u16 + 1),
            _ => (0, 0),
        };
        let total: u32 = bitmap.iter().map(|&c| c as u32).sum();
        let id = self.chars.len() as GlyphId;
        self.chars.push(ch);
        self.index.insert(ch, id);
        self.bitmaps.extend_from_slice(&bitmap);
        self.bitmaps3.truncate(self.bitmaps3.len() - ROW_PAD);
        self.bitmaps3.extend(bitmap.iter().flat_map(|&c| [c, c, c]));
        self.bitmaps3.extend([0; ROW_PAD]);
        self.ink_rows.push(rows);
        self.coverage
            .push(total as f32 / (255.0 * (w * h).max(1) as f32));
        id
    }

    /// The glyph for `ch`, if it was rasterized (characters no font has map to the blank glyph).
    pub fn id(&self, ch: char) -> Option<GlyphId> {
        self.index.get(&ch).copied()
    }

    /// The character of a glyph id.
    pub fn char_of(&self, id: GlyphId) -> char {
        self.chars.get(id as usize).copied().unwrap_or(' ')
    }

    /// Number of glyphs, including the blank one.
    pub fn len(&self) -> usize {
        self.chars.len()
    }

    /// Always false: the blank glyph is always present.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The `width × height` coverage bitmap of a glyph.
    #[inline]
    pub fn bitmap(&self, id: GlyphId) -> &[u8] {
        let cell = self.metrics.width * self.metrics.height;
        let start = id as usize * cell;
        &self.bitmaps[start..start + cell]
    }

    /// The glyph's coverage with every value repeated three times (`width * 3 × height`), so a
    /// row lines up byte for byte with an RGB pixel row and the blit loop vectorizes.
    #[inline]
    pub fn bitmap_rgb(&self, id: GlyphId) -> &[u8] {
        let cell = self.metrics.width * self.metrics.height * 3;
        let start = id as usize * cell;
        &self.bitmaps3[start..start + cell]
    }

    /// Row `y` of [`GlyphAtlas::bitmap_rgb`] followed by whatever bytes come next, rounded up to
    /// whole [`ROW_PAD`]-byte chunks, so a gather can copy fixed-size chunks (plain vector moves)
    /// instead of calling `memcpy` for every 30-byte row; the caller ignores the tail.
    #[inline]
    pub fn rgb_row_padded(&self, id: GlyphId, y: usize) -> &[u8] {
        let row = self.metrics.width * 3;
        let start = (id as usize * self.metrics.height + y) * row;
        &self.bitmaps3[start..start + row.next_multiple_of(ROW_PAD)]
    }

    /// Rows `[first, end)` of a glyph that contain ink.
    #[inline]
    pub fn ink_rows(&self, id: GlyphId) -> (usize, usize) {
        let (a, b) = self.ink_rows[id as usize];
        (a as usize, b as usize)
    }

    /// Mean coverage of a glyph in `[0, 1]`: its visual weight.
    pub fn coverage(&self, id: GlyphId) -> f32 {
        self.coverage[id as usize]
    }

    /// Characters that no font of the chain could draw (they render blank).
    pub fn missing(&self) -> &[MissingGlyph] {
        &self.missing
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn md_cell_matches_the_reference_grid() {
        let chain = FontChain::bundled();
        let m = CellMetrics::for_font(&chain, 16);
        // 1920x1080 at 16 px gives the reference's ~192x56 md grid.
        assert_eq!(1920 / m.width, 192);
        assert!((55..=58).contains(&(1080 / m.height)), "{m:?}");
    }

    #[test]
    fn glyphs_have_ink_and_weight_orders_them() {
        let chain = FontChain::bundled();
        let atlas = GlyphAtlas::new(&chain, 16, ".:#@█".chars());
        let w = |c| atlas.coverage(atlas.id(c).unwrap());
        assert!(w('.') > 0.0);
        assert!(w('.') < w(':') && w(':') < w('#') && w('#') < w('█'));
        assert!(w('█') > 0.8, "full block fills the cell: {}", w('█'));
        assert_eq!(atlas.coverage(0), 0.0);
        let (a, b) = atlas.ink_rows(atlas.id('.').unwrap());
        assert!(a < b && b <= atlas.metrics.height);
    }

    #[test]
    fn wide_and_fallback_glyphs_fit_the_cell() {
        let chain = FontChain::bundled();
        let atlas = GlyphAtlas::new(&chain, 16, "ｱ⠿ᚠ".chars());
        for ch in "ｱ⠿ᚠ".chars() {
            let id = atlas.id(ch).unwrap();
            assert!(atlas.coverage(id) > 0.01, "{ch} is blank");
        }
        assert!(atlas.missing().is_empty());
    }

    #[test]
    fn uncovered_chars_are_reported() {
        let chain = FontChain::bundled();
        let atlas = GlyphAtlas::new(&chain, 16, ['A', '\u{E000}']);
        assert_eq!(atlas.missing(), &[MissingGlyph('\u{E000}')]);
    }
}
