//! Pixel mode: an RGB frame shown as half blocks (`▀`, foreground = upper pixel, background =
//! lower pixel), so one terminal cell carries two square-ish pixels.

use super::cell::TCell;
use crate::frame::Frame;

/// The upper half block.
pub const UPPER_HALF: char = '▀';

/// The largest `cols × rows` cell area inside `max_cols × max_rows` that shows an image of
/// `w × h` pixels undistorted, for cells `cell_aspect` times taller than wide.
pub fn fit(w: usize, h: usize, max_cols: u16, max_rows: u16, cell_aspect: f32) -> (u16, u16) {
    if w == 0 || h == 0 || max_cols == 0 || max_rows == 0 {
        return (0, 0);
    }
    let img = w as f32 / h as f32;
    // cols / (rows * cell_aspect) = img
    let rows_for_full_width = (max_cols as f32 / (img * cell_aspect)).floor();
    if rows_for_full_width <= max_rows as f32 {
        (max_cols, (rows_for_full_width as u16).max(1))
    } else {
        let cols = (max_rows as f32 * img * cell_aspect).floor() as u16;
        (cols.clamp(1, max_cols), max_rows)
    }
}

/// Box-filter ranges for shrinking `src` samples to `dst` (each destination covers at least one).
#[derive(Clone, Debug, Default)]
pub struct Spans {
    bounds: Vec<(u32, u32)>,
}

impl Spans {
    fn build(&mut self, src: usize, dst: usize) {
        self.bounds.clear();
        for i in 0..dst {
            let a = i * src / dst;
            let b = ((i + 1) * src / dst).max(a + 1).min(src.max(1));
            self.bounds.push((a as u32, b as u32));
        }
    }
}

/// Downsamples frames to half-block cells, keeping its lookup tables between frames.
#[derive(Clone, Debug, Default)]
pub struct HalfBlocks {
    xs: Spans,
    ys: Spans,
    key: (usize, usize, u16, u16),
    row_acc: Vec<[u32; 4]>,
}

impl HalfBlocks {
    /// Shrink `frame` onto `cols × rows` cells (2·rows pixel rows) into `out` (row-major,
    /// resized to fit). The box filter averages every source pixel once.
    pub fn convert(&mut self, frame: &Frame, cols: u16, rows: u16, out: &mut Vec<TCell>) {
        let (cols_u, rows_u) = (cols as usize, rows as usize);
        out.clear();
        out.resize(cols_u * rows_u, TCell::BLANK);
        if frame.width == 0 || frame.height == 0 || cols == 0 || rows == 0 {
            return;
        }
        let key = (frame.width, frame.height, cols, rows);
        if key != self.key {
            self.xs.build(frame.width, cols_u);
            self.ys.build(frame.height, rows_u * 2);
            self.key = key;
        }
        self.row_acc.resize(cols_u, [0; 4]);
        let stride = frame.stride();
        for (py, &(y0, y1)) in self.ys.bounds.iter().enumerate() {
            self.row_acc.fill([0; 4]);
            for y in y0..y1 {
                let line = &frame.data[y as usize * stride..(y as usize + 1) * stride];
                for (acc, &(x0, x1)) in self.row_acc.iter_mut().zip(&self.xs.bounds) {
                    for px in line[x0 as usize * 3..x1 as usize * 3].chunks_exact(3) {
                        acc[0] += px[0] as u32;
                        acc[1] += px[1] as u32;
                        acc[2] += px[2] as u32;
                    }
                    acc[3] += x1 - x0;
                }
            }
            let row = &mut out[(py / 2) * cols_u..(py / 2 + 1) * cols_u];
            for (cell, acc) in row.iter_mut().zip(&self.row_acc) {
                let n = acc[3].max(1);
                let c = [(acc[0] / n) as u8, (acc[1] / n) as u8, (acc[2] / n) as u8];
                let c = super::cell::Ink::Rgb(c[0], c[1], c[2]);
                cell.ch = UPPER_HALF;
                if py % 2 == 0 {
                    cell.fg = c;
                } else {
                    cell.bg = c;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::term::cell::Ink;

    #[test]
    fn fit_keeps_the_aspect_ratio() {
        // 16:9 in 200×60 cells of aspect 2: width-limited → 200 × 56
        assert_eq!(fit(1920, 1080, 200, 60, 2.0), (200, 56));
        // tall pane: height-limited
        assert_eq!(fit(1920, 1080, 200, 20, 2.0), (71, 20));
        assert_eq!(fit(0, 10, 10, 10, 2.0), (0, 0));
    }

    #[test]
    fn upper_and_lower_pixels_become_fg_and_bg() {
        // 2×4 frame: top half red, bottom half blue → 2×2 pixels → 2 cols × 1 row... use 1 row
        let mut f = Frame::new(2, 4);
        for y in 0..4 {
            for x in 0..2 {
                let c = if y < 2 { [255, 0, 0] } else { [0, 0, 255] };
                f.data[(y * 2 + x) * 3..(y * 2 + x) * 3 + 3].copy_from_slice(&c);
            }
        }
        let mut hb = HalfBlocks::default();
        let mut out = Vec::new();
        hb.convert(&f, 2, 1, &mut out);
        assert_eq!(out.len(), 2);
        for c in &out {
            assert_eq!(c.ch, UPPER_HALF);
            assert_eq!(c.fg, Ink::Rgb(255, 0, 0));
            assert_eq!(c.bg, Ink::Rgb(0, 0, 255));
        }
    }

    #[test]
    fn box_filter_averages() {
        let mut f = Frame::new(2, 2);
        f.data = vec![0, 0, 0, 200, 200, 200, 100, 100, 100, 100, 100, 100];
        let mut out = Vec::new();
        HalfBlocks::default().convert(&f, 1, 1, &mut out);
        assert_eq!(out[0].fg, Ink::Rgb(100, 100, 100));
        assert_eq!(out[0].bg, Ink::Rgb(100, 100, 100));
        // zero sizes do not panic
        HalfBlocks::default().convert(&Frame::new(0, 0), 3, 3, &mut out);
        assert_eq!(out.len(), 9);
    }
}
