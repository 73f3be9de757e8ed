//! The offline render: analyze → scene → frames → sink, with progress and per-stage timing.

pub mod profile;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::audio::{AnalysisParams, analyze};
use crate::features::Features;
use crate::frame::Frame;
use crate::glyph::FontChain;
use crate::media::decode::decode_audio;
use crate::media::sink::{EncodeSettings, FrameSink, GifSink, OutputKind, SinkReport, open_sink};
use crate::media::yuv::Chroma;
use crate::scene::{Preset, Scene};

pub use profile::{Aspect, Profile, Quality, parse_resolution};

/// Set by the Ctrl-C handler; the render loop checks it every frame.
pub static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Features of an audio file at `fps`, and how long decoding and analysis took.
pub fn analyze_file(
    path: &Path,
    fps: f64,
    start: f64,
    duration: Option<f64>,
) -> Result<(Features, Duration)> {
    let t = Instant::now();
    let params = AnalysisParams::default();
    let samples = decode_audio(path, params.sample_rate, start, duration)?;
    if samples.is_empty() {
        bail!(
            "{} has no audio samples{}: give a file with sound, or a shorter --start",
            path.display(),
            if start > 0.0 { " after --start" } else { "" }
        );
    }
    let features = analyze(&samples, params.sample_rate, fps, &params);
    Ok((features, t.elapsed()))
}

/// Everything a render needs, resolved from the command line.
pub struct RenderJob {
    /// The look.
    pub preset: Preset,
    /// The track's features (one row per output frame).
    pub features: Arc<Features>,
    /// Audio to mux into the output: file, start offset, duration.
    pub audio: Option<(PathBuf, f64, f64)>,
    /// Final output path.
    pub output: PathBuf,
    /// Output size, rate and encoder settings.
    pub profile: Profile,
    /// Chroma subsampling.
    pub chroma: Chroma,
    /// ProRes alpha.
    pub alpha: bool,
    /// Render threads.
    pub workers: usize,
    /// Seed.
    pub seed: u64,
    /// Fonts.
    pub fonts: FontChain,
    /// Write an animated GIF with the built-in encoder (no ffmpeg).
    pub builtin_gif: bool,
    /// Show a progress bar.
    pub progress: bool,
}

/// Timing of one render, per stage.
#[derive(Clone, Debug, Default)]
pub struct RenderReport {
    /// Frames written.
    pub frames: u64,
    /// Decode + analysis time.
    pub analyze: Duration,
    /// Time spent rendering frames (scene, raster, shaders).
    pub render: Duration,
    /// Time spent converting to YUV.
    pub convert: Duration,
    /// Time the renderer waited for the encoder.
    pub encode_wait: Duration,
    /// Wall time of the frame loop.
    pub wall: Duration,
}

impl RenderReport {
    /// The one-paragraph summary printed after a render.
    pub fn summary(&self) -> String {
        let f = self.frames.max(1) as f64;
        let ms = |d: Duration| d.as_secs_f64() * 1000.0 / f;
        let fps = self.frames as f64 / self.wall.as_secs_f64().max(1e-9);
        let bottleneck = if self.encode_wait > self.render / 4 {
            "encode (the renderer waited for ffmpeg)"
        } else {
            "render"
        };
        format!(
            "{} frames in {:.1} s ({fps:.1} fps) | analyze {:.2} s | render {:.2} ms/frame | yuv {:.2} ms/frame | waiting for encoder {:.2} ms/frame | bottleneck: {bottleneck}",
            self.frames,
            self.wall.as_secs_f64(),
            self.analyze.as_secs_f64(),
            ms(self.render),
            ms(self.convert),
            ms(self.encode_wait),
        )
    }
}

fn progress_bar(n: u64, enabled: bool) -> indicatif::ProgressBar {
    if !enabled {
        return indicatif::ProgressBar::hidden();
    }
    let pb = indicatif::ProgressBar::new(n);
    pb.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} frames {per_sec} ETA {eta}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    pb
}

/// Render every frame of `job` into its output.
pub fn render(job: RenderJob) -> Result<RenderReport> {
    let p = job.profile;
    let n = job.features.len() as u64;
    if n == 0 {
        bail!("nothing to render: the input is shorter than one frame");
    }
    let kind = if job.builtin_gif {
        OutputKind::Gif
    } else {
        OutputKind::from_path(&job.output)?
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(job.workers.max(1))
        .thread_name(|i| format!("render-{i}"))
        .build()
        .context("cannot start render threads")?;
    let mut scene = Scene::new(
        &job.preset,
        p.width,
        p.height,
        job.seed,
        &job.fonts,
        job.features.clone(),
    )?;
    for (pal, m) in scene.missing_glyphs() {
        eprintln!(
            "warning: palette `{pal}` has {m}, which no font can draw (it renders blank); pass --font with a font that has it"
        );
    }
    let settings = EncodeSettings {
        width: p.width,
        height: p.height,
        fps: p.fps,
        crf: p.crf,
        preset: p.encoder_preset.to_string(),
        chroma: job.chroma,
        alpha: job.alpha,
        audio: job.audio.clone(),
    };
    let mut sink: Box<dyn FrameSink> = if job.builtin_gif {
        Box::new(GifSink::new(&job.output, p.width, p.height, p.fps)?)
    } else {
        open_sink(&job.output, kind, &settings)?
    };
    let pb = progress_bar(n, job.progress);
    let mut report = RenderReport::default();
    let mut frame = Frame::new(p.width, p.height);
    let wall = Instant::now();
    let result: Result<()> = pool.install(|| {
        for i in 0..n {
            if INTERRUPTED.load(Ordering::Relaxed) {
                bail!("interrupted: no output written");
            }
            let t = Instant::now();
            scene.render(i, &mut frame);
            report.render += t.elapsed();
            sink.write_frame(&frame)?;
            pb.inc(1);
        }
        Ok(())
    });
    pb.finish_and_clear();
    if let Err(e) = result {
        sink.abort();
        return Err(e);
    }
    let sr: SinkReport = sink.finish()?;
    report.frames = sr.frames;
    report.convert = sr.convert;
    report.encode_wait = sr.wait;
    report.wall = wall.elapsed();
    Ok(report)
}

/// Render frame `index` exactly as the full render would (earlier frames are replayed for
/// stateful effects and feedback) and return it.
#[allow(clippy::too_many_arguments)] // mirrors Scene::new's inputs plus the frame and threads
pub fn render_still(
    preset: &Preset,
    features: Arc<Features>,
    width: usize,
    height: usize,
    seed: u64,
    fonts: &FontChain,
    index: u64,
    workers: usize,
) -> Result<Frame> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(workers.max(1))
        .build()?;
    let mut scene = Scene::new(preset, width, height, seed, fonts, features)?;
    let mut frame = Frame::new(width, height);
    // Without feedback only the effects carry state, and they advance at cell resolution, so
    // earlier frames need no pixels.
    let pixels_needed = preset.feedback.as_ref().is_some_and(|f| f.enabled);
    pool.install(|| {
        for i in 0..index {
            if pixels_needed {
                scene.render(i, &mut frame);
            } else {
                scene.update(i);
            }
        }
        scene.render(index, &mut frame);
    });
    Ok(frame)
}
