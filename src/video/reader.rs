//! Streaming decode of a visual input to RGB frames of an exact size and rate.
//!
//! ffmpeg scales (keeping the aspect ratio: letterboxed or cropped to fill, see [`Fit`]) and
//! resamples to a constant frame rate; a reader thread cuts its stdout into frames and hands
//! them over through a bounded queue of [`QUEUE`] frames whose buffers are recycled, while
//! another thread drains ffmpeg's log. Memory stays at a few frames whatever the length of the
//! video.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::thread::JoinHandle;

use anyhow::{Context, Result, bail};
use crossbeam_channel::{Receiver, Sender, bounded};
use ffmpeg_sidecar::command::FfmpegCommand;

use super::input::VideoInput;
use crate::frame::Frame;
use crate::media::ffmpeg::{drain_events, find_ffmpeg, summarize_errors};

/// Decoded frames waiting for the renderer.
pub const QUEUE: usize = 3;

/// How a source whose aspect ratio differs from the output's is placed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Fit {
    /// The whole picture, with black bars.
    #[default]
    Contain,
    /// Fill the frame, cropping the overflow.
    Cover,
}

/// What to decode.
#[derive(Clone, Debug, PartialEq)]
pub struct ReaderSpec {
    /// Output width in pixels.
    pub width: usize,
    /// Output height in pixels.
    pub height: usize,
    /// Output frame rate (constant; variable-rate sources are resampled).
    pub fps: f64,
    /// Seconds into the input to start at (frame-accurate).
    pub start: f64,
    /// Seconds to decode, or the whole input.
    pub duration: Option<f64>,
    /// Aspect-ratio handling.
    pub fit: Fit,
}

/// What [`FrameReader::next_frame`] produced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Next {
    /// A new frame was written into the buffer.
    New,
    /// The picture has not changed (a still image): the buffer was left alone.
    Same,
    /// The input has no more frames.
    End,
}

/// A running decode.
pub struct FrameReader {
    rx: Option<Receiver<Vec<u8>>>,
    recycle: Sender<Vec<u8>>,
    child: Option<ffmpeg_sidecar::child::FfmpegChild>,
    reader: Option<JoinHandle<std::io::Result<()>>>,
    events: Option<JoinHandle<Vec<String>>>,
    width: usize,
    height: usize,
    still: bool,
    frames: u64,
    name: String,
    _list: Option<tempfile::NamedTempFile>,
}

fn filter(s: &ReaderSpec) -> String {
    let (w, h) = (s.width, s.height);
    match s.fit {
        Fit::Contain => format!(
            "scale={w}:{h}:force_original_aspect_ratio=decrease,pad={w}:{h}:(ow-iw)/2:(oh-ih)/2:black,setsar=1"
        ),
        Fit::Cover => {
            format!("scale={w}:{h}:force_original_aspect_ratio=increase,crop={w}:{h},setsar=1")
        }
    }
}

/// An ffconcat list showing every image for one frame at `fps`.
fn concat_list(files: &[PathBuf], fps: f64) -> Result<tempfile::NamedTempFile> {
    let mut f = tempfile::Builder::new()
        .prefix("asciivid-seq-")
        .suffix(".txt")
        .tempfile()
        .context("cannot create a temporary file for the image list")?;
    let mut text = String::from("ffconcat version 1.0\n");
    for p in files {
        let abs = std::fs::canonicalize(p).unwrap_or_else(|_| p.clone());
        let quoted = abs.to_string_lossy().replace('\'', r"'\''");
        text += &format!("file '{quoted}'\nduration {:.6}\n", 1.0 / fps);
    }
    f.write_all(text.as_bytes())
        .context("cannot write the temporary image list")?;
    Ok(f)
}

impl FrameReader {
    /// Start decoding `input` as `spec` says.
    pub fn open(input: &VideoInput, spec: &ReaderSpec) -> Result<FrameReader> {
        if spec.width == 0 || spec.height == 0 || spec.fps.is_nan() || spec.fps <= 0.0 {
            bail!(
                "cannot decode {}: output size and rate must be positive",
                input.display()
            );
        }
        let ffmpeg = find_ffmpeg()?;
        let mut cmd = FfmpegCommand::new_with_path(&ffmpeg);
        cmd.hide_banner();
        let mut list = None;
        let mut still = false;
        let vf = filter(spec);
        match input {
            VideoInput::File { path, .. } => {
                if spec.start > 0.0 {
                    cmd.args(["-ss", &format!("{:.6}", spec.start)]);
                }
                cmd.input(path.to_string_lossy().into_owned());
                if let Some(d) = spec.duration {
                    cmd.args(["-t", &format!("{d:.6}")]);
                }
                cmd.args(["-map", "0:v:0", "-an", "-sn"]);
                cmd.args(["-vf", &format!("fps={},{vf}", spec.fps)]);
            }
            VideoInput::Image { path } => {
                still = true;
                cmd.input(path.to_string_lossy().into_owned());
                cmd.args(["-frames:v", "1", "-vf", &vf]);
            }
            VideoInput::Sequence { files } => {
                let l = concat_list(files, spec.fps)?;
                if spec.start > 0.0 {
                    cmd.args(["-ss", &format!("{:.6}", spec.start)]);
                }
                cmd.args(["-f", "concat", "-safe", "0"]);
                cmd.input(l.path().to_string_lossy().into_owned());
                if let Some(d) = spec.duration {
                    cmd.args(["-t", &format!("{d:.6}")]);
                }
                // one output frame per image, whatever the timestamps say
                cmd.args(["-vsync", "0", "-vf", &vf]);
                list = Some(l);
            }
        }
        cmd.args(["-f", "rawvideo", "-pix_fmt", "rgb24"])
            .output("-");
        let mut child = cmd
            .spawn()
            .with_context(|| format!("cannot start {}", ffmpeg.display()))?;
        let mut stdout = child.take_stdout().context("ffmpeg gave no stdout")?;
        let iter = child.iter()?;
        let events = std::thread::spawn(move || drain_events(iter, |_| {}));
        let (tx, rx) = bounded::<Vec<u8>>(QUEUE);
        let (recycle, pool) = bounded::<Vec<u8>>(QUEUE + 2);
        let size = spec.width * spec.height * 3;
        let reader = std::thread::spawn(move || -> std::io::Result<()> {
            loop {
                let mut buf = pool.try_recv().unwrap_or_default();
                buf.resize(size, 0);
                let mut got = 0;
                while got < size {
                    let n = stdout.read(&mut buf[got..])?;
                    if n == 0 {
                        return Ok(()); // end of stream (a partial frame is dropped)
                    }
                    got += n;
                }
                if tx.send(buf).is_err() {
                    return Ok(()); // the renderer stopped listening
                }
            }
        });
        Ok(FrameReader {
            rx: Some(rx),
            recycle,
            child: Some(child),
            reader: Some(reader),
            events: Some(events),
            width: spec.width,
            height: spec.height,
            still,
            frames: 0,
            name: input.display(),
            _list: list,
        })
    }

    /// Frames delivered so far.
    pub fn frames(&self) -> u64 {
        self.frames
    }

    /// Decode the next frame into `frame` (resized to the output size). A still image yields
    /// one [`Next::New`] and then [`Next::Same`] forever.
    pub fn next_frame(&mut self, frame: &mut Frame) -> Result<Next> {
        if self.still && self.frames > 0 {
            return Ok(Next::Same);
        }
        let got = self.rx.as_ref().and_then(|rx| rx.recv().ok());
        match got {
            Some(mut buf) => {
                if frame.width != self.width || frame.height != self.height {
                    frame.resize(self.width, self.height);
                }
                std::mem::swap(&mut frame.data, &mut buf);
                let _ = self.recycle.try_send(buf);
                self.frames += 1;
                Ok(Next::New)
            }
            None => {
                self.finish()?;
                if self.frames == 0 {
                    bail!(
                        "{} has no video frames in the requested range: check --start and --duration",
                        self.name
                    );
                }
                if self.still {
                    return Ok(Next::Same);
                }
                Ok(Next::End)
            }
        }
    }

    /// Wait for ffmpeg and turn a failure into a one-line error.
    fn finish(&mut self) -> Result<()> {
        self.rx.take();
        let read = self.reader.take().map(|h| h.join());
        let errors = self
            .events
            .take()
            .and_then(|h| h.join().ok())
            .unwrap_or_default();
        let Some(mut child) = self.child.take() else {
            return Ok(());
        };
        let status = child.wait()?;
        if !status.success() {
            bail!(
                "cannot decode video from {}: {} (is it a complete video file ffmpeg can read?)",
                self.name,
                summarize_errors(&errors)
            );
        }
        if let Some(Ok(Err(e))) = read {
            bail!("reading decoded frames of {} failed: {e}", self.name);
        }
        Ok(())
    }
}

impl Drop for FrameReader {
    fn drop(&mut self) {
        // Stop ffmpeg if the render ended early; the threads then see EOF and exit.
        self.rx.take();
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
