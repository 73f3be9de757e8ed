//! Mirror shaders: reflect one part of the frame onto the rest.
//! `mirror_h` (left → right), `mirror_v` (top → bottom), `mirror_quad` (top-left quadrant →
//! all four) and `mirror_diag` (upper-right triangle → lower-left, across the top-left to
//! bottom-right diagonal).

use rayon::prelude::*;

use super::{Shader, ShaderSpec, util};
use crate::frame::{Frame, FrameCtx};

/// Registry entry.
pub(super) const MIRROR_H: ShaderSpec = ShaderSpec {
    name: "mirror_h",
    doc: "left half reflected onto the right half",
    params: &[],
    heavy: false,
    make: || {
        Box::new(Mirror {
            quad: false,
            vertical: false,
            horizontal: true,
        })
    },
};

/// Registry entry.
pub(super) const MIRROR_V: ShaderSpec = ShaderSpec {
    name: "mirror_v",
    doc: "top half reflected onto the bottom half",
    params: &[],
    heavy: false,
    make: || {
        Box::new(Mirror {
            quad: false,
            vertical: true,
            horizontal: false,
        })
    },
};

/// Registry entry.
pub(super) const MIRROR_QUAD: ShaderSpec = ShaderSpec {
    name: "mirror_quad",
    doc: "top-left quadrant reflected into all four quadrants",
    params: &[],
    heavy: false,
    make: || {
        Box::new(Mirror {
            quad: true,
            vertical: true,
            horizontal: true,
        })
    },
};

/// Registry entry.
pub(super) const MIRROR_DIAG: ShaderSpec = ShaderSpec {
    name: "mirror_diag",
    doc: "upper-right triangle reflected across the main diagonal onto the lower-left",
    params: &[],
    heavy: false,
    make: || Box::new(Diagonal::default()),
};

struct Mirror {
    /// Restrict the horizontal mirror to the top half (the vertical pass copies it down).
    quad: bool,
    vertical: bool,
    horizontal: bool,
}

impl Shader for Mirror {
    fn apply(&mut self, frame: &mut Frame, _params: &[f32], _ctx: &FrameCtx) {
        let Some((w, h)) = util::dims(frame) else {
            return;
        };
        let stride = w * 3;
        if self.horizontal {
            let rows = if self.quad { h.div_ceil(2) } else { h };
            frame.data[..rows * stride]
                .par_chunks_mut(util::band_rows(w) * stride)
                .for_each(|band| band.chunks_exact_mut(stride).for_each(mirror_row));
        }
        if self.vertical {
            // Bottom row j mirrors top row h/2 − 1 − j; an odd middle row stays.
            let (top, bottom) = frame.data.split_at_mut((h - h / 2) * stride);
            let half = h / 2;
            bottom
                .par_chunks_mut(stride)
                .enumerate()
                .for_each(|(j, row)| {
                    let src = half - 1 - j;
                    row.copy_from_slice(&top[src * stride..(src + 1) * stride]);
                });
        }
    }
}

/// Pixel `w − 1 − x` takes pixel `x` for the left half; an odd middle column stays.
fn mirror_row(row: &mut [u8]) {
    let w = row.len() / 3;
    let (left, right) = row.split_at_mut((w - w / 2) * 3);
    for (dst, src) in right.chunks_exact_mut(3).rev().zip(left.chunks_exact(3)) {
        dst.copy_from_slice(src);
    }
}

/// Reflection across the diagonal in normalized coordinates: output `(u, v)` below the diagonal
/// (`v > u`) takes the source at `(v, u)`, i.e. column `xs[y]` of row `ys[x]`.
#[derive(Default)]
struct Diagonal {
    size: (usize, usize),
    /// Source column for each output row.
    xs: Vec<u32>,
    /// Source row for each output column.
    ys: Vec<u32>,
    /// Number of pixels below the diagonal in each output row.
    ends: Vec<u32>,
    /// Copy of the frame to read the upper triangle from while writing the lower one.
    src: Vec<u8>,
    /// Per band: one tile of reflected pixels.
    tiles: Vec<u8>,
}

/// Tile size of the diagonal reflection.
const TILE_ROWS: usize = 32;
const TILE_COLS: usize = 64;

impl Diagonal {
    fn build(&mut self, w: usize, h: usize) {
        let centre = |i: usize, n: usize| (i as f64 + 0.5) / n as f64;
        self.xs = (0..h)
            .map(|y| ((centre(y, h) * w as f64) as usize).min(w - 1) as u32)
            .collect();
        self.ys = (0..w)
            .map(|x| ((centre(x, w) * h as f64) as usize).min(h - 1) as u32)
            .collect();
        // Pixels with centre(x, w) < centre(y, h).
        self.ends = (0..h)
            .map(|y| (0..w).take_while(|&x| centre(x, w) < centre(y, h)).count() as u32)
            .collect();
        self.size = (w, h);
    }
}

impl Shader for Diagonal {
    fn apply(&mut self, frame: &mut Frame, _params: &[f32], _ctx: &FrameCtx) {
        let Some((w, h)) = util::dims(frame) else {
            return;
        };
        if self.size != (w, h) {
            self.build(w, h);
        }
        self.src.clear();
        self.src.extend_from_slice(&frame.data);
        let (src, xs, ys, ends) = (&self.src, &self.xs, &self.ys, &self.ends);
        let stride = w * 3;
        let band = util::band_rows(w).min(TILE_ROWS);
        let bands = h.div_ceil(band);
        util::ensure_len(&mut self.tiles, bands * TILE_ROWS * TILE_COLS * 3);
        frame
            .data
            .par_chunks_mut(band * stride)
            .zip(self.tiles.par_chunks_mut(TILE_ROWS * TILE_COLS * 3))
            .enumerate()
            .for_each(|(b, (rows, tile))| {
                let y0 = b * band;
                let n = rows.len() / stride;
                let widest = ends[y0 + n - 1] as usize;
                // Gather tile by tile: each x reads a short run of one source row into an
                // L1-resident tile column, then whole tile rows are copied out. Writing the
                // reflected pixels straight into the frame (column by column) is several
                // times slower.
                for x0 in (0..widest).step_by(TILE_COLS) {
                    let x1 = (x0 + TILE_COLS).min(widest);
                    for (i, &sy) in ys[x0..x1].iter().enumerate() {
                        let row = &src[sy as usize * stride..][..stride];
                        for k in 0..n {
                            let s = xs[y0 + k] as usize * 3;
                            let t = (k * TILE_COLS + i) * 3;
                            tile[t..t + 3].copy_from_slice(&row[s..s + 3]);
                        }
                    }
                    for k in 0..n {
                        let end = (ends[y0 + k] as usize).clamp(x0, x1);
                        let d = k * stride + x0 * 3;
                        let t = k * TILE_COLS * 3;
                        rows[d..k * stride + end * 3].copy_from_slice(&tile[t..t + (end - x0) * 3]);
                    }
                }
            });
    }
}

#[cfg(test)]
mod tests {
    use crate::shaders::test_util::{ctx, run, test_frame};

    #[test]
    fn mirror_h_reflects_the_left_half() {
        for w in [31, 32] {
            let f = test_frame(w, 9);
            let out = run("mirror_h", &f, &[], &ctx(0));
            for y in 0..9 {
                for x in 0..w / 2 {
                    assert_eq!(out.pixel(w - 1 - x, y), f.pixel(x, y));
                    assert_eq!(out.pixel(x, y), f.pixel(x, y));
                }
                if w % 2 == 1 {
                    assert_eq!(out.pixel(w / 2, y), f.pixel(w / 2, y));
                }
            }
        }
    }

    #[test]
    fn mirror_v_and_quad_reflect_the_top() {
        for h in [21, 22] {
            let f = test_frame(14, h);
            let v = run("mirror_v", &f, &[], &ctx(0));
            let q = run("mirror_quad", &f, &[], &ctx(0));
            for y in 0..h / 2 {
                for x in 0..14 {
                    assert_eq!(v.pixel(x, h - 1 - y), f.pixel(x, y));
                    assert_eq!(v.pixel(x, y), f.pixel(x, y));
                }
                for x in 0..7 {
                    let p = f.pixel(x, y);
                    assert_eq!(q.pixel(x, y), p);
                    assert_eq!(q.pixel(13 - x, y), p);
                    assert_eq!(q.pixel(x, h - 1 - y), p);
                    assert_eq!(q.pixel(13 - x, h - 1 - y), p);
                }
            }
        }
    }

    #[test]
    fn mirror_diag_reflects_across_the_diagonal() {
        // Square: exact transpose below the diagonal, untouched on and above it.
        let f = test_frame(40, 40);
        let out = run("mirror_diag", &f, &[], &ctx(0));
        for y in 0..40 {
            for x in 0..40 {
                let expect = if x < y { f.pixel(y, x) } else { f.pixel(x, y) };
                assert_eq!(out.pixel(x, y), expect, "({x},{y})");
            }
        }
        // Wide frames: the result is symmetric in normalized coordinates.
        let f = test_frame(90, 30);
        let out = run("mirror_diag", &f, &[], &ctx(0));
        assert_eq!(out.pixel(3, 27), f.pixel(82, 1));
        assert_eq!(out.pixel(80, 2), f.pixel(80, 2));
    }
}
