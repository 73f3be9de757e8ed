//! End-to-end tests of the analysis on synthesized signals.

use super::*;
use crate::features::Feature;
use crate::rng::{SplitMix, hash2};

const SR: u32 = 22050;

/// Every column present, every value finite and in [0, 1], spectrum too.
fn assert_valid(f: &Features, frames: usize) {
    assert_eq!(f.columns.len(), Feature::COUNT);
    assert_eq!(f.len(), frames);
    for &feat in Feature::ALL {
        let c = f.column(feat);
        assert_eq!(c.len(), frames, "{}", feat.name());
        assert!(
            c.iter().all(|v| (0.0..=1.0).contains(v)),
            "{} out of range",
            feat.name()
        );
    }
    assert_eq!(f.spectrum.len(), frames);
    assert!(f.spectrum.iter().flatten().all(|v| (0.0..=1.0).contains(v)));
    assert!(f.tempo_bpm.is_finite() && (0.0..=1.0).contains(&f.tempo_confidence));
}

/// Add a click (a 25 ms decaying noise burst over a damped 1.5 kHz tone) at `t`.
fn add_click(x: &mut [f32], t: f64, amp: f32, seed: u64) {
    let start = (t * SR as f64).round() as usize;
    let mut rng = SplitMix(hash2(seed, start as u64, 9));
    for i in 0..(0.025 * SR as f64) as usize {
        if start + i >= x.len() {
            break;
        }
        let tt = i as f32 / SR as f32;
        let env = (-tt / 0.006).exp();
        let tone = (std::f32::consts::TAU * 1500.0 * tt).sin();
        x[start + i] += amp * env * (0.6 * rng.range(-1.0, 1.0) + 0.4 * tone);
    }
}

/// Add a low "kick" (damped 60 Hz sine with a falling pitch) at `t`.
fn add_kick(x: &mut [f32], t: f64, amp: f32) {
    let start = (t * SR as f64).round() as usize;
    let mut phase = 0.0f32;
    for i in 0..(0.2 * SR as f64) as usize {
        if start + i >= x.len() {
            break;
        }
        let tt = i as f32 / SR as f32;
        phase += std::f32::consts::TAU * (55.0 + 80.0 * (-tt / 0.03).exp()) / SR as f32;
        x[start + i] += amp * phase.sin() * (-tt / 0.08).exp();
    }
}

/// A click track: clicks on every beat (first at 0.3 s); with `swing`, softer off-beat clicks
/// at 2/3 of each beat; with `noise` > 0, white noise of that RMS. Returns samples and beats.
fn click_track(bpm: f64, seconds: f64, swing: bool, noise: f32, seed: u64) -> (Vec<f32>, Vec<f64>) {
    let period = 60.0 / bpm;
    let mut x = vec![0.0f32; (seconds * SR as f64) as usize];
    let beats: Vec<f64> = (0..)
        .map(|i| 0.3 + i as f64 * period)
        .take_while(|&t| t < seconds - 0.05)
        .collect();
    for &b in &beats {
        add_click(&mut x, b, 0.8, seed);
        if swing && b + period * 2.0 / 3.0 < seconds - 0.05 {
            add_click(&mut x, b + period * 2.0 / 3.0, 0.4, seed + 1);
        }
    }
    if noise > 0.0 {
        let mut rng = SplitMix(hash2(seed, 77, 0));
        let scale = noise * 3f32.sqrt();
        for v in &mut x {
            *v += scale * rng.range(-1.0, 1.0);
        }
    }
    (x, beats)
}

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

/// A sine computed in f64 (an f32 phase would add a -60 dB noise floor).
fn sine(freq: f64, seconds: f64, amp: f32) -> Vec<f32> {
    (0..(seconds * SR as f64) as usize)
        .map(|i| amp * (std::f64::consts::TAU * freq * i as f64 / SR as f64).sin() as f32)
        .collect()
}

fn mean(c: &[f32]) -> f32 {
    c.iter().sum::<f32>() / c.len().max(1) as f32
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

#[test]
#[ignore]
fn demo_one_tmp() {
    let bpm: f32 = std::env::var("BPM").unwrap().parse().unwrap();
    let seed: u64 = std::env::var("SEED").unwrap().parse().unwrap();
    let x = synth_demo_track(SR, 30.0, bpm, seed);
    let r = analyze_rhythm(&x, SR, &AnalysisParams::default());
    let song = arrangement::Arrangement::new(bpm, 30.0, seed);
    eprintln!("span {:?}", song.drum_span());
    let b = song.beat_s;
    eprintln!("tempo {} beats (in beat units):", r.tempo_bpm);
    eprintln!(
        "{:?}",
        r.beats
            .iter()
            .map(|t| format!("{:.2}", t / b))
            .collect::<Vec<_>>()
    );
    eprintln!(
        "down {:?}",
        r.downbeats()
            .iter()
            .map(|t| format!("{:.2}", t / b))
            .collect::<Vec<_>>()
    );
}
