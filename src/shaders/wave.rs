//! `wave_distort`: roll each row (or column) by `amp · sin(i · freq + speed · t)` pixels, with
//! wrap-around, for a travelling ripple.

use rayon::prelude::*;

use super::{Shader, ShaderSpec, util};
use crate::frame::{Frame, FrameCtx};
use crate::params::ParamSpec;

const PARAMS: &[ParamSpec] = &[
    ParamSpec::new(
        "freq",
        0.0,
        0.5,
        0.02,
        "wave frequency in radians per row (or column)",
    ),
    ParamSpec::new("amp", 0.0, 200.0, 8.0, "largest displacement in pixels"),
    ParamSpec::new(
        "axis",
        0.0,
        1.0,
        0.0,
        "0 = rows slide sideways, 1 = columns slide up/down",
    ),
    ParamSpec::new("speed", 0.0, 20.0, 3.0, "phase speed in radians per second"),
];

/// Registry entry.
pub(super) const SPEC: ShaderSpec = ShaderSpec {
    name: "wave_distort",
    doc: "sine-wave roll of rows or columns",
    params: PARAMS,
    heavy: false,
    make: || Box::new(Wave::default()),
};

#[derive(Default)]
struct Wave {
    /// Per-column shift (vertical mode).
    shifts: Vec<usize>,
    out: Vec<u8>,
}

impl Shader for Wave {
    fn apply(&mut self, frame: &mut Frame, params: &[f32], ctx: &FrameCtx) {
        let Some((w, h)) = util::dims(frame) else {
            return;
        };
        let [freq, amp, axis, speed] = util::read::<4>(params, PARAMS);
        let phase = (speed as f64 * ctx.time as f64).rem_euclid(std::f64::consts::TAU);
        // Shift of line `i` along an axis of length `n`, as a non-negative roll.
        let shift = |i: usize, n: usize| {
            let s = (amp as f64 * (i as f64 * freq as f64 + phase).sin()).round() as i64;
            s.rem_euclid(n as i64) as usize
        };
        let stride = w * 3;
        if axis < 0.5 {
            frame
                .data
                .par_chunks_mut(stride)
                .enumerate()
                .for_each(|(y, row)| row.rotate_right(3 * shift(y, w)));
            return;
        }
        self.shifts.clear();
        self.shifts.extend((0..w).map(|x| shift(x, h)));
        util::ensure_len(&mut self.out, frame.data.len());
        let (src, shifts) = (&frame.data, &self.shifts);
        self.out
            .par_chunks_mut(stride)
            .enumerate()
            .for_each(|(y, row)| {
                for (x, (px, &s)) in row.chunks_exact_mut(3).zip(shifts).enumerate() {
                    // Row y takes what was s rows above it.
                    let sy = if y >= s { y - s } else { y + h - s };
                    let i = sy * stride + x * 3;
                    px.copy_from_slice(&src[i..i + 3]);
                }
            });
        std::mem::swap(&mut frame.data, &mut self.out);
    }
}

#[cfg(test)]
mod tests {
    use crate::shaders::test_util::{ctx, run, test_frame};

    fn sorted(mut v: Vec<[u8; 3]>) -> Vec<[u8; 3]> {
        v.sort();
        v
    }

    #[test]
    fn rows_roll_by_the_sine() {
        let f = test_frame(40, 30);
        let (freq, amp) = (0.3f32, 5.0f32);
        let out = run("wave_distort", &f, &[freq, amp, 0.0, 0.0], &ctx(0));
        for y in 0..30 {
            let s = (amp as f64 * (y as f64 * freq as f64).sin()).round() as i64;
            for x in 0..40i64 {
                let sx = (x - s).rem_euclid(40) as usize;
                assert_eq!(out.pixel(x as usize, y), f.pixel(sx, y), "({x},{y})");
            }
        }
    }

    #[test]
    fn columns_roll_and_keep_their_pixels() {
        let f = test_frame(20, 30);
        let out = run("wave_distort", &f, &[0.5, 7.0, 1.0, 3.0], &ctx(4));
        assert_ne!(out, f);
        for x in 0..20 {
            let col =
                |fr: &crate::frame::Frame| (0..30).map(|y| fr.pixel(x, y)).collect::<Vec<_>>();
            assert_eq!(sorted(col(&out)), sorted(col(&f)));
        }
        assert_eq!(run("wave_distort", &f, &[0.5, 0.0, 1.0, 3.0], &ctx(4)), f);
    }

    #[test]
    fn phase_moves_with_time() {
        let f = test_frame(40, 30);
        let a = run("wave_distort", &f, &[0.2, 6.0, 0.0, 3.0], &ctx(0));
        let b = run("wave_distort", &f, &[0.2, 6.0, 0.0, 3.0], &ctx(5));
        assert_ne!(a, b);
    }
}
