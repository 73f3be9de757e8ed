//! Locating the ffmpeg binary (on PATH, or `ASCIIVID_FFMPEG`) and collecting its error lines.

use std::path::{Path, PathBuf};

use ffmpeg_sidecar::event::{FfmpegEvent, LogLevel};
use ffmpeg_sidecar::iter::FfmpegIterator;

/// ffmpeg could not be found; the message says how to get it.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct FfmpegMissing(pub String);

/// The install hint shown wherever ffmpeg is needed but missing.
pub const INSTALL_HINT: &str = "install ffmpeg (Debian/Ubuntu: `sudo apt-get install -y ffmpeg`, macOS: `brew install ffmpeg`) or point ASCIIVID_FFMPEG at the binary";

fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// The ffmpeg binary: `ASCIIVID_FFMPEG` if set, else `ffmpeg` on PATH.
pub fn find_ffmpeg() -> Result<PathBuf, FfmpegMissing> {
    if let Some(p) = std::env::var_os("ASCIIVID_FFMPEG").filter(|p| !p.is_empty()) {
        let p = PathBuf::from(p);
        return if p.is_file() {
            Ok(p)
        } else {
            Err(FfmpegMissing(format!(
                "ASCIIVID_FFMPEG is set to {} but no such file exists: fix the path or unset it",
                p.display()
            )))
        };
    }
    on_path("ffmpeg")
        .ok_or_else(|| FfmpegMissing(format!("ffmpeg not found on PATH: {INSTALL_HINT}")))
}

/// The ffprobe next to ffmpeg (or on PATH).
pub fn find_ffprobe() -> Option<PathBuf> {
    let ff = find_ffmpeg().ok()?;
    let sibling = ff.with_file_name(if cfg!(windows) {
        "ffprobe.exe"
    } else {
        "ffprobe"
    });
    if sibling.is_file() {
        return Some(sibling);
    }
    on_path("ffprobe")
}

/// Drain an ffmpeg event stream (it must always be drained, or ffmpeg blocks on a full pipe),
/// keeping the error lines and reporting progress frames to `on_frame`.
pub fn drain_events(iter: FfmpegIterator, mut on_frame: impl FnMut(u32)) -> Vec<String> {
    let mut errors = Vec::new();
    for ev in iter {
        match ev {
            FfmpegEvent::Log(LogLevel::Error | LogLevel::Fatal, msg) if errors.len() < 20 => {
                errors.push(msg.trim().to_string());
            }
            FfmpegEvent::Progress(p) => on_frame(p.frame),
            _ => {}
        }
    }
    errors
}

/// The most useful of ffmpeg's error lines, for a one-line message.
pub fn summarize_errors(errors: &[String]) -> String {
    errors
        .iter()
        .rev()
        .find(|e| !e.is_empty() && !e.starts_with("Conversion failed"))
        .or(errors.last())
        .cloned()
        .unwrap_or_else(|| "ffmpeg exited with an error and printed no reason".to_string())
}

/// A path's display form for messages.
pub fn shown(p: &Path) -> String {
    p.display().to_string()
}
