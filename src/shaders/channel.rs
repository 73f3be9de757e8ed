//! Channel shaders: `channel_shift` (roll each channel independently), `channel_swap`
//! (reorder channels) and `rgb_split_radial` (red and blue zoomed apart around the centre).

use rayon::prelude::*;

use super::remap::{self, FRAC_BITS, Rows, SepScratch};
use super::simd::multiversion;
use super::{Shader, ShaderSpec, util};
use crate::frame::{Frame, FrameCtx};
use crate::params::ParamSpec;

const SHIFT_PARAMS: &[ParamSpec] = &[
    ParamSpec::new("r_x", -256.0, 256.0, 4.0, "red roll to the right, pixels"),
    ParamSpec::new("r_y", -256.0, 256.0, 0.0, "red roll downwards, pixels"),
    ParamSpec::new("g_x", -256.0, 256.0, 0.0, "green roll to the right, pixels"),
    ParamSpec::new("g_y", -256.0, 256.0, 0.0, "green roll downwards, pixels"),
    ParamSpec::new("b_x", -256.0, 256.0, -4.0, "blue roll to the right, pixels"),
    ParamSpec::new("b_y", -256.0, 256.0, 0.0, "blue roll downwards, pixels"),
];

/// Registry entry.
pub(super) const CHANNEL_SHIFT: ShaderSpec = ShaderSpec {
    name: "channel_shift",
    doc: "roll each colour channel by its own offset (wrapping)",
    params: SHIFT_PARAMS,
    heavy: false,
    make: || Box::new(ChannelShift::default()),
};

const SWAP_PARAMS: &[ParamSpec] = &[
    ParamSpec::new(
        "r_from",
        0.0,
        2.0,
        2.0,
        "source channel of red (0 = r, 1 = g, 2 = b)",
    ),
    ParamSpec::new("g_from", 0.0, 2.0, 1.0, "source channel of green"),
    ParamSpec::new("b_from", 0.0, 2.0, 0.0, "source channel of blue"),
];

/// Registry entry.
pub(super) const CHANNEL_SWAP: ShaderSpec = ShaderSpec {
    name: "channel_swap",
    doc: "reorder (or duplicate) colour channels",
    params: SWAP_PARAMS,
    heavy: false,
    make: || Box::new(ChannelSwap),
};

const RADIAL_PARAMS: &[ParamSpec] = &[ParamSpec::new(
    "strength",
    0.0,
    50.0,
    5.0,
    "split in pixels at the corners (red outwards, blue inwards)",
)];

/// Registry entry.
pub(super) const RGB_SPLIT_RADIAL: ShaderSpec = ShaderSpec {
    name: "rgb_split_radial",
    doc: "red and blue pulled apart radially, growing towards the edges",
    params: RADIAL_PARAMS,
    heavy: false,
    make: || Box::new(RadialSplit::default()),
};

#[derive(Default)]
struct ChannelShift {
    out: Vec<u8>,
}

impl Shader for ChannelShift {
    fn apply(&mut self, frame: &mut Frame, params: &[f32], _ctx: &FrameCtx) {
        let Some((w, h)) = util::dims(frame) else {
            return;
        };
        let p = util::read::<6>(params, SHIFT_PARAMS);
        let roll = |v: f32, n: usize| (v.round() as i64).rem_euclid(n as i64) as usize;
        let shifts: [(usize, usize); 3] =
            std::array::from_fn(|c| (roll(p[2 * c], w), roll(p[2 * c + 1], h)));
        if shifts.iter().all(|&s| s == (0, 0)) {
            return;
        }
        let stride = w * 3;
        util::ensure_len(&mut self.out, frame.data.len());
        let src = &frame.data;
        self.out
            .par_chunks_mut(stride)
            .enumerate()
            .for_each(|(y, row)| {
                for (c, &(sx, sy)) in shifts.iter().enumerate() {
                    let from = &src[(y + h - sy) % h * stride..][..stride];
                    // Output x reads x − sx (wrapping): two contiguous runs.
                    let (head, tail) = row.split_at_mut(sx * 3);
                    copy_channel(head, &from[(w - sx) * 3..], c);
                    copy_channel(tail, from, c);
                }
            });
        std::mem::swap(&mut frame.data, &mut self.out);
    }
}

/// Copy channel `c` of the RGB pixels of `src` into `dst`.
fn copy_channel(dst: &mut [u8], src: &[u8], c: usize) {
    for (d, s) in dst.chunks_exact_mut(3).zip(src.chunks_exact(3)) {
        d[c] = s[c];
    }
}

struct ChannelSwap;

impl Shader for ChannelSwap {
    fn apply(&mut self, frame: &mut Frame, params: &[f32], _ctx: &FrameCtx) {
        let Some((w, _)) = util::dims(frame) else {
            return;
        };
        let p = util::read::<3>(params, SWAP_PARAMS);
        let order: [usize; 3] = std::array::from_fn(|c| util::int_param(p[c], 0, 2) as usize);
        if order == [0, 1, 2] {
            return;
        }
        let band = util::band_rows(w) * w * 3;
        frame
            .data
            .par_chunks_mut(band)
            .for_each(|b| permute(b, order));
    }
}

multiversion! {
    fn permute(data: &mut [u8], order: [usize; 3]) {
        for px in data.chunks_exact_mut(3) {
            let v = [px[0], px[1], px[2]];
            px[0] = v[order[0]];
            px[1] = v[order[1]];
            px[2] = v[order[2]];
        }
    }
}

/// Red sampled at `c + (p − c)·(1 − s/R)` and blue at `c + (p − c)·(1 + s/R)` (R = half the
/// diagonal): the channels are zoomed apart by `s` pixels at the corners. Zooming is separable,
/// so each channel is one row of the separable bilinear sampler (SIMD vertical blend, permute
/// horizontal blend); coordinates are clamped so the edges repeat instead of going black.
#[derive(Default)]
struct RadialSplit {
    /// Fixed-point source column of every output column, and source row of every output row,
    /// for red and blue.
    cols: [Vec<i32>; 2],
    rows: [Vec<i32>; 2],
    /// Per band: sampler scratch and the sampled row.
    scratch: Vec<(SepScratch, Vec<u8>)>,
    /// 0xFF on the red bytes of a row, then on the blue bytes.
    masks: Vec<u8>,
    out: Vec<u8>,
}

multiversion! {
    /// `row = mask ? from : row`, bytewise.
    fn select(row: &mut [u8], from: &[u8], mask: &[u8]) {
        for ((p, &f), &m) in row.iter_mut().zip(from).zip(mask) {
            *p = (f & m) | (*p & !m);
        }
    }
}

/// Fixed-point coordinates of a zoom by `scale` about the centre of an axis of `n` samples,
/// clamped to the axis.
fn zoom_coords(v: &mut Vec<i32>, n: usize, scale: f64) {
    let centre = n as f64 / 2.0;
    let last = (n - 1) as f64;
    v.clear();
    v.extend((0..n).map(|i| {
        let s = (centre + (i as f64 + 0.5 - centre) * scale - 0.5).clamp(0.0, last);
        (s * (1 << FRAC_BITS) as f64).round() as i32
    }));
}

impl Shader for RadialSplit {
    fn apply(&mut self, frame: &mut Frame, params: &[f32], _ctx: &FrameCtx) {
        let Some((w, h)) = util::dims(frame) else {
            return;
        };
        let [s] = util::read::<1>(params, RADIAL_PARAMS);
        let half_diag = ((w * w + h * h) as f64).sqrt() / 2.0;
        let k = s as f64 / half_diag;
        if k == 0.0 {
            return;
        }
        for (i, scale) in [1.0 - k, 1.0 + k].into_iter().enumerate() {
            zoom_coords(&mut self.cols[i], w, scale);
            zoom_coords(&mut self.rows[i], h, scale);
        }
        let stride = w * 3;
        let band = util::band_rows(w);
        util::ensure_len(&mut self.out, frame.data.len());
        self.scratch.resize_with(h.div_ceil(band), Default::default);
        if self.masks.len() != 2 * stride {
            // Byte masks of the red and the blue channel, for SIMD channel merging.
            self.masks = (0..2 * stride)
                .map(|i| if i % 3 == 2 * (i / stride) { 255 } else { 0 })
                .collect();
        }
        let (src, cols, rows, masks) = (&frame.data, &self.cols, &self.rows, &self.masks);
        self.out
            .par_chunks_mut(band * stride)
            .zip(self.scratch.par_iter_mut())
            .enumerate()
            .for_each(|(b, (out, (scratch, tmp)))| {
                util::ensure_len(tmp, stride);
                for (i, row) in out.chunks_exact_mut(stride).enumerate() {
                    let y = b * band + i;
                    row.copy_from_slice(&src[y * stride..(y + 1) * stride]);
                    for (ch, mask) in masks.chunks_exact(stride).enumerate() {
                        let sy = Rows::Uniform(rows[ch][y]);
                        remap::sample_row_separable(src, w, h, &cols[ch], sy, tmp, scratch);
                        select(row, tmp, mask);
                    }
                }
            });
        std::mem::swap(&mut frame.data, &mut self.out);
    }
}

#[cfg(test)]
mod tests {
    use crate::shaders::test_util::{ctx, mean, run, test_frame};

    #[test]
    fn channel_shift_rolls_each_channel() {
        let f = test_frame(30, 20);
        let out = run(
            "channel_shift",
            &f,
            &[3.0, 2.0, 0.0, 0.0, -5.0, -1.0],
            &ctx(0),
        );
        for y in 0..20usize {
            for x in 0..30usize {
                let o = out.pixel(x, y);
                assert_eq!(o[0], f.pixel((x + 27) % 30, (y + 18) % 20)[0]);
                assert_eq!(o[1], f.pixel(x, y)[1]);
                assert_eq!(o[2], f.pixel((x + 5) % 30, (y + 1) % 20)[2]);
            }
        }
        assert_eq!(run("channel_shift", &f, &[0.0; 6], &ctx(0)), f);
    }

    #[test]
    fn channel_swap_reorders() {
        let f = test_frame(10, 10);
        let out = run("channel_swap", &f, &[], &ctx(0));
        for (o, s) in out.data.chunks_exact(3).zip(f.data.chunks_exact(3)) {
            assert_eq!(o, [s[2], s[1], s[0]]);
        }
        assert_eq!(run("channel_swap", &out, &[], &ctx(0)), f);
        let grey = run("channel_swap", &f, &[1.0, 1.0, 1.0], &ctx(0));
        assert!(
            grey.data
                .chunks_exact(3)
                .all(|p| p[0] == p[1] && p[1] == p[2])
        );
    }

    #[test]
    fn radial_split_moves_red_out_and_blue_in() {
        // A white ring-free frame: a white square right of centre; red spreads further right.
        let mut f = crate::frame::Frame::new(100, 60);
        for y in 20..40 {
            for x in 70..80 {
                f.data[(y * 100 + x) * 3..][..3].fill(255);
            }
        }
        let out = run("rgb_split_radial", &f, &[20.0], &ctx(0));
        // Red appears beyond the square's right edge, blue inside its left edge is lost.
        assert!(mean(&out, 80, 84, 25, 35, 0) > 100.0);
        assert!(mean(&out, 80, 84, 25, 35, 2) < 10.0);
        assert!(mean(&out, 66, 70, 25, 35, 2) > 100.0);
        assert!(mean(&out, 66, 70, 25, 35, 0) < 10.0);
        // Green untouched; the centre barely moves.
        for (o, s) in out.data.iter().zip(&f.data).skip(1).step_by(3) {
            assert_eq!(o, s);
        }
        let t = test_frame(40, 30);
        assert_eq!(run("rgb_split_radial", &t, &[0.0], &ctx(0)), t);
    }
}
