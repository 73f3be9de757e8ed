//! `pixelate`: replace every `block × block` square by its average colour (averaging rather
//! than point-sampling, so moving detail does not flicker).

use rayon::prelude::*;

use super::resample;
use super::{Shader, ShaderSpec, util};
use crate::frame::{Frame, FrameCtx};
use crate::params::ParamSpec;

const PARAMS: &[ParamSpec] = &[ParamSpec::new(
    "block",
    1.0,
    64.0,
    4.0,
    "block size in pixels",
)];

/// Registry entry.
pub(super) const SPEC: ShaderSpec = ShaderSpec {
    name: "pixelate",
    doc: "average colour of square blocks",
    params: PARAMS,
    heavy: false,
    make: || Box::new(Pixelate::default()),
};

#[derive(Default)]
struct Pixelate {
    /// Per block row: column sums and block means.
    sums: Vec<u16>,
    means: Vec<u8>,
}

impl Shader for Pixelate {
    fn apply(&mut self, frame: &mut Frame, params: &[f32], _ctx: &FrameCtx) {
        let Some((w, h)) = util::dims(frame) else {
            return;
        };
        let [block] = util::read::<1>(params, PARAMS);
        let block = util::int_param(block, 1, 64) as usize;
        if block == 1 {
            return;
        }
        let stride = w * 3;
        let bw = w.div_ceil(block);
        let rows = h.div_ceil(block);
        util::ensure_len(&mut self.sums, rows * stride);
        util::ensure_len(&mut self.means, rows * bw * 3);
        frame
            .data
            .par_chunks_mut(block * stride)
            .zip(self.sums.par_chunks_mut(stride))
            .zip(self.means.par_chunks_mut(bw * 3))
            .for_each(|((band, sums), means)| {
                resample::block_means_u8(band, w, block, sums, means);
                let (first, rest) = band.split_at_mut(stride);
                for (dst, mean) in first.chunks_mut(block * 3).zip(means.chunks_exact(3)) {
                    for px in dst.chunks_exact_mut(3) {
                        px.copy_from_slice(mean);
                    }
                }
                for row in rest.chunks_exact_mut(stride) {
                    row.copy_from_slice(first);
                }
            });
    }
}

#[cfg(test)]
mod tests {
    use crate::shaders::test_util::{ctx, mean, run, test_frame};

    #[test]
    fn blocks_are_flat_and_hold_their_mean() {
        let f = test_frame(50, 30);
        let out = run("pixelate", &f, &[8.0], &ctx(0));
        for by in 0..4 {
            for bx in 0..7 {
                let (x0, y0) = (bx * 8, by * 8);
                let (x1, y1) = ((x0 + 8).min(50), (y0 + 8).min(30));
                let p = out.pixel(x0, y0);
                for y in y0..y1 {
                    for x in x0..x1 {
                        assert_eq!(out.pixel(x, y), p);
                    }
                }
                for (c, &v) in p.iter().enumerate() {
                    let m = mean(&f, x0, x1, y0, y1, c);
                    assert!(
                        (v as f64 - m).abs() <= 0.5,
                        "block ({bx},{by}) c{c}: {v} vs {m}"
                    );
                }
            }
        }
        assert_eq!(run("pixelate", &f, &[1.0], &ctx(0)), f);
    }
}
