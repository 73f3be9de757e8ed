//! `halftone`: print-style dots. Each `dot_size` cell becomes a disc of the cell's mean colour on
//! black, its area proportional to the cell's luma (a white cell fills its square). Disc edges
//! are antialiased horizontally by pixel coverage.
//!
//! Rendered span by span: per pixel row of a cell the disc is one horizontal run, so the work is
//! one square root per cell row, two antialiased end pixels and plain colour fills.

use rayon::prelude::*;

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
}

/// Paint `colour` over the horizontal span `[lo, hi)` (pixel units, relative to `row`):
/// covered pixels get the full colour, the two boundary pixels their covered fraction.
fn draw_span(row: &mut [u8], lo: f32, hi: f32, colour: &[u8]) {
    let n = row.len() / 3;
    let (lo, hi) = (lo.max(0.0), hi.min(n as f32));
    if hi <= lo {
        return;
    }
    let (first, last) = (lo.floor() as usize, (hi.ceil() as usize).min(n));
    let partial = |x: usize| {
        let cov = ((x as f32 + 1.0).min(hi) - (x as f32).max(lo)).clamp(0.0, 1.0);
        std::array::from_fn::<u8, 3, _>(|c| (colour[c] as f32 * cov + 0.5) as u8)
    };
    for x in first..last {
        let px = if x == first || x + 1 == last {
            partial(x)
        } else {
            [colour[0], colour[1], colour[2]]
        };
        row[3 * x..3 * x + 3].copy_from_slice(&px);
    }
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
        frame
            .data
            .par_chunks_mut(cell * stride)
            .zip(self.sums.par_chunks_mut(stride))
            .zip(self.means.par_chunks_mut(cw * 3))
            .zip(self.radii.par_chunks_mut(cw))
            .for_each(|(((band, sums), means), radii)| {
                resample::block_means_u8(band, w, cell, sums, means);
                let cy = cell as f32 / 2.0;
                // Disc radius² of every cell in this row of cells.
                for (r2, mean) in radii.iter_mut().zip(means.chunks_exact(3)) {
                    *r2 = r2_max * util::luma(mean[0], mean[1], mean[2]) as f32 / 255.0;
                }
                for (k, row) in band.chunks_exact_mut(stride).enumerate() {
                    row.fill(0);
                    let dy = k as f32 + 0.5 - cy;
                    for (c, (mean, &r2)) in means.chunks_exact(3).zip(radii.iter()).enumerate() {
                        let half = (r2 - dy * dy).max(0.0).sqrt();
                        if half > 0.0 {
                            let x0 = c * cell;
                            let cx = x0 as f32 + cell as f32 / 2.0;
                            let cell_row = &mut row[3 * x0..3 * (x0 + cell).min(w)];
                            draw_span(cell_row, cx - half - x0 as f32, cx + half - x0 as f32, mean);
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
