//! Video → ASCII speed: a 1080p source frame → md grid (192×56 cells of 10×19 px) → a 1080p
//! output frame, on 2 threads, encoding and decoding excluded. Each mode is compared with a
//! baseline measured in the same run (copying one 1080p RGB frame), so the ratio survives a
//! noisy machine.
//!
//! After the criterion timings, the same cases run again for a fixed number of frames while
//! the process's CPU time (user + system, from /proc/self/stat) is counted: CPU time is much
//! less inflated than wall time when other jobs share the machine, and CPU ms per frame / 2 is
//! what 2 otherwise idle cores would take (the work is split into bands of rows on rayon).
//!
//! Run: `cargo bench --bench video`

use std::hint::black_box;
use std::sync::Arc;

use asciivid::features::Features;
use asciivid::frame::Frame;
use asciivid::glyph::FontChain;
use asciivid::scene::{Scene, preset::resolve};
use asciivid::video::{Background, GlyphMode, Search};
use criterion::{Criterion, criterion_group, criterion_main};

/// A busy 1080p picture: gradients, rings and hard edges (content does not change the cost of
/// the exhaustive search, and barely that of the others).
fn source(w: usize, h: usize) -> Frame {
    let mut f = Frame::new(w, h);
    for y in 0..h {
        for x in 0..w {
            let (fx, fy) = (x as f32 / w as f32, y as f32 / h as f32);
            let d = ((fx - 0.5).powi(2) + (fy - 0.5).powi(2)).sqrt();
            let ring = ((d * 40.0).sin() * 0.5 + 0.5) * 255.0;
            let i = (y * w + x) * 3;
            f.data[i] = (fx * 255.0) as u8;
            f.data[i + 1] = ring as u8;
            f.data[i + 2] = if (x / 97 + y / 61) % 2 == 0 { 230 } else { 20 };
        }
    }
    f
}

fn bench_video(c: &mut Criterion) {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap();
    let (w, h) = (1920, 1080);
    let fonts = FontChain::bundled();
    let features = Arc::new(Features {
        fps: 24.0,
        duration: 0.0,
        tempo_bpm: 0.0,
        tempo_confidence: 0.0,
        beats: vec![],
        downbeats: vec![],
        onsets: vec![],
        columns: vec![vec![]; asciivid::features::Feature::COUNT],
        spectrum: vec![],
    });
    let mut g = c.benchmark_group("video_1080p_md_two_threads");
    g.sample_size(20);

    let src = source(w, h);
    let mut dst = Frame::new(w, h);
    g.bench_function("baseline_copy_frame", |b| {
        b.iter(|| dst.data.copy_from_slice(black_box(&src.data)))
    });

    let preset = resolve("video").unwrap();
    let cases = [
        (
            "ramp",
            GlyphMode::Ramp,
            Search::Exhaustive,
            Background::Black,
        ),
        (
            "edges",
            GlyphMode::Edges,
            Search::Exhaustive,
            Background::Black,
        ),
        (
            "shape_fast",
            GlyphMode::Shape,
            Search::Fast,
            Background::Black,
        ),
        (
            "shape_production",
            GlyphMode::Shape,
            Search::Exhaustive,
            Background::Black,
        ),
        (
            "shape_production_bg",
            GlyphMode::Shape,
            Search::Exhaustive,
            Background::Source,
        ),
    ];
    let mut scenes = Vec::new();
    for (name, glyphs, search, background) in cases {
        let mut scene = Scene::new(&preset, w, h, 1, &fonts, features.clone()).unwrap();
        scene.set_video_options(|o| {
            o.glyphs = glyphs;
            o.search = search;
            o.background = background;
        });
        let mut a = src.clone();
        let mut out = Frame::new(w, h);
        let mut i = 0u64;
        g.bench_function(name, |b| {
            b.iter(|| {
                // a new generation every time, so every iteration converts
                scene.set_video_frame(&mut a);
                pool.install(|| scene.render(i, &mut out));
                scene.set_video_frame(&mut a);
                i += 1;
            })
        });
        scenes.push((name, scene));
    }
    g.finish();

    // CPU time per frame (see the module doc), for the cases the command line's filter selects
    // (criterion's positional argument), so `perf record` of one case sees only that case
    let filter: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-') && a.parse::<f64>().is_err()) // not option values
        .collect();
    let selected = |name: &str| filter.is_empty() || filter.iter().any(|f| name.contains(f));
    let frames = 120;
    println!("CPU time per frame over {frames} frames (2 threads):");
    let copy = cpu_ms(frames * 10, || {
        dst.data.copy_from_slice(black_box(&src.data))
    });
    println!("  baseline_copy_frame  {copy:8.3} ms CPU");
    for (name, mut scene) in scenes.into_iter().filter(|(n, _)| selected(n)) {
        let mut a = src.clone();
        let mut out = Frame::new(w, h);
        let mut i = 0u64;
        let ms = cpu_ms(frames, || {
            scene.set_video_frame(&mut a);
            pool.install(|| scene.render(i, &mut out));
            scene.set_video_frame(&mut a);
            i += 1;
        });
        println!(
            "  {name:<20} {ms:8.3} ms CPU = {:5.1}x baseline; on 2 idle cores ~{:6.1} fps",
            ms / copy,
            2000.0 / ms
        );
    }
}

/// CPU milliseconds (all threads of the process, user + system) per call of `f`.
fn cpu_ms(n: usize, mut f: impl FnMut()) -> f64 {
    f(); // warm up
    let t0 = cpu_ticks();
    for _ in 0..n {
        f();
    }
    (cpu_ticks() - t0) as f64 * 1000.0 / (TICKS_PER_SECOND * n as f64)
}

/// Clock ticks per second of /proc's CPU times (`getconf CLK_TCK`, 100 on Linux).
const TICKS_PER_SECOND: f64 = 100.0;

/// utime + stime of this process, in clock ticks (Linux /proc; 0 elsewhere).
fn cpu_ticks() -> u64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // fields after the parenthesized command name: state is field 3, utime 14, stime 15
    let rest = stat.rsplit_once(')').map_or("", |r| r.1);
    let f: Vec<u64> = rest
        .split_whitespace()
        .map(|v| v.parse().unwrap_or(0))
        .collect();
    f.get(11).copied().unwrap_or(0) + f.get(12).copied().unwrap_or(0)
}

criterion_group!(benches, bench_video);
criterion_main!(benches);
