//! Drawing helpers shared by the particle effects: points and fading streaks, max-blended so
//! overlapping particles never exceed the brightest one, and [`Trails`], the `trail` /
//! `trail_fade` parameters every particle system has.

use super::ParamSpec;

/// `trail`: how many past positions (frames at 24 fps) a particle leaves behind; 0 = off.
/// The reference's `draw_particle_trails` uses 8.
pub const TRAIL: ParamSpec = ParamSpec::new(
    "trail",
    0.0,
    32.0,
    0.0,
    "trail length in frames at 24 fps (0 = off; the reference uses 8)",
);
/// `trail_fade`: brightness factor per frame of age (the reference's 0.7).
pub const TRAIL_FADE: ParamSpec = ParamSpec::new(
    "trail_fade",
    0.3,
    0.97,
    0.7,
    "trail brightness factor per frame of age",
);

/// Brightness below which a trail cell goes dark (the reference stops drawing there).
const TRAIL_MIN: f32 = 0.05;

/// Particle trails kept per cell instead of per particle: every cell remembers the brightest
/// value drawn there, its age (in 24-fps frames of effect time) and hue, and shows
/// `value · fade^age` until the age passes the trail length or the brightness drops below
/// 0.05. Max-blending per-particle histories gives the same picture, but this costs one pass
/// over the grid whatever the particle count, needs no per-particle ring buffers, and works
/// for systems that recycle or cull particles (starfield, explosion) without tracking identity.
#[derive(Default)]
pub struct Trails {
    value: Vec<f32>,
    age: Vec<f32>,
    hue: Vec<f32>,
    on: bool,
}

impl Trails {
    /// Blend the remembered trail into the frame just drawn (`value`, and `hue` when the
    /// effect writes hues), then remember the new frame. `fresh` restarts the trails; `dt` is
    /// the effect time of one frame, `len` the trail length in 24-fps frames (0 = off).
    pub fn apply(
        &mut self,
        fresh: bool,
        dt: f32,
        len: f32,
        fade: f32,
        value: &mut [f32],
        mut hue: Option<&mut [f32]>,
    ) {
        let n = value.len();
        if fresh || self.value.len() != n || (len < 1.0 && self.on) {
            self.value.clear();
            self.value.resize(n, 0.0);
            self.age.clear();
            self.age.resize(n, 0.0);
            self.hue.clear();
            self.hue.resize(n, f32::NAN);
            self.on = false;
        }
        if len < 1.0 {
            return;
        }
        self.on = true;
        let steps = (dt * 24.0).max(0.0);
        let k = fade.clamp(0.0, 1.0).powf(steps);
        for i in 0..n {
            let mut tv = self.value[i] * k;
            let age = self.age[i] + steps;
            if age > len + 1e-3 || tv < TRAIL_MIN {
                tv = 0.0;
            }
            let cur = value[i];
            if cur >= tv {
                self.value[i] = cur;
                self.age[i] = 0.0;
                if let Some(h) = hue.as_deref() {
                    self.hue[i] = h[i];
                }
            } else {
                self.value[i] = tv;
                self.age[i] = age;
                value[i] = tv;
                if let Some(h) = hue.as_deref_mut() {
                    h[i] = self.hue[i];
                }
            }
        }
    }
}

/// A cell-grid canvas over a value buffer.
pub struct Canvas<'a> {
    /// Row-major values, `cols × rows`.
    pub value: &'a mut [f32],
    /// Columns.
    pub cols: usize,
    /// Rows.
    pub rows: usize,
}

impl Canvas<'_> {
    /// Brighten the cell containing (x, y) (column, row; fractional) to at least `v`; returns
    /// the cell index when it is on the grid.
    #[inline]
    pub fn point(&mut self, x: f32, y: f32, v: f32) -> Option<usize> {
        if !(x >= 0.0 && y >= 0.0) {
            return None;
        }
        let (c, r) = (x as usize, y as usize);
        if c >= self.cols || r >= self.rows {
            return None;
        }
        let i = r * self.cols + c;
        self.value[i] = self.value[i].max(v);
        Some(i)
    }

    /// A streak from (x0, y0) with brightness `v0` to (x1, y1) with brightness `v1`, one sample
    /// per cell along the longer axis (capped at `max_len` cells). Calls `mark` with the index
    /// of every cell it lit.
    #[allow(clippy::too_many_arguments)]
    pub fn streak(
        &mut self,
        (x0, y0): (f32, f32),
        (x1, y1): (f32, f32),
        v0: f32,
        v1: f32,
        max_len: usize,
        mut mark: impl FnMut(usize),
    ) {
        let (dx, dy) = (x1 - x0, y1 - y0);
        let steps = dx.abs().max(dy.abs()).ceil();
        if !steps.is_finite() {
            return;
        }
        let steps = (steps as usize).min(max_len);
        if steps == 0 {
            if let Some(i) = self.point(x1, y1, v1) {
                mark(i);
            }
            return;
        }
        // sample from the far end so the brightest (newest) end is drawn last
        let inv = 1.0 / steps as f32;
        for s in 0..=steps {
            let f = s as f32 * inv;
            let (x, y) = (x1 - dx * f, y1 - dy * f);
            if let Some(i) = self.point(x, y, v1 + (v0 - v1) * f) {
                mark(i);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trail_brightness_decays_by_fade_to_the_age() {
        let mut t = Trails::default();
        let (fade, len) = (0.7f32, 8.0);
        let mut v = vec![0.0, 0.9, 0.0];
        let mut h = vec![f32::NAN, 0.25, f32::NAN];
        t.apply(true, 1.0 / 24.0, len, fade, &mut v, Some(&mut h));
        assert_eq!(v, [0.0, 0.9, 0.0]);
        for age in 1..=12 {
            let mut v = vec![0.0, 0.0, 0.0];
            let mut h = vec![f32::NAN; 3];
            t.apply(false, 1.0 / 24.0, len, fade, &mut v, Some(&mut h));
            let want = 0.9 * fade.powi(age);
            if age as f32 <= len && want >= TRAIL_MIN {
                assert!((v[1] - want).abs() < 1e-5, "age {age}: {} vs {want}", v[1]);
                assert_eq!(h[1], 0.25, "the trail keeps its hue");
            } else {
                assert_eq!(v[1], 0.0, "age {age} is past the trail");
            }
            assert_eq!((v[0], v[2]), (0.0, 0.0));
        }
    }

    #[test]
    fn trails_stop_at_the_length_and_brighter_particles_win() {
        let mut t = Trails::default();
        let mut v = vec![1.0];
        t.apply(true, 1.0 / 24.0, 2.0, 0.95, &mut v, None);
        for want in [0.95f32, 0.9025, 0.0] {
            let mut v = vec![0.0];
            t.apply(false, 1.0 / 24.0, 2.0, 0.95, &mut v, None);
            assert!((v[0] - want).abs() < 1e-6, "{} vs {want}", v[0]);
        }
        // a new particle dimmer than the trail under it does not darken the cell
        let mut v = vec![1.0];
        t.apply(false, 1.0 / 24.0, 4.0, 0.9, &mut v, None);
        let mut v = vec![0.5];
        t.apply(false, 1.0 / 24.0, 4.0, 0.9, &mut v, None);
        assert!((v[0] - 0.9).abs() < 1e-6);
        // length 0 turns trails off and forgets them
        let mut v = vec![0.0];
        t.apply(false, 1.0 / 24.0, 0.0, 0.9, &mut v, None);
        assert_eq!(v[0], 0.0);
        t.apply(false, 1.0 / 24.0, 4.0, 0.9, &mut v, None);
        assert_eq!(v[0], 0.0);
    }

    #[test]
    fn points_clip_and_max_blend() {
        let mut v = vec![0.0; 12];
        let mut c = Canvas {
            value: &mut v,
            cols: 4,
            rows: 3,
        };
        assert_eq!(c.point(1.5, 2.9, 0.5), Some(9));
        assert_eq!(c.point(1.2, 2.1, 0.3), Some(9));
        assert_eq!(c.point(-0.5, 1.0, 1.0), None);
        assert_eq!(c.point(4.0, 1.0, 1.0), None);
        assert_eq!(c.point(f32::NAN, 1.0, 1.0), None);
        assert_eq!(v[9], 0.5);
    }

    #[test]
    fn streak_fades_from_head_to_tail() {
        let mut v = vec![0.0; 10];
        let mut c = Canvas {
            value: &mut v,
            cols: 10,
            rows: 1,
        };
        let mut n = 0;
        c.streak((0.5, 0.5), (8.5, 0.5), 0.1, 1.0, 100, |_| n += 1);
        assert_eq!(n, 9);
        assert_eq!(v[8], 1.0);
        assert!(v[0] < v[4] && v[4] < v[8]);
        assert_eq!(v[9], 0.0);
    }
}
