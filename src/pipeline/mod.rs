//! The offline render: analyze → scene → frames → sink, with progress and per-stage timing.

pub mod profile;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::audio::{ANALYSIS_VERSION, AnalysisParams, analyze};
use crate::cache::{AnalysisCache, Lookup, Request};
use crate::features::Features;
use crate::frame::Frame;
use crate::glyph::FontChain;
use crate::media::decode::decode_audio;
use crate::media::sink::{EncodeSettings, FrameSink, GifSink, OutputKind, SinkReport, open_sink};
use crate::media::yuv::Chroma;
use crate::scene::Preset;
use crate::scene::timeline::{Plan, Player, Timeline};
use crate::video::analysis::{apply as apply_video_features, measure_input};
use crate::video::{Fit, FrameReader, Next, ReaderSpec, Search, VideoInput};

pub use profile::{Aspect, Profile, Quality, parse_resolution};

/// Set by the Ctrl-C handler; the render loop checks it every frame.
pub static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// The features of one input and how they were obtained.
#[derive(Clone, Debug)]
pub struct Analysis {
    /// One row per output frame.
    pub features: Features,
    /// Wall time of decoding + analysis (or of the cache lookup).
    pub took: Duration,
    /// Whether the table came from the analysis cache.
    pub lookup: Lookup,
}

/// Decode and analyse `path` (from `start`, for `duration` seconds) at `fps`, without the
/// cache.
fn decode_and_analyze(
    path: &Path,
    fps: f64,
    start: f64,
    duration: Option<f64>,
    params: &AnalysisParams,
) -> Result<Features> {
    let samples = decode_audio(path, params.sample_rate, start, duration)?;
    if samples.is_empty() {
        bail!(
            "{} has no audio samples{}: give a file with sound, or a shorter --start",
            path.display(),
            if start > 0.0 { " after --start" } else { "" }
        );
    }
    Ok(analyze(&samples, params.sample_rate, fps, params))
}

/// Features of an audio file at `fps`, from the user's analysis cache when this file was
/// analysed with the same settings before (see [`crate::cache`]).
pub fn analyze_file_cached(
    path: &Path,
    fps: f64,
    start: f64,
    duration: Option<f64>,
) -> Result<Analysis> {
    let t = Instant::now();
    let params = AnalysisParams::default();
    let request = Request {
        fps,
        start,
        duration,
        params: &params,
        version: ANALYSIS_VERSION,
    };
    let (features, lookup) = AnalysisCache::user().get_or_analyze(path, &request, || {
        decode_and_analyze(path, fps, start, duration, &params)
    })?;
    Ok(Analysis {
        features,
        took: t.elapsed(),
        lookup,
    })
}

/// Features of an audio file at `fps`, and how long decoding and analysis (or the cache
/// lookup) took.
pub fn analyze_file(
    path: &Path,
    fps: f64,
    start: f64,
    duration: Option<f64>,
) -> Result<(Features, Duration)> {
    analyze_file_cached(path, fps, start, duration).map(|a| (a.features, a.took))
}

/// The visual input of a render and how to decode it.
#[derive(Clone, Debug, PartialEq)]
pub struct VideoJob {
    /// The video, image or image sequence.
    pub input: VideoInput,
    /// Seconds into the input.
    pub start: f64,
    /// Seconds to render (None: the whole input; a still image needs one).
    pub duration: Option<f64>,
    /// Letterbox or crop when the aspect ratios differ.
    pub fit: Fit,
    /// Shape search effort (from the quality profile).
    pub search: Search,
}

impl VideoJob {
    /// The decode of this job at an output size and rate.
    pub fn reader_spec(&self, width: usize, height: usize, fps: f64) -> ReaderSpec {
        ReaderSpec {
            width,
            height,
            fps,
            start: self.start,
            duration: self.duration,
            fit: self.fit,
        }
    }
}

/// Features of a visual input at `fps`: its video features, plus the audio features of its
/// sound track when it has one (all zeros otherwise: a silent input does not pretend to have
/// a beat). The video decides the frame count; a still image lasts `duration` (default 5 s).
pub fn analyze_video(
    job: &VideoJob,
    width: usize,
    height: usize,
    fps: f64,
) -> Result<(Features, Duration)> {
    let t = Instant::now();
    let still_frames = (job.duration.unwrap_or(5.0) * fps).round().max(1.0) as usize;
    let rows = measure_input(
        &job.input,
        &job.reader_spec(width, height, fps),
        still_frames,
    )?;
    if rows.is_empty() {
        bail!(
            "{} has no video frames in the requested range: check --start and --duration",
            job.input.display()
        );
    }
    let secs = rows.len() as f64 / fps;
    let mut features = match job.input.audio_path() {
        Some(path) => {
            let params = AnalysisParams::default();
            let request = Request {
                fps,
                start: job.start,
                duration: Some(secs),
                params: &params,
                version: ANALYSIS_VERSION,
            };
            let (audio, _) = AnalysisCache::user().get_or_analyze(path, &request, || {
                let samples = decode_audio(path, params.sample_rate, job.start, Some(secs))?;
                anyhow::Ok(if samples.is_empty() {
                    Features::empty(fps)
                } else {
                    analyze(&samples, params.sample_rate, fps, &params)
                })
            })?;
            audio
        }
        None => Features::empty(fps),
    };
    apply_video_features(&mut features, &rows);
    Ok((features, t.elapsed()))
}

/// `preset` ready for a visual input: with a video layer at the bottom when it has none (so
/// any look can be laid over a video), and `palette`, when given, on every video layer.
pub fn video_preset(mut preset: Preset, palette: Option<&str>) -> Result<Preset> {
    if !preset.layers.iter().any(|l| l.is_video()) {
        let base = Preset::parse(
            "[[layers]]\neffect = \"video\"\nblend = \"normal\"\n",
            "the inserted video layer",
        )?;
        preset.layers.insert(0, base.layers[0].clone());
    }
    if let Some(p) = palette {
        crate::video::check_palette(p)?;
        for l in preset.layers.iter_mut().filter(|l| l.is_video()) {
            // a real span marks the palette as chosen, not defaulted
            l.palette = toml::Spanned::new(0..1, p.to_string());
        }
    }
    Ok(preset)
}

/// Everything a render needs, resolved from the command line.
pub struct RenderJob {
    /// The look: a timeline of sections (a plain preset is one section).
    pub timeline: Timeline,
    /// Output frames to render, `start..end` of the track's frames (None: all). Every shard
    /// of a track gives exactly the frames one pass would.
    pub frames: Option<std::ops::Range<u64>>,
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
    /// Decode + analysis time (or the cache lookup's).
    pub analyze: Duration,
    /// The features came from the analysis cache.
    pub analyze_cached: bool,
    /// Time spent rendering frames (scene, raster, shaders).
    pub render: Duration,
    /// Time spent converting to YUV.
    pub convert: Duration,
    /// Time the renderer waited for decoded video frames.
    pub decode_wait: Duration,
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
        let decode = if self.decode_wait.is_zero() {
            String::new()
        } else {
            format!(" | waiting for video {:.2} ms/frame", ms(self.decode_wait))
        };
        let cached = if self.analyze_cached { " (cached)" } else { "" };
        format!(
            "{} frames in {:.1} s ({fps:.1} fps) | analyze {:.2} s{cached}{decode} | render {:.2} ms/frame | yuv {:.2} ms/frame | waiting for encoder {:.2} ms/frame | bottleneck: {bottleneck}",
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
    render_with_video(job, None)
}

/// The frames of a track to render: `range`, checked against the track's `n` frames.
pub fn frame_range(range: Option<std::ops::Range<u64>>, n: u64) -> Result<std::ops::Range<u64>> {
    let r = range.unwrap_or(0..n);
    if r.start >= r.end || r.end > n {
        bail!(
            "--frames {}..{} is outside the track's {n} frames (0..{n}): give START..END with START < END <= {n}",
            r.start,
            r.end
        );
    }
    Ok(r)
}

/// Place `timeline` on the track and get a player ready at `width`×`height`, with warnings for
/// sections past the end and characters no font can draw.
pub fn player(
    timeline: &Timeline,
    features: Arc<Features>,
    width: usize,
    height: usize,
    seed: u64,
    fonts: &FontChain,
) -> Result<Player> {
    let plan = Plan::new(timeline, &features, seed)?;
    if plan.dropped > 0 {
        eprintln!(
            "note: {} of {}'s sections start after the end of the track and are not rendered",
            plan.dropped, timeline.name
        );
    }
    let player = Player::new(timeline, plan, width, height, seed, fonts, features)?;
    for (pal, m) in player.missing_glyphs() {
        eprintln!(
            "warning: palette `{pal}` has {m}, which no font can draw (it renders blank); pass --font with a font that has it"
        );
    }
    Ok(player)
}

/// Render every frame of `job` (or its `frames`), feeding the frames of `video` to the scenes'
/// video layers.
pub fn render_with_video(job: RenderJob, video: Option<&VideoJob>) -> Result<RenderReport> {
    let p = job.profile;
    let n = job.features.len() as u64;
    if n == 0 {
        bail!("nothing to render: the input is shorter than one frame");
    }
    let range = frame_range(job.frames.clone(), n)?;
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
    let mut scene = player(
        &job.timeline,
        job.features.clone(),
        p.width,
        p.height,
        job.seed,
        &job.fonts,
    )?;
    scene.set_particle_tier(p.particles);
    let mut reader = match video {
        Some(v) => {
            let search = v.search;
            scene.set_video_options(move |o| o.search = search);
            // a shard starts decoding at its first frame
            let from = VideoJob {
                start: v.start + range.start as f64 / p.fps,
                duration: v
                    .duration
                    .map(|d| (d - range.start as f64 / p.fps).max(0.0)),
                ..v.clone()
            };
            Some(FrameReader::open(
                &from.input,
                &from.reader_spec(p.width, p.height, p.fps),
            )?)
        }
        None => None,
    };
    let mut video_frame = Frame::new(p.width, p.height);
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
    let pb = progress_bar(range.end - range.start, job.progress);
    let mut report = RenderReport::default();
    let mut frame = Frame::new(p.width, p.height);
    let wall = Instant::now();
    let result: Result<()> = pool.install(|| {
        for i in range.clone() {
            if INTERRUPTED.load(Ordering::Relaxed) {
                bail!("interrupted: no output written");
            }
            if let Some(r) = reader.as_mut() {
                let t = Instant::now();
                // past the last decoded frame the scene keeps showing it
                if r.next_frame(&mut video_frame)? == Next::New {
                    scene.set_video_frame(&mut video_frame);
                }
                report.decode_wait += t.elapsed();
            }
            let t = Instant::now();
            scene.render(i, &mut frame)?;
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
    render_timeline_still(
        &Timeline::single(preset.clone()),
        features,
        width,
        height,
        seed,
        fonts,
        index,
        workers,
        None,
        crate::effects::ParticleTier::High,
    )
}

/// Frame `index` of a timeline exactly as the full render would draw it: the sections shown
/// replay from their first frame. With `video`, the video frame at `index` is fed to the video
/// layers (decoded directly at its time: earlier frames are not decoded). `particles` is the
/// render profile's particle cap, so the still matches the render it previews.
#[allow(clippy::too_many_arguments)] // render_still's inputs plus the video and the cap
pub fn render_timeline_still(
    timeline: &Timeline,
    features: Arc<Features>,
    width: usize,
    height: usize,
    seed: u64,
    fonts: &FontChain,
    index: u64,
    workers: usize,
    video: Option<&VideoJob>,
    particles: crate::effects::ParticleTier,
) -> Result<Frame> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(workers.max(1))
        .build()?;
    let fps = features.fps;
    let mut scene = player(timeline, features, width, height, seed, fonts)?;
    scene.set_particle_tier(particles);
    if let Some(v) = video {
        let search = v.search;
        scene.set_video_options(move |o| o.search = search);
        let at = VideoJob {
            start: v.start + index as f64 / fps.max(1e-9),
            duration: None,
            ..v.clone()
        };
        let mut reader = FrameReader::open(&at.input, &at.reader_spec(width, height, fps))?;
        let mut vf = Frame::new(width, height);
        if reader.next_frame(&mut vf)? == Next::New {
            scene.set_video_frame(&mut vf);
        }
    }
    let mut frame = Frame::new(width, height);
    pool.install(|| scene.render(index, &mut frame))?;
    Ok(frame)
}
