//! A short synthesized piece for demos, tests and benchmarks: no input files needed.

use super::arrangement::{Arrangement, Voice};
use super::voices::render;

/// Longest demo rendered (s); longer requests are cut, so a typo cannot allocate gigabytes.
const MAX_SECONDS: f64 = 1800.0;
/// Output peak: -1 dBFS.
const PEAK: f32 = 0.891;
/// Highest sample rate rendered; above it the request is treated as invalid.
const MAX_SAMPLE_RATE: u32 = 384_000;
/// How far the kick's side-chain pulls the music bus down.
const DUCK_DEPTH: f32 = 0.6;
/// How fast the music bus recovers from the side-chain (s).
const DUCK_RELEASE_S: f32 = 0.12;

/// Render `seconds` of a seeded electronic piece at `bpm` as mono samples at `sample_rate`:
/// kick, clap and snare roll, hi-hats, a bass line, a chord pad, an arpeggiated lead with echo,
/// a noise riser and a crash. It builds up (pad and hats, then kick and riser, then the drop
/// after roughly 8–14 s of a 20 s piece; longer pieces loop breakdown → build → drop).
/// The music bus is side-chained to the kick, and the result is peak-normalized to -1 dBFS
/// (never clips). Invalid arguments (zero or absurd sample rate, non-positive length) give an
/// empty vector; lengths are capped at 30 minutes.
pub fn synth_demo_track(sample_rate: u32, seconds: f64, bpm: f32, seed: u64) -> Vec<f32> {
    if !(1..=MAX_SAMPLE_RATE).contains(&sample_rate) || !(seconds.is_finite() && seconds > 0.0) {
        return Vec::new();
    }
    let seconds = seconds.min(MAX_SECONDS);
    let sr = sample_rate as f32;
    let len = (seconds * sample_rate as f64).round() as usize;
    let song = Arrangement::new(bpm, seconds, seed);
    let mut drums = vec![0.0f32; len];
    let mut music = vec![0.0f32; len];
    for (i, e) in song.events.iter().enumerate() {
        let bus = if e.voice.is_drum() || e.voice == Voice::Riser {
            &mut drums
        } else {
            &mut music
        };
        render(e, i as u64, seed, sr, bus);
    }
    let kicks: Vec<usize> = song
        .events
        .iter()
        .filter(|e| e.voice == Voice::Kick)
        .map(|e| (e.time * sample_rate as f64).round() as usize)
        .collect();
    let release = (-1.0 / (DUCK_RELEASE_S * sr)).exp();
    let mut duck = 0.0f32;
    let mut next_kick = kicks.iter().peekable();
    let mut out: Vec<f32> = drums
        .iter()
        .zip(&music)
        .enumerate()
        .map(|(i, (&d, &m))| {
            if next_kick.peek().is_some_and(|&&k| k <= i) {
                next_kick.next();
                duck = DUCK_DEPTH;
            }
            duck *= release;
            // Gentle bus saturation glues the mix and tames the peaks before normalizing.
            (1.2 * (d + m * (1.0 - duck))).tanh()
        })
        .collect();
    // Short fade-out so the last sample does not click.
    let fade = ((0.02 * sr) as usize).min(out.len());
    let n = out.len();
    for (j, v) in out[n - fade..].iter_mut().enumerate() {
        *v *= 1.0 - (j + 1) as f32 / fade as f32;
    }
    let peak = out.iter().fold(0.0f32, |m, v| m.max(v.abs()));
    if peak > 0.0 {
        let g = PEAK / peak;
        out.iter_mut().for_each(|v| *v *= g);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rms(x: &[f32]) -> f32 {
        (x.iter().map(|v| v * v).sum::<f32>() / x.len().max(1) as f32).sqrt()
    }

    #[test]
    fn normalized_deterministic_and_building_up() {
        let x = synth_demo_track(22050, 20.0, 124.0, 5);
        assert_eq!(x.len(), 20 * 22050);
        let peak = x.iter().fold(0.0f32, |m, v| m.max(v.abs()));
        assert!((peak - PEAK).abs() < 1e-4, "peak {peak}");
        assert!(x.iter().all(|v| v.is_finite()));
        assert_eq!(x, synth_demo_track(22050, 20.0, 124.0, 5));
        assert_ne!(x, synth_demo_track(22050, 20.0, 124.0, 6));
        // Intro quieter than the drop.
        let (intro, drop) = (rms(&x[..4 * 22050]), rms(&x[16 * 22050..]));
        assert!(drop > 1.5 * intro, "intro {intro}, drop {drop}");
    }

    #[test]
    fn invalid_arguments_give_nothing() {
        assert!(synth_demo_track(0, 10.0, 120.0, 1).is_empty());
        assert!(synth_demo_track(u32::MAX, 10.0, 120.0, 1).is_empty());
        assert!(synth_demo_track(22050, f64::NAN, 120.0, 1).is_empty());
        assert!(synth_demo_track(22050, -1.0, 120.0, 1).is_empty());
        assert_eq!(synth_demo_track(22050, 1.0 / 22050.0, f32::NAN, 1).len(), 1);
    }
}
