//! Keyframed parameters (the reference's `keyframe(t, points, ease_fn, loop)`): a value that
//! moves through any number of `(time, value)` points on the scene's own clock, each segment
//! shaped by an easing curve, optionally looping.
//!
//! In a preset: `speed = { keyframes = [[0, 0.2], [4, 1.0], [8, 0.5]], ease = "in_out_cubic",
//! loop = true }`. Times are seconds since the section's cut (`scene_time`), or beats since it
//! with `unit = "beats"`. The curve is computed once per frame of the track when the scene is
//! built (see [`super::param::ParamTrack`]), so any frame's value is a lookup and shards agree.

use super::ease::Ease;
use crate::features::{Feature, Features};

/// What a keyframe's time counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum KeyUnit {
    /// Seconds since the section's cut (the `scene_time` feature).
    #[default]
    Seconds,
    /// Beats since the section's cut, by the analysis' beat times (fractional between beats).
    Beats,
}

impl KeyUnit {
    /// Names in preset files, in declaration order.
    pub const NAMES: &'static [&'static str] = &["seconds", "beats"];

    /// Look a unit up by name.
    pub fn from_name(s: &str) -> Option<KeyUnit> {
        match s {
            "seconds" => Some(KeyUnit::Seconds),
            "beats" => Some(KeyUnit::Beats),
            _ => None,
        }
    }

    /// The name in preset files.
    pub fn name(self) -> &'static str {
        Self::NAMES[self as usize]
    }
}

/// A validated keyframe curve.
#[derive(Clone, Debug, PartialEq)]
pub struct Keyframes {
    /// `(time, value)` points, times non-decreasing; at least one.
    pub points: Vec<(f32, f32)>,
    /// Shape of every segment between two points.
    pub ease: Ease,
    /// Repeat the curve after its last point (period: last time − first time).
    pub looped: bool,
    /// What the times count.
    pub unit: KeyUnit,
}

impl Keyframes {
    /// Check the points: at least one, finite, times in order. The error says what to fix.
    pub fn new(
        points: Vec<(f32, f32)>,
        ease: Ease,
        looped: bool,
        unit: KeyUnit,
    ) -> Result<Keyframes, String> {
        if points.is_empty() {
            return Err(
                "`keyframes` needs at least one [time, value] point, e.g. [[0, 0.2], [4, 1.0]]"
                    .into(),
            );
        }
        if let Some(p) = points
            .iter()
            .find(|p| !(p.0.is_finite() && p.1.is_finite()))
        {
            return Err(format!(
                "keyframe [{}, {}] is not a pair of finite numbers",
                p.0, p.1
            ));
        }
        if let Some(w) = points.windows(2).find(|w| w[1].0 < w[0].0) {
            return Err(format!(
                "keyframe times must be in order: {} comes after {}",
                w[1].0, w[0].0
            ));
        }
        Ok(Keyframes {
            points,
            ease,
            looped,
            unit,
        })
    }

    /// The value at time `t` (in [`Keyframes::unit`]s): the first value before the first point,
    /// the last after the last (unless looped), eased between neighbours.
    pub fn at(&self, t: f32) -> f32 {
        let pts = &self.points;
        let (t0, t1) = (pts[0].0, pts[pts.len() - 1].0);
        let t = if self.looped && t1 > t0 {
            t0 + (t - t0).rem_euclid(t1 - t0)
        } else {
            t
        };
        // first point strictly after t
        let k = pts.partition_point(|p| p.0 <= t);
        if k == 0 {
            return pts[0].1;
        }
        if k == pts.len() {
            return pts[k - 1].1;
        }
        let (a, b) = (pts[k - 1], pts[k]);
        let span = b.0 - a.0;
        let x = if span > 0.0 { (t - a.0) / span } else { 1.0 };
        a.1 + (b.1 - a.1) * self.ease.apply(x)
    }

    /// The curve at every frame of `features`, on the scene's clock (its `scene_time` column).
    pub fn curve(&self, features: &Features) -> Vec<f32> {
        let local = features.column(Feature::SceneTime);
        let fps = features.fps.max(1e-9);
        local
            .iter()
            .enumerate()
            .map(|(f, &since)| {
                let t = match self.unit {
                    KeyUnit::Seconds => since,
                    KeyUnit::Beats => {
                        let now = f as f64 / fps;
                        (beat_position(features, now) - beat_position(features, now - since as f64))
                            as f32
                    }
                };
                self.at(t)
            })
            .collect()
    }
}

/// How many beats of the analysis lie before time `t` (seconds), fractional between beats and
/// extended at the track's tempo (120 BPM without one) before the first and after the last.
fn beat_position(f: &Features, t: f64) -> f64 {
    let b = &f.beats;
    let per_second = if f.tempo_bpm > 0.0 {
        f.tempo_bpm as f64 / 60.0
    } else {
        2.0
    };
    if b.is_empty() {
        return t * per_second;
    }
    let k = b.partition_point(|&x| x <= t);
    if k == 0 {
        return (t - b[0]) * per_second;
    }
    if k == b.len() {
        return (k - 1) as f64 + (t - b[k - 1]) * per_second;
    }
    let (x0, x1) = (b[k - 1], b[k]);
    (k - 1) as f64 + (t - x0) / (x1 - x0).max(1e-9)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scene::SceneClock;

    fn kf(points: &[(f32, f32)], ease: Ease, looped: bool) -> Keyframes {
        Keyframes::new(points.to_vec(), ease, looped, KeyUnit::Seconds).unwrap()
    }

    #[test]
    fn three_points_interpolate_hold_and_loop() {
        let k = kf(&[(0.0, 0.2), (4.0, 1.0), (8.0, 0.5)], Ease::Linear, false);
        assert_eq!(k.at(-1.0), 0.2);
        assert!((k.at(2.0) - 0.6).abs() < 1e-6);
        assert_eq!(k.at(4.0), 1.0);
        assert!((k.at(6.0) - 0.75).abs() < 1e-6);
        assert_eq!(k.at(20.0), 0.5);
        let l = kf(&[(0.0, 0.2), (4.0, 1.0), (8.0, 0.5)], Ease::Linear, true);
        assert!((l.at(10.0) - 0.6).abs() < 1e-6, "{}", l.at(10.0));
        // eased: in_quad is a quarter of the way at half the segment
        let e = kf(&[(0.0, 0.0), (2.0, 1.0)], Ease::InQuad, false);
        assert!((e.at(1.0) - 0.25).abs() < 1e-6);
    }

    #[test]
    fn bad_points_are_errors() {
        let e = Keyframes::new(vec![], Ease::Linear, false, KeyUnit::Seconds).unwrap_err();
        assert!(e.contains("at least one"), "{e}");
        let e = Keyframes::new(
            vec![(2.0, 0.0), (1.0, 1.0)],
            Ease::Linear,
            false,
            KeyUnit::Seconds,
        )
        .unwrap_err();
        assert!(e.contains("in order"), "{e}");
    }

    #[test]
    fn the_curve_follows_the_scene_clock_in_seconds_and_beats() {
        let mut f = crate::audio::synthetic_features(120.0, 10.0, 4.0, 1);
        f.beats = (0..8).map(|b| b as f64 * 0.5).collect();
        f.tempo_bpm = 120.0;
        // a section cut at frame 10 (1 s)
        let clock = SceneClock {
            cut: 10,
            end: 40,
            enter: None,
            leave: None,
        };
        clock.fill(&mut f);
        let k = kf(&[(0.0, 0.0), (1.0, 1.0)], Ease::Linear, false);
        let c = k.curve(&f);
        assert_eq!(c[5], 0.0, "before the cut the clock holds at 0");
        assert!((c[15] - 0.5).abs() < 1e-6);
        let b = Keyframes {
            unit: KeyUnit::Beats,
            ..k
        };
        let c = b.curve(&f);
        // 0.5 s after the cut is one beat at 120 BPM
        assert!((c[15] - 1.0).abs() < 1e-5, "{}", c[15]);
        assert!((c[12] - 0.4).abs() < 1e-5, "{}", c[12]);
    }
}
