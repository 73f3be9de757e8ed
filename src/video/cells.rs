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
    /// Luma plane, `cw·ch` long.
    pub luma: Vec<u8>,
    /// `Σ p` per channel.
    pub sum: [f32; 3],
    /// Mean luma, 0..=255.
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
        let stride = frame.stride();
        let [r, g, b] = &mut self.rgb;
        let mut sums = [0u32; 4];
        for y in 0..ch {
            let fy = y0 + y;
            let avail = if fy < frame.height {
                frame.width.saturating_sub(x0).min(cw)
            } else {
                0
            };
            let src = if avail > 0 {
                &frame.data[fy * stride + x0 * 3..fy * stride + (x0 + avail) * 3]
            } else {
                &[][..]
            };
            let base = y * cw;
            for (x, p) in src.chunks_exact(3).enumerate() {
                let i = base + x;
                r[i] = p[0] as i16;
                g[i] = p[1] as i16;
                b[i] = p[2] as i16;
                let l = luma(p[0], p[1], p[2]);
                self.luma[i] = l;
                sums[0] += p[0] as u32;
                sums[1] += p[1] as u32;
                sums[2] += p[2] as u32;
                sums[3] += l as u32;
            }
            for i in base + avail..base + cw {
                r[i] = 0;
                g[i] = 0;
                b[i] = 0;
                self.luma[i] = 0;
            }
        }
        self.sum = [sums[0] as f32, sums[1] as f32, sums[2] as f32];
        self.mean_luma = sums[3] as f32 / (cw * ch).max(1) as f32;
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
