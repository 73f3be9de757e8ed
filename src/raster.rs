//! CellGrid → pixels: blit pre-rasterized glyphs onto a frame, blending as the layer asks.
//!
//! The frame is cut into bands of whole cell rows and each band is drawn by one rayon worker,
//! so the result does not depend on the worker count. Pixels outside the grid (the margins left
//! when the frame size is not a multiple of the cell size) are never touched.

use rayon::prelude::*;

use crate::compose::BlendMode;
use crate::frame::Frame;
use crate::glyph::{GlyphAtlas, ROW_PAD};
use crate::grid::CellGrid;

/// Where a grid sits in a frame: its size in cells and the margins around it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Placement {
    /// Columns that fit.
    pub cols: usize,
    /// Rows that fit.
    pub rows: usize,
    /// Left margin in pixels (leftover width split evenly).
    pub ox: usize,
    /// Top margin in pixels (leftover height split evenly).
    pub oy: usize,
}

impl Placement {
    /// The largest grid of `cell_w × cell_h` cells that fits `width × height`, centred.
    pub fn fit(width: usize, height: usize, cell_w: usize, cell_h: usize) -> Placement {
        let cols = (width / cell_w.max(1)).max(1);
        let rows = (height / cell_h.max(1)).max(1);
        Placement {
            cols,
            rows,
            ox: width.saturating_sub(cols * cell_w) / 2,
            oy: height.saturating_sub(rows * cell_h) / 2,
        }
    }
}

/// Draw `grid` onto `frame` with `mode` at `opacity`.
///
/// Each glyph pixel's coverage acts as alpha: `out = a + (mode(a, fg) - a) · opacity · coverage`,
/// so blank cells leave what is beneath untouched. A cell with a non-black background is opaque:
/// its pixels are `bg + (fg - bg) · coverage`, blended with the mode at `opacity`.
pub fn draw_grid(
    frame: &mut Frame,
    grid: &CellGrid,
    atlas: &GlyphAtlas,
    place: Placement,
    mode: BlendMode,
    opacity: f32,
) {
    draw(frame, grid, atlas, place, mode, opacity, false, false);
}

/// Clear `frame` to black and draw `grid` on it: the same pixels as `frame.clear()` followed by
/// [`draw_grid`], but rows of cells are written once instead of cleared and then blended.
pub fn draw_grid_fresh(
    frame: &mut Frame,
    grid: &CellGrid,
    atlas: &GlyphAtlas,
    place: Placement,
    mode: BlendMode,
    opacity: f32,
) {
    draw(frame, grid, atlas, place, mode, opacity, true, false);
}

/// [`draw_grid`] (or with `fresh`, [`draw_grid_fresh`]) with the mode's formula evaluated in
/// linear light ([`BlendMode::lut_linear`]); coverage and opacity still mix in sRGB, as
/// antialiased glyph edges are tuned for.
pub fn draw_grid_linear(
    frame: &mut Frame,
    grid: &CellGrid,
    atlas: &GlyphAtlas,
    place: Placement,
    mode: BlendMode,
    opacity: f32,
    fresh: bool,
) {
    draw(frame, grid, atlas, place, mode, opacity, fresh, true);
}

#[allow(clippy::too_many_arguments)] // the public entry points' inputs plus two switches
fn draw(
    frame: &mut Frame,
    grid: &CellGrid,
    atlas: &GlyphAtlas,
    place: Placement,
    mode: BlendMode,
    opacity: f32,
    fresh: bool,
    linear: bool,
) {
    let cw = atlas.metrics.width;
    let ch = atlas.metrics.height;
    let stride = frame.stride();
    let rows = grid
        .rows
        .min(frame.height.saturating_sub(place.oy) / ch.max(1));
    let cols = grid
        .cols
        .min(frame.width.saturating_sub(place.ox) / cw.max(1));
    let op = (opacity.clamp(0.0, 1.0) * 256.0).round() as u32;
    if rows == 0 || cols == 0 || op == 0 {
        if fresh {
            frame.clear();
        }
        return;
    }
    // the vectorized modes compute in sRGB; linear light goes through the generic table path
    let (lut, fast) = if linear {
        (mode.lut_linear(), None)
    } else {
        (mode.lut(), FastMode::of(mode))
    };
    let start = place.oy * stride;
    let band = ch * stride;
    let (above, rest) = frame.data.split_at_mut(start);
    let (cells_part, below) = rest.split_at_mut(rows * band);
    if fresh {
        above.fill(0);
        below.fill(0);
    }
    let target = Target {
        stride,
        ox: place.ox,
        fresh,
    };
    cells_part
        .par_chunks_mut(band)
        .enumerate()
        .for_each(|(r, band)| {
            let cells = &grid.cells[r * grid.cols..r * grid.cols + cols];
            draw_band(band, cells, atlas, target, lut, op, fast);
        });
}

/// Where a band's cells go: the pixel row stride, the left margin, and whether the band holds
/// stale pixels to be replaced (`fresh`: draw onto black) rather than blended over.
#[derive(Clone, Copy)]
struct Target {
    stride: usize,
    ox: usize,
    fresh: bool,
}

thread_local! {
    /// Scratch rows of the row-wise path (cell colours, then glyph coverage), per worker.
    static ROW_SCRATCH: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Draw one row of cells into its band of pixel rows.
///
/// Bands without background colours in a vectorizable mode are drawn a whole pixel row at a
/// time: the cells' colours are laid out once per band, each pixel row gathers the glyph rows
/// of all its cells, and one long blend runs over the row. Per-cell blits of 30 bytes left the
/// vector units mostly idle; a 5760-byte row keeps them full.
fn draw_band(
    band: &mut [u8],
    cells: &[crate::grid::Cell],
    atlas: &GlyphAtlas,
    target: Target,
    lut: &[u8],
    op: u32,
    fast: Option<FastMode>,
) {
    match fast {
        Some(fast) if cells.iter().all(|c| c.bg == [0, 0, 0]) => {
            let len = cells.len() * atlas.metrics.width * 3;
            ROW_SCRATCH.with_borrow_mut(|scratch| {
                // Grows once per worker thread to the widest row seen, then is reused.
                let need = 2 * len + ROW_PAD;
                if scratch.len() < need {
                    scratch.resize(need, 0);
                }
                let (fg_row, cov_row) = scratch[..need].split_at_mut(len);
                draw_band_rows(band, cells, atlas, target, op, fast, fg_row, cov_row);
            });
        }
        _ => {
            if target.fresh {
                band.fill(0);
            }
            draw_band_cells(band, cells, atlas, target, lut, op, fast);
        }
    }
}

crate::multiversion! {
    /// The row-wise path of [`draw_band`]: `fg_row` is as long as the cells' pixels, `cov_row`
    /// [`ROW_PAD`] bytes longer (the gather copies whole chunks past each cell's end).
    #[allow(clippy::too_many_arguments)]
    fn draw_band_rows(
        band: &mut [u8],
        cells: &[crate::grid::Cell],
        atlas: &GlyphAtlas,
        target: Target,
        op: u32,
        fast: FastMode,
        fg_row: &mut [u8],
        cov_row: &mut [u8],
    ) {
        let cw3 = atlas.metrics.width * 3;
        for (cell, fg) in cells.iter().zip(fg_row.chunks_exact_mut(cw3)) {
            for px in fg.chunks_exact_mut(3) {
                px.copy_from_slice(&cell.fg);
            }
        }
        let x0 = target.ox * 3;
        let len = fg_row.len();
        for y in 0..atlas.metrics.height {
            // Left to right, so each cell's chunk overrun is overwritten by the next cell.
            let chunk = cw3.next_multiple_of(ROW_PAD);
            // Constant lengths for the usual cell widths become a few vector moves; a
            // variable-length copy would be a libc call per cell.
            match chunk {
                32 => gather::<32>(cov_row, cells, atlas, y, cw3),
                48 => gather::<48>(cov_row, cells, atlas, y, cw3),
                64 => gather::<64>(cov_row, cells, atlas, y, cw3),
                _ => {
                    for (c, cell) in cells.iter().enumerate() {
                        let src = atlas.rgb_row_padded(cell.glyph, y);
                        cov_row[c * cw3..c * cw3 + src.len()].copy_from_slice(src);
                    }
                }
            }
            let row = &mut band[y * target.stride..(y + 1) * target.stride];
            let (left, rest) = row.split_at_mut(x0);
            let (px, right) = rest.split_at_mut(len);
            if target.fresh {
                left.fill(0);
                right.fill(0);
                fill_row(px, &cov_row[..len], fg_row, op as u16);
            } else {
                blit_row(fast, px, &cov_row[..len], fg_row, op as u16);
            }
        }
    }
}

crate::multiversion! {
    /// The per-cell path of [`draw_band`], for LUT blend modes and cells with a background.
    #[allow(clippy::too_many_arguments)]
    fn draw_band_cells(
        band: &mut [u8],
        cells: &[crate::grid::Cell],
        atlas: &GlyphAtlas,
        target: Target,
        lut: &[u8],
        op: u32,
        fast: Option<FastMode>,
    ) {
        let (stride, ox) = (target.stride, target.ox);
        let cw = atlas.metrics.width;
        let row_bytes = cw * 3;
        // Per-cell scratch: the cell's colour repeated across a pixel row (on the stack
        // for any sane cell size, so drawing allocates nothing).
        let mut stack = [0u8; 1536];
        let mut heap = Vec::new();
        let fg3: &mut [u8] = if row_bytes <= stack.len() {
            &mut stack[..row_bytes]
        } else {
            heap.resize(row_bytes, 0);
            &mut heap
        };
        for (c, cell) in cells.iter().enumerate() {
            let x0 = (ox + c * cw) * 3;
            if cell.bg != [0, 0, 0] {
                draw_opaque_cell(band, stride, x0, atlas, cell, lut, op);
                continue;
            }
            if cell.glyph == 0 {
                continue;
            }
            let (y0, y1) = atlas.ink_rows(cell.glyph);
            if let Some(fast) = fast {
                for px in fg3.chunks_exact_mut(3) {
                    px.copy_from_slice(&cell.fg);
                }
                let bmp = atlas.bitmap_rgb(cell.glyph);
                for y in y0..y1 {
                    let cov = &bmp[y * row_bytes..(y + 1) * row_bytes];
                    let px = &mut band[y * stride + x0..y * stride + x0 + row_bytes];
                    blit_row(fast, px, cov, fg3, op as u16);
                }
                continue;
            }
            let bmp = atlas.bitmap(cell.glyph);
            let rows_lut = [
                &lut[(cell.fg[0] as usize) << 8..][..256],
                &lut[(cell.fg[1] as usize) << 8..][..256],
                &lut[(cell.fg[2] as usize) << 8..][..256],
            ];
            for y in y0..y1 {
                let cov = &bmp[y * cw..(y + 1) * cw];
                let px = &mut band[y * stride + x0..y * stride + x0 + cw * 3];
                for (p, &k) in px.chunks_exact_mut(3).zip(cov) {
                    if k == 0 {
                        continue;
                    }
                    // weight in 0..=65536: coverage (0..=255 → 0..=256) × opacity (0..=256)
                    let w = ((k as u32 + (k as u32 >> 7)) * op) as i32;
                    for ch in 0..3 {
                        let a = p[ch] as i32;
                        let r = rows_lut[ch][p[ch] as usize] as i32;
                        p[ch] = (a + (((r - a) * w + 32768) >> 16)) as u8;
                    }
                }
            }
        }
    }
}

/// Copy glyph row `y` of every cell into `cov_row`, `N` bytes per cell (its padded row length).
#[inline(always)]
fn gather<const N: usize>(
    cov_row: &mut [u8],
    cells: &[crate::grid::Cell],
    atlas: &GlyphAtlas,
    y: usize,
    cw3: usize,
) {
    for (c, cell) in cells.iter().enumerate() {
        let src: &[u8; N] = atlas.rgb_row_padded(cell.glyph, y).try_into().unwrap();
        let dst: &mut [u8; N] = (&mut cov_row[c * cw3..c * cw3 + N]).try_into().unwrap();
        *dst = *src;
    }
}

/// Blend modes with an arithmetic form that vectorizes; the rest go through the 8-bit LUT.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum FastMode {
    Normal,
    Screen,
    Add,
    Lighten,
}

impl FastMode {
    fn of(mode: BlendMode) -> Option<FastMode> {
        match mode {
            BlendMode::Normal => Some(FastMode::Normal),
            BlendMode::Screen => Some(FastMode::Screen),
            BlendMode::Add => Some(FastMode::Add),
            BlendMode::Lighten => Some(FastMode::Lighten),
            _ => None,
        }
    }
}

/// One glyph row onto one pixel row; `cov` and `fg3` are byte-aligned with `px` (RGB).
/// `op` is opacity in 0..=256. Written as plain element-wise loops so the compiler vectorizes.
#[inline(always)]
fn blit_row(mode: FastMode, px: &mut [u8], cov: &[u8], fg3: &[u8], op: u16) {
    if op == 256 {
        blit_with(mode, px, cov, fg3, |k| k as u16 + (k as u16 >> 7));
    } else {
        let op = op as u32;
        blit_with(mode, px, cov, fg3, |k| {
            (((k as u32 + (k as u32 >> 7)) * op) >> 8) as u16
        });
    }
}

/// [`blit_row`] onto black: every mode reduces to the weighted colour, and nothing is read.
#[inline(always)]
fn fill_row(px: &mut [u8], cov: &[u8], fg3: &[u8], op: u16) {
    let n = px.len().min(cov.len()).min(fg3.len());
    let (px, cov, fg3) = (&mut px[..n], &cov[..n], &fg3[..n]);
    if op == 256 {
        for i in 0..n {
            let w = cov[i] as u16 + (cov[i] as u16 >> 7);
            px[i] = ((fg3[i] as u16 * w + 128) >> 8) as u8;
        }
    } else {
        for i in 0..n {
            let k = cov[i] as u32;
            let w = ((k + (k >> 7)) * op as u32) >> 8;
            px[i] = ((fg3[i] as u32 * w + 128) >> 8) as u8;
        }
    }
}

/// One glyph row onto one pixel row; `cov` and `fg3` are byte-aligned with `px` (RGB) and
/// `weight` turns a coverage byte into a blend weight in 0..=256. Plain element-wise loops so
/// the compiler vectorizes; at full opacity the weight `k + k/128` stays in 16-bit lanes and
/// equals `((k + k/128) · 256) >> 8`, so both paths give the same bytes.
#[inline(always)]
fn blit_with(mode: FastMode, px: &mut [u8], cov: &[u8], fg3: &[u8], weight: impl Fn(u8) -> u16) {
    let n = px.len().min(cov.len()).min(fg3.len());
    let (px, cov, fg3) = (&mut px[..n], &cov[..n], &fg3[..n]);
    match mode {
        FastMode::Normal => {
            for i in 0..n {
                let w = weight(cov[i]);
                let a = px[i] as u16;
                px[i] = ((a * (256 - w) + fg3[i] as u16 * w + 128) >> 8) as u8;
            }
        }
        FastMode::Screen | FastMode::Add | FastMode::Lighten => {
            for i in 0..n {
                let top = (fg3[i] as u16 * weight(cov[i]) + 128) >> 8;
                let a = px[i] as u16;
                px[i] = match mode {
                    FastMode::Screen => {
                        let t = a * top;
                        (a + top - ((t + (t >> 8) + 128) >> 8)) as u8
                    }
                    FastMode::Add => (a + top).min(255) as u8,
                    _ => a.max(top) as u8,
                };
            }
        }
    }
}

fn draw_opaque_cell(
    band: &mut [u8],
    stride: usize,
    x0: usize,
    atlas: &GlyphAtlas,
    cell: &crate::grid::Cell,
    lut: &[u8],
    op: u32,
) {
    let cw = atlas.metrics.width;
    let bmp = atlas.bitmap(cell.glyph);
    let op = op as i32;
    for y in 0..atlas.metrics.height {
        let cov = &bmp[y * cw..(y + 1) * cw];
        let px = &mut band[y * stride + x0..y * stride + x0 + cw * 3];
        for (p, &k) in px.chunks_exact_mut(3).zip(cov) {
            let k = k as i32 + (k as i32 >> 7);
            for ch in 0..3 {
                let bg = cell.bg[ch] as i32;
                let top = bg + (((cell.fg[ch] as i32 - bg) * k) >> 8);
                let a = p[ch] as i32;
                let r = lut[(top as usize) << 8 | p[ch] as usize] as i32;
                p[ch] = (a + (((r - a) * op) >> 8)) as u8;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::glyph::FontChain;
    use crate::grid::Cell;

    fn setup() -> (GlyphAtlas, Frame, Placement) {
        let atlas = GlyphAtlas::new(&FontChain::bundled(), 16, "█#".chars());
        let m = atlas.metrics;
        let frame = Frame::new(m.width * 4 + 3, m.height * 2 + 5);
        let place = Placement::fit(frame.width, frame.height, m.width, m.height);
        (atlas, frame, place)
    }

    #[test]
    fn fast_modes_match_the_exact_formulas() {
        for (fast, mode) in [
            (FastMode::Normal, BlendMode::Normal),
            (FastMode::Screen, BlendMode::Screen),
            (FastMode::Add, BlendMode::Add),
            (FastMode::Lighten, BlendMode::Lighten),
        ] {
            for a in [0u8, 40, 128, 255] {
                for fg in [0u8, 90, 255] {
                    let mut px = [a];
                    blit_row(fast, &mut px, &[255], &[fg], 256);
                    let want = (mode.apply(a as f32 / 255.0, fg as f32 / 255.0) * 255.0).round();
                    assert!(
                        (px[0] as f32 - want).abs() <= 1.0,
                        "{mode:?} a={a} fg={fg}: {} vs {want}",
                        px[0]
                    );
                }
            }
        }
        // zero coverage leaves the pixel alone
        let mut px = [77u8];
        blit_row(FastMode::Normal, &mut px, &[0], &[255], 256);
        assert_eq!(px[0], 77);
    }

    #[test]
    fn row_path_matches_cell_path() {
        let atlas = GlyphAtlas::new(&FontChain::bundled(), 16, "█#@.:/x".chars());
        let m = atlas.metrics;
        let cols = 7;
        let stride = (cols * m.width + 5) * 3;
        let mut rng = crate::rng::SplitMix(7);
        let cells: Vec<Cell> = (0..cols)
            .map(|_| Cell {
                glyph: (rng.next_u64() % atlas.len() as u64) as u16,
                fg: [
                    rng.next_u64() as u8,
                    rng.next_u64() as u8,
                    rng.next_u64() as u8,
                ],
                bg: [0, 0, 0],
            })
            .collect();
        let under: Vec<u8> = (0..stride * m.height)
            .map(|_| rng.next_u64() as u8)
            .collect();
        for fast in [
            FastMode::Normal,
            FastMode::Screen,
            FastMode::Add,
            FastMode::Lighten,
        ] {
            for op in [256, 100] {
                let (mut a, mut b) = (under.clone(), under.clone());
                let t = Target {
                    stride,
                    ox: 2,
                    fresh: false,
                };
                draw_band(&mut a, &cells, &atlas, t, &[], op, Some(fast));
                draw_band_cells(&mut b, &cells, &atlas, t, &[], op, Some(fast));
                assert_eq!(a, b, "{fast:?} op {op}");
            }
        }
    }

    #[test]
    fn fresh_draw_equals_clear_then_draw() {
        let atlas = GlyphAtlas::new(&FontChain::bundled(), 16, "█#@.:/x".chars());
        let m = atlas.metrics;
        let mut rng = crate::rng::SplitMix(11);
        let mut stale = Frame::new(m.width * 6 + 7, m.height * 3 + 4);
        for v in stale.data.iter_mut() {
            *v = rng.next_u64() as u8;
        }
        let place = Placement::fit(stale.width, stale.height, m.width, m.height);
        let mut grid = CellGrid::new(place.cols, place.rows);
        for (i, c) in grid.cells.iter_mut().enumerate() {
            c.glyph = (rng.next_u64() % atlas.len() as u64) as u16;
            c.fg = [rng.next_u64() as u8, rng.next_u64() as u8, 200];
            // one row of cells with a background colour takes the per-cell path
            if i / place.cols == 1 && i % 2 == 0 {
                c.bg = [9, 8, 7];
            }
        }
        for mode in [BlendMode::Normal, BlendMode::Add, BlendMode::Multiply] {
            for opacity in [1.0, 0.6] {
                let mut want = stale.clone();
                want.clear();
                draw_grid(&mut want, &grid, &atlas, place, mode, opacity);
                let mut got = stale.clone();
                draw_grid_fresh(&mut got, &grid, &atlas, place, mode, opacity);
                assert!(got.data == want.data, "{mode:?} at {opacity}");
            }
        }
    }

    #[test]
    fn placement_centres_leftover_pixels() {
        let p = Placement::fit(105, 50, 10, 19);
        assert_eq!((p.cols, p.rows, p.ox, p.oy), (10, 2, 2, 6));
    }

    #[test]
    fn full_block_fills_its_cell_with_the_colour_and_nothing_else() {
        let (atlas, mut frame, place) = setup();
        let mut grid = CellGrid::new(place.cols, place.rows);
        grid.cells[0] = Cell {
            glyph: atlas.id('█').unwrap(),
            fg: [200, 100, 50],
            bg: [0, 0, 0],
        };
        draw_grid(&mut frame, &grid, &atlas, place, BlendMode::Normal, 1.0);
        let m = atlas.metrics;
        let centre = frame.pixel(place.ox + m.width / 2, place.oy + m.height / 2);
        assert_eq!(centre, [200, 100, 50]);
        // the neighbouring cell and the margins stay black
        assert_eq!(frame.pixel(place.ox + m.width + 2, place.oy + 2), [0, 0, 0]);
        assert_eq!(frame.pixel(0, 0), [0, 0, 0]);
    }

    #[test]
    fn opaque_background_and_opacity() {
        let (atlas, mut frame, place) = setup();
        let mut grid = CellGrid::new(place.cols, place.rows);
        grid.cells[1] = Cell {
            glyph: 0,
            fg: [255, 255, 255],
            bg: [10, 20, 30],
        };
        draw_grid(&mut frame, &grid, &atlas, place, BlendMode::Normal, 1.0);
        let m = atlas.metrics;
        assert_eq!(
            frame.pixel(place.ox + m.width + 1, place.oy + 1),
            [10, 20, 30]
        );
        let mut half = Frame::new(frame.width, frame.height);
        grid.cells[1].glyph = atlas.id('█').unwrap();
        draw_grid(&mut half, &grid, &atlas, place, BlendMode::Normal, 0.5);
        let p = half.pixel(place.ox + m.width + m.width / 2, place.oy + m.height / 2);
        assert!((126..=129).contains(&p[0]), "{p:?}");
    }
}
