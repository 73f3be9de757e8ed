//! Fixtures shared by the shader tests.

use super::{ShaderSpec, find, simd};
use crate::frame::{Frame, FrameCtx};

/// A test picture: a diagonal colour gradient with a white square, a red disc and a dark-blue bar,
/// so shaders see smooth areas, hard edges, saturated colour and highlights.
pub(super) fn test_frame(w: usize, h: usize) -> Frame {
    let mut f = Frame::new(w, h);
    let (cx, cy, rad) = (w as f32 * 0.7, h as f32 * 0.6, h as f32 * 0.2);
    for y in 0..h {
        for x in 0..w {
            let mut p = [
                (x * 255 / w.max(1)) as u8,
                (y * 255 / h.max(1)) as u8,
                ((x + y) * 127 / (w + h)) as u8 + 40,
            ];
            if x > w / 8 && x < w / 4 && y > h / 8 && y < h / 3 {
                p = [255, 255, 255];
            }
            let (dx, dy) = (x as f32 + 0.5 - cx, y as f32 + 0.5 - cy);
            if dx * dx + dy * dy < rad * rad {
                p = [230, 20, 30];
            }
            if y > h * 3 / 4 && y < h * 7 / 8 {
                p = [10, 10, 90];
            }
            let i = (y * w + x) * 3;
            f.data[i..i + 3].copy_from_slice(&p);
        }
    }
    f
}

/// The frame context used by most tests.
pub(super) fn ctx(index: u64) -> FrameCtx {
    FrameCtx::new(index, 24.0, 1234)
}

/// The registered spec of `name` (panics in tests if missing).
pub(super) fn spec(name: &str) -> &'static ShaderSpec {
    find(name).unwrap_or_else(|| panic!("shader {name} is not registered"))
}

/// Run shader `name` once on a copy of `frame` with `params` (defaults for missing entries).
pub(super) fn run(name: &str, frame: &Frame, params: &[f32], ctx: &FrameCtx) -> Frame {
    let spec = spec(name);
    let mut p = spec.defaults();
    for (d, s) in p.iter_mut().zip(params) {
        *d = *s;
    }
    let mut out = frame.clone();
    (spec.make)().apply(&mut out, &p, ctx);
    out
}

/// Run `f` inside a fresh rayon pool of `threads` threads.
pub(super) fn in_pool<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> T {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("thread pool")
        .install(f)
}

/// Run with the portable kernels forced, for SIMD-vs-portable comparisons.
pub(super) fn run_base(name: &str, frame: &Frame, params: &[f32], ctx: &FrameCtx) -> Frame {
    simd::force_base(true);
    let out = run(name, frame, params, ctx);
    simd::force_base(false);
    out
}

/// Mean of channel `c` over the rectangle `x0..x1, y0..y1`.
pub(super) fn mean(f: &Frame, x0: usize, x1: usize, y0: usize, y1: usize, c: usize) -> f64 {
    let mut s = 0u64;
    for y in y0..y1 {
        for x in x0..x1 {
            s += f.pixel(x, y)[c] as u64;
        }
    }
    s as f64 / ((x1 - x0) * (y1 - y0)).max(1) as f64
}

/// Mean brightness (all channels) over a rectangle.
pub(super) fn mean_all(f: &Frame, x0: usize, x1: usize, y0: usize, y1: usize) -> f64 {
    (0..3).map(|c| mean(f, x0, x1, y0, y1, c)).sum::<f64>() / 3.0
}

/// Number of bytes that differ between two frames.
pub(super) fn diff_count(a: &Frame, b: &Frame) -> usize {
    a.data.iter().zip(&b.data).filter(|(x, y)| x != y).count()
}
