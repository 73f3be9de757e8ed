//! Digital-glitch shaders, all driven by per-frame hashes (optionally held for `hold` frames):
//! `glitch_bands` (horizontal bands slid sideways), `block_glitch` (rectangles copied elsewhere)
//! and `data_bend` (raw byte runs copied at a byte offset, which also rotates channels).

use rayon::prelude::*;

use super::{Shader, ShaderSpec, util};
use crate::frame::{Frame, FrameCtx};
use crate::params::ParamSpec;
use crate::rng;

const HOLD: ParamSpec = ParamSpec::new("hold", 1.0, 60.0, 1.0, "frames each random layout lasts");

const BAND_PARAMS: &[ParamSpec] = &[
    ParamSpec::new("count", 0.0, 40.0, 6.0, "number of bands"),
    ParamSpec::new("height", 1.0, 100.0, 8.0, "largest band height in pixels"),
    ParamSpec::new(
        "shift",
        0.0,
        500.0,
        30.0,
        "largest sideways slide in pixels",
    ),
    HOLD,
];

/// Registry entry.
pub(super) const GLITCH_BANDS: ShaderSpec = ShaderSpec {
    name: "glitch_bands",
    doc: "random horizontal bands slid sideways (wrapping)",
    params: BAND_PARAMS,
    heavy: false,
    make: || Box::new(GlitchBands::default()),
};

const BLOCK_PARAMS: &[ParamSpec] = &[
    ParamSpec::new("blocks", 0.0, 64.0, 8.0, "number of rectangles copied"),
    ParamSpec::new(
        "max_size",
        4.0,
        400.0,
        40.0,
        "largest rectangle side in pixels",
    ),
    HOLD,
];

/// Registry entry.
pub(super) const BLOCK_GLITCH: ShaderSpec = ShaderSpec {
    name: "block_glitch",
    doc: "random rectangles copied to random places",
    params: BLOCK_PARAMS,
    heavy: false,
    make: || Box::new(BlockGlitch),
};

const BEND_PARAMS: &[ParamSpec] = &[
    ParamSpec::new("chunks", 0.0, 64.0, 4.0, "number of byte runs copied"),
    ParamSpec::new("chunk", 1.0, 1_000_000.0, 6000.0, "bytes per run"),
    ParamSpec::new(
        "offset",
        -1_000_000.0,
        1_000_000.0,
        1000.0,
        "bytes from each run's source to its copy",
    ),
    HOLD,
];

/// Registry entry.
pub(super) const DATA_BEND: ShaderSpec = ShaderSpec {
    name: "data_bend",
    doc: "raw byte runs copied at a byte offset (datamosh smear, channel rotation)",
    params: BEND_PARAMS,
    heavy: false,
    make: || Box::new(DataBend),
};

/// Random integer in `0..n` (0 when `n` is 0) from a hash.
fn below(h: u64, n: usize) -> usize {
    (((h >> 32) * n as u64) >> 32) as usize
}

#[derive(Default)]
struct GlitchBands {
    /// Net roll of every row.
    rolls: Vec<i64>,
}

impl Shader for GlitchBands {
    fn apply(&mut self, frame: &mut Frame, params: &[f32], ctx: &FrameCtx) {
        let Some((w, h)) = util::dims(frame) else {
            return;
        };
        let [count, height, shift, hold] = util::read::<4>(params, BAND_PARAMS);
        let count = util::int_param(count, 0, 40) as u64;
        let height = util::int_param(height, 1, 100) as usize;
        let key = util::frame_key(ctx, 0x4241_4E44, util::int_param(hold, 1, 60) as u64);
        self.rolls.clear();
        self.rolls.resize(h, 0);
        for i in 0..count {
            let hsh = rng::hash2(key, i, 0);
            let y = below(hsh, h);
            let rows = 1 + below(rng::mix64(hsh), height);
            let slide = ((rng::unit(rng::mix64(hsh ^ 0xA5)) * 2.0 - 1.0) * shift).round() as i64;
            // Overlapping bands add up, so the result does not depend on band order.
            for r in &mut self.rolls[y..(y + rows).min(h)] {
                *r += slide;
            }
        }
        let (stride, rolls) = (w * 3, &self.rolls);
        frame
            .data
            .par_chunks_mut(stride)
            .zip(rolls.par_iter())
            .for_each(|(row, &r)| {
                let r = r.rem_euclid(w as i64) as usize;
                if r != 0 {
                    row.rotate_right(3 * r);
                }
            });
    }
}

struct BlockGlitch;

impl Shader for BlockGlitch {
    fn apply(&mut self, frame: &mut Frame, params: &[f32], ctx: &FrameCtx) {
        let Some((w, h)) = util::dims(frame) else {
            return;
        };
        let [blocks, max_size, hold] = util::read::<3>(params, BLOCK_PARAMS);
        let key = util::frame_key(ctx, 0x424C_4F43, util::int_param(hold, 1, 60) as u64);
        let max = util::int_param(max_size, 4, 400) as usize;
        let stride = w * 3;
        // Few rectangles, applied in order (later copies see earlier ones): sequential by design.
        for i in 0..util::int_param(blocks, 0, 64) as u64 {
            let r: [u64; 6] = std::array::from_fn(|k| rng::hash3(key, i, k as u64, 1));
            let bw = (max / 4 + below(r[0], max - max / 4 + 1)).clamp(1, w);
            let bh = (max / 4 + below(r[1], max - max / 4 + 1)).clamp(1, h);
            let (sx, sy) = (below(r[2], w - bw + 1), below(r[3], h - bh + 1));
            let (dx, dy) = (below(r[4], w - bw + 1), below(r[5], h - bh + 1));
            let copy_row = |data: &mut [u8], k: usize| {
                let s = (sy + k) * stride + sx * 3;
                data.copy_within(s..s + bw * 3, (dy + k) * stride + dx * 3);
            };
            // Row order chosen so overlapping source and destination copy like a memmove.
            if dy > sy {
                (0..bh).rev().for_each(|k| copy_row(&mut frame.data, k));
            } else {
                (0..bh).for_each(|k| copy_row(&mut frame.data, k));
            }
        }
    }
}

struct DataBend;

impl Shader for DataBend {
    fn apply(&mut self, frame: &mut Frame, params: &[f32], ctx: &FrameCtx) {
        if util::dims(frame).is_none() {
            return;
        }
        let [chunks, chunk, offset, hold] = util::read::<4>(params, BEND_PARAMS);
        let key = util::frame_key(ctx, 0x4245_4E44, util::int_param(hold, 1, 60) as u64);
        let len = frame.data.len() as i64;
        let chunk = (util::int_param(chunk, 1, 1_000_000)).min(len);
        let offset = util::int_param(offset, -1_000_000, 1_000_000);
        for i in 0..util::int_param(chunks, 0, 64) as u64 {
            let src = below(rng::hash2(key, i, 2), (len - chunk + 1) as usize) as i64;
            // Clip the destination (and the run with it) to the buffer.
            let dst = src + offset;
            let start = dst.max(0);
            let end = (dst + chunk).min(len);
            if start < end {
                let from = (src + start - dst) as usize;
                frame
                    .data
                    .copy_within(from..from + (end - start) as usize, start as usize);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::frame::FrameCtx;
    use crate::shaders::test_util::{ctx, diff_count, run, test_frame};

    fn sorted_row(f: &crate::frame::Frame, y: usize) -> Vec<[u8; 3]> {
        let mut v: Vec<_> = (0..f.width).map(|x| f.pixel(x, y)).collect();
        v.sort();
        v
    }

    #[test]
    fn bands_roll_rows_without_losing_pixels() {
        let f = test_frame(80, 60);
        let out = run("glitch_bands", &f, &[10.0, 10.0, 30.0, 1.0], &ctx(3));
        assert!(diff_count(&out, &f) > 0);
        for y in 0..60 {
            assert_eq!(sorted_row(&out, y), sorted_row(&f, y), "row {y}");
        }
        assert_eq!(run("glitch_bands", &f, &[0.0, 10.0, 30.0, 1.0], &ctx(3)), f);
    }

    #[test]
    fn hold_keeps_the_layout_for_several_frames() {
        let f = test_frame(80, 60);
        let p = [8.0, 12.0, 40.0, 4.0];
        let at = |i| run("glitch_bands", &f, &p, &FrameCtx::new(i, 24.0, 7));
        assert_eq!(at(4), at(7));
        assert_ne!(at(7), at(8));
    }

    #[test]
    fn block_glitch_copies_existing_content() {
        let f = test_frame(90, 70);
        let out = run("block_glitch", &f, &[6.0, 30.0, 1.0], &ctx(1));
        assert!(diff_count(&out, &f) > 100);
        // Every output pixel exists somewhere in the source (copies, no new colours).
        let mut all: Vec<[u8; 3]> = f.data.chunks_exact(3).map(|p| [p[0], p[1], p[2]]).collect();
        all.sort();
        for p in out.data.chunks_exact(3) {
            assert!(all.binary_search(&[p[0], p[1], p[2]]).is_ok());
        }
        assert_eq!(run("block_glitch", &f, &[0.0, 30.0, 1.0], &ctx(1)), f);
    }

    #[test]
    fn data_bend_copies_bytes_at_the_offset() {
        let f = test_frame(50, 40);
        let out = run("data_bend", &f, &[1.0, 300.0, 7.0, 1.0], &ctx(9));
        let changed: Vec<usize> = (0..f.data.len())
            .filter(|&i| out.data[i] != f.data[i])
            .collect();
        assert!(!changed.is_empty());
        // Every changed byte equals the source byte 7 positions earlier (one run, no overlap).
        assert!(changed.iter().all(|&i| out.data[i] == f.data[i - 7]));
        assert!(changed.last().unwrap() - changed[0] < 300);
        // Extreme params stay inside the buffer.
        run("data_bend", &f, &[64.0, 1e6, -1e6, 60.0], &ctx(9));
        run("data_bend", &f, &[64.0, 1e6, 1e6, 60.0], &ctx(9));
    }
}
