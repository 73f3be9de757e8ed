//! `chromatic`: lateral chromatic aberration. Red is displaced right and blue left by `amount`
//! pixels (sub-pixel, linearly interpolated, so an animated amount glides instead of stepping);
//! green stays put. Edges clamp.

use rayon::prelude::*;

use super::{Shader, ShaderSpec, util};
use crate::frame::{Frame, FrameCtx};
use crate::params::ParamSpec;

const PARAMS: &[ParamSpec] = &[ParamSpec::new(
    "amount",
    0.0,
    50.0,
    3.0,
    "displacement in pixels (red right, blue left)",
)];

/// Registry entry.
pub(super) const SPEC: ShaderSpec = ShaderSpec {
    name: "chromatic",
    doc: "chromatic aberration: red shifted right, blue left",
    params: PARAMS,
    heavy: false,
    make: || Box::new(Chromatic),
};

struct Chromatic;

impl Shader for Chromatic {
    fn apply(&mut self, frame: &mut Frame, params: &[f32], _ctx: &FrameCtx) {
        let Some((w, _)) = util::dims(frame) else {
            return;
        };
        let [amount] = util::read::<1>(params, PARAMS);
        // 8 fractional bits.
        let fixed = (amount as f64 * 256.0).round() as usize;
        if fixed == 0 {
            return;
        }
        let stride = w * 3;
        frame
            .data
            .par_chunks_mut(util::band_rows(w) * stride)
            .for_each(|band| {
                for row in band.chunks_exact_mut(stride) {
                    shift_channel(row, 0, fixed, true);
                    shift_channel(row, 2, fixed, false);
                }
            });
    }
}

/// Displace channel `c` of one row by `fixed / 256` pixels, right (`right`) or left, in place.
/// Sampling `x ∓ d` only reads samples the sweep has not written yet: right-to-left when
/// shifting right, left-to-right when shifting left.
fn shift_channel(row: &mut [u8], c: usize, fixed: usize, right: bool) {
    let w = row.len() / 3;
    let (n, f) = (fixed >> 8, (fixed & 255) as u16);
    let at = |row: &[u8], x: usize| row[3 * x.min(w - 1) + c] as u16;
    let mix = |a: u16, b: u16| ((a * (256 - f) + b * f + 128) >> 8) as u8;
    if right {
        for x in (0..w).rev() {
            // Sample at x − n − f/256: between x − n (weight 1 − f) and x − n − 1 (weight f).
            let v = match x.checked_sub(n) {
                Some(i) => mix(at(row, i), at(row, i.saturating_sub(1))),
                None => row[c],
            };
            row[3 * x + c] = v;
        }
    } else {
        for x in 0..w {
            let i = x + n;
            row[3 * x + c] = mix(at(row, i), at(row, i + 1));
        }
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
