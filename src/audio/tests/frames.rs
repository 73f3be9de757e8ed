//! Per-frame features: alignment, bands, levels, determinism and hostile input.

use super::signals::{click_track, sine};
use super::{SR, assert_valid, mean};
use crate::audio::*;
use crate::features::{Feature, Features};

#[test]
fn impulse_peaks_on_its_frame_at_any_fps() {
    let p = AnalysisParams::default();
    for fps in [12.0, 24.0, 30.0, 60.0] {
        let mut checked = 0;
        for t in [0.61, 0.734, 1.0, 1.1234, 1.38, 1.52] {
            // Skip times that sit almost exactly between two frames: either frame is right.
            let pos: f64 = t * fps;
            if (pos - pos.floor() - 0.5).abs() < 0.1 {
                continue;
            }
            checked += 1;
            let mut x = vec![0.0f32; 2 * SR as usize];
            x[(t * SR as f64).round() as usize] = 1.0;
            let f = analyze(&x, SR, fps, &p);
            let want = pos.round() as usize;
            let argmax = |c: &[f32]| (0..c.len()).max_by(|&a, &b| c[a].total_cmp(&c[b])).unwrap();
            assert_eq!(
                argmax(f.column(Feature::Flux)),
                want,
                "flux, fps {fps}, t {t}"
            );
            let onsets: Vec<usize> = (0..f.len())
                .filter(|&k| f.column(Feature::Onset)[k] == 1.0)
                .collect();
            assert_eq!(onsets, vec![want], "onset, fps {fps}, t {t}");
            let strength = argmax(f.column(Feature::OnsetStrength));
            assert!(
                strength.abs_diff(want) <= 1,
                "onset_strength at {strength}, want {want}"
            );
        }
        assert!(checked >= 4);
    }
}

#[test]
fn sines_light_their_band() {
    let p = AnalysisParams::default();
    let low = analyze(&sine(60.0, 2.0, 0.5), SR, 30.0, &p);
    let high = analyze(&sine(10_000.0, 2.0, 0.5), SR, 30.0, &p);
    assert_valid(&low, 60);
    assert_valid(&high, 60);
    // Away from the edges, where the abrupt start and end of the tone splatter everywhere.
    let mid = |f: &Features, feat: Feature| mean(&f.column(feat)[10..50]);
    let (ls, lh) = (mid(&low, Feature::Sub), mid(&low, Feature::Hi));
    let (hs, hh) = (mid(&high, Feature::Sub), mid(&high, Feature::Hi));
    assert!(ls > 0.5 && lh < 0.05, "60 Hz: sub {ls}, hi {lh}");
    assert!(hh > 0.5 && hs < 0.05, "10 kHz: sub {hs}, hi {hh}");
    assert!(mid(&low, Feature::SubR) > 0.9);
    assert!(mid(&high, Feature::HiR) > 0.9);
    // The log spectrum puts each tone in the matching end of the bars.
    let bars = |f: &Features| f.spectrum_at(30).to_vec();
    let (lb, hb) = (bars(&low), bars(&high));
    let peak = |b: &[f32]| (0..b.len()).max_by(|&i, &j| b[i].total_cmp(&b[j])).unwrap();
    assert!(
        peak(&lb) < 6 && peak(&hb) > 26,
        "{} {}",
        peak(&lb),
        peak(&hb)
    );
}

#[test]
fn louder_passage_has_higher_rms_and_waveform() {
    let mut x = sine(440.0, 2.0, 0.05);
    x.extend(sine(440.0, 2.0, 0.5));
    let f = analyze(&x, SR, 24.0, &AnalysisParams::default());
    let rms = f.column(Feature::Rms);
    let wave = f.column(Feature::Waveform);
    assert!(mean(&rms[70..]) > 0.9 && mean(&rms[5..40]) < 0.2);
    assert!(mean(&wave[70..]) > 0.9 && mean(&wave[5..40]) < 0.2);
}

#[test]
fn frames_are_centred_on_their_time() {
    // A tone from 1.0 s to 1.5 s: a centred window sees half of it at 1.0 s, so the RMS there
    // is 1/sqrt(2) of the steady level (a window starting or ending there would give 1 or 0).
    let mut x = vec![0.0f32; 2 * SR as usize];
    for (i, v) in x
        .iter_mut()
        .enumerate()
        .skip(SR as usize)
        .take(SR as usize / 2)
    {
        *v = (i as f32 * 0.1).sin() * 0.5;
    }
    for fps in [12.0, 25.0, 60.0] {
        let f = analyze(
            &x,
            SR,
            fps,
            &AnalysisParams {
                level_release_s: 0.0,
                ..Default::default()
            },
        );
        let rms = f.column(Feature::Rms);
        let edge = (1.0 * fps) as usize;
        assert!(
            (rms[edge] - 0.707).abs() < 0.1,
            "fps {fps}: rms at onset {}",
            rms[edge]
        );
        assert!(rms[edge - 1] < rms[edge] && rms[edge + 1] > rms[edge]);
    }
}

#[test]
fn deterministic_for_any_thread_count() {
    let (x, _) = click_track(128.0, 6.0, true, 0.05, 9);
    let p = AnalysisParams::default();
    let a = analyze(&x, SR, 30.0, &p);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let b = pool.install(|| analyze(&x, SR, 30.0, &p));
    assert_eq!(a, b);
    assert_eq!(a, analyze(&x, SR, 30.0, &p));
}

#[test]
fn degenerate_inputs_never_panic_or_nan() {
    let p = AnalysisParams::default();
    let silent = analyze(&vec![0.0; SR as usize * 2], SR, 30.0, &p);
    assert_valid(&silent, 60);
    for &feat in Feature::ALL {
        let c = silent.column(feat);
        let ratio = matches!(
            feat,
            Feature::SubR
                | Feature::BassR
                | Feature::LomidR
                | Feature::MidR
                | Feature::HimidR
                | Feature::HiR
        );
        let want = if ratio { 1.0 / 6.0 } else { 0.0 };
        assert!(
            c.iter().all(|&v| (v - want).abs() < 1e-6),
            "{} in silence",
            feat.name()
        );
    }
    assert!(silent.beats.is_empty() && silent.onsets.is_empty() && silent.tempo_bpm == 0.0);

    let dc = analyze(&vec![0.7; SR as usize], SR, 24.0, &p);
    assert_valid(&dc, 24);
    assert!(dc.beats.is_empty());

    let clipped: Vec<f32> = sine(220.0, 1.0, 10.0)
        .iter()
        .map(|v| v.clamp(-1.0, 1.0))
        .collect();
    assert_valid(&analyze(&clipped, SR, 60.0, &p), 60);

    let mut hostile = sine(220.0, 1.0, 0.5);
    hostile[100] = f32::NAN;
    hostile[200] = f32::INFINITY;
    hostile[300] = f32::NEG_INFINITY;
    hostile[400] = 1e30;
    assert_valid(&analyze(&hostile, SR, 30.0, &p), 30);

    assert_valid(&analyze(&[0.5], SR, 30.0, &p), 1);
    assert_valid(&analyze(&[], SR, 30.0, &p), 0);
    assert_valid(&analyze(&[0.5; 100], 0, 30.0, &p), 0);
    assert_valid(&analyze(&[0.5; 1000], 8000, f64::NAN, &p), 4);
    let weird = AnalysisParams {
        n_fft: 0,
        onset_hop: 0,
        spectrum_bands: 0,
        sample_rate: 1,
        ..p.clone()
    };
    let f = analyze(&sine(440.0, 0.5, 0.5), SR, 30.0, &weird);
    assert_valid(&f, 15);
}
