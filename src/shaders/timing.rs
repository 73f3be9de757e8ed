//! Single-thread 1080p timing table (ignored by default; run in release):
//! `cargo test --release --lib shaders::timing -- --ignored --nocapture`.

#[cfg(not(target_os = "linux"))]
use std::time::Instant;

use super::test_util::{ctx, in_pool, test_frame};
use super::{Tonemap, all};

/// Nanoseconds this thread has spent on a CPU, so that time spent preempted by other processes
/// on a busy machine is not counted (wall-clock time off Linux).
#[cfg(target_os = "linux")]
pub(crate) fn cpu_ns() -> u64 {
    #[repr(C)]
    struct Timespec {
        sec: i64,
        nsec: i64,
    }
    unsafe extern "C" {
        fn clock_gettime(clock: i32, tp: *mut Timespec) -> i32;
    }
    const CLOCK_THREAD_CPUTIME_ID: i32 = 3;
    let mut t = Timespec { sec: 0, nsec: 0 };
    // SAFETY: `t` is a valid, writable timespec for the duration of the call.
    unsafe { clock_gettime(CLOCK_THREAD_CPUTIME_ID, &mut t) };
    t.sec as u64 * 1_000_000_000 + t.nsec as u64
}

#[cfg(not(target_os = "linux"))]
pub(crate) fn cpu_ns() -> u64 {
    static START: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    START.get_or_init(Instant::now).elapsed().as_nanos() as u64
}

/// Fastest of `runs` timed calls of `f` in milliseconds of thread CPU time, each preceded by an
/// untimed `setup`, after two warm-up rounds.
fn best_ms(runs: usize, mut setup: impl FnMut(), mut f: impl FnMut()) -> f64 {
    let mut best = f64::INFINITY;
    for i in 0..runs + 2 {
        setup();
        let s = cpu_ns();
        f();
        let ms = (cpu_ns() - s) as f64 / 1e6;
        if i >= 2 {
            best = best.min(ms);
        }
    }
    best
}

const RUNS: usize = 41;

#[test]
#[ignore = "timing table; run in release with --ignored --nocapture"]
fn timing_table_1080p_single_thread() {
    let filter = std::env::var("SHADER").unwrap_or_default();
    in_pool(1, || {
        let src = test_frame(1920, 1080);
        let mut frame = src.clone();
        // Baseline measured in the same run: one copy of the frame (6 MB), so the table can be
        // read as ratios on a noisy, shared machine.
        let copy = {
            let f = std::cell::RefCell::new(&mut frame);
            best_ms(
                RUNS,
                || {},
                || {
                    f.borrow_mut()
                        .data
                        .copy_from_slice(std::hint::black_box(&src.data))
                },
            )
        };
        println!("| shader | ms/frame | × copy |\n|---|---:|---:|");
        println!("| (copy of the frame) | {copy:.2} | 1.0 |");
        if filter.is_empty() || filter == "tonemap" {
            let mut tm = Tonemap::new();
            let f = std::cell::RefCell::new(&mut frame);
            let ms = best_ms(
                RUNS,
                || f.borrow_mut().data.copy_from_slice(&src.data),
                || tm.apply(&mut f.borrow_mut(), 0.75, 2.0, 253.0),
            );
            println!("| tonemap | {ms:.2} | {:.1} |", ms / copy);
        }
        for spec in all()
            .iter()
            .filter(|s| filter.is_empty() || s.name == filter)
        {
            let mut shader = (spec.make)();
            let params = spec.defaults();
            let c = ctx(7);
            // Restore the source before each run, untimed: shaders like invert or pixel_sort
            // would otherwise be timed on their own output.
            let f = std::cell::RefCell::new(&mut frame);
            let ms = best_ms(
                RUNS,
                || f.borrow_mut().data.copy_from_slice(&src.data),
                || shader.apply(&mut f.borrow_mut(), &params, &c),
            );
            let heavy = if spec.heavy { " (heavy)" } else { "" };
            println!("| {}{heavy} | {ms:.2} | {:.1} |", spec.name, ms / copy);
        }
    });
}
