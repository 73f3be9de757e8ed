//! What a `render` input is: audio only, a video file, a still image, or an image sequence
//! (a directory or a glob of PNG/JPEG files), found out with ffprobe.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::media::decode::check_input_file;
use crate::media::ffmpeg::INSTALL_HINT;

/// Image extensions accepted for stills and sequences.
pub const IMAGE_EXTS: &[&str] = &["png", "jpg", "jpeg"];

/// A visual input.
#[derive(Clone, Debug, PartialEq)]
pub enum VideoInput {
    /// A file ffmpeg decodes that has a video stream.
    File {
        /// The file.
        path: PathBuf,
        /// Whether it also has an audio track (which then drives the audio features).
        has_audio: bool,
        /// Its average frame rate, when ffprobe knows it.
        fps: Option<f64>,
    },
    /// One still image, shown for the whole render.
    Image {
        /// The image file.
        path: PathBuf,
    },
    /// Images shown one per output frame, in name order.
    Sequence {
        /// The files, sorted by name.
        files: Vec<PathBuf>,
    },
}

impl VideoInput {
    /// The path to show in messages.
    pub fn display(&self) -> String {
        match self {
            VideoInput::File { path, .. } | VideoInput::Image { path } => {
                path.display().to_string()
            }
            VideoInput::Sequence { files } => match files.first() {
                Some(f) => format!(
                    "{} ({} images)",
                    f.parent().unwrap_or(Path::new(".")).display(),
                    files.len()
                ),
                None => "an empty image sequence".into(),
            },
        }
    }

    /// The file whose audio to analyze and mux, if any.
    pub fn audio_path(&self) -> Option<&Path> {
        match self {
            VideoInput::File {
                path,
                has_audio: true,
                ..
            } => Some(path),
            _ => None,
        }
    }
}

fn is_image(p: &Path) -> bool {
    p.extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .is_some_and(|e| IMAGE_EXTS.contains(&e.as_str()))
}

/// `*` and `?` wildcard match of a file name.
fn wildcard(pat: &[u8], name: &[u8]) -> bool {
    match (pat.first(), name.first()) {
        (None, None) => true,
        (Some(b'*'), _) => {
            wildcard(&pat[1..], name) || (!name.is_empty() && wildcard(pat, &name[1..]))
        }
        (Some(b'?'), Some(_)) => wildcard(&pat[1..], &name[1..]),
        (Some(a), Some(b)) if a == b => wildcard(&pat[1..], &name[1..]),
        _ => false,
    }
}

/// Image files of a directory, or matching a glob whose wildcards are in the file name.
fn list_images(dir: &Path, pattern: Option<&str>) -> Result<Vec<PathBuf>> {
    let rd = std::fs::read_dir(dir)
        .with_context(|| format!("cannot list {}: check the path", dir.display()))?;
    let mut files: Vec<PathBuf> = rd
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.is_file() && is_image(p))
        .filter(|p| {
            pattern.is_none_or(|pat| {
                p.file_name()
                    .is_some_and(|n| wildcard(pat.as_bytes(), n.to_string_lossy().as_bytes()))
            })
        })
        .collect();
    files.sort();
    Ok(files)
}

/// Inspect `input`: `Ok(None)` for audio without pictures (music mode), the visual input
/// otherwise. Errors name the file and what to do.
pub fn probe_input(input: &Path) -> Result<Option<VideoInput>> {
    let s = input.to_string_lossy();
    if s.contains('*') || s.contains('?') {
        let dir = input
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let pat = input
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if dir.to_string_lossy().contains(['*', '?']) {
            bail!(
                "image pattern {s}: wildcards are only supported in the file name, e.g. frames/*.png"
            );
        }
        let files = list_images(dir, Some(&pat))?;
        if files.is_empty() {
            bail!("no PNG or JPEG files match {s}: check the pattern (e.g. frames/*.png)");
        }
        return Ok(Some(VideoInput::Sequence { files }));
    }
    if input.is_dir() {
        let files = list_images(input, None)?;
        if files.is_empty() {
            bail!(
                "directory {} has no PNG or JPEG images: give a video, an image, or a folder of .png/.jpg frames",
                input.display()
            );
        }
        return Ok(Some(VideoInput::Sequence { files }));
    }
    check_input_file(input)?;
    if is_image(input) {
        return Ok(Some(VideoInput::Image {
            path: input.to_path_buf(),
        }));
    }
    let probe = ffprobe(input)?;
    let streams = probe["streams"].as_array().cloned().unwrap_or_default();
    let video = streams.iter().find(|st| {
        st["codec_type"] == "video" && st["disposition"]["attached_pic"].as_i64() != Some(1)
    });
    let has_audio = streams.iter().any(|st| st["codec_type"] == "audio");
    match video {
        None if has_audio => Ok(None),
        None => bail!(
            "{} has neither video nor audio streams: give a video, an audio file or an image",
            input.display()
        ),
        Some(v) => {
            let fps = ["avg_frame_rate", "r_frame_rate"]
                .iter()
                .filter_map(|k| v[*k].as_str().and_then(parse_rate))
                .find(|r| (1.0..=240.0).contains(r));
            Ok(Some(VideoInput::File {
                path: input.to_path_buf(),
                has_audio,
                fps,
            }))
        }
    }
}

/// Insist on a visual input: for commands that need pictures (e.g. `play`).
pub fn require_video(input: &Path) -> Result<VideoInput> {
    match probe_input(input)? {
        Some(v) => Ok(v),
        None => bail!(
            "{} has no video stream (it is audio only): give a video file (mp4, mkv, webm, mov, avi), an image, or a folder of images",
            input.display()
        ),
    }
}

/// ffprobe's "num/den" rate.
fn parse_rate(s: &str) -> Option<f64> {
    let (a, b) = s.split_once('/').unwrap_or((s, "1"));
    let (a, b): (f64, f64) = (a.trim().parse().ok()?, b.trim().parse().ok()?);
    (b > 0.0 && a > 0.0).then_some(a / b)
}

fn ffprobe(input: &Path) -> Result<serde_json::Value> {
    let Some(ffprobe) = crate::media::find_ffprobe() else {
        bail!("ffprobe not found (it comes with ffmpeg): {INSTALL_HINT}");
    };
    let out = Command::new(&ffprobe)
        .args(["-v", "error", "-print_format", "json", "-show_streams"])
        .arg(input)
        .output()
        .with_context(|| format!("cannot run {}", ffprobe.display()))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        let why = err
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("ffprobe failed and printed no reason")
            .trim()
            .to_string();
        bail!(
            "cannot read {}: {why} (is it a complete video, audio or image file?)",
            input.display()
        );
    }
    serde_json::from_slice(&out.stdout).with_context(|| {
        format!(
            "cannot read {}: ffprobe gave unreadable output",
            input.display()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_match_file_names() {
        assert!(wildcard(b"*.png", b"frame_001.png"));
        assert!(wildcard(b"f?_*.jpg", b"f1_x.jpg"));
        assert!(!wildcard(b"*.png", b"frame.jpg"));
        assert!(!wildcard(b"a?", b"a"));
        assert_eq!(parse_rate("2997/125"), Some(23.976));
        assert_eq!(parse_rate("0/0"), None);
    }

    #[test]
    fn directories_and_globs_list_sorted_images_only() {
        let dir = tempfile::tempdir().unwrap();
        for n in ["b.png", "a.jpg", "c.txt", "d.JPEG"] {
            std::fs::write(dir.path().join(n), b"x").unwrap();
        }
        let Some(VideoInput::Sequence { files }) = probe_input(dir.path()).unwrap() else {
            panic!("a sequence")
        };
        let names: Vec<_> = files
            .iter()
            .map(|f| f.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["a.jpg", "b.png", "d.JPEG"]);
        let glob = dir.path().join("*.png");
        let Some(VideoInput::Sequence { files }) = probe_input(&glob).unwrap() else {
            panic!("a sequence")
        };
        assert_eq!(files.len(), 1);
        let e = probe_input(&dir.path().join("*.gif")).unwrap_err();
        assert!(e.to_string().contains("no PNG or JPEG files match"), "{e}");
    }
}
