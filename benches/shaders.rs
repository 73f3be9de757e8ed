//! Single-thread cost of every shader and of the tonemap on a 1920×1080 frame.
//!
//! `cargo bench --bench shaders` (add `-- bloom` to run one). Each iteration starts from a
//! fresh copy of the test picture (the copy is not timed), on a one-thread rayon pool so the
//! figures are per-core costs.

use std::hint::black_box;
use std::time::Duration;

use asciivid::frame::{Frame, FrameCtx};
use asciivid::shaders::{Tonemap, all};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};

/// A 1080p picture with gradients, hard edges and highlights, so that threshold-driven shaders
/// (bloom, pixel_sort, ...) have work to do.
fn picture() -> Frame {
    let (w, h) = (1920, 1080);
    let mut f = Frame::new(w, h);
    for (y, row) in f.data.chunks_exact_mut(w * 3).enumerate() {
        for (x, px) in row.chunks_exact_mut(3).enumerate() {
            let glyph = (x / 12 + y / 24) % 3 == 0 && (x % 12 < 7) && (y % 24 < 16);
            let base = [
                (x * 255 / w) as u8,
                (y * 255 / h) as u8,
                ((x + y) * 127 / (w + h)) as u8,
            ];
            px.copy_from_slice(if glyph { &[240, 230, 200] } else { &base });
        }
    }
    f
}

fn bench(c: &mut Criterion) {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("pool");
    let src = picture();
    let ctx = FrameCtx::new(7, 24.0, 1);
    let mut group = c.benchmark_group("shader_1080p_1thread");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(2))
        .warm_up_time(Duration::from_millis(300));
    group.bench_function("tonemap", |b| {
        let mut t = Tonemap::new();
        pool.install(|| {
            b.iter_batched_ref(
                || src.clone(),
                |f| t.apply(black_box(f), 0.75, 2.0, 253.0),
                BatchSize::LargeInput,
            )
        });
    });
    for spec in all() {
        let params = spec.defaults();
        group.bench_function(spec.name, |b| {
            let mut shader = (spec.make)();
            pool.install(|| {
                b.iter_batched_ref(
                    || src.clone(),
                    |f| shader.apply(black_box(f), &params, &ctx),
                    BatchSize::LargeInput,
                )
            });
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
