//! Contract tests every effect must pass.

use super::kernel::{MAX_PARAMS, PAR_MIN_CELLS};
use super::testutil::*;
use super::{EffectCtx, FieldBuf, all, closest, find};
use crate::features::FeatureFrame;
use crate::frame::FrameCtx;
use crate::grid::GridGeom;

fn bits(f: &FieldBuf) -> Vec<u32> {
    f.value
        .iter()
        .chain(&f.hue)
        .chain(&f.pick)
        .map(|x| x.to_bits())
        .collect()
}

fn assert_valid(name: &str, f: &FieldBuf, n: usize) {
    assert_eq!(f.value.len(), n, "{name}: value length");
    assert_eq!(f.hue.len(), n, "{name}: hue length");
    assert_eq!(f.pick.len(), n, "{name}: pick length");
    for i in 0..n {
        let (v, h, p) = (f.value[i], f.hue[i], f.pick[i]);
        assert!((0.0..=1.0).contains(&v), "{name}: value {v} at {i}");
        assert!(
            h.is_nan() || (0.0..1.0).contains(&h),
            "{name}: hue {h} at {i}"
        );
        assert!(
            p == -1.0 || (0.0..1.0).contains(&p),
            "{name}: pick {p} at {i}"
        );
    }
}

#[test]
fn registry_is_sorted_and_follows_the_conventions() {
    let specs = all();
    assert!(specs.len() >= 27);
    for w in specs.windows(2) {
        assert!(w[0].name < w[1].name, "{} before {}", w[0].name, w[1].name);
    }
    for s in specs {
        assert_eq!(find(s.name).map(|f| f.name), Some(s.name));
        assert!(!s.doc.is_empty());
        assert!(s.params.len() <= MAX_PARAMS, "{}", s.name);
        assert_eq!(s.params[0].name, "speed", "{}", s.name);
        assert_eq!(s.params[1].name, "react", "{}", s.name);
        assert_eq!(
            (s.params[1].min, s.params[1].max, s.params[1].default),
            (0.0, 2.0, 1.0)
        );
        // simulations cannot run backwards
        assert_eq!(s.params[0].min >= 0.0, s.stateful, "{}", s.name);
        for p in s.params {
            assert!(
                p.min <= p.default && p.default <= p.max,
                "{}.{}",
                s.name,
                p.name
            );
            assert!(!p.doc.is_empty(), "{}.{}", s.name, p.name);
        }
    }
    assert!(find("nope").is_none());
}

#[test]
fn closest_suggests_near_names() {
    assert_eq!(closest("ring")[0], "rings");
    assert_eq!(closest("firre")[0], "fire");
    assert!(closest("matrix").contains(&"matrix_rain"));
    assert!(closest("Plasma").contains(&"plasma"));
    assert!(closest("qqqqqqqqqqqq").is_empty());
    assert!(closest("").len() <= 3);
}

#[test]
fn every_effect_is_valid_animated_and_deterministic() {
    let geo = GridGeom::new(48, 20, 8, 16);
    for s in all() {
        let a = run(s.name, &geo, 30, &[], synthetic);
        for f in &a {
            assert_valid(s.name, f, geo.len());
        }
        assert_ne!(
            bits(&a[0]),
            bits(&a[30]),
            "{}: frame 0 and 30 are identical",
            s.name
        );
        assert!(
            a.iter().any(|f| f.value.iter().any(|&v| v > 0.05)),
            "{}: never lit",
            s.name
        );
        let b = run(s.name, &geo, 30, &[], synthetic);
        for (x, y) in a.iter().zip(&b) {
            assert_eq!(bits(x), bits(y), "{}: not deterministic", s.name);
        }
    }
}

#[test]
fn thread_count_does_not_change_output() {
    // large enough for the parallel row path
    let geo = GridGeom::new(170, 100, 8, 16);
    assert!(geo.len() >= PAR_MIN_CELLS);
    let pool = |n| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build()
            .unwrap()
    };
    let (p1, p2) = (pool(1), pool(2));
    for s in all() {
        let one = p1.install(|| run(s.name, &geo, 2, &[], synthetic));
        let two = p2.install(|| run(s.name, &geo, 2, &[], synthetic));
        for (x, y) in one.iter().zip(&two) {
            assert_eq!(
                bits(x),
                bits(y),
                "{}: differs between 1 and 2 threads",
                s.name
            );
        }
    }
}

#[test]
fn react_scales_the_audio_drivers() {
    let geo = GridGeom::new(40, 16, 8, 16);
    let silent = |_| (FeatureFrame::uniform(0.0), Vec::new());
    let loud = |_| (FeatureFrame::uniform(1.0), vec![1.0; 16]);
    for s in all() {
        let q = run(s.name, &geo, 6, &[], silent);
        let l = run(s.name, &geo, 6, &[], loud);
        let differs = q.iter().zip(&l).any(|(a, b)| bits(a) != bits(b));
        assert!(differs, "{}: ignores the audio", s.name);
        let q0 = run(s.name, &geo, 6, &[(1, 0.0)], silent);
        let l0 = run(s.name, &geo, 6, &[(1, 0.0)], loud);
        for (a, b) in q0.iter().zip(&l0) {
            assert_eq!(
                bits(a),
                bits(b),
                "{}: react 0 still follows the audio",
                s.name
            );
        }
    }
}

#[test]
fn odd_grids_sizes_and_params_never_panic() {
    let sizes = [
        (48, 20),
        (1, 1),
        (0, 0),
        (0, 5),
        (7, 0),
        (1, 1),
        (2, 3),
        (30, 12),
        (48, 20),
    ];
    let feat = FeatureFrame::uniform(0.7);
    for s in all() {
        let mins: Vec<f32> = s.params.iter().map(|p| p.min).collect();
        let maxs: Vec<f32> = s.params.iter().map(|p| p.max).collect();
        let nans = vec![f32::NAN; s.params.len()];
        let wild = [1e9f32; 3];
        for params in [&mins[..], &maxs[..], &nans[..], &wild[..], &[][..]] {
            let mut e = (s.make)();
            let mut out = FieldBuf::new(3);
            for (k, &(c, r)) in sizes.iter().enumerate() {
                let geo = GridGeom::new(c, r, 8, 16);
                let ctx = EffectCtx {
                    frame: FrameCtx::new(k as u64, 24.0, 1),
                    features: &feat,
                    spectrum: &[0.5, f32::NAN, 2.0],
                    seed: 3,
                };
                out.reset();
                e.render(&geo, params, &ctx, &mut out);
                assert_valid(s.name, &out, geo.len());
            }
        }
    }
}

#[test]
fn bad_context_values_are_tolerated() {
    let geo = GridGeom::new(20, 8, 8, 16);
    let feat = FeatureFrame::uniform(f32::NAN);
    for s in all() {
        let mut e = (s.make)();
        let params = crate::params::defaults(s.params);
        for fps in [0.0, f32::NAN, 1e6] {
            let mut frame = FrameCtx::new(5, 24.0, 1);
            frame.fps = fps;
            frame.time = f32::INFINITY;
            let ctx = EffectCtx {
                frame,
                features: &feat,
                spectrum: &[],
                seed: 0,
            };
            let mut out = FieldBuf::new(geo.len());
            e.render(&geo, &params, &ctx, &mut out);
            assert_valid(s.name, &out, geo.len());
        }
    }
}

#[test]
fn simulations_restart_when_the_frame_index_goes_back() {
    let geo = GridGeom::new(40, 16, 8, 16);
    for s in all().iter().filter(|s| s.stateful) {
        let params = crate::params::defaults(s.params);
        let mut e = (s.make)();
        let frame = |i: u64, e: &mut Box<dyn super::Effect>| {
            let (f, sp) = synthetic(i);
            let ctx = EffectCtx {
                frame: FrameCtx::new(i, 24.0, 1),
                features: &f,
                spectrum: &sp,
                seed: 11,
            };
            let mut out = FieldBuf::new(geo.len());
            e.render(&geo, &params, &ctx, &mut out);
            bits(&out)
        };
        let first = frame(0, &mut e);
        for i in 1..10 {
            frame(i, &mut e);
        }
        assert_eq!(frame(0, &mut e), first, "{}: no restart on rewind", s.name);
    }
}

#[test]
fn particle_caps_name_a_count_parameter_and_grow_with_the_tier() {
    let capped: Vec<&str> = all()
        .iter()
        .filter(|s| s.cap.is_some())
        .map(|s| s.name)
        .collect();
    for name in [
        "explosion",
        "embers",
        "starfield",
        "dissolve",
        "orbit",
        "gravity_well",
        "flow_field",
    ] {
        assert!(capped.contains(&name), "{name} has no quality cap");
    }
    for s in all() {
        let Some(c) = s.cap else { continue };
        let p = s.params.iter().find(|p| p.name == c.param);
        let p = p.unwrap_or_else(|| panic!("{}: no parameter {}", s.name, c.param));
        assert!(
            c.caps[0] <= c.caps[1] && c.caps[1] <= c.caps[2],
            "{}",
            s.name
        );
        assert!(
            p.default <= c.caps[2],
            "{}: default above the high cap",
            s.name
        );
        assert!(
            p.max >= c.caps[2],
            "{}: the high cap is unreachable",
            s.name
        );
    }
    // the reference's table (optimization.md)
    let caps = |n: &str| find(n).unwrap().cap.unwrap().caps;
    assert_eq!(caps("explosion"), [300.0, 1000.0, 2500.0]);
    assert_eq!(caps("embers"), [500.0, 1500.0, 3000.0]);
    assert_eq!(caps("starfield"), [300.0, 800.0, 1500.0]);
    assert_eq!(caps("dissolve"), [200.0, 600.0, 1200.0]);
}

#[test]
fn every_particle_system_leaves_fading_trails() {
    let geo = GridGeom::new(60, 30, 8, 16);
    let systems: Vec<_> = all()
        .iter()
        .filter(|s| s.params.iter().any(|p| p.name == "trail_fade"))
        .collect();
    assert!(systems.len() >= 8, "{}", systems.len());
    for s in systems {
        let at = |n: &str| s.params.iter().position(|p| p.name == n).unwrap();
        let (trail, fade) = (at("trail"), at("trail_fade"));
        let lit = |len: f32, f: f32| {
            let frames = run(s.name, &geo, 30, &[(trail, len), (fade, f)], synthetic);
            frames[30].value.iter().filter(|&&v| v > 0.0).count()
        };
        let (off, on, long) = (lit(0.0, 0.7), lit(8.0, 0.7), lit(24.0, 0.95));
        assert!(on > off, "{}: trails add no cells ({on} vs {off})", s.name);
        assert!(
            long > on,
            "{}: longer trails add no cells ({long} vs {on})",
            s.name
        );
    }
}
