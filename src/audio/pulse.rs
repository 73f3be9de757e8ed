//! Beat and onset events turned into per-frame columns: pulses, phases and decays.

/// Per-frame rhythm columns.
pub(crate) struct PulseColumns {
    /// 1 on beat frames.
    pub beat: Vec<f32>,
    /// 0 → 1 across each beat interval.
    pub beat_phase: Vec<f32>,
    /// 1 on beat frames, decaying exponentially after.
    pub beat_decay: Vec<f32>,
    /// 1 on downbeat frames.
    pub downbeat: Vec<f32>,
    /// 0 → 1 across each bar.
    pub bar_phase: Vec<f32>,
}

/// 1 on frame `round(t · fps)` of every event time, else 0.
pub(crate) fn event_column(times: &[f64], fps: f64, n: usize) -> Vec<f32> {
    let mut col = vec![0.0f32; n];
    for &t in times {
        if let Some(k) = super::timeline::frame_of(t, fps, n) {
            col[k] = 1.0;
        }
    }
    col
}

/// Rhythm columns for `n` frames at `fps` from beat times (s), the index of the first downbeat
/// in `beats` (4/4) and the beat period (s, used to continue the phases before the first and
/// after the last beat; 0 when unknown).
///
/// Phases are measured between the *frames* the beats land on, so `beat_phase` is exactly 0 on
/// every frame where `beat` is 1, at any fps.
pub(crate) fn pulse_columns(
    beats: &[f64],
    first_downbeat: usize,
    period_s: f64,
    fps: f64,
    n: usize,
    decay_s: f32,
) -> PulseColumns {
    let mut out = PulseColumns {
        beat: vec![0.0; n],
        beat_phase: vec![0.0; n],
        beat_decay: vec![0.0; n],
        downbeat: vec![0.0; n],
        bar_phase: vec![0.0; n],
    };
    // (frame, beat index), strictly increasing frames: two beats in one frame count once.
    let mut marks: Vec<(i64, i64)> = Vec::with_capacity(beats.len());
    for (i, &b) in beats.iter().enumerate() {
        let f = (b * fps).round();
        if !f.is_finite() {
            continue;
        }
        let f = f as i64;
        if marks.last().is_none_or(|&(last, _)| f > last) {
            marks.push((f, i as i64));
        }
    }
    if marks.is_empty() {
        return out;
    }
    let per_beat = period_s * fps;
    let extrapolate = per_beat.is_finite() && per_beat > 0.0;
    let decay_frames = decay_s as f64 * fps;
    let db = first_downbeat as i64;
    let mut cur: Option<usize> = None;
    for k in 0..n {
        let kf = k as i64;
        while cur.map_or(0, |c| c + 1) < marks.len() && marks[cur.map_or(0, |c| c + 1)].0 <= kf {
            cur = Some(cur.map_or(0, |c| c + 1));
        }
        let (phase, index) = match cur {
            None => {
                let (f0, i0) = marks[0];
                if extrapolate {
                    let x = (kf - f0) as f64 / per_beat;
                    (x - x.floor(), i0 + x.floor() as i64)
                } else {
                    (0.0, i0 - 1)
                }
            }
            Some(c) => {
                let (f, i) = marks[c];
                let since = (kf - f) as f64;
                if since == 0.0 {
                    out.beat[k] = 1.0;
                    if (i - db).rem_euclid(4) == 0 {
                        out.downbeat[k] = 1.0;
                    }
                }
                out.beat_decay[k] = if since == 0.0 {
                    1.0
                } else if decay_frames > 0.0 {
                    (-since / decay_frames).exp() as f32
                } else {
                    0.0
                };
                if let Some(&(next, _)) = marks.get(c + 1) {
                    (since / (next - f) as f64, i)
                } else if extrapolate {
                    let x = since / per_beat;
                    (x - x.floor(), i + x.floor() as i64)
                } else {
                    (0.0, i)
                }
            }
        };
        let phase = phase.clamp(0.0, 1.0 - 1e-6);
        out.beat_phase[k] = phase as f32;
        out.bar_phase[k] = (((index - db).rem_euclid(4) as f64 + phase) / 4.0) as f32;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phases_and_pulses_at_any_fps() {
        let beats: Vec<f64> = (0..8).map(|i| 0.5 + i as f64 * 0.5).collect();
        for fps in [12.0, 24.0, 25.0, 60.0] {
            let n = (5.0 * fps) as usize;
            let c = pulse_columns(&beats, 1, 0.5, fps, n, 0.2);
            for (i, &b) in beats.iter().enumerate() {
                let k = (b * fps).round() as usize;
                assert_eq!(c.beat[k], 1.0);
                assert_eq!(c.beat_phase[k], 0.0);
                assert_eq!(c.beat_decay[k], 1.0);
                assert_eq!(c.downbeat[k], if i % 4 == 1 { 1.0 } else { 0.0 });
                if i % 4 == 1 {
                    assert_eq!(c.bar_phase[k], 0.0);
                }
            }
            assert_eq!(c.beat.iter().sum::<f32>(), 8.0);
            // Half-way between beats 0 and 1, one time constant after beat 0.
            let k = (0.75 * fps).round() as usize;
            assert!((c.beat_phase[k] - 0.5).abs() < 0.5 / fps as f32 * 2.0 + 0.01);
            let k = (0.7 * fps).round() as usize;
            let want = (-((k as f64 / fps) - (0.5 * fps).round() / fps) / 0.2).exp() as f32;
            assert!((c.beat_decay[k] - want).abs() < 1e-4);
            // Before the first beat the phase keeps cycling at the tempo.
            let k = (0.25 * fps).round() as usize;
            assert!((c.beat_phase[k] - 0.5).abs() < 1.0 / fps as f32 * 2.0 + 0.01);
            assert!(c.bar_phase.iter().all(|v| (0.0..1.0).contains(v)));
            // Bar phase increases monotonically inside a bar.
            let (a, b) = ((1.0 * fps) as usize, (2.9 * fps) as usize);
            assert!(c.bar_phase[a..b].windows(2).all(|w| w[1] >= w[0]));
        }
    }

    #[test]
    fn no_beats_gives_zero_columns() {
        let c = pulse_columns(&[], 0, 0.5, 30.0, 50, 0.2);
        assert!(
            c.beat
                .iter()
                .chain(&c.beat_phase)
                .chain(&c.bar_phase)
                .all(|&v| v == 0.0)
        );
        assert_eq!(
            event_column(&[0.1, 0.1, 99.0, f64::NAN], 10.0, 5),
            vec![0.0, 1.0, 0.0, 0.0, 0.0]
        );
    }
}
