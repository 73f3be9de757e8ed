//! Transition kernels: two rendered frames blended per pixel into a third, in bands of rows on
//! rayon, with no allocation. Every kernel is a pure function of (frames, progress, seed, frame
//! index), so the result is the same for any thread count.

use rayon::prelude::*;

use crate::frame::Frame;
use crate::rng::{hash2, hash3, unit};

/// How one section gives way to the next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TransitionKind {
    /// A hard cut on the cut frame (no blending).
    Cut,
    /// Mix of the two pictures.
    Crossfade,
    /// An edge travelling to the left: the new scene enters from the right.
    WipeLeft,
    /// An edge travelling to the right: the new scene enters from the left.
    WipeRight,
    /// An edge travelling up: the new scene enters from the bottom.
    WipeUp,
    /// An edge travelling down: the new scene enters from the top.
    WipeDown,
    /// A clock hand sweeping clockwise from 12 o'clock.
    Radial,
    /// A circle opening from the centre.
    Iris,
    /// Cell-sized blocks switching in a seeded random order.
    Dissolve,
    /// Switches on the cut frame; rows tear sideways (and borrow the other scene) around it.
    GlitchCut,
}

impl TransitionKind {
    /// Every kind.
    pub const ALL: &'static [TransitionKind] = &[
        TransitionKind::Cut,
        TransitionKind::Crossfade,
        TransitionKind::WipeLeft,
        TransitionKind::WipeRight,
        TransitionKind::WipeUp,
        TransitionKind::WipeDown,
        TransitionKind::Radial,
        TransitionKind::Iris,
        TransitionKind::Dissolve,
        TransitionKind::GlitchCut,
    ];

    /// Name in timeline files.
    pub fn name(self) -> &'static str {
        match self {
            TransitionKind::Cut => "cut",
            TransitionKind::Crossfade => "crossfade",
            TransitionKind::WipeLeft => "wipe_left",
            TransitionKind::WipeRight => "wipe_right",
            TransitionKind::WipeUp => "wipe_up",
            TransitionKind::WipeDown => "wipe_down",
            TransitionKind::Radial => "radial",
            TransitionKind::Iris => "iris",
            TransitionKind::Dissolve => "dissolve",
            TransitionKind::GlitchCut => "glitch_cut",
        }
    }

    /// Look a kind up by name.
    pub fn from_name(name: &str) -> Option<TransitionKind> {
        TransitionKind::ALL
            .iter()
            .copied()
            .find(|k| k.name() == name)
    }
}

/// One frame of a transition.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Mix {
    /// What it looks like.
    pub kind: TransitionKind,
    /// Eased progress, 0 (all outgoing) to 1 (all incoming).
    pub progress: f32,
    /// Whether the cut frame has been reached (glitch and hard cuts show the new scene).
    pub switched: bool,
    /// Soft edge width as a share of the screen (0 = hard edge).
    pub softness: f32,
    /// Seed of the dissolve order and the glitch tears.
    pub seed: u64,
    /// Output frame index (the glitch tears change every frame).
    pub frame: u64,
}

/// Rows per rayon task.
const BAND_ROWS: usize = 16;

/// Blend `a` (outgoing) and `b` (incoming) into `out` as `mix` says. The three frames must
/// have the same size (`out` is resized if not).
pub fn blend(a: &Frame, b: &Frame, mix: &Mix, out: &mut Frame) {
    assert!(
        a.width == b.width && a.height == b.height,
        "transition frames differ in size"
    );
    if out.width != a.width || out.height != a.height {
        out.resize(a.width, a.height);
    }
    let (w, h) = (a.width, a.height);
    if w == 0 || h == 0 {
        return;
    }
    let p = mix.progress;
    let e = mix.softness.max(0.0);
    let (wf, hf) = (w as f32, h as f32);
    match mix.kind {
        TransitionKind::Cut => {
            out.data
                .copy_from_slice(if mix.switched { &b.data } else { &a.data })
        }
        TransitionKind::Crossfade => {
            let k = weight_of(p);
            masked(a, b, out, |_, _| k)
        }
        TransitionKind::WipeLeft => {
            masked(a, b, out, |x, _| edge(1.0 - (x as f32 + 0.5) / wf, p, e))
        }
        TransitionKind::WipeRight => masked(a, b, out, |x, _| edge((x as f32 + 0.5) / wf, p, e)),
        TransitionKind::WipeUp => masked(a, b, out, |_, y| edge(1.0 - (y as f32 + 0.5) / hf, p, e)),
        TransitionKind::WipeDown => masked(a, b, out, |_, y| edge((y as f32 + 0.5) / hf, p, e)),
        TransitionKind::Iris => {
            let (cx, cy) = (wf * 0.5, hf * 0.5);
            let rmax = (cx * cx + cy * cy).sqrt();
            masked(a, b, out, |x, y| {
                let (dx, dy) = (x as f32 + 0.5 - cx, y as f32 + 0.5 - cy);
                edge((dx * dx + dy * dy).sqrt() / rmax, p, e)
            })
        }
        TransitionKind::Radial => {
            let (cx, cy) = (wf * 0.5, hf * 0.5);
            masked(a, b, out, |x, y| {
                let (dx, dy) = (x as f32 + 0.5 - cx, y as f32 + 0.5 - cy);
                // clockwise from 12 o'clock (y grows downwards)
                let ang = atan2_fast(dx, -dy);
                let u = if ang < 0.0 {
                    ang + std::f32::consts::TAU
                } else {
                    ang
                };
                edge(u / std::f32::consts::TAU, p, e)
            })
        }
        TransitionKind::Dissolve => {
            let block = dissolve_block(w, h);
            let seed = mix.seed;
            masked(a, b, out, |x, y| {
                let u = unit(hash2(seed, (x / block) as u64, (y / block) as u64));
                edge(u, p, e)
            })
        }
        TransitionKind::GlitchCut => glitch(a, b, mix, out),
    }
}

/// Side of the dissolve's blocks in pixels: about one character cell.
pub fn dissolve_block(w: usize, h: usize) -> usize {
    (w.min(h) / 90).max(1)
}

/// 0–256 weight of the incoming scene for a progress.
#[inline]
fn weight_of(v: f32) -> u32 {
    (v.clamp(0.0, 1.0) * 256.0).round() as u32
}

/// Weight of the incoming scene at a pixel whose reveal order is `u` (0 first, 1 last): the
/// edge moves from before 0 to past 1 as `p` goes 0 → 1, ramping over `e`.
#[inline]
fn edge(u: f32, p: f32, e: f32) -> u32 {
    if e <= 0.0 {
        return if u < p { 256 } else { 0 };
    }
    weight_of((p * (1.0 + e) - u) / e)
}

/// `out = a + (b − a) · weight(x, y) / 256`, per pixel, in bands of rows.
fn masked(a: &Frame, b: &Frame, out: &mut Frame, weight: impl Fn(usize, usize) -> u32 + Sync) {
    let stride = a.width * 3;
    out.data
        .par_chunks_mut(stride * BAND_ROWS)
        .enumerate()
        .for_each(|(band, dst)| {
            let y0 = band * BAND_ROWS;
            let off = y0 * stride;
            let (sa, sb) = (&a.data[off..off + dst.len()], &b.data[off..off + dst.len()]);
            for (r, ((d, ra), rb)) in dst
                .chunks_exact_mut(stride)
                .zip(sa.chunks_exact(stride))
                .zip(sb.chunks_exact(stride))
                .enumerate()
            {
                let y = y0 + r;
                for (x, ((dp, pa), pb)) in d
                    .chunks_exact_mut(3)
                    .zip(ra.chunks_exact(3))
                    .zip(rb.chunks_exact(3))
                    .enumerate()
                {
                    let k = weight(x, y).min(256);
                    if k == 0 {
                        dp.copy_from_slice(pa);
                    } else if k == 256 {
                        dp.copy_from_slice(pb);
                    } else {
                        for c in 0..3 {
                            dp[c] =
                                ((pa[c] as u32 * (256 - k) + pb[c] as u32 * k + 128) >> 8) as u8;
                        }
                    }
                }
            }
        });
}

/// The glitch cut: the outgoing picture before the cut frame, the incoming one from it on;
/// around the cut, bands of rows are torn sideways by seeded offsets (with the red channel
/// split off) and some show the other scene. The tearing peaks at the middle of the window.
fn glitch(a: &Frame, b: &Frame, mix: &Mix, out: &mut Frame) {
    let (w, h) = (a.width, a.height);
    let stride = w * 3;
    let g = (1.0 - (2.0 * mix.progress - 1.0).abs()).clamp(0.0, 1.0);
    let band_h = (h / 36).max(2);
    let (main, other) = if mix.switched { (b, a) } else { (a, b) };
    let (seed, fi) = (mix.seed, mix.frame);
    out.data
        .par_chunks_mut(stride * BAND_ROWS)
        .enumerate()
        .for_each(|(band, dst)| {
            let y0 = band * BAND_ROWS;
            for (r, d) in dst.chunks_exact_mut(stride).enumerate() {
                let y = y0 + r;
                let tear = (y / band_h) as u64;
                let torn = g > 0.0 && unit(hash3(seed, fi, tear, 0)) < 0.7 * g;
                let src = if torn && unit(hash3(seed, fi, tear, 1)) < 0.35 * g {
                    other
                } else {
                    main
                };
                let row = &src.data[y * stride..(y + 1) * stride];
                if !torn {
                    d.copy_from_slice(row);
                    continue;
                }
                let shift = ((unit(hash3(seed, fi, tear, 2)) - 0.5) * 0.25 * w as f32 * g) as isize;
                let split = (g * w as f32 / 80.0) as isize + 1;
                for (x, dp) in d.chunks_exact_mut(3).enumerate() {
                    let sx = (x as isize + shift).rem_euclid(w as isize) as usize;
                    let rx = (x as isize + shift + split).rem_euclid(w as isize) as usize;
                    dp[0] = row[rx * 3];
                    dp[1] = row[sx * 3 + 1];
                    dp[2] = row[sx * 3 + 2];
                }
            }
        });
}

/// `atan2(y, x)` to within about 0.001 rad, several times faster than the libm one (the
/// radial wipe evaluates it for every pixel).
#[inline]
fn atan2_fast(y: f32, x: f32) -> f32 {
    use std::f32::consts::{FRAC_PI_2, PI};
    let (ax, ay) = (x.abs(), y.abs());
    let mx = ax.max(ay);
    if mx == 0.0 {
        return 0.0;
    }
    let a = ax.min(ay) / mx;
    let s = a * a;
    let mut r = ((-0.046_496_473 * s + 0.159_314_22) * s - 0.327_622_76) * s * a + a;
    if ay > ax {
        r = FRAC_PI_2 - r;
    }
    if x < 0.0 {
        r = PI - r;
    }
    if y < 0.0 { -r } else { r }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(w: usize, h: usize, f: impl Fn(usize, usize) -> [u8; 3]) -> Frame {
        let mut fr = Frame::new(w, h);
        for y in 0..h {
            for x in 0..w {
                let i = (y * w + x) * 3;
                fr.data[i..i + 3].copy_from_slice(&f(x, y));
            }
        }
        fr
    }

    fn pair() -> (Frame, Frame) {
        let a = frame(64, 40, |x, y| [(x * 3) as u8, (y * 5) as u8, 200]);
        let b = frame(64, 40, |x, y| [250 - (y * 2) as u8, 10, (x + y) as u8]);
        (a, b)
    }

    fn mix(kind: TransitionKind, progress: f32) -> Mix {
        Mix {
            kind,
            progress,
            switched: progress >= 0.5,
            softness: 0.0,
            seed: 7,
            frame: 3,
        }
    }

    fn run(a: &Frame, b: &Frame, m: &Mix) -> Frame {
        let mut out = Frame::new(1, 1);
        blend(a, b, m, &mut out);
        out
    }

    #[test]
    fn every_kind_starts_on_the_old_scene_and_ends_on_the_new() {
        let (a, b) = pair();
        for &kind in TransitionKind::ALL {
            let mut m = mix(kind, 0.0);
            m.softness = 0.05;
            assert_eq!(run(&a, &b, &m), a, "{kind:?} at 0");
            m.progress = 1.0;
            m.switched = true;
            assert_eq!(run(&a, &b, &m), b, "{kind:?} at 1");
        }
    }

    #[test]
    fn crossfade_is_the_weighted_mean_of_each_channel() {
        let (a, b) = pair();
        let out = run(&a, &b, &mix(TransitionKind::Crossfade, 0.25));
        for i in 0..a.data.len() {
            let want = a.data[i] as f32 * 0.75 + b.data[i] as f32 * 0.25;
            assert!(
                (out.data[i] as f32 - want).abs() <= 0.51,
                "{i}: {} vs {want}",
                out.data[i]
            );
        }
    }

    #[test]
    fn wipes_reveal_the_new_scene_from_the_side_they_name() {
        let (a, b) = pair();
        let half = |kind| run(&a, &b, &mix(kind, 0.5));
        let (w, h) = (a.width, a.height);
        // wipe_left: the edge travels left, so the right half is new
        let o = half(TransitionKind::WipeLeft);
        assert_eq!(o.pixel(w - 1, 5), b.pixel(w - 1, 5));
        assert_eq!(o.pixel(0, 5), a.pixel(0, 5));
        let o = half(TransitionKind::WipeRight);
        assert_eq!(o.pixel(0, 5), b.pixel(0, 5));
        assert_eq!(o.pixel(w - 1, 5), a.pixel(w - 1, 5));
        let o = half(TransitionKind::WipeUp);
        assert_eq!(o.pixel(3, h - 1), b.pixel(3, h - 1));
        assert_eq!(o.pixel(3, 0), a.pixel(3, 0));
        let o = half(TransitionKind::WipeDown);
        assert_eq!(o.pixel(3, 0), b.pixel(3, 0));
        assert_eq!(o.pixel(3, h - 1), a.pixel(3, h - 1));
        // exactly half the columns switched
        let new_cols = (0..w)
            .filter(|&x| o.pixel(x, 0) == b.pixel(x, 0) && o.pixel(x, 0) != a.pixel(x, 0))
            .count();
        assert_eq!(new_cols, w, "wipe_down at 0.5 shows the new top row");
        let o = half(TransitionKind::WipeRight);
        let switched = (0..w).filter(|&x| o.pixel(x, 9) == b.pixel(x, 9)).count();
        assert_eq!(switched, w / 2);
    }

    #[test]
    fn a_soft_edge_ramps_between_the_scenes() {
        let a = frame(100, 4, |_, _| [0, 0, 0]);
        let b = frame(100, 4, |_, _| [200, 200, 200]);
        let mut m = mix(TransitionKind::WipeRight, 0.5);
        m.softness = 0.2;
        let o = run(&a, &b, &m);
        let row: Vec<u8> = (0..100).map(|x| o.pixel(x, 0)[0]).collect();
        assert!(row.windows(2).all(|p| p[0] >= p[1]), "{row:?}");
        let partial = row.iter().filter(|&&v| v > 0 && v < 200).count();
        assert!((15..=25).contains(&partial), "ramp of {partial} px");
    }

    #[test]
    fn iris_opens_from_the_centre_and_radial_sweeps_clockwise() {
        let (a, b) = pair();
        let o = run(&a, &b, &mix(TransitionKind::Iris, 0.3));
        assert_eq!(o.pixel(32, 20), b.pixel(32, 20));
        assert_eq!(o.pixel(0, 0), a.pixel(0, 0));
        let o = run(&a, &b, &mix(TransitionKind::Radial, 0.3));
        // a quarter turn and a bit: the top-right quadrant is new, the left half old
        assert_eq!(o.pixel(50, 8), b.pixel(50, 8));
        assert_eq!(o.pixel(10, 8), a.pixel(10, 8));
        assert_eq!(o.pixel(10, 35), a.pixel(10, 35));
        for (y, x) in [(1.0f32, 0.0f32), (0.0, 1.0), (-1.0, -0.5), (0.3, -2.0)] {
            assert!((atan2_fast(y, x) - y.atan2(x)).abs() < 2e-3);
        }
    }

    #[test]
    fn dissolve_switches_a_seeded_share_of_blocks_that_stay_switched() {
        let a = frame(180, 90, |_, _| [0, 0, 0]);
        let b = frame(180, 90, |_, _| [255, 255, 255]);
        let share = |p: f32, seed: u64| {
            let mut m = mix(TransitionKind::Dissolve, p);
            m.seed = seed;
            run(&a, &b, &m)
        };
        let o3 = share(0.3, 1);
        let frac = o3.data.iter().filter(|&&v| v == 255).count() as f64 / o3.data.len() as f64;
        assert!((frac - 0.3).abs() < 0.08, "{frac}");
        let o6 = share(0.6, 1);
        assert!(o3.data.iter().zip(&o6.data).all(|(x, y)| x <= y));
        assert_eq!(o3, share(0.3, 1));
        assert_ne!(o3, share(0.3, 2));
    }

    #[test]
    fn glitch_cut_switches_on_the_cut_frame_and_tears_rows_around_it() {
        let (a, b) = pair();
        let mut m = mix(TransitionKind::GlitchCut, 0.5);
        m.switched = false;
        let before = run(&a, &b, &m);
        m.switched = true;
        let after = run(&a, &b, &m);
        let rows_from = |o: &Frame, f: &Frame| {
            (0..o.height)
                .filter(|&y| (0..o.width).all(|x| o.pixel(x, y) == f.pixel(x, y)))
                .count()
        };
        assert!(rows_from(&before, &a) > rows_from(&before, &b));
        assert!(rows_from(&after, &b) > rows_from(&after, &a));
        assert!(rows_from(&after, &b) < after.height, "some rows are torn");
    }

    #[test]
    fn blends_do_not_depend_on_the_thread_count() {
        let a = frame(300, 170, |x, y| [(x % 256) as u8, (y % 256) as u8, 9]);
        let b = frame(300, 170, |x, y| [9, (x * y % 256) as u8, 99]);
        for &kind in TransitionKind::ALL {
            let mut m = mix(kind, 0.43);
            m.softness = 0.1;
            let one = rayon::ThreadPoolBuilder::new()
                .num_threads(1)
                .build()
                .unwrap()
                .install(|| run(&a, &b, &m));
            let three = rayon::ThreadPoolBuilder::new()
                .num_threads(3)
                .build()
                .unwrap()
                .install(|| run(&a, &b, &m));
            assert_eq!(one, three, "{kind:?}");
        }
    }
}
