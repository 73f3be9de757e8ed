//! Grid geometry (cell coordinate caches) and the character grid effects write into.

/// Precomputed per-cell coordinates of a `cols × rows` grid, built once per grid size.
///
/// Centre-relative coordinates are aspect-corrected: `dy` is measured in the same physical
/// unit as `dx` (cell widths), so a circle in `dist` looks round on screen.
#[derive(Clone, Debug)]
pub struct GridGeom {
    /// Number of columns.
    pub cols: usize,
    /// Number of rows.
    pub rows: usize,
    /// Cell width in output pixels.
    pub cell_w: usize,
    /// Cell height in output pixels.
    pub cell_h: usize,
    /// `cell_h / cell_w`: how many column-widths one row is tall.
    pub aspect: f32,
    /// Column index of each cell, as f32.
    pub col: Vec<f32>,
    /// Row index of each cell, as f32.
    pub row: Vec<f32>,
    /// Horizontal offset from the centre, in column widths.
    pub dx: Vec<f32>,
    /// Vertical offset from the centre, in column widths (aspect-corrected).
    pub dy: Vec<f32>,
    /// Distance from the centre, in column widths.
    pub dist: Vec<f32>,
    /// Angle around the centre, `atan2(dy, dx)` in `(-π, π]`.
    pub angle: Vec<f32>,
    /// `dx` divided by the grid's half-width in the same units: about `-1..1`.
    pub dx_n: Vec<f32>,
    /// `dy` divided by the same half-width (so it stays round): about `-h/w..h/w`.
    pub dy_n: Vec<f32>,
    /// Distance normalized so the nearest edge is at 1 (`dist / min(half-width, half-height)`).
    pub dist_n: Vec<f32>,
}

impl GridGeom {
    /// Build the coordinate caches for a grid.
    pub fn new(cols: usize, rows: usize, cell_w: usize, cell_h: usize) -> Self {
        let n = cols * rows;
        let aspect = cell_h as f32 / cell_w.max(1) as f32;
        let cx = (cols as f32 - 1.0) * 0.5;
        let cy = (rows as f32 - 1.0) * 0.5;
        let half_w = (cols as f32 * 0.5).max(0.5);
        let half_h = (rows as f32 * 0.5 * aspect).max(0.5);
        let norm_edge = half_w.min(half_h);
        let mut g = GridGeom {
            cols,
            rows,
            cell_w,
            cell_h,
            aspect,
            col: Vec::with_capacity(n),
            row: Vec::with_capacity(n),
            dx: Vec::with_capacity(n),
            dy: Vec::with_capacity(n),
            dist: Vec::with_capacity(n),
            angle: Vec::with_capacity(n),
            dx_n: Vec::with_capacity(n),
            dy_n: Vec::with_capacity(n),
            dist_n: Vec::with_capacity(n),
        };
        for r in 0..rows {
            for c in 0..cols {
                let dx = c as f32 - cx;
                let dy = (r as f32 - cy) * aspect;
                let dist = (dx * dx + dy * dy).sqrt();
                g.col.push(c as f32);
                g.row.push(r as f32);
                g.dx.push(dx);
                g.dy.push(dy);
                g.dist.push(dist);
                g.angle.push(dy.atan2(dx));
                g.dx_n.push(dx / half_w);
                g.dy_n.push(dy / half_w);
                g.dist_n.push(dist / norm_edge);
            }
        }
        g
    }

    /// Number of cells.
    pub fn len(&self) -> usize {
        self.cols * self.rows
    }

    /// True for a grid with no cells.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// One character cell: a glyph of the atlas and its colours.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Cell {
    /// Index into the glyph atlas; 0 is the blank glyph (nothing drawn).
    pub glyph: u16,
    /// Foreground (glyph) colour.
    pub fg: [u8; 3],
    /// Background colour of the cell (black = none).
    pub bg: [u8; 3],
}

/// A `cols × rows` grid of cells, row-major.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CellGrid {
    /// Number of columns.
    pub cols: usize,
    /// Number of rows.
    pub rows: usize,
    /// `cols * rows` cells, row-major.
    pub cells: Vec<Cell>,
}

impl CellGrid {
    /// An all-blank grid.
    pub fn new(cols: usize, rows: usize) -> Self {
        CellGrid {
            cols,
            rows,
            cells: vec![Cell::default(); cols * rows],
        }
    }

    /// The cell at (col, row).
    pub fn at(&self, col: usize, row: usize) -> &Cell {
        &self.cells[row * self.cols + col]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn centre_is_zero_and_aspect_corrects_rows() {
        let g = GridGeom::new(5, 3, 10, 20);
        let centre = 5 + 2;
        assert_eq!(g.dx[centre], 0.0);
        assert_eq!(g.dy[centre], 0.0);
        // one row up is two column-widths away because cells are twice as tall as wide
        assert!((g.dist[2] - 2.0).abs() < 1e-6);
        assert!(g.dist_n.iter().all(|d| d.is_finite()));
    }
}
