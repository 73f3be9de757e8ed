//! Video for `play`: frames decoded by ffmpeg at the pane's size, shown as a coloured luminance
//! ramp (cells mode) or half blocks (pixels mode).
//!
//! This is deliberately small and self-contained: [`VideoFrames::produce`] is the one place
//! that turns a decoded frame into cells, so a better video-to-ASCII conversion can replace it.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};

use anyhow::{Context, Result, bail};

use super::pane::PaneMode;
use crate::frame::Frame;
use crate::term::TCell;
use crate::term::cell::Ink;
use crate::term::halfblock::HalfBlocks;

/// Dark to bright.
const RAMP: &[char] = &[' ', '.', ':', '-', '=', '+', '*', '#', '%', '@'];

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
        bail!(
            "ffprobe cannot read {}: {}",
            path.display(),
            String::from_utf8_lossy(&o.stderr).trim()
        );
    }
    let v: serde_json::Value = serde_json::from_slice(&o.stdout)?;
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

/// A running ffmpeg that writes RGB frames of a fixed size.
struct Decoder {
    child: Child,
    stdout: ChildStdout,
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
    halfblocks: HalfBlocks,
    /// Decoding failed: the pane shows black from then on.
    failed: bool,
}

impl VideoFrames {
    /// Play `path` from `start` seconds for `duration` seconds (to the end when `None`).
    pub fn new(path: &Path, info: VideoInfo, start: f64, duration: Option<f64>) -> VideoFrames {
        let left = (info.duration - start).max(0.0);
        let secs = duration.map_or(left, |d| d.min(left));
        VideoFrames {
            path: path.to_path_buf(),
            info,
            start,
            frames: (secs * info.fps).floor() as u64,
            decoder: None,
            frame: Frame::new(0, 0),
            halfblocks: HalfBlocks::default(),
            failed: false,
        }
    }

    /// Frames per second.
    pub fn fps(&self) -> f64 {
        self.info.fps
    }

    /// Number of frames to play.
    pub fn frames(&self) -> u64 {
        self.frames
    }

    /// Source size.
    pub fn size(&self) -> (usize, usize) {
        (self.info.width, self.info.height)
    }

    fn spawn(&self, index: u64, width: usize, height: usize) -> Result<Decoder> {
        let ffmpeg = crate::media::find_ffmpeg()?;
        let t = self.start + index as f64 / self.info.fps;
        let mut child = Command::new(ffmpeg)
            .args(["-nostdin", "-v", "error", "-ss", &format!("{t:.6}"), "-i"])
            .arg(&self.path)
            .args([
                "-an",
                "-sn",
                "-vf",
                &format!("fps={},scale={width}:{height}:flags=area", self.info.fps),
                "-f",
                "rawvideo",
                "-pix_fmt",
                "rgb24",
                "-",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .context("cannot start ffmpeg to decode the video")?;
        let stdout = child.stdout.take().context("ffmpeg gave no stdout")?;
        Ok(Decoder {
            child,
            stdout,
            width,
            height,
            next: index,
        })
    }

    /// Decode up to frame `index` at `width × height` into `self.frame`.
    fn decode(&mut self, index: u64, width: usize, height: usize) -> Result<()> {
        let reuse = self.decoder.as_ref().is_some_and(|d| {
            d.width == width && d.height == height && d.next <= index && index - d.next < 50
        });
        if !reuse {
            self.decoder = None;
            self.decoder = Some(self.spawn(index, width, height)?);
        }
        self.frame.resize(width, height);
        let d = self.decoder.as_mut().context("no decoder")?;
        while d.next <= index {
            d.stdout
                .read_exact(&mut self.frame.data)
                .context("the video ended early")?;
            d.next += 1;
        }
        Ok(())
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
        let (w, h) = (cols as usize, rows as usize * 2);
        if !self.failed && w > 0 && h > 0 && self.decode(index, w, h).is_err() {
            self.failed = true;
        }
        if self.failed || self.frame.width != w || self.frame.height != h {
            out.clear();
            out.resize(cols as usize * rows as usize, TCell::BLANK);
            return;
        }
        match mode {
            PaneMode::Pixels => self.halfblocks.convert(&self.frame, cols, rows, out),
            PaneMode::Cells => ramp_cells(&self.frame, cols, rows, out),
        }
    }
}

/// Two pixel rows per cell → a luminance-ramp character in the pixels' mean colour.
fn ramp_cells(frame: &Frame, cols: u16, rows: u16, out: &mut Vec<TCell>) {
    let (cols, rows) = (cols as usize, rows as usize);
    out.clear();
    out.reserve(cols * rows);
    for y in 0..rows {
        for x in 0..cols {
            let a = frame.pixel(x, 2 * y);
            let b = frame.pixel(x, (2 * y + 1).min(frame.height - 1));
            let c = [0, 1, 2].map(|i| ((a[i] as u16 + b[i] as u16) / 2) as u8);
            let lum = (2126 * c[0] as u32 + 7152 * c[1] as u32 + 722 * c[2] as u32) / 10000;
            let ch = RAMP[(lum as usize * RAMP.len() / 256).min(RAMP.len() - 1)];
            // The character already carries the brightness: full-strength colour reads better.
            let max = c.iter().copied().max().unwrap_or(0).max(1) as u32;
            let fg = c.map(|v| (v as u32 * 255 / max) as u8);
            out.push(TCell {
                ch,
                fg: Ink::Rgb(fg[0], fg[1], fg[2]),
                bg: Ink::Rgb(0, 0, 0),
                attrs: 0,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ramp_maps_dark_to_space_and_bright_to_dense() {
        let mut f = Frame::new(2, 2);
        f.data[3..6].copy_from_slice(&[255, 255, 255]);
        f.data[9..12].copy_from_slice(&[255, 255, 255]);
        let mut out = Vec::new();
        ramp_cells(&f, 2, 1, &mut out);
        assert_eq!(out[0].ch, ' ');
        assert_eq!(out[1].ch, '@');
        assert_eq!(out[1].fg, Ink::Rgb(255, 255, 255));
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
