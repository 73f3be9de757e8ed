//! One cell's source pixels in planar form, padded for the dot-product kernels.

use crate::frame::Frame;

/// Lanes the kernels process at once: planes are zero-padded to a multiple of this.
pub(crate) const LANES: usize = 16;

/// `n` rounded up to a whole number of [`LANES`].
pub(crate) fn padded(n: usize) -> usize {
    n.div_ceil(LANES) * LANES
}

/// Rec.601 luma of an RGB pixel in 0..=255 (integer, as the reference's 0.299/0.587/0.114).
#[inline]
pub(crate) fn luma(r: u8, g: u8, b: u8) -> u8 {
    ((77 * r as u32 + 150 * g as u32 + 29 * b as u32 + 128) >> 8) as u8
}

/// A `cw × ch` cell of a frame: R, G, B and luma planes (row-major, zero-padded) and sums.
#[derive(Clone, Debug)]
pub(crate) struct CellPixels {
    /// Cell width.
    pub cw: usize,
    /// Cell height.
    pub ch: usize,
    /// Red, green, blue planes, each `padded(cw·ch)` long.
    pub rgb: [Vec<i16>; 3],
    /// Luma plane, `cw·ch` long (filled by [`CellPixels::compute_luma`]).
    pub luma: Vec<u8>,
    /// `Σ p` per channel.
    pub sum: [f32; 3],
    /// Mean luma, 0..=255, from the channel sums.
    pub mean_luma: f32,
}

impl CellPixels {
    /// Scratch for cells of `cw × ch`.
    pub fn new(cw: usize, ch: usize) -> CellPixels {
        let np = padded(cw * ch);
        CellPixels {
            cw,
            ch,
            rgb: [vec![0; np], vec![0; np], vec![0; np]],
            luma: vec![0; cw * ch],
            sum: [0.0; 3],
            mean_luma: 0.0,
        }
    }

    /// Copy the cell whose top-left pixel is (`x0`, `y0`); pixels outside the frame are black.
    pub fn load(&mut self, frame: &Frame, x0: usize, y0: usize) {
        let (cw, ch) = (self.cw, self.ch);
        // rows and columns of the cell inside the frame; the rest reads as black
        let rows = frame.height.saturating_sub(y0).min(ch);
        let avail = frame.width.saturating_sub(x0).min(cw);
        let stride = frame.stride();
        let start = (y0 * stride + x0 * 3).min(frame.data.len());
        let [r, g, b] = &mut self.rgb;
        load_rows(&frame.data[start..], stride, cw, ch, rows, avail, r, g, b);
        let n = cw * ch;
        let mut sums = [0i32; 3];
        plane_sums(
            &self.rgb[0][..n],
            &self.rgb[1][..n],
            &self.rgb[2][..n],
            &mut sums,
        );
        self.sum = sums.map(|v| v as f32);
        // the mean of the per-pixel luma, up to its rounding
        self.mean_luma = (77.0 * self.sum[0] + 150.0 * self.sum[1] + 29.0 * self.sum[2])
            / (256.0 * n.max(1) as f32);
    }

    /// Fill the luma plane from the colour planes (only `edges` needs it).
    pub fn compute_luma(&mut self) {
        let n = self.cw * self.ch;
        let [r, g, b] = &self.rgb;
        for (i, l) in self.luma[..n].iter_mut().enumerate() {
            *l = luma(r[i] as u8, g[i] as u8, b[i] as u8);
        }
    }
}

crate::multiversion! {
    /// Split the `rows × avail` pixels of a cell (interleaved RGB from `src`, rows `stride`
    /// bytes apart) into three `cw × ch` planes, zeroing what lies outside the frame. One
    /// dispatch per cell, and the row loops compiled for the CPU's vector width.
    #[allow(clippy::too_many_arguments)]
    fn load_rows(
        src: &[u8],
        stride: usize,
        cw: usize,
        ch: usize,
        rows: usize,
        avail: usize,
        r: &mut [i16],
        g: &mut [i16],
        b: &mut [i16],
    ) {
        for y in 0..ch {
            let (r, g, b) = (
                &mut r[y * cw..(y + 1) * cw],
                &mut g[y * cw..(y + 1) * cw],
                &mut b[y * cw..(y + 1) * cw],
            );
            let n = if y < rows { avail } else { 0 };
            if n > 0 {
                let row = &src[y * stride..y * stride + n * 3];
                for (((p, r), g), b) in row.chunks_exact(3).zip(r.iter_mut()).zip(g.iter_mut()).zip(b.iter_mut()) {
                    *r = p[0] as i16;
                    *g = p[1] as i16;
                    *b = p[2] as i16;
                }
            }
            if n < cw {
                r[n..].fill(0);
                g[n..].fill(0);
                b[n..].fill(0);
            }
        }
    }
}

crate::multiversion! {
    /// Sums of three planes.
    fn plane_sums(r: &[i16], g: &[i16], b: &[i16], out: &mut [i32; 3]) {
        out[0] = r.iter().map(|&v| v as i32).sum();
        out[1] = g.iter().map(|&v| v as i32).sum();
        out[2] = b.iter().map(|&v| v as i32).sum();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn load_copies_the_cell_and_pads_outside_the_frame() {
        let mut f = Frame::new(5, 4);
        for (i, v) in f.data.iter_mut().enumerate() {
            *v = (i % 251) as u8;
        }
        let mut c = CellPixels::new(3, 2);
        c.load(&f, 1, 1);
        assert_eq!(c.rgb[0][0], f.pixel(1, 1)[0] as i16);
        let want: f32 = (1..4)
            .flat_map(|x| (1..3).map(move |y| (x, y)))
            .map(|(x, y)| f.pixel(x, y)[1] as f32)
            .sum();
        assert_eq!(c.sum[1], want);
        c.compute_luma();
        let p = f.pixel(2, 2);
        assert_eq!(c.luma[4], luma(p[0], p[1], p[2]));
        assert_eq!(c.rgb[2][5], f.pixel(3, 2)[2] as i16);
        assert_eq!(c.rgb[0].len(), 16);
        // a cell hanging over the right and bottom edges reads black there
        c.load(&f, 3, 3);
        assert_eq!(c.rgb[1][0], f.pixel(3, 3)[1] as i16);
        assert_eq!(c.rgb[1][2], 0);
        assert_eq!(c.rgb[1][3], 0);
        assert_eq!(luma(255, 255, 255), 255);
        assert_eq!(luma(0, 0, 0), 0);
    }
}
