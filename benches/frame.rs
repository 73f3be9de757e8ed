//! Frame render cost at 1080p on one thread, against a memory-bandwidth baseline measured in the
//! same run (copying one 1080p RGB frame), so the ratio survives a noisy machine.
//!
//! Run: `cargo bench --bench frame`

use std::hint::black_box;
use std::sync::Arc;

use asciivid::audio::synthetic_features;
use asciivid::frame::Frame;
use asciivid::glyph::FontChain;
use asciivid::media::yuv::{Chroma, rgb_to_yuv};
use asciivid::scene::{Scene, preset::resolve};
use criterion::{Criterion, criterion_group, criterion_main};

fn one_thread() -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap()
}

fn bench_frames(c: &mut Criterion) {
    let pool = one_thread();
    let (w, h) = (1920, 1080);
    let features = Arc::new(synthetic_features(120.0, 24.0, 60.0, 1));
    let fonts = FontChain::bundled();
    let mut g = c.benchmark_group("1080p_one_thread");
    g.sample_size(30);

    let src = Frame::new(w, h);
    let mut dst = Frame::new(w, h);
    g.bench_function("baseline_copy_frame", |b| {
        b.iter(|| dst.data.copy_from_slice(black_box(&src.data)))
    });

    for name in ["reference", "default", "matrix"] {
        let preset = resolve(name).unwrap();
        let mut scene = Scene::new(&preset, w, h, 1, &fonts, features.clone()).unwrap();
        let mut frame = Frame::new(w, h);
        let mut i = 0u64;
        g.bench_function(format!("preset_{name}"), |b| {
            b.iter(|| {
                pool.install(|| scene.render(i % 1400, &mut frame));
                i += 1;
            })
        });
    }

    let mut frame = Frame::new(w, h);
    let preset = resolve("reference").unwrap();
    let mut scene = Scene::new(&preset, w, h, 1, &fonts, features.clone()).unwrap();
    pool.install(|| scene.render(100, &mut frame));
    let mut yuv = Vec::new();
    g.bench_function("rgb_to_yuv420", |b| {
        b.iter(|| pool.install(|| rgb_to_yuv(black_box(&frame), Chroma::Yuv420, &mut yuv)))
    });
    g.finish();
}

criterion_group!(benches, bench_frames);
criterion_main!(benches);
