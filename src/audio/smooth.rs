//! Frame-rate independent attack/release envelopes.

/// Per-step decay `exp(-dt / tau)`; 0 (follow instantly) for a zero or invalid time constant.
fn decay(dt: f64, tau: f32) -> f32 {
    if tau.is_finite() && tau > 0.0 && dt.is_finite() && dt > 0.0 {
        (-dt / tau as f64).exp() as f32
    } else {
        0.0
    }
}

/// Asymmetric one-pole envelope over a per-frame series sampled at `fps`: rises toward the input
/// with time constant `attack_s`, falls with `release_s` (seconds, `0` = instant).
///
/// Each input value is taken to hold for its whole frame interval `[t - 1/(2 fps), t + 1/(2 fps))`
/// and the output is the exact continuous-time filter response at the frame's centre. That
/// makes the curve the same function of time at 12 and at 60 fps (the usual
/// `y += a·(x - y)` update leads by half a frame, which differs between rates). Non-finite
/// inputs count as 0; an invalid `fps` returns the input unchanged.
pub fn smooth_attack_release(x: &[f32], fps: f64, attack_s: f32, release_s: f32) -> Vec<f32> {
    let mut y = x.to_vec();
    smooth_in_place(&mut y, fps, attack_s, release_s);
    y
}

/// In-place form of [`smooth_attack_release`].
pub(crate) fn smooth_in_place(v: &mut [f32], fps: f64, attack_s: f32, release_s: f32) {
    for x in v.iter_mut() {
        if !x.is_finite() {
            *x = 0.0;
        }
    }
    if !(fps.is_finite() && fps > 0.0) || v.is_empty() {
        return;
    }
    let dt = 1.0 / fps;
    let (att_half, att_full) = (decay(dt * 0.5, attack_s), decay(dt, attack_s));
    let (rel_half, rel_full) = (decay(dt * 0.5, release_s), decay(dt, release_s));
    // State at the end of the previous frame interval.
    let mut state = v[0];
    for x in v.iter_mut() {
        let target = *x;
        let (half, full) = if target > state {
            (att_half, att_full)
        } else {
            (rel_half, rel_full)
        };
        *x = target + (state - target) * half;
        state = target + (state - target) * full;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A signal with fast rises, plateaus and falls, sampled at `fps`.
    fn shape(fps: f64, seconds: f64) -> Vec<f32> {
        (0..(seconds * fps) as usize)
            .map(|k| {
                let t = k as f64 / fps;
                ((t * std::f64::consts::TAU * 0.4).sin() * 1.5).clamp(0.0, 1.0) as f32
            })
            .collect()
    }

    #[test]
    fn same_curve_in_seconds_at_12_and_60_fps() {
        let a = smooth_attack_release(&shape(12.0, 6.0), 12.0, 0.05, 0.4);
        let b = smooth_attack_release(&shape(60.0, 6.0), 60.0, 0.05, 0.4);
        let mut worst = 0.0f32;
        for (k, &va) in a.iter().enumerate() {
            worst = worst.max((va - b[k * 5]).abs());
        }
        assert!(worst < 0.03, "max difference {worst}");
        // The naive per-frame coefficient would differ hugely; make sure smoothing happened.
        let raw = shape(60.0, 6.0);
        let changed = raw
            .iter()
            .zip(&b)
            .map(|(r, s)| (r - s).abs())
            .fold(0.0, f32::max);
        assert!(changed > 0.2);
    }

    #[test]
    fn attack_is_faster_than_release() {
        let mut x = vec![0.0; 10];
        x.extend(vec![1.0; 10]);
        x.extend(vec![0.0; 10]);
        let y = smooth_attack_release(&x, 30.0, 0.01, 0.5);
        assert!(y[12] > 0.95, "attack too slow: {}", y[12]);
        assert!(y[22] > 0.8, "release too fast: {}", y[22]);
        assert!(y.iter().all(|v| (0.0..=1.0).contains(v)));
    }

    #[test]
    fn zero_time_constants_pass_through_and_bad_input_is_safe() {
        let x = vec![0.2, 0.9, 0.1, 0.5];
        assert_eq!(smooth_attack_release(&x, 24.0, 0.0, 0.0), x);
        assert!(smooth_attack_release(&[], 24.0, 0.1, 0.1).is_empty());
        let y = smooth_attack_release(&[f32::NAN, 1.0, f32::INFINITY], f64::NAN, 0.1, 0.1);
        assert_eq!(y, vec![0.0, 1.0, 0.0]);
        let z = smooth_attack_release(&[1.0, f32::NAN, 1.0], 30.0, f32::NAN, -1.0);
        assert!(z.iter().all(|v| v.is_finite()));
    }
}
