//! `chromatic`: lateral chromatic aberration. Red is displaced right and blue left by `amount`
//! pixels (sub-pixel, linearly interpolated, so an animated amount glides instead of stepping);
//! green stays put. Edges clamp.

use rayon::prelude::*;

use super::kernels::lerp_bytes;
use super::{Shader, ShaderSpec, util};
use crate::frame::{Frame, FrameCtx};
use crate::params::ParamSpec;

const MAX_SHIFT: f32 = 50.0;

const PARAMS: &[ParamSpec] = &[ParamSpec::new(
    "amount",
    0.0,
    MAX_SHIFT,
    3.0,
    "displacement in pixels (red right, blue left)",
)];

/// Registry entry.
pub(super) const SPEC: ShaderSpec = ShaderSpec {
    name: "chromatic",
    doc: "chromatic aberration: red shifted right, blue left",
    params: PARAMS,
    heavy: false,
    make: || Box::new(Chromatic::default()),
};

/// Edge padding of the channel planes: the whole shift plus the interpolation tap.
const PAD: usize = MAX_SHIFT as usize + 2;

#[derive(Default)]
struct Chromatic {
    /// Per band: padded red and blue planes, then their shifted results.
    scratch: Vec<u8>,
}

impl Shader for Chromatic {
    fn apply(&mut self, frame: &mut Frame, params: &[f32], _ctx: &FrameCtx) {
        let Some((w, h)) = util::dims(frame) else {
            return;
        };
        let [amount] = util::read::<1>(params, PARAMS);
        // 8 fractional bits.
        let fixed = (amount as f64 * 256.0).round() as usize;
        if fixed == 0 {
            return;
        }
        let (n, f) = ((fixed >> 8).min(PAD - 2), (fixed & 255) as u16);
        let stride = w * 3;
        let band = util::band_rows(w);
        let padded = w + 2 * PAD;
        let per_band = 2 * padded + 2 * w;
        util::ensure_len(&mut self.scratch, h.div_ceil(band) * per_band);
        frame
            .data
            .par_chunks_mut(band * stride)
            .zip(self.scratch.par_chunks_mut(per_band))
            .for_each(|(rows, scratch)| {
                let (red, rest) = scratch.split_at_mut(padded);
                let (blue, rest) = rest.split_at_mut(padded);
                let (red_out, blue_out) = rest.split_at_mut(w);
                for row in rows.chunks_exact_mut(stride) {
                    for ((px, r), b) in row
                        .chunks_exact(3)
                        .zip(&mut red[PAD..])
                        .zip(&mut blue[PAD..])
                    {
                        *r = px[0];
                        *b = px[2];
                    }
                    let (r0, r1, b0, b1) =
                        (red[PAD], red[PAD + w - 1], blue[PAD], blue[PAD + w - 1]);
                    red[..PAD].fill(r0);
                    red[PAD + w..].fill(r1);
                    blue[..PAD].fill(b0);
                    blue[PAD + w..].fill(b1);
                    // Red at x samples x − n − f/256, blue samples x + n + f/256.
                    lerp_bytes(red_out, &red[PAD - n..], &red[PAD - n - 1..], f);
                    lerp_bytes(blue_out, &blue[PAD + n..], &blue[PAD + n + 1..], f);
                    for ((px, &r), &b) in row.chunks_exact_mut(3).zip(&*red_out).zip(&*blue_out) {
                        px[0] = r;
                        px[2] = b;
                    }
                }
            });
    }
}

#[cfg(test)]
mod tests {
    use crate::frame::Frame;
    use crate::shaders::test_util::{ctx, run, test_frame};

    /// Black 20×2 with one white pixel at x = 10.
    fn dot() -> Frame {
        let mut f = Frame::new(20, 2);
        f.data[30..33].fill(255);
        f.data[90..93].fill(255);
        f
    }

    #[test]
    fn red_moves_right_blue_left_green_stays() {
        let out = run("chromatic", &dot(), &[3.0], &ctx(0));
        for y in 0..2 {
            assert_eq!(out.pixel(13, y), [255, 0, 0]);
            assert_eq!(out.pixel(10, y), [0, 255, 0]);
            assert_eq!(out.pixel(7, y), [0, 0, 255]);
        }
        assert_eq!(out.data.iter().map(|&v| v as u32).sum::<u32>(), 255 * 6);
    }

    #[test]
    fn fractional_amounts_interpolate() {
        let out = run("chromatic", &dot(), &[1.5], &ctx(0));
        assert_eq!(out.pixel(11, 0)[0], 128);
        assert_eq!(out.pixel(12, 0)[0], 128);
        assert_eq!(out.pixel(9, 0)[2], 128);
        assert_eq!(out.pixel(8, 0)[2], 128);
    }

    #[test]
    fn zero_is_identity_and_huge_shifts_clamp() {
        let f = test_frame(30, 10);
        assert_eq!(run("chromatic", &f, &[0.0], &ctx(0)), f);
        let out = run("chromatic", &f, &[50.0], &ctx(0));
        // Everything is sampled beyond the edges: red repeats column 0, blue the last column.
        for y in 0..10 {
            assert_eq!(out.pixel(29, y)[0], f.pixel(0, y)[0]);
            assert_eq!(out.pixel(0, y)[2], f.pixel(29, y)[2]);
        }
    }
}
