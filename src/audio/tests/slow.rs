//! Slow checks, ignored by default: timing of a 7-minute track and a wide robustness sweep.
//! Run with `cargo test --release -- --ignored --nocapture`.

use super::SR;
use super::signals::click_track;
use crate::audio::*;

/// CPU seconds used by this process so far (Linux `/proc`; 0 elsewhere), so timings are not
/// skewed by other load on the machine.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the parenthesised command name, from `state`; utime and stime (in 1/100 s)
    // are the 12th and 13th of them.
    let rest = stat.rsplit(')').next().unwrap_or("");
    let f: Vec<&str> = rest.split_whitespace().collect();
    let tick = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (tick(11) + tick(12)) / 100.0
}

/// Timing of a 7-minute track (run with `cargo test --release -- --ignored --nocapture`).
#[test]
#[ignore]
fn seven_minute_timing() {
    let x = synth_demo_track(SR, 420.0, 126.0, 3);
    let p = AnalysisParams::default();
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    for fps in [24.0, 30.0, 60.0] {
        for (name, threads) in [("all threads", None), ("one thread", Some(&one))] {
            let (t0, c0) = (std::time::Instant::now(), cpu_seconds());
            let f = match threads {
                Some(pool) => pool.install(|| analyze(&x, SR, fps, &p)),
                None => analyze(&x, SR, fps, &p),
            };
            eprintln!(
                "7 min at {fps} fps, {name}: wall {:.3} s, cpu {:.2} s ({} frames, tempo {:.2}, {} beats)",
                t0.elapsed().as_secs_f64(),
                cpu_seconds() - c0,
                f.len(),
                f.tempo_bpm,
                f.beats.len()
            );
        }
    }
    let (t0, c0) = (std::time::Instant::now(), cpu_seconds());
    let r = one.install(|| analyze_rhythm(&x, SR, &p));
    eprintln!(
        "rhythm only, one thread: wall {:.3} s, cpu {:.2} s (tempo {:.2})",
        t0.elapsed().as_secs_f64(),
        cpu_seconds() - c0,
        r.tempo_bpm
    );
}

/// Wider robustness check (run with `cargo test --release -- --ignored --nocapture`): click
/// tracks at 40 tempos from 58 to 182 BPM in four variants, and demo tracks at 24 tempos with
/// two seeds each (beats compared where the drums play).
#[test]
#[ignore]
fn robustness_sweep() {
    let p = AnalysisParams::default();
    let mut failures = Vec::new();
    let mut total = 0;
    for bpm in (0..40).map(|i| 58.0 + i as f64 * 3.17) {
        for (swing, noise) in [(false, 0.0), (true, 0.0), (false, 0.1), (true, 0.05)] {
            let seconds = (14.0 * 60.0 / bpm).max(10.0);
            let (x, truth) = click_track(bpm, seconds, swing, noise, (bpm * 10.0) as u64);
            let r = analyze_rhythm(&x, SR, &p);
            let err = (r.tempo_bpm as f64 - bpm).abs() / bpm;
            let f = f_measure(&r.beats, &truth, 0.07);
            total += 1;
            if err > 0.02 || f < 0.95 {
                failures.push(format!(
                    "click {bpm:.1} swing {swing} noise {noise}: {} F {f:.3}",
                    r.tempo_bpm
                ));
            }
        }
    }
    for (i, bpm) in (0..24).map(|i| (i as u64, 70.0f32 + i as f32 * 4.5)) {
        for seed in [i * 7, i * 7 + 1] {
            let x = synth_demo_track(SR, 30.0, bpm, seed);
            let r = analyze_rhythm(&x, SR, &p);
            let song = arrangement::Arrangement::new(bpm, 30.0, seed);
            let (start, end) = song.drum_span();
            let grid = |every: usize| -> Vec<f64> {
                (0..)
                    .map(|k| start + (k * every) as f64 * song.beat_s)
                    .take_while(|&t| t < end)
                    .collect()
            };
            let inside = |v: Vec<f64>| -> Vec<f64> {
                v.into_iter()
                    .filter(|&t| t > start - 0.1 && t < end - 0.1)
                    .collect()
            };
            let f = f_measure(&inside(r.beats.clone()), &grid(1), 0.07);
            let fd = f_measure(&inside(r.downbeats()), &grid(4), 0.07);
            let err = (r.tempo_bpm - bpm).abs() / bpm;
            total += 1;
            if err > 0.02 || f < 0.95 || fd < 0.8 {
                failures.push(format!(
                    "demo {bpm} seed {seed}: {} F {f:.3} downbeats {fd:.3}",
                    r.tempo_bpm
                ));
            }
        }
    }
    eprintln!("{} of {total} failed: {failures:#?}", failures.len());
    assert!(failures.len() * 20 <= total, "{failures:#?}");
}
