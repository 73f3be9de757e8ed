//! Per-effect cost on the 1080p `md` grid (192×56 cells), one thread (ignored by default; run in
//! release): `cargo test --release --lib effects::timing -- --ignored --nocapture`, `EFFECT=name`
//! for one effect. Thread CPU time, against a baseline measured in the same run (copying one
//! 1080p RGB frame), so the ratios survive a noisy, shared machine.

use super::testutil::synthetic;
use super::{EffectCtx, FieldBuf, all};
use crate::frame::{Frame, FrameCtx};
use crate::grid::GridGeom;
use crate::shaders::timing::cpu_ns;

/// Frames timed per effect, after as many untimed ones (particle systems fill up first).
const FRAMES: u64 = 200;

#[test]
#[ignore = "timing table; run in release with --ignored --nocapture"]
fn effect_timing_table_md_grid_single_thread() {
    let filter = std::env::var("EFFECT").unwrap_or_default();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    pool.install(|| {
        let mut src = Frame::new(1920, 1080);
        for (i, b) in src.data.iter_mut().enumerate() {
            *b = (i * 7 % 251) as u8;
        }
        let mut dst = Frame::new(1920, 1080);
        let mut copy = f64::INFINITY;
        for _ in 0..41 {
            let s = cpu_ns();
            std::hint::black_box(&mut dst)
                .data
                .copy_from_slice(std::hint::black_box(&src.data));
            copy = copy.min((cpu_ns() - s) as f64 / 1e6);
        }
        let geo = GridGeom::new(192, 56, 10, 19);
        let feats: Vec<_> = (0..2 * FRAMES).map(synthetic).collect();
        println!("| effect | ms/frame | × copy |\n|---|---:|---:|");
        println!("| (copy of a 1080p frame) | {copy:.3} | 1.0 |");
        for s in all() {
            if !filter.is_empty() && filter != s.name {
                continue;
            }
            let params = crate::params::defaults(s.params);
            let mut e = (s.make)();
            let mut out = FieldBuf::new(geo.len());
            let mut spent = 0u64;
            for (i, (f, sp)) in feats.iter().enumerate() {
                let ctx = EffectCtx {
                    frame: FrameCtx::new(i as u64, 24.0, 1),
                    features: f,
                    spectrum: sp,
                    seed: 1,
                };
                out.reset();
                let t = cpu_ns();
                e.render(&geo, &params, &ctx, &mut out);
                if i as u64 >= FRAMES {
                    spent += cpu_ns() - t;
                }
            }
            let ms = spent as f64 / 1e6 / FRAMES as f64;
            println!("| `{}` | {ms:.3} | {:.2} |", s.name, ms / copy);
        }
    });
}
