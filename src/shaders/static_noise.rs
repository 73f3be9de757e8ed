//! `static`: TV static. A random fraction of 2×2 pixel blocks is replaced by random colours (or
//! greys), fresh every frame.
//!
//! Instead of one coin flip per block, the gaps between hit blocks are drawn from the geometric
//! distribution, so the cost follows the density rather than the frame size.

use rayon::prelude::*;

use super::{Shader, ShaderSpec, util};
use crate::frame::{Frame, FrameCtx};
use crate::params::ParamSpec;
use crate::rng;

const PARAMS: &[ParamSpec] = &[
    ParamSpec::new("density", 0.0, 1.0, 0.05, "fraction of 2×2 blocks replaced"),
    ParamSpec::new(
        "color",
        0.0,
        1.0,
        1.0,
        "1 = random colours, 0 = random greys",
    ),
];

/// Registry entry.
pub(super) const SPEC: ShaderSpec = ShaderSpec {
    name: "static",
    doc: "random noise blocks (TV static)",
    params: PARAMS,
    heavy: false,
    make: || Box::new(Static),
};

const TAG: u64 = 0x5354_4154_4943;

struct Static;

impl Shader for Static {
    fn apply(&mut self, frame: &mut Frame, params: &[f32], ctx: &FrameCtx) {
        let Some((w, _)) = util::dims(frame) else {
            return;
        };
        let [density, color] = util::read::<2>(params, PARAMS);
        if density <= 0.0 {
            return;
        }
        let color = color >= 0.5;
        let key = util::frame_key(ctx, TAG, 1);
        let stride = w * 3;
        let bw = w.div_ceil(2);
        // log(1 − density) for the geometric gaps; density 1 hits every block.
        let log_miss = (1.0 - density as f64).ln();
        frame
            .data
            .par_chunks_mut(2 * stride)
            .enumerate()
            .for_each(|(by, pair)| {
                let mut bx = 0usize;
                let mut i = 0u64;
                loop {
                    let h = util::cell_hash(key, (by as u64) << 32 | i);
                    i += 1;
                    if log_miss.is_finite() {
                        // Blocks skipped before the next hit: floor(ln U / ln(1 − d)).
                        let u = 1.0 - rng::unit(h) as f64;
                        let gap = (u.ln() / log_miss).floor();
                        if gap >= (bw - bx) as f64 {
                            break;
                        }
                        bx += gap as usize;
                    }
                    if bx >= bw {
                        break;
                    }
                    let px = if color {
                        [h as u8, (h >> 8) as u8, (h >> 16) as u8]
                    } else {
                        [h as u8; 3]
                    };
                    for row in pair.chunks_exact_mut(stride) {
                        for x in 2 * bx..(2 * bx + 2).min(w) {
                            row[3 * x..3 * x + 3].copy_from_slice(&px);
                        }
                    }
                    bx += 1;
                }
            });
    }
}

#[cfg(test)]
mod tests {
    use crate::frame::{Frame, FrameCtx};
    use crate::shaders::test_util::{ctx, diff_count, run};

    /// Fraction of 2×2 blocks that changed.
    fn hit_rate(a: &Frame, b: &Frame) -> f64 {
        let (w, h) = (a.width, a.height);
        let mut hits = 0;
        for y in (0..h).step_by(2) {
            for x in (0..w).step_by(2) {
                hits += usize::from(a.pixel(x, y) != b.pixel(x, y));
            }
        }
        hits as f64 / ((w / 2) * (h / 2)) as f64
    }

    #[test]
    fn density_sets_the_fraction_of_noisy_blocks() {
        let mut f = Frame::new(200, 100);
        f.data.fill(128);
        for d in [0.05, 0.3, 0.8] {
            let out = run("static", &f, &[d, 1.0], &ctx(2));
            let rate = hit_rate(&out, &f);
            assert!(
                (rate - d as f64).abs() < 0.03 + d as f64 * 0.1,
                "density {d}: {rate}"
            );
        }
        let all = run("static", &f, &[1.0, 0.0], &ctx(2));
        assert!(hit_rate(&all, &f) > 0.98);
        assert!(
            all.data
                .chunks_exact(3)
                .all(|p| p[0] == p[1] && p[1] == p[2])
        );
        assert_eq!(run("static", &f, &[0.0, 1.0], &ctx(2)), f);
    }

    #[test]
    fn noise_is_per_frame_and_reproducible() {
        let mut f = Frame::new(64, 64);
        f.data.fill(0);
        let a = run("static", &f, &[0.2, 1.0], &ctx(1));
        assert_eq!(a, run("static", &f, &[0.2, 1.0], &ctx(1)));
        assert!(diff_count(&a, &run("static", &f, &[0.2, 1.0], &ctx(2))) > 100);
        let other = FrameCtx::new(1, 24.0, 5);
        assert!(diff_count(&a, &run("static", &f, &[0.2, 1.0], &other)) > 100);
    }
}
