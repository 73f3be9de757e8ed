//! Automatic cuts where the music's energy changes (`cut = "energy"`): a novelty curve on the
//! loudness and band energies, whose strongest peaks become cuts at least `min_section` apart,
//! each moved onto the nearest beat.

use crate::features::{Feature, Features};

/// The columns whose changes mark a new section.
const COLUMNS: &[Feature] = &[
    Feature::Rms,
    Feature::Sub,
    Feature::Bass,
    Feature::Lomid,
    Feature::Mid,
    Feature::Himid,
    Feature::Hi,
];

/// Longest comparison window on either side of a candidate cut, in seconds.
const MAX_WINDOW_S: f64 = 4.0;
/// Novelty below this never cuts, however flat the rest of the track is.
const MIN_NOVELTY: f32 = 0.04;

/// Novelty at every frame: the distance between the mean feature vectors of the `win` frames
/// before and the `win` frames from it on (0 where either window would leave the track).
pub(super) fn novelty(f: &Features, win: usize) -> Vec<f32> {
    let n = f.len();
    let mut out = vec![0.0f32; n];
    if win == 0 || n < 2 * win {
        return out;
    }
    // prefix sums per column: any window mean is two lookups
    let prefix: Vec<Vec<f64>> = COLUMNS
        .iter()
        .map(|&c| {
            let col = f.column(c);
            let mut p = Vec::with_capacity(n + 1);
            p.push(0.0);
            let mut acc = 0.0;
            for k in 0..n {
                acc += col.get(k).copied().unwrap_or(0.0) as f64;
                p.push(acc);
            }
            p
        })
        .collect();
    let w = win as f64;
    for (k, o) in out.iter_mut().enumerate().take(n - win + 1).skip(win) {
        let d2: f64 = prefix
            .iter()
            .map(|p| {
                let before = (p[k] - p[k - win]) / w;
                let after = (p[k + win] - p[k]) / w;
                (after - before) * (after - before)
            })
            .sum();
        *o = d2.sqrt() as f32;
    }
    out
}

/// Cut frames (increasing, none at 0) where the energy changes, at least `min_len` frames from
/// each other and from both ends of the track, snapped to the nearest beat.
pub(super) fn energy_cuts(f: &Features, min_len: usize) -> Vec<u64> {
    let n = f.len();
    let min_len = min_len.max(1);
    if n < 2 * min_len {
        return Vec::new();
    }
    let win = (min_len / 2)
        .min((MAX_WINDOW_S * f.fps).round() as usize)
        .max(1);
    let nov = novelty(f, win);
    let inner = &nov[win..n - win];
    let mean = inner.iter().sum::<f32>() / inner.len().max(1) as f32;
    let var =
        inner.iter().map(|v| (v - mean) * (v - mean)).sum::<f32>() / inner.len().max(1) as f32;
    let threshold = (mean + 0.5 * var.sqrt()).max(MIN_NOVELTY);
    // local maxima above the threshold, strongest first (ties: earliest first)
    let mut peaks: Vec<usize> = (1..n - 1)
        .filter(|&k| nov[k] >= threshold && nov[k] >= nov[k - 1] && nov[k] > nov[k + 1])
        .collect();
    peaks.sort_by(|&x, &y| nov[y].total_cmp(&nov[x]).then(x.cmp(&y)));
    let beat_frames: Vec<u64> = f
        .beats
        .iter()
        .map(|&b| (b * f.fps).round())
        .filter(|b| b.is_finite() && *b >= 0.0)
        .map(|b| b as u64)
        .collect();
    let mut cuts: Vec<u64> = Vec::new();
    for k in peaks {
        let c = snap(k as u64, &beat_frames);
        let far = |a: u64, b: u64| a.abs_diff(b) >= min_len as u64;
        if far(c, 0) && far(c, n as u64) && cuts.iter().all(|&x| far(x, c)) {
            cuts.push(c);
        }
    }
    cuts.sort_unstable();
    cuts
}

/// The beat frame nearest to `k` (k itself when there are no beats).
fn snap(k: u64, beats: &[u64]) -> u64 {
    let i = beats.partition_point(|&b| b < k);
    let after = beats.get(i).copied();
    let before = i.checked_sub(1).map(|j| beats[j]);
    match (before, after) {
        (Some(b), Some(a)) => {
            if k - b <= a - k {
                b
            } else {
                a
            }
        }
        (Some(b), None) => b,
        (None, Some(a)) => a,
        (None, None) => k,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Features of a track whose level steps at the given frames.
    fn stepped(n: usize, steps: &[(usize, f32)], beats_every: usize) -> Features {
        let mut f = crate::audio::synthetic_features(120.0, 24.0, n as f64 / 24.0, 3);
        let n = f.len();
        for &c in COLUMNS {
            let col = &mut f.columns[c as usize];
            for (k, v) in col.iter_mut().enumerate().take(n) {
                let level = steps.iter().rev().find(|s| s.0 <= k).map_or(0.2, |s| s.1);
                // a little beat ripple so the curve is not flat
                *v = level + if k % beats_every == 0 { 0.05 } else { 0.0 };
            }
        }
        f.beats = (0..n)
            .step_by(beats_every)
            .map(|k| k as f64 / 24.0)
            .collect();
        f
    }

    #[test]
    fn cuts_land_on_level_changes_snapped_to_beats() {
        let f = stepped(960, &[(0, 0.2), (301, 0.8), (602, 0.35)], 12);
        let cuts = energy_cuts(&f, 96);
        assert_eq!(cuts, vec![300, 600]);
    }

    #[test]
    fn short_sections_are_not_cut_and_flat_tracks_have_no_cuts() {
        let f = stepped(960, &[(0, 0.2), (300, 0.8), (340, 0.2)], 12);
        let cuts = energy_cuts(&f, 96);
        assert!(cuts.len() <= 1, "{cuts:?}");
        let flat = stepped(960, &[(0, 0.4)], 12);
        assert!(energy_cuts(&flat, 96).is_empty());
        assert!(energy_cuts(&flat, 2000).is_empty());
    }

    #[test]
    fn snap_picks_the_nearest_beat() {
        assert_eq!(snap(10, &[0, 8, 16]), 8);
        assert_eq!(snap(13, &[0, 8, 16]), 16);
        assert_eq!(snap(40, &[0, 8, 16]), 16);
        assert_eq!(snap(5, &[]), 5);
    }
}
