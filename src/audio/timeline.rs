//! Mapping between time bases: seconds, output frames at any fps, and fixed-hop envelopes.

/// Number of output frames for `duration` seconds at `fps`: the frames whose time `k / fps` lies
/// inside the input (so 1 s at 30 fps gives 30 frames, a 1-sample input gives one).
pub(crate) fn frame_count(duration: f64, fps: f64) -> usize {
    if !(duration.is_finite() && duration > 0.0 && fps.is_finite() && fps > 0.0) {
        return 0;
    }
    (duration * fps - 1e-9).ceil().max(1.0) as usize
}

/// The output frame an event at `t` seconds belongs to, `round(t · fps)`, if inside `0..n`.
pub(crate) fn frame_of(t: f64, fps: f64, n: usize) -> Option<usize> {
    let k = (t * fps).round();
    (k.is_finite() && k >= 0.0 && (k as usize) < n).then_some(k as usize)
}

/// Resample a fixed-rate envelope (`values[j]` at time `j / rate + offset`) to `n` output
/// frames: each frame takes the maximum over the envelope samples inside its own interval
/// `[t - 1/(2 fps), t + 1/(2 fps))`, so a short peak is never lost at low fps and lands on the
/// frame nearest to it. When no sample falls inside (fps above the envelope rate) the value is
/// linearly interpolated at the frame time.
pub(crate) fn pool_to_frames(
    values: &[f32],
    rate: f64,
    offset: f64,
    fps: f64,
    n: usize,
) -> Vec<f32> {
    let mut out = vec![0.0f32; n];
    if values.is_empty() || !(rate > 0.0 && fps > 0.0) {
        return out;
    }
    let last = values.len() - 1;
    let index = |t: f64| (t - offset) * rate;
    for (k, o) in out.iter_mut().enumerate() {
        let t = k as f64 / fps;
        let lo = index(t - 0.5 / fps).ceil().max(0.0);
        let hi = (index(t + 0.5 / fps).ceil() - 1.0).min(last as f64);
        *o = if lo <= hi {
            values[lo as usize..=hi as usize]
                .iter()
                .copied()
                .fold(f32::NEG_INFINITY, f32::max)
        } else {
            let x = index(t).clamp(0.0, last as f64);
            let j = x.floor() as usize;
            let f = (x - j as f64) as f32;
            let next = values[(j + 1).min(last)];
            values[j] + (next - values[j]) * f
        };
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_counts() {
        assert_eq!(frame_count(1.0, 30.0), 30);
        assert_eq!(frame_count(1.0 / 22050.0, 60.0), 1);
        assert_eq!(frame_count(0.0, 30.0), 0);
        assert_eq!(frame_count(f64::NAN, 30.0), 0);
        assert_eq!(frame_of(0.49, 2.0, 10), Some(1));
        assert_eq!(frame_of(-1.0, 2.0, 10), None);
        assert_eq!(frame_of(5.0, 2.0, 10), None);
    }

    #[test]
    fn pooling_keeps_short_peaks_at_the_nearest_frame() {
        // Envelope at 100 Hz with one spike at t = 0.53 s.
        let mut env = vec![0.0f32; 200];
        env[53] = 1.0;
        for fps in [12.0, 24.0, 30.0, 60.0] {
            let frames = pool_to_frames(&env, 100.0, 0.0, fps, (2.0 * fps) as usize);
            let peak = frames.iter().position(|&v| v == 1.0).unwrap();
            assert_eq!(peak, (0.53 * fps).round() as usize, "fps {fps}");
            assert_eq!(frames.iter().filter(|&&v| v == 1.0).count(), 1);
        }
        // Above the envelope rate values are interpolated.
        let ramp: Vec<f32> = (0..10).map(|i| i as f32).collect();
        let fine = pool_to_frames(&ramp, 10.0, 0.0, 40.0, 8);
        assert!((fine[1] - 0.25).abs() < 1e-6);
    }
}
