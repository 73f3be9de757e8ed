//! Contract tests run against every registered shader: effect, determinism, thread-count and
//! SIMD-level independence, cache reuse, tiny frames, extreme params and malformed frames.

use super::test_util::{ctx, in_pool, run, run_base, test_frame};
use super::{ShaderSpec, all};
use crate::frame::Frame;

/// Shaders whose default params are the identity.
const IDENTITY_AT_DEFAULTS: &[&str] = &["color_grade", "levels"];

/// A frame tall enough for several parallel bands at this width.
fn banded() -> Frame {
    test_frame(200, 330)
}

fn each(mut f: impl FnMut(&'static ShaderSpec)) {
    for spec in all() {
        f(spec);
    }
}

#[test]
fn there_are_38_shaders() {
    assert_eq!(all().len(), 38);
}

#[test]
fn defaults_change_the_frame_unless_documented_identity() {
    let f = test_frame(64, 48);
    each(|s| {
        let out = run(s.name, &f, &s.defaults(), &ctx(1));
        assert_eq!(out.data.len(), f.data.len(), "{}", s.name);
        if IDENTITY_AT_DEFAULTS.contains(&s.name) {
            assert!(out == f, "{} should be the identity at defaults", s.name);
        } else {
            assert!(out != f, "{} did nothing at defaults", s.name);
        }
    });
}

#[test]
fn deterministic_and_cache_safe() {
    let f = banded();
    let small = test_frame(37, 23);
    each(|s| {
        let p = s.defaults();
        let a = run(s.name, &f, &p, &ctx(5));
        assert_eq!(
            a,
            run(s.name, &f, &p, &ctx(5)),
            "{} not deterministic",
            s.name
        );
        // One instance across sizes: caches must follow the frame size.
        let mut shader = (s.make)();
        for frame in [&f, &small, &f] {
            let mut out = frame.clone();
            shader.apply(&mut out, &p, &ctx(5));
            assert_eq!(
                out,
                run(s.name, frame, &p, &ctx(5)),
                "{} cache reuse",
                s.name
            );
        }
    });
}

#[test]
fn same_output_for_one_and_two_threads() {
    let f = banded();
    each(|s| {
        let p = s.defaults();
        let one = in_pool(1, || run(s.name, &f, &p, &ctx(2)));
        let two = in_pool(2, || run(s.name, &f, &p, &ctx(2)));
        assert!(one == two, "{} depends on the thread count", s.name);
    });
}

#[test]
fn portable_kernels_match_simd() {
    let f = banded();
    each(|s| {
        let p = s.defaults();
        assert_eq!(
            run(s.name, &f, &p, &ctx(3)),
            run_base(s.name, &f, &p, &ctx(3)),
            "{}",
            s.name
        );
    });
}

#[test]
fn tiny_frames_and_extreme_params_do_not_panic() {
    each(|s| {
        let mins: Vec<f32> = s.params.iter().map(|p| p.min).collect();
        let maxs: Vec<f32> = s.params.iter().map(|p| p.max).collect();
        let nans = vec![f32::NAN; s.params.len()];
        let wild = vec![1e30; s.params.len()];
        let cases: [&[f32]; 6] = [&s.defaults(), &mins, &maxs, &nans, &wild, &[]];
        for (w, h) in [(1, 1), (3, 2), (2, 1), (1, 5), (17, 3)] {
            let f = test_frame(w, h);
            for p in cases {
                let mut out = f.clone();
                (s.make)().apply(&mut out, p, &ctx(0));
                assert_eq!(
                    (out.width, out.height, out.data.len()),
                    (w, h, w * h * 3),
                    "{}",
                    s.name
                );
            }
        }
    });
}

#[test]
fn malformed_frames_are_left_alone() {
    each(|s| {
        let mut short = test_frame(8, 8);
        short.data.truncate(100);
        let before = short.clone();
        (s.make)().apply(&mut short, &s.defaults(), &ctx(0));
        assert!(short == before, "{}", s.name);
        let mut empty = Frame::new(0, 0);
        (s.make)().apply(&mut empty, &s.defaults(), &ctx(0));
        assert!(empty.data.is_empty());
    });
}
