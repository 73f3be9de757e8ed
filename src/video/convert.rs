//! Frame → cells: the [`Converter`] that `render`'s video layers and `play` share.

use std::sync::Arc;

use rayon::prelude::*;

use super::cells::CellPixels;
use super::edges::{EdgeSet, Tensor};
use super::ramp::{RampTable, diffuse, target};
use super::shape::{ShapeScratch, ShapeSet};
use super::{Background, ConvertOptions, Dither, EDGE_CHARS, GlyphMode, Search};
use crate::frame::Frame;
use crate::glyph::{GlyphAtlas, GlyphId};
use crate::grid::{Cell, CellGrid};
use crate::raster::Placement;

/// Per-row scratch, reused every frame.
#[derive(Clone, Debug)]
struct RowScratch {
    cell: CellPixels,
    shape: ShapeScratch,
}

/// Turns RGB frames into character cells with one palette at one cell size.
///
/// Build it once per atlas and palette; [`Converter::convert`] then allocates nothing as long
/// as the grid size stays the same. The result depends only on the frame and the options,
/// never on the number of threads.
pub struct Converter {
    /// The options in force; change them between frames at will.
    pub options: ConvertOptions,
    atlas: Arc<GlyphAtlas>,
    shapes: ShapeSet,
    ramp: RampTable,
    edges: EdgeSet,
    rows: Vec<RowScratch>,
    /// Target coverage per cell (diffusion dithering).
    targets: Vec<f32>,
    /// First-pass marks per cell (diffusion dithering): [`EDGE`] or 0.
    picks: Vec<usize>,
    /// Palette index per cell chosen by error diffusion.
    chosen: Vec<usize>,
    resized: Frame,
}

/// Marker in `picks` for "an edge glyph was chosen in the first pass".
const EDGE: usize = usize::MAX;

impl Converter {
    /// A converter drawing with `palette` (glyphs of `atlas`, blank first by convention).
    ///
    /// For `edges` the atlas should also hold [`EDGE_CHARS`]; those it lacks are not used.
    pub fn new(atlas: Arc<GlyphAtlas>, palette: &[GlyphId], options: ConvertOptions) -> Converter {
        let palette: Vec<GlyphId> = if palette.is_empty() {
            vec![0]
        } else {
            palette.to_vec()
        };
        let (cw, ch) = (atlas.metrics.width, atlas.metrics.height);
        Converter {
            options,
            shapes: ShapeSet::new(&atlas, &palette),
            ramp: RampTable::new(&atlas, &palette),
            edges: EdgeSet::new(&atlas, EDGE_CHARS),
            rows: Vec::new(),
            targets: Vec::new(),
            picks: Vec::new(),
            chosen: Vec::new(),
            resized: Frame::new(0, 0),
            atlas: atlas.clone(),
        }
        .with_scratch(cw, ch)
    }

    /// A converter for a character palette by name (`asciivid list palettes`) or palette file,
    /// rasterized with `fonts` at `px` pixels: what `play` needs to start from nothing.
    pub fn with_palette(
        fonts: &crate::glyph::FontChain,
        px: u32,
        palette: &str,
        options: ConvertOptions,
    ) -> Result<Converter, crate::palette::PaletteError> {
        let pal = match crate::palette::Palettes::builtin().char_palette(palette) {
            Some(p) => p.clone(),
            None => crate::palette::load_char_palette_file(std::path::Path::new(palette))?,
        };
        let atlas = GlyphAtlas::new(fonts, px, pal.chars.iter().chain(EDGE_CHARS).copied());
        let ids: Vec<GlyphId> = pal
            .chars
            .iter()
            .map(|&c| atlas.id(c).unwrap_or(0))
            .collect();
        Ok(Converter::new(Arc::new(atlas), &ids, options))
    }

    fn with_scratch(mut self, cw: usize, ch: usize) -> Converter {
        self.rows = vec![
            RowScratch {
                cell: CellPixels::new(cw, ch),
                shape: ShapeScratch::default(),
            };
            1
        ];
        self
    }

    /// The atlas the cells refer to.
    pub fn atlas(&self) -> &Arc<GlyphAtlas> {
        &self.atlas
    }

    /// Convert the part of `src` that `place` covers: cell (c, r) samples exactly the pixels
    /// `[ox + c·cw, +cw) × [oy + r·ch, +ch)` (pixels past the frame's edge read as black).
    /// `out` is resized to `place.cols × place.rows`.
    pub fn convert(&mut self, src: &Frame, place: Placement, out: &mut CellGrid) {
        let (cols, rows) = (place.cols, place.rows);
        if out.cols != cols || out.rows != rows || out.cells.len() != cols * rows {
            *out = CellGrid::new(cols, rows);
        }
        if cols == 0 || rows == 0 {
            return;
        }
        let (cw, ch) = (self.atlas.metrics.width, self.atlas.metrics.height);
        if self.rows.len() != rows {
            let proto = self.rows[0].clone();
            self.rows.resize(rows, proto);
        }
        let opts = self.options;
        let diffusion = opts.dither == Dither::Diffusion && opts.glyphs != GlyphMode::Shape;
        if diffusion {
            self.first_pass(src, place);
            self.chosen.resize(cols * rows, 0);
            diffuse(&self.ramp, &mut self.targets, cols, rows, &mut self.chosen);
        }
        let mut scratch_rows = std::mem::take(&mut self.rows);
        let me = &*self;
        // only the fast shape search ranks on block sums, which come with the pixels
        let blocks = (opts.glyphs == GlyphMode::Shape && opts.search == Search::Fast)
            .then(|| me.shapes.grid());
        out.cells
            .par_chunks_mut(cols)
            .zip(scratch_rows.par_iter_mut())
            .enumerate()
            .for_each(|(r, (cells, scratch))| {
                let y0 = place.oy + r * ch;
                for (c, cell) in cells.iter_mut().enumerate() {
                    scratch.cell.load(src, place.ox + c * cw, y0, blocks);
                    let i = r * cols + c;
                    let pick = diffusion.then(|| {
                        if me.picks[i] == EDGE {
                            EDGE
                        } else {
                            me.chosen[i]
                        }
                    });
                    *cell = me.cell(scratch, c, r, pick);
                }
            });
        self.rows = scratch_rows;
    }

    /// Convert a frame of any size to a `cols × rows` grid: the frame is resampled (area
    /// average) to exactly `cols·cw × rows·ch` first when it is not that size already.
    /// This is what `play` calls at terminal size.
    pub fn convert_fit(&mut self, src: &Frame, cols: usize, rows: usize, out: &mut CellGrid) {
        let (cw, ch) = (self.atlas.metrics.width, self.atlas.metrics.height);
        let (w, h) = (cols * cw, rows * ch);
        let place = Placement {
            cols,
            rows,
            ox: 0,
            oy: 0,
        };
        if src.width == w && src.height == h {
            self.convert(src, place, out);
            return;
        }
        let mut tmp = std::mem::replace(&mut self.resized, Frame::new(0, 0));
        resample_area(src, w, h, &mut tmp);
        self.convert(&tmp, place, out);
        self.resized = tmp;
    }

    /// First pass of diffusion dithering: per-cell ramp targets and edge decisions.
    fn first_pass(&mut self, src: &Frame, place: Placement) {
        let (cols, rows) = (place.cols, place.rows);
        let (cw, ch) = (self.atlas.metrics.width, self.atlas.metrics.height);
        self.targets.resize(cols * rows, 0.0);
        self.picks.resize(cols * rows, 0);
        let opts = self.options;
        let edges = &self.edges;
        self.targets
            .par_chunks_mut(cols)
            .zip(self.picks.par_chunks_mut(cols))
            .zip(self.rows.par_iter_mut())
            .enumerate()
            .for_each(|(r, ((targets, picks), scratch))| {
                for c in 0..cols {
                    let cell = &mut scratch.cell;
                    cell.load(src, place.ox + c * cw, place.oy + r * ch, None);
                    targets[c] = target(cell.mean_luma, opts.gamma);
                    picks[c] = 0;
                    if opts.glyphs == GlyphMode::Edges && edge_glyph(edges, cell, &opts).is_some() {
                        picks[c] = EDGE;
                    }
                }
            });
    }

    /// One cell, its pixels already in `s.cell`. `pick` is the diffusion pass's choice.
    fn cell(&self, s: &mut RowScratch, col: usize, row: usize, pick: Option<usize>) -> Cell {
        let opts = &self.options;
        let bg = opts.background;
        let (k, fitted) = match opts.glyphs {
            GlyphMode::Shape => match opts.search {
                Search::Exhaustive => self.shapes.best_exhaustive(&s.cell, bg, &mut s.shape),
                Search::Fast => self.shapes.best_fast(&s.cell, bg, &mut s.shape),
            },
            GlyphMode::Ramp | GlyphMode::Edges => {
                if opts.glyphs == GlyphMode::Edges
                    && pick.is_none_or(|p| p == EDGE)
                    && let Some(id) = edge_glyph(&self.edges, &mut s.cell, opts)
                {
                    return self.fit_glyph(id, &s.cell, bg);
                }
                let k = match (pick, opts.dither) {
                    (Some(p), _) if p != EDGE => p,
                    (_, Dither::Ordered) => {
                        self.ramp
                            .ordered(target(s.cell.mean_luma, opts.gamma), col, row)
                    }
                    _ => self.ramp.nearest(target(s.cell.mean_luma, opts.gamma)).0,
                };
                (k, self.shapes.fit_one(k, &s.cell, bg))
            }
        };
        let glyph = self.shapes.ids[k];
        finish(glyph, fitted.fg, fitted.bg, bg)
    }

    /// Fit colours for a glyph that may not be in the palette (edge glyphs).
    fn fit_glyph(&self, id: GlyphId, cell: &CellPixels, bg: Background) -> Cell {
        let bmp = self.atlas.bitmap(id);
        let mut dot = [0f32; 3];
        for (c, plane) in cell.rgb.iter().enumerate() {
            dot[c] = plane
                .iter()
                .zip(bmp)
                .map(|(&p, &m)| p as i32 * m as i32)
                .sum::<i32>() as f32;
        }
        let f = super::fit::fit(bg, &super::fit::MaskSums::of(bmp), cell.sum, dot);
        finish(id, f.fg, f.bg, bg)
    }
}

/// The line glyph for a cell whose edge is strong and coherent enough.
fn edge_glyph(edges: &EdgeSet, cell: &mut CellPixels, opts: &ConvertOptions) -> Option<GlyphId> {
    cell.compute_luma();
    let t = Tensor::of(&cell.luma, cell.cw, cell.ch);
    if t.strength() >= opts.edge_threshold.max(1e-3) && t.coherence() >= opts.coherence {
        edges.pick(&t)
    } else {
        None
    }
}

/// A cell ready to draw: a black foreground draws nothing, so it becomes the blank glyph.
fn finish(glyph: GlyphId, fg: [u8; 3], bg: [u8; 3], mode: Background) -> Cell {
    let bg = if mode == Background::Black {
        [0; 3]
    } else {
        bg
    };
    let glyph = if fg == bg { 0 } else { glyph };
    Cell { glyph, fg, bg }
}

/// Area-average resample of `src` into a `w × h` frame (used when a frame does not match the
/// grid, e.g. terminal playback); integer box filter, deterministic.
pub fn resample_area(src: &Frame, w: usize, h: usize, dst: &mut Frame) {
    dst.resize(w, h);
    if src.width == 0 || src.height == 0 || w == 0 || h == 0 {
        return;
    }
    let xs: Vec<(usize, usize)> = (0..w)
        .map(|x| {
            let a = x * src.width / w;
            let b = ((x + 1) * src.width / w).max(a + 1).min(src.width);
            (a, b)
        })
        .collect();
    let stride = dst.stride();
    dst.data
        .par_chunks_mut(stride)
        .enumerate()
        .for_each(|(y, row)| {
            let ya = y * src.height / h;
            let yb = ((y + 1) * src.height / h).max(ya + 1).min(src.height);
            for (x, &(xa, xb)) in xs.iter().enumerate() {
                let mut acc = [0u32; 3];
                for sy in ya..yb {
                    let s = &src.data[(sy * src.width + xa) * 3..(sy * src.width + xb) * 3];
                    for p in s.chunks_exact(3) {
                        acc[0] += p[0] as u32;
                        acc[1] += p[1] as u32;
                        acc[2] += p[2] as u32;
                    }
                }
                let n = ((yb - ya) * (xb - xa)) as u32;
                for k in 0..3 {
                    row[x * 3 + k] = ((acc[k] + n / 2) / n) as u8;
                }
            }
        });
}
