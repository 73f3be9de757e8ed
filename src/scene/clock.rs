//! A scene's place in a timeline (its cut, its end and the transitions on either side) and the
//! scene feature columns that follow from it: `scene_time`, `scene_progress`, `transition` and
//! `scene_weight`, so any parameter can follow the scene's own clock.

use super::ease::Ease;
use crate::features::{Feature, Features};

/// A transition between two sections, in output frames: `[start, start + len)`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Window {
    /// First frame of the transition.
    pub start: u64,
    /// Length in frames (at least 1).
    pub len: u64,
    /// Shape of the progress.
    pub ease: Ease,
}

impl Window {
    /// One past the last frame.
    pub fn end(&self) -> u64 {
        self.start + self.len
    }

    /// Whether frame `f` is inside the transition.
    pub fn contains(&self, f: u64) -> bool {
        f >= self.start && f < self.end()
    }

    /// Linear progress at frame `f`, measured at the frame's centre: `(f − start + ½) / len`, so
    /// a window never shows either scene purely and its middle frame sits at one half.
    pub fn raw(&self, f: u64) -> f32 {
        let x = (f as f64 - self.start as f64 + 0.5) / self.len.max(1) as f64;
        x.clamp(0.0, 1.0) as f32
    }

    /// Eased progress at frame `f`.
    pub fn progress(&self, f: u64) -> f32 {
        self.ease.apply(self.raw(f))
    }
}

/// Where a scene sits in the timeline, in output frames.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SceneClock {
    /// The section's cut: `scene_time` is 0 here.
    pub cut: u64,
    /// The next section's cut (or the end of the track): `scene_progress` reaches 1 just before.
    pub end: u64,
    /// The transition into this section, if any (it may start before `cut`).
    pub enter: Option<Window>,
    /// The transition out of it, if any (it may run past `end`).
    pub leave: Option<Window>,
}

impl SceneClock {
    /// One scene over a whole track of `frames` frames (what a plain preset is).
    pub fn whole(frames: u64) -> SceneClock {
        SceneClock {
            cut: 0,
            end: frames,
            enter: None,
            leave: None,
        }
    }

    /// The first frame this scene is drawn (its transition in may start before the cut).
    pub fn first_frame(&self) -> u64 {
        self.enter.map_or(self.cut, |w| w.start.min(self.cut))
    }

    /// One past the last frame this scene is drawn.
    pub fn last_frame(&self) -> u64 {
        self.leave.map_or(self.end, |w| w.end().max(self.end))
    }

    /// `[scene_time, scene_progress, transition, scene_weight]` at frame `f`.
    pub fn values(&self, f: u64, fps: f64) -> [f32; 4] {
        let since = f.saturating_sub(self.cut);
        let time = (since as f64 / fps.max(1e-9)) as f32;
        let span = self.end.saturating_sub(self.cut).saturating_sub(1).max(1);
        let progress = (since as f64 / span as f64).min(1.0) as f32;
        let (transition, weight) = match (self.enter, self.leave) {
            (Some(w), _) if w.contains(f) => (w.progress(f), w.progress(f)),
            (_, Some(w)) if w.contains(f) => (w.progress(f), 1.0 - w.progress(f)),
            _ if f >= self.first_frame() && f < self.last_frame() => (0.0, 1.0),
            _ => (0.0, 0.0),
        };
        [time, progress, transition, weight]
    }

    /// Write this clock's scene columns into `features` (one value per frame).
    pub fn fill(&self, features: &mut Features) {
        let n = features.len();
        let fps = features.fps;
        let cols = [
            Feature::SceneTime,
            Feature::SceneProgress,
            Feature::Transition,
            Feature::SceneWeight,
        ];
        if features.columns.len() < Feature::COUNT {
            features.columns.resize(Feature::COUNT, Vec::new());
        }
        for (k, feat) in cols.into_iter().enumerate() {
            let col = &mut features.columns[feat as usize];
            col.clear();
            col.extend((0..n as u64).map(|f| self.values(f, fps)[k]));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_whole_track_scene_runs_from_0_to_1() {
        let c = SceneClock::whole(101);
        assert_eq!(c.values(0, 25.0), [0.0, 0.0, 0.0, 1.0]);
        let v = c.values(50, 25.0);
        assert_eq!(v[0], 2.0);
        assert!((v[1] - 0.5).abs() < 1e-6);
        assert_eq!(c.values(100, 25.0)[1], 1.0);
    }

    #[test]
    fn transitions_ramp_the_weight_in_and_out() {
        let w_in = Window {
            start: 8,
            len: 4,
            ease: Ease::Linear,
        };
        let w_out = Window {
            start: 28,
            len: 4,
            ease: Ease::Linear,
        };
        let c = SceneClock {
            cut: 10,
            end: 31,
            enter: Some(w_in),
            leave: Some(w_out),
        };
        assert_eq!((c.first_frame(), c.last_frame()), (8, 32));
        // before the cut the scene's clock holds at 0
        assert_eq!(c.values(8, 10.0)[0], 0.0);
        assert_eq!(c.values(8, 10.0)[2], 0.125);
        assert_eq!(c.values(11, 10.0), [0.1, 0.05, 0.875, 0.875]);
        assert_eq!(c.values(20, 10.0)[2..], [0.0, 1.0]);
        assert_eq!(c.values(29, 10.0)[2..], [0.375, 0.625]);
        assert_eq!(c.values(40, 10.0)[3], 0.0);
        let mut f = crate::audio::synthetic_features(120.0, 10.0, 4.0, 1);
        c.fill(&mut f);
        assert_eq!(f.frame(11).get(Feature::SceneWeight), 0.875);
        assert_eq!(f.column(Feature::SceneTime).len(), f.len());
    }
}
