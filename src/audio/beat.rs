//! Dynamic-programming beat tracking (Ellis 2007, as librosa's `beat_track`) and 4/4 downbeat
//! phase selection.

use super::onset::OnsetEnvelope;

/// Beat frames (indices into the envelope `o`) for a beat period of `period` frames.
///
/// Every frame's best score is its own onset strength plus the best predecessor's score minus a
/// penalty `tightness · ln²(gap / period)` for gaps in `[period/2, 2·period]`; the path is
/// traced back from the last strong score peak, and weak leading/trailing beats are trimmed.
/// Because a path cannot skip more than two periods, beats continue through breaks.
pub(crate) fn track(o: &[f32], period: f64, tightness: f32) -> Vec<usize> {
    let n = o.len();
    if n < 2 || !(period.is_finite() && period >= 2.0) {
        return Vec::new();
    }
    let mean = o.iter().map(|&v| v as f64).sum::<f64>() / n as f64;
    let var = o.iter().map(|&v| (v as f64 - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    if !var.is_finite() || var <= 1e-20 {
        return Vec::new();
    }
    let local = local_score(o, var.sqrt() as f32, period);
    let dmin = ((period / 2.0).round() as usize).max(1);
    let dmax = ((period * 2.0).round() as usize).max(dmin);
    let penalty: Vec<f32> = (0..=dmax)
        .map(|d| {
            let x = (d.max(1) as f64 / period).ln();
            (tightness as f64 * x * x) as f32
        })
        .collect();
    let mut cum = vec![0.0f32; n];
    let mut back = vec![usize::MAX; n];
    for i in 0..n {
        let mut best = 0.0f32;
        let mut from = usize::MAX;
        if i >= dmin {
            for d in dmin..=dmax.min(i) {
                let s = cum[i - d] - penalty[d];
                if s > best {
                    best = s;
                    from = i - d;
                }
            }
        }
        cum[i] = local[i] + best;
        back[i] = from;
    }
    let Some(last) = last_beat(&cum, dmax) else {
        return Vec::new();
    };
    let mut beats = vec![last];
    while let Some(&b) = beats.last() {
        if back[b] == usize::MAX {
            break;
        }
        beats.push(back[b]);
    }
    beats.reverse();
    trim(&beats, &local)
}

/// Onset envelope over its standard deviation, smoothed by a Gaussian of period/32 (librosa).
fn local_score(o: &[f32], std: f32, period: f64) -> Vec<f32> {
    let half = period.round() as i64;
    let kernel: Vec<f32> = (-half..=half)
        .map(|i| (-0.5 * (i as f64 * 32.0 / period).powi(2)).exp() as f32)
        .collect();
    let n = o.len() as i64;
    (0..n)
        .map(|i| {
            let mut acc = 0.0f32;
            for (k, w) in kernel.iter().enumerate() {
                let j = i + k as i64 - half;
                if (0..n).contains(&j) {
                    acc += w * o[j as usize];
                }
            }
            acc / std
        })
        .collect()
}

/// The end of the best path: the highest cumulative score within the last `window` frames.
///
/// (librosa takes the last local maximum above half the median, which also accepts the
/// rising score at the very end of the signal; the path to that fake end can then skip the
/// real last beat, or lock onto off-beats whose spacing happens to fit the end better.)
/// Virtual beats after the music stops still win here when they add any score, and are then
/// removed by [`trim`].
fn last_beat(cum: &[f32], window: usize) -> Option<usize> {
    let n = cum.len();
    let start = n.saturating_sub(window.max(1));
    let mut best: Option<usize> = None;
    for i in start..n {
        if cum[i] > 0.0 && best.is_none_or(|b| cum[i] > cum[b]) {
            best = Some(i);
        }
    }
    best
}

/// Drop leading and trailing beats whose (neighbour-smoothed) local score is below half the
/// RMS over all beats: beats the tracker extrapolated into an intro or outro without pulse.
fn trim(beats: &[usize], local: &[f32]) -> Vec<usize> {
    if beats.len() < 3 {
        return beats.to_vec();
    }
    let s: Vec<f32> = beats.iter().map(|&b| local[b]).collect();
    let smooth: Vec<f32> = (0..s.len())
        .map(|i| {
            let prev = if i > 0 { s[i - 1] } else { 0.0 };
            let next = s.get(i + 1).copied().unwrap_or(0.0);
            0.5 * prev + s[i] + 0.5 * next
        })
        .collect();
    let rms = (smooth.iter().map(|v| v * v).sum::<f32>() / smooth.len() as f32).sqrt();
    let threshold = 0.5 * rms;
    let first = smooth.iter().position(|&v| v >= threshold).unwrap_or(0);
    let last = smooth
        .iter()
        .rposition(|&v| v >= threshold)
        .unwrap_or(s.len() - 1);
    beats[first..=last.max(first)].to_vec()
}

/// Index (0–3) into `beats` of the first downbeat, assuming 4/4: the bar phase whose beats
/// carry the most low-frequency onset energy plus harmonic change (chords and bass notes change
/// on the bar line far more often than between beats).
pub(crate) fn downbeat_phase(beats: &[usize], env: &OnsetEnvelope, period: f64) -> usize {
    if beats.len() < 2 || env.len() == 0 {
        return 0;
    }
    let last = env.len() - 1;
    let low: Vec<f32> = beats
        .iter()
        .map(|&b| {
            env.low[b.saturating_sub(1)..=(b + 1).min(last)]
                .iter()
                .copied()
                .fold(0.0, f32::max)
        })
        .collect();
    let span = (period.round() as usize).max(1);
    let harm: Vec<f32> = beats
        .iter()
        .map(|&b| harmonic_change(env, b, span))
        .collect();
    let mean = |v: &[f32]| v.iter().sum::<f32>() / v.len() as f32;
    let (ml, mh) = (mean(&low).max(1e-9), mean(&harm).max(1e-9));
    let mut best = (f32::NEG_INFINITY, 0);
    for phase in 0..4.min(beats.len()) {
        let picks: Vec<usize> = (phase..beats.len()).step_by(4).collect();
        let score = picks
            .iter()
            .map(|&i| low[i] / ml + harm[i] / mh)
            .sum::<f32>()
            / picks.len() as f32;
        if score > best.0 {
            best = (score, phase);
        }
    }
    best.1
}

/// Mean absolute difference (dB) between the average log-mel spectrum of the `span` frames after
/// frame `b` and of the `span` frames before it.
fn harmonic_change(env: &OnsetEnvelope, b: usize, span: usize) -> f32 {
    let n = env.len();
    if b < 1 || b >= n {
        return 0.0;
    }
    let before = b.saturating_sub(span)..b;
    let after = b..(b + span).min(n);
    let mut diff = 0.0f32;
    for m in 0..env.n_mels {
        let avg = |r: std::ops::Range<usize>| {
            let len = r.len().max(1) as f32;
            r.map(|j| env.mel(j)[m]).sum::<f32>() / len
        };
        diff += (avg(after.clone()) - avg(before.clone())).abs();
    }
    diff / env.n_mels as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn follows_a_pulse_and_bridges_a_gap() {
        let period = 21.5;
        let mut o = vec![0.05f32; 800];
        let truth: Vec<usize> = (0..37)
            .map(|i| (10.0 + i as f64 * period).round() as usize)
            .collect();
        for (i, &t) in truth.iter().enumerate() {
            // Beats 15..=18 are missing: the tracker must keep the grid through the gap.
            if !(15..=18).contains(&i) {
                o[t] = 1.0;
            }
        }
        let beats = track(&o, period, 100.0);
        assert_eq!(beats.len(), truth.len(), "{beats:?}");
        for (b, t) in beats.iter().zip(&truth) {
            assert!(b.abs_diff(*t) <= 1, "beat {b} vs {t}");
        }
    }

    #[test]
    fn prefers_strong_pulses_over_offbeat_noise() {
        let period = 20.0;
        let mut o = vec![0.0f32; 600];
        for i in 0..29 {
            o[15 + i * 20] = 1.0;
            o[25 + i * 20] = 0.3;
        }
        let beats = track(&o, period, 100.0);
        assert!(beats.len() >= 27);
        assert!(beats.iter().all(|&b| b % 20 == 15), "{beats:?}");
    }

    #[test]
    fn nothing_from_nothing() {
        assert!(track(&[0.0; 100], 20.0, 100.0).is_empty());
        assert!(track(&[], 20.0, 100.0).is_empty());
        assert!(track(&[1.0, 0.0, 1.0], f64::NAN, 100.0).is_empty());
    }
}
