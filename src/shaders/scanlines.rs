//! `scanlines`: darken every `spacing`-th row, like the gaps between CRT lines.

use rayon::prelude::*;

use super::kernels::scale_bytes;
use super::{Shader, ShaderSpec, util};
use crate::frame::{Frame, FrameCtx};
use crate::params::ParamSpec;

const PARAMS: &[ParamSpec] = &[
    ParamSpec::new(
        "intensity",
        0.0,
        1.0,
        0.08,
        "how much darker the lines are (1 = black)",
    ),
    ParamSpec::new(
        "spacing",
        1.0,
        32.0,
        3.0,
        "a dark line every this many rows",
    ),
];

/// Registry entry.
pub(super) const SPEC: ShaderSpec = ShaderSpec {
    name: "scanlines",
    doc: "darken every Nth row",
    params: PARAMS,
    heavy: false,
    make: || Box::new(Scanlines),
};

struct Scanlines;

impl Shader for Scanlines {
    fn apply(&mut self, frame: &mut Frame, params: &[f32], _ctx: &FrameCtx) {
        let Some((w, _)) = util::dims(frame) else {
            return;
        };
        let [intensity, spacing] = util::read::<2>(params, PARAMS);
        let spacing = util::int_param(spacing, 1, 32) as usize;
        let factor = ((1.0 - intensity) * 256.0).round() as u16;
        if factor == 256 {
            return;
        }
        let stride = w * 3;
        frame
            .data
            .par_chunks_mut(stride)
            .skip(spacing - 1)
            .step_by(spacing)
            .for_each(|row| scale_bytes(row, factor));
    }
}

#[cfg(test)]
mod tests {
    use crate::frame::Frame;
    use crate::shaders::test_util::{ctx, run, test_frame};

    #[test]
    fn darkens_exactly_every_nth_row() {
        let f = test_frame(30, 20);
        let out = run("scanlines", &f, &[0.5, 3.0], &ctx(0));
        for y in 0..20 {
            for x in 0..30 {
                let (o, s) = (out.pixel(x, y), f.pixel(x, y));
                if y % 3 == 2 {
                    for c in 0..3 {
                        assert_eq!(o[c], ((s[c] as u16 * 128 + 128) >> 8) as u8);
                    }
                } else {
                    assert_eq!(o, s);
                }
            }
        }
    }

    #[test]
    fn full_intensity_blacks_lines_and_zero_is_identity() {
        let f = test_frame(10, 8);
        let out = run("scanlines", &f, &[1.0, 1.0], &ctx(0));
        assert_eq!(out, Frame::new(10, 8));
        assert_eq!(run("scanlines", &f, &[0.0, 2.0], &ctx(0)), f);
    }
}
