//! Easing curves (the reference's eleven plus smoothstep and smootherstep): they shape a
//! transition's progress so a wipe can start slowly, overshoot or bounce.

/// An easing curve mapping progress `0..=1` to `0..=1` (elastic overshoots in between).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Ease {
    /// `p`.
    Linear,
    /// `p²`.
    InQuad,
    /// `1 − (1 − p)²`.
    OutQuad,
    /// Quadratic in, then out.
    InOutQuad,
    /// `p³`.
    InCubic,
    /// `1 − (1 − p)³`.
    OutCubic,
    /// Cubic in, then out.
    InOutCubic,
    /// `2^(10(p − 1))`, starting slow.
    InExpo,
    /// `1 − 2^(−10p)`, finishing slow.
    OutExpo,
    /// Springs past 1 and settles (elastic out).
    Elastic,
    /// Bounces at 1 (bounce out).
    Bounce,
    /// `3p² − 2p³`.
    #[default]
    Smoothstep,
    /// `6p⁵ − 15p⁴ + 10p³`.
    Smootherstep,
}

impl Ease {
    /// Every curve with its name in timeline files.
    pub const ALL: &'static [(Ease, &'static str)] = &[
        (Ease::Linear, "linear"),
        (Ease::InQuad, "in_quad"),
        (Ease::OutQuad, "out_quad"),
        (Ease::InOutQuad, "in_out_quad"),
        (Ease::InCubic, "in_cubic"),
        (Ease::OutCubic, "out_cubic"),
        (Ease::InOutCubic, "in_out_cubic"),
        (Ease::InExpo, "in_expo"),
        (Ease::OutExpo, "out_expo"),
        (Ease::Elastic, "elastic"),
        (Ease::Bounce, "bounce"),
        (Ease::Smoothstep, "smoothstep"),
        (Ease::Smootherstep, "smootherstep"),
    ];

    /// The names, for error messages.
    pub fn names() -> Vec<&'static str> {
        Ease::ALL.iter().map(|e| e.1).collect()
    }

    /// Look a curve up by name.
    pub fn from_name(name: &str) -> Option<Ease> {
        Ease::ALL.iter().find(|e| e.1 == name).map(|e| e.0)
    }

    /// The name used in timeline files.
    pub fn name(self) -> &'static str {
        Ease::ALL
            .iter()
            .find(|e| e.0 == self)
            .map_or("linear", |e| e.1)
    }

    /// The eased value of progress `p` (clamped to `0..=1` first).
    pub fn apply(self, p: f32) -> f32 {
        let p = p.clamp(0.0, 1.0);
        match self {
            Ease::Linear => p,
            Ease::InQuad => p * p,
            Ease::OutQuad => 1.0 - (1.0 - p) * (1.0 - p),
            Ease::InOutQuad => {
                if p < 0.5 {
                    2.0 * p * p
                } else {
                    1.0 - 2.0 * (1.0 - p) * (1.0 - p)
                }
            }
            Ease::InCubic => p * p * p,
            Ease::OutCubic => 1.0 - (1.0 - p).powi(3),
            Ease::InOutCubic => {
                if p < 0.5 {
                    4.0 * p * p * p
                } else {
                    1.0 - 4.0 * (1.0 - p).powi(3)
                }
            }
            // the exact endpoints, so a transition starts and ends on the pure scenes
            Ease::InExpo if p == 0.0 => 0.0,
            Ease::InExpo => 2f32.powf(10.0 * (p - 1.0)),
            Ease::OutExpo if p == 1.0 => 1.0,
            Ease::OutExpo => 1.0 - 2f32.powf(-10.0 * p),
            Ease::Elastic if p == 0.0 || p == 1.0 => p,
            Ease::Elastic => {
                let c4 = std::f32::consts::TAU / 3.0;
                2f32.powf(-10.0 * p) * ((p * 10.0 - 0.75) * c4).sin() + 1.0
            }
            Ease::Bounce => bounce_out(p),
            Ease::Smoothstep => p * p * (3.0 - 2.0 * p),
            Ease::Smootherstep => p * p * p * (p * (p * 6.0 - 15.0) + 10.0),
        }
    }
}

fn bounce_out(p: f32) -> f32 {
    const N: f32 = 7.5625;
    const D: f32 = 2.75;
    if p < 1.0 / D {
        N * p * p
    } else if p < 2.0 / D {
        let q = p - 1.5 / D;
        N * q * q + 0.75
    } else if p < 2.5 / D {
        let q = p - 2.25 / D;
        N * q * q + 0.9375
    } else {
        let q = p - 2.625 / D;
        N * q * q + 0.984375
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_curve_starts_at_0_ends_at_1_and_names_round_trip() {
        for &(e, name) in Ease::ALL {
            assert_eq!(Ease::from_name(name), Some(e));
            assert_eq!(e.name(), name);
            assert!(e.apply(0.0).abs() < 1e-6, "{name} at 0: {}", e.apply(0.0));
            assert!((e.apply(1.0) - 1.0).abs() < 1e-6, "{name} at 1");
            assert!(e.apply(-3.0).abs() < 1e-6 && (e.apply(7.0) - 1.0).abs() < 1e-6);
        }
    }

    #[test]
    fn monotonic_curves_rise_and_symmetric_ones_pass_the_midpoint() {
        for e in [
            Ease::Linear,
            Ease::InQuad,
            Ease::OutCubic,
            Ease::InOutCubic,
            Ease::InExpo,
            Ease::Smoothstep,
            Ease::Smootherstep,
        ] {
            let mut last = -1.0;
            for k in 0..=100 {
                let v = e.apply(k as f32 / 100.0);
                assert!(v >= last, "{e:?} falls at {k}");
                last = v;
            }
        }
        for e in [Ease::InOutQuad, Ease::InOutCubic, Ease::Smoothstep] {
            assert!((e.apply(0.5) - 0.5).abs() < 1e-6, "{e:?}");
        }
        assert!(Ease::InQuad.apply(0.5) < 0.5 && Ease::OutQuad.apply(0.5) > 0.5);
        let peak = (0..100)
            .map(|k| Ease::Elastic.apply(k as f32 / 100.0))
            .fold(0.0f32, f32::max);
        assert!(peak > 1.0, "elastic overshoots");
    }
}
