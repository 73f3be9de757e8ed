//! Plays a [`Plan`]: one [`Scene`] per visible section, built when the section first shows and
//! dropped when it is over, two of them blended during a transition.
//!
//! Exact shards: a section's scene starts fresh on the first frame the section is drawn (the
//! start of its transition in, or its cut), so its state at frame `k` depends only on the frames
//! from there to `k`. A render that begins inside a section (a shard, `--frames`, or
//! `--test-frame`) first replays the section from that frame, cells only unless the look has
//! feedback, so its frames equal those of one pass from frame 0.

use std::sync::Arc;

use super::Timeline;
use super::plan::{Plan, View};
use super::transition::{Mix, blend};
use crate::features::Features;
use crate::frame::Frame;
use crate::glyph::{FontChain, MissingGlyph};
use crate::scene::preset::Preset;
use crate::scene::{Scene, SceneError};
use crate::video::ConvertOptions;

/// A section's scene while it is on screen.
struct Live {
    section: usize,
    scene: Scene,
    /// The next frame the scene expects (its state is that of having drawn `next − 1`).
    next: u64,
    /// The video generation the scene has been given.
    video_seen: u64,
    /// Buffer swapped into the scene with each new video frame.
    video_spare: Frame,
}

/// Change applied to every video layer's conversion options (quality, command-line flags).
type VideoOptions = Box<dyn Fn(&mut ConvertOptions) + Send + Sync>;

/// Renders the frames of a timeline.
pub struct Player {
    looks: Vec<Preset>,
    plan: Plan,
    width: usize,
    height: usize,
    seed: u64,
    fonts: FontChain,
    features: Arc<Features>,
    live: Vec<Live>,
    a: Frame,
    b: Frame,
    scratch: Frame,
    video: Frame,
    video_gen: u64,
    video_options: Option<VideoOptions>,
    particles: crate::effects::ParticleTier,
    missing: Vec<(String, MissingGlyph)>,
}

impl Player {
    /// Get ready to render `plan` (made from `timeline`) at an output size. Every look is bound
    /// once here, so a bad palette file fails before the first frame.
    pub fn new(
        timeline: &Timeline,
        plan: Plan,
        width: usize,
        height: usize,
        seed: u64,
        fonts: &FontChain,
        features: Arc<Features>,
    ) -> Result<Player, SceneError> {
        let mut missing: Vec<(String, MissingGlyph)> = Vec::new();
        let looks: Vec<Preset> = timeline.looks.iter().map(|l| l.preset.clone()).collect();
        for (k, look) in looks.iter().enumerate() {
            if !plan.sections.iter().any(|s| s.look == k) {
                continue;
            }
            let probe = Scene::new(look, width, height, seed, fonts, features.clone())?;
            for m in probe.missing_glyphs() {
                if !missing.contains(m) {
                    missing.push(m.clone());
                }
            }
        }
        Ok(Player {
            looks,
            plan,
            width,
            height,
            seed,
            fonts: fonts.clone(),
            features,
            live: Vec::with_capacity(2),
            a: Frame::new(width, height),
            b: Frame::new(width, height),
            scratch: Frame::new(0, 0),
            video: Frame::new(0, 0),
            video_gen: 0,
            video_options: None,
            particles: crate::effects::ParticleTier::High,
            missing,
        })
    }

    /// The plan being played.
    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    /// Palette characters no font could draw, with the palette that asked for them.
    pub fn missing_glyphs(&self) -> &[(String, MissingGlyph)] {
        &self.missing
    }

    /// Hand the player the video frame for the next [`Player::render`] (swapped, no copy; each
    /// visible scene with video layers gets a copy).
    pub fn set_video_frame(&mut self, frame: &mut Frame) {
        std::mem::swap(&mut self.video, frame);
        self.video_gen += 1;
    }

    /// Change the conversion options of every video layer, now and in scenes built later.
    pub fn set_video_options(&mut self, f: impl Fn(&mut ConvertOptions) + Send + Sync + 'static) {
        for l in &mut self.live {
            l.scene.set_video_options(&f);
        }
        self.video_options = Some(Box::new(f));
    }

    /// Cap particle systems for a quality profile, now and in scenes built later.
    pub fn set_particle_tier(&mut self, tier: crate::effects::ParticleTier) {
        for l in &mut self.live {
            l.scene.set_particle_tier(tier);
        }
        self.particles = tier;
    }

    /// Render frame `index` into `out`. Frames are cheapest in order; any other order works and
    /// gives the same pixels (sections replay from their first frame when needed).
    pub fn render(&mut self, index: u64, out: &mut Frame) -> Result<(), SceneError> {
        if out.width != self.width || out.height != self.height {
            out.resize(self.width, self.height);
        }
        match self.plan.view(index) {
            View::One(s) => {
                self.live.retain(|l| l.section == s);
                let live = self.ready(s, index)?;
                live.scene.render(index, out);
                live.next = index + 1;
            }
            View::Two { from, to } => {
                self.live.retain(|l| l.section == from || l.section == to);
                let mut a = std::mem::replace(&mut self.a, Frame::new(0, 0));
                let mut b = std::mem::replace(&mut self.b, Frame::new(0, 0));
                let drawn = self
                    .draw_into(from, index, &mut a)
                    .and_then(|()| self.draw_into(to, index, &mut b));
                if drawn.is_ok() {
                    let sec = &self.plan.sections[to];
                    let (kind, softness) = sec.enter.expect("a transition window has a kind");
                    let w = sec.clock.enter.expect("View::Two has a window");
                    let mix = Mix {
                        kind,
                        progress: w.progress(index),
                        switched: index >= sec.clock.cut,
                        softness,
                        seed: sec.seed,
                        frame: index,
                    };
                    blend(&a, &b, &mix, out);
                }
                self.a = a;
                self.b = b;
                drawn?;
            }
        }
        Ok(())
    }

    fn draw_into(
        &mut self,
        section: usize,
        index: u64,
        frame: &mut Frame,
    ) -> Result<(), SceneError> {
        let live = self.ready(section, index)?;
        live.scene.render(index, frame);
        live.next = index + 1;
        Ok(())
    }

    /// The live scene of `section`, built if needed and advanced to just before `index`.
    fn ready(&mut self, section: usize, index: u64) -> Result<&mut Live, SceneError> {
        let pos = match self
            .live
            .iter()
            .position(|l| l.section == section && l.next <= index)
        {
            Some(p) => p,
            None => {
                self.live.retain(|l| l.section != section);
                let planned = &self.plan.sections[section];
                let mut scene = Scene::with_clock(
                    &self.looks[planned.look],
                    self.width,
                    self.height,
                    self.seed,
                    &self.fonts,
                    self.features.clone(),
                    &planned.clock,
                )?;
                scene.set_particle_tier(self.particles);
                if let Some(f) = &self.video_options {
                    scene.set_video_options(f);
                }
                self.live.push(Live {
                    section,
                    scene,
                    next: planned.clock.first_frame(),
                    video_seen: 0,
                    video_spare: Frame::new(0, 0),
                });
                self.live.len() - 1
            }
        };
        let live = &mut self.live[pos];
        if self.video_gen > live.video_seen && live.scene.has_video_layers() {
            let v = &self.video;
            let spare = &mut live.video_spare;
            spare.width = v.width;
            spare.height = v.height;
            spare.data.clear();
            spare.data.extend_from_slice(&v.data);
            live.scene.set_video_frame(spare);
            live.video_seen = self.video_gen;
        }
        // replay the frames this scene has not seen (only when a render starts mid-section)
        if live.next < index && live.scene.needs_pixel_history() && self.scratch.data.is_empty() {
            self.scratch = Frame::new(self.width, self.height);
        }
        while live.next < index {
            if live.scene.needs_pixel_history() {
                live.scene.render(live.next, &mut self.scratch);
            } else {
                live.scene.update(live.next);
            }
            live.next += 1;
        }
        Ok(live)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn setup(src: &str, secs: f64) -> (Timeline, Arc<Features>) {
        let t = Timeline::parse(src, "t.toml", Path::new(".")).unwrap();
        let f = Arc::new(crate::audio::synthetic_features(120.0, 12.0, secs, 4));
        (t, f)
    }

    fn frames(t: &Timeline, f: &Arc<Features>, range: std::ops::Range<u64>) -> Vec<Frame> {
        let plan = Plan::new(t, f, 9).unwrap();
        let mut p = Player::new(t, plan, 96, 54, 9, &FontChain::bundled(), f.clone()).unwrap();
        range
            .map(|i| {
                let mut out = Frame::new(96, 54);
                p.render(i, &mut out).unwrap();
                out
            })
            .collect()
    }

    const SHOW: &str = "transition = { kind = \"dissolve\", duration = \"2 beats\" }\n[[sections]]\npreset = \"tunnel\"\n[[sections]]\nstart = 1.5\npreset = \"matrix\"\n[[sections]]\nstart = 3\npreset = \"voronoi-glass\"\ntransition = { kind = \"glitch_cut\", duration = 0.5 }\n";

    #[test]
    fn shards_equal_one_pass_including_feedback_and_stateful_effects() {
        let (t, f) = setup(SHOW, 4.5);
        let n = f.len() as u64;
        let whole = frames(&t, &f, 0..n);
        // split inside a section, inside a transition and on a cut
        for cuts in [[7u64, 17, 33], [12, 18, 36], [1, 30, 40]] {
            let mut joined = Vec::new();
            let mut at = 0;
            for c in cuts.into_iter().chain([n]) {
                joined.extend(frames(&t, &f, at..c));
                at = c;
            }
            assert_eq!(joined.len(), whole.len());
            for (k, (x, y)) in whole.iter().zip(&joined).enumerate() {
                assert!(x == y, "frame {k} differs with shards at {cuts:?}");
            }
        }
    }

    #[test]
    fn a_plain_preset_plays_exactly_like_its_scene() {
        let preset = crate::scene::preset::resolve("tunnel").unwrap();
        let f = Arc::new(crate::audio::synthetic_features(120.0, 12.0, 2.0, 4));
        let t = Timeline::single(preset.clone());
        let mut scene = Scene::new(&preset, 96, 54, 9, &FontChain::bundled(), f.clone()).unwrap();
        let got = frames(&t, &f, 0..f.len() as u64);
        for (i, g) in got.iter().enumerate() {
            let mut want = Frame::new(96, 54);
            scene.render(i as u64, &mut want);
            assert!(*g == want, "frame {i}");
        }
    }

    #[test]
    fn sections_change_the_picture_on_their_cut() {
        let (t, f) = setup(
            "[[sections]]\npreset = \"inferno\"\n[[sections]]\nstart = 1\npreset = \"matrix\"\n",
            2.0,
        );
        let fr = frames(&t, &f, 0..f.len() as u64);
        let diff = |a: &Frame, b: &Frame| {
            a.data
                .iter()
                .zip(&b.data)
                .map(|(x, y)| x.abs_diff(*y) as u64)
                .sum::<u64>()
        };
        let jumps: Vec<u64> = fr.windows(2).map(|w| diff(&w[0], &w[1])).collect();
        let biggest = (0..jumps.len()).max_by_key(|&k| jumps[k]).unwrap();
        assert_eq!(biggest + 1, 12, "the cut at 1 s is frame 12: {jumps:?}");
    }
}
