//! Drawing helpers shared by the particle effects: points and fading streaks, max-blended so
//! overlapping particles never exceed the brightest one.

/// A cell-grid canvas over a value buffer.
pub struct Canvas<'a> {
    /// Row-major values, `cols × rows`.
    pub value: &'a mut [f32],
    /// Columns.
    pub cols: usize,
    /// Rows.
    pub rows: usize,
}

impl Canvas<'_> {
    /// Brighten the cell containing (x, y) (column, row; fractional) to at least `v`; returns
    /// the cell index when it is on the grid.
    #[inline]
    pub fn point(&mut self, x: f32, y: f32, v: f32) -> Option<usize> {
        if !(x >= 0.0 && y >= 0.0) {
            return None;
        }
        let (c, r) = (x as usize, y as usize);
        if c >= self.cols || r >= self.rows {
            return None;
        }
        let i = r * self.cols + c;
        self.value[i] = self.value[i].max(v);
        Some(i)
    }

    /// A streak from (x0, y0) with brightness `v0` to (x1, y1) with brightness `v1`, one sample
    /// per cell along the longer axis (capped at `max_len` cells). Calls `mark` with the index
    /// of every cell it lit.
    #[allow(clippy::too_many_arguments)]
    pub fn streak(
        &mut self,
        (x0, y0): (f32, f32),
        (x1, y1): (f32, f32),
        v0: f32,
        v1: f32,
        max_len: usize,
        mut mark: impl FnMut(usize),
    ) {
        let (dx, dy) = (x1 - x0, y1 - y0);
        let steps = dx.abs().max(dy.abs()).ceil();
        if !steps.is_finite() {
            return;
        }
        let steps = (steps as usize).min(max_len);
        if steps == 0 {
            if let Some(i) = self.point(x1, y1, v1) {
                mark(i);
            }
            return;
        }
        // sample from the far end so the brightest (newest) end is drawn last
        let inv = 1.0 / steps as f32;
        for s in 0..=steps {
            let f = s as f32 * inv;
            let (x, y) = (x1 - dx * f, y1 - dy * f);
            if let Some(i) = self.point(x, y, v1 + (v0 - v1) * f) {
                mark(i);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_clip_and_max_blend() {
        let mut v = vec![0.0; 12];
        let mut c = Canvas {
            value: &mut v,
            cols: 4,
            rows: 3,
        };
        assert_eq!(c.point(1.5, 2.9, 0.5), Some(9));
        assert_eq!(c.point(1.2, 2.1, 0.3), Some(9));
        assert_eq!(c.point(-0.5, 1.0, 1.0), None);
        assert_eq!(c.point(4.0, 1.0, 1.0), None);
        assert_eq!(c.point(f32::NAN, 1.0, 1.0), None);
        assert_eq!(v[9], 0.5);
    }

    #[test]
    fn streak_fades_from_head_to_tail() {
        let mut v = vec![0.0; 10];
        let mut c = Canvas {
            value: &mut v,
            cols: 10,
            rows: 1,
        };
        let mut n = 0;
        c.streak((0.5, 0.5), (8.5, 0.5), 0.1, 1.0, 100, |_| n += 1);
        assert_eq!(n, 9);
        assert_eq!(v[8], 1.0);
        assert!(v[0] < v[4] && v[4] < v[8]);
        assert_eq!(v[9], 0.0);
    }
}
