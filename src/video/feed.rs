//! Video frames by index, for a consumer that mostly moves forward but may jump (`preview`).
//!
//! `render` reads a video strictly in order with a [`FrameReader`]. The live preview asks for
//! "the frame due now", which skips frames when rendering is late and jumps when the user
//! seeks. [`VideoFeed`] keeps one decode running and reads forward through it; a request
//! behind the decode position, or far ahead of it, restarts ffmpeg at that time instead
//! (seeking is frame-accurate, see [`ReaderSpec::start`]).

use anyhow::Result;

use super::input::VideoInput;
use super::reader::{FrameReader, Next, ReaderSpec};
use crate::frame::Frame;

/// Frames ahead of the decode position that are read through rather than sought to (decoding
/// a second or two is cheaper than restarting ffmpeg).
const READ_AHEAD: u64 = 48;

/// The frames of a visual input by index, at the rate and size of `spec`.
pub struct VideoFeed {
    input: VideoInput,
    spec: ReaderSpec,
    reader: Option<FrameReader>,
    /// Index of the frame the reader yields next.
    next: u64,
    /// The frame last decoded, and its index.
    current: Frame,
    current_index: Option<u64>,
    /// The input ends before this index (later requests keep the last frame).
    end: u64,
}

impl VideoFeed {
    /// A feed of `input` decoded as `spec` says; frame 0 is at `spec.start`, and the input
    /// has `frames` frames at this rate (as the feature analysis counted them): later
    /// indices show the last one. Nothing is decoded until the first [`VideoFeed::frame`].
    pub fn new(input: VideoInput, spec: ReaderSpec, frames: u64) -> VideoFeed {
        VideoFeed {
            current: Frame::new(spec.width, spec.height),
            input,
            spec,
            reader: None,
            next: 0,
            current_index: None,
            end: frames.max(1),
        }
    }

    /// The frame at `index` (the last one when the input is shorter), and whether it differs
    /// from the frame the previous call returned.
    pub fn frame(&mut self, index: u64) -> Result<(&Frame, bool)> {
        let want = index.min(self.end - 1);
        if self.current_index == Some(want) {
            return Ok((&self.current, false));
        }
        let behind = self.reader.is_none() || want < self.next;
        if behind || want > self.next + READ_AHEAD {
            let spec = ReaderSpec {
                start: self.spec.start + want as f64 / self.spec.fps,
                duration: self
                    .spec
                    .duration
                    .map(|d| (d - want as f64 / self.spec.fps).max(0.0)),
                ..self.spec.clone()
            };
            self.reader = Some(FrameReader::open(&self.input, &spec)?);
            self.next = want;
        }
        let Some(reader) = self.reader.as_mut() else {
            return Ok((&self.current, false));
        };
        let mut changed = false;
        let mut shown = want;
        while self.next <= want {
            match reader.next_frame(&mut self.current)? {
                Next::New => changed = true,
                // a still image: the same picture for every index
                Next::Same => {
                    self.next = want + 1;
                    break;
                }
                Next::End => {
                    self.end = self.next.max(1);
                    shown = self.next.saturating_sub(1);
                    break;
                }
            }
            self.next += 1;
        }
        self.current_index = Some(shown);
        Ok((&self.current, changed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::video::Fit;

    /// A 2 s clip whose frame `k` (at 10 fps) has luma `40 + 10·k` (limited range).
    fn ramp_clip(dir: &std::path::Path) -> std::path::PathBuf {
        let p = dir.join("ramp.mp4");
        let ok = std::process::Command::new("ffmpeg")
            .args(["-v", "error", "-y", "-f", "lavfi", "-i"])
            .arg("color=c=black:s=32x16:r=10:d=2,geq=lum='40+10*N':cb=128:cr=128")
            .args(["-c:v", "libx264", "-qp", "0", "-pix_fmt", "yuv444p"])
            .arg(&p)
            .status()
            .expect("ffmpeg");
        assert!(ok.success());
        p
    }

    /// How far the frame's mean is from frame `k`'s grey (limited-range luma to RGB).
    fn off(f: &Frame, k: u64) -> f64 {
        let mean = f.data.iter().map(|&v| v as f64).sum::<f64>() / f.data.len() as f64;
        (mean - (24.0 + 10.0 * k as f64) * 255.0 / 219.0).abs()
    }

    #[test]
    fn frames_by_index_forward_backward_and_past_the_end() {
        let dir = tempfile::tempdir().unwrap();
        let input = VideoInput::File {
            path: ramp_clip(dir.path()),
            has_audio: false,
            fps: Some(10.0),
        };
        let spec = ReaderSpec {
            width: 32,
            height: 16,
            fps: 10.0,
            start: 0.0,
            duration: None,
            fit: Fit::Contain,
        };
        let mut feed = VideoFeed::new(input, spec, 20);
        let mut at = |index: u64, k: u64| {
            let (f, changed) = feed.frame(index).unwrap();
            let d = off(f, k);
            assert!(d < 3.0, "frame {index}: {d} from frame {k}'s grey");
            changed
        };
        assert!(at(3, 3));
        assert!(!at(3, 3), "asking again decodes nothing");
        assert!(at(5, 5), "forward");
        assert!(at(1, 1), "backward");
        assert!(at(15, 15));
        assert!(at(500, 19), "past the end: the last frame");
        assert!(!at(600, 19));
    }
}
