//! Tempo, beats and downbeats on click tracks and on the demo track.

use super::SR;
use super::signals::{add_kick, click_track};
use crate::audio::*;
use crate::features::Feature;

#[test]
fn click_tracks_tempo_and_beats() {
    let mut table = String::from("bpm  variant  tempo    err%   F(70ms)\n");
    let mut failures = Vec::new();
    for bpm in [60.0f64, 90.0, 120.0, 128.0, 150.0, 174.0] {
        for (variant, swing, noise) in [
            ("plain", false, 0.0),
            ("swing", true, 0.0),
            ("noise", false, 0.05),
        ] {
            // At least 14 beats, at least 10 s.
            let seconds = (14.0 * 60.0 / bpm).max(10.0);
            let (x, truth) = click_track(bpm, seconds, swing, noise, bpm as u64);
            let r = analyze_rhythm(&x, SR, &AnalysisParams::default());
            let err = (r.tempo_bpm as f64 - bpm).abs() / bpm * 100.0;
            let f = f_measure(&r.beats, &truth, 0.07);
            table += &format!(
                "{bpm:<4} {variant:<8} {:<8.2} {err:<6.2} {f:.3}\n",
                r.tempo_bpm
            );
            if err > 2.0 || f < 0.95 {
                failures.push(format!("{bpm} {variant}: tempo {} F {f}", r.tempo_bpm));
            }
        }
    }
    eprintln!("{table}");
    assert!(failures.is_empty(), "{failures:?}\n{table}");
}

#[test]
fn resampled_input_gives_the_same_tempo() {
    let (x, truth) = click_track(128.0, 10.0, false, 0.0, 3);
    // Upsample by sample repetition: crude, but enough to exercise the resampling path.
    let y: Vec<f32> = x.iter().flat_map(|&v| [v, v]).collect();
    let r = analyze_rhythm(&y, 2 * SR, &AnalysisParams::default());
    assert!(
        (r.tempo_bpm - 128.0).abs() < 128.0 * 0.02,
        "tempo {}",
        r.tempo_bpm
    );
    assert!(f_measure(&r.beats, &truth, 0.07) >= 0.95);
}

#[test]
fn downbeats_follow_the_low_accent() {
    let bpm = 120.0;
    let (mut x, truth) = click_track(bpm, 12.0, false, 0.0, 5);
    // Bars start on the second beat of the track.
    for &b in truth.iter().skip(1).step_by(4) {
        add_kick(&mut x, b, 0.9);
    }
    let f = analyze(&x, SR, 30.0, &AnalysisParams::default());
    let want: Vec<f64> = truth.iter().skip(1).step_by(4).copied().collect();
    assert!(
        f_measure(&f.downbeats, &want, 0.07) >= 0.9,
        "{:?}",
        f.downbeats
    );
    let bar = f.column(Feature::BarPhase);
    let k = (want[1] * 30.0).round() as usize;
    assert!(
        bar[k] < 0.01 && bar[k - 1] > 0.9,
        "bar phase {} {}",
        bar[k - 1],
        bar[k]
    );
}

#[test]
fn demo_track_beats_are_detected_at_its_bpm() {
    for (bpm, seed) in [(128.0f32, 1u64), (100.0, 2)] {
        let x = synth_demo_track(SR, 20.0, bpm, seed);
        let r = analyze_rhythm(&x, SR, &AnalysisParams::default());
        assert!(
            (r.tempo_bpm - bpm).abs() < bpm * 0.02,
            "{bpm}: tempo {}",
            r.tempo_bpm
        );
        // Kicks start with the build section; compare from there on.
        let song = arrangement::Arrangement::new(bpm, 20.0, seed);
        let (start, end) = song.drum_span();
        let truth: Vec<f64> = (0..)
            .map(|i| start + i as f64 * song.beat_s)
            .take_while(|&t| t < end)
            .collect();
        let est: Vec<f64> = r
            .beats
            .iter()
            .copied()
            .filter(|&t| t > start - 0.1)
            .collect();
        let f = f_measure(&est, &truth, 0.07);
        assert!(f >= 0.95, "{bpm}: F {f}");
        let downs: Vec<f64> = truth.iter().step_by(4).copied().collect();
        let est_downs: Vec<f64> = r
            .downbeats()
            .into_iter()
            .filter(|&t| t > start - 0.1)
            .collect();
        let fd = f_measure(&est_downs, &downs, 0.07);
        assert!(fd >= 0.8, "{bpm}: downbeats {fd} {:?}", r.downbeats());
    }
}
