//! Synthesized test signals: clicks, kicks, click tracks and sines.

use super::SR;
use crate::rng::{SplitMix, hash2};

/// Add a click (a 25 ms decaying noise burst over a damped 1.5 kHz tone) at `t`.
pub(super) fn add_click(x: &mut [f32], t: f64, amp: f32, seed: u64) {
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
pub(super) fn add_kick(x: &mut [f32], t: f64, amp: f32) {
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
pub(super) fn click_track(
    bpm: f64,
    seconds: f64,
    swing: bool,
    noise: f32,
    seed: u64,
) -> (Vec<f32>, Vec<f64>) {
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

/// A sine computed in f64 (an f32 phase would add a -60 dB noise floor).
pub(super) fn sine(freq: f64, seconds: f64, amp: f32) -> Vec<f32> {
    (0..(seconds * SR as f64) as usize)
        .map(|i| amp * (std::f64::consts::TAU * freq * i as f64 / SR as f64).sin() as f32)
        .collect()
}
