//! `pixel_sort`: in every `every`-th row (or column), each run of pixels brighter than the
//! threshold is sorted by luma, bright to dark along the line, smearing highlights into streaks.
//!
//! Runs are sorted with a stable counting sort on the 8-bit luma (insertion sort for short
//! runs): linear time, and the same order on every machine.

use rayon::prelude::*;

use super::{Shader, ShaderSpec, util};
use crate::frame::{Frame, FrameCtx};
use crate::params::ParamSpec;

const PARAMS: &[ParamSpec] = &[
    ParamSpec::new(
        "threshold",
        0.0,
        255.0,
        100.0,
        "luma above which pixels join a sorted run",
    ),
    ParamSpec::new(
        "direction",
        0.0,
        1.0,
        0.0,
        "0 = sort along rows, 1 = along columns",
    ),
    ParamSpec::new("every", 1.0, 16.0, 3.0, "sort every Nth row or column"),
];

/// Registry entry.
pub(super) const SPEC: ShaderSpec = ShaderSpec {
    name: "pixel_sort",
    doc: "sort bright runs of pixels by brightness along rows or columns",
    params: PARAMS,
    heavy: false,
    make: || Box::new(PixelSort::default()),
};

/// Runs up to this long are insertion-sorted; longer ones counting-sorted.
const SHORT_RUN: usize = 32;

#[derive(Default)]
struct PixelSort {
    /// Sorted lines gathered from columns, one per sorted column.
    columns: Vec<u8>,
    /// Per task: luma of a line and a sorted copy of one run.
    scratch: Vec<u8>,
}

impl Shader for PixelSort {
    fn apply(&mut self, frame: &mut Frame, params: &[f32], _ctx: &FrameCtx) {
        let Some((w, h)) = util::dims(frame) else {
            return;
        };
        let [threshold, direction, every] = util::read::<3>(params, PARAMS);
        let thr = threshold.round() as u8;
        let every = util::int_param(every, 1, 16) as usize;
        let stride = w * 3;
        if direction < 0.5 {
            let per = 4 * w;
            let band = util::band_rows(w);
            util::ensure_len(&mut self.scratch, h.div_ceil(band) * per);
            frame
                .data
                .par_chunks_mut(band * stride)
                .zip(self.scratch.par_chunks_mut(per))
                .enumerate()
                .for_each(|(b, (rows, scratch))| {
                    for (k, row) in rows.chunks_exact_mut(stride).enumerate() {
                        if (b * band + k).is_multiple_of(every) {
                            sort_line(row, thr, scratch);
                        }
                    }
                });
            return;
        }
        // Columns: gather each sorted column into a line, sort it, scatter back row by row.
        let line = h * 3;
        let cols = w.div_ceil(every);
        util::ensure_len(&mut self.columns, cols * line);
        util::ensure_len(&mut self.scratch, cols * 4 * h);
        let src = &frame.data;
        self.columns
            .par_chunks_mut(line)
            .zip(self.scratch.par_chunks_mut(4 * h))
            .enumerate()
            .for_each(|(k, (col, scratch))| {
                let x = k * every;
                for (y, px) in col.chunks_exact_mut(3).enumerate() {
                    px.copy_from_slice(&src[y * stride + x * 3..][..3]);
                }
                sort_line(col, thr, scratch);
            });
        let columns = &self.columns;
        frame
            .data
            .par_chunks_mut(stride)
            .enumerate()
            .for_each(|(y, row)| {
                for (k, col) in columns.chunks_exact(line).enumerate() {
                    let x = k * every;
                    row[x * 3..x * 3 + 3].copy_from_slice(&col[y * 3..y * 3 + 3]);
                }
            });
    }
}

/// Sort every run of pixels with luma above `thr` in one RGB line. `scratch` holds `4 × n`
/// bytes for an `n`-pixel line.
fn sort_line(line: &mut [u8], thr: u8, scratch: &mut [u8]) {
    let n = line.len() / 3;
    let (luma, rest) = scratch.split_at_mut(n);
    let sorted = &mut rest[..3 * n];
    for (l, px) in luma.iter_mut().zip(line.chunks_exact(3)) {
        *l = util::luma(px[0], px[1], px[2]);
    }
    let mut x = 0;
    while x < n {
        if luma[x] <= thr {
            x += 1;
            continue;
        }
        let start = x;
        while x < n && luma[x] > thr {
            x += 1;
        }
        if x - start > 1 {
            // Ascending sort of inverted keys: bright to dark, stable among equals.
            luma[start..x].iter_mut().for_each(|k| *k = 255 - *k);
            sort_run(
                &mut line[3 * start..3 * x],
                &mut luma[start..x],
                &mut sorted[..3 * (x - start)],
            );
        }
    }
}

/// Stable sort of one run of pixels by ascending key; `keys` is left in an unspecified order.
fn sort_run(run: &mut [u8], keys: &mut [u8], tmp: &mut [u8]) {
    let n = keys.len();
    if n <= SHORT_RUN {
        for i in 1..n {
            let (k, px) = (keys[i], [run[3 * i], run[3 * i + 1], run[3 * i + 2]]);
            let mut j = i;
            while j > 0 && keys[j - 1] > k {
                keys[j] = keys[j - 1];
                run.copy_within(3 * (j - 1)..3 * j, 3 * j);
                j -= 1;
            }
            keys[j] = k;
            run[3 * j..3 * j + 3].copy_from_slice(&px);
        }
        return;
    }
    let mut start = [0u32; 256];
    for &k in keys.iter() {
        start[k as usize] += 1;
    }
    let mut sum = 0;
    for s in start.iter_mut() {
        let c = *s;
        *s = sum;
        sum += c;
    }
    for (px, &k) in run.chunks_exact(3).zip(keys.iter()) {
        let at = start[k as usize] as usize;
        tmp[3 * at..3 * at + 3].copy_from_slice(px);
        start[k as usize] += 1;
    }
    run.copy_from_slice(tmp);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shaders::test_util::{ctx, run, test_frame};

    fn lumas(line: &[u8]) -> Vec<u8> {
        line.chunks_exact(3)
            .map(|p| util::luma(p[0], p[1], p[2]))
            .collect()
    }

    #[test]
    fn bright_runs_are_sorted_and_dark_pixels_stay() {
        for n in [10, 200] {
            let mut line: Vec<u8> = (0..n * 3).map(|i| ((i * 7919) % 251) as u8).collect();
            let before = line.clone();
            let mut scratch = vec![0; 4 * n];
            sort_line(&mut line, 90, &mut scratch);
            let (lb, la) = (lumas(&before), lumas(&line));
            let mut x = 0;
            while x < n {
                if lb[x] <= 90 {
                    assert_eq!(&line[3 * x..3 * x + 3], &before[3 * x..3 * x + 3]);
                    x += 1;
                    continue;
                }
                let s = x;
                while x < n && lb[x] > 90 {
                    x += 1;
                }
                assert!(
                    la[s..x].windows(2).all(|p| p[0] >= p[1]),
                    "run {s}..{x} sorted"
                );
                let mut a: Vec<_> = before[3 * s..3 * x].chunks(3).collect();
                let mut b: Vec<_> = line[3 * s..3 * x].chunks(3).collect();
                a.sort();
                b.sort();
                assert_eq!(a, b, "run keeps its pixels");
            }
        }
    }

    #[test]
    fn both_sort_paths_match_a_stable_sort() {
        // 20 pixels take the insertion path, 40 the counting path.
        for n in [20usize, 40] {
            let mut run: Vec<u8> = (0..n * 3).map(|i| ((i * 31) % 97) as u8).collect();
            let mut keys: Vec<u8> = (0..n).map(|i| (i * 13 % 7) as u8).collect();
            let mut order: Vec<usize> = (0..n).collect();
            order.sort_by_key(|&i| keys[i]);
            let expect: Vec<u8> = order
                .iter()
                .flat_map(|&i| run[3 * i..3 * i + 3].to_vec())
                .collect();
            let mut tmp = vec![0; 3 * n];
            sort_run(&mut run, &mut keys, &mut tmp);
            assert_eq!(run, expect, "n = {n}");
        }
    }

    #[test]
    fn rows_and_columns_follow_every() {
        let f = test_frame(60, 45);
        let rows = run("pixel_sort", &f, &[60.0, 0.0, 3.0], &ctx(0));
        let cols = run("pixel_sort", &f, &[60.0, 1.0, 4.0], &ctx(0));
        assert_ne!(rows, f);
        assert_ne!(cols, f);
        for y in 0..45 {
            for x in 0..60 {
                if y % 3 != 0 {
                    assert_eq!(rows.pixel(x, y), f.pixel(x, y));
                }
                if x % 4 != 0 {
                    assert_eq!(cols.pixel(x, y), f.pixel(x, y));
                }
            }
        }
        assert_eq!(run("pixel_sort", &f, &[255.0, 0.0, 1.0], &ctx(0)), f);
    }
}
