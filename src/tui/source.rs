//! What the render thread draws from: a [`Scene`] (preview, and `play` of an audio file) or a
//! decoded video (`play` of a video file).

use std::sync::Arc;

use anyhow::Result;

use super::knobs::Knob;
use super::pane::{CellCompositor, PaneMode};
use super::video::VideoFrames;
use crate::compose::BlendMode;
use crate::features::{Feature, Features};
use crate::frame::Frame;
use crate::glyph::FontChain;
use crate::scene::{Coloring, Param, ParamTrack, Preset, Scene};
use crate::term::TCell;
use crate::term::halfblock::HalfBlocks;

/// Audio meters for one frame.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Meters {
    /// sub, bass, lomid, mid, himid, hi (0–1).
    pub bands: [f32; 6],
    /// The beat pulse (0–1).
    pub beat: f32,
    /// Estimated tempo (0 when unknown).
    pub bpm: f32,
}

impl Meters {
    /// The meters of frame `index` of `f`.
    pub fn of(f: &Features, index: u64) -> Meters {
        let fr = f.frame(index as usize);
        Meters {
            bands: [
                fr.get(Feature::Sub),
                fr.get(Feature::Bass),
                fr.get(Feature::Lomid),
                fr.get(Feature::Mid),
                fr.get(Feature::Himid),
                fr.get(Feature::Hi),
            ],
            beat: fr.get(Feature::BeatDecay),
            bpm: f.tempo_bpm,
        }
    }
}

/// A scene that can follow preset edits while it plays.
pub struct SceneSource {
    scene: Scene,
    preset: Preset,
    features: Arc<Features>,
    fonts: FontChain,
    width: usize,
    height: usize,
    seed: u64,
    frame: Frame,
    compositor: CellCompositor,
    halfblocks: HalfBlocks,
    /// The last frame whose state the scene has advanced through (`None`: fresh scene).
    last: Option<u64>,
    /// An in-place edit made the running state differ from a fresh render of the preset.
    diverged: bool,
    /// The frames of a visual input, for the scene's video layers.
    video: Option<crate::video::VideoFeed>,
    /// The frame index whose video frame the scene holds (`None`: none yet, or a new scene).
    video_shown: Option<u64>,
    /// Buffer handed to [`Scene::set_video_frame`].
    video_buf: Frame,
    /// Seconds into the song where playback starts (`--start`): text layers' cues keep the
    /// song's times, in every preset this source is given (reloads and edits too).
    text_start: f64,
}

impl SceneSource {
    /// A scene of `width × height` pixels.
    pub fn new(
        preset: Preset,
        features: Arc<Features>,
        fonts: FontChain,
        width: usize,
        height: usize,
        seed: u64,
    ) -> Result<SceneSource> {
        let scene = Scene::new(&preset, width, height, seed, &fonts, features.clone())?;
        Ok(SceneSource {
            scene,
            preset,
            features,
            fonts,
            width,
            height,
            seed,
            frame: Frame::new(width, height),
            compositor: CellCompositor::default(),
            halfblocks: HalfBlocks::default(),
            last: None,
            diverged: false,
            video: None,
            video_shown: None,
            video_buf: Frame::new(0, 0),
            text_start: 0.0,
        })
    }

    /// Show the frames of `feed` in the scene's video layers (`preview VIDEO`).
    pub fn with_video(mut self, feed: crate::video::VideoFeed) -> SceneSource {
        self.video = Some(feed);
        self
    }

    /// Give the scene the video frame of `index` (decoded only when it changed). A decode error
    /// keeps the last frame: the preview goes on with what it has.
    fn feed_video(&mut self, index: u64) {
        let Some(feed) = self.video.as_mut() else {
            return;
        };
        if self.video_shown == Some(index) {
            return;
        }
        if let Ok((f, changed)) = feed.frame(index)
            && (changed || self.video_shown.is_none())
        {
            self.video_buf.resize(f.width, f.height);
            self.video_buf.data.copy_from_slice(&f.data);
            self.scene.set_video_frame(&mut self.video_buf);
        }
        self.video_shown = Some(index);
    }

    /// The scene (tests compare its frames with `render_still`).
    pub fn scene(&self) -> &Scene {
        &self.scene
    }

    /// The last rendered pixel frame (pixels mode).
    pub fn frame(&self) -> &Frame {
        &self.frame
    }

    /// True when frames depend on earlier frames (stateful effects, feedback).
    fn has_history(&self) -> bool {
        let stateful = self
            .scene
            .layers
            .iter()
            .any(|l| l.enabled && l.is_stateful());
        stateful || self.feedback_on()
    }

    fn feedback_on(&self) -> bool {
        self.preset.feedback.as_ref().is_some_and(|f| f.enabled)
    }

    /// Bring the running state to "every frame before `index` done", as a render would have it.
    fn catch_up(&mut self, index: u64) {
        if !self.has_history() {
            return;
        }
        let from = match self.last {
            Some(l) if l < index => l + 1,
            Some(l) if l == index => {
                // Drawing the same frame again (paused): a fresh scene keeps it exact.
                self.rebuild_quiet();
                0
            }
            _ => {
                if self.last.is_some() {
                    self.rebuild_quiet();
                }
                0
            }
        };
        let pixels = self.feedback_on();
        for i in from..index {
            if pixels {
                self.scene.render(i, &mut self.frame);
            } else {
                self.scene.update(i);
            }
        }
    }

    /// Playback starts `start` seconds into the song (`preview --start`): text layers show
    /// the cues of the song's time, as `render --start` does.
    pub fn with_text_start(mut self, start: f64) -> Result<SceneSource> {
        if start != self.text_start {
            self.text_start = start;
            let preset = self.preset.clone();
            self.set_preset(preset, None)?;
        }
        Ok(self)
    }

    fn rebuild_quiet(&mut self) {
        if let Ok(s) = Scene::new(
            &self.preset,
            self.width,
            self.height,
            self.seed,
            &self.fonts,
            self.features.clone(),
        ) {
            self.scene = s;
            self.video_shown = None;
        }
        self.last = None;
        self.diverged = false;
    }

    /// Draw frame `index` into `out` as `cols × rows` cells.
    pub fn produce(
        &mut self,
        index: u64,
        mode: PaneMode,
        cols: u16,
        rows: u16,
        out: &mut Vec<TCell>,
    ) {
        self.catch_up(index);
        self.feed_video(index);
        // Feedback only advances when pixels are drawn, so with feedback on always draw them.
        if mode == PaneMode::Pixels || self.feedback_on() {
            self.scene.render(index, &mut self.frame);
        } else {
            self.scene.update(index);
        }
        match mode {
            PaneMode::Cells => self.compositor.compose(&self.scene, index, cols, rows, out),
            PaneMode::Pixels => self.halfblocks.convert(&self.frame, cols, rows, out),
        }
        self.last = Some(index);
    }

    /// Take a new preset. `knob` names the one value that changed, when that is all: such edits
    /// are applied to the running scene (visible on the next frame, state kept); anything else
    /// rebuilds the scene. Returns an error (and keeps the old scene) when the new one cannot be
    /// built.
    pub fn set_preset(&mut self, mut preset: Preset, knob: Option<Knob>) -> Result<()> {
        crate::text::spec::set_start(&mut preset, self.text_start);
        let old = std::mem::replace(&mut self.preset, preset);
        if let Some(k) = knob
            && self.apply_in_place(k)
        {
            if self.has_history() {
                self.diverged = true;
            }
            return Ok(());
        }
        match Scene::new(
            &self.preset,
            self.width,
            self.height,
            self.seed,
            &self.fonts,
            self.features.clone(),
        ) {
            Ok(s) => {
                self.scene = s;
                self.video_shown = None;
                self.last = None;
                self.diverged = false;
                Ok(())
            }
            Err(e) => {
                self.preset = old;
                Err(e.into())
            }
        }
    }

    /// False while in-place edits have made the running state differ from a fresh render.
    pub fn exact(&self) -> bool {
        !self.diverged
    }

    /// Make the running state exactly what a render of the current preset has (after in-place
    /// edits of a scene with history); the next frame replays from the start if needed.
    pub fn resync(&mut self) {
        if self.diverged {
            self.rebuild_quiet();
        }
    }

    fn apply_in_place(&mut self, knob: Knob) -> bool {
        let f = &self.features;
        let p = &self.preset;
        let track = |par: Param| ParamTrack::new(&par, f);
        match knob {
            Knob::Layer(k) => match (self.scene.layers.get_mut(k), p.layers.get(k)) {
                (Some(l), Some(s)) => {
                    l.enabled = s.enabled;
                    true
                }
                _ => false,
            },
            Knob::Effect(k, i) => {
                match (self.scene.layers.get_mut(k), super::knobs::param(p, knob)) {
                    (Some(l), Some(par)) if i < l.params.len() => {
                        l.params[i] = track(par);
                        true
                    }
                    _ => false,
                }
            }
            Knob::Opacity(k) => {
                match (self.scene.layers.get_mut(k), super::knobs::param(p, knob)) {
                    (Some(l), Some(par)) => {
                        l.opacity = track(par);
                        true
                    }
                    _ => false,
                }
            }
            Knob::Blend(k) => {
                let mode = p
                    .layers
                    .get(k)
                    .and_then(|s| BlendMode::from_name(s.blend.get_ref()));
                match (self.scene.layers.get_mut(k), mode) {
                    (Some(l), Some(m)) => {
                        l.blend = m;
                        true
                    }
                    _ => false,
                }
            }
            Knob::HueBase(k) | Knob::HueScale(k) | Knob::Saturation(k) => {
                let Some(par) = super::knobs::param(p, knob) else {
                    return false;
                };
                let Some(l) = self.scene.layers.get_mut(k) else {
                    return false;
                };
                match &mut l.coloring {
                    Coloring::Hsv {
                        base,
                        scale,
                        saturation,
                        ..
                    } => {
                        *match knob {
                            Knob::HueBase(_) => base,
                            Knob::HueScale(_) => scale,
                            _ => saturation,
                        } = track(par);
                        true
                    }
                    _ => false,
                }
            }
            Knob::Shader(s) => match (self.scene.shaders.get_mut(s), p.shaders.get(s)) {
                (Some(slot), Some(step)) => {
                    slot.enabled = step.enabled;
                    true
                }
                _ => false,
            },
            Knob::ShaderParam(s, i) => {
                match (self.scene.shaders.get_mut(s), super::knobs::param(p, knob)) {
                    (Some(slot), Some(par)) if i < slot.params.len() => {
                        slot.params[i] = track(par);
                        true
                    }
                    _ => false,
                }
            }
            _ => false,
        }
    }

    /// The meters of frame `index`.
    pub fn meters(&self, index: u64) -> Meters {
        Meters::of(&self.features, index)
    }

    /// Number of frames.
    pub fn frames(&self) -> u64 {
        self.features.len() as u64
    }

    /// Output size in pixels.
    pub fn size(&self) -> (usize, usize) {
        (self.width, self.height)
    }
}

/// Anything the render thread can draw from.
pub enum Source {
    /// A scene.
    Scene(Box<SceneSource>),
    /// A video file.
    Video(Box<VideoFrames>),
}

impl Source {
    /// Frames per second.
    pub fn fps(&self) -> f64 {
        match self {
            Source::Scene(s) => s.features.fps,
            Source::Video(v) => v.fps(),
        }
    }

    /// Number of frames.
    pub fn frames(&self) -> u64 {
        match self {
            Source::Scene(s) => s.frames(),
            Source::Video(v) => v.frames(),
        }
    }

    /// Picture size in pixels (for the pane's aspect ratio).
    pub fn size(&self) -> (usize, usize) {
        match self {
            Source::Scene(s) => s.size(),
            Source::Video(v) => v.size(),
        }
    }

    /// Draw frame `index`.
    pub fn produce(
        &mut self,
        index: u64,
        mode: PaneMode,
        cols: u16,
        rows: u16,
        out: &mut Vec<TCell>,
    ) {
        match self {
            Source::Scene(s) => s.produce(index, mode, cols, rows, out),
            Source::Video(v) => v.produce(index, mode, cols, rows, out),
        }
    }

    /// True when frames are exactly what `render` gives.
    pub fn exact(&self) -> bool {
        match self {
            Source::Scene(s) => s.exact(),
            Source::Video(_) => true,
        }
    }

    /// Why playback cannot go on (a damaged video file), if it cannot.
    pub fn failure(&self) -> Option<&str> {
        match self {
            Source::Scene(_) => None,
            Source::Video(v) => v.failure(),
        }
    }

    /// Meters of frame `index` (none for video).
    pub fn meters(&self, index: u64) -> Option<Meters> {
        match self {
            Source::Scene(s) => Some(s.meters(index)),
            Source::Video(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scene::preset::resolve;

    fn source(name: &str) -> SceneSource {
        let f = Arc::new(crate::audio::synthetic_features(120.0, 24.0, 3.0, 1));
        SceneSource::new(resolve(name).unwrap(), f, FontChain::bundled(), 192, 108, 3).unwrap()
    }

    #[test]
    fn in_place_edit_changes_the_next_frame_like_a_fresh_scene() {
        let mut s = source("default");
        let mut out = Vec::new();
        s.produce(5, PaneMode::Pixels, 40, 11, &mut out);
        let before = s.frame().clone();
        let mut p = s.preset.clone();
        assert!(super::super::knobs::step(
            &mut p,
            Knob::Opacity(1),
            -1,
            true
        ));
        s.set_preset(p.clone(), Some(Knob::Opacity(1))).unwrap();
        s.produce(6, PaneMode::Pixels, 40, 11, &mut out);
        // the scene was not rebuilt (in place) and frame 6 equals a fresh render of the new preset
        let fresh = crate::pipeline::render_still(
            &p,
            s.features.clone(),
            192,
            108,
            3,
            &FontChain::bundled(),
            6,
            1,
        )
        .unwrap();
        assert_eq!(s.frame(), &fresh);
        assert_ne!(&before, &fresh);
    }

    #[test]
    fn frames_do_not_depend_on_earlier_pixels_without_feedback() {
        // What `render --test-frame` assumes: only effects carry state, shaders do not.
        let f = Arc::new(crate::audio::synthetic_features(120.0, 24.0, 3.0, 1));
        let p = resolve("default").unwrap();
        let fonts = FontChain::bundled();
        let mut fr = Frame::new(192, 108);
        let mut alone = Scene::new(&p, 192, 108, 3, &fonts, f.clone()).unwrap();
        alone.render(6, &mut fr);
        let want = fr.clone();
        let mut seq = Scene::new(&p, 192, 108, 3, &fonts, f).unwrap();
        seq.render(5, &mut fr);
        seq.render(6, &mut fr);
        assert!(fr == want, "frame 6 depends on whether frame 5 was drawn");
    }

    #[test]
    fn stateful_scenes_replay_history_after_a_rebuild() {
        let mut s = source("matrix");
        assert!(s.has_history(), "matrix rain is stateful");
        let mut out = Vec::new();
        for i in 0..8 {
            s.produce(i, PaneMode::Pixels, 40, 11, &mut out);
        }
        let mut p = s.preset.clone();
        super::super::knobs::step(&mut p, Knob::Palette(0), 1, false);
        s.set_preset(p.clone(), None).unwrap();
        s.produce(8, PaneMode::Pixels, 40, 11, &mut out);
        let fresh = crate::pipeline::render_still(
            &p,
            s.features.clone(),
            192,
            108,
            3,
            &FontChain::bundled(),
            8,
            1,
        )
        .unwrap();
        assert_eq!(
            s.frame(),
            &fresh,
            "rebuilt scene did not replay frames 0..8"
        );
    }

    #[test]
    fn text_follows_the_song_time_after_start_and_reloads() {
        let f = Arc::new(crate::audio::synthetic_features(120.0, 24.0, 4.0, 1));
        let cues =
            crate::text::srt::parse("1\n00:00:02,000 --> 00:00:03,000\nLATE\n", "t.srt").unwrap();
        let mut p = resolve("default").unwrap();
        p.layers.push(crate::text::spec::overlay_layer(
            Arc::new(cues),
            crate::text::Mode::Plain,
            crate::text::Position::Center,
        ));
        let text_shown = |s: &mut SceneSource| {
            let mut out = Vec::new();
            s.produce(0, PaneMode::Cells, 40, 11, &mut out);
            let l = s.scene.layers.last().unwrap();
            l.cells().cells.iter().any(|c| c.glyph != 0)
        };
        let fonts = FontChain::bundled();
        let mut s = SceneSource::new(p.clone(), f.clone(), fonts.clone(), 192, 108, 3).unwrap();
        assert!(!text_shown(&mut s), "the entry starts at 2 s");
        let mut s = SceneSource::new(p.clone(), f, fonts, 192, 108, 3)
            .unwrap()
            .with_text_start(2.5)
            .unwrap();
        assert!(
            text_shown(&mut s),
            "--start 2.5: frame 0 is the song's 2.5 s"
        );
        // an edit or a reload keeps the song's time
        s.set_preset(p, None).unwrap();
        assert!(text_shown(&mut s));
    }
}
