//! `halftone`: print-style dots. Each `dot_size` cell becomes a disc of the cell's mean colour on
//! black, its area proportional to the cell's luma (a white cell fills its square). Disc edges
//! are antialiased horizontally by pixel coverage.
//!
//! Rendered span by span: per pixel row of a cell the disc is one horizontal run, so the work is
//! one square root per cell row, two antialiased end pixels and plain colour fills.

use rayon::prelude::*;

use super::simd::multiversion;
use super::{Shader, ShaderSpec, resample, util};
use crate::frame::{Frame, FrameCtx};
use crate::params::ParamSpec;

const PARAMS: &[ParamSpec] = &[ParamSpec::new(
    "dot_size",
    2.0,
    64.0,
    6.0,
    "cell size in pixels",
)];

/// Registry entry.
pub(super) const SPEC: ShaderSpec = ShaderSpec {
    name: "halftone",
    doc: "dots sized by brightness, in the cell's colour",
    params: PARAMS,
    heavy: false,
    make: || Box::new(Halftone::default()),
};

#[derive(Default)]
struct Halftone {
    /// Per cell row: column sums and cell means.
    sums: Vec<u16>,
    means: Vec<u8>,
    radii: Vec<f32>,
    /// Per cell row: each disc's span on the current pixel row (8-bit fixed point).
    ends: Vec<i32>,
}

multiversion! {
    /// The span `[lo, hi)` of every cell's disc on a pixel row `√dy2` from the cells' centres,
    /// relative to the cell's left edge, in 8-bit fixed point.
    fn spans(lo: &mut [i32], hi: &mut [i32], radii: &[f32], dy2: f32, centre: f32) {
        for ((l, h), &r2) in lo.iter_mut().zip(hi.iter_mut()).zip(radii) {
            let half = (r2 - dy2).max(0.0).sqrt();
            *l = util::round_i32((centre - half) * 256.0);
            *h = util::round_i32((centre + half) * 256.0);
        }
    }
}

/// Paint `colour` over the horizontal span `[lo, hi)` (8-bit fixed-point pixel units, relative
/// to `row`): covered pixels get the full colour, the two boundary pixels their covered
/// fraction. Integer arithmetic only: float-to-byte conversions cost more than the fills.
fn draw_span(row: &mut [u8], lo: i32, hi: i32, colour: &[u8]) {
    let n = (row.len() / 3) as i32;
    let (lo, hi) = (lo.max(0), hi.min(n << 8));
    if hi <= lo {
        return;
    }
    let first = (lo >> 8) as usize;
    let last = ((hi + 255) >> 8) as usize;
    let paint = |row: &mut [u8], x: usize, cov: i32| {
        let cov = cov.clamp(0, 256) as u32;
        for (p, &c) in row[3 * x..3 * x + 3].iter_mut().zip(colour) {
            *p = ((c as u32 * cov + 128) >> 8) as u8;
        }
    };
    if last == first + 1 {
        paint(row, first, hi - lo);
        return;
    }
    for px in row[3 * (first + 1)..3 * (last - 1)].chunks_exact_mut(3) {
        px.copy_from_slice(&colour[..3]);
    }
    paint(row, first, (((first + 1) as i32) << 8) - lo);
    paint(row, last - 1, hi - (((last - 1) as i32) << 8));
}

impl Shader for Halftone {
    fn apply(&mut self, frame: &mut Frame, params: &[f32], _ctx: &FrameCtx) {
        let Some((w, h)) = util::dims(frame) else {
            return;
        };
        let [cell] = util::read::<1>(params, PARAMS);
        let cell = util::int_param(cell, 2, 64) as usize;
        let stride = w * 3;
        let cw = w.div_ceil(cell);
        let rows = h.div_ceil(cell);
        util::ensure_len(&mut self.sums, rows * stride);
        util::ensure_len(&mut self.means, rows * cw * 3);
        // Radius² of a white cell's disc: the disc's area equals the cell's.
        let r2_max = (cell * cell) as f32 / std::f32::consts::PI;
        util::ensure_len(&mut self.radii, rows * cw);
        util::ensure_len(&mut self.ends, rows * 2 * cw);
        frame
            .data
            .par_chunks_mut(cell * stride)
            .zip(self.sums.par_chunks_mut(stride))
            .zip(self.means.par_chunks_mut(cw * 3))
            .zip(self.radii.par_chunks_mut(cw))
            .zip(self.ends.par_chunks_mut(2 * cw))
            .for_each(|((((band, sums), means), radii), ends)| {
                resample::block_means_u8(band, w, cell, sums, means);
                let cy = cell as f32 / 2.0;
                // Disc radius² of every cell in this row of cells.
                for (r2, mean) in radii.iter_mut().zip(means.chunks_exact(3)) {
                    *r2 = r2_max * util::luma(mean[0], mean[1], mean[2]) as f32 / 255.0;
                }
                let (lo, hi) = ends.split_at_mut(cw);
                for (k, row) in band.chunks_exact_mut(stride).enumerate() {
                    row.fill(0);
                    let dy = k as f32 + 0.5 - cy;
                    spans(lo, hi, radii, dy * dy, cell as f32 / 2.0);
                    let cells = row.chunks_mut(3 * cell).zip(means.chunks_exact(3));
                    for ((cell_row, mean), (&l, &h)) in cells.zip(lo.iter().zip(hi.iter())) {
                        if h > l {
                            draw_span(cell_row, l, h, mean);
                        }
                    }
                }
            });
    }
}

#[cfg(test)]
mod tests {
    use crate::frame::Frame;
    use crate::shaders::test_util::{ctx, mean_all, run};

    fn grey(v: u8) -> Frame {
        let mut f = Frame::new(60, 40);
        f.data.fill(v);
        f
    }

    #[test]
    fn dot_area_follows_brightness() {
        let dark = run("halftone", &grey(40), &[10.0], &ctx(0));
        let light = run("halftone", &grey(200), &[10.0], &ctx(0));
        let lit = |f: &Frame| f.data.chunks_exact(3).filter(|p| p[0] > 0).count();
        assert!(lit(&light) > 2 * lit(&dark));
        // Dots are centred in their cells: cell corners stay black, centres keep the colour.
        assert_eq!(light.pixel(0, 0), [0, 0, 0]);
        assert_eq!(light.pixel(5, 5), [200, 200, 200]);
        assert_eq!(light.pixel(15, 25), [200, 200, 200]);
        // Brightness roughly survives: coverage × colour ≈ luma/255 × colour.
        let expect = 200.0 * 200.0 / 255.0;
        assert!((mean_all(&light, 0, 60, 0, 40) - expect).abs() < expect * 0.15);
        assert_eq!(run("halftone", &grey(0), &[10.0], &ctx(0)), grey(0));
    }
}
