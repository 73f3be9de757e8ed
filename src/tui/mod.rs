//! `asciivid preview` and `asciivid play`: the live terminal app.
//!
//! Elm-style: a [`model::Model`], the messages that change it ([`model::Msg`]), one
//! [`model::update`] function, and a [`view::view`] that only draws. One event channel is fed by
//! the input thread (keys, resizes), the render thread (frames, see [`render`]) and the preset
//! file watcher ([`watch`]); the UI thread applies each message and redraws through the
//! [`crate::term`] sink.

pub mod audio_out;
pub mod clock;
pub mod knobs;
pub mod model;
pub mod pane;
pub mod render;
pub mod run;
pub mod source;
pub mod terminal;
pub mod video;
pub mod view;
pub mod watch;

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Result, bail};

use crate::glyph::FontChain;
use crate::scene::preset::{builtin_presets, resolve};
use crate::term::ColorMode;
use model::{Model, Origin, RenderArgs};
use source::{SceneSource, Source};

/// Generative preview length when `--duration` is not given.
pub const GENERATIVE_SECONDS: f64 = 60.0;

/// Everything `preview` needs, resolved from the command line.
pub struct PreviewOptions {
    /// Audio to play and react to, or a visual input to show (`None`: generative mode).
    pub input: Option<PathBuf>,
    /// Preset name or path (`None`: `default`, or `video` for a visual input).
    pub preset: Option<String>,
    /// Render seed.
    pub seed: u64,
    /// Start offset into the input, seconds.
    pub start: f64,
    /// Length to play, seconds (generative default: [`GENERATIVE_SECONDS`]).
    pub duration: Option<f64>,
    /// Colour depth (`None`: from COLORTERM/TERM).
    pub color: Option<ColorMode>,
    /// Write what the pane shows to this asciicast file.
    pub record: Option<PathBuf>,
    /// Frames per second (features and display).
    pub fps: f64,
    /// Render size in pixels (grids, pixels mode, and what `render --resolution` must match).
    pub resolution: (usize, usize),
    /// Tempo of generative mode.
    pub bpm: f32,
    /// Fonts.
    pub fonts: FontChain,
    /// Measure on a fake terminal of this size instead of drawing (prints a report).
    pub headless: Option<(u16, u16)>,
    /// Start in pixels (half-block) mode rather than cells.
    pub pixels: bool,
    /// 24-bit colour changes up to this much per channel are not redrawn.
    pub tolerance: u8,
    /// Headless only: step a parameter this often and report how soon each edit is visible.
    pub edit_every: Option<f64>,
}

/// Everything `play` needs.
pub struct PlayOptions {
    /// The file to play.
    pub input: PathBuf,
    /// How video frames become cells (glyph mode, background, dither).
    pub convert: crate::video::ConvertOptions,
    /// Character palette of the conversion: a name or a palette TOML file.
    pub palette: String,
    /// Start offset, seconds.
    pub start: f64,
    /// Length to play, seconds.
    pub duration: Option<f64>,
    /// Colour depth.
    pub color: Option<ColorMode>,
    /// asciicast output.
    pub record: Option<PathBuf>,
    /// Start in pixels (half-block) mode rather than cells.
    pub pixels: bool,
    /// Measure on a fake terminal of this size instead of drawing (prints a report).
    pub headless: Option<(u16, u16)>,
    /// 24-bit colour changes up to this much per channel are not redrawn.
    pub tolerance: u8,
}

fn launch(app: run::App, headless: Option<(u16, u16)>) -> Result<()> {
    match headless {
        Some((w, h)) => {
            let mode = app.model.mode.name();
            let color = app.color.name();
            let r = run::headless(app, w, h)?;
            println!("{} ({mode}, {color})", r.summary(w, h));
            Ok(())
        }
        None => run::run(app),
    }
}

fn origin_of(name_or_path: &str) -> Origin {
    if builtin_presets().iter().any(|b| b.name == name_or_path) {
        Origin::Builtin(name_or_path.to_string())
    } else {
        Origin::File(PathBuf::from(name_or_path))
    }
}

/// Run `asciivid preview`.
pub fn preview(o: PreviewOptions) -> Result<()> {
    if o.headless.is_none() {
        terminal::require_tty("preview")?;
    }
    let visual = match &o.input {
        Some(input) => crate::video::probe_input(input)?,
        None => None,
    };
    let name = o
        .preset
        .clone()
        .unwrap_or_else(|| if visual.is_some() { "video" } else { "default" }.into());
    let mut preset = resolve(&name)?;
    let origin = origin_of(&name);
    let (w, h) = o.resolution;
    let mut feed = None;
    let (features, playback, duration) = match (&o.input, visual) {
        (Some(_), Some(v)) => {
            // a video, image or image sequence: shown by the preset's video layers
            preset = crate::pipeline::video_preset(preset, None)?;
            let job = crate::pipeline::VideoJob {
                input: v.clone(),
                start: o.start,
                duration: o.duration,
                fit: crate::video::Fit::Contain,
                search: crate::video::Search::Fast,
            };
            eprintln!("analyzing {} …", v.display());
            let (f, _) = crate::pipeline::analyze_video(&job, w, h, o.fps)?;
            let secs = f.duration;
            feed = Some(crate::video::VideoFeed::new(
                v.clone(),
                job.reader_spec(w, h, o.fps),
                f.len() as u64,
            ));
            let playback = v
                .audio_path()
                .map(|p| audio_out::open(p, o.start, secs))
                .unwrap_or_else(|| audio_out::Playback::silent(None));
            (f, Some(playback), Some(secs))
        }
        (Some(input), None) => {
            eprintln!("analyzing {} …", input.display());
            let (f, _) = crate::pipeline::analyze_file(input, o.fps, o.start, o.duration)?;
            let secs = f.duration;
            (f, Some(audio_out::open(input, o.start, secs)), o.duration)
        }
        (None, _) => {
            if o.start > 0.0 {
                bail!("--start needs an input file (generative mode has no input to seek in)");
            }
            let d = o.duration.unwrap_or(GENERATIVE_SECONDS);
            (
                crate::audio::synthetic_features(o.bpm, o.fps, d, o.seed),
                None,
                Some(d),
            )
        }
    };
    if features.is_empty() {
        bail!("nothing to preview: the input is shorter than one frame");
    }
    let features = Arc::new(features);
    let mut source = SceneSource::new(preset.clone(), features.clone(), o.fonts, w, h, o.seed)?
        .with_text_start(o.start)?;
    if let Some(f) = feed {
        source = source.with_video(f);
    }
    let args = RenderArgs {
        input: o.input.clone(),
        bpm: o.bpm,
        start: o.start,
        duration,
        fps: o.fps,
        width: w,
        height: h,
        seed: o.seed,
    };
    let mut model = Model::new(preset, origin.clone(), args, true);
    model.duration = features.duration;
    if o.pixels {
        model.mode = pane::PaneMode::Pixels;
    }
    let playback = playback.unwrap_or_else(|| audio_out::Playback::silent(None));
    let watch = match &origin {
        Origin::File(p) => Some(p.clone()),
        Origin::Builtin(_) => None,
    };
    let app = run::App {
        model,
        source: Source::Scene(Box::new(source)),
        playback,
        color: o.color.unwrap_or_else(ColorMode::from_env),
        record: o.record,
        watch,
        tolerance: o.tolerance,
        edit_every: o
            .edit_every
            .map(|s| std::time::Duration::from_secs_f64(s.max(0.01))),
    };
    launch(app, o.headless)
}

/// Run `asciivid play`.
pub fn play(o: PlayOptions) -> Result<()> {
    let Some(info) = video::probe_video(&o.input)? else {
        bail!(
            "{} has no video stream: `asciivid play` plays videos; for visuals that react to this audio run `asciivid preview {}`",
            o.input.display(),
            o.input.display()
        );
    };
    if o.headless.is_none() {
        terminal::require_tty("play")?;
    }
    let preset = resolve("default")?;
    let conv = video::converter(&o.palette, o.convert)?;
    let look = Some(format!(
        "{}/{}",
        crate::video::GlyphMode::NAMES[o.convert.glyphs as usize],
        o.palette
    ));
    let v = video::VideoFrames::new(&o.input, info, o.start, o.duration, conv);
    let secs = v.frames() as f64 / v.fps();
    let source = Source::Video(Box::new(v));
    if source.frames() == 0 {
        bail!(
            "nothing to play: {} is shorter than one frame after --start",
            o.input.display()
        );
    }
    let playback = audio_out::open(&o.input, o.start, secs);
    let mut model = Model::new(
        preset,
        Origin::Builtin("default".into()),
        RenderArgs::default(),
        false,
    );
    model.duration = secs;
    model.look = look;
    if o.pixels {
        model.mode = pane::PaneMode::Pixels;
    }
    let app = run::App {
        model,
        source,
        playback,
        color: o.color.unwrap_or_else(ColorMode::from_env),
        record: o.record,
        watch: None,
        tolerance: o.tolerance,
        edit_every: None,
    };
    launch(app, o.headless)
}
