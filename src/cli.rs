//! Command-line interface (clap derive). Parses arguments and hands typed settings to the
//! library; no rendering logic lives here.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::audio::{AnalysisParams, synth_demo_track, synthetic_features};
use crate::features::Features;
use crate::glyph::FontChain;
use crate::media::sink::{OutputKind, write_png};
use crate::media::yuv::Chroma;
use crate::pipeline::{self, Aspect, Quality, RenderJob, parse_resolution};
use crate::scene::timeline::{self, Timeline};

const RENDER_EXAMPLES: &str = "Examples:
  asciivid render song.mp3 -o video.mp4 --preset neon-rings --quality production
  asciivid render song.flac -o draft.mp4 --quality draft --start 30 --duration 10
  asciivid render song.mp3 -o clip.webm --resolution 1280x720 --fps 30 --seed 7
  asciivid render song.mp3 --preset my-look.toml --test-frame 42.5
  asciivid render song.mp3 --preset tunnel --lyrics song.srt -o karaoke.mp4   (timed text over any look; .srt or .lrc)
  asciivid render song.mp3 --lyrics song.lrc --lyrics-mode typewriter --lyrics-position center
  asciivid render song.mp3 --preset lyric-stencil.toml -o stencil.mp4   (a preset's own text layer: docs/TEXT.md)
  asciivid render song.mp3 --preset news.toml   (text layers with mode = \"ticker\", \"beat_words\", \"messages\", \"error_stamps\": asciivid list text)
  asciivid render song.mp3 --preset showcase -o show.mp4      (a built-in timeline: sections cut on the beat)
  asciivid render song.mp3 --preset my-show.toml --show-timeline   (print where the sections fall, render nothing)
  asciivid render song.mp3 --preset my-show.toml --frames 0..1200 -o part1.y4m   (a shard: frames 0-1199 exactly as in one pass)
  asciivid render --bpm 128 --duration 20 -o generative.mp4   (no input: generative mode)
  asciivid render clip.mp4 -o clip.ascii.mp4 --glyphs shape --background source
  asciivid render clip.mp4 --preset tunnel --start 12 --duration 8   (video under an audio-reactive preset)
  asciivid render photo.jpg --glyphs edges --duration 4 -o photo.mp4
  asciivid render 'frames/*.png' --fps 12 -o frames.mp4";

const DEMO_EXAMPLES: &str = "Examples:
  asciivid demo                       # writes demo.mp4 (or demo.gif without ffmpeg)
  asciivid demo -o intro.mp4 --preset matrix --quality production";

const PREVIEW_EXAMPLES: &str = "Examples:
  asciivid preview                                   # generative: a synthetic 120 BPM track, no input
  asciivid preview song.mp3 --preset tunnel          # tune a look to a song, in time with it
  asciivid preview song.mp3 --preset my-look.toml    # edits to my-look.toml reload live; `s` saves back
  asciivid preview clip.mp4 --preset hybrid.toml     # a video as a layer (source = \"video\") under reactive ones
  asciivid preview --color 256 --fps 60 --record session.cast
Keys: j/k select, ←/→ change (shift: coarse), enter modulation, t toggle, p palette,
P preset, m cells/pixels, space pause, [ ] seek, s save, ? help, q quit.
Sound needs a build with `--features audio` (see README); otherwise preview runs silently.";

const PLAY_EXAMPLES: &str = "Examples:
  asciivid play clip.mp4                          # coloured ASCII (luminance ramp), in time with its sound
  asciivid play clip.mp4 --glyphs edges           # line glyphs where the picture has edges
  asciivid play clip.mp4 --glyphs shape --palette classic   # best-fitting glyph per cell
  asciivid play clip.mp4 --glyphs ramp --background source  # two-colour cells
  asciivid play clip.mp4 --pixels                 # half blocks instead of characters (m switches live)
  asciivid play clip.mp4 --start 30 --duration 10 --record clip.cast
Keys: space pause, [ ] seek ±5 s, m cells/pixels, q or Ctrl-C quit.
The video is converted like `render` converts video layers (--glyphs, --palette, --background,
--dither mean the same). A file with no video stream is an error (use `asciivid preview FILE`
for visuals reacting to audio); a damaged file stops playback with a one-line error.
Sound needs a build with `--features audio` (see README); otherwise play runs silently.";

const ANALYZE_EXAMPLES: &str = "Examples:
  asciivid analyze song.mp3 > song.json            # tempo, beats, onsets, every feature per frame
  asciivid analyze song.mp3 --csv --fps 30 -o song.csv
  asciivid analyze song.mp3 --plot song.png         # spectrogram, bands, onsets, beats, tempo
Results are cached by file content in the user cache directory ($ASCIIVID_CACHE_DIR, else
~/.cache/asciivid): analysing, rendering or previewing the same file again skips the analysis.
--no-cache analyses afresh without reading or writing the cache.";

const NARRATE_EXAMPLES: &str = "Examples:
  asciivid narrate quotes.txt -o quotes.mp4                      # spoken quotes, typed on screen
  asciivid narrate quotes.txt --music bed.mp3 --duck --preset aurora -o quotes.mp4
  asciivid narrate quotes.txt --voice en-us --rate 150 --loudness -14 --text-mode fade-in
Quotes file: one quote per paragraph (blank lines between quotes), `#` starts a comment line.
Speech comes from espeak-ng, installed locally (Debian/Ubuntu: sudo apt-get install -y espeak-ng);
nothing goes over the network. The sound (speech over the music, ducked with --duck) is
normalized to --loudness LUFS with ffmpeg's loudnorm; the picture is the preset reacting to it,
with each quote shown while it is spoken (docs/TEXT.md).";

const LIST_EXAMPLES: &str = "Examples:
  asciivid list presets
  asciivid list palettes
  asciivid list effects --json
  asciivid list masks
  asciivid list transforms --json
  asciivid list moods
  asciivid list colors
  asciivid list text                 # the lyrics/text layer: display modes, positions";

/// Turn music, video and pure procedure into ASCII-art video.
#[derive(Parser, Debug)]
#[command(name = "asciivid", version, about, long_about = None, after_help = "Start with `asciivid demo`, then `asciivid render song.mp3 --preset NAME`.")]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Render an audio file (or nothing: generative mode) to an ASCII music video.
    #[command(after_help = RENDER_EXAMPLES)]
    Render(RenderArgs),
    /// Render a built-in demo track (synthesized, no files needed) to demo.mp4.
    #[command(after_help = DEMO_EXAMPLES)]
    Demo(DemoArgs),
    /// Analyze an audio file: tempo, beats, onsets and per-frame features as JSON or CSV, and a plot.
    #[command(after_help = ANALYZE_EXAMPLES)]
    Analyze(AnalyzeArgs),
    /// Live preview in the terminal: play a look in time with the music and tune it.
    #[command(after_help = PREVIEW_EXAMPLES)]
    Preview(PreviewArgs),
    /// Play a video (or an audio file with the default look) as ASCII in the terminal.
    #[command(after_help = PLAY_EXAMPLES)]
    Play(PlayArgs),
    /// Read quotes aloud (espeak-ng, offline) over music and show them as text over a preset.
    #[command(after_help = NARRATE_EXAMPLES)]
    Narrate(NarrateArgs),
    /// List presets, palettes, effects, shaders or blend modes.
    #[command(after_help = LIST_EXAMPLES)]
    List(ListArgs),
    /// Regenerate docs/CATALOGUE.md and its stills (one small PNG per shader, blend, effect, transform, mask, mood, ...).
    #[command(after_help = CATALOGUE_EXAMPLES)]
    Catalogue(CatalogueArgs),
}

const CATALOGUE_EXAMPLES: &str = "Examples:
  asciivid catalogue --out docs
  asciivid catalogue --out /tmp/cat --workers 1";

#[derive(Args, Debug)]
struct CatalogueArgs {
    /// Folder to write CATALOGUE.md and img/catalogue/ into.
    #[arg(long, default_value = "docs")]
    out: std::path::PathBuf,
    /// Worker threads (each still renders on one thread, so the images do not depend on it).
    #[arg(long, default_value_t = 2)]
    workers: usize,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
enum QualityArg {
    Draft,
    Preview,
    Production,
    Max,
    Auto,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
enum AspectArg {
    Landscape,
    Portrait,
    Square,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
enum ChromaArg {
    #[value(name = "420")]
    C420,
    #[value(name = "444")]
    C444,
}

/// Options shared by `render` and `demo`.
#[derive(Args, Debug, Clone)]
struct LookArgs {
    /// Preset or timeline: a built-in name (`asciivid list presets`) or a path to a preset or
    /// timeline TOML file (docs/TIMELINES.md) [default: `default`, or `video` for a video or
    /// image input].
    #[arg(long, short = 'p')]
    preset: Option<String>,
    /// Quality profile: draft 960x540@12, preview 1280x720@15, production 1920x1080@24, max 3840x2160@30, auto.
    #[arg(long, short = 'q', value_enum)]
    quality: Option<QualityArg>,
    /// Output size WxH (overrides the profile).
    #[arg(long, value_parser = parse_resolution)]
    resolution: Option<(usize, usize)>,
    /// Frames per second (overrides the profile).
    #[arg(long, value_parser = parse_fps)]
    fps: Option<f64>,
    /// Orientation of the profile's size.
    #[arg(long, value_enum, default_value = "landscape")]
    aspect: AspectArg,
    /// x264 constant rate factor, 0 (lossless) to 51 (overrides the profile).
    #[arg(long, value_parser = clap::value_parser!(u32).range(0..=51))]
    crf: Option<u32>,
    /// x264 preset: ultrafast, superfast, veryfast, faster, fast, medium, slow, slower, veryslow.
    #[arg(long, value_parser = ["ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow"])]
    encoder_preset: Option<String>,
    /// Chroma subsampling: 420 (plays everywhere) or 444 (sharper coloured glyphs).
    #[arg(long, value_enum, default_value = "420")]
    chroma: ChromaArg,
    /// For .mov: ProRes 4444 with alpha (black becomes transparent).
    #[arg(long)]
    alpha: bool,
    /// Render threads (default: all cores). Output is identical for any value.
    #[arg(long, short = 'j')]
    workers: Option<usize>,
    /// Seed for everything random; the same seed gives the same frames.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// A TrueType/OpenType font to draw glyphs with (the bundled fonts remain as fallbacks).
    #[arg(long)]
    font: Option<PathBuf>,
    /// Replace the output if it exists.
    #[arg(long)]
    overwrite: bool,
    /// Hide the progress bar.
    #[arg(long)]
    quiet: bool,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
enum GlyphsArg {
    Ramp,
    Edges,
    Shape,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
enum BackgroundArg {
    Black,
    Source,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
enum DitherArg {
    None,
    Ordered,
    Diffusion,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
enum FitArg {
    Contain,
    Cover,
}

/// How a video input becomes characters (applies to every video layer of the preset).
#[derive(Args, Debug, Clone)]
struct VideoArgs {
    /// Glyph choice for video: ramp (luminance), edges (line glyphs on edges), shape (best-fitting glyph).
    #[arg(long, value_enum)]
    glyphs: Option<GlyphsArg>,
    /// Behind video glyphs: black (classic ASCII) or source (a fitted colour per cell).
    #[arg(long, value_enum)]
    background: Option<BackgroundArg>,
    /// Character palette of video layers: a name (`asciivid list palettes`) or a palette TOML file [default: ascii].
    #[arg(long)]
    palette: Option<String>,
    /// Dithering of the luminance ramp (ramp and edges).
    #[arg(long, value_enum)]
    dither: Option<DitherArg>,
    /// When the video's aspect ratio differs from the output's: contain (black bars) or cover (crop).
    #[arg(long, value_enum, default_value = "contain")]
    fit: FitArg,
}

impl VideoArgs {
    fn any(&self) -> Option<&'static str> {
        if self.glyphs.is_some() {
            Some("--glyphs")
        } else if self.background.is_some() {
            Some("--background")
        } else if self.palette.is_some() {
            Some("--palette")
        } else if self.dither.is_some() {
            Some("--dither")
        } else {
            None
        }
    }
}

#[derive(Args, Debug)]
struct RenderArgs {
    /// Audio, video, image, or a folder or glob of PNG/JPEG frames; omit for generative mode (see --bpm).
    input: Option<PathBuf>,
    /// Output file: .mp4, .webm, .gif, .mov, .y4m, or a directory for PNG frames.
    #[arg(long, short = 'o')]
    output: Option<PathBuf>,
    #[command(flatten)]
    look: LookArgs,
    /// Start this many seconds into the input.
    #[arg(long, default_value_t = 0.0, value_parser = parse_seconds)]
    start: f64,
    /// Render only this many seconds.
    #[arg(long, value_parser = parse_seconds)]
    duration: Option<f64>,
    /// Tempo of generative mode (no input).
    #[arg(long, default_value_t = 120.0)]
    bpm: f32,
    /// Write one PNG still at this time (seconds) and print its mean brightness, instead of a video.
    #[arg(long, value_parser = parse_seconds)]
    test_frame: Option<f64>,
    /// Analyse again even if the analysis cache has this file (and do not store the result).
    #[arg(long)]
    no_cache: bool,
    /// Render only output frames START..END (END exclusive) of the whole track, e.g. 0..1200:
    /// shards rendered separately and joined equal one pass, frame for frame.
    #[arg(long, value_parser = parse_frames, conflicts_with = "test_frame")]
    frames: Option<std::ops::Range<u64>>,
    /// Print where the timeline's sections and transitions fall on this input (frames, bars,
    /// beats) and exit without rendering.
    #[arg(long, conflicts_with_all = ["test_frame", "frames"])]
    show_timeline: bool,
    #[command(flatten)]
    video: VideoArgs,
    #[command(flatten)]
    text: TextArgs,
}

/// Timed text over the look (`render --lyrics`).
#[derive(Args, Debug, Clone)]
struct TextArgs {
    /// Lyrics or subtitles to show over the preset: an .srt or .lrc file, timed like the song
    /// (docs/TEXT.md). Overlapping entries: each is cut where the next one starts.
    #[arg(long, value_name = "FILE.srt|FILE.lrc")]
    lyrics: Option<PathBuf>,
    /// How --lyrics appear.
    #[arg(long, value_enum, default_value = "fade-in", requires = "lyrics")]
    lyrics_mode: TextModeArg,
    /// Where --lyrics sit on screen.
    #[arg(long, value_enum, default_value = "bottom", requires = "lyrics")]
    lyrics_position: TextPositionArg,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
enum TextModeArg {
    /// All at once.
    Plain,
    /// Typed in, with a blinking cursor.
    Typewriter,
    /// Fading in and out.
    FadeIn,
    /// Dim, flashing bright on every beat.
    Flash,
    /// Letters fly in from random places.
    Scatter,
    /// Letters ride a sine wave.
    Wave,
}

impl TextModeArg {
    fn mode(self) -> crate::text::Mode {
        use crate::text::Mode;
        match self {
            TextModeArg::Plain => Mode::Plain,
            TextModeArg::Typewriter => Mode::Typewriter,
            TextModeArg::FadeIn => Mode::FadeIn,
            TextModeArg::Flash => Mode::Flash,
            TextModeArg::Scatter => Mode::Scatter,
            TextModeArg::Wave => Mode::Wave,
        }
    }
}

#[derive(ValueEnum, Clone, Copy, Debug)]
enum TextPositionArg {
    Top,
    Center,
    Bottom,
}

impl TextPositionArg {
    fn position(self) -> crate::text::Position {
        use crate::text::Position;
        match self {
            TextPositionArg::Top => Position::Top,
            TextPositionArg::Center => Position::Center,
            TextPositionArg::Bottom => Position::Bottom,
        }
    }
}

/// `--lyrics`: a text layer on top of every section, and `--start` given to every text layer
/// (the preset's own too) so cues keep the song's times. Says how many entries overlapped.
fn add_lyrics(tl: &mut Timeline, t: &TextArgs, start: f64, quiet: bool) -> Result<()> {
    if let Some(path) = &t.lyrics {
        let cues = Arc::new(crate::text::load(path)?);
        if cues.overlaps > 0 && !quiet {
            eprintln!(
                "note: {}: {} entries overlap the next one; each is shown until the next begins",
                path.display(),
                cues.overlaps
            );
        }
        let layer = crate::text::spec::overlay_layer(
            cues,
            t.lyrics_mode.mode(),
            t.lyrics_position.position(),
        );
        tl.map_presets(|p| {
            p.layers.push(layer.clone());
            Ok(())
        })?;
    }
    tl.map_presets(|p| {
        crate::text::spec::set_start(p, start);
        Ok(())
    })?;
    Ok(())
}

#[derive(Args, Debug)]
struct NarrateArgs {
    /// The quotes: UTF-8 text, one quote per paragraph (quotes separated by blank lines).
    quotes: PathBuf,
    /// Output file (.mp4, .webm, .mov, .y4m, or a folder for PNG frames) [default: QUOTES.mp4].
    #[arg(long, short = 'o')]
    output: Option<PathBuf>,
    /// Background music under the voice (looped or cut to the narration's length).
    #[arg(long, value_name = "AUDIO")]
    music: Option<PathBuf>,
    /// Lower the music while the voice speaks (sidechain compression).
    #[arg(long, requires = "music")]
    duck: bool,
    /// Level of the music under the voice, 0-1.
    #[arg(long, default_value_t = 0.35, value_parser = parse_unit)]
    music_volume: f64,
    /// Loudness of the result in LUFS (EBU R128 integrated; -16 suits the web, -23 broadcast).
    #[arg(long, default_value_t = -16.0, allow_negative_numbers = true, value_parser = parse_lufs)]
    loudness: f64,
    /// espeak-ng voice (`espeak-ng --voices` lists them).
    #[arg(long, default_value = "en")]
    voice: String,
    /// Speaking rate in words per minute.
    #[arg(long, default_value_t = 155, value_parser = clap::value_parser!(u32).range(80..=450))]
    rate: u32,
    /// Voice pitch, 0-99.
    #[arg(long, default_value_t = 45, value_parser = clap::value_parser!(u32).range(0..=99))]
    pitch: u32,
    /// Seconds of silence between quotes.
    #[arg(long, default_value_t = 1.0, value_parser = parse_seconds)]
    gap: f64,
    /// Seconds before the first quote and after the last.
    #[arg(long, default_value_t = 1.0, value_parser = parse_seconds)]
    pad: f64,
    /// How the quotes appear on screen.
    #[arg(long, value_enum, default_value = "typewriter")]
    text_mode: TextModeArg,
    /// Where the quotes sit on screen.
    #[arg(long, value_enum, default_value = "center")]
    text_position: TextPositionArg,
    #[command(flatten)]
    look: LookArgs,
}

fn parse_unit(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if (0.0..=1.0).contains(&v) => Ok(v),
        _ => Err(format!("`{s}` must be a number from 0 to 1")),
    }
}

fn parse_lufs(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if (-70.0..=-5.0).contains(&v) => Ok(v),
        _ => Err(format!(
            "`{s}` must be a loudness from -70 to -5 LUFS, e.g. -16"
        )),
    }
}

#[derive(Args, Debug)]
struct DemoArgs {
    /// Output file (default demo.mp4; demo.gif when ffmpeg is missing).
    #[arg(long, short = 'o')]
    output: Option<PathBuf>,
    #[command(flatten)]
    look: LookArgs,
    /// Length of the demo track in seconds.
    #[arg(long, default_value_t = 18.0, value_parser = parse_seconds)]
    seconds: f64,
}

#[derive(Args, Debug)]
struct AnalyzeArgs {
    /// Audio (or video with sound) to analyze.
    input: PathBuf,
    /// Frame rate of the per-frame features.
    #[arg(long, default_value_t = 24.0, value_parser = parse_fps)]
    fps: f64,
    /// Print JSON (default).
    #[arg(long, conflicts_with = "csv")]
    json: bool,
    /// Print CSV: one row per frame.
    #[arg(long)]
    csv: bool,
    /// Write the result to this file instead of stdout.
    #[arg(long, short = 'o')]
    output: Option<PathBuf>,
    /// Also draw the analysis as a PNG: spectrogram, bands, onset envelope, beats, tempo.
    #[arg(long, value_name = "PNG")]
    plot: Option<PathBuf>,
    /// Replace an existing --output or --plot file.
    #[arg(long)]
    overwrite: bool,
    /// Analyse again even if the analysis cache has this file (and do not store the result).
    #[arg(long)]
    no_cache: bool,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
enum ColorArg {
    Auto,
    Truecolor,
    #[value(name = "256")]
    C256,
    #[value(name = "16")]
    C16,
}

impl ColorArg {
    fn mode(self) -> Option<crate::term::ColorMode> {
        use crate::term::ColorMode;
        match self {
            ColorArg::Auto => None,
            ColorArg::Truecolor => Some(ColorMode::TrueColor),
            ColorArg::C256 => Some(ColorMode::Ansi256),
            ColorArg::C16 => Some(ColorMode::Ansi16),
        }
    }
}

#[derive(Args, Debug)]
struct PreviewArgs {
    /// Audio to play and react to, or a video, image or folder/glob of frames to show under the preset's layers; omit for generative mode.
    input: Option<PathBuf>,
    /// Preset: a built-in name (`asciivid list presets`) or a path to a preset TOML file (watched: edits reload live)
    /// [default: `default`, or `video` for a video or image input].
    #[arg(long, short = 'p')]
    preset: Option<String>,
    /// Seed for everything random.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Start this many seconds into the input.
    #[arg(long, default_value_t = 0.0, value_parser = parse_seconds)]
    start: f64,
    /// Play only this many seconds (generative mode: 60 unless given).
    #[arg(long, value_parser = parse_seconds)]
    duration: Option<f64>,
    /// Terminal colours: auto (from COLORTERM/TERM), truecolor, 256 or 16.
    #[arg(long, value_enum, default_value = "auto")]
    color: ColorArg,
    /// Also write what the pane shows to an asciinema v2 recording.
    #[arg(long)]
    record: Option<PathBuf>,
    /// Frames per second of the animation (and of the features).
    #[arg(long, default_value_t = 30.0, value_parser = parse_fps)]
    fps: f64,
    /// Render size in pixels: sets the grids and what pixels mode shows (pass the same to `render`).
    #[arg(long, default_value = "960x540", value_parser = parse_resolution)]
    resolution: (usize, usize),
    /// Tempo of generative mode (no input).
    #[arg(long, default_value_t = 120.0)]
    bpm: f32,
    /// A TrueType/OpenType font to draw glyphs with.
    #[arg(long)]
    font: Option<PathBuf>,
    /// Benchmark: run on a fake WxH terminal, discard the output and print fps, drops and bytes.
    #[arg(long, hide = true, value_parser = parse_term_size)]
    headless: Option<(u16, u16)>,
    /// Start in pixels (half-block) mode rather than cells.
    #[arg(long)]
    pixels: bool,
    /// Colour changes up to this much per channel (0-255) are not redrawn: fewer bytes, same look.
    #[arg(long, default_value_t = 2)]
    tolerance: u8,
    /// Analyse again even if the analysis cache has this file (and do not store the result).
    #[arg(long)]
    no_cache: bool,
    /// Benchmark (with --headless): step a parameter every SECS and report edit → screen latency.
    #[arg(long, hide = true, value_parser = parse_seconds, requires = "headless")]
    headless_edits: Option<f64>,
}

#[derive(Args, Debug)]
struct PlayArgs {
    /// A video (or audio) file.
    input: PathBuf,
    /// Start this many seconds into the file.
    #[arg(long, default_value_t = 0.0, value_parser = parse_seconds)]
    start: f64,
    /// Play only this many seconds.
    #[arg(long, value_parser = parse_seconds)]
    duration: Option<f64>,
    /// Terminal colours: auto (from COLORTERM/TERM), truecolor, 256 or 16.
    #[arg(long, value_enum, default_value = "auto")]
    color: ColorArg,
    /// Start with half blocks (pixels) instead of characters.
    #[arg(long)]
    pixels: bool,
    /// Glyph choice: ramp (luminance; full frame rate at 200x60), edges (line glyphs on edges, ramp elsewhere; about 2x the cost), shape (best-fitting glyph; costly with big palettes).
    #[arg(long, value_enum, default_value = "ramp")]
    glyphs: GlyphsArg,
    /// Character palette: a name (`asciivid list palettes`) or a palette TOML file.
    #[arg(long, default_value = crate::video::DEFAULT_PALETTE)]
    palette: String,
    /// Behind the glyphs: black (classic ASCII) or source (a fitted colour per cell).
    #[arg(long, value_enum, default_value = "black")]
    background: BackgroundArg,
    /// Dithering of the luminance ramp (ramp and edges).
    #[arg(long, value_enum, default_value = "none")]
    dither: DitherArg,
    /// Also write what is shown to an asciinema v2 recording.
    #[arg(long)]
    record: Option<PathBuf>,
    /// Benchmark: run on a fake WxH terminal, discard the output and print fps, drops and bytes.
    #[arg(long, hide = true, value_parser = parse_term_size)]
    headless: Option<(u16, u16)>,
    /// Colour changes up to this much per channel (0-255) are not redrawn: fewer bytes, same look.
    #[arg(long, default_value_t = 2)]
    tolerance: u8,
    /// Analyse again even if the analysis cache has this file (and do not store the result).
    #[arg(long)]
    no_cache: bool,
}

fn parse_term_size(s: &str) -> Result<(u16, u16), String> {
    let (w, h) = s
        .split_once('x')
        .ok_or_else(|| format!("`{s}` is not COLSxROWS"))?;
    let p = |v: &str| v.parse::<u16>().ok().filter(|n| (10..=1000).contains(n));
    match (p(w), p(h)) {
        (Some(w), Some(h)) => Ok((w, h)),
        _ => Err(format!("`{s}`: columns and rows must be 10 to 1000")),
    }
}

#[derive(ValueEnum, Clone, Copy, Debug)]
enum ListWhat {
    Presets,
    Palettes,
    Effects,
    Shaders,
    Blends,
    Features,
    Transforms,
    Masks,
    Moods,
    Colors,
    Feedback,
    Transitions,
    Easings,
    /// The text layer (`effect = "lyrics"`): display modes (lyrics, ticker, beat words,
    /// messages, error stamps), positions, parameters.
    Text,
}

#[derive(Args, Debug)]
struct ListArgs {
    /// What to list.
    #[arg(value_enum)]
    what: ListWhat,
    /// Machine-readable output.
    #[arg(long)]
    json: bool,
}

fn parse_seconds(s: &str) -> Result<f64, String> {
    let v: f64 = s
        .parse()
        .map_err(|_| format!("`{s}` is not a number of seconds"))?;
    if !v.is_finite() || v < 0.0 {
        return Err(format!("`{s}` must be a positive number of seconds"));
    }
    Ok(v)
}

fn parse_frames(s: &str) -> Result<std::ops::Range<u64>, String> {
    let bad =
        || format!("`{s}` is not a frame range: write START..END, e.g. 0..1200 (END exclusive)");
    let (a, b) = s.split_once("..").ok_or_else(bad)?;
    let a: u64 = a.trim().parse().map_err(|_| bad())?;
    let b: u64 = b.trim().parse().map_err(|_| bad())?;
    if a >= b {
        return Err(format!(
            "frame range {s} is empty: END must be greater than START"
        ));
    }
    Ok(a..b)
}

fn parse_fps(s: &str) -> Result<f64, String> {
    let v: f64 = s
        .parse()
        .map_err(|_| format!("`{s}` is not a frame rate"))?;
    if !(1.0..=240.0).contains(&v) {
        return Err(format!("frame rate {s} must be between 1 and 240"));
    }
    Ok(v)
}

/// Entry point of the binary.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let _ = ctrlc::set_handler(|| {
        pipeline::INTERRUPTED.store(true, std::sync::atomic::Ordering::SeqCst);
    });
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if pipeline::INTERRUPTED.load(std::sync::atomic::Ordering::SeqCst) {
                eprintln!("asciivid: interrupted; no output was written");
                return ExitCode::from(130);
            }
            let msg = format!("{e:#}").replace('\n', " ");
            eprintln!("asciivid: error: {msg}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<()> {
    let no_cache = match &cli.command {
        Command::Render(a) => a.no_cache,
        Command::Analyze(a) => a.no_cache,
        Command::Preview(a) => a.no_cache,
        Command::Play(a) => a.no_cache,
        Command::Demo(_) | Command::List(_) | Command::Narrate(_) | Command::Catalogue(_) => false,
    };
    if no_cache {
        crate::cache::disable();
    }
    match cli.command {
        Command::Render(a) => cmd_render(a),
        Command::Demo(a) => cmd_demo(a),
        Command::Narrate(a) => cmd_narrate(a),
        Command::Analyze(a) => cmd_analyze(a),
        Command::Preview(a) => crate::tui::preview(crate::tui::PreviewOptions {
            fonts: match &a.font {
                Some(p) => FontChain::with_user_font(p)?,
                None => FontChain::bundled(),
            },
            input: a.input,
            preset: a.preset,
            seed: a.seed,
            start: a.start,
            duration: a.duration,
            color: a.color.mode(),
            record: a.record,
            fps: a.fps,
            resolution: a.resolution,
            bpm: a.bpm,
            headless: a.headless,
            pixels: a.pixels,
            tolerance: a.tolerance,
            edit_every: a.headless_edits,
        }),
        Command::Play(a) => crate::tui::play(crate::tui::PlayOptions {
            convert: play_convert_options(&a),
            palette: a.palette,
            input: a.input,
            start: a.start,
            duration: a.duration,
            color: a.color.mode(),
            record: a.record,
            pixels: a.pixels,
            headless: a.headless,
            tolerance: a.tolerance,
        }),
        Command::List(a) => crate::listing::print(
            match a.what {
                ListWhat::Presets => crate::listing::What::Presets,
                ListWhat::Palettes => crate::listing::What::Palettes,
                ListWhat::Effects => crate::listing::What::Effects,
                ListWhat::Shaders => crate::listing::What::Shaders,
                ListWhat::Blends => crate::listing::What::Blends,
                ListWhat::Features => crate::listing::What::Features,
                ListWhat::Transforms => crate::listing::What::Transforms,
                ListWhat::Masks => crate::listing::What::Masks,
                ListWhat::Moods => crate::listing::What::Moods,
                ListWhat::Colors => crate::listing::What::Colors,
                ListWhat::Feedback => crate::listing::What::Feedback,
                ListWhat::Transitions => crate::listing::What::Transitions,
                ListWhat::Easings => crate::listing::What::Easings,
                ListWhat::Text => crate::listing::What::Text,
            },
            a.json,
        ),
        Command::Catalogue(a) => {
            let s = crate::catalogue::generate(&a.out, a.workers)?;
            println!(
                "wrote {} and {} stills ({:.1} MB) in {}",
                a.out.join("CATALOGUE.md").display(),
                s.stills,
                s.bytes as f64 / 1e6,
                a.out.join(crate::catalogue::IMG_DIR).display()
            );
            Ok(())
        }
    }
}

struct Resolved {
    profile: pipeline::Profile,
    chroma: Chroma,
    workers: usize,
    fonts: FontChain,
}

impl Resolved {
    /// The render job of a command: what to render, plus everything the resolved look and its
    /// flags (`--alpha`, `--seed`, `--quiet`) decide.
    fn job(
        self,
        look: &LookArgs,
        timeline: Timeline,
        frames: Option<std::ops::Range<u64>>,
        features: Arc<Features>,
        audio: Option<(PathBuf, f64, f64)>,
        output: &Path,
    ) -> RenderJob {
        RenderJob {
            timeline,
            frames,
            features,
            audio,
            output: output.to_path_buf(),
            profile: self.profile,
            chroma: self.chroma,
            alpha: look.alpha,
            workers: self.workers,
            seed: look.seed,
            fonts: self.fonts,
            builtin_gif: false,
            progress: !look.quiet,
        }
    }
}

fn resolve_look(look: &LookArgs, default_quality: Quality, seconds: f64) -> Result<Resolved> {
    let quality = match look.quality {
        None => default_quality,
        Some(QualityArg::Draft) => Quality::Draft,
        Some(QualityArg::Preview) => Quality::Preview,
        Some(QualityArg::Production) => Quality::Production,
        Some(QualityArg::Max) => Quality::Max,
        Some(QualityArg::Auto) => Quality::Auto,
    };
    let aspect = match look.aspect {
        AspectArg::Landscape => Aspect::Landscape,
        AspectArg::Portrait => Aspect::Portrait,
        AspectArg::Square => Aspect::Square,
    };
    let mut profile = quality.profile();
    if quality == Quality::Auto {
        // x264 veryfast manages ~40 fps at 1080p on 2 cores (docs/BENCHMARKS.md); scale by cores.
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get()) as f64;
        let est_fps = 40.0 * cores / 2.0;
        let est = seconds * profile.fps / est_fps;
        if est > 3600.0 {
            profile = Quality::auto_fallback();
        }
    }
    let mut profile = profile.with_aspect(aspect);
    if let Some((w, h)) = look.resolution {
        profile.width = w;
        profile.height = h;
    }
    if let Some(f) = look.fps {
        profile.fps = f;
    }
    if let Some(c) = look.crf {
        profile.crf = c;
    }
    if let Some(p) = &look.encoder_preset {
        profile.encoder_preset = match p.as_str() {
            "ultrafast" => "ultrafast",
            "superfast" => "superfast",
            "faster" => "faster",
            "fast" => "fast",
            "medium" => "medium",
            "slow" => "slow",
            "slower" => "slower",
            "veryslow" => "veryslow",
            _ => "veryfast",
        };
    }
    let fonts = match &look.font {
        Some(p) => FontChain::with_user_font(p)?,
        None => FontChain::bundled(),
    };
    let workers = look
        .workers
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()))
        .clamp(1, 256);
    Ok(Resolved {
        profile,
        chroma: match look.chroma {
            ChromaArg::C420 => Chroma::Yuv420,
            ChromaArg::C444 => Chroma::Yuv444,
        },
        workers,
        fonts,
    })
}

fn check_output(path: &Path, overwrite: bool) -> Result<()> {
    if path.exists() && !overwrite {
        bail!(
            "output {} already exists: pass --overwrite to replace it, or choose another -o",
            path.display()
        );
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
        && !dir.is_dir()
    {
        bail!(
            "cannot write {}: directory {} does not exist",
            path.display(),
            dir.display()
        );
    }
    Ok(())
}

/// `play`'s conversion settings: its flags, as `render` reads them for video layers.
fn play_convert_options(a: &PlayArgs) -> crate::video::ConvertOptions {
    let mut o = crate::video::ConvertOptions::default();
    let v = VideoArgs {
        glyphs: Some(a.glyphs),
        background: Some(a.background),
        palette: None,
        dither: Some(a.dither),
        fit: FitArg::Contain,
    };
    apply_video_args(&mut o, &v);
    o
}

/// Resolve the look of a video render: the named preset or timeline (or `video`), with a
/// video layer at the bottom of every section that has none, and the command line's palette on
/// its video layers.
fn video_timeline(a: &RenderArgs) -> Result<Timeline> {
    let mut tl = timeline::resolve(a.look.preset.as_deref().unwrap_or("video"))?;
    let mut failed = None;
    tl.map_presets(|preset| {
        match pipeline::video_preset(preset.clone(), a.video.palette.as_deref()) {
            Ok(p) => *preset = p,
            Err(e) => {
                failed.get_or_insert(e);
            }
        }
        for l in preset.layers.iter_mut().filter(|l| l.is_video()) {
            let mut o = l.video_options();
            apply_video_args(&mut o, &a.video);
            let name = |n: &str| Some(toml::Spanned::new(0..1, n.to_string()));
            l.glyphs = name(crate::video::GlyphMode::NAMES[o.glyphs as usize]);
            l.background = name(crate::video::Background::NAMES[o.background as usize]);
            l.dither = name(crate::video::Dither::NAMES[o.dither as usize]);
        }
        Ok(())
    })?;
    match failed {
        Some(e) => Err(e),
        None => Ok(tl),
    }
}

/// The audio to mux for frames `range` of a track that starts `start` seconds into `input`.
fn audio_for(
    input: &Path,
    start: f64,
    range: &std::ops::Range<u64>,
    fps: f64,
) -> (PathBuf, f64, f64) {
    (
        input.to_path_buf(),
        start + range.start as f64 / fps,
        (range.end - range.start) as f64 / fps,
    )
}

/// `--show-timeline`: print the plan of `tl` on this track.
fn show_timeline(tl: &Timeline, features: &Features, seed: u64) -> Result<()> {
    let plan = timeline::Plan::new(tl, features, seed)?;
    print!("{}", plan.describe(tl, features));
    Ok(())
}

fn apply_video_args(scene_opts: &mut crate::video::ConvertOptions, v: &VideoArgs) {
    use crate::video::{Background, Dither, GlyphMode};
    if let Some(g) = v.glyphs {
        scene_opts.glyphs = match g {
            GlyphsArg::Ramp => GlyphMode::Ramp,
            GlyphsArg::Edges => GlyphMode::Edges,
            GlyphsArg::Shape => GlyphMode::Shape,
        };
    }
    if let Some(b) = v.background {
        scene_opts.background = match b {
            BackgroundArg::Black => Background::Black,
            BackgroundArg::Source => Background::Source,
        };
    }
    if let Some(d) = v.dither {
        scene_opts.dither = match d {
            DitherArg::None => Dither::None,
            DitherArg::Ordered => Dither::Ordered,
            DitherArg::Diffusion => Dither::Diffusion,
        };
    }
}

fn cmd_render(a: RenderArgs) -> Result<()> {
    let video = match &a.input {
        Some(input) => crate::video::probe_input(input)?,
        None => None,
    };
    match &video {
        Some(v) => return cmd_render_video(a, v.clone()),
        None => {
            if let Some(flag) = a.video.any() {
                bail!(
                    "{flag} needs a video or image input, but {} has no video stream: give a video file, an image, or a folder of images",
                    a.input
                        .as_ref()
                        .map_or("generative mode".to_string(), |p| p.display().to_string())
                );
            }
        }
    }
    let mut tl = timeline::resolve(a.look.preset.as_deref().unwrap_or("default"))?;
    add_lyrics(&mut tl, &a.text, a.start, a.look.quiet)?;
    if tl.has_video_layers() {
        bail!(
            "preset `{}` has a video layer, but {} has no video stream: give a video or image input, or choose another preset",
            tl.name,
            a.input
                .as_ref()
                .map_or("generative mode".to_string(), |p| p.display().to_string())
        );
    }
    let generative_secs = a.duration.unwrap_or(15.0);
    let r = resolve_look(&a.look, Quality::Production, generative_secs)?;
    let fps = r.profile.fps;
    let mut analyze_cached = false;
    let (features, analyze_time, audio) = match &a.input {
        Some(input) => {
            let run = pipeline::analyze_file_cached(input, fps, a.start, a.duration)?;
            analyze_cached = run.lookup == crate::cache::Lookup::Hit;
            let dur = run.features.duration;
            (run.features, run.took, Some((input.clone(), a.start, dur)))
        }
        None => {
            if a.start > 0.0 {
                bail!("--start needs an input file (generative mode has no input to seek in)");
            }
            let f = synthetic_features(a.bpm, fps, generative_secs, a.look.seed);
            (f, std::time::Duration::ZERO, None)
        }
    };
    if a.show_timeline {
        return show_timeline(&tl, &features, a.look.seed);
    }
    let features = Arc::new(features);
    let range = pipeline::frame_range(a.frames.clone(), features.len() as u64)?;
    let audio = audio.map(|(input, start, _)| audio_for(&input, start, &range, fps));
    if let Some(t) = a.test_frame {
        return test_frame(
            &tl,
            features,
            &r,
            a.look.seed,
            t,
            a.output.as_deref(),
            a.look.overwrite,
        );
    }
    let output = a.output.clone().unwrap_or_else(|| {
        let stem = a
            .input
            .as_ref()
            .and_then(|p| p.file_stem())
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "generative".into());
        PathBuf::from(format!("{stem}.ascii.mp4"))
    });
    check_output(&output, a.look.overwrite)?;
    let kind = OutputKind::from_path(&output)?;
    if kind.needs_ffmpeg() {
        crate::media::find_ffmpeg()?;
    }
    let job = r.job(&a.look, tl, Some(range), features, audio, &output);
    let mut report = pipeline::render(job)?;
    report.analyze = analyze_time;
    report.analyze_cached = analyze_cached;
    eprintln!("wrote {}", output.display());
    eprintln!("{}", report.summary());
    Ok(())
}

fn cmd_render_video(a: RenderArgs, input: crate::video::VideoInput) -> Result<()> {
    use crate::video::{Fit, Search, VideoInput};
    let mut tl = video_timeline(&a)?;
    add_lyrics(&mut tl, &a.text, a.start, a.look.quiet)?;
    let mut r = resolve_look(&a.look, Quality::Production, a.duration.unwrap_or(60.0))?;
    if a.look.fps.is_none()
        && let VideoInput::File { fps: Some(f), .. } = &input
    {
        r.profile.fps = *f; // the video's own rate unless --fps says otherwise
    }
    if matches!(input, VideoInput::Image { .. }) && a.start > 0.0 {
        bail!("--start needs a video or an image sequence; a still image has no time to seek in");
    }
    let search = match a.look.quality {
        Some(QualityArg::Draft | QualityArg::Preview) => Search::Fast,
        _ => Search::Exhaustive,
    };
    let job = pipeline::VideoJob {
        input: input.clone(),
        start: a.start,
        duration: a.duration,
        fit: match a.video.fit {
            FitArg::Contain => Fit::Contain,
            FitArg::Cover => Fit::Cover,
        },
        search,
    };
    let (w, h, fps) = (r.profile.width, r.profile.height, r.profile.fps);
    let (features, analyze_time) = pipeline::analyze_video(&job, w, h, fps)?;
    if input.audio_path().is_none() && !a.look.quiet {
        eprintln!(
            "note: {} has no sound: the audio features are 0 and the output is silent (the video features brightness, contrast, motion, edge_density and dominant_hue still modulate)",
            input.display()
        );
    }
    if a.show_timeline {
        return show_timeline(&tl, &features, a.look.seed);
    }
    let features = Arc::new(features);
    if let Some(t) = a.test_frame {
        let n = features.len();
        let index = ((t * fps).round() as usize).min(n.saturating_sub(1)) as u64;
        let path = a
            .output
            .clone()
            .unwrap_or_else(|| PathBuf::from(format!("test_{t}s.png")));
        check_output(&path, a.look.overwrite)?;
        let frame = pipeline::render_timeline_still(
            &tl,
            features,
            w,
            h,
            a.look.seed,
            &r.fonts,
            index,
            r.workers,
            Some(&job),
            r.profile.particles,
        )?;
        return write_still(&path, &frame, index);
    }
    let output = a.output.clone().unwrap_or_else(|| {
        let stem = a
            .input
            .as_ref()
            .and_then(|p| p.file_stem())
            .map(|s| s.to_string_lossy().into_owned())
            .filter(|s| !s.contains(['*', '?']))
            .unwrap_or_else(|| "frames".into());
        PathBuf::from(format!("{stem}.ascii.mp4"))
    });
    check_output(&output, a.look.overwrite)?;
    let kind = OutputKind::from_path(&output)?;
    if kind.needs_ffmpeg() {
        crate::media::find_ffmpeg()?;
    }
    let range = pipeline::frame_range(a.frames.clone(), features.len() as u64)?;
    let audio = input
        .audio_path()
        .map(|p| audio_for(p, a.start, &range, fps));
    let rjob = r.job(&a.look, tl, Some(range), features, audio, &output);
    let mut report = pipeline::render_with_video(rjob, Some(&job))?;
    report.analyze = analyze_time;
    eprintln!("wrote {}", output.display());
    eprintln!("{}", report.summary());
    Ok(())
}

fn write_still(path: &Path, frame: &crate::frame::Frame, index: u64) -> Result<()> {
    let tmp = crate::media::sink::temp_path(path);
    write_png(&tmp, frame)?;
    std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))?;
    let mean = frame.mean_brightness();
    println!("{} frame {index} mean brightness {mean:.1}", path.display());
    if mean <= 8.0 {
        eprintln!(
            "warning: mean brightness {mean:.1} is very dark (want > 8): lower the preset's gamma or raise layer brightness"
        );
    }
    Ok(())
}

fn test_frame(
    tl: &Timeline,
    features: Arc<Features>,
    r: &Resolved,
    seed: u64,
    t: f64,
    output: Option<&Path>,
    overwrite: bool,
) -> Result<()> {
    let n = features.len();
    let index = ((t * r.profile.fps).round() as usize).min(n.saturating_sub(1)) as u64;
    let path = output
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from(format!("test_{t}s.png")));
    check_output(&path, overwrite)?;
    let frame = pipeline::render_timeline_still(
        tl,
        features,
        r.profile.width,
        r.profile.height,
        seed,
        &r.fonts,
        index,
        r.workers,
        None,
        r.profile.particles,
    )?;
    write_still(&path, &frame, index)
}

fn cmd_demo(a: DemoArgs) -> Result<()> {
    let tl = timeline::resolve(a.look.preset.as_deref().unwrap_or("default"))?;
    if tl.has_video_layers() {
        bail!(
            "preset `{}` has a video layer, and the demo has no video: choose another preset",
            tl.name
        );
    }
    let mut look = a.look.clone();
    let ffmpeg = crate::media::find_ffmpeg();
    if ffmpeg.is_err() && look.resolution.is_none() {
        // The built-in GIF encoder is slow and GIFs are large: keep the fallback small.
        look.resolution = Some((640, 360));
        look.fps.get_or_insert(12.0);
    }
    if look.resolution.is_none() && look.quality.is_none() {
        look.resolution = Some((1280, 720));
    }
    let r = resolve_look(&look, Quality::Production, a.seconds)?;
    let bpm = 124.0;
    let sr = AnalysisParams::default().sample_rate;
    let samples = synth_demo_track(sr, a.seconds.max(1.0), bpm, look.seed);
    let t = std::time::Instant::now();
    let features = crate::audio::analyze(&samples, sr, r.profile.fps, &AnalysisParams::default());
    let analyze_time = t.elapsed();
    let features = Arc::new(features);
    let builtin_gif = ffmpeg.is_err();
    let output = a
        .output
        .clone()
        .unwrap_or_else(|| PathBuf::from(if builtin_gif { "demo.gif" } else { "demo.mp4" }));
    check_output(&output, look.overwrite)?;
    let wav = tempfile::Builder::new()
        .prefix("asciivid-demo-")
        .suffix(".wav")
        .tempfile()
        .context("cannot create a temporary file for the demo audio")?;
    crate::media::wav::write_wav_mono(wav.path(), &samples, sr)?;
    let audio = (!builtin_gif).then(|| (wav.path().to_path_buf(), 0.0, features.duration));
    if builtin_gif {
        eprintln!(
            "ffmpeg not found: writing a silent animated GIF with the built-in encoder instead of an MP4 with sound.\n  For video with sound, {}, then run `asciivid demo` again.",
            crate::media::ffmpeg::INSTALL_HINT
        );
        if OutputKind::from_path(&output).ok() != Some(OutputKind::Gif) {
            bail!(
                "without ffmpeg the demo can only write a .gif: use -o demo.gif, or install ffmpeg"
            );
        }
    }
    let profile = r.profile;
    let mut job = r.job(&look, tl, None, features, audio, &output);
    job.builtin_gif = builtin_gif;
    let mut report = pipeline::render(job)?;
    report.analyze = analyze_time;
    eprintln!(
        "wrote {} ({:.0} s, {}x{} @ {} fps)",
        output.display(),
        a.seconds,
        profile.width,
        profile.height,
        profile.fps
    );
    eprintln!("{}", report.summary());
    Ok(())
}

fn cmd_narrate(a: NarrateArgs) -> Result<()> {
    let output = a
        .output
        .clone()
        .unwrap_or_else(|| crate::narrate::default_output(&a.quotes));
    check_output(&output, a.look.overwrite)?;
    let kind = OutputKind::from_path(&output)?;
    crate::media::find_ffmpeg()?;
    let mut tl = timeline::resolve(a.look.preset.as_deref().unwrap_or("default"))?;
    if tl.has_video_layers() {
        bail!(
            "preset `{}` has a video layer, and narrate has no video: choose another preset",
            tl.name
        );
    }
    let t = std::time::Instant::now();
    let narration = crate::narrate::prepare(&crate::narrate::NarrateOptions {
        quotes: a.quotes.clone(),
        music: a.music.clone(),
        voice: crate::narrate::Voice {
            name: a.voice.clone(),
            rate: a.rate,
            pitch: a.pitch,
        },
        gap: a.gap,
        pad: a.pad,
        loudness: a.loudness,
        music_volume: a.music_volume,
        duck: a.duck,
    })?;
    let r = resolve_look(&a.look, Quality::Production, narration.seconds)?;
    let params = AnalysisParams::default();
    let samples =
        crate::media::decode::decode_audio(&narration.audio, params.sample_rate, 0.0, None)?;
    let features = crate::audio::analyze(&samples, params.sample_rate, r.profile.fps, &params);
    let analyze_time = t.elapsed();
    let layer = crate::text::spec::overlay_layer(
        Arc::new(narration.cues.clone()),
        a.text_mode.mode(),
        a.text_position.position(),
    );
    tl.map_presets(|p| {
        p.layers.push(layer.clone());
        Ok(())
    })?;
    if !a.look.quiet {
        eprintln!(
            "narration: {} quotes, {:.1} s, speech by espeak-ng voice `{}`",
            narration.cues.cues.len(),
            narration.seconds,
            a.voice
        );
    }
    let audio = kind
        .has_audio()
        .then(|| (narration.audio.clone(), 0.0, narration.seconds));
    let job = r.job(&a.look, tl, None, Arc::new(features), audio, &output);
    let mut report = pipeline::render(job)?;
    report.analyze = analyze_time;
    eprintln!("wrote {}", output.display());
    eprintln!("{}", report.summary());
    Ok(())
}

fn cmd_analyze(a: AnalyzeArgs) -> Result<()> {
    for p in [&a.output, &a.plot].into_iter().flatten() {
        check_output(p, a.overwrite)?;
    }
    let run = pipeline::analyze_file_cached(&a.input, a.fps, 0.0, None)?;
    let features = &run.features;
    let how = match run.lookup {
        crate::cache::Lookup::Hit => "from the analysis cache".to_string(),
        crate::cache::Lookup::Miss => {
            format!("analysed in {:.2} s, cached", run.took.as_secs_f64())
        }
        crate::cache::Lookup::Off => format!("analysed in {:.2} s", run.took.as_secs_f64()),
    };
    if let Some(p) = &a.plot {
        let name = a.input.file_name().map_or_else(
            || a.input.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        let centres = crate::audio::spectrum_band_centres(&AnalysisParams::default());
        crate::plot::write(p, features, &name, &centres)?;
        eprintln!("wrote {}", p.display());
    }
    let text = if a.csv {
        crate::listing::features_csv(features)
    } else {
        crate::listing::features_json(features)
    };
    match &a.output {
        Some(p) => {
            let tmp = crate::media::sink::temp_path(p);
            std::fs::write(&tmp, text)
                .and_then(|()| std::fs::rename(&tmp, p))
                .inspect_err(|_| {
                    let _ = std::fs::remove_file(&tmp);
                })
                .with_context(|| format!("cannot write {}", p.display()))?;
            eprintln!("wrote {}", p.display());
        }
        None => print!("{text}"),
    }
    eprintln!(
        "{}: {} frames at {} fps, tempo {:.1} BPM, {} beats ({how})",
        a.input.display(),
        features.len(),
        features.fps,
        features.tempo_bpm,
        features.beats.len()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
