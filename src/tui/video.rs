//! Video for `play`: frames decoded by ffmpeg at exactly the size the pane needs, turned into
//! character cells by the video-to-ASCII [`Converter`] (cells mode: `ramp`, `edges` or `shape`
//! glyphs, as `render` draws video layers) or into half blocks (pixels mode).
//!
//! A decoder that stops early is told apart from the end of the file: within a second of the
//! expected end it is the end (containers often round their duration up), earlier it is a
//! damaged file, reported as one line and playback stops.

use std::io::{BufRead, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::{Arc, Mutex};

use anyhow::{Context, Result, bail};

use super::pane::PaneMode;
use crate::frame::Frame;
use crate::glyph::FontChain;
use crate::grid::CellGrid;
use crate::term::TCell;
use crate::term::cell::Ink;
use crate::term::halfblock::HalfBlocks;
use crate::video::{Background, ConvertOptions, Converter};

/// Pixel size the converter's glyphs are rasterized at for `play`: DejaVu Sans Mono at 8 px
/// gives 5 × 10 pixel cells, the 1:2 aspect of terminal cells, and keeps 25 fps at 200 × 60 on
/// two cores (docs/BENCHMARKS.md).
pub const CELL_PX: u32 = 8;

/// What ffprobe says about a file's first video stream.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct VideoInfo {
    /// Width in pixels.
    pub width: usize,
    /// Height in pixels.
    pub height: usize,
    /// Frames per second.
    pub fps: f64,
    /// Seconds.
    pub duration: f64,
}

fn ratio(s: &str) -> Option<f64> {
    let (a, b) = s.split_once('/').unwrap_or((s, "1"));
    let v = a.trim().parse::<f64>().ok()? / b.trim().parse::<f64>().ok()?;
    (v.is_finite() && v > 0.0).then_some(v)
}

/// The first video stream of `path`, or `None` for audio-only files (cover art is ignored).
pub fn probe_video(path: &Path) -> Result<Option<VideoInfo>> {
    crate::media::decode::check_input_file(path)?;
    let ffprobe =
        crate::media::find_ffprobe().context("ffprobe not found (it comes with ffmpeg)")?;
    let o = Command::new(ffprobe)
        .args([
            "-v",
            "error",
            "-print_format",
            "json",
            "-show_streams",
            "-show_format",
        ])
        .arg(path)
        .output()
        .context("cannot run ffprobe")?;
    if !o.status.success() {
        let why = String::from_utf8_lossy(&o.stderr);
        let why = why.lines().next_back().unwrap_or("").trim().to_string();
        bail!(
            "cannot read {}: not a media file ffmpeg understands, or damaged ({why}); check the file plays elsewhere",
            path.display()
        );
    }
    let v: serde_json::Value = serde_json::from_slice(&o.stdout)
        .with_context(|| format!("ffprobe gave unreadable output for {}", path.display()))?;
    let duration = v["format"]["duration"]
        .as_str()
        .and_then(|d| d.parse().ok())
        .unwrap_or(0.0);
    let streams = v["streams"].as_array().cloned().unwrap_or_default();
    let video = streams.iter().find(|s| {
        s["codec_type"] == "video" && s["disposition"]["attached_pic"].as_i64().unwrap_or(0) == 0
    });
    Ok(video.map(|s| VideoInfo {
        width: s["width"].as_u64().unwrap_or(0) as usize,
        height: s["height"].as_u64().unwrap_or(0) as usize,
        fps: s["avg_frame_rate"]
            .as_str()
            .and_then(ratio)
            .or_else(|| s["r_frame_rate"].as_str().and_then(ratio))
            .unwrap_or(25.0)
            .clamp(1.0, 240.0),
        duration,
    }))
}

/// A converter for `play`: `palette` is a built-in name or a palette file; an unknown name
/// gets a "did you mean" and the command that lists them.
pub fn converter(palette: &str, options: ConvertOptions) -> Result<Converter> {
    let builtin = crate::palette::Palettes::builtin();
    let looks_like_file = palette.contains('/') || palette.ends_with(".toml");
    if builtin.char_palette(palette).is_none() && !looks_like_file {
        let names = builtin.chars.iter().map(|p| p.name.as_str());
        let near = crate::palette::closest(palette, names);
        let hint = if near.is_empty() {
            String::new()
        } else {
            format!(" (did you mean {}?)", near.join(", "))
        };
        bail!(
            "unknown character palette `{palette}`{hint}; `asciivid list palettes` shows them, or pass a palette TOML file"
        );
    }
    Ok(Converter::with_palette(
        &FontChain::bundled(),
        CELL_PX,
        palette,
        options,
    )?)
}

/// A running ffmpeg that writes RGB frames of a fixed size.
struct Decoder {
    child: Child,
    stdout: ChildStdout,
    /// The last line ffmpeg logged (drained on a thread so its pipe never fills).
    log: Arc<Mutex<String>>,
    width: usize,
    height: usize,
    /// Index of the next frame it will deliver.
    next: u64,
}

impl Drop for Decoder {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Frames of a video file, decoded on demand at the size the pane needs.
pub struct VideoFrames {
    path: PathBuf,
    info: VideoInfo,
    start: f64,
    frames: u64,
    decoder: Option<Decoder>,
    frame: Frame,
    converter: Converter,
    grid: CellGrid,
    halfblocks: HalfBlocks,
    /// Why decoding stopped for good (a damaged file): the app reports it and quits.
    failure: Option<String>,
}

impl VideoFrames {
    /// Play `path` from `start` seconds for `duration` seconds (to the end when `None`),
    /// converting frames to cells with `converter`.
    pub fn new(
        path: &Path,
        info: VideoInfo,
        start: f64,
        duration: Option<f64>,
        converter: Converter,
    ) -> VideoFrames {
        let left = (info.duration - start).max(0.0);
        let secs = duration.map_or(left, |d| d.min(left));
        VideoFrames {
            path: path.to_path_buf(),
            info,
            start,
            frames: (secs * info.fps).floor() as u64,
            decoder: None,
            frame: Frame::new(0, 0),
            converter,
            grid: CellGrid::default(),
            halfblocks: HalfBlocks::default(),
            failure: None,
        }
    }

    /// Frames per second.
    pub fn fps(&self) -> f64 {
        self.info.fps
    }

    /// Number of frames to play (lowered when the file turns out to end a little early).
    pub fn frames(&self) -> u64 {
        self.frames
    }

    /// Source size.
    pub fn size(&self) -> (usize, usize) {
        (self.info.width, self.info.height)
    }

    /// Why playback cannot go on (the file is damaged), once decoding has failed.
    pub fn failure(&self) -> Option<&str> {
        self.failure.as_deref()
    }

    /// The conversion settings.
    pub fn options(&self) -> ConvertOptions {
        self.converter.options
    }

    fn spawn(&self, index: u64, width: usize, height: usize) -> Result<Decoder> {
        let ffmpeg = crate::media::find_ffmpeg()?;
        let t = self.start + index as f64 / self.info.fps;
        // Half blocks shrink a lot (box average); cells mode scales by less than 2× to the
        // converter's pixels, where bilinear is as good and several times cheaper.
        let flags = if width < self.info.width / 3 {
            "area"
        } else {
            "fast_bilinear"
        };
        let mut child = Command::new(ffmpeg)
            .args(["-nostdin", "-v", "error", "-ss", &format!("{t:.6}"), "-i"])
            .arg(&self.path)
            .args([
                "-an",
                "-sn",
                "-vf",
                &format!("fps={},scale={width}:{height}:flags={flags}", self.info.fps),
                "-f",
                "rawvideo",
                "-pix_fmt",
                "rgb24",
                "-",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .context("cannot start ffmpeg to decode the video")?;
        let stdout = child.stdout.take().context("ffmpeg gave no stdout")?;
        let log = Arc::new(Mutex::new(String::new()));
        if let Some(err) = child.stderr.take() {
            let log = log.clone();
            std::thread::Builder::new()
                .name("ffmpeg-log".into())
                .spawn(move || {
                    for line in std::io::BufReader::new(err).lines().map_while(|l| l.ok()) {
                        if !line.trim().is_empty() {
                            *log.lock().unwrap_or_else(|e| e.into_inner()) = line;
                        }
                    }
                })
                .context("cannot start a thread")?;
        }
        Ok(Decoder {
            child,
            stdout,
            log,
            width,
            height,
            next: index,
        })
    }

    /// Decode up to frame `index` at `width × height` into `self.frame`. `Ok(false)`: the
    /// stream ended (normally, near the expected end) before `index`.
    fn decode(&mut self, index: u64, width: usize, height: usize) -> Result<bool> {
        let reuse = self.decoder.as_ref().is_some_and(|d| {
            d.width == width && d.height == height && d.next <= index && index - d.next < 50
        });
        if !reuse {
            self.decoder = None;
            self.decoder = Some(self.spawn(index, width, height)?);
        }
        if self.frame.width != width || self.frame.height != height {
            self.frame.resize(width, height);
        }
        let d = self.decoder.as_mut().context("no decoder")?;
        while d.next <= index {
            if d.stdout.read_exact(&mut self.frame.data).is_err() {
                let ok = d.child.wait().is_ok_and(|s| s.success());
                let log = d.log.lock().unwrap_or_else(|e| e.into_inner()).clone();
                let at = d.next;
                // Containers round durations up: a clean stop within a second of the end is
                // the end.
                if ok && at > 0 && at + (self.info.fps.ceil() as u64) >= self.frames {
                    self.frames = at;
                    self.decoder = None;
                    return Ok(false);
                }
                let t = self.start + at as f64 / self.info.fps;
                let why = if log.is_empty() {
                    "the file ends early (truncated?)".to_string()
                } else {
                    log
                };
                bail!(
                    "cannot decode {} past {t:.1} s of {:.1} s: {why}",
                    self.path.display(),
                    self.info.duration
                );
            }
            d.next += 1;
        }
        Ok(true)
    }

    /// Draw frame `index` as `cols × rows` cells.
    pub fn produce(
        &mut self,
        index: u64,
        mode: PaneMode,
        cols: u16,
        rows: u16,
        out: &mut Vec<TCell>,
    ) {
        let (c, r) = (cols as usize, rows as usize);
        let (w, h) = match mode {
            PaneMode::Pixels => (c, r * 2),
            PaneMode::Cells => {
                let m = self.converter.atlas().metrics;
                (c * m.width, r * m.height)
            }
        };
        if self.failure.is_none() && w > 0 && h > 0 {
            // At a normal early end the last decoded frame stays on screen.
            if let Err(e) = self.decode(index, w, h) {
                self.failure = Some(format!("{e:#}"));
            }
        }
        if self.failure.is_some() || self.frame.width != w || self.frame.height != h {
            out.clear();
            out.resize(c * r, TCell::BLANK);
            return;
        }
        match mode {
            PaneMode::Pixels => self.halfblocks.convert(&self.frame, cols, rows, out),
            PaneMode::Cells => {
                self.converter
                    .convert_fit(&self.frame, c, r, &mut self.grid);
                grid_cells(&self.grid, &self.converter, out);
            }
        }
    }
}

/// The converter's cells as terminal cells: glyph → its character, fitted colours as 24-bit
/// (quantized later by the screen for 256/16-colour terminals).
fn grid_cells(grid: &CellGrid, conv: &Converter, out: &mut Vec<TCell>) {
    let atlas = conv.atlas();
    let source_bg = conv.options.background == Background::Source;
    out.clear();
    out.extend(grid.cells.iter().map(|c| TCell {
        ch: atlas.char_of(c.glyph),
        fg: Ink::Rgb(c.fg[0], c.fg[1], c.fg[2]),
        bg: if source_bg {
            Ink::Rgb(c.bg[0], c.bg[1], c.bg[2])
        } else {
            Ink::Rgb(0, 0, 0)
        },
        attrs: 0,
    }));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::video::GlyphMode;

    #[test]
    fn converted_cells_carry_the_glyph_and_fitted_colour() {
        let mut conv = converter("classic", ConvertOptions::default()).unwrap();
        let m = conv.atlas().metrics;
        // black, white and orange cells
        let mut f = Frame::new(3 * m.width, m.height);
        for y in 0..m.height {
            for x in m.width..3 * m.width {
                let c = if x < 2 * m.width {
                    [255, 255, 255]
                } else {
                    [255, 128, 0]
                };
                let i = (y * f.width + x) * 3;
                f.data[i..i + 3].copy_from_slice(&c);
            }
        }
        let mut grid = CellGrid::default();
        conv.convert_fit(&f, 3, 1, &mut grid);
        let mut out = Vec::new();
        grid_cells(&grid, &conv, &mut out);
        assert_eq!(out.len(), 3);
        assert_eq!(out[0].ch, ' ');
        assert_eq!(out[1].ch, '@', "white is the densest glyph");
        assert!(out[2].ch != ' ' && out[2].ch != '@', "{}", out[2].ch);
        let Ink::Rgb(r, g, b) = out[2].fg else {
            panic!("{:?}", out[2].fg)
        };
        assert!(r > g && g > b, "orange kept: {r} {g} {b}");
        assert_eq!(out[2].bg, Ink::Rgb(0, 0, 0));
    }

    #[test]
    fn edges_draw_line_glyphs_where_the_picture_has_lines() {
        let o = ConvertOptions {
            glyphs: GlyphMode::Edges,
            ..ConvertOptions::default()
        };
        let mut conv = converter("ascii", o).unwrap();
        let m = conv.atlas().metrics;
        // a white vertical line through the middle of every cell
        let (w, h) = (4 * m.width, 2 * m.height);
        let mut f = Frame::new(w, h);
        for y in 0..h {
            for x in (m.width / 2..w).step_by(m.width) {
                let i = (y * w + x) * 3;
                f.data[i..i + 3].copy_from_slice(&[255, 255, 255]);
            }
        }
        let mut grid = CellGrid::default();
        conv.convert_fit(&f, 4, 2, &mut grid);
        let mut out = Vec::new();
        grid_cells(&grid, &conv, &mut out);
        let text: String = out.iter().map(|c| c.ch).collect();
        assert_eq!(text, "||||||||");
        // the same picture as a ramp has no line glyphs
        conv.options.glyphs = GlyphMode::Ramp;
        conv.convert_fit(&f, 4, 2, &mut grid);
        grid_cells(&grid, &conv, &mut out);
        assert!(out.iter().all(|c| c.ch != '|'));
    }

    #[test]
    fn unknown_palettes_are_one_clear_line() {
        let e = converter("clasic", ConvertOptions::default())
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("did you mean classic"), "{e}");
        assert!(e.contains("asciivid list palettes"), "{e}");
        assert!(!e.contains('\n'));
    }

    #[test]
    fn ratios_parse() {
        assert_eq!(ratio("25/1"), Some(25.0));
        assert_eq!(
            ratio("30000/1001").map(|v| (v * 1000.0).round()),
            Some(29970.0)
        );
        assert_eq!(ratio("0/0"), None);
    }
}
